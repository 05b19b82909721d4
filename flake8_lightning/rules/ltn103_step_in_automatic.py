"""LTN103: stepping an optimizer yourself under automatic optimization."""

from __future__ import annotations

from flake8_lightning.registry import Rule, any_call, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, managed, returns_none, training_step_def, Reach, method_call
    global Kind, OptimizerFacts, target_major, several_optimizers_certain
    from astroid import nodes

    from flake8_lightning.model.automatic import managed, returns_none, several_optimizers_certain, training_step_def
    from flake8_lightning.model.hooks import Reach
    from flake8_lightning.model.lightning import method_call
    from flake8_lightning.model.optimizers import Kind, OptimizerFacts
    from flake8_lightning.model.version import target_major


@register
class StepInAutomatic(Rule):
    """``opt.step()`` in ``training_step`` under automatic optimization.

    ## What it does
    In a LightningModule that certainly uses automatic optimization (nothing
    in its hierarchy or project subclasses sets ``automatic_optimization`` to
    False), flags ``step()`` inside ``training_step`` or a method it calls on
    an optimizer of the module: ``self.optimizers()``, a raw optimizer that
    Lightning manages, or, when ``training_step`` returns None, one that
    optimizes the module's own parameters. A ``zero_grad()`` there is merely
    redundant and is not reported.

    ## Why is this bad?
    The message says which of these happens (Lightning 2.x):

    - ``training_step`` returns a loss: Lightning zeroes the gradients,
      backpropagates and steps again, so the parameters are updated twice a
      batch. Nothing warns.
    - ``training_step`` returns None: this is manual optimization without
      saying so. Lightning skips its own backward and step, so on one device in
      32-bit it seems to work; under DDP Lightning raises "Skipping the
      `training_step` by returning None in distributed training is not
      supported" at the first batch, and under ``16-mixed`` the GradScaler
      skips every step taken through ``self.optimizers()``, silently (the
      parameters never change).
    - ``configure_optimizers`` returns several optimizers: fit raises
      "Training with multiple optimizers is only supported with manual
      optimization" at start.

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
    ``self.manual_backward``. ``self.manual_backward`` raises while automatic
    optimization is on.

    ## Known limits
    Optimizers over copies of the network (meta-learning inner loops) are
    correct and not reported; so is any optimizer whose parameters are not
    certainly the module's own, and an extra optimizer the module built for
    itself (an online linear probe) while ``training_step`` returns a loss. Under manual optimization raw optimizers are
    LTN001's.
    """

    needs = any_call("step")
    code = "LTN103"
    name = "step-in-automatic-optimization"
    impact = (
        "the parameters are updated twice a batch; with `training_step` returning None, manual "
        "optimization without saying so: DDP raises, `16-mixed` silently never steps."
    )
    message = (
        "'{expr}' stepped under automatic optimization: Lightning steps again after its "
        "own backward, two updates a batch; set self.automatic_optimization = False"
    )
    wrapper_none_message = (
        "'{expr}' stepped, None returned: manual optimization unsaid, DDP raises and "
        "16-mixed never steps; set self.automatic_optimization = False"
    )
    several_message = (
        "'{expr}' stepped with several optimizers under automatic optimization, so fit "
        "raises at start; set self.automatic_optimization = False"
    )
    raw_none_message = (
        "'{expr}' stepped, None returned: manual optimization unsaid, so under DDP "
        "Lightning raises; set self.automatic_optimization = False"
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
        optimizers = OptimizerFacts.of(facts, cls)
        held = optimizers.held(func.expr, method)
        kind = held.kind
        if kind not in (Kind.WRAPPER, Kind.RAW):
            return  # raw optimizers over copies (meta-learning inner loops) are correct
        if facts.calls_method(cls, "manual_backward"):
            return  # manual_backward under automatic optimization is LTN002's finding
        if not facts.certainly_automatic(cls):
            return
        step = training_step_def(facts, cls)
        none = step is not None and returns_none(step)
        if kind is Kind.RAW and not none and not all(managed(s, method, optimizers) for s in held.sources):
            # An optimizer the module built for itself (an online linear probe on detached
            # features): Lightning does not step it, so it is not stepped twice.
            return
        message = None
        major = target_major(self.ctx.project, self.ctx.module, self.ctx.config.lightning_version)
        if isinstance(major, int) and major >= 2 and several_optimizers_certain(facts, cls):
            return  # fit raises at start, before any step: LTN203 reports it where it is
        if optimizers.returns_several():
            # Lightning 1.x ran training_step once per optimizer: what happens there is not claimed.
            if not (isinstance(major, int) and major >= 2):
                return
            message = self.several_message
        elif none:
            message = self.wrapper_none_message if kind is Kind.WRAPPER else self.raw_none_message
        expr = func.expr.as_string()
        self.report(node, message, expr=expr if len(expr) <= 40 else "optimizer")

