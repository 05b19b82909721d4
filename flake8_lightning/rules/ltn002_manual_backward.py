"""LTN002: ``manual_backward`` while automatic optimization is still on."""

from __future__ import annotations

from flake8_lightning.registry import Rule, any_of, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, Edit, LineIndex, line_ending, newline_of
    global Facts, enclosing_method, is_self, method_call, running_init, self_name, super_init_statement
    from astroid import nodes

    from flake8_lightning.edits import Edit, LineIndex, line_ending, newline_of
    from flake8_lightning.model.lightning import (
        Facts,
        enclosing_method,
        is_self,
        method_call,
        running_init,
        self_name,
        super_init_statement,
    )


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
    import lightning as L
    import torch


    class GAN(L.LightningModule):
        def __init__(self):
            self.automatic_optimization = False  # reset by the next line
            super().__init__()
            self.layer = torch.nn.Linear(32, 1)

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters())

        def training_step(self, batch, batch_idx):
            self.manual_backward(self.layer(batch).pow(2).mean())
    ```

    ## Use instead
    ```python
    import lightning as L
    import torch


    class GAN(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.automatic_optimization = False
            self.layer = torch.nn.Linear(32, 1)

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters())

        def training_step(self, batch, batch_idx):
            opt = self.optimizers()
            opt.zero_grad()
            self.manual_backward(self.layer(batch).pow(2).mean())
            opt.step()
    ```
    (A class attribute ``automatic_optimization = False`` or a property that
    returns False works too.)

    ## Autofix
    ``flake8-lightning --fix`` moves a misplaced assignment to just after
    ``super().__init__(...)``, or inserts ``self.automatic_optimization =
    False`` there when the hierarchy sets it nowhere and the class has its own
    ``__init__`` (the last one it defines, which is the one that runs) calling
    ``super().__init__()`` on a line of its own.

    ## Known limits
    Any assignment that is not a constant (``= not cfg.auto``), any base class
    from outside the project other than Lightning's and torch's own, a project
    subclass that turns manual optimization on, and a class that defines its
    own ``manual_backward`` all keep the rule silent.
    """

    needs = any_of("manual_backward", "automatic_optimization")
    code = "LTN002"
    name = "manual-backward-in-automatic-optimization"
    impact = (
        "`MisconfigurationException` at the first training batch, after data loading and the sanity check."
    )
    message = (
        "manual_backward() with automatic optimization on fails at the first batch; "
        "set self.automatic_optimization = False after super().__init__()"
    )
    misplaced_message = (
        "automatic_optimization = False before super().__init__() is reset to True; "
        "move it after super().__init__()"
    )

    def visit_Call(self, node: nodes.Call) -> None:
        found = method_call(node, ("manual_backward",))
        if found is None or not is_self(found.func.expr, found.method):
            return
        cls = found.cls
        facts = self.ctx.facts
        if facts.defines_member(cls, "manual_backward"):
            return
        if facts.certainly_automatic(cls):
            self.report(node, edits=self._insert_after_super(cls))

    def visit_AssignAttr(self, node: nodes.AssignAttr) -> None:
        if node.attrname != "automatic_optimization":
            return
        value = node.parent.value if isinstance(node.parent, nodes.Assign) else None
        if not (isinstance(value, nodes.Const) and value.value is False):
            return
        found = enclosing_method(node)
        if found is None or not is_self(node.expr, found.method) or not Facts.misplaced(node):
            return
        if self.ctx.facts.certainly_automatic(found.cls):
            self.report(node, self.misplaced_message, edits=self._move_after_super(node, found.method))

    # -- autofix -------------------------------------------------------------------

    def _insert_after_super(self, cls: nodes.ClassDef) -> tuple[Edit, ...]:
        """Insert the assignment after ``super().__init__(...)`` when nothing sets it yet."""
        if self.ctx.facts.sets_optimization_mode(cls):
            return ()  # an explicit setting (even a misplaced one) is for a person or the other fix
        init = running_init(cls)
        if init is None or init.root() is not self.ctx.module:
            return ()
        call = super_init_statement(init)
        me = self_name(init)
        lines = _Lines(self.ctx.source)
        if call is None or me is None or not lines.owns(call):
            return ()
        end = lines.index.content_end_col(call.end_lineno)
        ending = line_ending(lines.index.lines[call.end_lineno - 1]) or newline_of(self.ctx.source)
        text = f"{ending}{lines.indent(call)}{me}.automatic_optimization = False"
        return (Edit.insert(call.end_lineno, end, text),)

    def _move_after_super(self, target: nodes.AssignAttr, init: nodes.FunctionDef) -> tuple[Edit, ...]:
        """Move a misplaced assignment's lines to just after ``super().__init__(...)``.

        One edit replaces the lines from the assignment to ``super().__init__(...)``
        with the same lines reordered, so every comment and line ending is kept.
        """
        statement = target.parent
        call = super_init_statement(init)
        lines = _Lines(self.ctx.source)
        if (
            call is None
            or init is not running_init(init.parent)
            or statement.parent is not init
            or call.lineno <= statement.end_lineno
            or not lines.owns(statement)
            or not lines.owns(call)
        ):
            return ()
        text = lines.index.lines
        moved = "".join(text[statement.lineno - 1 : statement.end_lineno])
        middle = "".join(text[statement.end_lineno : call.end_lineno])
        last_ending = line_ending(middle)
        middle = middle[: len(middle) - len(last_ending)]
        moved = moved[: len(moved) - len(line_ending(moved))]
        end = lines.index.content_end_col(call.end_lineno)
        return (Edit(statement.lineno, 0, call.end_lineno, end, middle + (last_ending or line_ending(text[statement.lineno - 1])) + moved),)


class _Lines:
    """The checked text's lines in Python's line model (never ``str.splitlines``)."""

    def __init__(self, source: str) -> None:
        self.index = LineIndex(source)

    def _before(self, statement: nodes.NodeNG) -> str:
        return self.index.lines[statement.lineno - 1].encode()[: statement.col_offset].decode(errors="ignore")

    def indent(self, statement: nodes.NodeNG) -> str:
        return self._before(statement)

    def owns(self, statement: nodes.NodeNG) -> bool:
        """Nothing but the statement (and a comment) on its lines."""
        lines = self.index.lines
        if statement.end_lineno > len(lines):
            return False
        last = lines[statement.end_lineno - 1]
        after = last.encode()[statement.end_col_offset :].decode(errors="ignore").strip()
        return not self._before(statement).strip() and (not after or after.startswith("#"))


def certainly_automatic(facts: Facts, cls: nodes.ClassDef) -> bool:
    """Kept importable for older callers: ask ``facts.certainly_automatic(cls)``."""
    return facts.certainly_automatic(cls)
