"""The real ``flake8`` executable with the plugin installed, as users run it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness import FIXTURES, materialize

MODEL = textwrap.dedent(
    """\
    import torch
    import lightning as L


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.automatic_optimization = False

        def configure_optimizers(self):
            self.optimizer = torch.optim.Adam(self.parameters())
            return self.optimizer

        def training_step(self, batch, batch_idx):
            opt = self.optimizers()
            self.manual_backward(batch.sum())
            opt.step()
    """
)
BUGGY = MODEL.replace("opt = self.optimizers()", "opt = self.optimizer")


def flake8(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--select=LTN,E999", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    return tmp_path


def test_version_lists_plugin(project):
    out = subprocess.run(
        [sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert "flake8-lightning" in out


def test_help_documents_options(project):
    out = subprocess.run(
        [sys.executable, "-m", "flake8", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--lightning-source-roots" in out


def test_reports_line_and_flake8_column(project):
    (project / "model.py").write_text(BUGGY)
    result = flake8("model.py", cwd=project)
    assert result.returncode == 1
    # `opt = self.optimizer` on line 15: `self` starts at 0-based column 14.
    assert result.stdout.splitlines() == [
        "model.py:15:15: LTN001 raw optimizer 'self.optimizer' is stepped, so global_step "
        "stays 0 and no checkpoint is saved; use self.optimizers()"
    ]
    assert result.stderr == ""


def test_clean_file_exits_zero(project):
    (project / "model.py").write_text(MODEL)
    result = flake8("model.py", cwd=project)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize(
    ("comment", "silenced"),
    [("  # noqa: LTN001", True), ("  # noqa:LTN001,E501", True), ("  # noqa", True), ("  # noqa: E501", False)],
)
def test_noqa(project, comment, silenced):
    (project / "model.py").write_text(BUGGY.replace("opt = self.optimizer\n", f"opt = self.optimizer{comment}\n"))
    result = flake8("model.py", cwd=project)
    assert ("LTN001" not in result.stdout) is silenced


def test_per_file_ignores(project):
    (project / "model.py").write_text(BUGGY)
    assert "LTN001" in flake8("model.py", cwd=project).stdout
    result = flake8("--per-file-ignores=model.py:LTN001", "model.py", cwd=project)
    assert result.stdout == ""


def test_stdin_uses_the_unsaved_buffer_not_the_disk(project):
    (project / "model.py").write_text(MODEL)  # the saved file is clean
    result = flake8("--stdin-display-name=model.py", "-", cwd=project, stdin=BUGGY)
    assert [line.split(" ")[0] for line in result.stdout.splitlines()] == ["model.py:15:15:"]

    (project / "model.py").write_text(BUGGY)  # the saved file is buggy, the buffer fixed
    result = flake8("--stdin-display-name=model.py", "-", cwd=project, stdin=MODEL)
    assert result.stdout == ""


def test_stdin_resolves_other_project_files_from_disk(project):
    pkg = project / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "base.py").write_text(MODEL.replace("class Model", "class Base"))
    child = "from pkg.base import Base\n\n\nclass Child(Base):\n    def on_train_batch_end(self, *args):\n        self.optimizer.step()\n"
    result = flake8("--stdin-display-name=pkg/child.py", "-", cwd=project, stdin=child)
    assert [line.split(" ")[:2] for line in result.stdout.splitlines()] == [["pkg/child.py:6:9:", "LTN001"]]


def test_jobs_do_not_change_results(tmp_path):
    root = materialize(FIXTURES / "LTN001" / "bad_subclass_in_other_file", tmp_path)
    for extra in (FIXTURES / "LTN002").glob("*.py"):
        (root / extra.name).write_text(extra.read_text())
    one = flake8("--jobs=1", ".", cwd=root)
    two = flake8("--jobs=2", ".", cwd=root)
    assert one.stdout and sorted(one.stdout.splitlines()) == sorted(two.stdout.splitlines())
    assert one.stderr == two.stderr == ""


def test_syntax_error_gives_only_e999(project):
    (project / "broken.py").write_text("def f(:\n    self.optimizer.step()\n")
    result = flake8("broken.py", cwd=project)
    assert "E999" in result.stdout and "LTN" not in result.stdout and "Traceback" not in result.stderr


def test_stdin_monitor_checked_against_model_in_another_file(project):
    (project / "model.py").write_text(
        "import lightning as L\n\n\nclass Net(L.LightningModule):\n"
        "    def validation_step(self, batch, batch_idx):\n        self.log('val_accuracy', 1.0)\n"
    )
    train = (
        "from lightning import Trainer\nfrom lightning.pytorch.callbacks import ModelCheckpoint\n"
        "from model import Net\n\n"
        "Trainer(callbacks=[ModelCheckpoint(monitor='{name}', mode='max')]).fit(Net())\n"
    )
    (project / "train.py").write_text(train.format(name="val_accuracy"))  # saved: fine
    result = flake8("--stdin-display-name=train.py", "-", cwd=project, stdin=train.format(name="val_acc"))
    assert result.stdout.splitlines() == [
        "train.py:5:44: LTN003 monitor 'val_acc' is never logged with self.log, so no checkpoint "
        "is saved or fit fails; did you mean 'val_accuracy'?"
    ]


def test_every_rule_fires_in_the_bundled_examples():
    from flake8_lightning.registry import RULES

    root = Path(__file__).resolve().parent.parent
    result = flake8("examples/", cwd=root)
    fired = {line.split(" ")[1] for line in result.stdout.splitlines()}
    assert fired == set(RULES), f"examples do not show {set(RULES) - fired}"
    assert result.stderr == ""


def test_options_from_setup_cfg(project):
    (project / "libs" / "core" / "corelib").mkdir(parents=True)
    (project / "libs" / "core" / "corelib" / "__init__.py").write_text("")
    (project / "libs" / "core" / "corelib" / "base.py").write_text(MODEL.replace("class Model", "class Base"))
    (project / "model.py").write_text(
        "from corelib.base import Base\n\n\nclass M(Base):\n    def training_step(self, b, i):\n        self.optimizer.step()\n"
    )
    assert flake8("model.py", cwd=project).stdout == ""
    (project / "setup.cfg").write_text("[flake8]\nlightning-source-roots = libs/core\n")
    assert [line.split(" ")[1] for line in flake8("model.py", cwd=project).stdout.splitlines()] == ["LTN001"]


def test_bad_lightning_version_is_a_clear_error(project):
    (project / "model.py").write_text(MODEL)
    result = flake8("--lightning-version=two", "model.py", cwd=project)
    assert result.returncode != 0 and "--lightning-version must look like 2 or 1.9" in result.stderr
    assert "Traceback" not in result.stderr


def test_results_do_not_depend_on_installed_packages(tmp_path):
    """Decoy torch/lightning packages on the path change nothing: third-party code is never read."""
    root = materialize(FIXTURES / "LTN003" / "bad_seed_case_between_files", tmp_path)
    for extra in (FIXTURES / "LTN001").glob("*.py"):
        (root / extra.name).write_text(extra.read_text())
    site = tmp_path / "site"
    for package, body in {
        "lightning": "class LightningModule:\n    automatic_optimization = False\n",
        "torch": "raise ImportError('importing torch would be a bug')\n",
        "pytorch_lightning": "from lightning import *\n",
    }.items():
        (site / package).mkdir(parents=True)
        (site / package / "__init__.py").write_text(body)
    plain = flake8(".", cwd=root)
    env = {**os.environ, "PYTHONPATH": str(site)}
    decoyed = subprocess.run(
        [sys.executable, "-m", "flake8", "--select=LTN,E999", "."], cwd=root, env=env, capture_output=True, text=True
    )
    assert plain.stdout and sorted(plain.stdout.splitlines()) == sorted(decoyed.stdout.splitlines())
    assert decoyed.stderr == ""
