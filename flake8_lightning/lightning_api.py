"""Names from Lightning 2.6's public API (pure data: importing this is free)."""

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
