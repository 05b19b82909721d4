"""Witness tests for LTN206 and LTN207 under Lightning 2.6.6 on the CPU, and for LTN206's autofix.

Each test lints a file of ``cases/`` (line, code and the whole message), then
runs it and shows Lightning's real error and the point of the run where it
happens; the migration test applies ``--fix``'s edits to the very same file and
trains the result.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from flake8_lightning.config import Config
from flake8_lightning.engine import analyse
from flake8_lightning.fixes import fixed_source

CASES = Path(__file__).parent / "cases"

pytestmark = pytest.mark.witness

if __import__("os").environ.get("FLAKE8_LIGHTNING_REQUIRE_WITNESS") != "1":
    pytest.importorskip("lightning")

from test_witness import load  # noqa: E402 - the shared loader of the witness tier

BASIS = "(Lightning 2.x per ../../../setup.cfg)"


def lint(name: str, source: str | None = None) -> list[tuple[int, str, str]]:
    path = CASES / name
    text = path.read_text() if source is None else source
    return [(f.line, f.code, f.message) for f in analyse(str(path), text, Config())]


def line_of(name: str, text: str) -> int:
    found = [i for i, line in enumerate((CASES / name).read_text().splitlines(), 1) if text in line]
    assert len(found) == 1, (text, found)
    return found[0]


def test_ltn206_removed_trainer_argument_raises_at_construction(tmp_path):
    assert lint("ltn206_bad.py") == [
        (
            line_of("ltn206_bad.py", "replace_sampler_ddp=False"),
            "LTN206",
            "Trainer argument 'replace_sampler_ddp' was removed in Lightning 2.0: Trainer(...) raises TypeError;"
            f" use use_distributed_sampler {BASIS}",
        ),
        (
            line_of("ltn206_bad.py", "resume_from_checkpoint=ckpt"),
            "LTN206",
            "Trainer argument 'resume_from_checkpoint' was removed in Lightning 2.0: Trainer(...) raises TypeError;"
            f" pass ckpt_path=... to trainer.fit {BASIS}",
        ),
        (
            line_of("ltn206_bad.py", "test_dataloaders="),
            "LTN206",
            "'test(test_dataloaders=...)' was removed before Lightning 2.0: the call raises TypeError, after"
            f" everything before it (a whole fit) has run; use dataloaders= {BASIS}",
        ),
    ]
    module = load("ltn206_bad.py")
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'replace_sampler_ddp'"):
        module.train(tmp_path)


def test_ltn206_test_dataloaders_fails_after_the_whole_fit(tmp_path):
    module = load("ltn206_bad.py")
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'test_dataloaders'"):
        module.train_then_test(tmp_path)
    # The fit ran to its end before the test call failed: its last checkpoint is on disk.
    assert [p.name for p in tmp_path.rglob("*.ckpt")] == ["epoch=1-step=8.ckpt"]


def test_ltn206_autofix_migrates_code_that_then_trains_tests_and_resumes(tmp_path):
    path = CASES / "ltn206_bad.py"
    fixed, count = fixed_source(str(path), path.read_text())
    assert count == 3
    assert "use_distributed_sampler=False" in fixed and "resume_from_checkpoint" not in fixed
    assert "trainer.fit(model, loader(), ckpt_path=ckpt)" in fixed
    assert "trainer.test(model, dataloaders=loader())" in fixed
    assert lint("ltn206_bad.py", fixed) == []  # re-lint clean
    assert fixed_source(str(path), fixed) == (fixed, 0)  # idempotent
    target = tmp_path / "ltn206_fixed_run.py"
    target.write_text(fixed)
    sys.path.insert(0, str(CASES))
    try:
        spec = importlib.util.spec_from_file_location("witness_ltn206_fixed_run", target)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(CASES))
    first = module.train(tmp_path / "first")
    assert first.global_step == 8
    ckpt = next((tmp_path / "first").rglob("*.ckpt"))
    resumed = module.train(tmp_path / "resumed", ckpt=str(ckpt))
    assert resumed.global_step == 8  # resumed at the end of epoch 1: nothing left to train
    results = module.train_then_test(tmp_path / "tested")
    assert "test_loss" in results[0]


LTN207_CLIP = (
    "Trainer(gradient_clip_val=0.5) fits 'Manual', which uses manual optimization: fit raises at start"
    " ('Automatic gradient clipping is not supported for manual optimization'); remove it and clip in"
    " training_step with self.clip_gradients(opt, gradient_clip_val=...) before opt.step()"
)
LTN207_ACCUMULATE = (
    "Trainer(accumulate_grad_batches=2) fits 'Manual', which uses manual optimization: fit raises at start"
    " ('Automatic gradient accumulation is not supported for manual optimization'); remove it and accumulate"
    " in training_step (step and zero the optimizer every N batches)"
)


def test_ltn207_flags_raise_at_fit_start_before_any_batch(tmp_path):
    from lightning.fabric.utilities.exceptions import MisconfigurationException

    assert lint("ltn207_bad.py") == [
        (line_of("ltn207_bad.py", "gradient_clip_val=0.5"), "LTN207", LTN207_CLIP),
        (line_of("ltn207_bad.py", "accumulate_grad_batches=2"), "LTN207", LTN207_ACCUMULATE),
    ]
    module = load("ltn207_bad.py")
    model = module.Manual()
    module.Manual = lambda: model
    with pytest.raises(MisconfigurationException, match=r"Automatic gradient clipping is not supported for manual"):
        module.clip(tmp_path)
    assert model.batches_seen == 0  # raised when fit started, before the first batch
    with pytest.raises(MisconfigurationException, match=r"Automatic gradient accumulation is not supported for"):
        module.accumulate(tmp_path)
    assert model.batches_seen == 0
