"""LTN104: a manual-optimization module returns a scheduler it never steps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flake8_lightning.registry import Rule, any_of, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, Facts, Mode, methods, returns, walk, Kind, OptimizerFacts
    from astroid import nodes

    from flake8_lightning.model.lightning import Facts, Mode, methods, returns, walk
    from flake8_lightning.model.optimizers import Kind, OptimizerFacts


if TYPE_CHECKING:
    from collections.abc import Iterator


#: Hooks Lightning never calls under manual optimization: a step there steps nothing.
NEVER_CALLED_UNDER_MANUAL = frozenset({"lr_scheduler_step"})


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
        returned = [position for ret in returns(node) for position in scheduler_positions(ret.value)]
        if not returned:
            return
        if any(_may_step_a_scheduler(facts, klass) for klass in (cls, *facts.subclasses(cls))):
            return
        self.report(returned[0])


def scheduler_positions(value: nodes.NodeNG) -> Iterator[nodes.NodeNG]:
    """The expressions a ``configure_optimizers`` return value hands over as schedulers."""
    if isinstance(value, nodes.Dict):
        for key, item in value.items:
            if isinstance(key, nodes.Const) and key.value == "lr_scheduler":
                yield item
    elif isinstance(value, (nodes.Tuple, nodes.List)):
        elts = value.elts
        if len(elts) == 2 and all(isinstance(e, (nodes.List, nodes.Tuple)) for e in elts):
            yield from elts[1].elts
        else:
            for elt in elts:
                if isinstance(elt, nodes.Dict):
                    yield from scheduler_positions(elt)


def _may_step_a_scheduler(facts: Facts, cls: nodes.ClassDef) -> bool:
    """True if some ``.step()`` in the hierarchy is on something not certainly an optimizer."""
    optimizers = OptimizerFacts.of(facts, cls)
    for klass in facts.hierarchy(cls).classes:
        for method in methods(klass):
            if method.name in NEVER_CALLED_UNDER_MANUAL:
                continue
            for node in walk(method):
                if (
                    isinstance(node, nodes.Call)
                    and isinstance(node.func, nodes.Attribute)
                    and node.func.attrname == "step"
                    and optimizers.held(node.func.expr, method).kind not in (Kind.RAW, Kind.WRAPPER, Kind.LOCAL)
                ):
                    return True
    return False
