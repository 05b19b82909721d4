"""Bad input gives a finding, silence, or one warning line: never a traceback or a hang."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_lightning.checker import Checker

MODEL = textwrap.dedent(
    """\
    import torch
    import lightning as L


    class Model(L.LightningModule):
        automatic_optimization = False  # a raw step under automatic optimization is LTN103's

        def configure_optimizers(self):
            self.optimizer = torch.optim.Adam(self.parameters())
            return self.optimizer

        def training_step(self, batch, batch_idx):
            self.optimizer.step()
    """
)


def run_checker(path: Path, text: str | None = None) -> list[tuple[int, int, str]]:
    source = path.read_text(encoding="latin-1") if text is None else text
    checker = Checker(None, str(path), source.splitlines(keepends=True))
    return [(line, col, msg.split()[0]) for line, col, msg, _ in checker.run()]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("")
    return tmp_path


def test_deeply_nested_expression_is_analysed(project, capsys):
    chain = " + ".join(["self.optimizer.step()"] * 600)
    path = project / "deep.py"
    path.write_text(MODEL.replace("self.optimizer.step()", "x = " + chain))
    found = run_checker(path)
    assert len(found) == 600 and {code for *_, code in found} == {"LTN001"}
    assert capsys.readouterr().err == ""
    assert sys.getrecursionlimit() < 6000  # restored


def test_nesting_beyond_any_limit_gives_one_warning_line(project, capsys):
    chain = " + ".join(["self.optimizer.step()"] * 20000)
    path = project / "deeper.py"
    path.write_text(MODEL.replace("self.optimizer.step()", "x = " + chain))
    assert run_checker(path) == []
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "flake8-lightning: skipped" in err and "deeper.py" in err


def test_file_that_is_not_utf8(project, capsys):
    path = project / "latin.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\nNAME = '\xe9'\n" + MODEL.encode())
    assert [code for *_, code in run_checker(path)] == ["LTN001"]
    assert capsys.readouterr().err == ""


def test_other_project_file_undecodable(project, capsys):
    (project / "junk.py").write_bytes(b"\xff\xfe\x00garbage = 1\n")
    (project / "base.py").write_text(MODEL.replace("self.optimizer.step()", "pass"))
    child = project / "child.py"
    child.write_text("from junk import garbage\nfrom base import Model\n\n\nclass C(Model):\n    def f(self):\n        self.optimizer.step()\n")
    assert run_checker(child) == [(7, 8, "LTN001")]
    assert capsys.readouterr().err == ""


def test_fifty_thousand_lines(project):
    filler = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(12500))
    path = project / "big.py"
    path.write_text(MODEL + filler)
    assert [code for *_, code in run_checker(path)] == ["LTN001"]


def test_import_cycle_between_project_modules(project):
    (project / "a.py").write_text("from b import Base\n")
    (project / "b.py").write_text("from a import Base\n")
    path = project / "model.py"
    path.write_text(
        "from a import Base\n\n\nclass M(Base):\n    def training_step(self, b, i):\n        self.manual_backward(b)\n        self.optimizer.step()\n"
    )
    assert run_checker(path) == []


def test_class_hierarchy_cycle(project):
    path = project / "model.py"
    path.write_text(
        "import lightning as L\n\n\nclass A(B):\n    pass\n\n\nclass B(A):\n    def training_step(self, b, i):\n        self.manual_backward(b)\n"
    )
    assert run_checker(path) == []


def test_project_module_shadowing_lightning_and_stdlib(project):
    (project / "lightning.py").write_text("LightningModule = object\n")
    (project / "abc.py").write_text("ABC = 1\n")
    path = project / "model.py"
    path.write_text("import abc\n" + MODEL)
    assert [code for *_, code in run_checker(path)] == ["LTN001"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_loop_in_project(project):
    (project / "loop").mkdir()
    os.symlink(project, project / "loop" / "back")
    os.symlink(project / "nowhere", project / "dangling.py")
    path = project / "model.py"
    automatic = MODEL.replace("automatic_optimization = False", "automatic_optimization = True")
    path.write_text(automatic.replace("self.optimizer.step()", "self.manual_backward(batch)"))
    assert [code for *_, code in run_checker(path)] == ["LTN002"]


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else False, reason="root reads everything")
def test_unreadable_project_file(project):
    secret = project / "secret.py"
    secret.write_text("X = 1\n")
    secret.chmod(0)
    path = project / "model.py"
    path.write_text("from secret import X\n" + MODEL)
    assert [code for *_, code in run_checker(path)] == ["LTN001"]


def test_unreadable_project_file_as_root(project, monkeypatch):
    """Simulate an unreadable file even where the tests run as root.

    Project files are opened with ``os.open`` (after checking they are regular
    files), so that is what is denied. Read, ``secret.py`` would make M an
    automatic-optimization module and give LTN002: silence shows it was not.
    """
    real_open = os.open
    denied = []

    def deny(path, *args, **kwargs):
        if str(path).endswith("secret.py"):
            denied.append(path)
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    (project / "secret.py").write_text("import lightning as L\n\n\nclass Model(L.LightningModule):\n    pass\n")
    monkeypatch.setattr(os, "open", deny)
    path = project / "model.py"
    path.write_text("from secret import Model as Base\n\n\nclass M(Base):\n    def training_step(self, b, i):\n        self.manual_backward(b)\n")
    assert run_checker(path) == []
    assert denied
