"""LTN101: ``loss.backward()`` inside a LightningModule's training code."""

from __future__ import annotations

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
from flake8_lightning.registry import Rule, register
from flake8_lightning.rules.ltn002_manual_backward import certainly_automatic


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
    def training_step(self, batch, batch_idx):
        opt = self.optimizers()
        loss = self.compute_loss(batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
    ```

    ## Use instead
    ```python
        self.manual_backward(loss)
    ```

    ## Known limits
    Validation and test code is not checked (gradients there, e.g. for
    saliency maps, are legitimate). ``torch.autograd.backward(...)`` and
    calls on imported modules are not reported. Code in plain ``nn.Module``
    classes and mixins is not checked.
    """

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
        "'{receiver}.backward()' under automatic optimization: Lightning backpropagates the returned "
        "loss again, so fit fails at the first batch with 'Trying to backward through the graph a "
        "second time'; return the loss without calling backward"
    )
    returns_none_message = (
        "'{receiver}.backward()' under automatic optimization, and training_step returns None: "
        "Lightning zeroes these gradients and steps nothing, so the parameters never change "
        "(a warning only); return the loss instead of calling backward"
    )
    discarded_message = (
        "'{receiver}.backward()' under automatic optimization: Lightning zeroes the gradients after "
        "training_step returns and before its own backward, so these gradients are discarded; "
        "add this loss to the returned loss instead"
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
        elif certainly_automatic(facts, cls):
            message = self._automatic_message(node, cls, method, func)
            if message is not None:
                self.report(node, message, receiver=receiver)

    def _automatic_message(
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
        if (
            method is step
            and not retains
            and isinstance(func.expr, nodes.Name)
            and func.expr.name in returned_names(step)
        ):
            return self.second_backward_message
        return self.discarded_message
