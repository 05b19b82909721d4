"""Rules and their registration: one class per rule, registered with its code.

A rule is a class with a ``code``, a ``name``, a ``message`` template with named
fields, its documentation as the class docstring, and ``visit_<NodeType>``
handlers that the engine calls during its single walk of the file. ``finish()``
runs after the walk. The text a rule needs before it is worth running lives in
``prefilter.WANTS``. New rules are one module in ``flake8_lightning/rules``, an
entry in ``prefilter.WANTS``, and fixtures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING, ClassVar

from flake8_lightning.prefilter import WANTS

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
    #: Edits (``fixes.Edit``) that certainly fix it; not part of equality.
    fix: tuple = field(default=(), compare=False, repr=False)

    @property
    def text(self) -> str:
        return f"{self.code} {self.message}"


class Rule:
    """Base class of every rule."""

    code: ClassVar[str]
    name: ClassVar[str]
    #: What goes wrong at run time, in one line (for the README's rule index).
    impact: ClassVar[str]
    message: ClassVar[str]
    handlers: ClassVar[dict[str, str]] = {}

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx

    def report(self, node, message: str | None = None, edits: tuple = (), **fields: object) -> None:  # noqa: ANN001
        """Report at ``node``'s first line and column, with the message's fields filled in.

        ``edits`` (``fixes.Edit``) are offered only when they certainly fix the finding.
        """
        text = (message or self.message).format(**fields)
        self.ctx.add(Finding(node.lineno, node.col_offset, self.code, text, tuple(edits)))

    def finish(self) -> None:
        """Called once after the walk; rules that gather facts report here."""

    def bound_handlers(self) -> dict[str, Callable]:
        return {node_type: getattr(self, attr) for node_type, attr in self.handlers.items()}


RULES: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add a rule to ``RULES`` after checking its declaration."""
    if not CODE_RE.match(cls.code):
        raise ValueError(f"bad rule code {cls.code!r}")
    if cls.code in RULES:
        raise ValueError(f"duplicate rule code {cls.code}")
    if not (cls.__doc__ or "").strip() or cls.code not in WANTS or not getattr(cls, "impact", ""):
        raise ValueError(f"{cls.code} needs docs and an entry in prefilter.WANTS")
    cls.handlers = {
        attr[len("visit_") :]: attr for attr in dir(cls) if attr.startswith("visit_")
    }
    RULES[cls.code] = cls
    return cls
