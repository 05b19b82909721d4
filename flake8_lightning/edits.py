"""Text edits a rule can attach to a finding, and applying them to source text."""

from __future__ import annotations

from dataclasses import dataclass


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


def _char_index(lines: list[str], line: int, byte_col: int) -> int:
    """Offset in the joined text of a (1-based line, byte column) position."""
    before = sum(len(text) for text in lines[: line - 1])
    if line - 1 >= len(lines):
        return before
    return before + len(lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def apply_edits(source: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (overlapping later ones are dropped)."""
    lines = source.splitlines(keepends=True)
    spans = []
    for edit in sorted(set(edits)):
        start, end = _char_index(lines, edit.line, edit.col), _char_index(lines, edit.end_line, edit.end_col)
        if spans and start < spans[-1][1]:
            continue
        spans.append((start, end, edit.text))
    for start, end, text in reversed(spans):
        source = source[:start] + text + source[end:]
    return source
