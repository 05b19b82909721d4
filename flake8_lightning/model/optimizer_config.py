"""What ``configure_optimizers`` returns, read the way Lightning reads it.

Lightning (``core/optimizer.py``, ``_configure_optimizers``) accepts an
optimizer, a list of optimizers, ``([optimizers], [schedulers])`` (the first a
*list*), a dict ``{"optimizer", "lr_scheduler", "monitor"}`` or a list of such
dicts; a scheduler is bare or a scheduler dict (``LRSchedulerConfig``'s
fields: ``scheduler``, ``interval``, ``frequency``, ``monitor``, ...). This
module reads each ``return`` of a method into those parts: the optimizer-level
and scheduler-level dicts with every key and where it is written (a literal,
``dict(...)``, or a local dict filled key by key), each scheduler expression,
and whether the return is a flat sequence. Optimizer positions are
``optimizers.optimizer_positions``'s. Anything not certain is left out.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from astroid import nodes

from flake8_lightning.model.lightning import returns, walk
from flake8_lightning.model.names import bindings

#: Keys Lightning reads in the dict ``configure_optimizers`` returns (2.x; 1.x also "frequency").
OPTIMIZER_KEYS = frozenset({"optimizer", "lr_scheduler", "monitor"})
#: ``LRSchedulerConfig``'s fields: the keys Lightning reads in a scheduler dict.
SCHEDULER_KEYS = frozenset({"scheduler", "name", "interval", "frequency", "reduce_on_plateau", "monitor", "strict"})


class Level(enum.Enum):
    OPTIMIZER = "optimizer"  # {"optimizer": ..., "lr_scheduler": ...}
    SCHEDULER = "scheduler"  # {"scheduler": ..., "interval": ...}


@dataclass(frozen=True)
class Entry:
    key: str
    node: nodes.NodeNG  # where the key is written
    value: nodes.NodeNG


@dataclass(frozen=True)
class ConfigDict:
    level: Level
    node: nodes.NodeNG  # the dict literal or ``dict(...)`` call
    entries: tuple[Entry, ...]
    complete: bool  # every key is known (no ``**``, no update of unknown keys)

    def get(self, key: str) -> Entry | None:
        found = [e for e in self.entries if e.key == key]
        return found[-1] if found else None

    def has(self, key: str) -> bool:
        return any(e.key == key for e in self.entries)


@dataclass(frozen=True)
class Scheduler:
    """A scheduler handed over: its expression, and the scheduler dict holding it (if any)."""

    expr: nodes.NodeNG | None  # None when a scheduler dict has no readable "scheduler" entry
    config: ConfigDict | None
    top: ConfigDict | None  # the optimizer-level dict it came from, if any


@dataclass(frozen=True)
class ReturnedConfig:
    ret: nodes.Return
    dicts: tuple[ConfigDict, ...]
    schedulers: tuple[Scheduler, ...]
    flat: tuple[nodes.NodeNG, ...] | None  # the items of a flat tuple/list return (not the two-list form)
    flat_kind: str = ""  # "tuple" or "list"


def returned_configs(method: nodes.FunctionDef) -> list[ReturnedConfig]:
    """Each ``return <value>`` of ``method`` read as a ``configure_optimizers`` output."""
    return [_read_return(method, ret) for ret in returns(method)]


def local_value(method: nodes.FunctionDef, expr: nodes.NodeNG) -> nodes.NodeNG:
    """What a local name assigned exactly once (``x = <value>``) holds; else ``expr`` itself."""
    if not isinstance(expr, nodes.Name):
        return expr
    found = bindings(expr, expr.name)
    if len(found) != 1 or not isinstance(found[0], nodes.AssignName) or found[0].scope() is not method:
        return expr
    parent = found[0].parent
    if isinstance(parent, nodes.Assign) and parent.targets == [found[0]]:
        return parent.value
    if isinstance(parent, nodes.AnnAssign) and parent.value is not None:
        return parent.value
    return expr


def _read_return(method: nodes.FunctionDef, ret: nodes.Return) -> ReturnedConfig:
    dicts: list[ConfigDict] = []
    schedulers: list[Scheduler] = []
    value = local_value(method, ret.value)
    items = _sequence(method, ret.value, value)
    flat = None
    kind = ""
    top = _dict(method, ret.value, value, Level.OPTIMIZER)
    if top is not None:
        _read_top(method, top, dicts, schedulers)
    elif items is not None:
        first = local_value(method, items[0]) if items else None
        if len(items) == 2 and isinstance(first, nodes.List):
            # ([optimizers], [schedulers]) or ([optimizers], scheduler)
            second = local_value(method, items[1])
            scheds = _sequence(method, items[1], second)
            for item in scheds if scheds is not None else [items[1]]:
                _read_scheduler(method, item, None, dicts, schedulers)
        else:
            configs = [_dict(method, item, local_value(method, item), Level.OPTIMIZER) for item in items]
            if items and all(c is not None for c in configs):
                for config in configs:
                    _read_top(method, config, dicts, schedulers)
            else:
                flat = tuple(items)
                kind = "tuple" if isinstance(value, nodes.Tuple) else "list"
    return ReturnedConfig(ret, tuple(dicts), tuple(schedulers), flat, kind)


def _read_top(method: nodes.FunctionDef, top: ConfigDict, dicts: list, schedulers: list) -> None:
    dicts.append(top)
    entry = top.get("lr_scheduler")
    if entry is not None:
        _read_scheduler(method, entry.value, top, dicts, schedulers)


def _read_scheduler(method: nodes.FunctionDef, expr: nodes.NodeNG, top: ConfigDict | None, dicts: list, schedulers: list) -> None:
    value = local_value(method, expr)
    config = _dict(method, expr, value, Level.SCHEDULER)
    if config is None:
        schedulers.append(Scheduler(value, None, top))
        return
    dicts.append(config)
    entry = config.get("scheduler")
    schedulers.append(Scheduler(local_value(method, entry.value) if entry else None, config, top))


def _sequence(method: nodes.FunctionDef, expr: nodes.NodeNG, value: nodes.NodeNG) -> list[nodes.NodeNG] | None:
    """The items of a tuple/list literal (a local list filled with ``append`` too); None if unknown."""
    if not isinstance(value, (nodes.Tuple, nodes.List)) or any(isinstance(e, nodes.Starred) for e in value.elts):
        return None
    items = list(value.elts)
    if isinstance(expr, nodes.Name):
        for use in _uses(method, expr):
            parent = use.parent
            if (
                isinstance(value, nodes.List)
                and isinstance(parent, nodes.Attribute)
                and parent.attrname == "append"
                and isinstance(parent.parent, nodes.Call)
                and len(parent.parent.args) == 1
                and not parent.parent.keywords
            ):
                items.append(parent.parent.args[0])
            elif not _passive(use):
                return None
    return items


def _dict(method: nodes.FunctionDef, expr: nodes.NodeNG, value: nodes.NodeNG, level: Level) -> ConfigDict | None:
    """A dict literal or ``dict(...)`` (and, through a local name, the keys set later)."""
    entries: list[Entry] = []
    complete = True
    if isinstance(value, nodes.Dict):
        for key, item in value.items:
            if isinstance(key, nodes.Const) and isinstance(key.value, str):
                entries.append(Entry(key.value, key, item))
            else:
                complete = False  # ** unpacking or a computed key
    elif (
        isinstance(value, nodes.Call)
        and isinstance(value.func, nodes.Name)
        and value.func.name == "dict"
        and not bindings(value.func, "dict")
    ):
        if value.args:
            complete = False
        for keyword in value.keywords or []:
            if keyword.arg is None:
                complete = False
            else:
                entries.append(Entry(keyword.arg, keyword, keyword.value))
    else:
        return None
    if isinstance(expr, nodes.Name) and value is not expr:
        for use in _uses(method, expr):
            parent = use.parent
            if isinstance(parent, nodes.Subscript) and parent.value is use:
                statement = parent.parent
                if isinstance(statement, nodes.Assign) and parent in statement.targets:
                    if isinstance(parent.slice, nodes.Const) and isinstance(parent.slice.value, str):
                        entries.append(Entry(parent.slice.value, parent, statement.value))
                    else:
                        complete = False
                    continue
                if isinstance(statement, (nodes.Delete, nodes.AugAssign)):
                    return None
                continue  # a read
            if isinstance(parent, nodes.Attribute) and parent.attrname == "update" and isinstance(parent.parent, nodes.Call):
                call = parent.parent
                for keyword in call.keywords or []:
                    if keyword.arg is None:
                        complete = False
                    else:
                        entries.append(Entry(keyword.arg, keyword, keyword.value))
                for arg in call.args:
                    nested = _dict(method, arg, arg, level)
                    if nested is None:
                        complete = False
                    else:
                        entries.extend(nested.entries)
                        complete = complete and nested.complete
                continue
            if isinstance(parent, nodes.Attribute) and parent.attrname == "get":
                continue
            if not _passive(use):
                return None  # passed somewhere, popped from, rebound: not certain
    return ConfigDict(level, value, tuple(entries), complete)


def _uses(method: nodes.FunctionDef, name: nodes.Name) -> list[nodes.Name]:
    """The other reads of ``name``'s local variable in ``method``."""
    return [
        node
        for node in walk(method)
        if isinstance(node, nodes.Name) and node.name == name.name and node is not name
    ]


def _passive(use: nodes.Name) -> bool:
    """A read that hands the value over as it is: returned, or an item of a literal container."""
    parent = use.parent
    if isinstance(parent, nodes.Return):
        return True
    if isinstance(parent, (nodes.List, nodes.Tuple)):
        return True
    return isinstance(parent, nodes.Dict) and any(item is use for _, item in parent.items)
