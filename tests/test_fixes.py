"""Autofix: each case's before.py becomes exactly after.py, idempotently, and re-lints clean."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXES = Path(__file__).parent / "fixes"
CASES = sorted(p for p in FIXES.iterdir() if p.is_dir())


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flake8_lightning", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def case_dir(tmp_path: Path, request) -> Path:
    (tmp_path / "pyproject.toml").write_text("")
    shutil.copy(request.param / "before.py", tmp_path / "model.py")
    return tmp_path


@pytest.mark.parametrize("case_dir", CASES, ids=[c.name for c in CASES], indirect=True)
def test_fix_gives_expected_text_idempotently(case_dir, request):
    case = request.node.callspec.params["case_dir"]
    before = (case / "before.py").read_text()
    after = (case / "after.py").read_text()
    diff = cli("--diff", "model.py", cwd=case_dir)
    assert diff.returncode == (0 if before == after else 1)
    assert (case_dir / "model.py").read_text() == before  # --diff changes nothing
    if before != after:
        # The diff, applied with patch(1) to the untouched file, gives the fixed text.
        patched = subprocess.run(["patch", "-p1", "-o", "-"], input=diff.stdout, cwd=case_dir, capture_output=True, text=True)
        assert patched.returncode == 0 and patched.stdout.endswith(after), patched.stderr
    assert cli("--fix", "model.py", cwd=case_dir).returncode == 0
    assert (case_dir / "model.py").read_text() == after
    assert cli("--fix", "model.py", cwd=case_dir).returncode == 0
    assert (case_dir / "model.py").read_text() == after  # idempotent


@pytest.mark.parametrize("case_dir", [c for c in CASES if (c / "before.py").read_text() != (c / "after.py").read_text()],
                         ids=lambda c: c.name, indirect=True)
def test_fixed_code_relints_clean_for_the_fixed_rules(case_dir):
    cli("--fix", "model.py", cwd=case_dir)
    remaining = cli("--select=LTN001,LTN002", "model.py", cwd=case_dir)
    assert remaining.returncode == 0, remaining.stdout
