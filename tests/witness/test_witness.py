"""Witness tests: the flagged code really fails under Lightning, the fixed code works.

Each case in ``cases/`` is linted exactly as it is imported and trained here,
on the CPU with a tiny model. Run with ``pytest -m witness`` after
``pip install -e .[witness]``. Set ``FLAKE8_LIGHTNING_REQUIRE_WITNESS=1`` (CI
does) to make a missing Lightning a failure instead of a skip.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import warnings
from pathlib import Path

import pytest

from flake8_lightning.config import Config
from flake8_lightning.engine import analyse

CASES = Path(__file__).parent / "cases"

pytestmark = pytest.mark.witness

if os.environ.get("FLAKE8_LIGHTNING_REQUIRE_WITNESS") != "1":
    pytest.importorskip("lightning")


#: An expectation: ``# expect: LTN001 "the whole message"`` (one finding a line).
EXPECT_RE = re.compile(r'[ \t]*#\s*expect:\s*(LTN\d{3})(?:\s+"((?:[^"\\]|\\.)*)")?.*$', re.MULTILINE)


def lint(name: str) -> list[tuple[int, str, str]]:
    """(line, code, message) of each finding, linted without the expectation comments."""
    path = CASES / name
    source = EXPECT_RE.sub("", path.read_text())
    return [(f.line, f.code, f.message) for f in analyse(str(path), source, Config())]


def expected(name: str) -> list[tuple[int, str, str]]:
    found = []
    for i, line in enumerate((CASES / name).read_text().splitlines(), 1):
        match = EXPECT_RE.search(line)
        if match:
            assert match[2] is not None, f"{name}:{i}: state the whole message after {match[1]}"
            found.append((i, match[1], re.sub(r"\\(.)", r"\1", match[2])))
    return found


def load(name: str):
    sys.path.insert(0, str(CASES))
    try:
        spec = importlib.util.spec_from_file_location(f"witness_{Path(name).stem}", CASES / name)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(CASES))


def trainer(tmp_path: Path, callbacks=(), **kwargs):
    import lightning as L

    sys.path.insert(0, str(CASES))
    try:
        from _data import quiet_trainer_options
    finally:
        sys.path.remove(str(CASES))
    return L.Trainer(callbacks=list(callbacks), **{**quiet_trainer_options(tmp_path), **kwargs})


def checkpoints(tmp_path: Path) -> list[Path]:
    return sorted(tmp_path.rglob("*.ckpt"))


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_ltn001_raw_step_leaves_global_step_at_zero_and_saves_nothing(tmp_path):
    from lightning.pytorch.callbacks import ModelCheckpoint

    assert lint("ltn001_bad.py") == expected("ltn001_bad.py") != []
    model = load("ltn001_bad.py").RawOptimizerModel()
    run = trainer(tmp_path, [ModelCheckpoint(dirpath=tmp_path / "ckpt", every_n_train_steps=2)])
    run.fit(model)
    assert run.global_step == 0
    assert checkpoints(tmp_path) == []


def test_ltn001_fixed_counts_steps_and_saves(tmp_path):
    from lightning.pytorch.callbacks import ModelCheckpoint

    assert lint("ltn001_fixed.py") == []
    model = load("ltn001_fixed.py").WrappedOptimizerModel()
    run = trainer(tmp_path, [ModelCheckpoint(dirpath=tmp_path / "ckpt", every_n_train_steps=2)])
    run.fit(model)
    assert run.global_step == 8  # 4 batches x 2 epochs
    assert checkpoints(tmp_path) != []


def test_ltn001_raw_zero_grad_beside_the_wrapper_step_is_harmless(tmp_path):
    from lightning.pytorch.callbacks import ModelCheckpoint

    assert lint("ltn001_raw_zero_grad.py") == []
    model = load("ltn001_raw_zero_grad.py").RawZeroGradModel()
    run = trainer(tmp_path, [ModelCheckpoint(dirpath=tmp_path / "ckpt", every_n_train_steps=2)])
    run.fit(model)
    assert run.global_step == 8  # the wrapper's step counts; the raw zero_grad changes nothing
    assert model.zeroed == [True] * 8  # gradients cleared (set to None) as opt.zero_grad() does
    assert checkpoints(tmp_path) != []


def test_ltn002_manual_backward_raises_at_first_batch(tmp_path):
    from lightning.pytorch.utilities.exceptions import MisconfigurationException

    assert lint("ltn002_bad.py") == expected("ltn002_bad.py") != []
    model = load("ltn002_bad.py").StillAutomaticModel()
    assert model.automatic_optimization is True  # reset by LightningModule.__init__
    with pytest.raises(MisconfigurationException, match="disable automatic optimization"):
        trainer(tmp_path).fit(model)


def test_ltn002_fixed_trains(tmp_path):
    assert lint("ltn002_fixed.py") == []
    model = load("ltn002_fixed.py").ManualModel()
    run = trainer(tmp_path)
    run.fit(model)
    assert run.global_step == 8


def test_ltn003_step_checkpoint_on_unlogged_metric_silently_saves_nothing(tmp_path):
    assert lint("ltn003_bad.py") == expected("ltn003_bad.py") != []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = load("ltn003_bad.py").checkpoint_every_n_steps(tmp_path)
    assert run.global_step == 8  # trained to the end...
    assert checkpoints(tmp_path) == []  # ...and not one checkpoint...
    assert not [w for w in caught if "ae_acc" in str(w.message)]  # ...and not one word about it


def test_ltn003_fixed_step_checkpoint_saves(tmp_path):
    assert lint("ltn003_fixed.py") == []
    run = load("ltn003_fixed.py").checkpoint_every_n_steps(tmp_path)
    assert run.global_step == 8
    assert checkpoints(tmp_path) != []


def test_ltn003_epoch_checkpoint_raises_after_first_validation(tmp_path):
    from lightning.pytorch.utilities.exceptions import MisconfigurationException

    with pytest.raises(MisconfigurationException, match="could not find the monitored key"):
        load("ltn003_bad.py").checkpoint_on_validation(tmp_path)


def test_ltn003_fixed_epoch_checkpoint_saves(tmp_path):
    load("ltn003_fixed.py").checkpoint_on_validation(tmp_path)
    assert checkpoints(tmp_path) != []


def test_ltn003_early_stopping_raises(tmp_path):
    with pytest.raises(RuntimeError, match="Early stopping conditioned on metric `val_los`"):
        load("ltn003_bad.py").early_stopping(tmp_path)


def test_ltn003_fixed_early_stopping_trains(tmp_path):
    run = load("ltn003_fixed.py").early_stopping(tmp_path)
    assert run.current_epoch == 2


def _fit(name: str, cls: str, tmp_path: Path):
    assert lint(name) == expected(name)
    model = getattr(load(name), cls)()
    run = trainer(tmp_path)
    run.fit(model)
    return model, run


def test_ltn101_tensor_backward_skips_lightning_backward_hooks(tmp_path):
    assert expected("ltn101_bad.py") != []
    model, _ = _fit("ltn101_bad.py", "RawBackwardModel", tmp_path)
    assert model.backward_hook_calls == 0  # on_after_backward silently skipped (and DDP sync, AMP)


def test_ltn101_fixed_runs_backward_hooks(tmp_path):
    model, _ = _fit("ltn101_fixed.py", "ManualBackwardModel", tmp_path)
    assert model.backward_hook_calls == 8


def test_ltn102_step_in_batch_end_leaves_global_step_at_zero(tmp_path):
    assert expected("ltn102_bad.py") != []
    _, run = _fit("ltn102_bad.py", "StepInBatchEndModel", tmp_path)
    assert run.global_step == 0
    assert checkpoints(tmp_path) == []


def test_ltn102_fixed_counts_steps(tmp_path):
    _, run = _fit("ltn102_fixed.py", "StepInTrainingStepModel", tmp_path)
    assert run.global_step == 8
    assert checkpoints(tmp_path) != []


def _count_raw_steps(model_cls, tmp_path):
    from lightning.pytorch.callbacks import Callback

    steps = []

    class CountSteps(Callback):
        def on_fit_start(self, trainer, pl_module):
            trainer.optimizers[0].register_step_post_hook(lambda *args: steps.append(1))

    run = trainer(tmp_path, [CountSteps()])
    run.fit(model_cls())
    return len(steps), run.global_step


def test_ltn103_step_under_automatic_optimization_steps_twice(tmp_path):
    assert lint("ltn103_bad.py") == expected("ltn103_bad.py") != []
    assert _count_raw_steps(load("ltn103_bad.py").DoubleStepModel, tmp_path) == (16, 8)


def test_ltn103_fixed_steps_once(tmp_path):
    assert lint("ltn103_fixed.py") == []
    assert _count_raw_steps(load("ltn103_fixed.py").SingleStepModel, tmp_path) == (8, 8)


def test_ltn104_unstepped_scheduler_keeps_learning_rate(tmp_path):
    assert expected("ltn104_bad.py") != []
    model, _ = _fit("ltn104_bad.py", "FrozenLearningRateModel", tmp_path)
    assert model.optimizers().param_groups[0]["lr"] == pytest.approx(0.1)


def test_ltn104_fixed_scheduler_decays(tmp_path):
    model, _ = _fit("ltn104_fixed.py", "DecayingLearningRateModel", tmp_path)
    assert model.optimizers().param_groups[0]["lr"] == pytest.approx(0.025)  # two epochs of gamma=0.5


def test_ltn105_default_mode_keeps_the_worst_model(tmp_path):
    assert lint("ltn105_bad.py") == expected("ltn105_bad.py") != []
    checkpoint = load("ltn105_bad.py").train(tmp_path)
    assert float(checkpoint.best_model_score) == pytest.approx(0.1)  # the worst epoch
    assert "epoch=0" in checkpoint.best_model_path


def test_ltn105_fixed_keeps_the_best_model(tmp_path):
    assert lint("ltn105_fixed.py") == []
    checkpoint = load("ltn105_fixed.py").train(tmp_path)
    assert float(checkpoint.best_model_score) == pytest.approx(0.3)
    assert "epoch=2" in checkpoint.best_model_path


def test_ltn106_misspelled_hook_is_never_called(tmp_path):
    assert expected("ltn106_bad.py") != []
    model, _ = _fit("ltn106_bad.py", "MisspelledHookModel", tmp_path)
    assert model.epochs_summarized == 0


def test_ltn106_fixed_hook_is_called(tmp_path):
    model, _ = _fit("ltn106_fixed.py", "CorrectHookModel", tmp_path)
    assert model.epochs_summarized == 2


@pytest.mark.parametrize(("name", "cls"), [("ltn001_bad.py", "RawOptimizerModel"), ("ltn002_bad.py", "StillAutomaticModel")])
def test_autofixed_code_trains_and_saves_checkpoints(tmp_path, name, cls):
    """`flake8-lightning --fix` on the flagged witness code gives code that trains and saves."""
    import shutil
    import subprocess

    from lightning.pytorch.callbacks import ModelCheckpoint

    work = tmp_path / "src"
    work.mkdir()
    (work / "pyproject.toml").write_text("")
    shutil.copy(CASES / name, work / name)
    shutil.copy(CASES / "_data.py", work / "_data.py")
    subprocess.run([sys.executable, "-m", "flake8_lightning", "--fix", name], cwd=work, check=True, capture_output=True)
    fixed = (work / name).read_text()
    assert fixed != (CASES / name).read_text()
    assert [f for f in analyse(str(work / name), fixed, Config()) if f.code in ("LTN001", "LTN002")] == []

    sys.path.insert(0, str(work))
    try:
        spec = importlib.util.spec_from_file_location(f"fixed_{Path(name).stem}", work / name)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(work))
    run = trainer(tmp_path / "run", [ModelCheckpoint(dirpath=tmp_path / "ckpt", every_n_train_steps=2)])
    run.fit(getattr(module, cls)())
    assert run.global_step == 8
    assert checkpoints(tmp_path / "ckpt") != []
