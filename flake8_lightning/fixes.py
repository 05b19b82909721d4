"""Autofix: apply the edits rules attach to their findings, in place.

A rule offers a fix only where the rewrite is certain to be correct. Edits
replace exact spans of the original text, so comments and formatting survive.
Fixing is repeated until nothing changes (at most a few passes), which makes
it idempotent.

Only findings that would be reported are fixed: ``--select``/``--ignore``,
``# noqa`` and ``# flake8: noqa`` are decided exactly as for reporting.

Every fix is checked before it is kept (``verify``): the new text must parse,
keep every comment, and its syntax tree must equal the old one everywhere
outside the edited spans, each of which must hold whole statements or a whole
expression that mean in place what they mean on their own. A fix that fails
is rolled back with a one-line message.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import io
import os
import re
import sys
import tokenize
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flake8_lightning.config import Config
from flake8_lightning.edits import LineIndex, comments, apply_spans, edit_spans, python_lines
from flake8_lightning.engine import analyse
from flake8_lightning.registry import Finding

if TYPE_CHECKING:
    from collections.abc import Callable

MAX_PASSES = 3
Span = tuple[int, int, str]


@dataclass(frozen=True)
class Selection:
    """Which findings the run reports, and so may fix, and the Config the rules run with."""

    config: Config = field(default_factory=Config)
    #: ``keep(path, source, findings)``: the findings of one text that would be
    #: reported. The CLI passes flake8's own decision (selection, per-file-ignores,
    #: noqa); without it, every finding that no ``# noqa`` silences.
    keep: Callable[[str, str, list[Finding]], list[Finding]] | None = None


@dataclass
class Outcome:
    """What fixing one file did."""

    source: str
    updated: str
    fixed: int = 0
    remaining: int = 0
    rolled_back: list[str] = field(default_factory=list)


# -- which findings count ------------------------------------------------------------


def reportable(path: str, source: str, findings: list[Finding], selection: Selection) -> list[Finding]:
    """The findings that would be reported for ``source``."""
    if not findings:
        return []
    if selection.keep is not None:
        return selection.keep(path, source, findings)
    from flake8.processor import FileProcessor
    from flake8.violation import Violation

    options = argparse.Namespace(
        hang_closing=False, indent_size=4, max_line_length=79, max_doc_length=None,
        disable_noqa=False, stdin_display_name="stdin", verbose=0,
    )
    processor = FileProcessor(path, options, lines=python_lines(source))
    if processor.should_ignore_file():
        return []
    return [
        f
        for f in findings
        if not Violation(f.code, path, f.line, f.col + 1, f.message, processor.noqa_line_for(f.line)).is_inline_ignored(
            False
        )
    ]


# -- the safety net ----------------------------------------------------------------


def _comments(source: str) -> list[str] | None:
    found = comments(source)
    return None if found is None else sorted(found)


_AFTER_STATEMENT = re.compile(r"[ \t\f]*(?:#[^\r\n]*)?\Z")


def _span(index: LineIndex, node: ast.AST) -> tuple[int, int]:
    return index.offset(node.lineno, node.col_offset), index.offset(node.end_lineno, node.end_col_offset)


def _regions(old: str, old_tree: ast.AST, spans: list[Span]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]] | None:
    """The old and new character ranges each edit covers.

    A pure insertion is widened to the innermost statement it follows on the
    same line, so that the check sees where the inserted text lands.
    """
    index = LineIndex(old)
    statements = [_span(index, n) + (n,) for n in ast.walk(old_tree) if isinstance(n, ast.stmt)]
    old_ranges, new_ranges, shift = [], [], 0
    for start, end, text in spans:
        first = start
        if start == end:
            before = [s for s in statements if s[1] <= start and _AFTER_STATEMENT.match(old[s[1] : start])]
            if not before:
                return None
            first = max(before, key=lambda s: (s[1], s[0]))[0]
        old_ranges.append((first, end))
        new_ranges.append((first + shift, start + shift + len(text)))
        shift += len(text) - (end - start)
    return old_ranges, new_ranges


def _mask(text: str, tree: ast.AST, ranges: list[tuple[int, int]]) -> dict[int, list[ast.AST]] | None:
    """Replace, in ``tree``, the nodes inside each range by one marker; the nodes each marker stands for.

    None when some range's nodes are not one expression or one run of statements of one body.
    """
    index = LineIndex(text)
    masked: dict[int, list[ast.AST]] = {}

    def region(node: ast.AST) -> int | None:
        if not isinstance(node, (ast.stmt, ast.expr)) or getattr(node, "end_lineno", None) is None:
            return None
        start, end = _span(index, node)
        for i, (low, high) in enumerate(ranges):
            if low <= start and end <= high and start < end:
                return i
        return None

    def marker(i: int, node: ast.AST) -> ast.AST:
        name = ast.Name(id=f"__flake8_lightning_edit_{i}__", ctx=ast.Load())
        return ast.Expr(value=name) if isinstance(node, ast.stmt) else name

    ok = True
    stack = [tree]
    while stack:
        node = stack.pop()
        for name, value in ast.iter_fields(node):
            if isinstance(value, list):
                items, last = [], None
                for item in value:
                    i = region(item) if isinstance(item, ast.AST) else None
                    if i is None:
                        last = None
                        items.append(item)
                        if isinstance(item, ast.AST):
                            stack.append(item)
                        continue
                    if last == i and isinstance(item, ast.stmt):
                        masked[i].append(item)
                        continue
                    ok = ok and i not in masked
                    masked[i] = [item]
                    last = i
                    items.append(marker(i, item))
                setattr(node, name, items)
            elif isinstance(value, ast.AST):
                i = region(value)
                if i is None:
                    stack.append(value)
                else:
                    ok = ok and i not in masked
                    masked[i] = [value]
                    setattr(node, name, marker(i, value))
    if not ok or sorted(masked) != list(range(len(ranges))):
        return None
    return masked


def _means_the_same_alone(text: str, low: int, high: int, nodes: list[ast.AST]) -> bool:
    """The text of a range, parsed on its own, gives exactly the nodes it gave in place."""
    low = max(low, _span(LineIndex(text), nodes[0])[0])  # from the first node: leading blank lines are not code
    segment = text[low:high]
    try:
        if isinstance(nodes[0], ast.expr):
            alone = [ast.parse("(\n" + segment + "\n)", mode="eval").body]
        else:
            prefix = text[text.rfind("\n", 0, low) + 1 : low]
            prefix = prefix[prefix.rfind("\r") + 1 :]
            if prefix.strip():
                return False
            alone = ast.parse(f"if 1:\n{prefix}{segment}\n").body[0].body if prefix else ast.parse(segment).body
    except (SyntaxError, ValueError, RecursionError):
        return False
    return [ast.dump(n) for n in alone] == [ast.dump(n) for n in nodes]


def verify(old: str, spans: list[Span]) -> str | None:
    """Why applying ``spans`` to ``old`` would do more or less than intended; None when it is exact."""
    new = apply_spans(old, spans)
    try:
        old_tree, new_tree = ast.parse(old), ast.parse(new)
    except (SyntaxError, ValueError, RecursionError):
        return "the result does not parse"
    if _comments(old) != _comments(new):
        return "it would drop or change a comment"
    found = _regions(old, old_tree, spans)
    if found is None:
        return "the insertion point is not after a statement"
    old_ranges, new_ranges = found
    old_masked, new_masked = _mask(old, old_tree, old_ranges), _mask(new, new_tree, new_ranges)
    if old_masked is None or new_masked is None:
        return "an edit does not cover whole statements or one whole expression"
    if ast.dump(old_tree) != ast.dump(new_tree):
        return "the code around the edit would change"
    for i, (low, high) in enumerate(new_ranges):
        if not _means_the_same_alone(new, low, high, new_masked[i]):
            return "the inserted code would mean something else in place"
        if not _means_the_same_alone(old, *old_ranges[i], old_masked[i]):
            return "an edit does not cover whole statements or one whole expression"
    return None


def _overlaps(a: Span, b: Span) -> bool:
    return (a[0] < b[1] and b[0] < a[1]) or a[0] == b[0]


def _apply_checked(source: str, fixable: list[Finding]) -> tuple[str, list[tuple[Finding, str]]]:
    """``source`` with the fixes that pass ``verify``; the others, each with the reason."""
    spans = edit_spans(source, [e for f in fixable for e in f.fix])
    if verify(source, spans) is None:
        return apply_spans(source, spans), []
    accepted: list[Span] = []
    rejected: list[tuple[Finding, str]] = []
    for finding in fixable:
        own = edit_spans(source, list(finding.fix))
        reason = verify(source, own) if len(own) == len(set(finding.fix)) else "its edits overlap"
        if reason is not None:
            rejected.append((finding, reason))
            continue
        fresh = [s for s in own if s not in accepted]
        if not any(_overlaps(a, s) for a in accepted for s in fresh):
            accepted.extend(fresh)  # else it conflicts with a fix taken: the next pass offers it again
    accepted.sort()
    if accepted and verify(source, accepted) is None:
        return apply_spans(source, accepted), rejected
    return source, rejected


def fix_source(path: str, source: str, selection: Selection | None = None) -> Outcome:
    """Every available, verified fix for one file's text."""
    selection = selection or Selection()
    path = os.path.abspath(path)
    outcome = Outcome(source, source)
    found = reportable(path, source, analyse(path, source, selection.config), selection)
    before = len(found)
    reasons: dict[tuple[str, str], None] = {}
    for _ in range(MAX_PASSES):
        fixable = [f for f in found if f.fix]
        if not fixable:
            break
        updated, rejected = _apply_checked(outcome.updated, fixable)
        for finding, reason in rejected:
            reasons[(finding.code, reason)] = None
        if updated == outcome.updated:
            break
        outcome.updated = updated
        found = reportable(path, updated, analyse(path, updated, selection.config), selection)
    outcome.remaining = len(found)
    outcome.fixed = max(0, before - len(found))
    outcome.rolled_back = [f"{code} fix rolled back: {reason}" for code, reason in reasons]
    return outcome


def fixed_source(path: str, source: str) -> tuple[str, int]:
    """The source with every available fix applied, and how many findings were fixed."""
    outcome = fix_source(path, source)
    return outcome.updated, outcome.fixed


# -- files -------------------------------------------------------------------------


def _read(path: str) -> tuple[bytes, str, str] | None:
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data, data.decode(encoding), encoding
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None


_LINE_BYTES = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def unified_diff(old: bytes, new: bytes, name: str) -> bytes:
    """A diff ``patch -p1`` and ``git apply`` accept: the file's own bytes, no-newline markers."""
    header = os.fsencode(name)
    lines = difflib.diff_bytes(
        difflib.unified_diff, _LINE_BYTES.findall(old), _LINE_BYTES.findall(new), b"a/" + header, b"b/" + header
    )
    out = []
    for line in lines:
        if line.startswith((b"---", b"+++", b"@@")):
            out.append(line.rstrip(b"\r\n") + b"\n")
        elif line.endswith((b"\n", b"\r")):
            out.append(line)
        else:
            out.append(line + b"\n\\ No newline at end of file\n")
    return b"".join(out)


def diff_base(paths: list[str]) -> str:
    """The folder the diff's paths are relative to: the current one when it holds every file."""
    here = os.getcwd()
    absolute = [os.path.abspath(p) for p in paths]
    if all(os.path.commonpath([here, p]) == here for p in absolute):
        return here
    return os.path.commonpath([os.path.dirname(p) for p in absolute])


def _escapes_project(path: str) -> bool:
    """Whether a symlink on the way to ``path`` (the file or a folder) leads out of its project.

    Each symlink must point inside the project that holds the link itself.
    """
    from flake8_lightning.model.project import Project

    current = os.path.abspath(path)
    parts = []
    while True:
        parts.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for link in reversed(parts):
        if not os.path.islink(link):
            continue
        folder = os.path.dirname(link)
        root = Project.for_file(os.path.join(folder, "__init__.py")).root
        real_root = os.path.realpath(root if os.path.isdir(root) else folder)
        if os.path.commonpath([real_root, os.path.realpath(link)]) != real_root:
            return True
    return False


def _write(path: str, outcome: Outcome, encoding: str) -> bool:
    """Write the fixed text over ``path``; False, with one line on stderr, when it must not or cannot."""
    try:
        new = outcome.updated.encode(encoding)
    except UnicodeEncodeError:
        sys.stderr.write(f"flake8-lightning: not fixed {path}: the fix cannot be written in {encoding}\n")
        return False
    if _escapes_project(path):
        sys.stderr.write(f"flake8-lightning: not fixed {path}: it is a symlink leading out of the project\n")
        return False
    try:
        with open(path, "r+b") as handle:
            handle.write(new)
            handle.truncate()
    except OSError as exc:
        sys.stderr.write(f"flake8-lightning: could not write {path}: {exc.strerror or exc}\n")
        return False
    return True


def run_fixes(files: list[str], apply: bool, selection: Selection | None = None) -> int:
    """``--diff`` (apply=False) or ``--fix`` (apply=True) over ``files``.

    ``--diff`` exits 1 when it shows a change; ``--fix`` exits 1 when a
    reportable finding is left (unfixable, rolled back, or in a file that
    could not be written).
    """
    selection = selection or Selection()
    changed = total = remaining = 0
    diffs: list[tuple[str, bytes, bytes]] = []
    for path in files:
        try:
            read = _read(path)
        except OSError as exc:
            sys.stderr.write(f"flake8-lightning: could not read {path}: {exc.strerror or exc}\n")
            remaining += 1
            continue
        if read is None:
            continue
        data, source, encoding = read
        try:
            compile(source, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            continue
        except RecursionError:
            pass
        try:
            outcome = fix_source(path, source, selection)
        except (Exception, RecursionError) as exc:  # one bad file must not stop the rest
            sys.stderr.write(f"flake8-lightning: could not fix {path}: {type(exc).__name__}: {exc}\n")
            continue
        for message in outcome.rolled_back:
            sys.stderr.write(f"flake8-lightning: {path}: {message} (please report this)\n")
        remaining += outcome.remaining
        if outcome.updated == source:
            continue
        if not (apply and _write(path, outcome, encoding)):
            # The other files are analysed against the text on disk.
            analyse(os.path.abspath(path), source, selection.config)
            if apply:
                remaining += outcome.fixed
                continue
        changed += 1
        total += outcome.fixed
        if not apply:
            try:
                diffs.append((path, data, outcome.updated.encode(encoding)))
            except UnicodeEncodeError:
                sys.stderr.write(f"flake8-lightning: no diff for {path}: the fix cannot be written in {encoding}\n")
    if apply:
        sys.stderr.write(f"flake8-lightning: fixed {total} finding(s) in {changed} file(s)\n")
        return 1 if remaining else 0
    if diffs:
        base = diff_base([p for p, _, _ in diffs])
        if base != os.getcwd():
            sys.stderr.write(f"flake8-lightning: the paths in this diff are relative to {base}; apply it there\n")
        out = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
        for path, data, new in diffs:
            name = os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
            text = unified_diff(data, new, name)
            if out is None:
                sys.stdout.write(text.decode("utf-8", errors="replace"))
            else:
                sys.stdout.flush()
                out.write(text)
                out.flush()
    return 1 if diffs else 0
