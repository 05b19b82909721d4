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

from flake8_lightning.checker import Checker
from flake8_lightning.config import Config
from flake8_lightning.edits import apply_edits
from flake8_lightning.engine import analyse

MAX_PASSES = 3


def fixed_source(path: str, source: str, config: Config | None = None) -> tuple[str, int]:
    """The source with every available fix applied, and how many findings were fixed."""
    count = 0
    for _ in range(MAX_PASSES):
        findings = analyse(os.path.abspath(path), source, Checker.config if config is None else config)
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


def run_fixes(files: list[str], apply: bool, config: Config | None = None) -> int:
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
            updated, count = fixed_source(path, source, config)
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
