"""The flake8 entry point: a thin shell around ``engine.analyse``.

Importing this module is cheap: astroid and the rules are imported only when
``prefilter`` says some rule could fire in the file's text.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, ClassVar

from flake8_lightning import __version__
from flake8_lightning.config import Config, add_options, from_options
from flake8_lightning.prefilter import wanted

if TYPE_CHECKING:
    import ast
    from collections.abc import Iterator


class Checker:
    """flake8-lightning's flake8 plugin."""

    name = "flake8-lightning"
    version = __version__
    config: ClassVar[Config] = Config()

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]) -> None:
        # ``tree`` is unused, but flake8 classifies plugins by their parameters:
        # asking for it makes this a tree plugin, run once per file.
        self.filename = filename
        self.lines = lines

    @staticmethod
    def add_options(option_manager) -> None:  # noqa: ANN001
        add_options(option_manager)

    @classmethod
    def parse_options(cls, options) -> None:  # noqa: ANN001
        try:
            cls.config = from_options(options)
        except ValueError as exc:  # a clear message, not a traceback
            raise SystemExit(f"flake8-lightning: {exc}") from None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        source = "".join(self.lines)
        codes = wanted(source)
        if not codes:
            return
        try:
            from flake8_lightning.engine import analyse

            findings = analyse(os.path.abspath(self.filename), source, self.config, codes, freeze_gc=True)
        except (Exception, RecursionError) as exc:  # never abort the user's flake8 run
            sys.stderr.write(f"flake8-lightning: skipped {self.filename}: {_reason(exc)}\n")
            return
        for finding in findings:
            yield finding.line, finding.col, finding.text, type(self)


def _reason(exc: BaseException) -> str:
    """One short line saying why a file was skipped."""
    if isinstance(exc, RecursionError):
        return "code nested too deeply to analyse"
    detail = " ".join(str(exc).split())[:200]
    return f"internal error {type(exc).__name__}: {detail} (please report this)"
