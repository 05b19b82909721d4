"""The rules, one module each. Importing this package registers them all."""

from flake8_lightning.rules import (  # noqa: F401
    ltn001_raw_optimizer,
    ltn002_manual_backward,
    ltn003_monitor,
    ltn101_tensor_backward,
    ltn102_step_outside_training_step,
    ltn103_step_in_automatic,
    ltn104_scheduler_never_stepped,
    ltn105_monitor_mode,
    ltn106_dead_hook,
)
