"""LTN107: ``training_step`` returns no loss under automatic optimization."""

from __future__ import annotations

from flake8_lightning.registry import Rule, any_of, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, returns_none, training_step_def, TRAINING_TIME_HOOKS, Reach, methods, returns, walk
    global OptimizerFacts, bindings
    from astroid import nodes

    from flake8_lightning.model.automatic import returns_none, training_step_def
    from flake8_lightning.model.hooks import TRAINING_TIME_HOOKS, Reach
    from flake8_lightning.model.lightning import methods, returns, walk
    from flake8_lightning.model.names import bindings
    from flake8_lightning.model.optimizers import OptimizerFacts


#: Calls whose result is a Python number or list, never a tensor.
TO_PYTHON = frozenset({"item", "tolist"})
#: Calls in the training code that mean gradients are used some other way than through the
#: returned loss (LTN101 and LTN103 say what happens to a backward or a step).
OWN_TRAINING_CALLS = frozenset({"backward", "manual_backward", "step", "grad"})
#: Decorators that leave a method as it is.
TRANSPARENT_DECORATORS = frozenset({"override", "overrides"})


@register
class TrainingStepReturnsNoLoss(Rule):
    """``training_step`` returns no loss under automatic optimization.

    ## What it does
    In a LightningModule that certainly uses automatic optimization (with its
    project subclasses), flags the ``training_step`` that runs when it

    - returns nothing on every path (no ``return``, or only ``return None``):
      reported at its ``def`` line;
    - returns a Python number (``return loss.item()``, ``float(loss)``), a
      tuple or list (``return loss, logits``), or a dict without a ``"loss"``
      key (a literal, ``dict(...)``, or a local dict built key by key):
      reported at that ``return``.

    ## Why is this bad?
    Under automatic optimization Lightning backpropagates and steps on what
    ``training_step`` returns (``loops/optimization/automatic.py``,
    ``ClosureResult.from_training_step_output``). ``None`` skips the backward
    and the optimizer step for the batch: when it is returned on every batch
    the parameters never change, yet the run goes to the end, ``global_step``
    advances and checkpoints are saved, with only a ``UserWarning``
    ("`training_step` returned `None`"). A number, a tuple or a dict without
    ``"loss"`` raises ``MisconfigurationException`` at the first batch ("when
    `training_step` returns a dict, the 'loss' key needs to be present",
    "`training_step` must return a Tensor, a dict, or None"). The same holds
    in Lightning 1.x, where ``training_step_end`` could still turn the output
    into a loss.

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
            self.log("train_loss", loss)
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
            loss = self.layer(batch).pow(2).mean()
            self.log("train_loss", loss)
            return loss
    ```

    ## Known limits
    Silent under manual optimization or when the mode is unknown; when some
    path returns a value (a ``return None`` that skips a batch is an idiom);
    when the value comes from a call (``return self.shared_step(batch)``);
    for stubs whose body only passes or raises (``NotImplementedError``), and
    decorated ``training_step`` methods; when a project subclass overrides
    ``training_step``, or ``training_step_end`` is defined (1.x); when
    ``configure_optimizers`` is not certainly the project's or returns
    nothing (no optimizer: nothing to train); and when the training code
    calls ``backward``, ``manual_backward``, ``step`` or ``autograd.grad``
    (LTN101 and LTN103 say what happens then). Only ``training_step`` defined
    in a LightningModule itself is checked, not in a mixin.
    """

    needs = any_of("training_step")
    code = "LTN107"
    name = "training-step-returns-no-loss"
    impact = (
        "returning None on every batch trains nothing (a warning only: the run ends, checkpoints are "
        "saved); a number, tuple or dict without 'loss' raises at the first batch."
    )
    message = (
        "training_step returns no loss under automatic optimization: Lightning skips backward and "
        "step on every batch, the parameters never change; use return loss"
    )
    number_message = (
        "training_step returns '{expr}', a Python number, under automatic optimization: fit raises "
        "at the first batch; use return <the loss tensor>"
    )
    sequence_message = (
        "training_step returns a {kind} under automatic optimization: fit raises at the first batch; "
        "use return loss, or a dict with a 'loss' key"
    )
    dict_message = (
        "training_step returns a dict without a 'loss' key under automatic optimization: fit raises "
        "at the first batch; use 'loss': <the loss tensor>"
    )

    def visit_FunctionDef(self, node: nodes.FunctionDef) -> None:
        cls = node.parent
        if node.name != "training_step" or not isinstance(cls, nodes.ClassDef):
            return
        if _stub(node) or any(not _transparent(d) for d in (node.decorators.nodes if node.decorators else [])):
            return
        # What the method itself returns first: the class questions below may
        # build the modules of its bases and scan the project for subclasses.
        none = returns_none(node)
        bad = [] if none else [(ret, found) for ret in returns(node) if (found := self._bad_return(node, ret.value))]
        if not none and not bad:
            return
        facts = self.ctx.facts
        if not facts.is_lightning_module(cls) or training_step_def(facts, cls) is not node:
            return
        if not facts.certainly_automatic(cls):
            return
        if any(facts.defines_member(sub, "training_step") for sub in facts.subclasses(cls)):
            return  # a base whose subclasses train their own way
        if any("training_step_end" in klass.locals for klass in (*facts.hierarchy(cls).classes, *facts.subclasses(cls))):
            return  # 1.x: training_step_end's output is the loss (in 2.x it is never called: LTN106)
        configure = OptimizerFacts.of(facts, cls).running_configure_optimizers()
        if configure is None or returns_none(configure):
            return  # no optimizer (a memory bank, a nearest-neighbour model): nothing to train
        if none:
            if not _trains_otherwise(facts, cls):
                self.report(node)
            return
        for ret, (message, fields) in bad:
            self.report(ret, message, **fields)

    def _bad_return(self, method: nodes.FunctionDef, value: nodes.NodeNG) -> tuple[str, dict] | None:
        expr = value.as_string()
        resolved = _local_value(method, value)
        if resolved is None:
            return None
        if isinstance(resolved, nodes.Call):
            func = resolved.func
            if isinstance(func, nodes.Attribute) and func.attrname in TO_PYTHON and not resolved.args:
                return self.number_message, {"expr": expr if len(expr) <= 40 else "a number"}
            if isinstance(func, nodes.Name) and func.name in ("float", "int") and _builtin(func):
                return self.number_message, {"expr": expr if len(expr) <= 40 else "a number"}
            if isinstance(func, nodes.Name) and func.name == "dict" and _builtin(func):
                keys = _dict_call_keys(resolved)
                if keys is not None and "loss" not in keys:
                    return self.dict_message, {}
            return None
        if isinstance(resolved, nodes.Const) and type(resolved.value) in (int, float):
            return self.number_message, {"expr": expr if len(expr) <= 40 else "a number"}
        if isinstance(resolved, (nodes.Tuple, nodes.List)):
            return self.sequence_message, {"kind": "tuple" if isinstance(resolved, nodes.Tuple) else "list"}
        if isinstance(resolved, nodes.Dict):
            keys = _dict_keys(method, value, resolved)
            if keys is not None and "loss" not in keys:
                return self.dict_message, {}
        return None


def _stub(method: nodes.FunctionDef) -> bool:
    """A body that only passes, holds ``...`` or a docstring, or raises at its top level."""
    body = [s for s in method.body if not (isinstance(s, nodes.Expr) and isinstance(s.value, nodes.Const))]
    return not body or any(isinstance(s, nodes.Raise) for s in body) or all(isinstance(s, nodes.Pass) for s in body)


def _transparent(decorator: nodes.NodeNG) -> bool:
    name = decorator.attrname if isinstance(decorator, nodes.Attribute) else getattr(decorator, "name", "")
    return name in TRANSPARENT_DECORATORS


def _builtin(name: nodes.Name) -> bool:
    return not bindings(name, name.name)


def _trains_otherwise(facts, cls: nodes.ClassDef) -> bool:  # noqa: ANN001
    """Some backward, step or autograd call in the training code: the gradients go another way."""
    reach = Reach.of(facts, cls).from_(["training_step", *TRAINING_TIME_HOOKS])
    for klass in facts.hierarchy(cls).classes:
        for method in methods(klass):
            if method.name not in reach:
                continue
            for node in walk(method):
                if isinstance(node, nodes.Call):
                    func = node.func
                    name = func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", "")
                    if name in OWN_TRAINING_CALLS:
                        return True
    return False


def _single_binding(method: nodes.FunctionDef, name: nodes.Name) -> nodes.NodeNG | None:
    """The value of a local name assigned exactly once in ``method`` (``x = <value>``)."""
    found = bindings(name, name.name)
    if len(found) != 1 or not isinstance(found[0], nodes.AssignName) or found[0].scope() is not method:
        return None
    parent = found[0].parent
    if isinstance(parent, (nodes.Assign, nodes.AnnAssign)) and parent.value is not None:
        targets = parent.targets if isinstance(parent, nodes.Assign) else [parent.target]
        if targets == [found[0]]:
            return parent.value
    return None


def _local_value(method: nodes.FunctionDef, value: nodes.NodeNG) -> nodes.NodeNG | None:
    """``value``, or what a local name assigned once holds."""
    if isinstance(value, nodes.Name):
        return _single_binding(method, value)
    return value


def _dict_call_keys(call: nodes.Call) -> set[str] | None:
    """The keys of ``dict(a=..., b=...)``; None when not all are known."""
    if call.args or any(kw.arg is None for kw in call.keywords or []):
        return None
    return {kw.arg for kw in call.keywords or []}


def _dict_keys(method: nodes.FunctionDef, returned: nodes.NodeNG, literal: nodes.Dict) -> set[str] | None:
    """The keys of a dict literal, plus ``name[<key>] = ...`` when a local name holds it;
    None when a key is not a constant or the name is used any other way."""
    keys = set()
    for key, _ in literal.items:
        if not (isinstance(key, nodes.Const) and isinstance(key.value, str)):
            return None  # ** unpacking, or a computed key
        keys.add(key.value)
    if not isinstance(returned, nodes.Name):
        return keys
    for node in walk(method):
        if not isinstance(node, nodes.Name) or node.name != returned.name or node is returned:
            continue
        parent = node.parent
        if isinstance(parent, nodes.Subscript) and parent.value is node:
            if isinstance(parent.parent, nodes.Assign) and parent in parent.parent.targets:
                if not (isinstance(parent.slice, nodes.Const) and isinstance(parent.slice.value, str)):
                    return None
                keys.add(parent.slice.value)
            elif isinstance(parent.parent, nodes.Delete):
                return None
            continue  # a read
        if isinstance(parent, nodes.Return):
            continue
        return None  # passed somewhere, updated, rebound: not certain
    return keys
