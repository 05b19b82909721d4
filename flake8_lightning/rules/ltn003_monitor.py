"""LTN003: a checkpoint, early-stopping or scheduler monitor names a metric never logged."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flake8_lightning.registry import Rule, any_of, heavy_imports, register

if TYPE_CHECKING:
    from flake8_lightning.model.unknown import Maybe


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, monitor_site, scheduler_monitor
    global MetricFacts, Names, literal_name, callback_modules, configured_modules, UNKNOWN, target_version
    from astroid import nodes

    from flake8_lightning.model.callbacks import monitor_site
    from flake8_lightning.model.metrics import MetricFacts, Names, literal_name
    from flake8_lightning.model.optimizers import scheduler_monitor
    from flake8_lightning.model.training import callback_modules, configured_modules
    from flake8_lightning.model.unknown import UNKNOWN
    from flake8_lightning.model.version import target_version

#: Names ModelCheckpoint can monitor without anything logging them.
CHECKPOINT_BUILTINS = frozenset({"epoch", "step"})
#: Hooks whose returned dict reached ``callback_metrics`` before Lightning 1.0 (top-level
#: keys, and the keys of its ``"log"`` and ``"progress_bar"`` dicts).
PRE_1_0_RETURNING_HOOKS = frozenset(
    f"{stage}_{suffix}"
    for stage in ("training", "validation", "test")
    for suffix in ("step", "step_end", "end", "epoch_end")
)
PRE_1_0_KEYS = frozenset({"log", "progress_bar"})


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
    no ``*_step`` and has no subclass in the project is not checked.

    Before Lightning 1.0 there was no ``self.log``: the keys of the dict a hook
    returned (and of its ``"log"`` and ``"progress_bar"`` dicts) reached the
    monitors. So under a 0.x target (a pin such as ``pytorch-lightning==0.7.5``
    or a VCS URL at a 0.x tag) the rule stays silent, and also when the modules
    return such ``{"log": ...}`` dicts and no pin says 1.x or later. Under a
    1.x or 2.x pin those dicts are not logged, and their metrics are reported.
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
        name = literal_name(site.monitor, self.ctx.facts)
        if name is UNKNOWN:
            return  # not a constant: known before resolving any class, so nothing is scanned
        classes = callback_modules(self.ctx.facts, node, name)
        if site.kind == "ModelCheckpoint":
            self._check(site.monitor, classes, CHECKPOINT_BUILTINS, "no checkpoint is saved or fit fails")
        else:
            self._check(site.monitor, classes, frozenset(), "fit fails at the first validation end")

    def visit_Dict(self, node: nodes.Dict) -> None:
        found = scheduler_monitor(self.ctx.facts, node)
        if found is not None:
            modules = configured_modules(self.ctx.facts, found.cls)
            self._check(found.monitor, modules, frozenset(), "the scheduler fails when it steps")

    # -- the check ------------------------------------------------------------------

    def _check(self, monitor: nodes.NodeNG, classes: Maybe[list[nodes.ClassDef]], builtins, effect: str) -> None:  # noqa: ANN001
        name = literal_name(monitor, self.ctx.facts)
        if name is UNKNOWN or classes is UNKNOWN or not classes:
            return  # not a constant (a config value, a parameter, None), or nothing to check against
        metrics = MetricFacts.of(self.ctx.facts)
        logged = Names()
        for cls in classes:
            logged.update(metrics.logged_by(cls))
        if name in builtins or logged.anything or logged.may_log(name):
            return  # the modules log it themselves: no need to scan the project for helpers
        logged.update(metrics.helpers())
        if logged.anything or logged.may_log(name):
            return
        if self._maybe_pre_1_0(classes):
            return  # before 1.0, the dicts hooks return were logged: the metric may come from one
        if name in logged.logger_only:
            self.report(monitor, self.logger_message, monitor=name, effect=effect)
            return
        close = typo_of(name, logged.exact)
        fix = f"did you mean '{close}'?" if close else f"log it with self.log('{name}', ...)"
        self.report(monitor, monitor=name, effect=effect, fix=fix)

    def _maybe_pre_1_0(self, classes: list[nodes.ClassDef]) -> bool:
        """Can the monitored metric come from a dict a hook returns (Lightning before 1.0)?

        Certainly so under a 0.x target (``self.log`` came in 0.10). Possibly so
        when the modules return 0.x-style ``{"log": ...}``/``{"progress_bar": ...}``
        dicts and no pin (or ``--lightning-version``) says 1.x or later, nor
        2.x-only code: an old research repository often pins nothing.
        """
        version = target_version(self.ctx.project, self.ctx.config.lightning_version)
        if version.pre_1_0:
            return True
        if version.at_least(1) and (version.source in ("pin", "option") or version.at_least(2) and version.source == "code"):
            return False
        facts = self.ctx.facts
        return any(
            _returns_pre_1_0_dict(method)
            for cls in classes
            for klass in facts.hierarchy(cls).classes
            for method in klass.mymethods()
            if method.name in PRE_1_0_RETURNING_HOOKS
        )


def _returns_pre_1_0_dict(method: nodes.FunctionDef) -> bool:
    """Does ``method`` build a dict with a ``"log"`` or ``"progress_bar"`` key (0.x's result form)?"""
    for node in method.nodes_of_class((nodes.Dict, nodes.Call)):
        if isinstance(node, nodes.Dict):
            if any(isinstance(key, nodes.Const) and key.value in PRE_1_0_KEYS for key, _ in node.items):
                return True
        elif any(keyword.arg in PRE_1_0_KEYS for keyword in node.keywords or ()):
            name = node.func.attrname if isinstance(node.func, nodes.Attribute) else getattr(node.func, "name", "")
            if name in ("dict", "OrderedDict"):
                return True
    return False
