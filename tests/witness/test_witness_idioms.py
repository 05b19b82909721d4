"""Witness tests for research idioms: what really happens under automatic optimization.

Each test lints a file of ``cases/`` (line, code and the whole message, written
out here), then trains the very same classes under Lightning 2.6.6 on the CPU
and shows Lightning's real behaviour, its real message and the point of the run
where it happens. Run with ``pytest -m witness``.

What the CPU cannot show directly is said where it matters:

* ``Trainer(precision="16-mixed")`` on the CPU is silently turned into
  ``bf16-mixed``, which has no GradScaler (Lightning warns "AMP with fp16 is not
  supported on CPU"). The GradScaler path is witnessed with Lightning's own
  ``MixedPrecision("16-mixed", "cpu", scaler=torch.amp.GradScaler("cpu"))``,
  which is what Lightning builds on a GPU with ``device="cuda"``.
* DDP runs on the CPU with the gloo backend (``strategy="ddp_spawn"``,
  ``devices=2``) in a subprocess.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from flake8_lightning.config import Config
from flake8_lightning.engine import analyse

CASES = Path(__file__).parent / "cases"

pytestmark = pytest.mark.witness

if __import__("os").environ.get("FLAKE8_LIGHTNING_REQUIRE_WITNESS") != "1":
    pytest.importorskip("lightning")

from test_witness import load, trainer  # noqa: E402 - the shared loaders of the witness tier


def lint(name: str) -> list[tuple[int, str, str]]:
    path = CASES / name
    return [(f.line, f.code, f.message) for f in analyse(str(path), path.read_text(), Config())]


def line_of(name: str, text: str) -> int:
    """The 1-based line of ``name`` that holds ``text`` (exactly one)."""
    found = [i for i, line in enumerate((CASES / name).read_text().splitlines(), 1) if text in line]
    assert len(found) == 1, (text, found)
    return found[0]


def weights(module) -> list:
    return [p.detach().clone() for p in module.parameters()]


def unchanged(before, module) -> bool:
    import torch

    return all(torch.equal(a, b) for a, b in zip(before, module.parameters()))


# -- LTN101: a backward in training_step under automatic optimization -------------------

LTN101_SECOND = (
    "'loss.backward()', then Lightning's backward of the returned loss: 'backward through the "
    "graph a second time' at batch 1; use return loss alone"
)
LTN101_DISCARDED = (
    "'aux.backward()' in training_step: Lightning zeroes gradients before its own backward, so "
    "these are discarded; use the returned loss instead"
)
LTN101_NONE = (
    "'loss.backward()' with training_step returning None: Lightning zeroes the gradients and the "
    "parameters never change; use a returned loss instead"
)


def test_ltn101_findings_name_each_case():
    name = "ltn101_automatic_bad.py"
    lines = [i for i, line in enumerate((CASES / name).read_text().splitlines(), 1) if "# expect: LTN101" in line]
    assert lint(name) == [
        (lines[0], "LTN101", LTN101_SECOND),
        (lines[1], "LTN101", LTN101_DISCARDED),
        (lines[2], "LTN101", LTN101_NONE),
    ]


def test_ltn101_backward_then_return_fails_at_the_first_batch(tmp_path):
    model = load("ltn101_automatic_bad.py").SecondBackwardModel()
    run = trainer(tmp_path)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        run.fit(model)
    assert model.batches_started == 1  # the very first batch
    assert run.global_step == 0


def test_ltn101_manual_gradients_are_discarded(tmp_path):
    model = load("ltn101_automatic_bad.py").DiscardedGradientModel()
    aux_before, head_before = weights(model.aux_head), weights(model.head)
    run = trainer(tmp_path)
    run.fit(model)
    assert run.global_step == 8  # trains to the end, without a word...
    assert unchanged(aux_before, model.aux_head)  # ...and the hand-made gradients never reached it
    assert not unchanged(head_before, model.head)


def test_ltn101_returning_none_never_changes_the_parameters(tmp_path):
    model = load("ltn101_automatic_bad.py").ReturnsNothingModel()
    before = weights(model)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = trainer(tmp_path)
        run.fit(model)
    assert run.global_step == 8  # steps are counted...
    assert unchanged(before, model)  # ...but nothing is learned
    assert [w for w in caught if "`training_step` returned `None`" in str(w.message)]  # only a warning


def test_ltn101_fixed_and_inner_loop_are_silent_and_learn(tmp_path):
    assert lint("ltn101_automatic_fixed.py") == []
    module = load("ltn101_automatic_fixed.py")
    model = module.ReturnedLossModel()
    aux_before = weights(model.aux_head)
    trainer(tmp_path / "a").fit(model)
    assert not unchanged(aux_before, model.aux_head)
    inner = module.InnerLoopModel()
    before = weights(inner)
    run = trainer(tmp_path / "b")
    run.fit(inner)
    assert inner.inner_steps == 8 and run.global_step == 8
    assert not unchanged(before, inner)


# -- LTN103: training_step steps its own optimizer and returns None ---------------------

LTN103_WRAPPER_NONE = (
    "'opt' stepped, None returned: manual optimization unsaid, DDP raises and 16-mixed never "
    "steps; set self.automatic_optimization = False"
)


def _scaled_16_mixed():
    """Lightning's own 16-mixed plugin with a real GradScaler, on the CPU."""
    import torch
    from lightning.pytorch.plugins import MixedPrecision

    return MixedPrecision("16-mixed", "cpu", scaler=torch.amp.GradScaler("cpu"))


def test_ltn103_finding_says_manual_optimization_unsaid():
    name = "ltn103_returns_none_bad.py"
    assert lint(name) == [(line_of(name, "# expect: LTN103"), "LTN103", LTN103_WRAPPER_NONE)]


def test_ltn103_returning_none_seems_to_work_in_32_bit(tmp_path):
    model = load("ltn103_returns_none_bad.py").UnsaidManualModel()
    before = weights(model)
    run = trainer(tmp_path)
    run.fit(model)
    assert run.global_step == 8 and not unchanged(before, model)


def test_ltn103_returning_none_never_steps_under_16_mixed(tmp_path):
    model = load("ltn103_returns_none_bad.py").UnsaidManualModel()
    before = weights(model)
    run = trainer(tmp_path, plugins=[_scaled_16_mixed()])
    run.fit(model)
    assert run.precision_plugin.scaler is not None
    assert run.global_step == 8  # trains to the end without a word...
    assert unchanged(before, model)  # ...and the GradScaler skipped every step


def test_ltn103_16_mixed_flag_on_cpu_becomes_bf16_without_scaler(tmp_path):
    """Why the GradScaler is passed explicitly above: the flag alone gives no scaler on the CPU."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = trainer(tmp_path, precision="16-mixed")
    assert run.precision_plugin.precision == "bf16-mixed"
    assert getattr(run.precision_plugin, "scaler", None) is None
    assert [w for w in caught if "AMP with fp16 is not supported on CPU" in str(w.message)]


def test_ltn103_fixed_steps_under_16_mixed(tmp_path):
    assert lint("ltn103_returns_none_fixed.py") == []
    model = load("ltn103_returns_none_fixed.py").ManualModel()
    before = weights(model)
    run = trainer(tmp_path, plugins=[_scaled_16_mixed()])
    run.fit(model)
    assert run.global_step == 8 and not unchanged(before, model)


def test_ltn103_returning_none_raises_under_ddp_at_the_first_batch(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys, warnings
        sys.path.insert(0, {str(CASES)!r})
        warnings.filterwarnings("ignore")
        import lightning as L
        from _data import quiet_trainer_options
        from ltn103_returns_none_bad import UnsaidManualModel

        if __name__ == "__main__":
            options = {{**quiet_trainer_options({str(tmp_path)!r}), "devices": 2, "strategy": "ddp_spawn"}}
            L.Trainer(**options).fit(UnsaidManualModel())
        """
    )
    (tmp_path / "ddp_run.py").write_text(script)
    done = subprocess.run(
        [sys.executable, str(tmp_path / "ddp_run.py")], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode != 0
    assert (
        "RuntimeError: Skipping the `training_step` by returning None in distributed training is not supported."
        in done.stderr
    )
    assert "in _training_step" in done.stderr  # raised from the first closure, right after training_step


# -- LTN003: a ReduceLROnPlateau monitor never logged vs a cosine scheduler -------------

LTN003_PLATEAU = (
    "monitor 'val_acc' is never logged with self.log, so the scheduler fails when it steps; "
    "log it with self.log('val_acc', ...)"
)


def test_ltn003_plateau_monitor_reported_cosine_monitor_not():
    name = "ltn003_plateau_bad.py"
    assert lint(name) == [(line_of(name, "# expect: LTN003"), "LTN003", LTN003_PLATEAU)]


def test_ltn003_plateau_monitor_never_logged_raises_at_the_first_epoch_end(tmp_path):
    from lightning.pytorch.callbacks import Callback
    from lightning.pytorch.utilities.exceptions import MisconfigurationException

    finished = []

    class Epochs(Callback):
        def on_validation_epoch_end(self, trainer, pl_module):
            if not trainer.sanity_checking:
                finished.append(trainer.current_epoch)

    run = trainer(tmp_path, [Epochs()])
    with pytest.raises(
        MisconfigurationException,
        match=r"ReduceLROnPlateau conditioned on metric val_acc which is not available\. "
        r"Available metrics are: \[.*'val_loss'.*\]\. Condition can be set using `monitor` key in lr scheduler dict",
    ):
        run.fit(load("ltn003_plateau_bad.py").PlateauModel())
    assert finished == [0]  # a whole training epoch and its validation, then the scheduler step fails
    assert run.current_epoch == 0


def test_ltn003_cosine_scheduler_with_the_same_monitor_trains_fine(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = trainer(tmp_path)
        model = load("ltn003_plateau_bad.py").CosineModel()
        run.fit(model)
    assert run.current_epoch == 2 and run.global_step == 8
    assert model.optimizers().param_groups[0]["lr"] < 0.1  # the scheduler stepped
    assert not [w for w in caught if "val_acc" in str(w.message)]  # the monitor is ignored without a word
