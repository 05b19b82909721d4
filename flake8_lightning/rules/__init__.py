"""The rules, one module each. Importing this package registers them all."""

from flake8_lightning.rules import (  # noqa: F401
    ltn001_raw_optimizer,
    ltn002_manual_backward,
    ltn003_monitor,
)
