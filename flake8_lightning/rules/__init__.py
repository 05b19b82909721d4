"""The rules, one module each. Importing this package registers them all."""

from flake8_lightning.rules import ltn001_raw_optimizer, ltn002_manual_backward  # noqa: F401
