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

pytestmark = pytest.mark.witness

if os.environ.get("FLAKE8_LIGHTNING_REQUIRE_WITNESS") != "1":
    pytest.importorskip("lightning")

import torch  # noqa: E402

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


#: The models of ltn202_bad.py whose hook --fix rewrites (the 1.x parameter is unused, or is
#: dataloader_idx), and those it leaves alone (the parameter is used, or backward/manual_backward).
FIXED_BY_AUTOFIX = [
    "BatchStartIndex",
    "BatchEndIndex",
    "StepWithIndex",
    "ZeroGradWithIndex",
    "BeforeStepWithIndex",
    "ClippingWithIndex",
    "Hiddens",
    "SchedulerWithIndex",
]


def test_ltn202_autofix_gives_code_that_trains(tmp_path):
    import importlib.util
    import sys

    from test_witness import CASES, EXPECT_RE

    from flake8_lightning.fixes import fixed_source

    path = CASES / "ltn202_bad.py"
    source = EXPECT_RE.sub("", path.read_text())
    fixed, count = fixed_source(str(path), source)
    assert count == len(FIXED_BY_AUTOFIX) + 1  # and BatchTimer's dataloader_idx=0
    assert "def on_train_batch_start(self, batch, batch_idx, dataloader_idx=0):" in fixed
    assert "def training_step(self, batch, batch_idx):" in fixed
    assert fixed_source(str(path), fixed) == (fixed, 0)  # idempotent
    # re-lint: what is left is exactly what has no fix
    left = {message.split("(", 1)[0] for _, _, message in lint_text(path, fixed)}
    assert left == {
        "on_validation_epoch_end",
        "on_train_epoch_end",
        "backward",
        "manual_backward",
        "Callback on_save_checkpoint",
        "Callback on_load_checkpoint",
    }
    target = tmp_path / "ltn202_autofixed.py"
    target.write_text(fixed)
    sys.path.insert(0, str(CASES))
    try:
        spec = importlib.util.spec_from_file_location("witness_ltn202_autofixed", target)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(CASES))
    for name in FIXED_BY_AUTOFIX:
        run = trainer(tmp_path / name)
        model = getattr(module, name)()
        run.fit(model)
        assert run.global_step == 8, name
        assert model.ran.count("train") == 8, name
    run = trainer(tmp_path / "callback", callbacks=[module.BatchTimer()])
    model = module.Base()
    run.fit(model)
    assert model.ran.count("callback_batch_end") == 8


def lint_text(path, text):
    from flake8_lightning.config import Config
    from flake8_lightning.engine import analyse

    return [(f.line, f.code, f.message) for f in analyse(str(path), text, Config())]
