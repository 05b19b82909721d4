"""Strict mode proves the tests can see a crash; users still get one clear line.

A fault is injected into the engine's walk. Under the suite's strict mode the
robustness-style and property-style checks then fail; without it, the real
flake8 prints one line per file and the run goes on.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from flake8_lightning import engine
from flake8_lightning.checker import STRICT_ENV, Checker

MODEL = textwrap.dedent(
    """\
    import torch
    import lightning as L


    class Model(L.LightningModule):
        def configure_optimizers(self):
            self.optimizer = torch.optim.Adam(self.parameters())
            return self.optimizer

        def training_step(self, batch, batch_idx):
            self.optimizer.step()
    """
)


class InjectedFault(RuntimeError):
    pass


def _boom(module):  # noqa: ANN001
    raise InjectedFault("injected by the test")


@pytest.fixture
def faulty_engine(monkeypatch):
    monkeypatch.setattr(engine, "walk", _boom)


def test_suite_runs_strict():
    import os

    assert os.environ.get(STRICT_ENV) == "1"


def test_robustness_style_check_fails_on_an_engine_fault(tmp_path, faulty_engine):
    from test_robustness import run_checker

    (tmp_path / "pyproject.toml").write_text("")
    path = tmp_path / "model.py"
    path.write_text(MODEL)
    with pytest.raises(InjectedFault):
        run_checker(path)


def test_property_style_check_fails_on_an_engine_fault(tmp_path, faulty_engine):
    pytest.importorskip("hypothesis")
    from test_properties import check

    with pytest.raises(InjectedFault):
        check(tmp_path, MODEL)


def test_fixture_harness_fails_on_an_engine_fault(tmp_path, faulty_engine):
    from harness import findings, materialize

    (tmp_path / "case.py").write_text(MODEL)
    with pytest.raises(InjectedFault):
        findings(materialize(tmp_path / "case.py", tmp_path))


def test_users_get_one_clear_line_and_the_run_goes_on(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(STRICT_ENV)
    monkeypatch.setattr(engine, "walk", _boom)
    (tmp_path / "pyproject.toml").write_text("")
    path = tmp_path / "model.py"
    path.write_text(MODEL)
    assert list(Checker(None, str(path), MODEL.splitlines(keepends=True)).run()) == []
    err = capsys.readouterr().err
    assert err == (
        f"flake8-lightning: internal error in {path}, file not checked: "
        "InjectedFault: injected by the test (please report this bug)\n"
    )


def test_real_flake8_reports_the_fault_and_checks_the_other_files(tmp_path):
    """Non-strict, through flake8 itself: a warning line per file, other plugins' findings kept."""
    (tmp_path / "pyproject.toml").write_text("")
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text("import os\n" + MODEL)
    script = (
        "import sys\n"
        "import flake8_lightning.engine as engine\n"
        "def boom(module):\n"
        "    raise RuntimeError('injected')\n"
        "engine.walk = boom\n"
        "from flake8.main.cli import main\n"
        "main(['--jobs=1', '--select=LTN,F401', 'a.py', 'b.py'])\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != STRICT_ENV}
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert result.stdout.count("F401") == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and all(
        line.startswith("flake8-lightning: internal error in ") and line.endswith("(please report this bug)")
        for line in lines
    ), result.stderr
