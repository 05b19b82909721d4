"""Text edits a rule can attach to a finding, and applying them to source text.

Positions are in Python's own line model: a line ends at ``\\r\\n``, ``\\r`` or
``\\n`` and nowhere else. ``str.splitlines`` also splits at form feeds,
vertical tabs, ``\\x1c-\\x1e``, ``\\x85``, ``\\u2028`` and ``\\u2029``, which
Python (and so astroid's line numbers) treats as ordinary characters; using it
would put an edit on the wrong line.
"""

from __future__ import annotations

import re
import tokenize
from dataclasses import dataclass

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_ENDING = re.compile(r"(?:\r\n|\r|\n)\Z")


def python_lines(source: str) -> list[str]:
    """``source`` split into lines, with their endings, the way Python's tokenizer counts them."""
    return _LINE.findall(source)


def line_ending(line: str) -> str:
    """The ending of one line (``""`` for a last line without one)."""
    found = _ENDING.search(line)
    return found.group() if found else ""


def newline_of(source: str) -> str:
    """The file's line ending: that of its first line, else ``\\n``."""
    lines = python_lines(source)
    return (line_ending(lines[0]) if lines else "") or "\n"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the text from (line, col) to (end_line, end_col) with ``text``.

    Lines are 1-based; columns are astroid's 0-based UTF-8 byte offsets.
    """

    line: int
    col: int
    end_line: int
    end_col: int
    text: str

    @classmethod
    def replace(cls, node, text: str) -> Edit:  # noqa: ANN001 - an astroid node
        return cls(node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, text)

    @classmethod
    def insert(cls, line: int, col: int, text: str) -> Edit:
        return cls(line, col, line, col, text)


class LineIndex:
    """Maps (1-based line, UTF-8 byte column) positions of one text to offsets in it."""

    def __init__(self, source: str) -> None:
        self.lines = python_lines(source)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, line: int, byte_col: int) -> int:
        if line < 1:
            return 0
        if line - 1 >= len(self.lines):
            return self.starts[-1]
        text = self.lines[line - 1]
        return self.starts[line - 1] + len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))

    def content_end_col(self, line: int) -> int:
        """The byte column where a line's text ends (before its line ending)."""
        text = self.lines[line - 1]
        return len(text[: len(text) - len(line_ending(text))].encode("utf-8"))


def segment(source: str, node) -> str:  # noqa: ANN001 - an astroid node
    """The exact text of ``node`` in ``source``."""
    index = LineIndex(source)
    return source[index.offset(node.lineno, node.col_offset) : index.offset(node.end_lineno, node.end_col_offset)]


def comments(source: str) -> list[str] | None:
    """The comments of ``source``, tokenized line by line in Python's line model; None if it does not tokenize."""
    lines = iter(python_lines(source))
    try:
        return [t.string for t in tokenize.generate_tokens(lambda: next(lines, "")) if t.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError):
        return None


def has_comment(text: str) -> bool:
    """Whether a piece of code (an expression's text) holds a comment."""
    return "#" in text and comments("(" + text + "\n)") != []


def edit_spans(source: str, edits: list[Edit]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, text) character spans of ``edits``, in order.

    Overlapping later ones are dropped.
    """
    index = LineIndex(source)
    spans: list[tuple[int, int, str]] = []
    for edit in sorted(set(edits)):
        start, end = index.offset(edit.line, edit.col), index.offset(edit.end_line, edit.end_col)
        if end < start or (spans and start < spans[-1][1]):
            continue
        spans.append((start, end, edit.text))
    return spans


def apply_spans(source: str, spans: list[tuple[int, int, str]]) -> str:
    for start, end, text in reversed(spans):
        source = source[:start] + text + source[end:]
    return source


def apply_edits(source: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (overlapping later ones are dropped)."""
    return apply_spans(source, edit_spans(source, edits))
