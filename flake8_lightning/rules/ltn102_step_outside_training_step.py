"""LTN102: a manual-optimization step outside ``training_step``."""

from __future__ import annotations

from flake8_lightning.registry import Rule, any_call, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, OUTSIDE_TRAINING_STEP, Reach, Mode, method_call, Kind, OptimizerFacts
    from astroid import nodes

    from flake8_lightning.model.hooks import OUTSIDE_TRAINING_STEP, Reach
    from flake8_lightning.model.lightning import Mode, method_call
    from flake8_lightning.model.optimizers import Kind, OptimizerFacts


@register
class StepOutsideTrainingStep(Rule):
    """An optimizer from ``self.optimizers()`` stepped outside ``training_step``.

    ## What it does
    In a manual-optimization LightningModule, flags ``opt.step()`` on a
    LightningOptimizer (from ``self.optimizers()``) in a hook that runs
    outside ``training_step`` (``on_train_batch_end``, ``on_train_epoch_end``,
    ``validation_step``, ...) or a method only those hooks call.

    ## Why is this bad?
    Lightning 2.x counts ``trainer.global_step`` only for steps taken while
    ``training_step`` runs: ``loops/optimization/manual.py`` attaches the
    counter at its start and detaches it at its end. A step in
    ``on_train_batch_end`` (a common place for gradient accumulation) leaves
    ``global_step`` at 0: step- and epoch-based checkpoints never save and
    ``max_steps`` never ends training. Nothing warns.

    ## Example
    ```python
    import lightning as L
    import torch


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.automatic_optimization = False
            self.layer = torch.nn.Linear(32, 1)

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters())

        def training_step(self, batch, batch_idx):
            self.manual_backward(self.layer(batch).pow(2).mean())

        def on_train_batch_end(self, outputs, batch, batch_idx):
            opt = self.optimizers()
            opt.step()
            opt.zero_grad()
    ```

    ## Use instead
    ```python
    import lightning as L
    import torch


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.automatic_optimization = False
            self.layer = torch.nn.Linear(32, 1)

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters())

        def training_step(self, batch, batch_idx):
            opt = self.optimizers()
            self.manual_backward(self.layer(batch).pow(2).mean())
            if (batch_idx + 1) % 4 == 0:
                opt.step()
                opt.zero_grad()
    ```

    ## Known limits
    Only certainly-manual modules are checked, and only steps in Lightning
    hooks (or methods only they call) that are not also reached from
    ``training_step``. A helper called from a Callback is not checked.
    """

    needs = any_call("step")
    code = "LTN102"
    name = "step-outside-training-step"
    impact = "`global_step` stays 0: checkpoints never save, `max_steps` never ends training."
    message = (
        "optimizer stepped in {hook}(), outside training_step, so global_step stays 0; "
        "move the step into training_step"
    )

    def visit_Call(self, node: nodes.Call) -> None:
        found = method_call(node, ("step",))
        if found is None:
            return
        cls, method, func = found
        facts = self.ctx.facts
        if not facts.is_lightning_module(cls) or facts.optimization_mode(cls) is not Mode.MANUAL:
            return
        reach = Reach.of(facts, cls)
        if method.name in reach.training_step():
            return
        outside = [hook for hook in sorted(OUTSIDE_TRAINING_STEP) if method.name in reach.from_([hook])]
        if not outside:
            return
        if OptimizerFacts.of(facts, cls).held(func.expr, method).kind is Kind.WRAPPER:
            hook = method.name if method.name in OUTSIDE_TRAINING_STEP else outside[0]
            self.report(node, hook=hook)
