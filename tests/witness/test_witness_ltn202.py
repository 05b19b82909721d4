"""Witness tests for LTN202: Lightning 1.x hook signatures under Lightning 2.6.6, and their 2.x form.

Each bad model records what ran before the ``TypeError`` (two sanity-check
validation batches, then training batches), which shows the point of the run
where Lightning reports the mistake; the fixed models train. Both files are
linted as they are run (line, code and the whole message).
"""

from __future__ import annotations

import os
import warnings

import pytest
import torch

pytestmark = pytest.mark.witness

if os.environ.get("FLAKE8_LIGHTNING_REQUIRE_WITNESS") != "1":
    pytest.importorskip("lightning")

from test_witness import expected, lint, load, trainer  # noqa: E402 - the shared loaders of the witness tier

SANITY = ["val", "val"]  # the sanity check: two validation batches
FIRST_BATCH = [*SANITY, "train"]
EPOCH_0 = [*SANITY, *["train"] * 4]  # the 4 training batches of epoch 0

#: model -> (Lightning's message, what ran before it)
CASES = {
    "ValidationOutputs": ("on_validation_epoch_end() missing 1 required positional argument: 'outputs'", SANITY),
    "TrainOutputs": ("on_train_epoch_end() missing 1 required positional argument: 'outputs'", [*EPOCH_0, *["val"] * 4]),
    "BatchStartIndex": ("on_train_batch_start() missing 1 required positional argument: 'dataloader_idx'", SANITY),
    "BatchEndIndex": ("on_train_batch_end() missing 1 required positional argument: 'dataloader_idx'", FIRST_BATCH),
    # the closure (training_step) lands in optimizer_idx: nothing trains
    "StepWithIndex": ("optimizer_step() missing 1 required positional argument: 'optimizer_closure'", SANITY),
    "ZeroGradWithIndex": ("optimizer_zero_grad() missing 1 required positional argument: 'optimizer_idx'", FIRST_BATCH),
    "BackwardWithIndex": (
        "backward() missing 2 required positional arguments: 'optimizer' and 'optimizer_idx'",
        FIRST_BATCH,
    ),
    "BeforeStepWithIndex": (
        "on_before_optimizer_step() missing 1 required positional argument: 'optimizer_idx'",
        FIRST_BATCH,
    ),
    "ClippingWithIndex": (
        "configure_gradient_clipping() missing 1 required positional argument: 'optimizer_idx'",
        FIRST_BATCH,
    ),
    "Hiddens": ("training_step() missing 1 required positional argument: 'hiddens'", SANITY),
    # the epoch's last batch has run; the scheduler steps before the end-of-epoch validation
    "SchedulerWithIndex": ("lr_scheduler_step() missing 1 required positional argument: 'metric'", EPOCH_0),
}


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_ltn202_findings_are_the_expected_ones():
    assert lint("ltn202_bad.py") == expected("ltn202_bad.py")
    assert len(expected("ltn202_bad.py")) == 15
    assert lint("ltn202_fixed.py") == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_ltn202_old_signature_raises_when_the_hook_first_runs(tmp_path, name):
    message, ran = CASES[name]
    model = getattr(load("ltn202_bad.py"), name)()
    with pytest.raises(TypeError) as raised:
        trainer(tmp_path, max_epochs=1).fit(model)
    assert str(raised.value) == f"{name}.{message}"
    assert model.ran == ran


def test_ltn202_manual_backward_with_optimizer_raises_at_the_first_batch(tmp_path):
    model = load("ltn202_bad.py").ManualWithOptimizer()
    with pytest.raises(TypeError, match=r"^'LightningSGD' object is not iterable$"):
        trainer(tmp_path, max_epochs=1).fit(model)
    assert model.ran == FIRST_BATCH


def test_ltn202_callback_dataloader_idx_raises_at_the_first_batch(tmp_path):
    module = load("ltn202_bad.py")
    model = module.Base()
    with pytest.raises(TypeError) as raised:
        trainer(tmp_path, callbacks=[module.BatchTimer()], max_epochs=1).fit(model)
    assert str(raised.value) == "BatchTimer.on_train_batch_end() missing 1 required positional argument: 'dataloader_idx'"
    assert model.ran == FIRST_BATCH


def test_ltn202_callback_state_is_dropped_and_resume_fails(tmp_path):
    module = load("ltn202_bad.py")
    first = trainer(tmp_path / "first", callbacks=[module.BestLoss()], max_epochs=1)
    first.fit(module.Base())
    (ckpt,) = (tmp_path / "first").rglob("*.ckpt")
    saved = torch.load(ckpt, weights_only=False)
    # the state on_save_checkpoint returned is nowhere in the checkpoint
    assert all("best" not in state for state in saved["callbacks"].values()) and "best" not in saved
    resumed = trainer(tmp_path / "resumed", callbacks=[module.BestLoss()], max_epochs=2)
    model = module.Base()
    with pytest.raises(KeyError, match="'best'"):
        resumed.fit(model, ckpt_path=str(ckpt))
    assert model.ran == []  # at resume, before any batch


@pytest.mark.parametrize("name", sorted(CASES) + ["ManualWithOptimizer"])
def test_ltn202_fixed_trains(tmp_path, name):
    run = trainer(tmp_path)
    model = getattr(load("ltn202_fixed.py"), name)()
    run.fit(model)
    assert run.global_step == 8
    assert model.ran.count("train") == 8


def test_ltn202_fixed_callbacks_train_and_resume(tmp_path):
    module = load("ltn202_fixed.py")
    model, saving = module.Base(), module.BestLoss()
    trainer(tmp_path / "first", callbacks=[module.BatchTimer(), saving], max_epochs=1).fit(model)
    assert model.ran.count("callback_batch_end") == 4
    (ckpt,) = (tmp_path / "first").rglob("*.ckpt")
    saved = torch.load(ckpt, weights_only=False)
    assert [state["best"] for state in saved["callbacks"].values() if "best" in state] == [saving.best]
    best = module.BestLoss()
    trainer(tmp_path / "resumed", callbacks=[best], max_epochs=2).fit(module.Base(), ckpt_path=str(ckpt))
    assert best.best <= saving.best  # restored from the checkpoint, then improved on
