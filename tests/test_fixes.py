"""Autofix: each case's before becomes exactly after, idempotently; the diff applies; nothing is damaged.

A case under tests/fixes/ is a folder with either ``before.py``/``after.py``
(checked as ``model.py``) or ``before/``/``after/`` project folders; an
optional ``args.txt`` holds extra command-line arguments, one a line. Files
are compared as bytes: encodings, line endings and a missing final newline
are part of what must be kept.
"""

from __future__ import annotations

import ast
import builtins
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXES = Path(__file__).parent / "fixes"
CASES = sorted(p for p in FIXES.iterdir() if p.is_dir())
HAS_GIT = shutil.which("git") is not None
HAS_PATCH = shutil.which("patch") is not None


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8_lightning", *args], cwd=cwd, capture_output=True, timeout=120
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix == ".py"
    }


def lay_out(case: Path, side: str, into: Path) -> dict[str, bytes]:
    """The case's ``side`` ('before' or 'after') as a {path: bytes} project."""
    if (case / side).is_dir():
        return tree(case / side)
    return {"model.py": (case / f"{side}.py").read_bytes()}


def write(into: Path, files: dict[str, bytes]) -> None:
    (into / "pyproject.toml").write_text("")
    for name, data in files.items():
        (into / name).parent.mkdir(parents=True, exist_ok=True)
        (into / name).write_bytes(data)


def case_args(case: Path) -> list[str]:
    extra = case / "args.txt"
    return extra.read_text().split() if extra.exists() else []


def applies(tool: list[str], diff: bytes, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(tool, input=diff, cwd=cwd, capture_output=True, timeout=60)


def fixed_count(result: subprocess.CompletedProcess) -> int:
    return int(result.stderr.decode().rsplit("fixed ", 1)[1].split(" ")[0])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fix_gives_expected_bytes_idempotently(case: Path, tmp_path: Path) -> None:
    before, after = lay_out(case, "before", tmp_path), lay_out(case, "after", tmp_path)
    args = case_args(case)
    project = tmp_path / "project"
    project.mkdir()
    write(project, before)
    found_before = cli(*args, ".", cwd=project).stdout.splitlines()
    diff = cli("--diff", *args, ".", cwd=project)
    assert diff.returncode == (0 if before == after else 1), diff.stderr
    assert b"Traceback" not in diff.stderr
    assert tree(project) == before  # --diff changes nothing
    if before != after:
        # The diff applies, with patch(1) and with git apply, and gives exactly the fixed bytes.
        for tool in (["patch", "-p1", "--quiet"], ["git", "apply", "-"]):
            if not shutil.which(tool[0]):
                continue
            copy = tmp_path / tool[0]
            shutil.copytree(project, copy)
            done = applies(tool, diff.stdout, copy)
            assert done.returncode == 0, done.stderr + done.stdout
            assert {k: v for k, v in tree(copy).items() if not k.endswith(".orig")} == after, tool
    fixed = cli("--fix", *args, ".", cwd=project)
    assert b"Traceback" not in fixed.stderr and b"rolled back" not in fixed.stderr
    assert tree(project) == after
    # --fix exits 1 exactly when reportable findings are left, as the plain run says,
    # and "fixed N" counts the findings that went away.
    found_after = cli(*args, ".", cwd=project)
    assert fixed.returncode == found_after.returncode, fixed.stderr
    assert fixed_count(fixed) == len(found_before) - len(found_after.stdout.splitlines())
    assert (fixed_count(fixed) >= 1) == (before != after)
    again = cli("--fix", *args, ".", cwd=project)
    assert tree(project) == after  # idempotent
    assert b"fixed 0 finding(s) in 0 file(s)" in again.stderr
    for name, data in after.items():
        compile(data, name, "exec", dont_inherit=True)


# -- the counts and the exit status ---------------------------------------------------

GAN = (FIXES / "ltn001_two_optimizers" / "before.py").read_text()


def test_fixed_count_counts_findings_not_passes(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "model.py").write_text((FIXES / "ltn002_insert_after_super" / "before.py").read_text())
    (tmp_path / "gan.py").write_text(GAN)
    findings = len(cli(".", cwd=tmp_path).stdout.splitlines())
    result = cli("--fix", ".", cwd=tmp_path)
    assert result.stderr.decode().strip().endswith(f"fixed {findings} finding(s) in 2 file(s)")
    assert result.returncode == 0


def test_fix_exits_1_when_unfixable_findings_remain(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "model.py").write_text((FIXES / "ltn001_not_certain" / "before.py").read_text())
    assert cli(".", cwd=tmp_path).returncode == 1
    result = cli("--fix", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert b"fixed 0 finding(s) in 0 file(s)" in result.stderr


# -- F9: paths in the diff ---------------------------------------------------------


def _fixable_project(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text("")
    (root / "model.py").write_bytes((FIXES / "f7_no_trailing_newline" / "before.py").read_bytes())
    return root


@pytest.mark.parametrize("how", ["absolute", "dotdot"])
def test_diff_paths_apply_with_patch_and_git(tmp_path: Path, how: str) -> None:
    project = _fixable_project(tmp_path / "proj")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = str(project / "model.py") if how == "absolute" else "../proj/model.py"
    result = cli("--diff", target, cwd=elsewhere)
    assert result.returncode == 1
    assert b"a/model.py" in result.stdout and b"//" not in result.stdout and b"../" not in result.stdout
    assert str(project).encode() in result.stderr  # it says where to apply it
    after = (FIXES / "f7_no_trailing_newline" / "after.py").read_bytes()
    for tool in (["patch", "-p1", "--quiet"], ["git", "apply", "-"]):
        if not shutil.which(tool[0]):
            continue
        copy = tmp_path / tool[0]
        shutil.copytree(project, copy)
        assert applies(tool, result.stdout, copy).returncode == 0
        assert (copy / "model.py").read_bytes() == after


def test_absolute_path_inside_the_current_folder(tmp_path: Path) -> None:
    project = _fixable_project(tmp_path / "proj")
    result = cli("--diff", str(project / "model.py"), cwd=project)
    assert result.stdout.startswith(b"--- a/model.py\n+++ b/model.py\n")
    assert result.stderr == b""


# -- files that must not or cannot be written -----------------------------------------


def test_fix_never_writes_through_a_symlink_out_of_the_project(tmp_path: Path) -> None:
    outside = _fixable_project(tmp_path / "outside")
    original = (outside / "model.py").read_bytes()
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text("")
    (project / "model.py").symlink_to(outside / "model.py")
    (project / "sub").symlink_to(outside, target_is_directory=True)
    result = cli("--fix", "model.py", "sub/model.py", cwd=project)
    assert (outside / "model.py").read_bytes() == original
    assert result.stderr.count(b"symlink leading out of the project") == 2
    assert result.returncode == 1


def test_a_file_that_cannot_be_written_gives_one_line_and_the_rest_are_fixed(tmp_path, monkeypatch, capsys) -> None:
    from flake8_lightning import cli as command

    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text("")
    for name in ("a.py", "b.py", "c.py"):
        (project / name).write_bytes((FIXES / "f7_no_trailing_newline" / "before.py").read_bytes())
    real_open = builtins.open

    def read_only_b(file, mode="r", *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if str(file).endswith("b.py") and any(c in mode for c in "wa+"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.chdir(project)
    monkeypatch.setattr(builtins, "open", read_only_b)
    status = command.main(["--fix", "."])
    err = capsys.readouterr().err
    after = (FIXES / "f7_no_trailing_newline" / "after.py").read_bytes()
    assert (project / "a.py").read_bytes() == after and (project / "c.py").read_bytes() == after
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if "b.py" in line] == [
        "flake8-lightning: could not write ./b.py: Permission denied"
    ]
    assert "fixed 2 finding(s) in 2 file(s)" in err
    assert status == 1


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write read-only files")
def test_read_only_file_for_real(tmp_path: Path) -> None:
    project = _fixable_project(tmp_path / "proj")
    (project / "model.py").chmod(0o444)
    result = cli("--fix", ".", cwd=project)
    assert b"Traceback" not in result.stderr and b"could not write" in result.stderr
    assert result.returncode == 1


# -- the safety net ------------------------------------------------------------------


def test_verify_accepts_the_intended_edit_and_nothing_else() -> None:
    from flake8_lightning.edits import Edit, edit_spans
    from flake8_lightning.fixes import verify

    one_line = "class M:\n    def __init__(self): super().__init__()\n\n    x = 1\n"
    # F1's old edit: a statement at class level, after a one-line def.
    assert verify(one_line, edit_spans(one_line, [Edit.insert(3, 0, "    self.a = False\n")])) is not None
    # The same text appended to the def's line lands in the class body too.
    assert verify(one_line, edit_spans(one_line, [Edit.insert(2, 42, "\n    self.a = False")])) is not None
    ok = "class M:\n    def __init__(self):\n        super().__init__()  # c\n"
    assert verify(ok, edit_spans(ok, [Edit.insert(3, 31, "\n        self.a = False")])) is None
    expr = "y = x * a\n"
    assert verify(expr, edit_spans(expr, [Edit(1, 8, 1, 9, "b")])) is None
    assert verify(expr, edit_spans(expr, [Edit(1, 8, 1, 9, "b + c")])) is not None  # binds differently
    assert verify(expr, edit_spans(expr, [Edit(1, 5, 1, 6, "")])) is not None  # not a whole node
    commented = "f(a,  # why\n  b)\n"
    assert verify(commented, edit_spans(commented, [Edit(1, 0, 2, 4, "g()")])) is not None  # drops a comment
    assert verify(expr, edit_spans(expr, [Edit(1, 8, 1, 9, "(")])) is not None  # does not parse


def test_a_fix_that_fails_the_check_is_rolled_back_with_a_message(tmp_path, monkeypatch) -> None:
    from flake8_lightning import fixes
    from flake8_lightning.edits import Edit
    from flake8_lightning.engine import Finding

    source = "class M:\n    def __init__(self): super().__init__()\n"
    bad = Finding(2, 4, "LTN002", "message", (Edit.insert(3, 0, "    self.automatic_optimization = False\n"),))
    monkeypatch.setattr(fixes, "analyse", lambda *a, **k: [bad])
    outcome = fixes.fix_source(str(tmp_path / "model.py"), source)
    assert outcome.updated == source
    assert outcome.fixed == 0 and outcome.remaining == 1
    assert len(outcome.rolled_back) == 1 and outcome.rolled_back[0].startswith("LTN002 fix rolled back: ")


def test_python_line_model() -> None:
    from flake8_lightning.edits import python_lines

    text = "a\x0cb\x0b\x1c\x1d\x1e\x85\u2028\u2029\nc\r\nd\re"
    assert python_lines(text) == ["a\x0cb\x0b\x1c\x1d\x1e\x85\u2028\u2029\n", "c\r\n", "d\r", "e"]
    source = "# \x0c \x0b \x1c \x85 \u2028 \u2029\ny = 1\r\n\x0c\nz = 2\rw = 3"
    lines = python_lines(source)
    for statement in ast.parse(source).body:
        assert lines[statement.lineno - 1].startswith(statement.targets[0].id)


# -- properties: fixing never damages code -----------------------------------------------

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
FIXABLE_RULES = ("LTN001", "LTN002")
SEEDS = sorted(
    {p.read_text(encoding="utf-8") for c in CASES for p in (c.glob("before*.py")) if p.read_text(encoding="latin-1").isascii()}
    | {p.read_text(encoding="utf-8") for rule in FIXABLE_RULES for p in (FIXTURES / rule).glob("*.py")}
)
#: Lines the rules' fixes may touch (removed, added or moved); every other line must survive.
TOUCHABLE = ("opt", "automatic_optimization", "__init__")
# LTN206 (migration) rewrites Trainer and run-method keywords.
TOUCHABLE += ("Trainer", "accelerator", "ckpt_path", "dataloader", "resume_from_checkpoint")
TOUCHABLE += tuple(name for pair in __import__(
    "flake8_lightning.rules.ltn206_removed_trainer_argument", fromlist=["RENAMED"]
).RENAMED.items() for name in pair)
# LTN205 calls load_from_checkpoint on the class.
TOUCHABLE += ("load_from_checkpoint",)
# LTN202 rewrites hook definitions: 1.x parameters removed, dataloader_idx given a default.
TOUCHABLE += ("def ", "optimizer_idx", "opt_idx", "outputs", "hiddens", "on_tpu", "using_lbfgs", "dataloader_idx")
ODD_LINES = ["\n", "\x0c\n", "# \x0b \x1c \x85 \u2028 \u2029 odd\n", "\x0c# form feed\n", "    \n", "# plain comment\n"]
EXAMPLES = int(os.environ.get("FLAKE8_LIGHTNING_FIX_EXAMPLES", "200"))


def _comments(source: str) -> list[str]:
    import io
    import tokenize

    # Universal newlines (not the code under test's line model).
    found = tokenize.generate_tokens(io.StringIO(source, newline=None).readline)
    return sorted(t.string for t in found if t.type == tokenize.COMMENT)


def assert_fix_is_safe(path: Path, source: str) -> None:
    """The fixed text parses, keeps every comment, changes only fixable lines, and is a fixed point."""
    from flake8_lightning.edits import python_lines
    from flake8_lightning.fixes import fix_source

    outcome = fix_source(str(path), source)
    fixed = outcome.updated
    assert not outcome.rolled_back, outcome.rolled_back
    compile(fixed, str(path), "exec", dont_inherit=True)
    assert _comments(fixed) == _comments(source)
    import difflib

    changes = [line for line in difflib.ndiff(python_lines(source), python_lines(fixed)) if line[:2] in ("- ", "+ ")]
    removed = {line[2:] for line in changes if line[0] == "-"}
    unwrapped = {line.replace(".optimizer.", ".") for line in removed}  # <wrapper>.optimizer -> <wrapper>
    for line in changes:
        assert any(word in line for word in TOUCHABLE) or line[2:] in unwrapped, (line, fixed)
    assert fix_source(str(path), fixed).updated == fixed  # idempotent


def _mutate(source: str, draw) -> str:  # noqa: ANN001
    lines = source.split("\n")
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, draw(st.sampled_from(ODD_LINES)).rstrip("\n"))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, max(0, len(lines) - 1)))
        if lines and not lines[at].rstrip().endswith("\\"):
            lines[at] += draw(st.sampled_from(["  # tail \x0c comment", "; pass", " \x0c"]))
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = text.replace(
            "def __init__(self):\n        super().__init__()", "def __init__(self): super().__init__()"
        )
    if draw(st.booleans()):
        text = text.rstrip("\n")
    if draw(st.booleans()):
        text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r"])))
    return text


@st.composite
def mutated_programs(draw) -> str:  # noqa: ANN001
    return _mutate(draw(st.sampled_from(SEEDS)), draw)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
@given(source=mutated_programs())
def test_fix_never_damages_fuzzed_programs(tmp_path_factory, source: str) -> None:
    try:
        compile(source, "model.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        assume(False)
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "pyproject.toml").write_text("")
    assert_fix_is_safe(folder / "model.py", source)


def test_fix_never_damages_any_fixture(tmp_path: Path) -> None:
    """Every fixture file (multi-file ones in their own project) fixes safely."""
    for entry in sorted(p for rule in sorted(FIXTURES.iterdir()) for p in rule.iterdir()):
        project = tmp_path / entry.parent.name / entry.name
        project.mkdir(parents=True)
        (project / "pyproject.toml").write_text("")
        if entry.is_dir():
            shutil.copytree(entry, project, dirs_exist_ok=True)
        else:
            shutil.copy(entry, project / entry.name)
        for path in sorted(project.rglob("*.py")):
            assert_fix_is_safe(path, path.read_text(encoding="utf-8"))
