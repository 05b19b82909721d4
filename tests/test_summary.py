"""Per-module summaries (issue 11): what they say, and that answers from them equal astroid's.

A summary only narrows which files get an astroid tree; every whole-project
answer must be the same with it as without it. The fixture projects are the
proof: each question is asked with the summaries and with a model that
builds every file, and the answers compared.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from harness import cases, findings, materialize
from flake8_lightning.model import summary as summaries
from flake8_lightning.model.lightning import Facts
from flake8_lightning.model.loading import HEAVY_PACKAGES
from flake8_lightning.model.metrics import MetricFacts
from flake8_lightning.model.project import Project
from flake8_lightning.model.summary import SUMMARY_FORMAT, candidate_classes, summarize
from flake8_lightning.model.version import code_evidence, combine_evidence, file_evidence

MODULE = textwrap.dedent(
    """\
    import lightning as L
    import pytorch_lightning as pl
    from torch import nn
    from lightning.pytorch.callbacks import Callback as Cb
    from .base import Base
    from ..other import Thing as T


    class Model(L.LightningModule):
        automatic_optimization = False

        def __init__(self):
            super().__init__()
            self.automatic_optimization = flag

        def training_step(self, batch, batch_idx, *rest, scale=1, **extra):
            self.log("train_loss", 1.0)
            self.log(f"{stage}_acc", 2.0)
            self.log(name, 3.0)
            self.log_dict({"a": 1, **more})
            self.optimizers().step()


    class Net(nn.Module):
        pass


    class Sub(Model):
        pass


    class Old(pl.LightningModule):
        pass


    class Rel(Base):
        pass


    class Up(T):
        pass


    class Hook(Cb):
        def on_validation_end(self, trainer, pl_module):
            pl_module.log("cb", 1.0)


    class Free(Undefined):
        pass


    class Made(make_base()):
        pass


    Twice = 1
    Twice = 2


    class Ambiguous(Twice):
        pass
    """
)


def by_name(summary):
    return {cls["name"]: cls for cls in summary["classes"]}


def test_a_summary_is_plain_json():
    summary = summarize(MODULE, "/nowhere/pkg/mod.py", "pkg.mod")
    assert summary["format"] == SUMMARY_FORMAT
    assert json.loads(json.dumps(summary)) == summary


def test_bases_are_qualified_through_the_modules_own_imports():
    classes = by_name(summarize(MODULE, "/nowhere/pkg/mod.py", "pkg.mod"))
    assert classes["Model"]["bases"] == [["import", "lightning.LightningModule"]]
    assert classes["Net"]["bases"] == [["import", "torch.nn.Module"]]
    assert classes["Sub"]["bases"] == [["local", "Model"]]
    assert classes["Old"]["bases"] == [["import", "pytorch_lightning.LightningModule"]]
    assert classes["Rel"]["bases"] == [["relative", "pkg.base.Base"]]
    assert classes["Up"]["bases"] == [["relative", "other.Thing"]]
    assert classes["Hook"]["bases"] == [["import", "lightning.pytorch.callbacks.Callback"]]
    assert classes["Free"]["bases"] == [["unbound", "Undefined"]]
    assert classes["Made"]["bases"] == [["other", ""]]
    assert classes["Ambiguous"]["bases"] == [["unknown", "Twice"]]


def test_relative_imports_in_a_package_init():
    text = "from .models import Base\nfrom . import sub\n\nclass A(Base):\n    pass\n\nclass B(sub.X):\n    pass\n"
    classes = by_name(summarize(text, "/nowhere/pkg/__init__.py", "pkg"))
    assert classes["A"]["bases"] == [["relative", "pkg.models.Base"]]
    assert classes["B"]["bases"] == [["relative", "pkg.sub.X"]]


def test_methods_modes_logs_and_calls():
    model = by_name(summarize(MODULE, "/nowhere/pkg/mod.py", "pkg.mod"))["Model"]
    assert [m["name"] for m in model["methods"]] == ["__init__", "training_step"]
    assert model["methods"][1]["params"] == ["self", "batch", "batch_idx", "*rest", "scale", "**extra"]
    assert model["automatic_optimization"] == [
        {"in": "<class>", "line": 10, "value": False},
        {"in": "__init__", "line": 14, "value": None},
    ]
    assert model["logs"] == {
        "training_step": [
            {"name": "train_loss"},
            {"pattern": ["", "_acc"]},
            {"unknown": True},
            {"name": "a"},
            {"unknown": True},
        ]
    }
    assert model["calls"] == ["__init__", "log", "log_dict", "optimizers", "step"]


def test_only_classes_that_may_matter_have_their_methods_walked():
    classes = by_name(summarize(MODULE, "/nowhere/pkg/mod.py", "pkg.mod"))
    assert classes["Net"]["logs"] is None and classes["Net"]["calls"] is None
    assert classes["Net"]["methods"] == []
    assert classes["Hook"]["calls"] == ["log"]


def test_nested_classes_are_found_with_their_qualified_names():
    text = "import torch\n\ndef make():\n    class Inner(torch.nn.Module):\n        class Deeper:\n            pass\n    return Inner\n"
    classes = summarize(text, "/nowhere/m.py", "m")["classes"]
    assert [(c["qualname"], c["bases"]) for c in classes] == [
        ("make.Inner", [["unknown", "torch.nn.Module"]]),
        ("make.Inner.Deeper", []),
    ]


def test_text_tier():
    summary = summarize(MODULE, "/nowhere/pkg/mod.py", "pkg.mod")
    assert summary["log_call"] and summary["may_log_on_a_module"]
    assert summary["helper_logs"] == 1  # pl_module.log
    assert {"Model", "train_loss", "pl_module"} <= set(summary["words"])
    assert summary["version_evidence"] == [list(pair) for pair in file_evidence(MODULE)]


def test_unparsable_text_keeps_its_text_tier():
    summary = summarize("def broken(:\n    self.log('x')\n", "/nowhere/m.py", "m")
    assert summary["parsed"] is False and summary["classes"] == []
    assert "broken" in summary["words"] and summary["log_call"]
    assert candidate_classes(summary, "LightningModule", HEAVY_PACKAGES)  # unknown: may be


def test_deep_nesting_does_not_crash():
    text = "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    summary = summarize(text, "/nowhere/m.py", "m")
    assert summary["parsed"] in (True, False)


@pytest.mark.parametrize(
    ("text", "lightning", "project"),
    [
        ("import torch\nclass A(torch.nn.Module): pass\n", False, False),
        ("from lightning.pytorch import Callback\nclass A(Callback): pass\n", False, False),
        ("import lightning as L\nclass A(L.LightningModule): pass\n", True, False),
        ("from mypkg.base import Base\nclass A(Base): pass\n", True, True),
        ("from .base import Base\nclass A(Base): pass\n", True, True),
        ("import torch\nclass A(torch.nn.Module): pass\nclass B(A): pass\n", False, True),
        ("import lightning as L\nclass A(L.LightningModule): pass\nclass B(A): pass\n", True, True),
        ("class A: pass\nclass B(Unknown): pass\n", False, False),
        ("def f():\n    class A(B): pass\n", True, True),  # a scope of its own: unknown
        ("def f():\n    class A(make()): pass\n", False, False),
        ("import torch\ndef f():\n    global torch\n    torch = 1\nclass A(torch.nn.Module): pass\n", True, True),
        ("import torch\n(torch := 1)\nclass A(torch.nn.Module): pass\n", True, True),
        ("import torch\nif x:\n    class A(torch.nn.Module): pass\n", False, False),
        ("import torch\nfor torch in y: pass\nclass A(torch.nn.Module): pass\n", True, True),
        ("import torch\ntry:\n    pass\nexcept E as torch:\n    pass\nclass A(torch.nn.Module): pass\n", True, True),
        ("B = object\nclass A(B): pass\n", True, True),  # an alias: unknown, so may be
    ],
)
def test_candidates(text, lightning, project):
    summary = summarize(text, "/nowhere/m.py", "m")
    assert candidate_classes(summary, "LightningModule", HEAVY_PACKAGES) is lightning
    assert candidate_classes(summary, None, HEAVY_PACKAGES) is project


# -- answers from summaries equal answers from astroid, on every fixture project ------------

PROJECTS = [case for case in cases() if case.is_dir()]


@pytest.fixture(autouse=True)
def fresh_process_state():
    Project._instances.clear()
    yield
    Project._instances.clear()


def _key(cls):
    return (cls.root().file, cls.name, cls.lineno)


def _answers(root: Path, monkeypatch, with_summaries: bool) -> dict:
    """Every whole-project answer the model gives for ``root``, as comparable values."""
    Project._instances.clear()
    if not with_summaries:
        monkeypatch.setattr(Project, "may_define", lambda self, path, name: True)
        monkeypatch.setattr("flake8_lightning.model.metrics.logs_literally", lambda summary, name: False)
    else:
        monkeypatch.undo()
    files = sorted(str(p) for p in root.rglob("*.py"))
    project = Project.for_file(files[0])
    facts = Facts.of(project)
    metrics = MetricFacts.of(facts)
    answers: dict = {"modules": sorted(map(_key, facts.lightning_modules()))}
    subclasses = {}
    for path in files:
        for cls in facts.classes_in(project.module(path)):
            subclasses[_key(cls)] = sorted(map(_key, facts.subclasses(cls)))
    answers["subclasses"] = subclasses
    helpers = metrics.helpers()
    answers["helpers"] = (sorted(helpers.exact), sorted(helpers.patterns), sorted(helpers.logger_only))
    words = {w for path in files for w in project.words(path) if "loss" in w or "acc" in w}
    answers["may log"] = {w: metrics.some_module_may_log(w) for w in sorted(words)}
    return answers


@pytest.mark.parametrize("case", PROJECTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_summary_answers_equal_astroid_answers(case, tmp_path, monkeypatch):
    root = materialize(case, tmp_path)
    with_astroid = _answers(root, monkeypatch, with_summaries=False)
    with_summaries = _answers(root, monkeypatch, with_summaries=True)
    assert with_summaries == with_astroid


@pytest.mark.parametrize("case", PROJECTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_lightning_class_is_ever_ruled_out(case, tmp_path):
    """Every class astroid finds to descend from a project class or a Lightning class is a
    candidate in its module's summary (so skipping non-candidates never loses one)."""
    root = materialize(case, tmp_path)
    files = sorted(str(p) for p in root.rglob("*.py"))
    project = Project.for_file(files[0])
    facts = Facts.of(project)
    for path in files:
        summary = summarize(project.text(path) or "", path)
        for cls in facts.classes_in(project.module(path)):
            hierarchy = facts.hierarchy(cls)
            for name in ("LightningModule", "Callback", "LightningDataModule"):
                if hierarchy.is_(name):
                    assert candidate_classes(summary, name, HEAVY_PACKAGES), (path, cls.name, name)
            if len(hierarchy.classes) > 1:
                assert candidate_classes(summary, None, HEAVY_PACKAGES), (path, cls.name)


@pytest.mark.parametrize("case", PROJECTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_version_evidence_from_summaries_equals_the_text_scan(case, tmp_path):
    root = materialize(case, tmp_path)
    files = sorted(str(p) for p in root.rglob("*.py"))
    project = Project.for_file(files[0])
    texts = [(path, project.text(path)) for path in project.files()]
    assert combine_evidence((path, project.version_evidence(path)) for path in project.files()) == code_evidence(texts)


def test_a_literal_self_log_answers_without_a_tree(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "model.py").write_text(
        "import lightning as L\n\nclass M(L.LightningModule):\n"
        "    def validation_step(self, batch, batch_idx):\n        self.log('val_loss', 1.0)\n"
    )
    (tmp_path / "other.py").write_text(
        "import lightning as L\n\nclass N(L.LightningModule):\n"
        "    def validation_step(me, batch, batch_idx):\n        me.log(f'val_{batch_idx}', 1.0)  # val_7\n"
    )
    project = Project.for_file(str(tmp_path / "model.py"))
    metrics = MetricFacts.of(Facts.of(project))
    before = Project.parsed_modules
    assert metrics.some_module_may_log("val_loss")
    assert Project.parsed_modules == before
    assert metrics.some_module_may_log("val_7")  # a pattern: answered by the model, with a tree
    assert Project.parsed_modules > before
    assert not metrics.some_module_may_log("train_loss")


def test_a_project_of_plain_modules_builds_no_tree_for_them(tmp_path):
    """A file that names LightningModule only in a comment, or defines only torch modules,
    gets no astroid tree when the project's LightningModules are listed."""
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "model.py").write_text("import lightning as L\n\nclass M(L.LightningModule):\n    pass\n")
    for i in range(10):
        (tmp_path / f"net_{i}.py").write_text(
            "# not a LightningModule\nfrom torch import nn\n\nclass Net(nn.Module):\n    pass\n"
        )
    project = Project.for_file(str(tmp_path / "model.py"))
    before = Project.parsed_modules
    found = Facts.of(project).lightning_modules()
    assert [cls.name for cls in found] == ["M"]
    assert Project.parsed_modules - before == 1


# -- the on-disk cache of summaries --------------------------------------------------------


class MemoryStore:
    """A stand-in for ``cache.Store``: JSON values by kind and key, in memory."""

    enabled = True

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}
        self.gets = self.puts = 0

    def get(self, kind, key):
        self.gets += 1
        data = self.entries.get((kind, key))
        try:
            return None if data is None else json.loads(data)
        except ValueError:
            return None

    def put(self, kind, key, value):
        self.puts += 1
        self.entries[(kind, key)] = json.dumps(value)


def _with_store(monkeypatch, store):
    def attach(self, config):
        self.store = store

    monkeypatch.setattr(Project, "attach_store", attach)


def _age(root: Path, seconds: float = 10.0) -> None:
    """Date every file back, so a summary stored now trusts their size and time."""
    for path in root.rglob("*.py"):
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - int(seconds * 1e9)))


CACHED = [case for case in PROJECTS if case.parent.name in ("LTN003", "LTN104", "LTN106", "LTN002", "LTN110")]


@pytest.mark.parametrize("case", CACHED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_findings_are_the_same_cold_warm_corrupt_and_disabled(case, tmp_path, monkeypatch):
    root = materialize(case, tmp_path)
    _age(root)
    Project._instances.clear()
    expected = findings(root)  # no store at all
    store = MemoryStore()
    _with_store(monkeypatch, store)
    for state in ("cold", "warm", "corrupt"):
        if state == "corrupt":
            for i, key in enumerate(sorted(store.entries)):
                store.entries[key] = store.entries[key][: len(store.entries[key]) // (2 + i % 3)]
        Project._instances.clear()
        assert findings(root) == expected, state
    # (projects that ask no whole-project question store nothing)


def test_a_warm_run_reads_no_unchanged_file(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("")
    for i in range(5):
        (tmp_path / f"m{i}.py").write_text(f"import lightning as L\n\nclass M{i}(L.LightningModule):\n    pass\n")
    _age(tmp_path)
    store = MemoryStore()
    project = Project.for_file(str(tmp_path / "m0.py"))
    project.store = store
    cold = [cls.name for cls in Facts.of(project).lightning_modules()]
    Project._instances.clear()
    project = Project.for_file(str(tmp_path / "m0.py"))
    project.store = store
    read = []
    original = Project.text

    def counting(self, path):
        if path not in self._texts:
            read.append(path)
        return original(self, path)

    monkeypatch.setattr(Project, "text", counting)
    files = project.files()
    assert [p for p in files if project.summary(p, syntax=True) is None] == []
    assert read == []  # every summary from the cache, by size and time
    assert [cls.name for cls in Facts.of(project).lightning_modules()] == cold


@pytest.mark.parametrize(
    "forged",
    [
        {"words": "not a list"},
        {"classes": [{"name": "A", "bases": [["import"]]}]},
        {"classes": [{"name": "A", "bases": [], "logs": {"h": [1]}}]},
        {"version_evidence": [["1", "x"]]},
        {"format": SUMMARY_FORMAT + 1},
        {"parsed": None},
    ],
)
def test_a_forged_entry_is_a_miss(tmp_path, forged):
    (tmp_path / "pyproject.toml").write_text("")
    path = tmp_path / "m.py"
    path.write_text("import lightning as L\n\nclass A(L.LightningModule):\n    pass\n")
    _age(tmp_path)
    store = MemoryStore()
    project = Project.for_file(str(path))
    project.store = store
    expected = project.summary(str(path), syntax=True)
    (key,) = store.entries
    entry = json.loads(store.entries[key])
    entry["summary"].update(forged)
    store.entries[key] = json.dumps(entry)
    Project._instances.clear()
    project = Project.for_file(str(path))
    project.store = store
    assert project.summary(str(path), syntax=True) == expected


def test_a_changed_file_is_summarised_again(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    path = tmp_path / "m.py"
    path.write_text("import lightning as L\n\nclass A(L.LightningModule):\n    pass\n")
    _age(tmp_path)
    store = MemoryStore()
    project = Project.for_file(str(path))
    project.store = store
    assert [c["name"] for c in project.summary(str(path), syntax=True)["classes"]] == ["A"]
    # Same size, same modification time: only the hash can tell.
    path.write_text("import lightning as L\n\nclass B(L.LightningModule):\n    pass\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    Project._instances.clear()
    project = Project.for_file(str(path))
    project.store = store
    assert [c["name"] for c in project.summary(str(path), syntax=True)["classes"]] == ["B"]


def test_a_buffer_is_never_stored_as_the_files_summary(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    path = tmp_path / "m.py"
    path.write_text("import lightning as L\n\nclass OnDisk(L.LightningModule):\n    pass\n")
    _age(tmp_path)
    store = MemoryStore()
    project = Project.for_file(str(path))
    project.store = store
    project.use_buffer(str(path), "import lightning as L\n\nclass InBuffer(L.LightningModule):\n    pass\n")
    assert [c["name"] for c in project.summary(str(path), syntax=True)["classes"]] == ["InBuffer"]
    assert store.puts == 0 and store.gets == 0
    Project._instances.clear()
    project = Project.for_file(str(path))
    project.store = store
    assert [c["name"] for c in project.summary(str(path), syntax=True)["classes"]] == ["OnDisk"]


def test_summaries_are_dropped_when_a_text_changes(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    path = tmp_path / "m.py"
    path.write_text("x = 1\n")
    project = Project.for_file(str(path))
    assert "x" in project.words(str(path))
    project.use_buffer(str(path), "y = 1\n")
    assert "y" in project.words(str(path)) and "x" not in project.words(str(path))
    assert summaries.has_syntax(project.summary(str(path), syntax=True))


# -- the real on-disk store, through the engine and through flake8 ---------------------------


def _real_findings(root: Path, monkeypatch, cache_dir: Path | None) -> list:
    from flake8_lightning import cache

    cache.clear_stores()
    Project._instances.clear()
    if cache_dir is None:
        monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    else:
        monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
        monkeypatch.setenv(cache.CACHE_DIR_ENV, str(cache_dir))
    try:
        return findings(root)
    finally:
        cache.clear_stores()
        Project._instances.clear()


@pytest.mark.parametrize("case", CACHED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_store_cold_warm_corrupt_and_unwritable(case, tmp_path, monkeypatch):
    root = materialize(case, tmp_path)
    _age(root)
    expected = _real_findings(root, monkeypatch, None)
    folder = tmp_path / "cache"
    assert _real_findings(root, monkeypatch, folder) == expected  # cold
    assert _real_findings(root, monkeypatch, folder) == expected  # warm
    for i, entry in enumerate(sorted(folder.rglob("*.json"))):
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] if i % 2 else b"{not json")
    assert _real_findings(root, monkeypatch, folder) == expected  # corrupt
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    assert _real_findings(root, monkeypatch, blocked / "cache") == expected  # unwritable


MANY_MODELS = """\
import lightning.pytorch as pl


class Model{i}(pl.LightningModule):
    def training_step(self, batch, batch_idx):
        return self(batch).sum()

    def validation_step(self, batch, batch_idx):
        self.log("{name}", self(batch).sum())
"""

SEARCHING_TRAIN = """\
from lightning.pytorch.callbacks import ModelCheckpoint


def callbacks():
    return [ModelCheckpoint(monitor="val_quux")]
"""


def test_summaries_shared_between_j1_and_j2_and_after_a_change(tmp_path):
    """flake8 -j2 fills the summaries; a change to one file then misses every kept result,
    and flake8 -j1 answers from the other files' kept summaries: the same findings as
    without any cache."""
    import subprocess
    import sys

    from flake8_lightning.cache import CACHE_DIRNAME, NO_CACHE_ENV

    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'pkg'\n")
    (root / "pkg" / "__init__.py").write_text("")
    for i in range(6):
        (root / "pkg" / f"model_{i}.py").write_text(MANY_MODELS.format(i=i, name=f"val_{i}"))
    (root / "pkg" / "train.py").write_text(SEARCHING_TRAIN)
    _age(root)

    def run(*args, cache=True):
        env = dict(os.environ)
        env.pop(NO_CACHE_ENV, None)
        env.pop("FLAKE8_LIGHTNING_CACHE_DIR", None)
        if not cache:
            env[NO_CACHE_ENV] = "1"
        done = subprocess.run(
            [sys.executable, "-m", "flake8", "--select=LTN", *args, "."],
            cwd=root, env=env, capture_output=True, text=True, timeout=120,
        )
        assert done.returncode in (0, 1) and done.stderr == "", done.stderr
        return sorted(done.stdout.splitlines())

    expected = run("-j1", cache=False)
    assert any("LTN003" in line for line in expected)
    assert run("-j2") == expected
    summaries_kept = list((root / CACHE_DIRNAME).rglob("summary/*/*.json"))
    assert summaries_kept
    train = root / "pkg" / "train.py"
    train.write_text(SEARCHING_TRAIN + "\n# changed\n")
    expected = run("-j1", cache=False)
    assert run("-j1") == expected
    assert run("-j2") == expected


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="ab_( .'\"\ndef\u00e9", max_size=40), min_size=1, max_size=4),
    st.from_regex(r"[ab_\u00e9][ab_1]{0,2}", fullmatch=True),
)
def test_files_with_word_finds_what_the_regex_scan_found(tmp_path_factory, texts, name):
    """The rules' word-bounded scans (LTN106, LTN110, LTN201) give the files ``files_matching`` gave."""
    import re

    root = tmp_path_factory.mktemp("scan")
    (root / "pyproject.toml").write_text("")
    for i, text in enumerate(texts):
        (root / f"m{i}.py").write_text(text, encoding="utf-8")
    Project._instances.clear()
    project = Project.for_file(str(root / "m0.py"))
    escaped = re.escape(name)
    for pattern in (
        re.compile(rf"(?<!def )\b{escaped}\b"),
        re.compile(rf"(?<!def )\b{escaped}\s*\(|['\"]{escaped}['\"]"),
        re.compile(rf"\b{escaped}\b"),
    ):
        assert list(project.files_with_word(name, pattern)) == list(project.files_matching(pattern))
