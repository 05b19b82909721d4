"""The rules, one module each (``ltnNNN_<name>.py``). Importing this package registers them all.

Modules are found by name, so adding a rule needs no list here. A module that
fails to import, or registers no rule, raises now: a broken rule is never a
per-file warning.
"""

from __future__ import annotations

import importlib
import os

from flake8_lightning.registry import RULES, RegistrationError


def _register_all() -> None:
    names = sorted(n[:-3] for folder in __path__ for n in os.listdir(folder) if n.endswith(".py"))
    for name in names:
        if not name.startswith("ltn"):
            continue
        module = importlib.import_module(f"{__name__}.{name}")
        added = {code for code, rule in RULES.items() if rule.__module__ == module.__name__}
        if not added:
            raise RegistrationError(f"{module.__name__} registers no rule (decorate its class with @register)")
        for code in added:
            if not name.startswith(code.lower() + "_"):
                raise RegistrationError(f"{module.__name__} registers {code}: name the module {code.lower()}_<name>.py")


_register_all()
