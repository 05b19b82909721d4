"""The project model: what a project is, which files are read, and facts that follow the text.

Each reliability reproducer of the project model (H7, H8, W1, W3, W4, W5, W6)
is a test here; the ones about flake8's own behaviour go through real flake8.
"""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from flake8_lightning.config import Config
from flake8_lightning.engine import analyse
from flake8_lightning.model import project as project_mod
from flake8_lightning.model.loading import read_source
from flake8_lightning.model.project import Project, find_project_root, is_never_a_project
from harness import case_id, cases, config_of, findings, materialize

MONITORED = textwrap.dedent(
    """\
    import lightning as L
    from lightning.pytorch.callbacks import ModelCheckpoint


    class Model(L.LightningModule):
        def validation_step(self, batch, batch_idx):
            self.log("val_loss", batch)


    ModelCheckpoint(monitor="val_loss")
    """
)


@pytest.fixture(autouse=True)
def fresh_process_state():
    """Each test starts as a fresh process would: no project caches."""
    Project._instances.clear()
    yield
    Project._instances.clear()


def flake8(*args: str, cwd: Path | str, stdin: str | None = None, env: dict | None = None, timeout: float = 60):
    """Real flake8; ``timeout`` guards against a hang (it is not a benchmark)."""
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--select=LTN", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def codes(findings) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in findings]


def check(path: Path, text: str | None = None, config: Config | None = None):
    source = path.read_text() if text is None else text
    return codes(analyse(str(path), source, config or Config()))


# -- H7: only regular files are read ------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_named_py_in_project_does_not_hang(tmp_path):
    """H7: a whole-project scan used to open ``tools/pipe.py`` and block forever."""
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "train.py").write_text(MONITORED)
    (tmp_path / "tools").mkdir()
    os.mkfifo(tmp_path / "tools" / "pipe.py")
    result = flake8("train.py", cwd=tmp_path, timeout=60)
    assert (result.stdout, result.returncode) == ("", 0)
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_as_pin_file_does_not_hang(tmp_path):
    """A FIFO where a version pin is looked for (``requirements.txt``) is not opened either."""
    (tmp_path / "pyproject.toml").write_text("")
    os.mkfifo(tmp_path / "requirements.txt")
    (tmp_path / "model.py").write_text(
        "import pytorch_lightning as pl\n\n\nclass M(pl.LightningModule):\n"
        "    def training_epoch_end(self, outputs):\n        self.log(\"x\", 1.0)\n"
    )
    result = flake8("model.py", cwd=tmp_path, timeout=60)
    assert "Traceback" not in result.stderr
    assert "LTN106" in result.stdout  # no pin was read: 2.x is assumed


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_read_source_never_opens_a_fifo(tmp_path):
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)

    def unblock() -> None:  # if a regression opens the FIFO, this makes it fail instead of hang
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass  # nobody is reading: the FIFO was not opened

    timer = threading.Timer(3, unblock)
    timer.start()
    start = time.monotonic()
    try:
        assert read_source(str(fifo)) is None
        assert read_source(str(tmp_path)) is None  # a folder
        assert read_source("/dev/null") is None  # a device
        if hasattr(socket, "AF_UNIX"):
            with socket.socket(socket.AF_UNIX) as server:
                server.bind(str(tmp_path / "sock.py"))
                assert read_source(str(tmp_path / "sock.py")) is None  # a socket
        assert time.monotonic() - start < 2
    finally:
        timer.cancel()


# -- H8: a file outside any project does not index the disk ------------------------------


@pytest.mark.parametrize(
    ("folder", "never"),
    [
        ("/", True),
        ("/tmp", True),
        ("/root", True),
        ("/home/alice", True),
        ("/Users/alice", True),
        ("/home/alice/work", False),
        ("/srv/projects/x", False),
    ],
)
def test_folders_that_are_never_a_project(folder, never):
    assert is_never_a_project(folder) is never


def test_home_folder_is_never_a_project(tmp_path, monkeypatch):
    home = tmp_path / "me"
    monkeypatch.setenv("HOME", str(home))
    (home / ".git").mkdir(parents=True)  # a dotfiles repository
    (home / "other").mkdir()
    for i in range(30):
        (home / "other" / f"m{i}.py").write_text("import lightning as L\n\n\nclass M(L.LightningModule):\n    pass\n")
    scratch = home / "scratch"
    scratch.mkdir()
    path = scratch / "try.py"
    path.write_text(MONITORED)
    assert find_project_root(str(path)) is None
    project = Project.for_file(str(path))
    assert project.files() == [str(path)]  # the file alone, not the home folder
    assert check(path) == []
    assert project.files() == [str(path)]


def test_marker_inside_home_still_makes_a_project(tmp_path, monkeypatch):
    home = tmp_path / "me"
    monkeypatch.setenv("HOME", str(home))
    proj = home / "proj"
    (proj / "pkg").mkdir(parents=True)
    (home / ".git").mkdir()
    (proj / "pyproject.toml").write_text("")
    path = proj / "pkg" / "model.py"
    path.write_text("x = 1\n")
    assert find_project_root(str(path)) == str(proj)


def test_file_in_package_without_marker_is_its_package(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # no marker up to the "home" folder
    pkg = tmp_path / "loose" / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "base.py").write_text("import lightning as L\n\n\nclass Base(L.LightningModule):\n    automatic_optimization = False\n")
    (tmp_path / "loose" / "unrelated.py").write_text("x = 1\n")
    path = pkg / "sub" / "child.py"
    path.write_text(
        "from pkg.base import Base\n\n\nclass Child(Base):\n"
        "    def training_step(self, batch, batch_idx):\n        self.manual_backward(batch.sum())\n"
    )
    project = Project.for_file(str(path))
    assert project.root == str(pkg)
    assert str(tmp_path / "loose" / "unrelated.py") not in project.files()
    assert check(path) == []  # the base in the package is found: manual optimization


def test_unsaved_untitled_buffer_run_from_root_is_its_own_project():
    """H8: an editor's new buffer (stdin, ``Untitled-1``, run from ``/``) used to index ``/``."""
    project = Project.for_file("/Untitled-1")
    assert project.files() == ["/Untitled-1"]
    assert Project.for_file("/tmp/scratch.py").files() == ["/tmp/scratch.py"]
    result = flake8("--stdin-display-name=Untitled-1", "-", cwd="/", stdin=MONITORED, timeout=60)
    assert (result.stdout, result.returncode) == ("", 0)
    assert "Traceback" not in result.stderr


# -- W4: past the size cap, whole-project questions are unknown ---------------------------

BASE = "import lightning as L\n\n\nclass Base(L.LightningModule):\n    def training_step(self, batch, batch_idx):\n        self.manual_backward(batch.sum())\n"
MANUAL_CHILD = "from base import Base\n\n\nclass Child(Base):\n    automatic_optimization = False\n"


def big_project(tmp_path: Path, fillers: int) -> Path:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "base.py").write_text(BASE)
    for i in range(fillers):
        (tmp_path / f"f{i:02}.py").write_text("x = 1\n")
    (tmp_path / "zz_child.py").write_text(MANUAL_CHILD)  # sorted after every filler
    return tmp_path


def test_within_the_cap_the_whole_project_is_known(tmp_path, monkeypatch):
    monkeypatch.setattr(project_mod, "MAX_PROJECT_FILES", 20)
    root = big_project(tmp_path, 5)
    assert check(root / "base.py") == []  # the manual subclass is found
    (root / "zz_child.py").unlink()
    Project._instances.clear()
    assert check(root / "base.py") == [(6, "LTN002")]  # a test that can fail: the rule does fire


def test_past_the_cap_whole_project_questions_stay_silent(tmp_path, monkeypatch):
    """W4: the subclass past the cap was missed, and LTN002 fired falsely."""
    monkeypatch.setattr(project_mod, "MAX_PROJECT_FILES", 4)
    root = big_project(tmp_path, 10)
    project = Project.for_file(str(root / "base.py"))
    assert check(root / "base.py") == []
    assert project.complete is False
    assert str(root / "zz_child.py") not in project.files()


def test_past_the_cap_a_file_finding_that_needs_no_scan_still_fires(tmp_path, monkeypatch):
    monkeypatch.setattr(project_mod, "MAX_PROJECT_FILES", 4)
    root = big_project(tmp_path, 10)
    path = root / "model.py"
    path.write_text(
        "from lightning.pytorch.callbacks import ModelCheckpoint\n\n"
        "checkpoint = ModelCheckpoint(monitor=\"val_acc\", mode=\"min\")\n"
    )
    assert check(path) == [(3, "LTN105")]


# -- W1 and issue 10: facts follow the text -----------------------------------------------


def crlf_project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_bytes(b"")
    (tmp_path / "a_child.py").write_bytes(
        b"from z_base import Base\r\n\r\n\r\nclass Child(Base):\r\n    automatic_optimization = False\r\n\r\n"
        b"    def on_train_batch_end(self, *args):\r\n        self.optimizers().step()\r\n"
    )
    (tmp_path / "z_base.py").write_bytes(
        b"import lightning as L\r\n\r\n\r\nclass Base(L.LightningModule):\r\n"
        b"    def training_step(self, batch, batch_idx):\r\n        self.manual_backward(batch.sum())\r\n"
    )
    return tmp_path


def test_crlf_files_same_result_with_one_or_two_jobs(tmp_path):
    """W1: ``-j1`` gave a false LTN002 on z_base.py that ``-j2`` did not."""
    root = crlf_project(tmp_path)
    one = flake8("-j1", ".", cwd=root)
    two = flake8("-j2", ".", cwd=root)
    assert one.stdout == two.stdout
    assert [line.split(" ")[0] for line in one.stdout.splitlines()] == ["./a_child.py:8:9:"]
    assert "LTN102" in one.stdout and "LTN002" not in one.stdout
    assert "Traceback" not in one.stderr + two.stderr


def test_crlf_files_in_one_process_in_either_order(tmp_path):
    root = crlf_project(tmp_path)
    for order in (["a_child.py", "z_base.py"], ["z_base.py", "a_child.py"]):
        Project._instances.clear()
        for name in order:
            # flake8 hands over universal-newline text, as the Checker gets it
            text = (root / name).read_text()
            assert "\r" not in text
            expected = [(8, "LTN102")] if name == "a_child.py" else []
            assert check(root / name, text) == expected, order


def test_same_text_as_disk_keeps_the_facts(tmp_path):
    root = crlf_project(tmp_path)
    (root / "m_helper.py").write_text("def helper(opt):\n    opt.step()\n")  # scanned, never parsed
    (root / "monitor.py").write_text(MONITORED)
    check(root / "a_child.py")  # parses z_base.py from disk
    check(root / "monitor.py")  # scans every file's text
    project = Project.for_file(str(root / "a_child.py"))
    assert str(root / "m_helper.py") in project._texts
    assert str(root / "m_helper.py") not in project._modules
    check(root / "z_base.py")
    check(root / "m_helper.py")
    assert project.generation == 0  # same text as read from disk: nothing dropped


def test_edited_buffer_in_one_process_equals_a_fresh_process(tmp_path):
    """Issue 10: a renamed log kept the old facts, and the LTN003 a fresh process gives was missing."""
    (tmp_path / "pyproject.toml").write_text("")
    path = tmp_path / "model.py"
    path.write_text(MONITORED)
    renamed = MONITORED.replace('self.log("val_loss"', 'self.log("valid_loss"')

    assert check(path) == []
    in_process = check(path, renamed)
    Project._instances.clear()
    fresh = check(path, renamed)
    assert fresh == [(10, "LTN003")]
    assert in_process == fresh
    # and back again
    assert check(path, MONITORED) == []


def test_edited_other_file_buffer_drops_facts_from_its_old_parse(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "base.py").write_text(BASE)
    child = tmp_path / "child.py"
    child.write_text(MANUAL_CHILD)
    assert check(tmp_path / "base.py") == []  # the manual subclass is found
    assert check(child, MANUAL_CHILD.replace("= False", "= True")) == []  # the edited buffer
    assert check(tmp_path / "base.py") == [(6, "LTN002")]


# -- W3: an unsaved buffer of a file not yet on disk --------------------------------------


def test_unsaved_new_file_is_part_of_the_project(tmp_path):
    """W3: the buffer was left out of the project scan, giving a false LTN003."""
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "other.py").write_text(
        "import lightning as L\n\n\nclass Other(L.LightningModule):\n"
        "    def training_step(self, batch, batch_idx):\n        self.log(\"train_loss\", 1.0)\n"
    )
    unsaved = flake8("--stdin-display-name=new_model.py", "-", cwd=tmp_path, stdin=MONITORED)
    (tmp_path / "new_model.py").write_text(MONITORED)
    saved = flake8("new_model.py", cwd=tmp_path)
    assert unsaved.stdout == saved.stdout == ""
    assert (unsaved.returncode, saved.returncode) == (0, 0)


def test_unsaved_new_file_after_a_scan_in_the_same_process(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "other.py").write_text(MONITORED.replace("ModelCheckpoint(monitor=\"val_loss\")", ""))
    check(tmp_path / "other.py")
    project = Project.for_file(str(tmp_path / "other.py"))
    project.files()
    assert check(tmp_path / "new_model.py", MONITORED) == []
    assert str(tmp_path / "new_model.py") in project.files()


def test_import_of_an_unsaved_new_module_finds_its_buffer(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    child = tmp_path / "child.py"
    child.write_text(
        "from newbase import Base\n\n\nclass Child(Base):\n"
        "    def training_step(self, batch, batch_idx):\n        self.manual_backward(batch.sum())\n"
    )
    assert check(child) == []  # newbase is nowhere: unknown base, silence
    check(tmp_path / "newbase.py", "import lightning as L\n\n\nclass Base(L.LightningModule):\n    automatic_optimization = True\n")
    assert check(child) == [(6, "LTN002")]


# -- W5, W6: resolution as Python does it -------------------------------------------------


def test_package_wins_over_module_of_the_same_name(tmp_path):
    """W5: ``models.py`` was resolved ahead of ``models/__init__.py``."""
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "__init__.py").write_text(
        "import lightning as L\n\n\nclass Net(L.LightningModule):\n    automatic_optimization = False\n"
    )
    (tmp_path / "models.py").write_text("import lightning as L\n\n\nclass Net(L.LightningModule):\n    pass\n")
    path = tmp_path / "train.py"
    path.write_text(
        "from models import Net\n\n\nclass Child(Net):\n"
        "    def training_step(self, batch, batch_idx):\n        self.manual_backward(batch.sum())\n"
    )
    assert check(path) == []
    (tmp_path / "models" / "__init__.py").unlink()  # now a namespace package: the module wins
    Project._instances.clear()
    assert check(path) == [(6, "LTN002")]


def test_glob_characters_in_project_path_keep_the_pin(tmp_path):
    """W6: in ``proj[v1]`` the pin was globbed as a pattern and never found."""
    root = tmp_path / "proj[v1]"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\ndependencies = ["pytorch-lightning==1.9.5"]\n')
    (root / "model.py").write_text(
        "import pytorch_lightning as pl\n\n\nclass Model(pl.LightningModule):\n"
        "    def training_epoch_end(self, outputs):\n        self.log(\"x\", 1.0)\n"
    )
    result = flake8("model.py", cwd=root)
    assert (result.stdout, result.returncode) == ("", 0)
    # without the pin the same file is a 2.x dead hook: the test can fail
    (root / "pyproject.toml").write_text("[project]\n")
    assert "LTN106" in flake8("model.py", cwd=root).stdout


# -- gc.freeze ----------------------------------------------------------------------------


def test_library_use_leaves_the_garbage_collector_alone(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    path = tmp_path / "model.py"
    path.write_text(MONITORED)
    gc.unfreeze()
    check(path)
    assert gc.get_freeze_count() == 0


def _edited(text: str) -> str:
    """An edit that changes facts: logged names, optimization mode, optimizer attributes."""
    return (
        text.replace('self.log("', 'self.log("edited_')
        .replace("automatic_optimization = False", "automatic_optimization = True")
        .replace("self.optimizer", "self.edited_optimizer")
    )


@pytest.mark.parametrize("case", [c for c in cases() if c.is_dir()], ids=case_id)
def test_edited_buffers_then_saved_text_equal_a_fresh_process(case, tmp_path):
    """Issue 10: whatever a process saw before, the findings for a text are the fresh process's."""
    root = materialize(case, tmp_path)
    fresh = findings(root)
    Project._instances.clear()
    config = config_of(root)
    for path in sorted(root.rglob("*.py")):
        analyse(str(path), _edited(path.read_text()), config)  # an editor's unsaved edits
    # then the saved text of every file, in the same process: the buffer a process
    # was given last is its text of a file, so only once each file is back to its
    # saved text must every finding be the fresh process's
    findings(root)
    assert findings(root) == fresh


def test_flake8_runs_keep_the_frozen_garbage_collector(tmp_path):
    """The plugin (flake8's process, the command) still freezes the parsed trees: the speed-up stays."""
    from flake8_lightning.checker import Checker

    (tmp_path / "pyproject.toml").write_text("")
    path = tmp_path / "model.py"
    path.write_text(MONITORED)
    gc.unfreeze()
    try:
        list(Checker(None, str(path), MONITORED.splitlines(keepends=True)).run())
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_python_files_lists_what_os_walk_lists(tmp_path):
    """The one-scandir walk (with stats) finds the files, in the order, that os.walk did."""
    from flake8_lightning.model.project import SKIP_DIRS, python_files

    for rel in ("a.py", "b.txt", "pkg/__init__.py", "pkg/z.py", "pkg/sub/m.py", ".hidden/x.py", "venv/y.py",
                "x.egg-info/e.py", "pkg/aa/b.py", "data.py/inner.py"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    (tmp_path / "linked").symlink_to(tmp_path / "pkg", target_is_directory=True)
    (tmp_path / "link.py").symlink_to(tmp_path / "a.py")
    expected = []
    for folder, dirs, files in os.walk(tmp_path):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS and not d.endswith(".egg-info"))
        expected.extend(os.path.join(folder, f) for f in sorted(files) if f.endswith(".py"))
    found = list(python_files(str(tmp_path), 1000))
    assert [path for path, _ in found] == expected
    assert all(stats is not None and stats[0] == 0 for _, stats in found)
    assert len(list(python_files(str(tmp_path), 2))) == 2
