"""LTN003: a checkpoint, early-stopping or scheduler monitor names a metric never logged."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flake8_lightning.registry import Rule, any_of, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, monitor_site, UNKNOWN, Mode, argument, enclosing_method, is_lightning_class, is_self
    global MetricFacts, Names, name_pattern, bindings
    from astroid import nodes

    from flake8_lightning.model.callbacks import monitor_site
    from flake8_lightning.model.lightning import UNKNOWN, Mode, argument, enclosing_method, is_lightning_class, is_self
    from flake8_lightning.model.metrics import MetricFacts, Names, name_pattern
    from flake8_lightning.model.names import bindings


if TYPE_CHECKING:
    from collections.abc import Iterator

#: Names ModelCheckpoint can monitor without anything logging them.
CHECKPOINT_BUILTINS = frozenset({"epoch", "step"})
RUN_METHODS = frozenset({"fit", "validate", "test"})
PLATEAU = ".ReduceLROnPlateau"


def typo_of(name: str, logged) -> str | None:  # noqa: ANN001 - an iterable of str
    """The logged name that ``name`` is certainly a misspelling of, if there is one.

    Either the same name but for case and separators (``Val-Loss``, ``valloss``
    for ``val_loss``), or the same words but one, which is a truncation or
    extension of the other (``val_los``, ``valid_acc`` for ``val_acc``) or, in a
    word of four letters or more, one typing slip (``val_lsos``). ``val_recall``
    and ``val_precision``, ``val_loss`` and ``train_loss``, ``val_acc`` and
    ``val_auc`` are different metrics: no suggestion.
    """
    found = sorted({c for c in logged if c != name and _misspells(name, c)})
    return found[0] if len(found) == 1 else None


_SEPARATORS = re.compile(r"[_\-/. ]+")


def _misspells(name: str, candidate: str) -> bool:
    if _SEPARATORS.sub("", name).lower() == _SEPARATORS.sub("", candidate).lower():
        return True
    words, other = _SEPARATORS.split(name.lower()), _SEPARATORS.split(candidate.lower())
    if len(words) != len(other):
        return False
    differing = [(a, b) for a, b in zip(words, other) if a != b]
    if len(differing) != 1:
        return False
    a, b = differing[0]
    if a and b and (a.startswith(b) or b.startswith(a)):
        return True
    return min(len(a), len(b)) >= 4 and _one_slip(a, b)


def _one_slip(a: str, b: str) -> bool:
    """One character inserted, deleted, replaced, or two adjacent ones swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@register
class MonitorNeverLogged(Rule):
    """A ``monitor`` names a metric that no ``self.log`` call can produce.

    ## What it does
    Checks the ``monitor`` of ``ModelCheckpoint`` and ``EarlyStopping`` (any
    import form, project subclasses, ``configure_callbacks``) and the
    ``"monitor"`` of a scheduler config returned by ``configure_optimizers``
    when the scheduler is certainly a ``ReduceLROnPlateau`` (or a project
    subclass of it, or ``"reduce_on_plateau": True``): for any other scheduler
    Lightning ignores the key without a warning.
    It reports a monitor that no ``self.log``/``self.log_dict`` call of the
    LightningModule(s) it applies to can produce, nor any project Callback's
    ``pl_module.log``. The modules are the enclosing class and its project
    subclasses for scheduler monitors and ``configure_callbacks`` (a base
    class's configuration applies to every subclass, so a name only a subclass
    logs counts); otherwise the model passed to
    ``trainer.fit``/``validate``/``test`` in the same scope, resolved across
    files; otherwise every LightningModule of the project. Lightning's
    ``name_step``/``name_epoch`` forks and ModelCheckpoint's ``epoch`` and
    ``step`` count as logged.

    ## Why is this bad?
    With ``ModelCheckpoint(monitor="val_acc", every_n_train_steps=...)`` and no
    validation, Lightning 2.x trains to the end, saves no checkpoint and says
    nothing. Otherwise it raises ``could not find the monitored key`` only at
    the end of the first validation epoch, after hours of training;
    EarlyStopping raises ``RuntimeError: Early stopping conditioned on metric
    ... which is not available`` and ReduceLROnPlateau fails when it steps.
    ``fast_dev_run`` skips these checks, so it does not catch the typo.

    ## Example
    ```python
    import lightning as L
    import torch
    from lightning.pytorch.callbacks import ModelCheckpoint


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(32, 2)

        def validation_step(self, batch, batch_idx):
            x, y = batch
            self.log("val_accuracy", (self.layer(x).argmax(1) == y).float().mean())


    trainer = L.Trainer(callbacks=[ModelCheckpoint(monitor="val_acc", mode="max")])
    trainer.fit(Model())
    ```

    ## Use instead
    ```python
    import lightning as L
    import torch
    from lightning.pytorch.callbacks import ModelCheckpoint


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(32, 2)

        def validation_step(self, batch, batch_idx):
            x, y = batch
            self.log("val_accuracy", (self.layer(x).argmax(1) == y).float().mean())


    trainer = L.Trainer(callbacks=[ModelCheckpoint(monitor="val_accuracy", mode="max")])
    trainer.fit(Model())
    ```

    ## Known limits
    A dynamic logged name (f-string, ``%``/``format``, concatenation, a
    variable, ``log_dict`` of a MetricCollection) silences every monitor it
    could match. A monitor that is not a constant, a model that cannot be
    resolved or comes from an installed library, and a module with a base
    class from outside the project are not checked. A scheduler whose type is
    unknown (a factory, a parameter) is not checked. A base class that defines
    no ``*_step`` and has no subclass in the project is not checked. Metrics returned in the
    pre-2.0 ``{"log": ...}`` dict are not logged, and are reported.
    """

    needs = any_of("monitor", "ModelCheckpoint", "EarlyStopping")
    code = "LTN003"
    name = "monitor-never-logged"
    impact = (
        "with `every_n_train_steps`, no checkpoint is ever saved and nothing is said; "
        "otherwise a crash at the end of the first validation epoch. `fast_dev_run` does not "
        "catch it."
    )
    message = "monitor '{monitor}' is never logged with self.log, so {effect}; {fix}"
    logger_message = (
        "monitor '{monitor}' only reaches the logger, never self.log, so {effect}; "
        "log it with self.log('{monitor}', ...)"
    )

    # -- monitor sites ------------------------------------------------------------

    def visit_Call(self, node: nodes.Call) -> None:
        site = monitor_site(node, self.ctx.facts)
        if site is None or site.monitor is None:
            return
        monitor = name_pattern(site.monitor, self.ctx.facts)
        if type(monitor) is not str:
            return  # not a constant: known before resolving any class, so nothing is scanned
        owner = enclosing_method(node)
        if owner is not None and owner[1].name == "configure_callbacks":
            classes = self._module_and_subclasses(owner[0])
        else:
            classes = self._trained_classes(node, monitor)
        if site.kind == "ModelCheckpoint":
            self._check(site.monitor, classes, CHECKPOINT_BUILTINS, "no checkpoint is saved or fit fails")
        else:
            self._check(site.monitor, classes, frozenset(), "fit fails at the first validation end")

    def visit_Dict(self, node: nodes.Dict) -> None:
        keys = {k.value: v for k, v in node.items if isinstance(k, nodes.Const) and isinstance(k.value, str)}
        if "monitor" not in keys or not ({"scheduler", "lr_scheduler"} & keys.keys()):
            return
        owner = enclosing_method(node)
        if owner is None or owner[1].name != "configure_optimizers":
            return
        cls, method = owner
        facts = self.ctx.facts
        # Under manual optimization Lightning ignores scheduler monitors (a warning only).
        if not facts.is_lightning_module(cls) or facts.optimization_mode(cls) is not Mode.AUTOMATIC:
            return
        # Lightning reads "monitor" only for ReduceLROnPlateau; for any other
        # scheduler it is ignored without a warning.
        if "scheduler" in keys:  # a scheduler config: {"scheduler": ..., "monitor": ...}
            flag = keys.get("reduce_on_plateau")
            if flag is not None:
                plateau = isinstance(flag, nodes.Const) and flag.value is True
            else:
                plateau = self._is_plateau(keys["scheduler"], method)
        else:  # {"optimizer": ..., "lr_scheduler": <scheduler, not a config>, "monitor": ...}
            plateau = self._is_plateau(keys["lr_scheduler"], method)
        if plateau:
            self._check(keys["monitor"], self._module_and_subclasses(cls), frozenset(), "the scheduler fails when it steps")

    def _module_and_subclasses(self, cls: nodes.ClassDef) -> list[nodes.ClassDef] | None:
        """The modules a base class's ``configure_*`` applies to: it and every project subclass.

        None (unknown) when the class, without project subclasses, defines no
        ``*_step``: an abstract base whose subclasses the project does not show.
        """
        facts = self.ctx.facts
        if not facts.is_lightning_module(cls):
            return None
        subclasses = facts.subclasses(cls)
        steps = ("training_step", "validation_step", "test_step")
        if not subclasses and not any(step in k.locals for k in facts.hierarchy(cls).classes for step in steps):
            return None
        return [cls, *subclasses]

    def _is_plateau(self, expr: nodes.NodeNG, method: nodes.FunctionDef, depth: int = 0) -> bool:
        """``expr`` certainly is a ``ReduceLROnPlateau`` (or a project subclass of it)."""
        if depth > 6:
            return False
        facts = self.ctx.facts
        if isinstance(expr, nodes.Call):
            target = facts.resolver.resolve(expr.func)
            if isinstance(target, nodes.ClassDef):
                return any(q.endswith(PLATEAU) for q in facts.hierarchy(target).externals)
            qualname = getattr(target, "qualname", None) or ""
            return qualname.startswith("torch.optim.") and qualname.endswith(PLATEAU)
        if isinstance(expr, nodes.Name):
            found = bindings(expr, expr.name)
            return bool(found) and all(
                isinstance(b, nodes.AssignName)
                and b.scope() is expr.scope()
                and isinstance(b.parent, nodes.Assign)
                and b in b.parent.targets
                and self._is_plateau(b.parent.value, method, depth + 1)
                for b in found
            )
        if isinstance(expr, nodes.Attribute) and is_self(expr.expr, method):
            values = facts.attribute_values(method.parent, expr.attrname)
            return bool(values) and all(
                v is not UNKNOWN
                and (isinstance(v, nodes.Const) and v.value is None or self._is_plateau(v, method, depth + 1))
                for v in values
            ) and any(not isinstance(v, nodes.Const) for v in values)
        return False

    # -- the check ------------------------------------------------------------------

    def _check(self, monitor: nodes.NodeNG, classes: list[nodes.ClassDef] | None, builtins, effect: str) -> None:  # noqa: ANN001
        name = name_pattern(monitor, self.ctx.facts)
        if type(name) is not str or not classes or name in builtins:
            return  # not a constant (a config value, a parameter, None), or nothing to check against
        metrics = MetricFacts.of(self.ctx.facts)
        logged = Names()
        for cls in classes:
            logged.update(metrics.logged_by(cls))
        if logged.anything or logged.may_log(name):
            return  # the modules log it themselves: no need to scan the project for helpers
        logged.update(metrics.helpers())
        if logged.anything or logged.may_log(name):
            return
        if name in logged.logger_only:
            self.report(monitor, self.logger_message, monitor=name, effect=effect)
            return
        close = typo_of(name, logged.exact)
        fix = f"did you mean '{close}'?" if close else f"log it with self.log('{name}', ...)"
        self.report(monitor, monitor=name, effect=effect, fix=fix)

    # -- which module a monitor applies to --------------------------------------------

    def _trained_classes(self, node: nodes.NodeNG, monitor: str) -> list[nodes.ClassDef] | None:
        """The classes trained with callbacks built at ``node``; None means unknown.

        When they are every LightningModule of the project, a module that
        certainly logs ``monitor`` (looked for first in the files that name
        it) settles the question without scanning the project: None.
        """
        scope = _run_scope(node)
        models = list(self._run_models(scope))
        if not models:
            if MetricFacts.of(self.ctx.facts).some_module_may_log(monitor):
                return None  # one of them may log it: nothing to report, whichever is trained
            found = self.ctx.facts.lightning_modules()
            return found or None
        classes: list[nodes.ClassDef] = []
        for model in models:
            resolved = self._model_classes(model)
            if resolved is None:
                return None
            classes.extend(resolved)
        return classes

    def _run_models(self, scope: nodes.NodeNG) -> Iterator[nodes.NodeNG | None]:
        """Model arguments of ``trainer.fit/validate/test`` and ``LightningCLI`` in ``scope``."""
        resolver = self.ctx.facts.resolver
        for node in _same_scope(scope):
            if not isinstance(node, nodes.Call):
                continue
            func = node.func
            if isinstance(func, nodes.Attribute) and func.attrname in RUN_METHODS and self._is_trainer(func.expr):
                yield argument(node, 0, "model")
            else:
                qualname = resolver.qualname(func)
                if qualname and is_lightning_class(qualname, "LightningCLI"):
                    yield argument(node, 0, "model_class")

    def _is_trainer(self, expr: nodes.NodeNG) -> bool:
        """``Trainer(...)``, ``Trainer.from_argparse_args(...)``, or a name bound only to those."""
        return self.ctx.facts.is_trainer(expr)

    def _model_classes(self, expr: nodes.NodeNG | None) -> list[nodes.ClassDef] | None:
        """The project LightningModule classes ``expr`` may be an instance (or class) of."""
        return self.ctx.facts.model_classes(expr)


def _run_scope(node: nodes.NodeNG) -> nodes.NodeNG:
    """The function (or module) whose statements build and run the trainer."""
    current = node.parent
    while current is not None and not isinstance(current, (nodes.FunctionDef, nodes.Module)):
        current = current.parent
    return current if current is not None else node.root()


def _same_scope(scope: nodes.NodeNG) -> Iterator[nodes.NodeNG]:
    """Nodes of ``scope`` outside nested functions and classes."""
    stack = list(scope.get_children())
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (nodes.FunctionDef, nodes.ClassDef, nodes.Lambda)):
            stack.extend(node.get_children())
