"""LTN101: ``loss.backward()`` inside a LightningModule's training code."""

from __future__ import annotations

from flake8_lightning.registry import Rule, any_call, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, TRAINING_TIME_HOOKS, Reach, is_self, method_call, External, ProjectModule
    from astroid import nodes

    from flake8_lightning.model.hooks import TRAINING_TIME_HOOKS, Reach
    from flake8_lightning.model.lightning import is_self, method_call
    from flake8_lightning.model.names import External, ProjectModule


#: Overrides of Lightning's own backward machinery may call ``Tensor.backward``.
OWN_BACKWARD = frozenset({"backward", "manual_backward"})


@register
class TensorBackward(Rule):
    """``<tensor>.backward()`` where Lightning expects ``self.manual_backward()``.

    ## What it does
    Flags ``loss.backward()`` (any ``<expr>.backward()`` that is not
    ``self.backward``) in a LightningModule's ``training_step``, the methods it
    calls, and the training-time hooks (``on_train_batch_*``,
    ``on_train_epoch_*``, ``optimizer_step``, ``on_before/after_backward``, ...),
    except inside an overridden ``backward`` or ``manual_backward``.

    ## Why is this bad?
    Under manual optimization, ``manual_backward`` is what re-arms DDP's
    gradient reducer (``strategies/ddp.py``, Lightning 2.x): with
    ``loss.backward()`` gradients are not synchronized across ranks and the
    replicas drift apart, silently. AMP loss scaling and the
    ``on_before_backward``/``on_after_backward`` hooks are skipped too. Under
    automatic optimization Lightning calls backward itself, so the graph is
    backpropagated twice (a torch error at the first batch, or doubled
    gradients with ``retain_graph=True``).

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
    classes and mixins is not checked.
    """

    needs = any_call("backward")
    code = "LTN101"
    name = "tensor-backward"
    impact = (
        "under manual optimization DDP gradients are not synchronized (replicas drift apart),"
        " AMP scaling and backward hooks are skipped; under automatic optimization, a second "
        "backward."
    )
    message = (
        "'{receiver}.backward()' bypasses Lightning's DDP sync, AMP scaling and hooks; "
        "use self.manual_backward({expr})"
    )

    def visit_Call(self, node: nodes.Call) -> None:
        found = method_call(node, ("backward",))
        if found is None or is_self(found[2].expr, found[1]):
            return
        cls, method, func = found
        facts = self.ctx.facts
        if method.name in OWN_BACKWARD or not facts.is_lightning_module(cls):
            return
        if isinstance(facts.resolver.resolve(func.expr), (External, ProjectModule)):
            return  # torch.autograd.backward(...) and the like
        reach = Reach.of(facts, cls)
        if method.name in reach.from_(["training_step", *TRAINING_TIME_HOOKS]):
            expr = func.expr.as_string()
            if len(expr) > 40:
                expr = "loss"
            simple = isinstance(func.expr, (nodes.Name, nodes.Attribute, nodes.Subscript, nodes.Call))
            self.report(node, receiver=expr if simple else f"({expr})", expr=expr)
