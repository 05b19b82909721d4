"""Which expressions in a LightningModule hold a raw optimizer, and which a wrapper.

``self.optimizers()`` returns LightningOptimizer wrappers: stepping them is what
Lightning counts in ``trainer.global_step``. A *raw* optimizer is the
``torch.optim`` object underneath. Raw ones are reached through

* ``self.<attr>`` where every non-None value the hierarchy assigns to the
  attribute is such an optimizer, or an object that ``configure_optimizers``
  returns in optimizer position;
* a ``torch.optim`` constructor over the module's own parameters
  (``self.parameters()``, ``self.<submodule>.parameters()`` for a submodule
  set in ``__init__`` that is not a copy);
* ``self.trainer.optimizers`` (and its items);
* ``self.optimizers(use_pl_optimizer=False)`` (and its items);
* ``<wrapper>.optimizer``;
* local names bound only to one of these.

A ``torch.optim`` constructor over anything else (a ``deepcopy`` of the
network in a meta-learning inner loop, a functional copy, a hypernetwork's
output, a local list) is ``LOCAL``: an optimizer, but not the module's, and
stepping it is correct. Anything else is ``UNKNOWN``, and the rules stay
silent on it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from astroid import nodes

from flake8_lightning.model.budget import Memo
from flake8_lightning.model.lightning import (
    UNKNOWN,
    Facts,
    Mode,
    argument,
    assigned_value,
    enclosing_method,
    is_self,
    is_torch_optimizer,
    methods,
    returns,
    walk,
)
from flake8_lightning.model.names import bindings

if TYPE_CHECKING:
    from collections.abc import Iterator


#: Methods that run before Lightning wraps the optimizers.
BEFORE_WRAPPERS = frozenset({"__init__", "configure_optimizers"})
#: Hooks Lightning never calls under manual optimization: a step there steps nothing.
NEVER_CALLED_UNDER_MANUAL = frozenset({"lr_scheduler_step"})


class Kind(enum.Enum):
    """What an expression holds."""

    RAW = "raw"
    WRAPPER = "wrapper"
    NONE = "none"
    LOCAL = "local"  # an optimizer over parameters that are not certainly the module's own
    UNKNOWN = UNKNOWN  # the model's unknown (model/unknown.py): the rules stay silent


@dataclass(frozen=True)
class Held:
    """What an expression holds, and for raw optimizers where each was obtained."""

    kind: Kind
    sources: tuple[nodes.NodeNG, ...] = ()


_UNKNOWN_HELD = Held(Kind.UNKNOWN)


def _merge(values: list[Held]) -> Held:
    kinds = {v.kind for v in values if v.kind is not Kind.NONE}
    if len(kinds) != 1:
        return _UNKNOWN_HELD
    kind = kinds.pop()
    sources = tuple(dict.fromkeys(s for v in values for s in v.sources))
    return Held(kind, sources)


def optimizer_positions(value: nodes.NodeNG) -> Iterator[nodes.NodeNG]:
    """The expressions a ``configure_optimizers`` return value hands over as optimizers."""
    if isinstance(value, nodes.Dict):
        for key, item in value.items:
            if isinstance(key, nodes.Const) and key.value == "optimizer":
                yield from optimizer_positions(item)
    elif isinstance(value, (nodes.Tuple, nodes.List)):
        elts = value.elts
        if len(elts) == 2 and all(isinstance(e, (nodes.List, nodes.Tuple)) for e in elts):
            yield from optimizer_positions(elts[0])  # ([optimizers], [schedulers])
        else:
            for elt in elts:
                yield from optimizer_positions(elt)
    else:
        yield value


def scheduler_positions(value: nodes.NodeNG) -> Iterator[nodes.NodeNG]:
    """The expressions a ``configure_optimizers`` return value hands over as schedulers."""
    if isinstance(value, nodes.Dict):
        for key, item in value.items:
            if isinstance(key, nodes.Const) and key.value == "lr_scheduler":
                yield item
    elif isinstance(value, (nodes.Tuple, nodes.List)):
        elts = value.elts
        if len(elts) == 2 and all(isinstance(e, (nodes.List, nodes.Tuple)) for e in elts):
            yield from elts[1].elts
        else:
            for elt in elts:
                if isinstance(elt, nodes.Dict):
                    yield from scheduler_positions(elt)


def returned_schedulers(method: nodes.FunctionDef) -> list[nodes.NodeNG]:
    """The schedulers one ``configure_optimizers`` definition returns, in order."""
    return [position for ret in returns(method) for position in scheduler_positions(ret.value)]


#: The qualified-name suffix of the one scheduler Lightning reads ``"monitor"`` for.
PLATEAU = ".ReduceLROnPlateau"


def is_reduce_on_plateau(facts: Facts, expr: nodes.NodeNG, method: nodes.FunctionDef, depth: int = 0) -> bool:
    """``expr``, read in ``method``, certainly is a ``ReduceLROnPlateau`` (or a project subclass of it)."""
    if depth > 6:
        return False
    if isinstance(expr, nodes.Call):
        target = facts.resolver.resolve(expr.func)
        if isinstance(target, nodes.ClassDef):
            return any(q.endswith(PLATEAU) for q in facts.hierarchy(target).externals)
        qualname = getattr(target, "qualname", None) or ""
        return qualname.startswith("torch.optim.") and qualname.endswith(PLATEAU)
    if isinstance(expr, nodes.Name):
        found = bindings(expr, expr.name)
        return bool(found) and all(
            isinstance(b, nodes.AssignName)
            and b.scope() is expr.scope()
            and isinstance(b.parent, nodes.Assign)
            and b in b.parent.targets
            and is_reduce_on_plateau(facts, b.parent.value, method, depth + 1)
            for b in found
        )
    if isinstance(expr, nodes.Attribute) and is_self(expr.expr, method):
        values = facts.attribute_values(method.parent, expr.attrname)
        return bool(values) and all(
            v is not UNKNOWN
            and (isinstance(v, nodes.Const) and v.value is None or is_reduce_on_plateau(facts, v, method, depth + 1))
            for v in values
        ) and any(not isinstance(v, nodes.Const) for v in values)
    return False


@dataclass(frozen=True)
class SchedulerMonitor:
    """A ``"monitor"`` that Lightning reads from a dict ``configure_optimizers`` builds."""

    cls: nodes.ClassDef  # the LightningModule whose configure_optimizers builds it
    monitor: nodes.NodeNG


def scheduler_monitor(facts: Facts, config: nodes.Dict) -> SchedulerMonitor | None:
    """The monitor of ``config`` when Lightning reads it, else None.

    ``config`` is a scheduler config (``{"scheduler": ..., "monitor": ...}``) or
    an optimizer config (``{"optimizer": ..., "lr_scheduler": <scheduler>,
    "monitor": ...}``) in the ``configure_optimizers`` of a LightningModule
    that is certainly automatic (under manual optimization Lightning ignores
    scheduler monitors, a warning only), and its scheduler is certainly a
    ``ReduceLROnPlateau`` (or ``"reduce_on_plateau": True``): for any other
    scheduler Lightning ignores the key without a warning.
    """
    keys = {k.value: v for k, v in config.items if isinstance(k, nodes.Const) and isinstance(k.value, str)}
    if "monitor" not in keys or not ({"scheduler", "lr_scheduler"} & keys.keys()):
        return None
    owner = enclosing_method(config)
    if owner is None or owner.method.name != "configure_optimizers":
        return None
    cls, method = owner
    if not facts.is_lightning_module(cls) or facts.optimization_mode(cls) is not Mode.AUTOMATIC:
        return None
    if "scheduler" in keys:  # a scheduler config: {"scheduler": ..., "monitor": ...}
        flag = keys.get("reduce_on_plateau")
        if flag is not None:
            plateau = isinstance(flag, nodes.Const) and flag.value is True
        else:
            plateau = is_reduce_on_plateau(facts, keys["scheduler"], method)
    else:  # {"optimizer": ..., "lr_scheduler": <scheduler, not a config>, "monitor": ...}
        plateau = is_reduce_on_plateau(facts, keys["lr_scheduler"], method)
    return SchedulerMonitor(cls, keys["monitor"]) if plateau else None


class OptimizerFacts:
    """Optimizer facts for one LightningModule class (cached per class and process)."""

    def __init__(self, facts: Facts, cls: nodes.ClassDef) -> None:
        self.facts = facts
        self.cls = cls
        # Each expression and each attribute is answered once, within the project's budget.
        self._held: Memo[Held] = Memo(facts.budget, _UNKNOWN_HELD)
        self._attrs: Memo[Held] = Memo(facts.budget, _UNKNOWN_HELD)
        self._own: Memo[bool] = Memo(facts.budget, False)
        self._returned: set[str] | None = None

    @classmethod
    def of(cls, facts: Facts, klass: nodes.ClassDef) -> OptimizerFacts:
        return facts.project.cached((cls, klass), lambda: cls(facts, klass))

    # -- expressions ----------------------------------------------------------

    def held(self, expr: nodes.NodeNG, method: nodes.FunctionDef) -> Held:
        """What ``expr``, read inside ``method``, holds (memoised: an alias rebound in
        every branch of a long ``if/elif`` chain is looked at once per binding)."""
        if isinstance(expr, nodes.Const) and expr.value is None:
            return Held(Kind.NONE)
        if isinstance(expr, (nodes.Name, nodes.Subscript, nodes.Call, nodes.Attribute)):
            return self._held((expr, method), lambda: self._compute_held(expr, method))
        return _UNKNOWN_HELD

    def _compute_held(self, expr: nodes.NodeNG, method: nodes.FunctionDef) -> Held:
        if isinstance(expr, nodes.Name):
            return self._held_name(expr, method)
        if isinstance(expr, nodes.Subscript):
            inner = self.held(expr.value, method)
            if inner.kind is Kind.RAW and inner.sources == (expr.value,):
                return Held(Kind.RAW, (expr,))
            return inner
        if isinstance(expr, nodes.Call):
            return self._held_call(expr, method)
        return self._held_attribute(expr, method)

    def _held_attribute(self, expr: nodes.Attribute, method: nodes.FunctionDef) -> Held:
        if is_self(expr.expr, method):
            return self.attribute(expr.attrname, expr)
        if (
            expr.attrname == "optimizers"
            and isinstance(expr.expr, nodes.Attribute)
            and expr.expr.attrname == "trainer"
            and is_self(expr.expr.expr, method)
        ):
            return Held(Kind.RAW, (expr,))
        if expr.attrname == "optimizer" and self.held(expr.expr, method).kind is Kind.WRAPPER:
            return Held(Kind.RAW, (expr,))
        return _UNKNOWN_HELD

    def _held_call(self, call: nodes.Call, method: nodes.FunctionDef) -> Held:
        func = call.func
        if isinstance(func, nodes.Attribute) and func.attrname == "optimizers" and is_self(func.expr, method):
            flag = call.args[0] if call.args else None
            for keyword in call.keywords or []:
                if keyword.arg == "use_pl_optimizer":
                    flag = keyword.value
            if flag is None:
                return Held(Kind.WRAPPER)
            if isinstance(flag, nodes.Const) and flag.value in (True, False):
                return Held(Kind.WRAPPER) if flag.value else Held(Kind.RAW, (call,))
            return _UNKNOWN_HELD
        if is_torch_optimizer(self.facts.resolver.qualname(func)):
            params = argument(call, 0, "params")
            if params is not None and self.own_parameters(params, method):
                return Held(Kind.RAW, (call,))
            return Held(Kind.LOCAL)
        return _UNKNOWN_HELD

    # -- parameters -----------------------------------------------------------

    def own_parameters(self, expr: nodes.NodeNG, method: nodes.FunctionDef) -> bool:
        """True when ``expr``, read in ``method``, certainly holds only the module's own parameters.

        ``self.parameters()``, ``self.<submodule>.parameters()`` (a submodule set
        in ``__init__`` that is not a copy), ``filter``/``list``/``chain`` of
        those, ``+`` of those, lists and param-group dicts of those, and local
        names bound only to them. Memoised and budgeted like ``held``: past the
        budget the answer is False (not certain), and the rules stay silent.
        """
        return self._own((expr, method), lambda: self._compute_own(expr, method))

    def _compute_own(self, expr: nodes.NodeNG, method: nodes.FunctionDef) -> bool:
        if isinstance(expr, nodes.Name):
            found = bindings(expr, expr.name)
            if not found or any(
                not isinstance(b, nodes.AssignName) or b.scope() is not expr.scope() for b in found
            ):
                return False
            values = [assigned_value(b) for b in found]
            return all(v is not UNKNOWN and self.own_parameters(v, method) for v in values)
        if isinstance(expr, (nodes.List, nodes.Tuple)):
            return bool(expr.elts) and all(self.own_parameters(e, method) for e in expr.elts)
        if isinstance(expr, nodes.Dict):  # a param group
            params = [v for k, v in expr.items if isinstance(k, nodes.Const) and k.value == "params"]
            return len(params) == 1 and self.own_parameters(params[0], method)
        if isinstance(expr, nodes.BinOp) and expr.op == "+":
            return self.own_parameters(expr.left, method) and self.own_parameters(expr.right, method)
        if not isinstance(expr, nodes.Call):
            return False
        func = expr.func
        if isinstance(func, nodes.Attribute) and func.attrname == "parameters":
            return self._own_module(func.expr, method)
        if isinstance(func, nodes.Name) and func.name in ("list", "tuple", "filter") and expr.args:
            return self.own_parameters(expr.args[-1], method)
        qualname = self.facts.resolver.qualname(func)
        if qualname in ("itertools.chain", "itertools.chain.from_iterable") and expr.args:
            return all(self.own_parameters(a, method) for a in expr.args)
        return False

    def _own_module(self, expr: nodes.NodeNG, method: nodes.FunctionDef) -> bool:
        """``self``, or ``self.<attr>`` for a submodule set only in ``__init__`` and not a copy."""
        if is_self(expr, method):
            return True
        if not (isinstance(expr, nodes.Attribute) and is_self(expr.expr, method)):
            return False
        if self.facts.defines_member(self.cls, expr.attrname):
            return False
        targets = [
            target
            for klass in self.facts.hierarchy(self.cls).classes
            for target in self.facts.self_assignments(klass).get(expr.attrname, [])
        ]
        if not targets:
            return False
        for target in targets:
            found = enclosing_method(target)
            value = assigned_value(target)
            if found is None or found.method.name != "__init__" or value is UNKNOWN or _is_copy(value):
                return False
        return True

    def _held_name(self, name: nodes.Name, method: nodes.FunctionDef) -> Held:
        found = bindings(name, name.name)
        if not found:
            return _UNKNOWN_HELD
        values: list[Held] = []
        for binding in found:
            if not isinstance(binding, nodes.AssignName) or binding.scope() is not name.scope():
                return _UNKNOWN_HELD  # parameters, imports, closures, globals
            parent = binding.parent
            if isinstance(parent, (nodes.Tuple, nodes.List)) and isinstance(parent.parent, nodes.Assign):
                value = assigned_value(binding)
                if value is UNKNOWN:  # unpacking a call: each item is of the call's kind
                    values.append(self._items(self.held(parent.parent.value, method)))
                    continue
            elif isinstance(parent, nodes.For) and parent.target is binding:
                values.append(self._items(self.held(parent.iter, method)))
                continue
            else:
                value = assigned_value(binding)
            if value is UNKNOWN:
                return _UNKNOWN_HELD
            values.append(self.held(value, method))
        return _merge(values)

    @staticmethod
    def _items(container: Held) -> Held:
        """The items of a list of optimizers are of the list's kind."""
        return container if container.kind in (Kind.RAW, Kind.WRAPPER) else _UNKNOWN_HELD

    # -- attributes -----------------------------------------------------------

    def attribute(self, attr: str, read: nodes.NodeNG) -> Held:
        """What ``self.<attr>`` holds; a raw optimizer's source is the read itself."""
        held = self._attrs(attr, lambda: self._attribute_kind(attr))  # a cycle is unknown
        if held.kind is not Kind.RAW:
            return held
        return Held(Kind.RAW, (read,))

    def _attribute_kind(self, attr: str) -> Held:
        if self.facts.defines_member(self.cls, attr):
            return _UNKNOWN_HELD  # a property or method
        returned = attr in self.returned_attributes()
        values: list[Held] = []
        for value in self.facts.attribute_values(self.cls, attr):
            if value is UNKNOWN:
                return _UNKNOWN_HELD
            found = enclosing_method(value)
            if found is None:  # a class attribute
                held = Held(Kind.NONE) if isinstance(value, nodes.Const) and value.value is None else _UNKNOWN_HELD
            else:
                held = self.held(value, found.method)
            if held.kind in (Kind.UNKNOWN, Kind.LOCAL) and returned and found and found.method.name in BEFORE_WRAPPERS:
                # Lightning received this very object as an optimizer, and no
                # wrapper exists yet where it was assigned.
                held = Held(Kind.RAW, (value,))
            values.append(held)
        return _merge(values)

    def returned_attributes(self) -> set[str]:
        """``self.<attr>`` names that some ``configure_optimizers`` returns as optimizers."""
        if self._returned is None:
            self._returned = {
                attr
                for method in self._configure_optimizers()
                for ret in returns(method)
                for _, attrs in self._positions(method, ret.value)
                for attr in attrs
            }
        return self._returned

    def optimizer_index(self, attr: str) -> int | None:
        """Where ``self.<attr>`` is among the optimizers ``configure_optimizers`` returns.

        -1 when it is the only one (``self.optimizers()`` then returns it bare),
        its index when there are several, None when that is not certain. It
        must be the same for the class and every project subclass (a subclass
        may override ``configure_optimizers``), computed from the
        ``configure_optimizers`` that runs, in statement order.
        """
        index = self._own_index(attr)
        if index is None:
            return None
        for sub in self.facts.subclasses(self.cls):
            if OptimizerFacts.of(self.facts, sub)._own_index(attr) != index:
                return None
        return index

    def _own_index(self, attr: str) -> int | None:
        method = self.running_configure_optimizers()
        if method is None:
            return None
        found = returns(method, bare=True)
        if len(found) != 1 or found[0].value is None or found[0].parent is not method:
            return None
        ret = found[0]
        assigns = [t for klass in self.facts.hierarchy(self.cls).classes for t in self.facts.self_assignments(klass).get(attr, [])]
        if len(assigns) != 1 or not _top_level_before(assigns[0].parent, method, ret):
            return None  # assigned more than once, or not certainly before the return
        if any(
            not (isinstance(v, nodes.Const) and v.value is None)
            for v in self.facts.attribute_values(self.cls, attr)
            if v is UNKNOWN or enclosing_method(v) is None
        ):
            return None
        positions = []
        for expr in optimizer_positions(ret.value):
            if isinstance(expr, (nodes.Starred, nodes.ListComp, nodes.GeneratorExp)):
                return None
            positions.append(self._strict_attrs(expr, method, ret))
        holding = [i for i, attrs in enumerate(positions) if attr in attrs]
        if len(holding) != 1:
            return None
        return -1 if len(positions) == 1 else holding[0]

    @staticmethod
    def _strict_attrs(expr: nodes.NodeNG, method: nodes.FunctionDef, ret: nodes.Return) -> set[str]:
        """The ``self.<attr>`` names certainly holding the object ``expr`` returns, in statement order.

        A local name counts only when it is bound once, at the top level of the
        method, and tied to the attribute (``self.a = opt`` or ``opt = self.a``)
        at the top level between its binding and the return.
        """
        if isinstance(expr, nodes.Attribute) and is_self(expr.expr, method):
            return {expr.attrname}
        if not isinstance(expr, nodes.Name):
            return set()
        bound = method.locals.get(expr.name, [])
        if len(bound) != 1 or not isinstance(bound[0], nodes.AssignName):
            return set()
        binding = bound[0].parent
        if not isinstance(binding, nodes.Assign) or not _top_level_before(binding, method, ret):
            return set()
        attrs = set()
        if isinstance(binding.value, nodes.Attribute) and is_self(binding.value.expr, method):
            attrs.add(binding.value.attrname)
        for statement in method.body[method.body.index(binding) + 1 : method.body.index(ret)]:
            if (
                isinstance(statement, nodes.Assign)
                and isinstance(statement.value, nodes.Name)
                and statement.value.name == expr.name
            ):
                for target in statement.targets:
                    if isinstance(target, nodes.AssignAttr) and is_self(target.expr, method):
                        attrs.add(target.attrname)
        return attrs

    def returns_several(self) -> bool:
        """``configure_optimizers`` (the first the hierarchy defines) certainly returns more than one optimizer."""
        for klass in self.facts.hierarchy(self.cls).classes:
            for method in klass.locals.get("configure_optimizers", []):
                if not isinstance(method, nodes.FunctionDef):
                    return False
                found = returns(method)
                return bool(found) and all(_count(ret.value) > 1 for ret in found)
        return False

    def may_step_a_scheduler(self) -> bool:
        """Some ``.step()`` in the hierarchy is on something not certainly an optimizer
        (outside the hooks Lightning never calls under manual optimization)."""
        for klass in self.facts.hierarchy(self.cls).classes:
            for method in methods(klass):
                if method.name in NEVER_CALLED_UNDER_MANUAL:
                    continue
                for node in walk(method):
                    if (
                        isinstance(node, nodes.Call)
                        and isinstance(node.func, nodes.Attribute)
                        and node.func.attrname == "step"
                        and self.held(node.func.expr, method).kind not in (Kind.RAW, Kind.WRAPPER, Kind.LOCAL)
                    ):
                        return True
        return False

    def running_configure_optimizers(self) -> nodes.FunctionDef | None:
        """The ``configure_optimizers`` that runs for the class, when that is certain."""
        classes = self.facts.hierarchy(self.cls).classes
        definers = [klass for klass in classes if klass.locals.get("configure_optimizers")]
        if not definers:
            return None
        if len(definers) > 1 and definers[0] is not self.cls and any(len(k.bases) > 1 for k in classes):
            return None  # multiple inheritance: the approximate MRO may be wrong
        last = definers[0].locals["configure_optimizers"][-1]  # the last definition runs
        if isinstance(last, nodes.FunctionDef) and last.parent is definers[0]:
            return last
        return None

    def _configure_optimizers(self) -> list[nodes.FunctionDef]:
        """Every ``configure_optimizers`` of the hierarchy, the one that runs first."""
        return [
            method
            for klass in self.facts.hierarchy(self.cls).classes
            for method in klass.locals.get("configure_optimizers", [])
            if isinstance(method, nodes.FunctionDef)
        ]

    @classmethod
    def _positions(cls, method: nodes.FunctionDef, value: nodes.NodeNG) -> Iterator[tuple[nodes.NodeNG, set[str]]]:
        """Each optimizer position of a returned value, with the ``self.<attr>`` names it is."""
        aliases = cls._aliases(method)
        for expr in optimizer_positions(value):
            if isinstance(expr, nodes.Attribute) and is_self(expr.expr, method):
                yield expr, {expr.attrname}
            elif isinstance(expr, nodes.Name):
                yield expr, aliases.get(expr.name, set())
            else:
                yield expr, set()

    @staticmethod
    def _aliases(method: nodes.FunctionDef) -> dict[str, set[str]]:
        """Local names tied to ``self.<attr>`` in ``method`` (``self.a = opt`` or ``opt = self.a``)."""
        aliases: dict[str, set[str]] = {}
        for node in walk(method):
            if isinstance(node, nodes.Assign) and isinstance(node.value, nodes.Name):
                for target in node.targets:
                    if isinstance(target, nodes.AssignAttr) and is_self(target.expr, method):
                        aliases.setdefault(node.value.name, set()).add(target.attrname)
            if isinstance(node, nodes.Assign) and isinstance(node.value, nodes.Attribute):
                if is_self(node.value.expr, method):
                    for target in node.targets:
                        if isinstance(target, nodes.AssignName):
                            aliases.setdefault(target.name, set()).add(node.value.attrname)
        return aliases


def _count(value: nodes.NodeNG) -> int:
    """How many optimizers a returned value certainly holds (0 when that is not known)."""
    positions = list(optimizer_positions(value))
    if any(isinstance(p, (nodes.Starred, nodes.ListComp, nodes.GeneratorExp)) for p in positions):
        return 0
    return len(positions)


#: Calls whose result is a copy of a module: its parameters are not the module's own.
COPY_CALLS = frozenset({"deepcopy", "copy", "clone", "monkeypatch", "make_functional", "functional_call"})


def _is_copy(value: nodes.NodeNG) -> bool:
    """``copy.deepcopy(net)``, ``maml.clone()``, ``higher.monkeypatch(...)`` and the like."""
    if not isinstance(value, nodes.Call):
        return False
    func = value.func
    name = func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", "")
    return name in COPY_CALLS


def _top_level_before(statement: nodes.NodeNG, method: nodes.FunctionDef, ret: nodes.Return) -> bool:
    """``statement`` is in ``method``'s own body, before ``ret`` (also in it)."""
    if statement.parent is not method or ret.parent is not method:
        return False
    return method.body.index(statement) < method.body.index(ret)


# -- LTN203/LTN204: what Lightning 2.x parses from a configure_optimizers return ------------------


@dataclass(frozen=True)
class ReturnedConfig:
    """A ``configure_optimizers`` return value split as Lightning 2.x splits it
    (``core/optimizer.py``, ``_configure_optimizers``)."""

    #: The expressions in optimizer position, in order.
    optimizers: tuple[nodes.NodeNG, ...]
    #: Each scheduler entry: a scheduler expression or an ``lr_scheduler`` dict literal.
    schedulers: tuple[nodes.NodeNG, ...]
    #: The top-level ``"monitor"`` value of a single dict, if any.
    monitor: nodes.NodeNG | None = None


def literal_dict(value: nodes.NodeNG) -> dict[str, nodes.NodeNG] | None:
    """A dict literal with constant string keys only (no ``**``), else None."""
    if not isinstance(value, nodes.Dict):
        return None
    found: dict[str, nodes.NodeNG] = {}
    for key, item in value.items:
        if not (isinstance(key, nodes.Const) and isinstance(key.value, str)) or key.value in found:
            return None
        found[key.value] = item
    return found


def returned_config(value: nodes.NodeNG) -> ReturnedConfig | None:
    """How Lightning 2.x reads ``value``; None when its shape is not certain (a starred item,
    a comprehension, a dict with computed keys)."""
    if isinstance(value, nodes.Dict):
        entries = literal_dict(value)
        if entries is None or "optimizer" not in entries:
            return None
        schedulers = (entries["lr_scheduler"],) if "lr_scheduler" in entries else ()
        return ReturnedConfig((entries["optimizer"],), schedulers, entries.get("monitor"))
    if not isinstance(value, (nodes.Tuple, nodes.List)):
        return ReturnedConfig((value,), ())
    elts = value.elts
    if any(isinstance(e, (nodes.Starred, nodes.ListComp, nodes.GeneratorExp)) for e in elts):
        return None
    if len(elts) == 2 and isinstance(elts[0], nodes.List):  # ([optimizers], [schedulers] or scheduler)
        inner = elts[0].elts
        schedulers = elts[1].elts if isinstance(elts[1], nodes.List) else [elts[1]]
        if any(isinstance(e, (nodes.Starred, nodes.Dict)) for e in (*inner, *schedulers)):
            return None
        return ReturnedConfig(tuple(inner), tuple(schedulers))
    if elts and all(isinstance(e, nodes.Dict) for e in elts):
        configs = [literal_dict(e) for e in elts]
        if any(c is None or "optimizer" not in c for c in configs):
            return None
        return ReturnedConfig(
            tuple(c["optimizer"] for c in configs),
            tuple(c["lr_scheduler"] for c in configs if "lr_scheduler" in c),
        )
    if any(isinstance(e, (nodes.Dict, nodes.List, nodes.Tuple)) for e in elts):
        return None
    return ReturnedConfig(tuple(elts), ())


#: How far ``certainly_torch_optimizer`` follows names and attributes.
MAX_OPTIMIZER_DEPTH = 4


def certainly_torch_optimizer(
    facts: Facts, cls: nodes.ClassDef, expr: nodes.NodeNG, method: nodes.FunctionDef, depth: int = 0
) -> bool:
    """``expr`` is certainly a ``torch.optim`` optimizer: its constructor, or a local name or a
    ``self.<attr>`` every binding of which is one (followed ``MAX_OPTIMIZER_DEPTH`` deep)."""
    if depth > MAX_OPTIMIZER_DEPTH:
        return False
    if isinstance(expr, nodes.Call):
        return is_torch_optimizer(facts.resolver.qualname(expr.func))
    if isinstance(expr, nodes.Name):
        found = bindings(expr, expr.name)
        if not found or any(not isinstance(b, nodes.AssignName) or b.scope() is not expr.scope() for b in found):
            return False
        values = [assigned_value(b) for b in found]
        return all(
            v is not UNKNOWN and certainly_torch_optimizer(facts, cls, v, method, depth + 1) for v in values
        )
    if isinstance(expr, nodes.Attribute) and is_self(expr.expr, method):
        if facts.defines_member(cls, expr.attrname):
            return False
        values = facts.attribute_values(cls, expr.attrname)
        if not values:
            return False
        for value in values:
            found = enclosing_method(value) if value is not UNKNOWN else None
            if found is None or not certainly_torch_optimizer(facts, cls, value, found[1], depth + 1):
                return False
        return True
    return False
