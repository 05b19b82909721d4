"""LTN103: stepping an optimizer yourself under automatic optimization."""

from __future__ import annotations

from flake8_lightning.registry import Rule, any_call, heavy_imports, register
from flake8_lightning.rules.ltn002_manual_backward import certainly_automatic


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, Reach, Facts, method_call, methods, walk, Kind, OptimizerFacts
    from astroid import nodes

    from flake8_lightning.model.hooks import Reach
    from flake8_lightning.model.lightning import Facts, method_call, methods, walk
    from flake8_lightning.model.optimizers import Kind, OptimizerFacts


@register
class StepInAutomatic(Rule):
    """``opt.step()`` in ``training_step`` while Lightning also steps.

    ## What it does
    In a LightningModule that certainly uses automatic optimization (nothing
    in its hierarchy or project subclasses sets ``automatic_optimization`` to
    False), flags ``step()`` on an optimizer from ``self.optimizers()`` inside
    ``training_step`` or a method it calls. A ``zero_grad()`` there is merely
    redundant and is not reported.

    ## Why is this bad?
    Under automatic optimization Lightning 2.x steps every optimizer after
    ``training_step`` returns. A step of your own runs the optimizer twice per
    batch (with gradients from the previous backward), and
    ``trainer.global_step`` counts only Lightning's step. Nothing warns.

    ## Example
    ```python
    import lightning as L
    import torch


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(32, 1)

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters())

        def training_step(self, batch, batch_idx):
            loss = self.layer(batch).pow(2).mean()
            self.optimizers().step()
            return loss
    ```

    ## Use instead
    ```python
    import lightning as L
    import torch


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(32, 1)

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters())

        def training_step(self, batch, batch_idx):
            return self.layer(batch).pow(2).mean()  # Lightning steps the optimizer
    ```
    Return the loss and let Lightning step, or turn automatic optimization
    off (``self.automatic_optimization = False``) and use
    ``self.manual_backward``.

    ## Known limits
    Only optimizers certainly obtained from ``self.optimizers()`` are
    considered; raw optimizers are LTN001's.
    """

    needs = any_call("step")
    code = "LTN103"
    name = "step-in-automatic-optimization"
    impact = "the optimizer steps twice a batch; `global_step` counts only Lightning's step."
    message = (
        "optimizer stepped in training_step under automatic optimization, so it steps twice "
        "a batch; set self.automatic_optimization = False or let Lightning step"
    )

    def visit_Call(self, node: nodes.Call) -> None:
        found = method_call(node, ("step",))
        if found is None:
            return
        cls, method, func = found
        facts = self.ctx.facts
        # Cheapest first: the subclass scan behind certainly_automatic reads the project.
        if not facts.is_lightning_module(cls) or method.name not in Reach.of(facts, cls).training_step():
            return
        if OptimizerFacts.of(facts, cls).held(func.expr, method).kind is not Kind.WRAPPER:
            return
        if _calls_manual_backward(facts, cls):
            return  # manual_backward under automatic optimization is LTN002's finding
        if certainly_automatic(facts, cls):
            self.report(node)


def _calls_manual_backward(facts: Facts, cls: nodes.ClassDef) -> bool:
    return any(
        isinstance(node, nodes.Call)
        and isinstance(node.func, nodes.Attribute)
        and node.func.attrname == "manual_backward"
        for klass in facts.hierarchy(cls).classes
        for method in methods(klass)
        for node in walk(method)
    )
