"""LTN101: ``loss.backward()`` inside a LightningModule's training code."""

from __future__ import annotations

from flake8_lightning.registry import Rule, any_call, heavy_imports, register



@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, graph_holds_own_parameters, own_steps, returned_names, returns_none, training_step_def
    global TRAINING_TIME_HOOKS, Reach, Mode, is_self, method_call, External, ProjectModule
    from astroid import nodes

    from flake8_lightning.model.automatic import (
        graph_holds_own_parameters,
        own_steps,
        returned_names,
        returns_none,
        training_step_def,
    )
    from flake8_lightning.model.hooks import TRAINING_TIME_HOOKS, Reach
    from flake8_lightning.model.lightning import Mode, is_self, method_call
    from flake8_lightning.model.names import External, ProjectModule


#: Overrides of Lightning's own backward machinery may call ``Tensor.backward``.
OWN_BACKWARD = frozenset({"backward", "manual_backward"})


@register
class TensorBackward(Rule):
    """``<tensor>.backward()`` where Lightning expects ``self.manual_backward()``.

    ## What it does
    Flags ``loss.backward()`` (any ``<expr>.backward()`` that is not
    ``self.backward``) in a LightningModule's ``training_step`` and the methods
    it calls, except inside an overridden ``backward`` or ``manual_backward``.
    Under manual optimization the training-time hooks (``on_train_batch_*``,
    ``on_train_epoch_*``, ``optimizer_step``, ``on_before/after_backward``, ...)
    are checked too. A backward through a graph that holds none of the module's
    own parameters (a ``deepcopy`` of the network in a meta-learning inner loop,
    a detached copy) is harmless and not reported.

    ## Why is this bad?
    Under manual optimization, ``manual_backward`` is what re-arms DDP's
    gradient reducer (``strategies/ddp.py``, Lightning 2.x): with
    ``loss.backward()`` gradients are not synchronized across ranks and the
    replicas drift apart, silently. AMP loss scaling and the
    ``on_before_backward``/``on_after_backward`` hooks are skipped too.

    Under automatic optimization Lightning calls ``zero_grad`` after
    ``training_step`` returns and before its own backward
    (``loops/optimization/automatic.py``), so the message says which of these
    happens: ``loss.backward(); return loss`` fails at the first batch with
    "Trying to backward through the graph a second time"; any other backward's
    gradients are discarded (with ``retain_graph=True`` too); with
    ``training_step`` returning None the parameters never change, with only a
    warning. When ``training_step`` steps an optimizer of the module itself,
    the gradients are used: that is LTN103's finding.

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
            opt = self.optimizers()
            loss = self.layer(batch).pow(2).mean()
            opt.zero_grad()
            loss.backward()
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
            return torch.optim.Adam(self.parameters())

        def training_step(self, batch, batch_idx):
            opt = self.optimizers()
            loss = self.layer(batch).pow(2).mean()
            opt.zero_grad()
            self.manual_backward(loss)
            opt.step()
    ```

    ## Known limits
    Validation and test code is not checked (gradients there, e.g. for
    saliency maps, are legitimate). ``torch.autograd.backward(...)`` and
    calls on imported modules are not reported. Code in plain ``nn.Module``
    classes and mixins is not checked. Under automatic optimization only a
    loss certainly computed by the module itself (``self(...)``,
    ``self.net(...)``, ``self.shared_step(...)``) and by nothing that copies or
    detaches is reported, only in ``training_step`` and what it calls, and
    ``accumulate_grad_batches`` is not read (within a window the gradients of
    all but the first micro-batch are kept). A module whose optimization mode
    is unknown is not checked.
    """

    needs = any_call("backward")
    code = "LTN101"
    name = "tensor-backward"
    impact = (
        "under manual optimization DDP gradients are not synchronized (replicas drift apart),"
        " AMP scaling and backward hooks are skipped; under automatic optimization the gradients"
        " are discarded, or fit fails with a second backward through the graph."
    )
    message = (
        "'{receiver}.backward()' bypasses Lightning's DDP sync, AMP scaling and hooks; "
        "use self.manual_backward({expr})"
    )
    second_backward_message = (
        "'{receiver}.backward()', then Lightning's backward of the returned loss: "
        "'backward through the graph a second time' at batch 1; use return loss alone"
    )
    returns_none_message = (
        "'{receiver}.backward()' with training_step returning None: Lightning zeroes the "
        "gradients and the parameters never change; use a returned loss instead"
    )
    discarded_message = (
        "'{receiver}.backward()' in training_step: Lightning zeroes gradients before its "
        "own backward, so these are discarded; use the returned loss instead"
    )

    def visit_Call(self, node: nodes.Call) -> None:
        found = method_call(node, ("backward",))
        if found is None or is_self(found.func.expr, found.method):
            return
        cls, method, func = found
        facts = self.ctx.facts
        if method.name in OWN_BACKWARD or not facts.is_lightning_module(cls):
            return
        if isinstance(facts.resolver.resolve(func.expr), (External, ProjectModule)):
            return  # torch.autograd.backward(...) and the like
        reach = Reach.of(facts, cls)
        if method.name not in reach.from_(["training_step", *TRAINING_TIME_HOOKS]):
            return
        expr = func.expr.as_string()
        if len(expr) > 40:
            expr = "loss"
        simple = isinstance(func.expr, (nodes.Name, nodes.Attribute, nodes.Subscript, nodes.Call))
        receiver = expr if simple else f"({expr})"
        mode = facts.optimization_mode(cls)
        if mode is Mode.MANUAL:
            if graph_holds_own_parameters(facts, cls, method, func.expr) is not False:
                self.report(node, receiver=receiver, expr=expr)
        elif facts.certainly_automatic(cls):
            message = self._automatic_case(node, cls, method, func)
            if message is not None:
                self.report(node, message, receiver=receiver)

    def _automatic_case(
        self, node: nodes.Call, cls: nodes.ClassDef, method: nodes.FunctionDef, func: nodes.Attribute
    ) -> str | None:
        """What happens to this backward under automatic optimization; None when nothing goes wrong."""
        facts = self.ctx.facts
        if method.name not in Reach.of(facts, cls).training_step():
            return None  # hooks around Lightning's own backward and step: not certain
        if not graph_holds_own_parameters(facts, cls, method, func.expr):
            return None  # a copy's graph (meta-learning inner loop), or unknown
        if own_steps(facts, cls):
            return None  # the code steps its own optimizer: LTN103 says what happens
        step = training_step_def(facts, cls)
        if step is None:
            return None
        if returns_none(step):
            return self.returns_none_message
        retains = any(kw.arg == "retain_graph" for kw in node.keywords or [])
        returned = isinstance(func.expr, nodes.Name) and func.expr.name in returned_names(method)
        if method is not step and returned:
            return None  # a helper returning its loss: a second backward or not, unknown
        if (
            method is step
            and not retains
            and isinstance(func.expr, nodes.Name)
            and func.expr.name in returned_names(step)
        ):
            return self.second_backward_message
        return self.discarded_message
