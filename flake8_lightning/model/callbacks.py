"""Monitor sites: ``ModelCheckpoint``/``EarlyStopping`` constructions and their arguments."""

from __future__ import annotations

from dataclasses import dataclass

from astroid import nodes

from flake8_lightning.lightning_api import MONITOR_CALLBACKS
from flake8_lightning.model.lightning import Facts, argument, is_lightning_class

#: Callback class -> position of ``monitor`` in its signature.
MONITOR_POSITION = {kind: callback.monitor for kind, callback in MONITOR_CALLBACKS.items()}


@dataclass(frozen=True)
class MonitorSite:
    """One construction of a monitoring callback."""

    call: nodes.Call
    kind: str  # "ModelCheckpoint" or "EarlyStopping"
    monitor: nodes.NodeNG | None
    mode: nodes.NodeNG | None
    #: False when positional arguments could not be mapped (a subclass with
    #: its own ``__init__``, ``*args``): only keywords are trusted then.
    positional: bool


def monitor_site(call: nodes.Call, facts: Facts) -> MonitorSite | None:
    """The monitor site ``call`` is, or None. Cheap syntax is checked before resolving."""
    if not _may_be_monitor_site(call):
        return None
    found = _callback_kind(call.func, facts)
    if found is None:
        return None
    kind, positional = found
    monitor = argument(call, MONITOR_POSITION[kind] if positional else None, "monitor")
    positional = positional and not any(isinstance(a, nodes.Starred) for a in call.args)
    has_kwargs = any(kw.arg is None for kw in call.keywords or [])
    mode = argument(call, None, "mode")
    return MonitorSite(call, kind, monitor, mode, positional and not has_kwargs)


def _may_be_monitor_site(call: nodes.Call) -> bool:
    if any(kw.arg == "monitor" for kw in call.keywords or []):
        return True
    func = call.func
    name = func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", "")
    return name.endswith(("Checkpoint", "Stopping"))


def _callback_kind(func: nodes.NodeNG, facts: Facts) -> tuple[str, bool] | None:
    """("ModelCheckpoint" or "EarlyStopping", whether positional arguments are known)."""
    target = facts.resolver.resolve(func)
    if isinstance(target, nodes.ClassDef):
        hierarchy = facts.hierarchy(target)
        for kind in MONITOR_POSITION:
            if hierarchy.is_(kind):
                # A subclass with its own __init__ may reorder positional arguments.
                return kind, not any("__init__" in c.locals for c in hierarchy.classes)
        return None
    qualname = getattr(target, "qualname", None)
    for kind in MONITOR_POSITION:
        if qualname and is_lightning_class(qualname, kind):
            return kind, True
    return None
