"""Run fixture cases through the engine and compare whole result sets.

A case is one ``.py`` file or a folder (a multi-file project). Each line that
must be reported carries an expectation comment::

    self.optimizer.step()  # expect: LTN001:9

``LTN001:9`` means code LTN001 at column 9 as flake8 prints it (1-based);
``LTN001`` alone leaves the column unchecked. Several are separated by commas.
Every finding not expected, and every expectation not found, fails the case.
Each case is copied into a fresh folder with a ``pyproject.toml`` marker so it
is a project of its own. A folder may hold ``config.json`` with Config fields.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from flake8_lightning.config import Config
from flake8_lightning.engine import analyse

FIXTURES = Path(__file__).parent / "fixtures"
EXPECT_RE = re.compile(r"#\s*expect:\s*([A-Z0-9:, ]+)")


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
    marker = root / "pyproject.toml"
    if not marker.exists():
        marker.write_text("[project]\nname = 'fixture'\n")
    return root


def expectations(root: Path) -> list[tuple[str, int, str, int | None]]:
    expected = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for lineno, line in enumerate(path.read_text().splitlines(), start=1):
            match = EXPECT_RE.search(line)
            if not match:
                continue
            for item in filter(None, (i.strip() for i in match.group(1).split(","))):
                code, _, col = item.partition(":")
                expected.append((rel, lineno, code, int(col) if col else None))
    return sorted(expected, key=str)


def config_of(root: Path) -> Config:
    cfg = root / "config.json"
    if not cfg.exists():
        return Config()
    data = json.loads(cfg.read_text())
    if "source_roots" in data:
        data["source_roots"] = tuple(str(root / r) for r in data["source_roots"])
    return Config(**data)


def findings(root: Path, order: list[Path] | None = None) -> list[tuple[str, int, str, int]]:
    """(file, line, code, 1-based column) for every finding in every file of ``root``."""
    config = config_of(root)
    found = []
    for path in order or sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for f in analyse(str(path), path.read_text(), config):
            found.append((rel, f.line, f.code, f.col + 1))
    return sorted(found, key=str)


def shaped_like(actual, expected):
    """Drop the column of findings whose expectation does not state one."""
    with_col = {(f, ln, c) for f, ln, c, col in expected if col is not None}
    return sorted(
        ((f, ln, c, col if (f, ln, c) in with_col else None) for f, ln, c, col in actual), key=str
    )
