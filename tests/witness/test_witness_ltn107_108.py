"""Witness tests for LTN107 (no loss returned) and LTN108 (optimizer configuration Lightning ignores).

Each test lints a file of ``cases/`` (line, code and the whole message, from the
expectation comments) and trains the very same classes under Lightning 2.6.6 on
the CPU, showing Lightning's real behaviour, its message and the point of the
run where it happens. Run with ``pytest -m witness``.
"""

from __future__ import annotations

import warnings

import pytest

pytestmark = pytest.mark.witness

if __import__("os").environ.get("FLAKE8_LIGHTNING_REQUIRE_WITNESS") != "1":
    pytest.importorskip("lightning")

from test_witness import checkpoints, expected, lint, load, trainer  # noqa: E402 - shared loaders


def weights(module) -> list:
    return [p.detach().clone() for p in module.parameters()]


def unchanged(before, module) -> bool:
    import torch

    return all(torch.equal(a, b) for a, b in zip(before, module.parameters()))


# -- LTN107 ---------------------------------------------------------------------------------


def test_ltn107_findings():
    assert lint("ltn107_bad.py") == expected("ltn107_bad.py") != []
    assert lint("ltn107_fixed.py") == []


def test_ltn107_no_return_trains_nothing_to_the_end(tmp_path):
    from lightning.pytorch.loops.optimization.automatic import Closure

    # Lightning says it once per process (a class-level WarningCache): another
    # witness may have made it say so already.
    Closure.warning_cache.clear()
    model = load("ltn107_bad.py").ForgotLossModel()
    before = weights(model)
    run = trainer(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run.fit(model)
    assert unchanged(before, model)  # not one update...
    assert run.global_step == 8  # ...yet the step counter advanced (4 batches x 2 epochs)...
    assert checkpoints(tmp_path) != []  # ...and a checkpoint of the untrained model was saved
    assert any("`training_step` returned `None`" in str(w.message) for w in caught)  # a warning only


@pytest.mark.parametrize(
    ("cls", "match"),
    [
        ("ItemLossModel", "must return a Tensor, a dict, or None"),
        ("NoLossKeyModel", "the 'loss' key needs to be present"),
    ],
)
def test_ltn107_number_or_dict_without_loss_raises_at_first_batch(tmp_path, cls, match):
    from lightning.pytorch.utilities.exceptions import MisconfigurationException

    model = getattr(load("ltn107_bad.py"), cls)()
    run = trainer(tmp_path)
    with pytest.raises(MisconfigurationException, match=match):
        run.fit(model)
    assert run.global_step == 0  # the very first batch


@pytest.mark.parametrize("cls", ["ReturnsLossModel", "LossKeyModel"])
def test_ltn107_fixed_trains(tmp_path, cls):
    model = getattr(load("ltn107_fixed.py"), cls)()
    before = weights(model)
    run = trainer(tmp_path)
    run.fit(model)
    assert not unchanged(before, model)
    assert run.global_step == 8


# -- LTN108 ---------------------------------------------------------------------------------


def _lr(model) -> float:
    return model.optimizers().param_groups[0]["lr"]


def test_ltn108_findings():
    assert lint("ltn108_bad.py") == expected("ltn108_bad.py") != []
    assert lint("ltn108_fixed.py") == []


def test_ltn108_scheduler_key_leaves_learning_rate_flat(tmp_path):
    model = load("ltn108_bad.py").SchedulerKeyModel()
    run = trainer(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run.fit(model)
    assert run.global_step == 8  # trained to the end...
    assert run.lr_scheduler_configs == []  # ...with no scheduler at all...
    assert _lr(model) == pytest.approx(0.1)  # ...so the learning rate never moved...
    found = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert any("Found unsupported keys in the optimizer configuration: {'scheduler'}" in m for m in found)  # ...a warning only


def test_ltn108_fixed_scheduler_decays(tmp_path):
    for cls in ("LrSchedulerKeyModel", "TwoListsModel"):
        model = getattr(load("ltn108_fixed.py"), cls)()
        run = trainer(tmp_path / cls)
        run.fit(model)
        assert _lr(model) == pytest.approx(0.025)  # stepped after each of the two epochs (gamma 0.5)


def test_ltn108_tuple_raises_at_setup(tmp_path):
    from lightning.pytorch.utilities.exceptions import MisconfigurationException

    model = load("ltn108_bad.py").TupleModel()
    run = trainer(tmp_path)
    with pytest.raises(MisconfigurationException, match="Unknown configuration for model optimizers"):
        run.fit(model)
    assert run.global_step == 0  # before the first batch


def test_ltn108_one_cycle_per_epoch_barely_moves(tmp_path):
    model = load("ltn108_bad.py").OneCyclePerEpochModel()
    run = trainer(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run.fit(model)
    scheduler = run.lr_scheduler_configs[0].scheduler
    assert scheduler.total_steps == 8  # sized for 8 optimizer steps...
    assert scheduler.last_epoch == 2  # ...stepped twice (once per epoch): a quarter of the cycle
    assert _lr(model) > 0.05  # the annealing phase never came: the run ends near the peak
    assert any("OneCycleLR" in str(w.message) for w in caught) is False  # not even a warning (no scheduler dict)


def test_ltn108_fixed_one_cycle_runs_its_course(tmp_path):
    model = load("ltn108_fixed.py").OneCyclePerStepModel()
    run = trainer(tmp_path)
    run.fit(model)
    scheduler = run.lr_scheduler_configs[0].scheduler
    assert scheduler.last_epoch == 8  # every optimizer step: the whole cycle
    assert _lr(model) < 0.01  # annealed (the peak is 0.1)
