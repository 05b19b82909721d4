"""Rules and their registration: one module per rule, one class per rule.

A rule is a class with a ``code``, a ``name``, a ``message`` template with named
fields, its documentation as the class docstring, ``needs`` (the text a file
must contain before the rule is worth running: see ``Needs``) and
``visit_<NodeType>`` handlers that the engine calls during its single walk of
the file. A new rule is one module in ``flake8_lightning/rules`` (found there
by name: no list to extend) and its fixtures.

Importing a rule module must stay cheap, because the prefilter imports every
rule to read its ``needs`` before it knows whether the file is worth parsing.
So a rule imports astroid and the model (what only its handlers use) inside a
function decorated with ``@heavy_imports``; the engine runs those functions
once, before the first walk. ``tests/test_registry.py`` checks that importing
the rules leaves astroid unimported.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from collections.abc import Callable

    from flake8_lightning.engine import FileContext

CODE_RE = re.compile(r"^LTN\d{3}$")


class Needs:
    """A cheap test of a file's text: could the rule fire in it?

    It must never hide a finding: a file it rejects must be one where the rule
    reports nothing (``tests/test_rules.py`` runs every rule with the
    prefilter bypassed to check). Build one with ``any_of``, ``method_call``,
    ``all_of`` or ``Needs(test, description)`` for anything else.
    """

    def __init__(self, test: Callable[[str], bool], description: str) -> None:
        self.test = test
        self.description = description

    def __call__(self, text: str) -> bool:
        return self.test(text)

    def __repr__(self) -> str:
        return f"Needs({self.description})"


def any_of(*tokens: str) -> Needs:
    """The text contains one of ``tokens`` (a plain substring test)."""
    return Needs(lambda text: any(token in text for token in tokens), "any of " + ", ".join(map(repr, tokens)))


def any_call(*names: str) -> Needs:
    """The text may call a method named one of ``names``: ``.name(``, with any spacing.

    ``opt . step ()`` and a call split over lines (``opt.step\\\n()``) count too.
    """
    # Linear: each candidate starts at a "." and the name is a literal.
    pattern = r"\.[ \t\f\\\r\n]*(?:" + "|".join(map(re.escape, names)) + r")\b[ \t\f\\\r\n]*\("
    # re.search caches the compiled pattern: nothing is compiled until a file is checked.
    return Needs(lambda text: re.search(pattern, text) is not None, "a call of ." + "(, .".join(names) + "(")


def all_of(*needs: Needs) -> Needs:
    """Every one of ``needs`` holds."""
    return Needs(lambda text: all(n(text) for n in needs), " and ".join(n.description for n in needs))


class Rule:
    """Base class of every rule."""

    code: ClassVar[str]
    name: ClassVar[str]
    #: What goes wrong at run time, in one line (for the README's rule index).
    impact: ClassVar[str]
    message: ClassVar[str]
    #: The text a file needs before this rule is worth running (the prefilter).
    needs: ClassVar[Needs]
    handlers: ClassVar[dict[str, str]] = {}

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx

    def report(self, node, message: str | None = None, edits: tuple = (), **fields: object) -> None:  # noqa: ANN001
        """Report at ``node``'s first line and column, with the message's fields filled in.

        ``edits`` (``fixes.Edit``) are offered only when they certainly fix the finding.
        """
        from flake8_lightning.engine import Finding  # the engine's, off the cheap import path

        text = (message or self.message).format(**fields)
        self.ctx.add(Finding(node.lineno, node.col_offset, self.code, text, tuple(edits)))

    def bound_handlers(self) -> dict[str, Callable]:
        return {node_type: getattr(self, attr) for node_type, attr in self.handlers.items()}


RULES: dict[str, type[Rule]] = {}
_HEAVY_IMPORTS: list[Callable[[], None]] = []


class RegistrationError(Exception):
    """A rule's declaration is incomplete: raised at import, never hidden per file."""


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add a rule to ``RULES`` after checking its declaration."""
    code = getattr(cls, "code", "")
    if not CODE_RE.match(code):
        raise RegistrationError(f"{cls.__qualname__}: bad rule code {code!r}")
    if code in RULES:
        raise RegistrationError(f"duplicate rule code {code}")
    missing = [attr for attr in ("name", "impact", "message") if not getattr(cls, attr, "")]
    if not (cls.__doc__ or "").strip():
        missing.append("docstring")
    if not isinstance(getattr(cls, "needs", None), Needs):
        missing.append("needs (a registry.Needs: the text the rule needs)")
    if missing:
        raise RegistrationError(f"{code} lacks {', '.join(missing)}")
    cls.handlers = {attr[len("visit_") :]: attr for attr in dir(cls) if attr.startswith("visit_")}
    if not cls.handlers:
        raise RegistrationError(f"{code} has no visit_<NodeType> handler")
    RULES[code] = cls
    return cls


def heavy_imports(load: Callable[[], None]) -> Callable[[], None]:
    """Decorator: ``load`` imports what a rule module's handlers use (as ``global``s).

    The engine calls ``load_heavy_imports()`` before its first walk; until then
    importing the rule module costs nothing beyond its own text.
    """
    _HEAVY_IMPORTS.append(load)
    return load


def load_heavy_imports() -> None:
    """Run every pending ``@heavy_imports`` function (the engine does, once)."""
    while _HEAVY_IMPORTS:
        _HEAVY_IMPORTS.pop(0)()
