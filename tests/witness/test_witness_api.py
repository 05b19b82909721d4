"""The API table (``flake8_lightning/lightning_api.py``) against the installed Lightning.

A Lightning upgrade that changes the logging table, a hook's signature, a
monitoring callback's arguments or ``Trainer.__init__`` fails here, naming what
changed. Run with ``pytest -m witness``.
"""

from __future__ import annotations

import inspect

import pytest

from flake8_lightning import lightning_api as api
from flake8_lightning.model.version import ADDED_TRAINER_ARGS, REMOVED_TRAINER_ARGS

pytestmark = pytest.mark.witness

if __import__("os").environ.get("FLAKE8_LIGHTNING_REQUIRE_WITNESS") != "1":
    pytest.importorskip("lightning")

import lightning.pytorch as pl  # noqa: E402
from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint  # noqa: E402
from lightning.pytorch.trainer.connectors.logger_connector.fx_validator import _FxValidator  # noqa: E402


def params(function, drop_self: bool = False) -> tuple[str, ...]:
    found = []
    for p in inspect.signature(function).parameters.values():
        star = "*" if p.kind is p.VAR_POSITIONAL else "**" if p.kind is p.VAR_KEYWORD else ""
        found.append(star + p.name)
    return tuple(found[1:] if drop_self else found)


def test_log_options_are_lightnings_fx_validator():
    real = {
        hook: None
        if options is None
        else api.LogOptions(
            tuple(options["allowed_on_step"]),
            tuple(options["allowed_on_epoch"]),
            options["default_on_step"],
            options["default_on_epoch"],
        )
        for hook, options in _FxValidator.functions.items()
    }
    assert api.LOG_OPTIONS == real


def test_forbidden_hooks_raise_lightnings_message():
    from lightning.pytorch.utilities.exceptions import MisconfigurationException

    for hook in sorted(api.LOG_FORBIDDEN):
        with pytest.raises(MisconfigurationException, match=f"You can't `self.log\\(\\)` inside `{hook}`"):
            _FxValidator.check_logging(hook)
    for hook in sorted(api.EPOCH_ONLY_LOG_HOOKS):
        with pytest.raises(MisconfigurationException, match=f"You can't `self.log\\(on_step=True\\)` inside `{hook}`"):
            _FxValidator.check_logging_and_get_default_levels(hook, on_step=True, on_epoch=None)


@pytest.mark.parametrize(
    ("table", "cls"),
    [
        (api.MODULE_SIGNATURES, pl.LightningModule),
        (api.CALLBACK_SIGNATURES, pl.Callback),
        (api.DATAMODULE_SIGNATURES, pl.LightningDataModule),
    ],
)
def test_hook_signatures(table, cls):
    assert {hook: params(getattr(cls, hook)) for hook in table} == table


def test_hook_names_are_the_signature_tables():
    assert frozenset(api.MODULE_SIGNATURES) == api.MODULE_HOOKS
    assert frozenset(api.CALLBACK_SIGNATURES) == api.CALLBACK_HOOKS
    for hook in api.MODULE_HOOKS:
        assert hasattr(pl.LightningModule, hook), hook
    for hook in api.CALLBACK_HOOKS:
        assert hasattr(pl.Callback, hook), hook


def test_removed_hooks_are_gone():
    for hook in api.REMOVED_MODULE:
        assert not hasattr(pl.LightningModule, hook), hook
    for hook in api.REMOVED_CALLBACK:
        assert not hasattr(pl.Callback, hook), hook
    assert set(api.REMOVED_HOOK_VERSION) == set(api.REMOVED_MODULE) | set(api.REMOVED_CALLBACK)


def test_legacy_signatures_differ_from_2x():
    for table, current in (
        (api.LEGACY_MODULE_SIGNATURES, api.MODULE_SIGNATURES),
        (api.LEGACY_CALLBACK_SIGNATURES, api.CALLBACK_SIGNATURES),
    ):
        for hook, legacy in table.items():
            assert legacy.params != current[hook], hook
            assert legacy.extra and not set(legacy.extra) & set(current[hook]), hook


def test_hook_calls_bind_to_lightnings_own_hooks():
    """How the tables say Lightning calls each hook binds to Lightning's own signature: the calls
    LTN202 checks user hooks against (test_witness_ltn202.py shows them failing on 1.x ones)."""
    for table, cls, lead, legacy in (
        (api.MODULE_HOOK_CALLS, pl.LightningModule, (), api.LEGACY_MODULE_SIGNATURES),
        (api.CALLBACK_HOOK_CALLS, pl.Callback, ("trainer", "pl_module"), api.LEGACY_CALLBACK_SIGNATURES),
    ):
        assert set(table) == set(legacy)
        for hook, call in table.items():
            args = [None] * (1 + len(lead) + len(call.positional))
            inspect.signature(getattr(cls, hook)).bind(*args, **dict.fromkeys(call.keywords))


@pytest.mark.parametrize(("kind", "cls"), [("ModelCheckpoint", ModelCheckpoint), ("EarlyStopping", EarlyStopping)])
def test_monitor_callbacks(kind, cls):
    table = api.MONITOR_CALLBACKS[kind]
    real = params(cls.__init__, drop_self=True)
    assert real == table.params
    assert real[table.monitor] == "monitor"
    assert real.index("mode") >= table.mode_from
    assert inspect.signature(cls.__init__).parameters["mode"].default == table.mode_default


def test_trainer_arguments():
    real = params(pl.Trainer.__init__, drop_self=True)
    assert real == api.TRAINER_ARGS
    assert not set(REMOVED_TRAINER_ARGS) & set(real), "a removed Trainer argument is back"
    for name in [*ADDED_TRAINER_ARGS, *api.SHARED_TRAINER_ARGS, "gradient_clip_val", "accumulate_grad_batches"]:
        assert name in real, name
