"""Whole-project facts at single-file cost (issue 11): what is scanned, and when.

Each test counts the modules a run parses (``Project.parsed_modules``) or
compares a fast text filter with the slow one it replaced, so that it fails on
the old behaviour, not on a slow machine.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flake8_lightning.config import Config
from flake8_lightning.engine import analyse
from flake8_lightning.model.metrics import helper_log_roots, may_log_on_a_module
from flake8_lightning.model.project import Project

MODELS = 30

MODEL = textwrap.dedent(
    """\
    import lightning as L
    from proj.util_{i} import Recorder


    class Model{i}(L.LightningModule):
        def training_step(self, batch, batch_idx):
            loss = self(batch).sum()
            self.log("train_loss_{i}", loss)
            return loss

        def validation_step(self, batch, batch_idx):
            self.log("{metric}", self(batch).sum())
    """
)

UTIL = textwrap.dedent(
    """\
    import math


    class Recorder:
        def log(self, value):
            self.value = value

        def report(self):
            self.log(math.log(2.0))
    """
)

CALLBACK = textwrap.dedent(
    """\
    import lightning as L


    class Cb(L.Callback):
        def on_validation_epoch_end(self, trainer, pl_module):
            pl_module.log("cb_metric", 1.0)
    """
)

TRAIN = textwrap.dedent(
    """\
    import sys

    from lightning.pytorch.callbacks import ModelCheckpoint


    def make_callbacks(monitor):
        return [ModelCheckpoint(monitor={monitor})]
    """
)


@pytest.fixture(autouse=True)
def fresh_process_state():
    Project._instances.clear()
    yield
    Project._instances.clear()


def project(tmp_path: Path, monitor: str, metric: str = "val_loss") -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'proj'\n")
    pkg = tmp_path / "proj"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for i in range(MODELS):
        (pkg / f"model_{i}.py").write_text(MODEL.format(i=i, metric=metric))
        (pkg / f"util_{i}.py").write_text(UTIL)
    (pkg / "callback.py").write_text(CALLBACK)
    train = tmp_path / "train.py"
    train.write_text(TRAIN.format(monitor=monitor))
    return train


def run(path: Path) -> tuple[list[tuple[int, str]], int]:
    """The findings on ``path`` and how many modules the run parsed."""
    before = Project.parsed_modules
    found = analyse(str(path), path.read_text(), Config())
    return sorted((f.line, f.code) for f in found), Project.parsed_modules - before


# -- mechanism 1: LTN003 scans only once it knows a scan can matter -----------------------


def test_a_monitor_that_is_not_a_constant_scans_nothing(tmp_path):
    train = project(tmp_path, monitor="sys.argv[1]")
    found, parsed = run(train)
    assert found == []
    assert parsed == 1  # the checked file only: no LightningModule scan, no helper scan


def test_a_monitor_some_module_logs_parses_one_module_not_all(tmp_path):
    train = project(tmp_path, monitor='"val_loss"')
    found, parsed = run(train)
    assert found == []
    assert parsed <= 3  # the checked file and the first module that logs it (and its import)


def test_a_monitor_nothing_logs_is_still_reported(tmp_path):
    train = project(tmp_path, monitor='"val_quux"')
    found, parsed = run(train)
    assert found == [(7, "LTN003")]
    # Every LightningModule and the Callback (a helper log) are read; the
    # utilities, whose only ``.log(`` calls are ``self.log`` and ``math.log``, are not.
    assert parsed <= 1 + MODELS + 1 + 1


def test_a_metric_only_a_callback_logs_is_found_through_the_helpers(tmp_path):
    train = project(tmp_path, monitor='"cb_metric"')
    assert run(train)[0] == []


# -- mechanism 2: the helper-log text filter ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "may"),
    [
        ("self.log('a', 1)", False),  # a module's own log: read with the module, never a helper
        ("np.log(x)\nlogger.log(1, 'x')\nmath.log(2)", False),
        ("pl_module.log('a', 1)", True),
        ("self.model.log('a', 1)", True),
        ("trainer.lightning_module.log_dict(d)", True),
        ("self.log('a', 1)\nmodule.log('b', 2)", True),
        ("x = 1", False),
    ],
)
def test_helper_log_filter(text, may):
    assert may_log_on_a_module(text) is may


_OLD_SCAN = r"\b(?:{})\b"


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="ab_c .(\n\u00e9\u4e2d1", max_size=60),
    st.sets(st.from_regex(r"[ab_c\u00e9][ab_c1]{0,3}", fullmatch=True), min_size=1, max_size=4),
)
def test_word_index_finds_what_the_old_alternation_found(tmp_path_factory, text, names):
    """``files_naming`` (a set of words per file) agrees with ``\\b(?:names)\\b``."""
    root = tmp_path_factory.mktemp("words")
    (root / "pyproject.toml").write_text("")
    path = root / "m.py"
    path.write_text(text, encoding="utf-8")
    Project._instances.clear()
    proj = Project.for_file(str(path))
    pattern = re.compile(_OLD_SCAN.format("|".join(sorted(map(re.escape, names)))))
    expected = [str(path)] if pattern.search(proj.text(str(path)) or "") else []
    assert list(proj.files_naming(names)) == expected


def test_helper_log_roots_unchanged():
    assert helper_log_roots("a.b.log(1)\nself.log(2)\nx..y.log_dict(3)\n(.log(4)") == ["a", "self", "y"]


# -- mechanism 3: text scans stay linear -----------------------------------------------------


def test_word_index_is_built_once_per_text(tmp_path, monkeypatch):
    train = project(tmp_path, monitor='"val_quux"')
    proj = Project.for_file(str(train))
    calls = []
    original = Project.words

    def counting(self, path):
        key = ("words", path)
        if key not in self.memo:
            calls.append(path)
        return original(self, path)

    monkeypatch.setattr(Project, "words", counting)
    run(train)
    assert len(calls) == len(set(calls))  # each file's words computed at most once
    assert proj.files()


# -- mechanism 4: subclasses of many classes cost one index, not one scan each ------------------


def test_subclasses_of_many_bases_read_each_text_once(tmp_path):
    """LTN104's question per model: every text is turned into words once, not once per class."""
    from flake8_lightning.model.lightning import Facts

    train = project(tmp_path, monitor='"val_quux"')
    proj = Project.for_file(str(train))
    facts = Facts.of(proj)
    classes = [c for p in proj.files() for c in facts.classes_in(proj.module(p))]
    words_before = sum(1 for k in proj.memo if isinstance(k, tuple) and k[0] == "words")
    for cls in classes:
        facts.subclasses(cls)
    words_after = sum(1 for k in proj.memo if isinstance(k, tuple) and k[0] == "words")
    assert words_after <= len(proj.files())
    assert words_after >= words_before


MANUAL = textwrap.dedent(
    """\
    import lightning as L
    import torch


    class Manual(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.automatic_optimization = False

        def training_step(self, batch, batch_idx):
            opt = self.optimizers()
            loss = self(batch).sum()
            self.manual_backward(loss)
            opt.step()

        def configure_optimizers(self):
            optimizer = torch.optim.Adam(self.parameters())
            return [optimizer], [torch.optim.lr_scheduler.StepLR(optimizer, 1)]
    """
)


def test_subclasses_of_the_checked_model_read_only_the_files_that_name_it(tmp_path):
    """LTN104 asks for the subclasses of the model it checks: no scan of every LightningModule."""
    project(tmp_path, monitor='"val_loss"')
    manual = tmp_path / "proj" / "manual.py"
    manual.write_text(MANUAL)
    (tmp_path / "proj" / "child.py").write_text("from proj.manual import Manual\n\n\nclass Child(Manual):\n    pass\n")
    found, parsed = run(manual)
    assert found == [(18, "LTN104")]
    assert parsed <= 3  # the model and its subclass's file (not the 30 other models)


def chain_project(tmp_path: Path, length: int) -> Path:
    """A chain of LightningModule subclasses, one per file, plus unrelated models."""
    (tmp_path / "pyproject.toml").write_text("")
    pkg = tmp_path / "proj"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "c0.py").write_text("import lightning as L\n\n\nclass C0(L.LightningModule):\n    pass\n")
    for i in range(1, length):
        (pkg / f"c{i}.py").write_text(f"from proj.c{i - 1} import C{i - 1}\n\n\nclass C{i}(C{i - 1}):\n    pass\n")
    for i in range(5):
        (pkg / f"other{i}.py").write_text(MODEL.format(i=i, metric="m"))
    return pkg / "c0.py"


@pytest.mark.parametrize("length", [3, 20])  # within the seeded scan's passes, and past them
def test_subclasses_are_the_same_before_and_after_the_lightning_module_scan(tmp_path, length):
    from flake8_lightning.model.lightning import Facts

    first = chain_project(tmp_path, length)
    proj = Project.for_file(str(first))
    facts = Facts.of(proj)
    classes = sorted((c for p in proj.files() for c in facts.classes_in(proj.module(p))), key=lambda c: c.name)
    seeded = {c.name: sorted(s.name for s in facts.subclasses(c)) for c in classes}
    proj.memo.clear()
    facts = Facts.of(proj)
    facts.lightning_modules()
    classes = sorted((c for p in proj.files() for c in facts.classes_in(proj.module(p))), key=lambda c: c.name)
    filtered = {c.name: sorted(s.name for s in facts.subclasses(c)) for c in classes}
    assert seeded == filtered
    assert len(seeded["C0"]) == length - 1
