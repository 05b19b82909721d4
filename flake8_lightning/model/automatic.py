"""What a ``training_step`` does to gradients under automatic optimization.

Lightning 2.x runs, per batch (``loops/optimization/automatic.py``, the
closure): ``training_step`` -> ``zero_grad`` -> its own backward of the
returned loss -> ``optimizer.step``. A returned ``None`` skips the backward and
(the gradients being zeroed) leaves the parameters unchanged. So in
``training_step`` under automatic optimization:

* a ``loss.backward()`` is discarded by the ``zero_grad`` unless the code steps
  an optimizer of its own first; ``loss.backward(); return loss`` fails with
  "Trying to backward through the graph a second time";
* a backward through a graph that holds none of the module's own parameters
  (a deepcopy in a meta-learning inner loop, a detached copy) is harmless;
* stepping an optimizer and returning ``None`` is manual optimization without
  saying so.

The helpers here answer those questions, and answer "no" when unsure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from astroid import nodes

from flake8_lightning.model.hooks import Reach
from flake8_lightning.model.lightning import UNKNOWN, Facts, assigned_value, is_self, returns, walk
from flake8_lightning.model.names import bindings
from flake8_lightning.model.optimizers import (
    COPY_CALLS,
    Kind,
    OptimizerFacts,
    certainly_torch_optimizer,
    returned_config,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Calls whose result holds no graph back to the parameters, or a copy of them.
CUTS_GRAPH = COPY_CALLS | {"detach", "detach_", "no_grad"}
#: Bound on the number of expressions followed through local assignments.
MAX_NODES = 400


def training_step_def(facts: Facts, cls: nodes.ClassDef) -> nodes.FunctionDef | None:
    """The ``training_step`` that runs for ``cls`` (the first one of its hierarchy)."""
    for klass in facts.hierarchy(cls).classes:
        found = klass.locals.get("training_step")
        if found:
            last = found[-1]  # the last definition wins
            return last if isinstance(last, nodes.FunctionDef) and last.parent is klass else None
    return None


def returns_none(function: nodes.FunctionDef) -> bool:
    """True when ``function`` certainly returns None: no ``return <value>`` but ``return None``, no yield."""
    for node in walk(function):
        if node is not function and isinstance(node, (nodes.FunctionDef, nodes.Lambda)):
            continue
        if isinstance(node, (nodes.Yield, nodes.YieldFrom)) and node.scope() is function:
            return False
        if isinstance(node, nodes.Return) and node.scope() is function and node.value is not None:
            if not (isinstance(node.value, nodes.Const) and node.value.value is None):
                return False
    return True


def returned_names(function: nodes.FunctionDef) -> set[str]:
    """Local names that ``function`` returns as they are (``return loss``)."""
    return {
        node.value.name
        for node in walk(function)
        if isinstance(node, nodes.Return) and node.scope() is function and isinstance(node.value, nodes.Name)
    }


def own_steps(facts: Facts, cls: nodes.ClassDef, kinds: tuple[Kind, ...] = (Kind.WRAPPER, Kind.RAW)) -> list[nodes.Call]:
    """``.step()`` calls in ``training_step`` (and what it calls) on an optimizer of the module:
    Lightning's wrapper, or a raw optimizer Lightning manages or that optimizes the module's own
    parameters. Optimizers over copies (meta-learning inner loops) are not the module's."""
    return facts.project.cached(("own_steps", cls, kinds), lambda: _steps(facts, cls, kinds))


def wrapper_steps(facts: Facts, cls: nodes.ClassDef) -> list[nodes.Call]:
    """Steps of Lightning's wrapper inside ``training_step``: what manual optimization counts
    in ``global_step``."""
    return own_steps(facts, cls, (Kind.WRAPPER,))


def _steps(facts: Facts, cls: nodes.ClassDef, kinds: tuple[Kind, ...]) -> list[nodes.Call]:
    optimizers = OptimizerFacts.of(facts, cls)
    reach = Reach.of(facts, cls).training_step()
    found: list[nodes.Call] = []
    for klass in facts.hierarchy(cls).classes:
        for method in klass.body:
            if not isinstance(method, nodes.FunctionDef) or method.name not in reach:
                continue
            for node in walk(method):
                if (
                    isinstance(node, nodes.Call)
                    and isinstance(node.func, nodes.Attribute)
                    and node.func.attrname == "step"
                    and optimizers.held(node.func.expr, method).kind in kinds
                ):
                    found.append(node)
    return found


def managed(source: nodes.NodeNG, method: nodes.FunctionDef, optimizers: OptimizerFacts) -> bool:
    """The raw optimizer obtained at ``source`` is one of Lightning's (it steps it itself under
    automatic optimization), not one the module built for itself."""
    if isinstance(source, nodes.Subscript):
        source = source.value
    if isinstance(source, nodes.Attribute) and is_self(source.expr, method):
        return source.attrname in optimizers.returned_attributes()
    return isinstance(source, nodes.Attribute) or (
        isinstance(source, nodes.Call)
        and isinstance(source.func, nodes.Attribute)
        and source.func.attrname == "optimizers"
    )


def graph_holds_own_parameters(
    facts: Facts, cls: nodes.ClassDef, method: nodes.FunctionDef, expr: nodes.NodeNG
) -> bool | None:
    """Whether the graph behind ``expr`` (read in ``method``) holds the module's own parameters.

    True when, following local assignments, it is computed by a call of the
    module itself (``self(...)``, ``self.net(...)``, ``self.compute_loss(...)``)
    and by nothing that cuts or copies the graph; False when something copies or
    detaches it (``deepcopy``, ``clone()``, ``.detach()``) or when a local callable
    (a copy of the network, a parameter) computes it; None when nothing says.
    """
    own = False
    for node in _dependencies(expr, method):
        if not isinstance(node, nodes.Call):
            continue
        func = node.func
        name = func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", "")
        if name in CUTS_GRAPH:
            return False
        root = func
        while isinstance(root, nodes.Attribute):
            root = root.expr
        if is_self(root, method):
            if isinstance(func, nodes.Attribute) and _copied_attribute(facts, cls, _first_attribute(func, method)):
                return False
            own = True
        elif isinstance(func, nodes.Name) and _is_local_or_parameter(func):
            if not _alias_of_self(func, method):
                return False  # fast(x), learner(x), model(x): a callable of this method, not the module
            own = True
    return True if own else None


def _first_attribute(func: nodes.Attribute, method: nodes.FunctionDef) -> str:
    """``net`` for ``self.net.encoder``."""
    current = func
    while isinstance(current.expr, nodes.Attribute):
        current = current.expr
    return current.attrname


def _copied_attribute(facts: Facts, cls: nodes.ClassDef, attr: str) -> bool:
    """``self.<attr>`` is assigned a copy somewhere (``self.fast = deepcopy(self.net)``)."""
    for value in facts.attribute_values(cls, attr):
        if isinstance(value, nodes.Call):
            func = value.func
            name = func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", "")
            if name in COPY_CALLS:
                return True
    return False


def _is_local_or_parameter(name: nodes.Name) -> bool:
    found = bindings(name, name.name)
    return bool(found) and all(
        isinstance(b, nodes.AssignName) and b.scope() is name.scope() for b in found
    )


def _alias_of_self(name: nodes.Name, method: nodes.FunctionDef) -> bool:
    """A local name bound only to ``self`` or ``self.<attr>`` (``model = self.model``)."""
    for binding in bindings(name, name.name):
        value = assigned_value(binding) if isinstance(binding, nodes.AssignName) else UNKNOWN
        if not isinstance(value, (nodes.Name, nodes.Attribute)):
            return False
        root = value
        while isinstance(root, nodes.Attribute):
            root = root.expr
        if not is_self(root, method):
            return False
    return True


def _dependencies(expr: nodes.NodeNG, method: nodes.FunctionDef) -> Iterator[nodes.NodeNG]:
    """Every node of ``expr`` and, transitively, of the values assigned to the local names it reads."""
    seen_names: set[str] = set()
    stack = [expr]
    count = 0
    while stack and count < MAX_NODES:
        current = stack.pop()
        count += 1
        yield current
        if isinstance(current, nodes.Name) and current.name not in seen_names:
            seen_names.add(current.name)
            for binding in bindings(current, current.name):
                if not isinstance(binding, nodes.AssignName) or binding.scope() is not method:
                    continue
                value = assigned_value(binding)
                parent = binding.parent
                if value is UNKNOWN:
                    if isinstance(parent, (nodes.Tuple, nodes.List)) and isinstance(parent.parent, nodes.Assign):
                        value = parent.parent.value
                    elif isinstance(parent, nodes.For):
                        value = parent.iter
                    elif isinstance(parent, nodes.AugAssign):
                        value = parent.value
                    else:
                        continue
                if value is not None:
                    stack.append(value)
        if not isinstance(current, (nodes.Lambda, nodes.FunctionDef)):
            stack.extend(current.get_children())


# -- several optimizers (LTN203; LTN103 leaves what LTN203 reports) ------------------------------


def has_optimizer_idx(method: nodes.FunctionDef) -> bool:
    """An explicit ``optimizer_idx`` parameter (Lightning's ``explicit=True``: not ``**kwargs``)."""
    args = method.args
    return any(a.name == "optimizer_idx" for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))


def runs_everywhere(facts: Facts, cls: nodes.ClassDef, method: nodes.FunctionDef) -> bool:
    """``method`` is the ``training_step`` that runs for ``cls`` and every project subclass."""
    return all(training_step_def(facts, klass) is method for klass in (cls, *facts.subclasses(cls)))


def several_optimizer_returns(
    facts: Facts, cls: nodes.ClassDef, method: nodes.FunctionDef
) -> list[tuple[nodes.Return, int]]:
    """The returns of ``method`` (``cls``'s ``configure_optimizers``) that hand Lightning several
    optimizers while ``cls`` certainly runs under automatic optimization, with how many; empty when
    a ``training_step`` with ``optimizer_idx`` is where the finding goes, or when anything is unsure."""
    found = []
    for ret in returns(method):
        config = returned_config(ret.value)
        if config is None or len(config.optimizers) < 2:
            continue
        if all(certainly_torch_optimizer(facts, cls, opt, method) for opt in config.optimizers):
            found.append((ret, len(config.optimizers)))
    if not found:  # the method's own returns first: the questions below may scan the whole project
        return []
    if not facts.certainly_automatic(cls):
        return []
    classes = (cls, *facts.subclasses(cls))
    if any(OptimizerFacts.of(facts, klass).running_configure_optimizers() is not method for klass in classes):
        return []
    if any(has_optimizer_idx(step) for step in (training_step_def(facts, k) for k in classes) if step is not None):
        return []  # reported at the training_step's def
    return found


def several_optimizers_certain(facts: Facts, cls: nodes.ClassDef) -> bool:
    """``cls`` certainly hands Lightning several optimizers under automatic optimization, or has an
    ``optimizer_idx`` in the ``training_step`` that runs everywhere (LTN203 reports it; LTN103 leaves it)."""
    step = training_step_def(facts, cls)
    if step is not None and has_optimizer_idx(step) and facts.is_lightning_module(step.parent):
        return runs_everywhere(facts, step.parent, step)
    method = OptimizerFacts.of(facts, cls).running_configure_optimizers()
    owner = method.parent if method is not None else None
    return (
        isinstance(owner, nodes.ClassDef)
        and facts.is_lightning_module(owner)
        and bool(several_optimizer_returns(facts, owner, method))
    )
