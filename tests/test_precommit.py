"""The shipped pre-commit hook, run by pre-commit itself in a fresh git repository.

pre-commit installs this repository's committed HEAD into its own environment
(pip, from the registry), so this test needs the network to PyPI and checks
what is committed, not the working tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUGGY = """\
import torch
import lightning as L


class Model(L.LightningModule):
    automatic_optimization = False

    def configure_optimizers(self):
        self.optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        return self.optimizer

    def training_step(self, batch, batch_idx):
        self.manual_backward(batch.sum())
        self.optimizer.step()
"""
FIXED = BUGGY.replace("self.optimizer.step()", "self.optimizers().step()")

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "PRE_COMMIT_HOME": str(cwd.parent / "pre-commit-cache"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=check, timeout=900)


def test_hook_blocks_a_finding_then_passes_the_fix_and_python_free_commits(tmp_path):
    pytest.importorskip("pre_commit")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode != 0 or not (ROOT / ".pre-commit-hooks.yaml").exists():
        pytest.skip("needs this repository as a git checkout")
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT.as_uri()}\n    rev: {head.stdout.strip()}\n    hooks:\n      - id: flake8-lightning\n"
    )
    (repo / "pyproject.toml").write_text("")
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache")})

    (repo / "model.py").write_text(BUGGY)
    git("add", ".", cwd=repo)
    blocked = git("commit", "-m", "buggy", cwd=repo, check=False)
    assert blocked.returncode != 0
    assert "LTN001" in blocked.stdout + blocked.stderr

    (repo / "model.py").write_text(FIXED)
    git("add", ".", cwd=repo)
    assert git("commit", "-m", "fixed", cwd=repo, check=False).returncode == 0

    (repo / "NOTES.md").write_text("no Python here\n")
    git("add", "NOTES.md", cwd=repo)
    docs_only = git("commit", "-m", "docs only", cwd=repo, check=False)
    assert docs_only.returncode == 0, docs_only.stdout + docs_only.stderr
