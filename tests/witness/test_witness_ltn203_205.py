"""Witness tests for LTN203 and LTN205: what Lightning 2.6.6 reports too late, and when.

Each test lints a file of ``cases/`` (line, code and the whole message, from the
file's expectations), then trains the very same classes on the CPU and shows
Lightning's real message and the point of the run where it happens.
"""

from __future__ import annotations

import os
import warnings

import pytest

pytestmark = pytest.mark.witness

if os.environ.get("FLAKE8_LIGHTNING_REQUIRE_WITNESS") != "1":
    pytest.importorskip("lightning")

from test_witness import expected, lint, load, trainer  # noqa: E402 - the shared loaders of the witness tier

MULTIPLE = "Training with multiple optimizers is only supported with manual optimization"


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_ltn203_findings_are_the_expected_ones():
    assert lint("ltn203_bad.py") == expected("ltn203_bad.py")
    assert len(expected("ltn203_bad.py")) == 2


@pytest.mark.parametrize("name", ["TwoOptimizersModel", "IndexedModel"])
def test_ltn203_fit_raises_after_setup_before_any_batch(tmp_path, name):
    model = getattr(load("ltn203_bad.py"), name)()
    with pytest.raises(RuntimeError, match=MULTIPLE):
        trainer(tmp_path).fit(model)
    # setup() ran (the data side is prepared), configure_optimizers ran, not one batch did.
    assert model.ran == ["setup", "configure_optimizers"]


@pytest.mark.parametrize("name", ["TwoOptimizersModel", "IndexedModel"])
def test_ltn203_fixed_trains(tmp_path, name):
    assert lint("ltn203_fixed.py") == []
    model = getattr(load("ltn203_fixed.py"), name)()
    run = trainer(tmp_path)
    run.fit(model)
    assert run.global_step == (16 if name == "TwoOptimizersModel" else 8)  # each optimizer step counts


def test_ltn205_instance_call_raises_after_the_whole_training_run(tmp_path):
    assert lint("ltn205_bad.py") == expected("ltn205_bad.py") != []
    progress = []
    message = (
        "The classmethod `Model.load_from_checkpoint` cannot be called on an instance. "
        "Please call it on the class type and make sure the return value is used."
    )
    with pytest.raises(TypeError) as raised:
        load("ltn205_bad.py").train_then_reload(tmp_path, progress)
    assert str(raised.value) == message
    assert progress == [8]  # the whole fit ran (2 epochs x 4 batches) before the raise


def test_ltn205_fixed_reloads(tmp_path):
    assert lint("ltn205_fixed.py") == []
    progress = []
    model = load("ltn205_fixed.py").train_then_reload(tmp_path, progress)
    assert progress == [8, "reloaded"]
    assert type(model).__name__ == "Model"


def test_ltn205_autofix_reloads_after_training(tmp_path):
    import importlib.util
    import sys

    from test_witness import CASES, EXPECT_RE

    from flake8_lightning.config import Config
    from flake8_lightning.engine import analyse
    from flake8_lightning.fixes import fixed_source

    path = CASES / "ltn205_bad.py"
    source = EXPECT_RE.sub("", path.read_text())
    fixed, count = fixed_source(str(path), source)
    assert count == 1
    assert "model = Model.load_from_checkpoint(trainer.checkpoint_callback.best_model_path)" in fixed
    assert [f for f in analyse(str(path), fixed, Config())] == []  # re-lint clean
    assert fixed_source(str(path), fixed) == (fixed, 0)  # idempotent
    target = tmp_path / "ltn205_autofixed.py"
    target.write_text(fixed)
    sys.path.insert(0, str(CASES))
    try:
        spec = importlib.util.spec_from_file_location("witness_ltn205_autofixed", target)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(CASES))
    progress = []
    model = module.train_then_reload(tmp_path, progress)
    assert progress == [8, "reloaded"]
    assert type(model).__name__ == "Model"


PLATEAU_CASES = {
    "TopLevelMonitorIgnored": "The lr scheduler dict must include a monitor when a `ReduceLROnPlateau` scheduler is used.",
    "DictInAList": "The lr scheduler dict must include a monitor when a `ReduceLROnPlateau` scheduler is used.",
    "BareInLists": "`configure_optimizers` must include a monitor when a `ReduceLROnPlateau` scheduler is used.",
}


def test_ltn204_findings_are_the_expected_ones():
    assert lint("ltn204_bad.py") == expected("ltn204_bad.py")
    assert len(expected("ltn204_bad.py")) == 4


@pytest.mark.parametrize("name", sorted(PLATEAU_CASES))
def test_ltn204_fit_raises_after_setup_before_any_batch(tmp_path, name):
    from lightning.pytorch.utilities.exceptions import MisconfigurationException

    model = getattr(load("ltn204_bad.py"), name)()
    with pytest.raises(MisconfigurationException) as raised:
        trainer(tmp_path).fit(model)
    assert str(raised.value).startswith(PLATEAU_CASES[name])
    assert model.ran == ["setup"]  # the data side is set up, not one batch ran


@pytest.mark.parametrize("name", sorted(PLATEAU_CASES))
def test_ltn204_fixed_trains(tmp_path, name):
    assert lint("ltn204_fixed.py") == []
    run = trainer(tmp_path)
    run.fit(getattr(load("ltn204_fixed.py"), name)())
    assert run.global_step == 8


def test_ltn204_step_interval_on_a_validation_metric_raises_at_the_first_batch(tmp_path):
    from lightning.pytorch.utilities.exceptions import MisconfigurationException

    model = load("ltn204_bad.py").StepOnValidationLoss()
    with pytest.raises(MisconfigurationException) as raised:
        trainer(tmp_path).fit(model)
    assert str(raised.value) == (
        "ReduceLROnPlateau conditioned on metric val_loss which is not available. Available metrics are: ['train_loss']."
        " Condition can be set using `monitor` key in lr scheduler dict"
    )
    # setup, the sanity check (whose val_loss is discarded), then the first training batch
    assert model.ran == ["setup", "validation_step", "validation_step", "training_step"]


@pytest.mark.parametrize("name", ["StepOnValidationLoss", "StepOnValidationLossNotStrict"])
def test_ltn204_step_interval_fixed_trains(tmp_path, name):
    assert lint("ltn204_fixed.py") == []
    run = trainer(tmp_path)
    model = getattr(load("ltn204_fixed.py"), name)()
    run.fit(model)
    assert run.global_step == 8
    assert run.lr_scheduler_configs[0].scheduler.last_epoch >= 1  # it stepped on val_loss
