"""LTN002: ``manual_backward`` while automatic optimization is still on."""

from __future__ import annotations

from astroid import nodes

from flake8_lightning.model.lightning import Facts, Mode, enclosing_method, is_self
from flake8_lightning.registry import Rule, register


@register
class ManualBackwardInAutomatic(Rule):
    """``self.manual_backward()`` in a module that never turns automatic optimization off.

    ## What it does
    Flags each ``self.manual_backward(...)`` call in a LightningModule whose
    class hierarchy (across files, mixins included) never sets
    ``automatic_optimization`` to False, and each
    ``self.automatic_optimization = False`` placed before
    ``super().__init__()``, where ``LightningModule.__init__`` silently resets
    it to True.

    ## Why is this bad?
    ``manual_backward`` requires manual optimization. Lightning 2.x raises
    ``MisconfigurationException: to use manual_backward, please disable
    automatic optimization`` (``core/module.py``) only at the first training
    batch, after data loading and the sanity check have already run.

    ## Example
    ```python
    class GAN(L.LightningModule):
        def __init__(self):
            self.automatic_optimization = False  # reset by the next line
            super().__init__()

        def training_step(self, batch, batch_idx):
            self.manual_backward(self.loss(batch))
    ```

    ## Use instead
    ```python
    class GAN(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.automatic_optimization = False
    ```
    (A class attribute ``automatic_optimization = False`` or a property that
    returns False works too.)

    ## Known limits
    Any assignment that is not a constant (``= not cfg.auto``), any base class
    from outside the project other than Lightning's and torch's own, a project
    subclass that turns manual optimization on, and a class that defines its
    own ``manual_backward`` all keep the rule silent.
    """

    code = "LTN002"
    name = "manual-backward-in-automatic-optimization"
    message = (
        "manual_backward() with automatic optimization on fails at the first batch; "
        "set self.automatic_optimization = False after super().__init__()"
    )
    misplaced_message = (
        "automatic_optimization = False before super().__init__() is reset to True; "
        "move it after super().__init__()"
    )

    def visit_Call(self, node: nodes.Call) -> None:
        func = node.func
        if not isinstance(func, nodes.Attribute) or func.attrname != "manual_backward":
            return
        found = enclosing_method(node)
        if found is None or not is_self(func.expr, found[1]):
            return
        cls = found[0]
        facts = self.ctx.facts
        if facts.defines_member(cls, "manual_backward"):
            return
        if certainly_automatic(facts, cls):
            self.report(node)

    def visit_AssignAttr(self, node: nodes.AssignAttr) -> None:
        if node.attrname != "automatic_optimization":
            return
        value = node.parent.value if isinstance(node.parent, nodes.Assign) else None
        if not (isinstance(value, nodes.Const) and value.value is False):
            return
        found = enclosing_method(node)
        if found is None or not is_self(node.expr, found[1]) or not Facts.misplaced(node):
            return
        if certainly_automatic(self.ctx.facts, found[0]):
            self.report(node, self.misplaced_message)


def certainly_automatic(facts: Facts, cls: nodes.ClassDef) -> bool:
    """A LightningModule that, with its project subclasses, is certainly automatic."""
    if not facts.is_lightning_module(cls) or facts.optimization_mode(cls) is not Mode.AUTOMATIC:
        return False
    return all(facts.optimization_mode(sub) is Mode.AUTOMATIC for sub in facts.subclasses(cls))
