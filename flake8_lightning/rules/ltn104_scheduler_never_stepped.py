"""LTN104: a manual-optimization module returns a scheduler it never steps."""

from __future__ import annotations

from flake8_lightning.registry import Rule, any_of, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, Mode, OptimizerFacts, returned_schedulers
    from astroid import nodes

    from flake8_lightning.model.lightning import Mode
    from flake8_lightning.model.optimizers import OptimizerFacts, returned_schedulers


@register
class SchedulerNeverStepped(Rule):
    """A scheduler returned under manual optimization but never stepped.

    ## What it does
    Flags the scheduler returned by ``configure_optimizers`` (the second list of
    ``[optimizers], [schedulers]``, or an ``"lr_scheduler"`` entry) of a
    manual-optimization LightningModule whose hierarchy (and project
    subclasses) never calls ``step()`` on anything but an optimizer.

    ## Why is this bad?
    Under manual optimization Lightning 2.x never steps lr schedulers: you call
    ``self.lr_schedulers().step()``. The learning rate silently stays
    constant; the ``interval``, ``frequency`` and ``monitor`` keys are ignored
    with only a warning.

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
            opt = torch.optim.Adam(self.parameters())
            return [opt], [torch.optim.lr_scheduler.StepLR(opt, 10)]

        def training_step(self, batch, batch_idx):
            opt = self.optimizers()
            opt.zero_grad()
            self.manual_backward(self.layer(batch).pow(2).mean())
            opt.step()
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
            opt = torch.optim.Adam(self.parameters())
            return [opt], [torch.optim.lr_scheduler.StepLR(opt, 10)]

        def training_step(self, batch, batch_idx):
            opt = self.optimizers()
            opt.zero_grad()
            self.manual_backward(self.layer(batch).pow(2).mean())
            opt.step()
            if self.trainer.is_last_batch:
                self.lr_schedulers().step()
    ```

    ## Known limits
    Any ``.step()`` call in the hierarchy on something not certainly an
    optimizer (a scheduler attribute, an RL environment) counts as stepping the
    scheduler, so the rule stays silent then; except inside an
    ``lr_scheduler_step`` override, which Lightning never calls under manual
    optimization.
    """

    needs = any_of("configure_optimizers")
    code = "LTN104"
    name = "scheduler-never-stepped"
    impact = (
        "Lightning never steps schedulers under manual optimization: the learning rate never changes."
    )
    message = (
        "scheduler returned under manual optimization is never stepped, so the learning rate "
        "never changes; call self.lr_schedulers().step() in training_step"
    )

    def visit_FunctionDef(self, node: nodes.FunctionDef) -> None:
        cls = node.parent
        if node.name != "configure_optimizers" or not isinstance(cls, nodes.ClassDef):
            return
        facts = self.ctx.facts
        if not facts.is_lightning_module(cls) or facts.optimization_mode(cls) is not Mode.MANUAL:
            return
        returned = returned_schedulers(node)
        if not returned:
            return
        if any(OptimizerFacts.of(facts, klass).may_step_a_scheduler() for klass in (cls, *facts.subclasses(cls))):
            return
        self.report(returned[0])

