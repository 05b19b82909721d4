"""LTN207: gradient clipping or accumulation flags on a Trainer that fits a manually optimized module."""

from __future__ import annotations

from flake8_lightning.registry import Rule, all_of, any_of, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, External, Mode, argument, bindings, is_lightning_class, target_version
    from astroid import nodes

    from flake8_lightning.model.lightning import Mode, argument, is_lightning_class
    from flake8_lightning.model.names import External, bindings
    from flake8_lightning.model.version import target_version


#: Lightning's words for each flag (``trainer/configuration_validator.py``) and what to do.
FLAGS = {
    "gradient_clip_val": (
        "Automatic gradient clipping is not supported for manual optimization",
        "clip in training_step with self.clip_gradients(opt, gradient_clip_val=...) before opt.step()",
    ),
    "accumulate_grad_batches": (
        "Automatic gradient accumulation is not supported for manual optimization",
        "accumulate in training_step (step and zero the optimizer every N batches)",
    ),
}


@register
class ManualOptimizationTrainerFlag(Rule):
    """``gradient_clip_val``/``accumulate_grad_batches`` on a Trainer that fits a manually optimized module.

    ## What it does
    Flags ``Trainer(gradient_clip_val=x)`` with a literal ``x > 0`` and
    ``Trainer(accumulate_grad_batches=n)`` with a literal ``n > 1`` when the
    same scope fits, with that trainer, a model whose every possible class is
    a project LightningModule certainly under manual optimization
    (``self.automatic_optimization = False``). The model is resolved as LTN003
    resolves it (``Model(...)``, ``Model.load_from_checkpoint(...)``, a name
    bound only to those, across files). Reported at the keyword.

    ## Why is this bad?
    Lightning validates the configuration when ``fit`` starts
    (``trainer/configuration_validator.py``,
    ``__verify_manual_optimization_support``) and raises
    ``MisconfigurationException: Automatic gradient clipping is not supported
    for manual optimization. Remove `Trainer(gradient_clip_val=1.0)` or switch
    to automatic optimization.`` (and the same for accumulation), after the
    script has built its data and model. Under manual optimization Lightning
    does not clip or accumulate for you.

    ## Example
    ```python
    import lightning as L
    import torch


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.automatic_optimization = False
            self.layer = torch.nn.Linear(4, 1)

        def training_step(self, batch, batch_idx):
            opt = self.optimizers()
            opt.zero_grad()
            self.manual_backward(self.layer(batch).sum())
            opt.step()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)


    def main(loader):
        trainer = L.Trainer(max_epochs=1, gradient_clip_val=1.0)
        trainer.fit(Model(), loader)
    ```

    ## Use instead
    ```python
    import lightning as L
    import torch


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.automatic_optimization = False
            self.layer = torch.nn.Linear(4, 1)

        def training_step(self, batch, batch_idx):
            opt = self.optimizers()
            opt.zero_grad()
            self.manual_backward(self.layer(batch).sum())
            self.clip_gradients(opt, gradient_clip_val=1.0)
            opt.step()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)


    def main(loader):
        trainer = L.Trainer(max_epochs=1)
        trainer.fit(Model(), loader)
    ```

    ## Known limits
    Only literal values, and only a trainer that is fitted in the scope that
    builds it (``trainer = Trainer(...)`` then ``trainer.fit(model)``, or
    ``Trainer(...).fit(model)``). A model whose class or optimization mode is
    unknown is not judged. Lightning 1.4 to 1.9 raise the same error, but
    1.0 to 1.3 do not, and the version model tells only the major version: a
    project pinned to 1.x, or whose version is unknown, is not checked.
    """

    needs = all_of(any_of("Trainer"), any_of("gradient_clip_val", "accumulate_grad_batches"))
    code = "LTN207"
    name = "manual-optimization-trainer-flag"
    impact = "`MisconfigurationException` when `fit` starts: Lightning does not clip or accumulate under manual optimization."
    message = (
        "Trainer({arg}={value}) fits '{model}', which uses manual optimization: fit raises at start "
        "('{error}'); {fix}"
    )
    #: The verdict depends on the Lightning version the project targets.
    depends_on_version = True

    def visit_Call(self, node: nodes.Call) -> None:
        flagged = [k for k in node.keywords or () if k.arg in FLAGS and _rejected(k.arg, k.value)]
        if not flagged or not self._is_lightning_trainer(node.func):
            return
        model = self._fitted_manual_model(node)
        if model is None:
            return
        if not target_version(self.ctx.project, self.ctx.config.lightning_version).at_least(2):
            return  # 1.0-1.3 accepted these; unknown: stay silent
        for keyword in flagged:
            error, advice = FLAGS[keyword.arg]
            self.report(
                keyword, arg=keyword.arg, value=keyword.value.as_string(), model=model, error=error, fix="remove it and " + advice
            )

    def _is_lightning_trainer(self, func: nodes.NodeNG) -> bool:
        target = self.ctx.facts.resolver.resolve(func)
        return isinstance(target, External) and is_lightning_class(target.qualname, "Trainer")

    def _fitted_manual_model(self, trainer: nodes.Call) -> str | None:
        """The name of the manually optimized class this trainer certainly fits, if any."""
        fits = []
        parent = trainer.parent
        if isinstance(parent, nodes.Attribute) and parent.attrname == "fit":
            if isinstance(parent.parent, nodes.Call) and parent.parent.func is parent:
                fits.append(parent.parent)
        elif (
            isinstance(parent, nodes.Assign)
            and len(parent.targets) == 1
            and isinstance(parent.targets[0], nodes.AssignName)
        ):
            target = parent.targets[0]
            for other in _same_scope(parent.scope()):
                if not (isinstance(other, nodes.Name) and other.name == target.name):
                    continue
                attr = other.parent
                if not (isinstance(attr, nodes.Attribute) and attr.attrname == "fit" and attr.expr is other):
                    continue
                if not (isinstance(attr.parent, nodes.Call) and attr.parent.func is attr):
                    continue
                if bindings(other, other.name) == [target]:
                    fits.append(attr.parent)
        facts = self.ctx.facts
        for fit in fits:
            classes = facts.model_classes(argument(fit, 0, "model"))
            if classes and all(
                facts.is_lightning_module(c) and facts.optimization_mode(c) is Mode.MANUAL for c in classes
            ):
                return classes[0].name
        return None


def _rejected(arg: str, value: nodes.NodeNG) -> bool:
    """A literal Lightning rejects under manual optimization."""
    if not isinstance(value, nodes.Const) or isinstance(value.value, bool):
        return False
    if not isinstance(value.value, (int, float)):
        return False
    return value.value > 0 if arg == "gradient_clip_val" else value.value > 1


def _same_scope(scope: nodes.NodeNG):  # noqa: ANN202
    """Nodes of ``scope`` outside nested functions, lambdas and classes."""
    stack = list(scope.get_children())
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.ClassDef, nodes.Lambda)):
            stack.extend(node.get_children())
