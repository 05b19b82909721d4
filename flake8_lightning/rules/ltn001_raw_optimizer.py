"""LTN001: a raw optimizer is stepped instead of ``self.optimizers()``."""

from __future__ import annotations

from flake8_lightning.registry import Rule, any_call, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, Edit, has_comment, segment, managed, wrapper_steps
    global Mode, is_self, method_call, self_name, Kind, OptimizerFacts
    from astroid import nodes

    from flake8_lightning.edits import Edit, has_comment, segment
    from flake8_lightning.model.automatic import managed, wrapper_steps
    from flake8_lightning.model.lightning import Mode, is_self, method_call, self_name
    from flake8_lightning.model.optimizers import Kind, OptimizerFacts


EXCLUDED_METHODS = frozenset({"__init__", "configure_optimizers"})


@register
class RawOptimizerStep(Rule):
    """Stepping a raw optimizer instead of ``self.optimizers()``.

    ## What it does
    Flags, in a method of a LightningModule under manual optimization, each
    place that gets hold of a raw ``torch.optim`` optimizer of the module and
    then calls its ``step()``: one Lightning manages (an
    attribute ``configure_optimizers`` returns, ``self.trainer.optimizers[i]``,
    ``self.optimizers(use_pl_optimizer=False)``, ``opt.optimizer`` inside
    Lightning's wrapper) or one built over the module's own parameters
    (``self.parameters()``, ``self.<submodule>.parameters()`` for a submodule
    set in ``__init__``), directly or through a local alias. The finding is
    reported where the raw optimizer is obtained.

    ## Why is this bad?
    Lightning counts ``trainer.global_step`` in ``LightningOptimizer.step()``
    only (``loops/optimization/manual.py``, Lightning 2.x). Stepping the raw
    optimizer leaves ``global_step`` at 0 for the whole run, so
    ``ModelCheckpoint`` (even the default one) never saves, ``max_steps`` is
    never reached and step-based schedules never advance. AMP loss unscaling,
    ``on_before_optimizer_step`` hooks and strategy-specific steps are bypassed
    too. Lightning 2.6 gives no warning.

    When ``training_step`` also steps Lightning's wrapper, ``global_step``
    advances but does not count the raw steps (a GAN stepping one of its two
    optimizers raw counts half its steps); the message says so. An optimizer
    the module built for itself beside Lightning's is not reported then.

    A raw ``zero_grad()`` alone is never reported: ``LightningOptimizer.zero_grad``
    only calls the wrapped optimizer's ``zero_grad``, so it does the same thing.

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
            self.optimizer = torch.optim.Adam(self.parameters())
            return self.optimizer

        def training_step(self, batch, batch_idx):
            loss = self.layer(batch).pow(2).mean()
            self.optimizer.zero_grad()
            self.manual_backward(loss)
            self.optimizer.step()
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
            opt.zero_grad()
            self.manual_backward(self.layer(batch).pow(2).mean())
            opt.step()
    ```

    ## Autofix
    Under manual optimization, ``flake8-lightning --fix`` rewrites
    ``self.<attr>`` to ``self.optimizers()`` when the module has one optimizer,
    or to ``self.optimizers()[i]`` when the ``configure_optimizers`` that runs
    certainly returns it at index ``i``, for the class and every subclass, in
    statement order; ``opt.optimizer`` to ``opt``; and
    ``self.optimizers(use_pl_optimizer=False)`` to ``self.optimizers()``.
    A ``zero_grad()`` on the same expression in the same method is rewritten
    with the step, so the method keeps one spelling (same behaviour).

    ## Known limits
    An optimizer over anything else is not the module's and is never
    reported: a meta-learning inner loop over a ``deepcopy`` of the network, a
    learn2learn or ``higher`` clone, a hypernetwork's output, parameters passed
    in. Under automatic optimization Lightning's own step advances
    ``global_step``, so this rule stays silent there (a step inside
    ``training_step`` is LTN103's finding).
    Only attributes whose every assigned value is certainly an optimizer are
    considered: an attribute also assigned ``self.optimizers()``, a parameter,
    or anything the project does not define stays silent. Code in mixins that
    are not LightningModules themselves is not checked.
    """

    needs = any_call("step")
    code = "LTN001"
    name = "raw-optimizer-step"
    impact = (
        "under manual optimization `trainer.global_step` stays 0 (or misses the raw steps):"
        " `ModelCheckpoint` never saves, `max_steps` never ends training, AMP and optimizer hooks"
        " are bypassed. No warning."
    )
    message = (
        "raw optimizer '{expr}' is stepped, so global_step stays 0 and no checkpoint "
        "is saved; use self.optimizers()"
    )

    uncounted_message = (
        "raw optimizer '{expr}' is stepped, so global_step does not count these steps and AMP "
        "unscaling and optimizer hooks are skipped; use self.optimizers()"
    )

    def visit_Call(self, node: nodes.Call) -> None:
        # Only a raw step: LightningOptimizer.zero_grad only calls the wrapped
        # optimizer's zero_grad, so a raw zero_grad() does the very same thing.
        found = method_call(node, ("step",))
        if found is None:
            return
        cls, method, func = found
        if method.name in EXCLUDED_METHODS or not self.ctx.facts.is_lightning_module(cls):
            return
        if self.ctx.facts.optimization_mode(cls) is not Mode.MANUAL:
            # global_step is counted by Lightning's own step under automatic
            # optimization; a step in training_step there is LTN103's finding.
            return
        optimizers = OptimizerFacts.of(self.ctx.facts, cls)
        held = optimizers.held(func.expr, method)
        if held.kind is Kind.RAW:
            fixable = self.ctx.facts.optimization_mode(cls) is Mode.MANUAL
            counted = bool(wrapper_steps(self.ctx.facts, cls))
            for source in held.sources:
                message = None
                if counted:
                    # Lightning's wrapper is stepped too, so global_step advances: an
                    # optimizer Lightning does not manage is the author's own business.
                    if not managed(source, method, optimizers):
                        continue
                    message = self.uncounted_message
                edits: tuple[Edit, ...] = ()
                if fixable:
                    edits = _edits(source, method, optimizers, self.ctx.source)
                    if edits:
                        edits += self._matching_zero_grads(source, method, optimizers)
                self.report(source, message, edits=edits, expr=_short(_shown(source)))

    def _matching_zero_grads(
        self, source: nodes.NodeNG, method: nodes.FunctionDef, optimizers: OptimizerFacts
    ) -> tuple[Edit, ...]:
        """The same rewrite for each ``zero_grad()`` in ``method`` on the same raw optimizer.

        Not a finding (the wrapper's ``zero_grad`` calls the raw one's), but the fix
        keeps one spelling for the optimizer: the same expression as the stepped
        one's source (``self.optimizer``), held raw, in the same method.
        """
        text = source.as_string()
        edits: list[Edit] = []
        for call in method.nodes_of_class(nodes.Call):
            found = method_call(call, ("zero_grad",))
            if found is None or found[1] is not method:
                continue
            held = optimizers.held(found[2].expr, method)
            if held.kind is not Kind.RAW:
                continue
            for other in held.sources:
                if other is not source and other.as_string() == text:
                    edits.extend(_edits(other, method, optimizers, self.ctx.source))
        return tuple(edits)


def _edits(
    source: nodes.NodeNG, method: nodes.FunctionDef, optimizers: OptimizerFacts, text: str
) -> tuple[Edit, ...]:
    """The certain rewrite of a raw-optimizer source into Lightning's wrapper, if any.

    Offered only under manual optimization: under automatic optimization the
    fix is not to step at all, which only the author can decide. Each edit
    replaces one whole expression; none is offered over a comment.
    """
    if has_comment(segment(text, source)):
        return ()
    me = self_name(method)
    if isinstance(source, nodes.Attribute) and is_self(source.expr, method):
        index = optimizers.optimizer_index(source.attrname)
        if index is None:
            return ()
        return (Edit.replace(source, f"{me}.optimizers()" + ("" if index == -1 else f"[{index}]")),)
    if isinstance(source, nodes.Attribute) and source.attrname == "optimizer":
        return (Edit.replace(source, segment(text, source.expr)),)  # <wrapper>.optimizer -> <wrapper>
    call = source.value if isinstance(source, nodes.Subscript) else source
    if isinstance(call, nodes.Call) and isinstance(call.func, nodes.Attribute) and call.func.attrname == "optimizers":
        return (Edit.replace(call, f"{me}.optimizers()"),)
    return ()


def _shown(source: nodes.NodeNG) -> str:
    """How the message names the optimizer: ``opt in self.trainer.optimizers`` for a loop's list."""
    text = source.as_string()
    loop = source.parent
    if isinstance(loop, (nodes.For, nodes.Comprehension)) and loop.iter is source:
        return f"{loop.target.as_string()} in {text}"
    return text


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
