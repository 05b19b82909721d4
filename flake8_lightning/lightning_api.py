"""Lightning's API as data: hooks, their signatures, where ``self.log`` is allowed, callback arguments.

Pure data and string tests: importing this is free. Everything here was read
from Lightning's source (``lightning==2.6.6`` and the ``pytorch-lightning==1.9.5``
wheel, changelogs of 1.9.5 and 2.0.0) and ``tests/witness/test_witness_api.py``
checks the 2.x half against the installed Lightning, so that an upgrade that
changes a hook, a signature, the logging table or ``Trainer.__init__`` fails CI.

The split with ``lightning_versions``: this module says what Lightning's API
*is* (per version); ``lightning_versions`` says which pieces of user code are
*evidence* of a version (the regexes ``model/version.py`` scans for). The
removed ``Trainer`` arguments are both: they live in ``lightning_versions``
(their historical home, imported there by the version model and rules) and are
re-exported here as part of the API.
"""

from __future__ import annotations

import difflib
import functools
import re
from typing import NamedTuple

from flake8_lightning.lightning_versions import (  # noqa: F401 - re-exported: part of the API table
    ADDED_TRAINER_ARGS,
    REMOVED_TRAINER_ARGS,
    SHARED_TRAINER_ARGS,
)

MODULE_HOOKS = frozenset(
    """backward configure_callbacks configure_gradient_clipping configure_model configure_optimizers
    configure_sharded_model load_state_dict lr_scheduler_step on_after_backward on_after_batch_transfer
    on_before_backward on_before_batch_transfer on_before_optimizer_step on_before_zero_grad on_fit_end
    on_fit_start on_load_checkpoint on_predict_batch_end on_predict_batch_start on_predict_end
    on_predict_epoch_end on_predict_epoch_start on_predict_model_eval on_predict_start on_save_checkpoint
    on_test_batch_end on_test_batch_start on_test_end on_test_epoch_end on_test_epoch_start
    on_test_model_eval on_test_model_train on_test_start on_train_batch_end on_train_batch_start
    on_train_end on_train_epoch_end on_train_epoch_start on_train_start on_validation_batch_end
    on_validation_batch_start on_validation_end on_validation_epoch_end on_validation_epoch_start
    on_validation_model_eval on_validation_model_train on_validation_model_zero_grad on_validation_start
    optimizer_step optimizer_zero_grad predict_dataloader predict_step prepare_data setup state_dict
    teardown test_dataloader test_step train_dataloader training_step transfer_batch_to_device
    val_dataloader validation_step""".split()
)
CALLBACK_HOOKS = frozenset(
    """load_state_dict on_after_backward on_before_backward on_before_optimizer_step on_before_zero_grad
    on_exception on_fit_end on_fit_start on_load_checkpoint on_predict_batch_end on_predict_batch_start
    on_predict_end on_predict_epoch_end on_predict_epoch_start on_predict_start on_sanity_check_end
    on_sanity_check_start on_save_checkpoint on_test_batch_end on_test_batch_start on_test_end
    on_test_epoch_end on_test_epoch_start on_test_start on_train_batch_end on_train_batch_start
    on_train_end on_train_epoch_end on_train_epoch_start on_train_start on_validation_batch_end
    on_validation_batch_start on_validation_end on_validation_epoch_end on_validation_epoch_start
    on_validation_start setup state_dict teardown""".split()
)
ALL_HOOKS = MODULE_HOOKS | CALLBACK_HOOKS

#: Hooks removed in 2.0, with what to use instead. Silently never called, or
#: (the ``*_epoch_end`` ones) an error at fit start.
_REMOVED_BOTH = {
    "on_epoch_start": "on_train_epoch_start",
    "on_epoch_end": "on_train_epoch_end",
    "on_batch_start": "on_train_batch_start",
    "on_batch_end": "on_train_batch_end",
    "on_pretrain_routine_start": "on_fit_start",
    "on_pretrain_routine_end": "on_fit_start",
}
REMOVED_MODULE = {
    **_REMOVED_BOTH,
    "training_step_end": "training_step",
    "validation_step_end": "validation_step",
    "test_step_end": "test_step",
    "training_epoch_end": "on_train_epoch_end",
    "validation_epoch_end": "on_validation_epoch_end",
    "test_epoch_end": "on_test_epoch_end",
}
REMOVED_CALLBACK = {
    **_REMOVED_BOTH,
    "on_init_start": "__init__",
    "on_init_end": "__init__",
    "on_keyboard_interrupt": "on_exception",
}
#: The Lightning release that removed each hook above (1.9.5 and 2.0.0 changelogs).
REMOVED_HOOK_VERSION = {
    **dict.fromkeys(_REMOVED_BOTH, "1.8"),
    **dict.fromkeys(("on_init_start", "on_init_end"), "1.8"),
    "on_keyboard_interrupt": "1.7",
    **dict.fromkeys(
        """training_step_end validation_step_end test_step_end training_epoch_end validation_epoch_end
        test_epoch_end""".split(),
        "2.0",
    ),
}

#: What Lightning 2.x does with a removed hook that a class still defines
#: (``trainer/configuration_validator.py``; checked on 2.0.0 and 2.6.6). A
#: hook not listed here is silently never called, as is every misspelling.
REMOVED_HOOK_CONSEQUENCE = {
    "training_epoch_end": "trainer.fit raises NotImplementedError at start",
    "validation_epoch_end": "trainer.fit and trainer.validate raise NotImplementedError at start",
    "test_epoch_end": "trainer.test raises NotImplementedError at start",
}
SILENTLY_NEVER_CALLED = "silently never called"


def removed_hook_consequence(name: str) -> str:
    """What happens under 2.x to a class that defines the removed hook ``name``."""
    return REMOVED_HOOK_CONSEQUENCE.get(name, SILENTLY_NEVER_CALLED)


_HOOK_SHAPED = re.compile(r"^on_|_step|_epoch|_batch")


def hook_shaped(name: str) -> bool:
    """``on_*``, ``*_step*``, ``*_epoch*``, ``*_batch*``: names a hook could have."""
    return bool(_HOOK_SHAPED.search(name))


@functools.lru_cache(maxsize=4096)
def near_miss(name: str, hooks: frozenset[str] = ALL_HOOKS) -> str | None:
    """The real hook ``name`` is a misspelling of, if it is a close one."""
    if name in hooks:
        return None
    close = difflib.get_close_matches(name, sorted(hooks), n=1, cutoff=0.85)
    return close[0] if close else None


def maybe_dead_hook(name: str) -> bool:
    """Could LTN106 report a method with this name (removed, or a near miss)?"""
    return hook_shaped(name) and (name in REMOVED_MODULE or name in REMOVED_CALLBACK or near_miss(name) is not None)


# -- where ``self.log`` may be called --------------------------------------------


class LogOptions(NamedTuple):
    """One entry of Lightning's ``_FxValidator.functions``: what ``self.log`` accepts in a hook."""

    allowed_on_step: tuple[bool, ...]
    allowed_on_epoch: tuple[bool, ...]
    default_on_step: bool
    default_on_epoch: bool


#: A copy of ``_FxValidator.functions``
#: (``lightning/pytorch/trainer/connectors/logger_connector/fx_validator.py``, 2.6.6), in its
#: order. ``None``: ``self.log`` raises "You can't `self.log()` inside `{hook}`". A hook missing
#: here raises "Logging inside `{hook}` is not implemented". Same verdicts in 1.9.5 for every
#: hook both have (1.9.5 also lists the removed ``*_step_end``/``*_epoch_end`` hooks).
LOG_OPTIONS: dict[str, LogOptions | None] = {
    "on_before_backward": LogOptions((False, True), (False, True), True, False),
    "backward": LogOptions((False, True), (False, True), True, False),
    "on_after_backward": LogOptions((False, True), (False, True), True, False),
    "on_before_optimizer_step": LogOptions((False, True), (False, True), True, False),
    "optimizer_step": LogOptions((False, True), (False, True), True, False),
    "lr_scheduler_step": None,
    "configure_gradient_clipping": LogOptions((False, True), (False, True), True, False),
    "clip_gradients": LogOptions((False, True), (False, True), True, False),
    "on_before_zero_grad": LogOptions((False, True), (False, True), True, False),
    "optimizer_zero_grad": LogOptions((False, True), (False, True), True, False),
    "on_fit_start": None,
    "on_fit_end": None,
    "on_sanity_check_start": None,
    "on_sanity_check_end": None,
    "on_train_start": LogOptions((False,), (True,), False, True),
    "on_train_end": None,
    "on_validation_start": LogOptions((False,), (True,), False, True),
    "on_validation_end": None,
    "on_test_start": LogOptions((False,), (True,), False, True),
    "on_test_end": None,
    "on_predict_start": None,
    "on_predict_end": None,
    "on_train_epoch_start": LogOptions((False,), (True,), False, True),
    "on_train_epoch_end": LogOptions((False,), (True,), False, True),
    "on_validation_epoch_start": LogOptions((False,), (True,), False, True),
    "on_validation_epoch_end": LogOptions((False,), (True,), False, True),
    "on_test_epoch_start": LogOptions((False,), (True,), False, True),
    "on_test_epoch_end": LogOptions((False,), (True,), False, True),
    "on_predict_epoch_start": None,
    "on_predict_epoch_end": None,
    "on_before_batch_transfer": None,
    "transfer_batch_to_device": None,
    "on_after_batch_transfer": None,
    "on_train_batch_start": LogOptions((False, True), (False, True), True, False),
    "on_train_batch_end": LogOptions((False, True), (False, True), True, False),
    "on_validation_batch_start": LogOptions((False, True), (False, True), False, True),
    "on_validation_batch_end": LogOptions((False, True), (False, True), False, True),
    "on_test_batch_start": LogOptions((False, True), (False, True), False, True),
    "on_test_batch_end": LogOptions((False, True), (False, True), False, True),
    "on_predict_batch_start": None,
    "on_predict_batch_end": None,
    "on_exception": None,
    "state_dict": None,
    "on_save_checkpoint": None,
    "on_load_checkpoint": None,
    "load_state_dict": None,
    "setup": None,
    "teardown": None,
    "configure_sharded_model": None,
    "configure_model": None,
    "training_step": LogOptions((False, True), (False, True), True, False),
    "validation_step": LogOptions((False, True), (False, True), False, True),
    "test_step": LogOptions((False, True), (False, True), False, True),
    "predict_step": None,
    "configure_optimizers": None,
    "train_dataloader": None,
    "val_dataloader": None,
    "test_dataloader": None,
    "prepare_data": None,
    "configure_callbacks": None,
    "on_validation_model_zero_grad": None,
    "on_validation_model_eval": None,
    "on_test_model_eval": None,
    "on_validation_model_train": None,
    "on_test_model_train": None,
}

#: Hooks of ``LOG_OPTIONS`` that 1.9.5 does not have (nor calls): forbidding a log there is 2.x only.
LOG_HOOKS_ADDED_IN_2 = frozenset({"configure_model", "on_validation_model_zero_grad"})
#: Hooks where ``self.log`` raises when it runs.
LOG_FORBIDDEN = frozenset(hook for hook, options in LOG_OPTIONS.items() if options is None)
#: Hooks whose ``self.log`` defaults to on_step=True, on_epoch=False.
STEP_LOG_HOOKS = frozenset(
    hook for hook, o in LOG_OPTIONS.items() if o is not None and o.default_on_step and not o.default_on_epoch
)
#: Hooks whose ``self.log`` defaults to on_step=False, on_epoch=True.
EPOCH_LOG_HOOKS = frozenset(
    hook for hook, o in LOG_OPTIONS.items() if o is not None and not o.default_on_step and o.default_on_epoch
)
#: Hooks where ``self.log(on_step=True)`` raises: they run once per epoch.
EPOCH_ONLY_LOG_HOOKS = frozenset(
    hook for hook, o in LOG_OPTIONS.items() if o is not None and True not in o.allowed_on_step
)


# -- hook signatures -------------------------------------------------------------
# Parameter names as ``inspect.signature`` gives them in 2.6.6 (``*args``/``**kwargs``
# marked with their stars). Lightning calls hooks positionally unless noted.

MODULE_SIGNATURES: dict[str, tuple[str, ...]] = {
    "backward": ("self", "loss", "*args", "**kwargs"),
    "configure_callbacks": ("self",),
    "configure_gradient_clipping": ("self", "optimizer", "gradient_clip_val", "gradient_clip_algorithm"),
    "configure_model": ("self",),
    "configure_optimizers": ("self",),
    "configure_sharded_model": ("self",),
    "load_state_dict": ("self", "state_dict", "strict", "assign"),
    "lr_scheduler_step": ("self", "scheduler", "metric"),
    "on_after_backward": ("self",),
    "on_after_batch_transfer": ("self", "batch", "dataloader_idx"),
    "on_before_backward": ("self", "loss"),
    "on_before_batch_transfer": ("self", "batch", "dataloader_idx"),
    "on_before_optimizer_step": ("self", "optimizer"),
    "on_before_zero_grad": ("self", "optimizer"),
    "on_fit_end": ("self",),
    "on_fit_start": ("self",),
    "on_load_checkpoint": ("self", "checkpoint"),
    "on_predict_batch_end": ("self", "outputs", "batch", "batch_idx", "dataloader_idx"),
    "on_predict_batch_start": ("self", "batch", "batch_idx", "dataloader_idx"),
    "on_predict_end": ("self",),
    "on_predict_epoch_end": ("self",),
    "on_predict_epoch_start": ("self",),
    "on_predict_model_eval": ("self",),
    "on_predict_start": ("self",),
    "on_save_checkpoint": ("self", "checkpoint"),
    "on_test_batch_end": ("self", "outputs", "batch", "batch_idx", "dataloader_idx"),
    "on_test_batch_start": ("self", "batch", "batch_idx", "dataloader_idx"),
    "on_test_end": ("self",),
    "on_test_epoch_end": ("self",),
    "on_test_epoch_start": ("self",),
    "on_test_model_eval": ("self",),
    "on_test_model_train": ("self",),
    "on_test_start": ("self",),
    "on_train_batch_end": ("self", "outputs", "batch", "batch_idx"),
    "on_train_batch_start": ("self", "batch", "batch_idx"),
    "on_train_end": ("self",),
    "on_train_epoch_end": ("self",),
    "on_train_epoch_start": ("self",),
    "on_train_start": ("self",),
    "on_validation_batch_end": ("self", "outputs", "batch", "batch_idx", "dataloader_idx"),
    "on_validation_batch_start": ("self", "batch", "batch_idx", "dataloader_idx"),
    "on_validation_end": ("self",),
    "on_validation_epoch_end": ("self",),
    "on_validation_epoch_start": ("self",),
    "on_validation_model_eval": ("self",),
    "on_validation_model_train": ("self",),
    "on_validation_model_zero_grad": ("self",),
    "on_validation_start": ("self",),
    "optimizer_step": ("self", "epoch", "batch_idx", "optimizer", "optimizer_closure"),
    "optimizer_zero_grad": ("self", "epoch", "batch_idx", "optimizer"),
    "predict_dataloader": ("self",),
    "predict_step": ("self", "*args", "**kwargs"),
    "prepare_data": ("self",),
    "setup": ("self", "stage"),
    "state_dict": ("self", "*args", "destination", "prefix", "keep_vars"),
    "teardown": ("self", "stage"),
    "test_dataloader": ("self",),
    "test_step": ("self", "*args", "**kwargs"),
    "train_dataloader": ("self",),
    "training_step": ("self", "*args", "**kwargs"),
    "transfer_batch_to_device": ("self", "batch", "device", "dataloader_idx"),
    "val_dataloader": ("self",),
    "validation_step": ("self", "*args", "**kwargs"),
}
CALLBACK_SIGNATURES: dict[str, tuple[str, ...]] = {
    "load_state_dict": ("self", "state_dict"),
    "on_after_backward": ("self", "trainer", "pl_module"),
    "on_before_backward": ("self", "trainer", "pl_module", "loss"),
    "on_before_optimizer_step": ("self", "trainer", "pl_module", "optimizer"),
    "on_before_zero_grad": ("self", "trainer", "pl_module", "optimizer"),
    "on_exception": ("self", "trainer", "pl_module", "exception"),
    "on_fit_end": ("self", "trainer", "pl_module"),
    "on_fit_start": ("self", "trainer", "pl_module"),
    "on_load_checkpoint": ("self", "trainer", "pl_module", "checkpoint"),
    "on_predict_batch_end": ("self", "trainer", "pl_module", "outputs", "batch", "batch_idx", "dataloader_idx"),
    "on_predict_batch_start": ("self", "trainer", "pl_module", "batch", "batch_idx", "dataloader_idx"),
    "on_predict_end": ("self", "trainer", "pl_module"),
    "on_predict_epoch_end": ("self", "trainer", "pl_module"),
    "on_predict_epoch_start": ("self", "trainer", "pl_module"),
    "on_predict_start": ("self", "trainer", "pl_module"),
    "on_sanity_check_end": ("self", "trainer", "pl_module"),
    "on_sanity_check_start": ("self", "trainer", "pl_module"),
    "on_save_checkpoint": ("self", "trainer", "pl_module", "checkpoint"),
    "on_test_batch_end": ("self", "trainer", "pl_module", "outputs", "batch", "batch_idx", "dataloader_idx"),
    "on_test_batch_start": ("self", "trainer", "pl_module", "batch", "batch_idx", "dataloader_idx"),
    "on_test_end": ("self", "trainer", "pl_module"),
    "on_test_epoch_end": ("self", "trainer", "pl_module"),
    "on_test_epoch_start": ("self", "trainer", "pl_module"),
    "on_test_start": ("self", "trainer", "pl_module"),
    "on_train_batch_end": ("self", "trainer", "pl_module", "outputs", "batch", "batch_idx"),
    "on_train_batch_start": ("self", "trainer", "pl_module", "batch", "batch_idx"),
    "on_train_end": ("self", "trainer", "pl_module"),
    "on_train_epoch_end": ("self", "trainer", "pl_module"),
    "on_train_epoch_start": ("self", "trainer", "pl_module"),
    "on_train_start": ("self", "trainer", "pl_module"),
    "on_validation_batch_end": ("self", "trainer", "pl_module", "outputs", "batch", "batch_idx", "dataloader_idx"),
    "on_validation_batch_start": ("self", "trainer", "pl_module", "batch", "batch_idx", "dataloader_idx"),
    "on_validation_end": ("self", "trainer", "pl_module"),
    "on_validation_epoch_end": ("self", "trainer", "pl_module"),
    "on_validation_epoch_start": ("self", "trainer", "pl_module"),
    "on_validation_start": ("self", "trainer", "pl_module"),
    "setup": ("self", "trainer", "pl_module", "stage"),
    "state_dict": ("self",),
    "teardown": ("self", "trainer", "pl_module", "stage"),
}
DATAMODULE_SIGNATURES: dict[str, tuple[str, ...]] = {
    "load_state_dict": ("self", "state_dict"),
    "on_after_batch_transfer": ("self", "batch", "dataloader_idx"),
    "on_before_batch_transfer": ("self", "batch", "dataloader_idx"),
    "on_exception": ("self", "exception"),
    "predict_dataloader": ("self",),
    "prepare_data": ("self",),
    "setup": ("self", "stage"),
    "state_dict": ("self",),
    "teardown": ("self", "stage"),
    "test_dataloader": ("self",),
    "train_dataloader": ("self",),
    "transfer_batch_to_device": ("self", "batch", "device", "dataloader_idx"),
    "val_dataloader": ("self",),
}


class LegacySignature(NamedTuple):
    """A hook's 1.x parameters that 2.x no longer passes (or passes differently)."""

    params: tuple[str, ...]
    #: The parameters 2.x does not pass.
    extra: tuple[str, ...]
    #: The release that removed that form (``"2.0"``, ``"1.7"``, ...).
    removed: str


#: LightningModule hooks whose 1.x signature differs from 2.x (1.9.5's ``core/hooks.py`` and
#: ``core/module.py`` for those removed in 2.0; the 1.9.5 changelog for the older forms).
LEGACY_MODULE_SIGNATURES: dict[str, LegacySignature] = {
    "backward": LegacySignature(
        ("self", "loss", "optimizer", "optimizer_idx", "*args", "**kwargs"), ("optimizer", "optimizer_idx"), "2.0"
    ),
    "configure_gradient_clipping": LegacySignature(
        ("self", "optimizer", "optimizer_idx", "gradient_clip_val", "gradient_clip_algorithm"),
        ("optimizer_idx",),
        "2.0",
    ),
    "lr_scheduler_step": LegacySignature(("self", "scheduler", "optimizer_idx", "metric"), ("optimizer_idx",), "2.0"),
    "on_before_optimizer_step": LegacySignature(("self", "optimizer", "optimizer_idx"), ("optimizer_idx",), "2.0"),
    "optimizer_step": LegacySignature(
        ("self", "epoch", "batch_idx", "optimizer", "optimizer_idx", "optimizer_closure", "on_tpu", "using_lbfgs"),
        ("optimizer_idx", "on_tpu", "using_lbfgs"),
        "2.0",
    ),
    "optimizer_zero_grad": LegacySignature(
        ("self", "epoch", "batch_idx", "optimizer", "optimizer_idx"), ("optimizer_idx",), "2.0"
    ),
    "on_predict_epoch_end": LegacySignature(("self", "results"), ("results",), "2.0"),
    "training_step": LegacySignature(
        ("self", "batch", "batch_idx", "optimizer_idx", "hiddens"), ("optimizer_idx", "hiddens"), "2.0"
    ),
    "on_train_batch_start": LegacySignature(
        ("self", "batch", "batch_idx", "dataloader_idx"), ("dataloader_idx",), "1.7"
    ),
    "on_train_batch_end": LegacySignature(
        ("self", "outputs", "batch", "batch_idx", "dataloader_idx"), ("dataloader_idx",), "1.7"
    ),
    "on_train_epoch_end": LegacySignature(("self", "outputs"), ("outputs",), "1.5"),
    # Not 1.x hooks with this form: 1.x's ``validation_epoch_end(self, outputs)`` and
    # ``test_epoch_end(self, outputs)``, renamed by hand to the hooks 2.0 tells to use instead.
    "on_validation_epoch_end": LegacySignature(("self", "outputs"), ("outputs",), "2.0"),
    "on_test_epoch_end": LegacySignature(("self", "outputs"), ("outputs",), "2.0"),
}
#: Callback hooks whose 1.x signature differs from 2.x. ``on_save_checkpoint`` returning a state
#: (removed in 1.8) and ``on_load_checkpoint(trainer, pl_module, callback_state)`` (the third
#: argument is the whole checkpoint since 1.8) keep their arity: they are told apart by their body.
LEGACY_CALLBACK_SIGNATURES: dict[str, LegacySignature] = {
    "on_before_optimizer_step": LegacySignature(
        ("self", "trainer", "pl_module", "optimizer", "opt_idx"), ("opt_idx",), "2.0"
    ),
    "on_predict_epoch_end": LegacySignature(("self", "trainer", "pl_module", "outputs"), ("outputs",), "2.0"),
    "on_train_batch_start": LegacySignature(
        ("self", "trainer", "pl_module", "batch", "batch_idx", "dataloader_idx"), ("dataloader_idx",), "1.7"
    ),
    "on_train_batch_end": LegacySignature(
        ("self", "trainer", "pl_module", "outputs", "batch", "batch_idx", "dataloader_idx"), ("dataloader_idx",), "1.7"
    ),
    "on_train_epoch_end": LegacySignature(("self", "trainer", "pl_module", "outputs"), ("outputs",), "1.5"),
}
#: ``manual_backward(loss, optimizer)``: the optimizer argument was removed in 1.4; in 2.x extra
#: positional arguments go to ``Tensor.backward``.
MANUAL_BACKWARD_OPTIMIZER_REMOVED = "1.4"


class HookCall(NamedTuple):
    """How Lightning 2.6.6 calls a hook: the arguments it passes, and when it first does."""

    #: Passed positionally, in order (a Callback hook's ``trainer, pl_module`` excluded).
    positional: tuple[str, ...]
    #: Passed by keyword.
    keywords: tuple[str, ...]
    #: When ``trainer.fit`` (or the named entry point) first calls it.
    first_run: str
    #: Called only by the automatic optimization loop (never under manual optimization).
    automatic_only: bool = False


_FIRST_BATCH = "at the first batch"
#: How Lightning 2.x calls the LightningModule hooks of ``LEGACY_MODULE_SIGNATURES``
#: (``loops/training_epoch_loop.py``, ``loops/fit_loop.py``, ``loops/optimization/automatic.py``,
#: ``plugins/precision/precision.py``, ``core/module.py``; checked against the 2.x signatures by
#: ``tests/witness/test_witness_api.py`` and on real runs by ``test_witness_ltn202.py``).
MODULE_HOOK_CALLS: dict[str, HookCall] = {
    "backward": HookCall(("loss",), (), _FIRST_BATCH, automatic_only=True),
    "configure_gradient_clipping": HookCall(
        ("optimizer",), ("gradient_clip_val", "gradient_clip_algorithm"), _FIRST_BATCH, automatic_only=True
    ),
    "lr_scheduler_step": HookCall(
        ("scheduler", "metric"), (), "at the first scheduler step (the end of epoch 0 by default)", automatic_only=True
    ),
    "on_before_optimizer_step": HookCall(("optimizer",), (), _FIRST_BATCH, automatic_only=True),
    "optimizer_step": HookCall(
        ("epoch", "batch_idx", "optimizer", "optimizer_closure"), (), _FIRST_BATCH, automatic_only=True
    ),
    "optimizer_zero_grad": HookCall(("epoch", "batch_idx", "optimizer"), (), _FIRST_BATCH, automatic_only=True),
    "on_predict_epoch_end": HookCall((), (), "at the end of trainer.predict"),
    "training_step": HookCall(("batch", "batch_idx"), (), _FIRST_BATCH),
    "on_train_batch_start": HookCall(("batch", "batch_idx"), (), _FIRST_BATCH),
    "on_train_batch_end": HookCall(("outputs", "batch", "batch_idx"), (), _FIRST_BATCH),
    "on_train_epoch_end": HookCall((), (), "at the end of epoch 0"),
    "on_validation_epoch_end": HookCall((), (), "in the sanity check (the first validation)"),
    "on_test_epoch_end": HookCall((), (), "at the end of trainer.test"),
}
#: How Lightning 2.x calls the Callback hooks of ``LEGACY_CALLBACK_SIGNATURES``: ``trainer``,
#: ``pl_module`` and then these, positionally (``trainer/call.py``, ``_call_callback_hooks``).
CALLBACK_HOOK_CALLS: dict[str, HookCall] = {
    "on_before_optimizer_step": HookCall(("optimizer",), (), "at the first optimizer step"),
    "on_predict_epoch_end": HookCall((), (), "at the end of trainer.predict"),
    "on_train_batch_start": HookCall(("batch", "batch_idx"), (), _FIRST_BATCH),
    "on_train_batch_end": HookCall(("outputs", "batch", "batch_idx"), (), _FIRST_BATCH),
    "on_train_epoch_end": HookCall((), (), "at the end of epoch 0"),
}
#: A Callback's 1.x checkpoint pair (removed in 1.8): ``on_save_checkpoint`` returned the
#: callback's state and ``on_load_checkpoint(trainer, pl_module, callback_state)`` received it
#: back. 2.x ignores the returned value and passes the whole checkpoint dict instead.
CALLBACK_STATE_RETURN_REMOVED = "1.8"
#: The parameter name 1.x gave that state (2.x calls it ``checkpoint``).
LEGACY_CALLBACK_STATE_PARAM = "callback_state"
#: Top-level keys of a Lightning 2.x checkpoint (``trainer/connectors/checkpoint_connector.py``,
#: ``dump_checkpoint``): reading one of them from the whole checkpoint does not fail.
CHECKPOINT_KEYS = frozenset(
    """epoch global_step pytorch-lightning_version state_dict loops callbacks optimizer_states
    lr_schedulers hparams_name hyper_parameters hparams_type datamodule_hparams_name datamodule_hyper_parameters
    MixedPrecision native_amp_scaling_state""".split()
)


# -- callback arguments ----------------------------------------------------------


class MonitorCallback(NamedTuple):
    """Where ``monitor`` and ``mode`` sit in a monitoring callback's ``__init__``."""

    #: ``__init__``'s parameters in 2.6.6, ``self`` excluded.
    params: tuple[str, ...]
    #: Position of ``monitor`` among positional arguments (stable over 1.x and 2.x).
    monitor: int
    #: The lowest position ``mode`` has had in 2.x: a call with more positional arguments
    #: than this may pass ``mode`` positionally (``ModelCheckpoint`` gained
    #: ``save_on_exception`` before ``save_weights_only`` in 2.6, moving ``mode`` from 7 to 8).
    mode_from: int
    mode_default: str


MONITOR_CALLBACKS: dict[str, MonitorCallback] = {
    "ModelCheckpoint": MonitorCallback(
        (
            "dirpath",
            "filename",
            "monitor",
            "verbose",
            "save_last",
            "save_top_k",
            "save_on_exception",
            "save_weights_only",
            "mode",
            "auto_insert_metric_name",
            "every_n_train_steps",
            "train_time_interval",
            "every_n_epochs",
            "save_on_train_epoch_end",
            "enable_version_counter",
        ),
        monitor=2,
        mode_from=7,
        mode_default="min",
    ),
    "EarlyStopping": MonitorCallback(
        (
            "monitor",
            "min_delta",
            "patience",
            "verbose",
            "mode",
            "strict",
            "check_finite",
            "stopping_threshold",
            "divergence_threshold",
            "check_on_train_epoch_end",
            "log_rank_zero_only",
        ),
        monitor=0,
        mode_from=4,
        mode_default="min",
    ),
}


# -- Trainer ---------------------------------------------------------------------

#: ``Trainer.__init__``'s parameters in 2.6.6, ``self`` excluded. Every one of them is current;
#: none of ``REMOVED_TRAINER_ARGS`` is among them.
TRAINER_ARGS: tuple[str, ...] = (
    "accelerator",
    "strategy",
    "devices",
    "num_nodes",
    "precision",
    "logger",
    "callbacks",
    "fast_dev_run",
    "max_epochs",
    "min_epochs",
    "max_steps",
    "min_steps",
    "max_time",
    "limit_train_batches",
    "limit_val_batches",
    "limit_test_batches",
    "limit_predict_batches",
    "overfit_batches",
    "val_check_interval",
    "check_val_every_n_epoch",
    "num_sanity_val_steps",
    "log_every_n_steps",
    "enable_checkpointing",
    "enable_progress_bar",
    "enable_model_summary",
    "accumulate_grad_batches",
    "gradient_clip_val",
    "gradient_clip_algorithm",
    "deterministic",
    "benchmark",
    "inference_mode",
    "use_distributed_sampler",
    "profiler",
    "detect_anomaly",
    "barebones",
    "plugins",
    "sync_batchnorm",
    "reload_dataloaders_every_n_epochs",
    "default_root_dir",
    "enable_autolog_hparams",
    "model_registry",
)


# -- DataModule hooks (LTN106 near misses) ------------------------------------------

#: LightningDataModule hooks Lightning 2.6 calls: the names of ``DATAMODULE_SIGNATURES``
#: (``core/hooks.py`` ``DataHooks`` and ``core/datamodule.py``). No ``*_step`` hooks.
DATAMODULE_HOOKS = frozenset(DATAMODULE_SIGNATURES)
#: LightningDataModule method names that miss a hook by more than a typo
#: (difflib's near miss catches ``val_dataloaders``, ``train_dataloders``).
DATAMODULE_MISNOMERS = {
    "setup_data": "setup",
    "teardown_data": "teardown",
    "prepare": "prepare_data",
    "validation_dataloader": "val_dataloader",
    "eval_dataloader": "val_dataloader",
}
_DATA_HOOK_SHAPED = re.compile(r"loader|_data|^setup|^prepare|^teardown")


def datamodule_near_miss(name: str) -> str | None:
    """The DataModule hook a method named ``name`` is a misspelling of, if certainly one."""
    if name in DATAMODULE_HOOKS or len(name) > 64 or not _DATA_HOOK_SHAPED.search(name):
        return None
    return DATAMODULE_MISNOMERS.get(name) or near_miss(name, DATAMODULE_HOOKS)
