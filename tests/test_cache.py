"""The on-disk cache: the same findings cold, warm, corrupted, disabled, across --jobs and after changes.

Every run goes through the real ``flake8`` in a subprocess, on a small project
written to a temporary folder, where one file's findings depend on another
file (LTN003: is the monitor logged by some LightningModule?) and on a pin
file (LTN206 speaks only when the project targets Lightning 2: without the
pin, ``Trainer(gpus=1)`` is itself evidence of a 1.x project).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_lightning.cache import CACHE_DIRNAME, NO_CACHE_ENV, Store, content_key

MODEL = """\
import lightning.pytorch as pl


class Model(pl.LightningModule):
    def training_step(self, batch, batch_idx):
        return self.loss(batch)

    def validation_step(self, batch, batch_idx):
        self.log("{name}", self.loss(batch))
"""

TRAIN = """\
from lightning.pytorch import Trainer
from lightning.pytorch.callbacks import ModelCheckpoint


def callbacks():
    return [ModelCheckpoint(monitor="val_loss")]


def trainer():
    return Trainer(gpus=1, callbacks=callbacks())
"""


def write_project(root: Path, logged: str = "val_loss", pin: str | None = "lightning>=2.0") -> Path:
    (root / "pkg").mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'pkg'\n")
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "model.py").write_text(MODEL.format(name=logged))
    (root / "pkg" / "train.py").write_text(TRAIN)
    if pin is not None:
        (root / "requirements.txt").write_text(pin + "\n")
    return root


def flake8(root: Path, *args: str, stdin: str | None = None, cache: bool = True, importtime: bool = False):
    env = dict(os.environ)
    env.pop(NO_CACHE_ENV, None)  # conftest turns the cache off for every other test
    env.pop("FLAKE8_LIGHTNING_CACHE_DIR", None)
    if not cache:
        env[NO_CACHE_ENV] = "1"
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", "flake8", "--select=LTN", *args]
    done = subprocess.run(command, cwd=root, env=env, input=stdin, capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    return done


def findings(root: Path, *args: str, **kwargs) -> list[str]:
    done = flake8(root, *args, **kwargs)
    if not kwargs.get("importtime"):
        assert done.stderr == ""
    return sorted(done.stdout.splitlines())


def codes(lines: list[str]) -> list[str]:
    return sorted(line.split(": ", 1)[1].split()[0] for line in lines)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "proj")


def test_warm_run_gives_the_cold_findings_without_analysing(project: Path) -> None:
    cold = findings(project, ".")
    assert codes(cold) == ["LTN206"]
    assert (project / CACHE_DIRNAME / ".gitignore").read_text().splitlines()[-1] == "*"
    tag = (project / CACHE_DIRNAME / "CACHEDIR.TAG").read_text()
    assert tag.startswith("Signature: 8a477f597d28d172789f06886806bc55")
    warm = flake8(project, ".", importtime=True)
    assert sorted(warm.stdout.splitlines()) == cold
    imported = {line.split("|")[-1].strip() for line in warm.stderr.splitlines() if "|" in line}
    assert "astroid" not in imported, "a warm run must not even import astroid"
    assert "flake8_lightning.engine" not in imported


def test_disabled_cache_reads_and_writes_nothing(project: Path) -> None:
    assert codes(findings(project, ".", "--lightning-no-cache")) == ["LTN206"]
    assert codes(findings(project, ".", cache=False)) == ["LTN206"]
    assert not (project / CACHE_DIRNAME).exists()


def test_corrupt_and_truncated_entries_are_rebuilt(project: Path) -> None:
    cold = findings(project, ".")
    entries = [p for p in (project / CACHE_DIRNAME).rglob("*.json")]
    assert entries
    for number, entry in enumerate(entries):
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] if number % 2 else b"\x00garbage{")
    assert findings(project, ".") == cold
    for entry in entries:  # rewritten whole
        json.loads(entry.read_text())


def test_forged_entry_for_another_key_is_ignored(project: Path) -> None:
    """An entry whose findings belong to other text (a copied cache) is a miss, not a finding."""
    cold = findings(project, ".")
    for entry in (project / CACHE_DIRNAME).rglob("*.json"):
        value = json.loads(entry.read_text())
        value["value"]["findings"] = [[1, 0, "LTN001 forged"]]
        value["value"]["key"] = "0" * 64
        entry.write_text(json.dumps(value))
    assert findings(project, ".") == cold


def test_shared_between_jobs(project: Path) -> None:
    one = findings(project, ".", "--jobs=1")
    two = findings(project, ".", "--jobs=2")
    again = findings(project, ".", "--jobs=1")
    assert one == two == again
    assert codes(one) == ["LTN206"]


def test_another_file_changing_on_disk_changes_the_findings(project: Path) -> None:
    assert codes(findings(project, ".")) == ["LTN206"]
    # The model stops logging the monitor: train.py's text is unchanged, its finding is new.
    (project / "pkg" / "model.py").write_text(MODEL.format(name="val_los"))
    assert codes(findings(project, ".")) == ["LTN003", "LTN206"]
    assert codes(findings(project, "pkg/train.py")) == ["LTN003", "LTN206"]
    (project / "pkg" / "model.py").write_text(MODEL.format(name="val_loss"))
    assert codes(findings(project, ".")) == ["LTN206"]


def test_a_pin_file_changing_changes_version_dependent_findings(project: Path) -> None:
    assert codes(findings(project, ".")) == ["LTN206"]
    (project / "requirements.txt").write_text("pytorch-lightning==1.9.5\n")
    assert codes(findings(project, ".")) == []  # 1.x: gpus= is right there
    (project / "requirements.txt").write_text("lightning==2.6.6\n")
    assert codes(findings(project, ".")) == ["LTN206"]


def test_a_new_file_changes_whole_project_answers(project: Path) -> None:
    (project / "pkg" / "model.py").write_text(MODEL.format(name="val_los"))
    assert codes(findings(project, ".")) == ["LTN003", "LTN206"]
    (project / "pkg" / "other.py").write_text(MODEL.format(name="val_loss").replace("class Model", "class Other"))
    assert codes(findings(project, "pkg/train.py")) == ["LTN206"]


def test_options_are_part_of_the_key(project: Path) -> None:
    assert codes(findings(project, ".")) == ["LTN206"]
    assert codes(findings(project, ".", "--lightning-version=1.9")) == []
    assert codes(findings(project, ".")) == ["LTN206"]


def test_stdin_buffer_is_analysed_not_the_file_on_disk(project: Path) -> None:
    on_disk = findings(project, "pkg/train.py")
    assert codes(on_disk) == ["LTN206"]
    buffer = TRAIN.replace("gpus=1", "devices=1")
    assert findings(project, "--stdin-display-name=pkg/train.py", "-", stdin=buffer) == []
    assert findings(project, "--stdin-display-name=pkg/train.py", "-", stdin=TRAIN) == on_disk
    # the buffer never became the file's findings
    assert findings(project, "pkg/train.py") == on_disk
    assert findings(project, "--stdin-display-name=pkg/train.py", "-", stdin=buffer) == []


def test_unwritable_folder_means_no_cache_and_no_warning(project: Path) -> None:
    (project / CACHE_DIRNAME).write_text("a file where the folder should be")
    assert codes(findings(project, ".")) == ["LTN206"]  # findings asserts an empty stderr
    other = write_project(project.parent / "other")
    blocked = project.parent / "blocked"
    blocked.write_text("")
    assert codes(findings(other, ".", f"--lightning-cache-dir={blocked / 'sub'}")) == ["LTN206"]


def test_cache_dir_option_puts_entries_there(project: Path, tmp_path: Path) -> None:
    where = tmp_path / "elsewhere"
    cold = findings(project, ".", f"--lightning-cache-dir={where}")
    assert not (project / CACHE_DIRNAME).exists()
    assert list(where.rglob("*.json"))
    assert findings(project, ".", f"--lightning-cache-dir={where}") == cold


def test_store_round_trip_and_misses(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "c"))
    key = content_key("some", "text")
    assert store.get("kind", key) is None
    store.put("kind", key, {"a": [1, 2, "x"]})
    assert store.get("kind", key) == {"a": [1, 2, "x"]}
    assert store.get("other", key) is None
    assert content_key("ab", "c") != content_key("a", "bc")
    assert not [p for p in (tmp_path / "c").rglob(".tmp-*")], "no temporary file left behind"


def test_store_never_runs_code_from_the_folder(tmp_path: Path) -> None:
    """Entries are JSON: a pickle planted in the folder is a corrupt entry, never executed."""
    store = Store(str(tmp_path / "c"))
    key = content_key("k")
    store.put("kind", key, [1])
    path = next((tmp_path / "c").rglob("*.json"))
    path.write_bytes(b"\x80\x04cos\nsystem\n(S'touch " + str(tmp_path / "pwned").encode() + b"'\ntR.")
    assert store.get("kind", key) is None
    assert not (tmp_path / "pwned").exists()


def test_unwritable_store_turns_itself_off(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = Store(str(blocker / "cache"))
    store.put("kind", content_key("k"), 1)  # never raises
    assert not store.enabled
    assert store.get("kind", content_key("k")) is None


def test_file_outside_any_project_uses_the_user_cache_folder(tmp_path: Path) -> None:
    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / "script.py").write_text(textwrap.dedent(TRAIN))
    env = dict(os.environ)
    env.pop(NO_CACHE_ENV, None)
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--select=LTN", "script.py"],
        cwd=lone, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.stderr == ""
    assert not (lone / CACHE_DIRNAME).exists()
    assert list((tmp_path / "xdg" / "flake8-lightning").rglob("*.json"))


def test_same_size_edit_within_one_clock_tick_is_seen(project: Path) -> None:
    """A coarse filesystem clock can keep size and time across an edit: recent files are hashed."""
    model = project / "pkg" / "model.py"
    assert codes(findings(project, ".")) == ["LTN206"]
    before = model.stat()
    model.write_text(MODEL.format(name="val_lass"))  # same size
    os.utime(model, ns=(before.st_atime_ns, before.st_mtime_ns))  # same time
    assert model.stat().st_size == before.st_size
    assert codes(findings(project, ".")) == ["LTN003", "LTN206"]


def test_stamp_covers_every_pin_file_version_inference_reads(tmp_path: Path, monkeypatch) -> None:
    """The stamp's list of version inputs is a superset of what ``version`` reads, wherever it looks."""
    from flake8_lightning.model import version
    from flake8_lightning.model.pins import PIN_FILES, version_inputs

    top = tmp_path / "repo"
    root = top / "sub" / "proj"
    for folder in (top, root):
        for pattern in PIN_FILES:
            path = folder / pattern.replace("*", "x")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("lightning==2.6.6\n")
    (top / "environment.yml").write_text("dependencies:\n  - pytorch-lightning=1.9\n")
    read: list[str] = []
    real = version.file_pins
    monkeypatch.setattr(version, "file_pins", lambda path: read.append(path) or real(path))
    version.decide_pins(version.enclosing_roots(str(root)))
    assert read, "version inference read no pin file"
    assert str(top) in version.enclosing_roots(str(root))
    missing = sorted(set(read) - set(version_inputs(str(root))))
    assert missing == []


def test_a_change_to_the_plugins_code_is_a_miss(project: Path, tmp_path: Path) -> None:
    """Same version number, other code (an editable install, another branch): nothing is served."""
    import shutil

    import flake8_lightning

    copy = tmp_path / "plugin"
    shutil.copytree(Path(flake8_lightning.__file__).parent, copy / "flake8_lightning",
                    ignore=shutil.ignore_patterns("__pycache__"))
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from flake8_lightning import cache; print(cache.content_key('x'))"
    )

    def key() -> str:
        return subprocess.run([sys.executable, "-c", script, str(copy)], capture_output=True, text=True,
                              check=True).stdout.strip()

    before = key()
    assert key() == before
    rule = copy / "flake8_lightning" / "rules" / "ltn206_removed_trainer_argument.py"
    rule.write_text(rule.read_text() + "\n# a developer's edit\n")
    assert key() != before
