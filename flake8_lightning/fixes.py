"""Autofix: apply the edits rules attach to their findings, in place.

A rule offers a fix only where the rewrite is certain to be correct. Edits
replace exact spans of the original text, so comments and formatting survive.
Fixing is repeated until nothing changes (at most a few passes), which makes
it idempotent.
"""

from __future__ import annotations

import difflib
import io
import os
import sys
import tokenize
from dataclasses import dataclass

from flake8_lightning.checker import Checker
from flake8_lightning.engine import analyse

MAX_PASSES = 3


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


def fixed_source(path: str, source: str) -> tuple[str, int]:
    """The source with every available fix applied, and how many findings were fixed."""
    count = 0
    for _ in range(MAX_PASSES):
        findings = analyse(os.path.abspath(path), source, Checker.config)
        edits = [e for f in findings if f.fix for e in f.fix]
        if not edits:
            break
        count += sum(1 for f in findings if f.fix)
        updated = apply_edits(source, edits)
        if updated == source:
            break
        source = updated
    return source, count


def _read(path: str) -> tuple[str, str] | None:
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), encoding
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None


def run_fixes(files: list[str], apply: bool) -> int:
    """``--diff`` (apply=False) or ``--fix`` (apply=True) over ``files``."""
    changed = total = 0
    for path in files:
        read = _read(path)
        if read is None:
            continue
        source, encoding = read
        try:
            compile(source, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            continue
        try:
            updated, count = fixed_source(path, source)
        except (Exception, RecursionError) as exc:  # one bad file must not stop the rest
            sys.stderr.write(f"flake8-lightning: could not fix {path}: {type(exc).__name__}: {exc}\n")
            continue
        if updated == source:
            continue
        changed += 1
        total += count
        if apply:
            with open(path, "w", encoding=encoding, newline="") as handle:
                handle.write(updated)
        else:
            sys.stdout.writelines(
                difflib.unified_diff(
                    source.splitlines(keepends=True), updated.splitlines(keepends=True), f"a/{path}", f"b/{path}"
                )
            )
    if apply:
        sys.stderr.write(f"flake8-lightning: fixed {total} finding(s) in {changed} file(s)\n")
        return 0
    return 1 if changed else 0
