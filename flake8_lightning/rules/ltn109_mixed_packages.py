"""LTN109: objects of ``pytorch_lightning`` and of ``lightning.pytorch`` given to each other."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flake8_lightning.registry import Rule, any_of, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, External, bindings, argument, walk
    from astroid import nodes

    from flake8_lightning.model.lightning import argument, walk
    from flake8_lightning.model.names import External, bindings


if TYPE_CHECKING:
    from collections.abc import Iterator

#: Qualified-name prefix -> how the message names the package.
PACKAGES = (("pytorch_lightning.", "pytorch_lightning"), ("lightning.", "lightning.pytorch"))
#: Callbacks the Trainer recognises by ``isinstance`` (its checkpoint and early stopping).
RECOGNISED_CALLBACKS = ("ModelCheckpoint", "EarlyStopping")
#: How deep a chain of names, lists and additions is followed.
MAX_DEPTH = 8
RUN_METHOD = "fit"


def _what(name: str, kind: str, package: str) -> str:
    """``'Model' is a pytorch_lightning LightningModule`` or ``'ModelCheckpoint' is pytorch_lightning's``."""
    return f"'{name}' is {package}'s" if name == kind else f"'{name}' is a {package} {kind}"


def package_of(qualname: str) -> str | None:
    """``pytorch_lightning`` or ``lightning.pytorch`` (also ``lightning.LightningModule``)."""
    for prefix, package in PACKAGES:
        if qualname.startswith(prefix):
            return package
    return None


@register
class MixedPackages(Rule):
    """A ``pytorch_lightning`` object given to a ``lightning.pytorch`` Trainer, or the reverse.

    ## What it does
    ``pytorch_lightning`` and ``lightning.pytorch`` (``import lightning as
    L``) are two packages with distinct classes. This rule resolves, across
    the project's files, which package each class comes from and reports
    where the two meet: a ``ModelCheckpoint`` or ``EarlyStopping`` (or a
    project subclass) of one package constructed for the ``callbacks=`` of
    the other's ``Trainer`` (reported at the callback's construction), and a
    LightningModule or LightningDataModule of one package passed to the
    other's ``trainer.fit(...)`` (reported at the call). Silent for try/except
    import shims (the name's origin is unknown), utilities such as
    ``seed_everything`` or ``rank_zero_only``, ``lightning.LightningModule``
    next to ``lightning.pytorch.Trainer`` (the same class), and any class
    whose origin cannot be told.

    ## Why is this bad?
    The Trainer recognises its callbacks and models with ``isinstance``. A
    ``pytorch_lightning.callbacks.ModelCheckpoint`` in a ``lightning`` Trainer
    still runs, but the Trainer does not count it as its checkpoint callback:
    it adds its own, ``trainer.test(ckpt_path="best")`` loads that one's last
    checkpoint instead of the best, and ``trainer.early_stopping_callback`` is
    ``None`` for a foreign ``EarlyStopping``; nothing is said. A module from
    the other package fails at ``fit`` with ``TypeError: `model` must be a
    `LightningModule```, a DataModule with the confusing ``ValueError:
    Expected a parent``.

    ## Example
    ```python
    import lightning as L
    from pytorch_lightning.callbacks import ModelCheckpoint

    checkpoint = ModelCheckpoint(monitor="val_loss", save_top_k=1)
    trainer = L.Trainer(max_epochs=10, callbacks=[checkpoint])
    ```

    ## Use instead
    ```python
    import lightning as L
    from lightning.pytorch.callbacks import ModelCheckpoint

    checkpoint = ModelCheckpoint(monitor="val_loss", save_top_k=1)
    trainer = L.Trainer(max_epochs=10, callbacks=[checkpoint])
    ```

    ## Known limits
    Only callbacks the Trainer file builds itself are followed (a list
    returned by a function is not), and only ``ModelCheckpoint`` and
    ``EarlyStopping``: other callbacks are called by hook name and work. A
    Trainer or model class from an installed library other than Lightning,
    and a ``Trainer(enable_checkpointing=...)`` that is not ``True``, are not
    checked.
    """

    needs = any_of("Trainer")
    code = "LTN109"
    name = "mixed-lightning-packages"
    impact = (
        "a foreign ModelCheckpoint is ignored as the checkpoint callback (ckpt_path='best' loads the "
        "last epoch); a foreign module or DataModule makes fit raise."
    )
    message = "{what} but the Trainer is {package}'s: {effect}; use {package}'s {kind}"
    effects = {
        "ModelCheckpoint": (
            "the Trainer adds its own checkpoint callback, so ckpt_path='best' loads its last checkpoint"
        ),
        "EarlyStopping": "the Trainer does not recognise it (trainer.early_stopping_callback is None)",
        "LightningModule": "fit raises TypeError: `model` must be a `LightningModule`",
        "LightningDataModule": "fit raises ValueError: Expected a parent",
        "train_dataloaders": "fit raises TypeError: An invalid dataloader was passed",
    }

    def __init__(self, ctx) -> None:  # noqa: ANN001
        super().__init__(ctx)
        self._reported: set[nodes.NodeNG] = set()

    def visit_Call(self, node: nodes.Call) -> None:
        func = node.func
        if isinstance(func, nodes.Attribute) and func.attrname == RUN_METHOD:
            self._check_fit(node)
            return
        # The call's own keywords first: resolving what every call constructs
        # would build the modules it imports.
        enabled = argument(node, None, "enable_checkpointing")
        if enabled is not None and not (isinstance(enabled, nodes.Const) and enabled.value is True):
            return
        callbacks = argument(node, None, "callbacks")
        if callbacks is None:
            return
        package = self._constructed_trainer(node)
        if package is None:
            return
        for call in self._constructions(callbacks, 0):
            found = self._class_package(call.func, RECOGNISED_CALLBACKS)
            if found is None:
                continue
            kind, other = found
            if other != package and call not in self._reported:
                self._reported.add(call)
                name = call.func.attrname if isinstance(call.func, nodes.Attribute) else call.func.as_string()
                self.report(call, what=_what(name, kind, other), kind=kind, package=package, effect=self.effects[kind])

    # -- trainer.fit(model, datamodule=...) -------------------------------------------------

    def _check_fit(self, node: nodes.Call) -> None:
        receiver = node.func.expr
        if not self.ctx.facts.is_trainer(receiver):
            return
        package = self._trainer_package(receiver, 0)
        if package is None:
            return
        model = argument(node, 0, "model")
        dataloaders = argument(node, 1, "train_dataloaders")
        datamodule = argument(node, 3, "datamodule")
        for expr, kinds, effect in (
            (model, ("LightningModule",), None),
            (datamodule, ("LightningDataModule",), None),
            (dataloaders, ("LightningDataModule",), "train_dataloaders"),
        ):
            if expr is None:
                continue
            found = self._instance_package(expr, kinds, 0)
            if found is None:
                continue
            name, kind, other = found
            if other != package:
                effect_text = self.effects[effect or kind]
                self.report(node, what=_what(name, kind, other), kind=kind, package=package, effect=effect_text)

    # -- packages ---------------------------------------------------------------------------

    def _class_package(self, func: nodes.NodeNG, kinds: tuple[str, ...]) -> tuple[str, str] | None:
        """(kind, package) of the Lightning class ``func`` names or subclasses; None when unknown."""
        target = self.ctx.facts.resolver.resolve(func)
        if isinstance(target, External):
            qualnames = [target.qualname]
        elif isinstance(target, nodes.ClassDef):
            hierarchy = self.ctx.facts.hierarchy(target)
            if hierarchy.unresolved:
                return None
            qualnames = hierarchy.externals
        else:
            return None
        found = {
            (kind, package_of(q))
            for q in qualnames
            for kind in kinds
            if package_of(q) is not None and q.rsplit(".", 1)[-1] == kind
        }
        packages = {package_of(q) for q in qualnames} - {None}
        if len(found) != 1 or len(packages) != 1:
            return None  # not one of these kinds, or bases from both packages
        return next(iter(found))

    def _constructed_trainer(self, call: nodes.Call) -> str | None:
        """The package of the Trainer ``call`` constructs, if it does."""
        func = call.func
        if isinstance(func, nodes.Attribute) and func.attrname.startswith("from_"):
            func = func.expr  # a classmethod constructor
        if not isinstance(func, (nodes.Name, nodes.Attribute)):
            return None
        name = func.attrname if isinstance(func, nodes.Attribute) else func.name
        if "Trainer" not in name and not isinstance(self.ctx.facts.resolver.resolve(func), nodes.ClassDef):
            return None
        found = self._class_package(func, ("Trainer",))
        return found[1] if found else None

    def _trainer_package(self, expr: nodes.NodeNG, depth: int) -> str | None:
        """The package of the Trainer ``expr`` is (a construction or a name bound only to those)."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, nodes.Call):
            return self._constructed_trainer(expr)
        if isinstance(expr, nodes.Name):
            packages = set()
            for binding in bindings(expr, expr.name) or [None]:
                if not (isinstance(binding, nodes.AssignName) and isinstance(binding.parent, nodes.Assign)):
                    return None
                packages.add(self._trainer_package(binding.parent.value, depth + 1))
            return packages.pop() if len(packages) == 1 else None
        return None

    def _instance_package(self, expr: nodes.NodeNG, kinds: tuple[str, ...], depth: int) -> tuple[str, str, str] | None:
        """(class name, kind, package) of the project class ``expr`` is an instance of."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, nodes.Call):
            func = expr.func
            if isinstance(func, nodes.Attribute) and func.attrname == "load_from_checkpoint":
                func = func.expr
            target = self.ctx.facts.resolver.resolve(func)
            if not isinstance(target, nodes.ClassDef):
                return None  # a factory, or a class from an installed library
            found = self._class_package(func, kinds)
            return (target.name, *found) if found else None
        if isinstance(expr, nodes.Name):
            answers = set()
            for binding in bindings(expr, expr.name) or [None]:
                if not (isinstance(binding, nodes.AssignName) and isinstance(binding.parent, nodes.Assign)):
                    return None
                if binding not in binding.parent.targets:
                    return None
                answers.add(self._instance_package(binding.parent.value, kinds, depth + 1))
            return answers.pop() if len(answers) == 1 else None
        return None

    # -- what callbacks= holds ----------------------------------------------------------------

    def _constructions(self, expr: nodes.NodeNG, depth: int) -> Iterator[nodes.Call]:
        """The constructor calls whose results ``expr`` certainly holds (in this file)."""
        if depth > MAX_DEPTH:
            return
        if isinstance(expr, nodes.Call):
            yield expr
        elif isinstance(expr, (nodes.List, nodes.Tuple)):
            for element in expr.elts:
                yield from self._constructions(element, depth + 1)
        elif isinstance(expr, nodes.Starred):
            yield from self._constructions(expr.value, depth + 1)
        elif isinstance(expr, nodes.BinOp) and expr.op == "+":
            yield from self._constructions(expr.left, depth + 1)
            yield from self._constructions(expr.right, depth + 1)
        elif isinstance(expr, nodes.IfExp):
            yield from self._constructions(expr.body, depth + 1)
            yield from self._constructions(expr.orelse, depth + 1)
        elif isinstance(expr, nodes.Name):
            found = bindings(expr, expr.name)
            if any(isinstance(b.parent, nodes.AugAssign) for b in found):
                # ``callbacks += [...]`` hides the first binding from a lookup: take every
                # binding of the scope (the additions are followed below).
                found = [b for b in found[0].scope().locals.get(expr.name, []) if b.scope() is found[0].scope()]
            for binding in found:
                if isinstance(binding, nodes.AssignName) and isinstance(binding.parent, nodes.Assign):
                    if binding in binding.parent.targets:
                        yield from self._constructions(binding.parent.value, depth + 1)
                        yield from self._additions(binding, depth + 1)

    def _additions(self, binding: nodes.AssignName, depth: int) -> Iterator[nodes.Call]:
        """What ``name.append(x)``, ``name.extend(xs)`` and ``name += xs`` add in the binding's scope."""
        scope = binding.scope()
        for node in walk(scope):
            if not isinstance(node, (nodes.Call, nodes.AugAssign)) or node.scope() is not scope:
                continue
            if isinstance(node, nodes.AugAssign):
                target = node.target
                if isinstance(target, nodes.AssignName) and target.name == binding.name and node.op == "+=":
                    yield from self._constructions(node.value, depth + 1)
                continue
            func = node.func
            if (
                isinstance(func, nodes.Attribute)
                and isinstance(func.expr, nodes.Name)
                and func.expr.name == binding.name
                and func.attrname in ("append", "extend", "insert")
                and node.args
            ):
                yield from self._constructions(node.args[-1], depth + 1)
