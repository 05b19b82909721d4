"""Rules and their registration: one class per rule, registered with its code.

A rule is a class with a ``code``, a ``name``, a ``message`` template with named
fields, its documentation as the class docstring, the ``tokens`` whose presence
in a file's text makes it worth running, and ``visit_<NodeType>`` handlers that
the engine calls during its single walk of the file. ``finish()`` runs after the
walk. New rules are one module in ``flake8_lightning/rules`` plus fixtures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from collections.abc import Callable

    from flake8_lightning.engine import FileContext

CODE_RE = re.compile(r"^LTN\d{3}$")


@dataclass(frozen=True, order=True)
class Finding:
    """One reported problem: 1-based line, 0-based column (flake8 adds 1)."""

    line: int
    col: int
    code: str
    message: str

    @property
    def text(self) -> str:
        return f"{self.code} {self.message}"


class Rule:
    """Base class of every rule."""

    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]
    tokens: ClassVar[tuple[str, ...]]
    handlers: ClassVar[dict[str, str]] = {}

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx

    def report(self, node, message: str | None = None, **fields: object) -> None:  # noqa: ANN001
        """Report at ``node``'s first line and column, with the message's fields filled in."""
        text = (message or self.message).format(**fields)
        self.ctx.add(Finding(node.lineno, node.col_offset, self.code, text))

    def finish(self) -> None:
        """Called once after the walk; rules that gather facts report here."""

    @classmethod
    def wants(cls, source: str) -> bool:
        return any(token in source for token in cls.tokens)

    def bound_handlers(self) -> dict[str, Callable]:
        return {node_type: getattr(self, attr) for node_type, attr in self.handlers.items()}


RULES: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add a rule to ``RULES`` after checking its declaration."""
    if not CODE_RE.match(cls.code):
        raise ValueError(f"bad rule code {cls.code!r}")
    if cls.code in RULES:
        raise ValueError(f"duplicate rule code {cls.code}")
    if not (cls.__doc__ or "").strip() or not cls.tokens:
        raise ValueError(f"{cls.code} needs docs and prefilter tokens")
    cls.handlers = {
        attr[len("visit_") :]: attr for attr in dir(cls) if attr.startswith("visit_")
    }
    RULES[cls.code] = cls
    return cls
