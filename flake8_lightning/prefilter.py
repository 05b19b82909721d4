"""Which rules could fire in a file, decided from its text before any parsing.

Each rule declares the text it needs (``Rule.needs``) in its own module; this
asks every registered rule. Importing the rules is cheap (their astroid and
model imports wait for the engine: ``registry.heavy_imports``), so a file no
rule wants costs a few substring scans and astroid is never imported.
"""

from __future__ import annotations

from flake8_lightning import rules as _rules  # noqa: F401 - registers the rules
from flake8_lightning.registry import RULES


def wanted(text: str) -> list[str]:
    """Codes of the rules worth running on ``text``."""
    return [code for code, rule in sorted(RULES.items()) if rule.needs(text)]
