"""Run fixture cases through the engine and compare whole result sets.

A case is one ``.py`` file or a folder (a multi-file project). Each line that
must be reported carries an expectation comment::

    self.optimizer.step()  # expect: LTN001:9 "the full message ..."

``LTN001:9`` means code LTN001 at column 9 as flake8 prints it (1-based);
``LTN001`` alone leaves the column unchecked. The double-quoted text is the
whole message after the code (``\"`` for a double quote inside it); without
it the message is unchecked, which ``test_every_expectation_states_its_message``
reports. Several findings on one line are separated by commas::

    x = 1  # expect: LTN003:5 "monitor 'a' ...", LTN105:5 "monitor 'a' ..."

Every finding not expected, and every expectation not found, fails the case.
Each case is copied into a fresh folder with a ``pyproject.toml`` marker so it
is a project of its own, without its expectation comments (a rule reading the
project's text must not see the messages they quote). A folder may hold ``config.json`` with Config fields.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from flake8_lightning.config import Config
from flake8_lightning.engine import analyse
from flake8_lightning.registry import RULES

FIXTURES = Path(__file__).parent / "fixtures"
EXPECT_RE = re.compile(r"#\s*expect:\s*(.*)$")
STRIP_RE = re.compile(r"[ \t]*#\s*expect:.*$", re.MULTILINE)
ITEM_RE = re.compile(r'\s*(LTN\d{3})(?::(\d+))?(?:\s+"((?:[^"\\]|\\.)*)")?\s*(?:,|$)')

Expectation = tuple  # (file, line, code, 1-based column or None, message or None)


def cases(rule: str | None = None) -> list[Path]:
    found = []
    for rule_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        if rule and rule_dir.name != rule:
            continue
        found.extend(p for p in sorted(rule_dir.iterdir()) if p.suffix == ".py" or p.is_dir())
    return found


def case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def materialize(case: Path, tmp: Path) -> Path:
    """Copy a case into ``tmp`` as a project of its own; return the project folder."""
    root = tmp / "project"
    if case.is_dir():
        shutil.copytree(case, root)
    else:
        root.mkdir()
        shutil.copy(case, root / case.name)
    for path in root.rglob("*.py"):
        text = path.read_text()
        stripped = STRIP_RE.sub("", text)
        if stripped != text:
            path.write_text(stripped)
    marker = root / "pyproject.toml"
    if not marker.exists():
        marker.write_text("[project]\nname = 'fixture'\n")
    return root


def parse_expectation(text: str) -> list[tuple[str, int | None, str | None]]:
    """``LTN001:9 "msg", LTN002`` -> [(code, column, message), ...]; a malformed one raises."""
    items, pos = [], 0
    while pos < len(text.rstrip()):
        match = ITEM_RE.match(text, pos)
        if not match or match.end() == pos:
            raise ValueError(f"malformed expectation at {text[pos:]!r}")
        code, col, message = match.groups()
        if message is not None:
            message = re.sub(r"\\(.)", r"\1", message)
        items.append((code, int(col) if col else None, message))
        pos = match.end()
    return items


def expectations(case: Path) -> list[Expectation]:
    """What the comments of a case (a file, or a folder of files) expect."""
    expected = []
    for path in sorted(case.rglob("*.py")) if case.is_dir() else [case]:
        rel = path.relative_to(case).as_posix() if case.is_dir() else case.name
        for lineno, line in enumerate(path.read_text().splitlines(), start=1):
            match = EXPECT_RE.search(line)
            if match:
                try:
                    items = parse_expectation(match.group(1))
                except ValueError as exc:
                    raise ValueError(f"{rel}:{lineno}: {exc}") from None
                expected.extend((rel, lineno, code, col, message) for code, col, message in items)
    return sorted(expected, key=str)


def config_of(root: Path) -> Config:
    cfg = root / "config.json"
    if not cfg.exists():
        return Config()
    data = json.loads(cfg.read_text())
    if "source_roots" in data:
        data["source_roots"] = tuple(str(root / r) for r in data["source_roots"])
    return Config(**data)


def findings(root: Path, order: list[Path] | None = None, every_rule: bool = False) -> list[Expectation]:
    """(file, line, code, 1-based column, message) for every finding in every file of ``root``.

    ``every_rule`` bypasses the prefilter: every rule runs on every file.
    """
    config = config_of(root)
    codes = sorted(RULES) if every_rule else None
    found = []
    for path in order or sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for f in analyse(str(path), path.read_text(), config, codes):
            found.append((rel, f.line, f.code, f.col + 1, f.message))
    return sorted(found, key=str)


def shaped_like(actual, expected):
    """Drop the column and message of findings whose expectation does not state them."""
    with_col = {(f, ln, c) for f, ln, c, col, _ in expected if col is not None}
    with_msg = {(f, ln, c) for f, ln, c, _, msg in expected if msg is not None}
    return sorted(
        (
            (f, ln, c, col if (f, ln, c) in with_col else None, msg if (f, ln, c) in with_msg else None)
            for f, ln, c, col, msg in actual
        ),
        key=str,
    )


def lacking_messages() -> list[str]:
    """``LTN001/bad_x.py:12 LTN001`` for every expectation in the fixtures that states no message."""
    lacking = []
    for case in cases():
        files = sorted(case.rglob("*.py")) if case.is_dir() else [case]
        for path in files:
            for lineno, line in enumerate(path.read_text().splitlines(), start=1):
                match = EXPECT_RE.search(line)
                if match:
                    for code, _, message in parse_expectation(match.group(1)):
                        if message is None:
                            lacking.append(f"{path.relative_to(FIXTURES).as_posix()}:{lineno} {code}")
    return lacking
