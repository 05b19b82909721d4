"""Which rules could fire in a file, decided from its text before any parsing.

This is the one place that says what text each rule needs. It imports nothing
heavy, so a file no rule wants costs a few substring scans and astroid is never
imported. Every registered rule must have an entry (``registry.register``
checks); a test checks each rule's firing fixtures pass its filter.
"""

from __future__ import annotations

import re
from typing import Callable

from flake8_lightning.lightning_api import maybe_dead_hook


def _any(*tokens: str) -> Callable[[str], bool]:
    return lambda text: any(token in text for token in tokens)


def _every(*tests: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda text: all(test(text) for test in tests)


_HOOK_SHAPED_DEF = re.compile(r"\bdef\s+(on_\w+|\w*_(?:step|epoch|batch)\w*)\s*\(")


def _defines_dead_hook(text: str) -> bool:
    """A method named like a removed hook or a misspelled one: LTN106's only candidates."""
    return any(maybe_dead_hook(name) for name in _HOOK_SHAPED_DEF.findall(text))


_MONITOR = _any("monitor", "ModelCheckpoint", "EarlyStopping")

WANTS: dict[str, Callable[[str], bool]] = {
    "LTN001": _any(".step(", ".zero_grad("),
    "LTN002": _any("manual_backward", "automatic_optimization"),
    "LTN003": _MONITOR,
    "LTN101": _any(".backward("),
    "LTN102": _any(".step("),
    "LTN103": _any(".step("),
    "LTN104": _every(_any("configure_optimizers"), _any("cheduler")),
    "LTN105": _MONITOR,
    "LTN106": _defines_dead_hook,
}


def wanted(text: str) -> list[str]:
    """Codes of the rules worth running on ``text``."""
    return [code for code, test in WANTS.items() if test(text)]
