"""The flake8 entry point: a thin shell around ``engine.analyse``.

Importing this module is cheap: it reads each rule's ``needs`` (the rules'
modules import astroid and the model only when the engine loads), and astroid
is imported only when ``prefilter`` says some rule could fire in the file's
text. An internal error becomes one warning line (``FLAKE8_LIGHTNING_STRICT=1``
makes it raise, as the test suite does); the user's flake8 run never aborts.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, ClassVar

from flake8_lightning import __version__
from flake8_lightning.config import Config, add_options, from_options
from flake8_lightning.prefilter import wanted
from flake8_lightning.result_cache import Results

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
        path = os.path.abspath(self.filename)
        try:
            entry = Results(path, source, self.config, codes)
            kept = entry.lookup()
        except (Exception, RecursionError) as exc:  # the cache never aborts the run either
            if strict():
                raise
            sys.stderr.write(f"flake8-lightning: {_reason(exc, self.filename)}\n")
            return
        if kept is not None:  # unchanged text, project and options: no astroid, no analysis
            for line, col, text in kept:
                yield line, col, text, type(self)
            return
        # Outside the guard: a rule that cannot load fails the run, every time.
        from flake8_lightning.engine import analyse

        try:
            findings = analyse(path, source, self.config, codes, freeze_gc=True)
        except (Exception, RecursionError) as exc:  # never abort the user's flake8 run
            if strict() and not isinstance(exc, RecursionError):
                raise
            sys.stderr.write(f"flake8-lightning: {_reason(exc, self.filename)}\n")
            return
        entry.keep(findings)
        for finding in findings:
            yield finding.line, finding.col, finding.text, type(self)


#: Set to 1 (the test suite does) to make an internal error raise instead of
#: becoming a warning line. Users keep the default: their flake8 run never aborts.
STRICT_ENV = "FLAKE8_LIGHTNING_STRICT"


def strict() -> bool:
    return os.environ.get(STRICT_ENV, "") not in ("", "0")


def _reason(exc: BaseException, filename: str) -> str:
    """One short line saying why a file was skipped."""
    if isinstance(exc, RecursionError):
        return f"skipped {filename}: code nested too deeply to analyse"
    detail = " ".join(str(exc).split())[:200]
    return f"internal error in {filename}, file not checked: {type(exc).__name__}: {detail} (please report this bug)"
