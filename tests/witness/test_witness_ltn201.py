"""LTN201 witnessed: ``self.log`` where Lightning's ``_FxValidator`` forbids it, on Lightning 2.6.6.

Each class of ``cases/ltn201_bad.py`` is linted (line, code, whole message)
and trained: Lightning raises its own message at the point of the run the
finding names. ``cases/ltn201_fixed.py`` lints clean and trains to the end.
Run with ``pytest -m witness``.
"""

from __future__ import annotations

import re
import warnings

import pytest

from flake8_lightning.config import Config
from flake8_lightning.engine import analyse

pytestmark = pytest.mark.witness

if __import__("os").environ.get("FLAKE8_LIGHTNING_REQUIRE_WITNESS") != "1":
    pytest.importorskip("lightning")

from test_witness import CASES, load, trainer  # noqa: E402

STEPS = 8  # 2 epochs of 4 batches


def expectations(name: str) -> list[tuple[int, str, str]]:
    found = []
    for number, line in enumerate((CASES / name).read_text().splitlines(), 1):
        match = re.search(r'# expect: (LTN\d+) "(.*)"$', line)
        if match:
            found.append((number, match.group(1), match.group(2)))
    return found


def lint(name: str) -> list[tuple[int, str, str]]:
    path = CASES / name
    return sorted((f.line, f.code, f.message) for f in analyse(str(path), path.read_text(), Config()))


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_findings_are_the_expectations():
    expected = expectations("ltn201_bad.py")
    assert len(expected) == 7
    assert lint("ltn201_bad.py") == expected
    assert lint("ltn201_fixed.py") == []


def fit_fails(tmp_path, model, message: str, callbacks=()):
    from lightning.pytorch.utilities.exceptions import MisconfigurationException

    fit = trainer(tmp_path, callbacks=callbacks)
    with pytest.raises(MisconfigurationException, match=re.escape(message)):
        fit.fit(model)
    return fit


@pytest.mark.parametrize(
    ("cls", "hook"), [("LogsInSetup", "setup"), ("LogsInConfigureOptimizers", "configure_optimizers")]
)
def test_fit_start_hooks_raise_before_any_step(tmp_path, cls, hook):
    model = getattr(load("ltn201_bad.py"), cls)()
    fit_fails(tmp_path, model, f"You can't `self.log()` inside `{hook}`")
    assert model.steps_run == 0


def test_on_validation_end_raises_in_the_sanity_check(tmp_path):
    model = load("ltn201_bad.py").LogsInValidationEnd()
    fit_fails(tmp_path, model, "You can't `self.log()` inside `on_validation_end`")
    assert model.steps_run == 0 and model.in_sanity_check


def test_on_train_end_raises_after_the_whole_run(tmp_path):
    model = load("ltn201_bad.py").LogsInTrainEnd()
    fit_fails(tmp_path, model, "You can't `self.log()` inside `on_train_end`")
    assert model.steps_run == STEPS  # every step ran; the error comes after them


def test_on_step_in_epoch_end_raises_at_the_end_of_epoch_0(tmp_path):
    model = load("ltn201_bad.py").LogsPerStepAtEpochEnd()
    fit = fit_fails(tmp_path, model, "You can't `self.log(on_step=True)` inside `on_train_epoch_end`")
    assert model.steps_run == STEPS // 2 and fit.current_epoch == 0


def test_callback_on_fit_start_raises_before_any_step(tmp_path):
    cases = load("ltn201_bad.py")
    model = cases.Base()
    fit_fails(tmp_path, model, "You can't `self.log()` inside `on_fit_start`", callbacks=[cases.CountsParams()])
    assert model.steps_run == 0


def test_callback_on_save_checkpoint_raises_at_the_first_checkpoint(tmp_path):
    cases = load("ltn201_bad.py")
    model = cases.Base()
    fit = fit_fails(
        tmp_path, model, "You can't `self.log()` inside `on_save_checkpoint`", callbacks=[cases.MarksCheckpoints()]
    )
    assert model.steps_run == STEPS // 2 and fit.current_epoch == 0  # the end of epoch 0
    assert not list(tmp_path.rglob("*.ckpt"))


def test_fixed_trains_to_the_end(tmp_path):
    cases = load("ltn201_fixed.py")
    model = cases.Fixed()
    fit = trainer(tmp_path, callbacks=[cases.CountsParams()])
    fit.fit(model)
    assert model.steps_run == STEPS
    assert {"best", "norm", "params", "val_loss"} <= set(fit.callback_metrics)
