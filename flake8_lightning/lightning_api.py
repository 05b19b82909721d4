"""Names from Lightning 2.6's public API (pure data and string tests: importing this is free)."""

import difflib
import functools
import re

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


#: LightningDataModule hooks Lightning 2.6 calls (``core/hooks.py`` ``DataHooks``
#: and ``core/datamodule.py``). A DataModule has no ``*_step`` hooks.
DATAMODULE_HOOKS = frozenset(
    """load_state_dict on_after_batch_transfer on_before_batch_transfer on_exception predict_dataloader
    prepare_data setup state_dict teardown test_dataloader train_dataloader transfer_batch_to_device
    val_dataloader""".split()
)
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
