"""Which Lightning a project targets: the pin parser, project roots, code evidence, the decision."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_lightning.config import Config, lightning_major
from flake8_lightning.model import version
from flake8_lightning.model.project import Project, find_project_root, is_packaging_script
from flake8_lightning.model.version import (
    code_evidence,
    decide_pins,
    enclosing_roots,
    file_pins,
    spec_majors,
    target_version,
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


# -- the specifier after a package name -----------------------------------------


@pytest.mark.parametrize(
    ("tail", "majors"),
    [
        ("==1.9.5", {1}),
        (">=1.7,<2.0", {1}),
        (" >= 1.7 , < 2", {1}),
        ("<2", {1}),
        ("<2.0.0", {1}),
        ("<=1.9", {1}),
        ("~=1.8", {1}),
        ("~=1.8.3", {1}),
        (">=2.0", {2}),
        (">=2.0.0rc1", {2}),
        ("==2.*", {2}),
        ("[extra]>=2.1", {2}),
        (" (<2.0.0,>1.7.0)", {1}),  # wheel METADATA
        ("==1.9.5; python_version < '3.8'", {1}),
        ('>=1.5,<2.0",', {1}),  # inside a quoted list item
        (' = "^1.5"', {1}),  # Poetry
        (' = "~1.8"', {1}),
        (' = "1.9.0"', {1}),  # Poetry's bare version is exact
        (' = "^2.0"', {2}),
        (' = {version = "^1.6", extras = ["extra"]}', {1}),
        (' = "==1.9.0"', {1}),  # Pipfile
        (">=0.9,<1.0", {0}),  # only 0.x: pre-1.0, kept apart (metrics came from returned dicts)
        ("==0.7.5", {0}),
        ("<2.0,>=0.8", {1}),  # 0.x and 1.x: "before 2", which 0.x counts as (it had every 1.x hook)
        (">=1.5", {1, 2}),  # spans two majors: not a deciding pin
        ("<2.1", {1, 2}),
        ("!=1.9.0", {1, 2}),
    ],
)
def test_spec_majors(tail, majors):
    assert spec_majors(tail) == frozenset(majors)


@pytest.mark.parametrize(
    "tail",
    ["", " = '*'", ' = "*"', " @ git+https://github.com/Lightning-AI/lightning", " 2.0 is out", ": 1.9", "==abc"],
)
def test_spec_that_says_nothing(tail):
    assert spec_majors(tail) is None


@pytest.mark.parametrize(("tail", "majors"), [("=1.9.0", {1}), ("=1.9.0=pyhd8ed1ab_0", {1}), (" 1.9.0", {1}), ("=2.1", {2})])
def test_conda_specs(tail, majors):
    assert spec_majors(tail, conda=True) == frozenset(majors)


def test_huge_version_numbers_say_nothing_and_never_crash():
    digits = "9" * 4300
    assert spec_majors("==" + digits) is None
    assert spec_majors(">=1." + digits) is None
    assert spec_majors(">=999999") is None  # no such Lightning


@pytest.mark.parametrize(
    ("line", "majors"),
    [
        ("pytorch-lightning @ git+http://github.com/ibeltagy/pytorch-lightning.git@v0.8.5_fixes#egg=pytorch-lightning", {0}),
        ("-e git+https://github.com/PyTorchLightning/pytorch-lightning.git@0.7.1#egg=pytorch-lightning", {0}),
        ("git+https://github.com/Lightning-AI/lightning@2.1.0", {2}),
        ("https://github.com/Lightning-AI/lightning/archive/refs/tags/2.0.0.zip", {2}),
        ("pytorch_lightning @ git+https://github.com/fork/pytorch_lightning@1.9.5rc1", {1}),
    ],
)
def test_vcs_url_pins_name_the_version_of_their_tag(tmp_path, line, majors):
    path = write(tmp_path / "requirements.txt", line + "\n")
    assert majors_in(path) == [majors]


@pytest.mark.parametrize(
    "line",
    [
        "git+https://github.com/Lightning-AI/lightning@master",
        "git+https://github.com/fork/pytorch-lightning.git@a1b2c3d#egg=pytorch-lightning",
        "git+https://github.com/Lightning-AI/lightning-bolts.git@0.3.0",  # not Lightning
        "# pytorch-lightning @ git+https://github.com/u/pytorch-lightning.git@0.7.1",  # a comment
    ],
)
def test_vcs_urls_without_a_version_tag_say_nothing(tmp_path, line):
    assert majors_in(write(tmp_path / "requirements.txt", line + "\n")) == []


def test_a_0x_pin_says_pre_1_0(tmp_path):
    from flake8_lightning.model.project import Project

    write(tmp_path / "requirements.txt", "pytorch-lightning==0.7.5\n")
    decided = target_version(Project(str(tmp_path), ()))
    assert (decided.major, decided.source, decided.pre_1_0) == (0, "pin", True)
    assert decided.before(2) and not decided.at_least(1)
    assert target_version(Project(str(tmp_path), ()), "0.8").pre_1_0


# -- pin files ------------------------------------------------------------------


def majors_in(path: Path) -> list[set[int]]:
    return [set(pin.majors) for pin in file_pins(str(path))]


def test_conda_environment_dependencies_and_pip(tmp_path):
    env = write(
        tmp_path / "environment.yml",
        """
        name: lightning
        channels: [conda-forge]
        dependencies:
          - python=3.9
          - conda-forge::pytorch-lightning=1.9.0
          - pip:
            - lightning-bolts==0.6.0
            - pytorch_lightning>=1.6,<2  # the pip one
        """,
    )
    assert majors_in(env) == [{1}, {1}]


def test_whole_package_names_only(tmp_path):
    req = write(
        tmp_path / "requirements.txt",
        """
        lightning-bolts==0.7.0
        lightning-utilities==0.9.0
        lightning_utilities>=0.3
        pl-bolts>=2.0
        git+https://github.com/Lightning-AI/lightning@2.0.0
        # pytorch-lightning==1.9.0
        pytorch-lightning
        lightning>=2.0
        """,
    )
    # The URL's name is not read as a package name; its version tag is a VCS pin (line 5).
    assert [(pin.line, set(pin.majors)) for pin in file_pins(str(req))] == [(5, {2}), (8, {2})]


def test_lightning_umbrella_1_x(tmp_path):
    assert majors_in(write(tmp_path / "requirements.txt", "lightning==1.9.5\n")) == [{1}]


def test_pyproject_pep621_and_poetry(tmp_path):
    pyproject = write(
        tmp_path / "pyproject.toml",
        """
        [project]
        dependencies = ["torch", "pytorch-lightning>=1.6,<2.0"]

        [tool.poetry.dependencies]
        pytorch-lightning = "^1.5"
        lightning = {version = "^1.9", optional = true}

        [tool.mypy]
        module = "pytorch_lightning.*"
        """,
    )
    assert majors_in(pyproject) == [{1}, {1}, {1}]


def test_metadata_reads_only_requirements(tmp_path):
    meta = write(
        tmp_path / "pkg-1.0.dist-info" / "METADATA",
        """
        Metadata-Version: 2.1
        Requires-Dist: pytorch-lightning (<2.0.0,>1.7.0)

        Install with pip install lightning>=2.0 for the new API.
        """,
    )
    assert majors_in(meta) == [{1}]


def test_pins_in_subfolders_and_every_format(tmp_path):
    write(tmp_path / "docker" / "environment.yaml", "dependencies:\n  - pytorch-lightning=1.8.6\n")
    write(tmp_path / "requirements" / "train.txt", "pytorch-lightning==1.8.6\n")
    write(tmp_path / "Pipfile", '[packages]\npytorch-lightning = "~=1.8"\n')
    write(tmp_path / "setup.cfg", "[options]\ninstall_requires =\n    pytorch-lightning<2\n")
    write(tmp_path / "setup.py", 'from setuptools import setup\nsetup(install_requires=["pytorch-lightning<=1.9"])\n')
    pins = version.root_pins(str(tmp_path))
    assert {os.path.basename(p.path) for p in pins} == {"environment.yaml", "train.txt", "Pipfile", "setup.cfg", "setup.py"}
    decided = decide_pins([str(tmp_path)])
    assert decided.major == 1 and decided.source == "pin"


def test_disagreeing_pins_are_unknown(tmp_path):
    write(tmp_path / "requirements.txt", "pytorch-lightning==1.9.5\n")
    write(tmp_path / "environment.yml", "dependencies:\n  - pip:\n    - lightning>=2.1\n")
    decided = decide_pins([str(tmp_path)])
    assert decided.major is None and decided.source == "conflict"
    assert "requirements.txt" in decided.reason and "environment.yml" in decided.reason


def test_a_pin_file_with_a_huge_version_does_not_crash(tmp_path):
    write(tmp_path / "requirements.txt", "pytorch-lightning==" + "1" * 4300 + "\n")
    assert decide_pins([str(tmp_path)]) is None


def test_pin_scan_is_linear_on_adversarial_text(tmp_path):
    import time

    path = write(tmp_path / "requirements.txt", "lightning " * 20_000 + "\n" + "pytorch-lightning>=" + "1," * 50_000)
    start = time.perf_counter()
    file_pins(str(path))
    assert time.perf_counter() - start < 2.0


# -- project roots --------------------------------------------------------------


def test_package_module_named_setup_is_not_a_project_root(tmp_path):
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    write(tmp_path / "mypkg" / "__init__.py", "")
    setup = write(tmp_path / "mypkg" / "setup.py", "def setup(cfg):\n    return cfg\n\nCONFIG = setup({})\n")
    model = write(tmp_path / "mypkg" / "model.py", "from mypkg.setup import CONFIG\n")
    assert not is_packaging_script(str(setup))
    assert find_project_root(str(model)) == str(tmp_path)


def test_real_packaging_scripts_mark_a_root(tmp_path):
    plain = write(tmp_path / "a" / "setup.py", "from setuptools import setup\nsetup(name='a')\n")
    inside = write(tmp_path / "b" / "setup.py", "import setuptools\nsetuptools.setup(name='b')\n")
    write(tmp_path / "b" / "__init__.py", "")  # a root that is also a package: still a packaging script
    bare = write(tmp_path / "c" / "setup.py", "from skbuild import setup\nsetup(name='c')\n")
    assert is_packaging_script(str(plain)) and is_packaging_script(str(inside)) and is_packaging_script(str(bare))
    assert find_project_root(str(tmp_path / "a" / "m.py")) == str(tmp_path / "a")


def test_nested_root_does_not_hide_the_outer_pins(tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path / "environment.yml", "dependencies:\n  - pytorch-lightning=1.9.0\n")
    write(tmp_path / "tools" / "pyproject.toml", "[tool.black]\nline-length = 100\n")
    model = write(tmp_path / "tools" / "model.py", "import pytorch_lightning\n")
    root = find_project_root(str(model))
    assert root == str(tmp_path / "tools")
    assert enclosing_roots(root) == [root, str(tmp_path)]
    assert target_version(Project(root, ())).major == 1


def test_enclosing_roots_stop_at_the_repository(tmp_path):
    write(tmp_path / "pyproject.toml", "")  # above the repository: never read
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo / "sub" / "setup.cfg", "")
    assert enclosing_roots(str(repo / "sub")) == [str(repo / "sub"), str(repo)]
    assert enclosing_roots(str(repo)) == [str(repo)]


def test_enclosing_roots_never_leave_a_skipped_folder(tmp_path):
    """A package kept under another project's .cache/ or site-packages/ is not part of it."""
    write(tmp_path / "pyproject.toml", '[project]\ndependencies = ["pytorch-lightning<2"]\n')
    for skipped in (".cache", "site-packages", "build"):
        package = tmp_path / skipped / "corpus" / "pkg"
        write(package / "pyproject.toml", "")
        assert enclosing_roots(str(package)) == [str(package)]


def test_a_repository_without_git_keeps_its_top_level_pins(tmp_path):
    """A research repo downloaded as a zip: no .git, no marker, only environment.yml at its top."""
    repo = tmp_path / "repo"
    write(repo / "environment.yml", "dependencies:\n  - pytorch-lightning=1.9.0\n")
    write(repo / "src" / "setup.cfg", "[flake8]\nmax-line-length = 100\n")
    assert enclosing_roots(str(repo / "src")) == [str(repo / "src"), str(repo)]
    assert decide_pins(enclosing_roots(str(repo / "src"))).major == 1


def test_enclosing_roots_stop_below_home_and_the_temporary_folder(monkeypatch, tmp_path):
    home = tmp_path / "home"
    write(home / "requirements.txt", "pytorch-lightning==1.9.0\n")  # a stray file in the home folder
    write(home / "code" / "proj" / "pyproject.toml", "")
    monkeypatch.setenv("HOME", str(home))
    assert enclosing_roots(str(home / "code" / "proj")) == [str(home / "code" / "proj")]
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    write(tmp_path / "scratch" / "pyproject.toml", '[project]\ndependencies = ["lightning>=2"]\n')
    write(tmp_path / "scratch" / "x" / "pyproject.toml", "")
    assert enclosing_roots(str(tmp_path / "scratch" / "x")) == [str(tmp_path / "scratch" / "x")]


def test_nearest_deciding_pin_wins(tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path / "requirements.txt", "pytorch-lightning==1.9.5\n")
    write(tmp_path / "new" / "pyproject.toml", '[project]\ndependencies = ["lightning>=2.1"]\n')
    assert decide_pins(enclosing_roots(str(tmp_path / "new"))).major == 2


# -- code evidence --------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "major"),
    [
        ("import pytorch_lightning as pl\ntrainer = pl.Trainer(gpus=1)\n", 1),
        ("import pytorch_lightning as pl\ntrainer = pl.Trainer(\n    max_epochs=3,\n    resume_from_checkpoint=ckpt,\n)\n", 1),
        ("from pytorch_lightning.utilities.distributed import rank_zero_only\n", 1),
        ("from pytorch_lightning.metrics import Accuracy\n", 1),
        ("from pytorch_lightning.loggers import TestTubeLogger\n", 1),
        ("import pytorch_lightning as pl\nparser = pl.Trainer.add_argparse_args(parser)\n", 1),
        ("from pytorch_lightning.core.lightning import LightningModule\n", 1),
        ("from pytorch_lightning.loggers import LightningLoggerBase\n", 1),
        ("import lightning as L\n", 2),
        ("from lightning.pytorch import Trainer\n", 2),
        ("import pytorch_lightning as pl\ntrainer = pl.Trainer(precision='bf16-mixed')\n", 2),
        ("import pytorch_lightning as pl\ntrainer = pl.Trainer(use_distributed_sampler=False)\n", 2),
    ],
)
def test_code_evidence(code, major):
    assert code_evidence([("x.py", code)])[major][1] == "x.py"
    assert set(code_evidence([("x.py", code)])) == {major}


@pytest.mark.parametrize(
    "code",
    [
        # both 1.6+ and 2.x: not evidence
        "import pytorch_lightning as pl\ntrainer = pl.Trainer(accelerator='gpu', devices=2, strategy='ddp')\n",
        # the hooks LTN106 judges are never evidence (that would be circular)
        "import pytorch_lightning as pl\nclass M(pl.LightningModule):\n    def training_epoch_end(self, outs): ...\n",
        # private helpers still exist in 2.x
        "from pytorch_lightning.utilities.distributed import _broadcast_object_list\n",
        # commented out
        "import pytorch_lightning as pl\n# trainer = pl.Trainer(gpus=1)\n",
        # usage examples in docstrings
        'import pytorch_lightning as pl\n"""Usage:\n    trainer = pl.Trainer(gpus=1, precision="16-mixed")\n"""\n',
        "import pytorch_lightning as pl\ndef f():\n    '''Trainer(gpus=1)'''\n",
        # a file that never names Lightning (another framework's Trainer)
        "from transformers import Trainer\nTrainer(gpus=1)\n",
        "import lightning_utilities\nimport lightning.app\n",
        # another class whose name ends in Trainer
        "import pytorch_lightning as pl\nt = MetaTrainer(gpus=1)\n",
    ],
)
def test_not_evidence(code):
    assert code_evidence([("x.py", code)]) == {}


def test_code_with_both_kinds_is_unknown(tmp_path):
    write(tmp_path / "a.py", "import pytorch_lightning as pl\npl.Trainer(gpus=1)\n")
    write(tmp_path / "b.py", "import lightning as L\n")
    decided = target_version(Project(str(tmp_path), ()))
    assert decided.major is None and decided.source == "conflict" and not decided.at_least(2)


def test_pin_beats_code_and_option_beats_pin(tmp_path):
    write(tmp_path / "requirements.txt", "pytorch-lightning==1.9.5\n")
    write(tmp_path / "a.py", "import lightning as L\n")
    project = Project(str(tmp_path), ())
    assert target_version(project).major == 1
    assert target_version(project, "2.1").major == 2
    assert target_version(project, "2.1").source == "option"


def test_nothing_says_means_2(tmp_path):
    write(tmp_path / "a.py", "import pytorch_lightning as pl\n")
    decided = target_version(Project(str(tmp_path), ()))
    assert (decided.major, decided.source) == (2, "default")


def test_evidence_scan_is_linear_on_adversarial_text():
    import time

    text = "import pytorch_lightning\n" + "Trainer(" * 20_000 + "#'\"" * 20_000 + '"""' + "'''x" * 20_000
    start = time.perf_counter()
    code_evidence([("x.py", text)])
    assert time.perf_counter() - start < 2.0


# -- --lightning-version --------------------------------------------------------


@pytest.mark.parametrize(("value", "major"), [("2", 2), ("1.9", 1), ("1.9.5", 1), ("2.1.0", 2), ("1.x", 1), ("v2", 2)])
def test_lightning_version_option(value, major):
    assert lightning_major(value) == major
    assert Config(lightning_version=value).lightning_version == value


@pytest.mark.parametrize("value", ["abc", "", "2..1", "-1", "1.9.5.4.3", "1" * 4301, "2." + "0" * 4301])
def test_bad_lightning_version_is_a_clear_error(value):
    with pytest.raises(ValueError, match="--lightning-version") as info:
        Config(lightning_version=value)
    assert len(str(info.value)) < 200  # never echoes thousands of digits


def test_flake8_reports_a_bad_lightning_version_clearly(tmp_path):
    src = write(tmp_path / "m.py", "x = 1\n")
    for value in ("garbage", "1" * 4301):
        run = subprocess.run(
            [sys.executable, "-m", "flake8", f"--lightning-version={value}", str(src)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode != 0
        assert "--lightning-version" in run.stdout + run.stderr
        assert "Traceback" not in run.stderr


# -- docs -----------------------------------------------------------------------


def test_docs_say_which_rules_depend_on_the_version():
    from flake8_lightning.docs import render
    from flake8_lightning.engine import RULES

    dependent = {code for code, rule in RULES.items() if getattr(rule, "depends_on_version", False)}
    assert "LTN106" in dependent
    for code in RULES:
        assert ("## Lightning version" in render(code)) == (code in dependent)


# -- LTN106 states the consequence for each hook ---------------------------------


def test_ltn106_says_what_happens_to_each_hook(tmp_path):
    from flake8_lightning.engine import analyse

    write(tmp_path / "requirements.txt", "lightning>=2.0\n")
    model = write(
        tmp_path / "model.py",
        """
        import lightning as L


        class Model(L.LightningModule):
            def training_epoch_end(self, outputs):
                self.log("a", 1)

            def validation_epoch_end(self, outputs):
                self.log("b", 1)

            def test_epoch_end(self, outputs):
                self.log("c", 1)

            def on_pretrain_routine_start(self):
                self.log("d", 1)

            def on_training_epoch_end(self):
                self.log("e", 1)
        """,
    )
    messages = {f.line: f.message for f in analyse(str(model), model.read_text(), Config())}
    assert "trainer.fit raises NotImplementedError at start" in messages[5]
    assert "trainer.fit and trainer.validate raise NotImplementedError" in messages[8]
    assert "trainer.test raises NotImplementedError" in messages[11] and "fit" not in messages[11]
    assert "silently never called" in messages[14]
    assert "never calls it" in messages[17] and "on_train_epoch_end" in messages[17]


# -- end to end: the real flake8 -------------------------------------------------

RESEARCH_MODEL = """
import pytorch_lightning as pl


class GAN(pl.LightningModule):
    def validation_epoch_end(self, outputs):
        self.log("fid", sum(outputs) / len(outputs))
"""


def run_flake8(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--select=LTN", *args, "."],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_flake8_on_a_research_repo_pinned_in_a_conda_file(tmp_path):
    """A 1.x research repo: a conda file pins it, a package module is named setup.py."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo / "environment.yml", "name: gan\ndependencies:\n  - pip:\n    - pytorch-lightning==1.9.0\n")
    write(repo / "gan" / "__init__.py", "")
    write(repo / "gan" / "setup.py", "def setup(cfg):\n    return cfg\n")
    write(repo / "gan" / "model.py", RESEARCH_MODEL)
    run = run_flake8(repo)
    assert (run.stdout, run.stderr) == ("", "")
    # The same repo once it pins Lightning 2: the hook makes fit raise.
    write(repo / "environment.yml", "name: gan\ndependencies:\n  - pip:\n    - lightning>=2.0\n")
    run = run_flake8(repo)
    assert run.stderr == ""
    assert run.stdout.splitlines() == [
        "./gan/model.py:5:5: LTN106 'validation_epoch_end' was removed in Lightning 2.0: "
        "trainer.fit and trainer.validate raise NotImplementedError at start; use on_validation_epoch_end "
        "(Lightning 2.x per environment.yml)"
    ]
    # --lightning-version overrides the pin.
    assert run_flake8(repo, "--lightning-version=1.9").stdout == ""


# -- torch too old for Lightning 2 ------------------------------------------------


@pytest.mark.parametrize(
    ("tail", "conda", "rules_out"),
    [
        ("==1.10.0", False, True),
        ("==1.10.0+cu113", False, True),
        ("<1.11", False, True),
        ("<1.11.1", False, False),  # allows 1.11.0
        ("<=1.10.2", False, True),
        ("~=1.10.0", False, True),
        ("~=1.10", False, False),  # up to 2.0
        (">=1.8", False, False),
        (">=1.8,<1.11", False, True),
        ("=1.10.1=py3.9_cuda11.3_cudnn8.2.0_0", True, True),
        (" 1.9.0", True, True),
        ("=1", True, False),
        ("==1.*", False, False),
        (' = "^1.10"', False, False),
        (' = "~1.10"', False, True),
        ("==1.13.1", False, False),
        ("==1." + "9" * 5000, False, False),
    ],
)
def test_torch_pins_that_rule_out_lightning_2(tail, conda, rules_out):
    assert version.torch_rules_out_2(tail, conda=conda) is rules_out


def test_old_torch_decides_only_when_no_lightning_pin_does(tmp_path):
    env = write(tmp_path / "environment.yml", "dependencies:\n  - pytorch=1.10\n  - torchvision=0.11\n  - pytorch-lightning\n")
    decided = decide_pins([str(tmp_path)])
    assert (decided.major, decided.source) == (1, "pin") and "torch" in decided.reason
    env.write_text("dependencies:\n  - pytorch=1.10\n  - lightning>=2.0\n")  # contradictory, but explicit
    assert decide_pins([str(tmp_path)]).major == 2
    env.write_text("dependencies:\n  - pytorch-cuda=11.7\n  - torchvision=0.9\n  - pytorch>=1.8\n")
    assert decide_pins([str(tmp_path)]) is None


def test_glob_characters_in_the_project_path(tmp_path):
    """Reliability case W6: a project folder named ``proj[v1]`` still has its pins read."""
    from flake8_lightning.engine import analyse

    root = tmp_path / "proj[v1]"
    write(root / "pyproject.toml", '[project]\ndependencies = ["pytorch-lightning==1.9.5"]\n')
    model = write(
        root / "model.py",
        """
        import pytorch_lightning as pl


        class Model(pl.LightningModule):
            def training_epoch_end(self, outputs):
                self.log("x", 1.0)
        """,
    )
    assert target_version(Project(str(root), ())).major == 1
    assert analyse(str(model), model.read_text(), Config()) == []
