"""``flake8-lightning``: the LTN rules without the rest of flake8 (for ruff users and CI).

It is flake8 with only this plugin: flake8's own option and config machinery
reads the ``[flake8]`` section (``setup.cfg``, ``tox.ini``, ``.flake8``, found
as flake8 finds it, or ``--config``/``--append-config``/``--isolated``);
flake8's file discovery applies ``--exclude``; flake8's style guide decides
selection, ``--per-file-ignores`` and ``# noqa``. The rules run through the
plugin's engine with only the selected rules. Exit codes: 0 clean, 1 findings
(syntax errors and unreadable files included), 2 usage error, 3 internal error.
"""

from __future__ import annotations

import argparse
import ast
import configparser
import functools
import json
import os
import stat
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from flake8_lightning import __version__
from flake8_lightning.config import Config, add_options, from_options

if TYPE_CHECKING:
    from collections.abc import Iterable

    from flake8.style_guide import StyleGuideManager

#: flake8's default excludes, and virtual environments, which flake8 would lint.
DEFAULT_EXCLUDE = (".svn", "CVS", ".bzr", ".hg", ".git", "__pycache__", ".tox", ".nox", ".eggs", "*.egg", ".venv", "venv")
#: flake8's own options the command takes, from the command line and the config.
FLAKE8_OPTIONS = (
    "--exclude", "--extend-exclude", "--filename", "--select", "--extend-select", "--ignore",
    "--extend-ignore", "--per-file-ignores", "--disable-noqa", "--exit-zero",
)
FORMATS = ("text", "json", "sarif", "github")
INFO_URI = "https://pypi.org/project/flake8-lightning/"
EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """A bad option or config value: exit 2 with the message."""


@dataclass(frozen=True)
class Result:
    path: str  # as given or found, for display
    line: int
    column: int  # 1-based, as flake8 prints it (a UTF-8 byte offset + 1, like flake8)
    code: str
    message: str
    char_column: int = 0  # 1-based, in code points (SARIF's columnKind); 0: same as column


def _usage_error(message: str) -> NoReturn:
    """argparse's errors as one line (no usage block), exit 2."""
    _warn(f"{message} (see --help)")
    raise SystemExit(EXIT_USAGE)


def _prelim_parser() -> argparse.ArgumentParser:
    """The config-file options, parsed before the config is read (as flake8's stage 1)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.error = _usage_error
    parser.add_argument(
        "--config", default=None,
        help="the config file to read instead of the discovered setup.cfg/tox.ini/.flake8",
    )
    parser.add_argument(
        "--append-config", action="append", default=[], help="an extra config file, read last (repeatable)"
    )
    parser.add_argument("--isolated", action="store_true", help="ignore all config files")
    return parser


class _Recorder:
    """Stands in for flake8's OptionManager to capture its default options' definitions."""

    formatter_names: list[str] = []  # noqa: RUF012

    def __init__(self) -> None:
        self.calls: dict[str, tuple[tuple, dict]] = {}

    def add_option(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        long_name = next((a for a in args if a.startswith("--")), None)
        if long_name:
            self.calls[long_name] = (args, kwargs)


def _option_manager(prelim: argparse.ArgumentParser):  # noqa: ANN202 - flake8's OptionManager
    import flake8
    from flake8.main.options import register_default_options
    from flake8.options.manager import OptionManager

    manager = OptionManager(
        version=f"flake8-lightning {__version__}",
        plugin_versions=f"flake8: {flake8.__version__}",
        parents=[prelim],
        formatter_names=[],
    )
    parser = manager.parser
    parser.prog = "flake8-lightning"
    parser.usage = None
    parser.error = _usage_error
    parser.description = (
        "Find PyTorch Lightning mistakes (the LTN rules of the flake8 plugin) without running "
        "the rest of flake8. Reads the [flake8] section of setup.cfg, tox.ini or .flake8 as flake8 does."
    )
    parser.epilog = (
        "Exit status: 0 when clean, 1 when there are findings (syntax errors and unreadable "
        "files included), 2 on a usage error, 3 on an internal error."
    )
    recorder = _Recorder()
    register_default_options(recorder)
    for name in FLAKE8_OPTIONS:
        args, kwargs = recorder.calls[name]
        if name == "--exclude":
            kwargs = {**kwargs, "default": ",".join(DEFAULT_EXCLUDE)}
        manager.add_option(*args, **kwargs)
    add_options(manager)
    manager.extend_default_select(["LTN"])
    add = parser.add_argument
    add("--format", choices=FORMATS, default="text", help="output format (default: text)")
    add("--explain", metavar="CODE", help="print a rule's documentation and exit")
    add("--diff", action="store_true", help="print the available fixes as a unified diff; change nothing")
    add("--fix", action="store_true", help="apply the available fixes in place")
    add("--no-progress", action="store_true", help="never show the progress bar")
    return manager


def _unknown_prefixes(values: Iterable[str], codes: Iterable[str]) -> list[str]:
    codes = list(codes)
    return [v for v in values if not any(code.startswith(v) for code in codes)]


def parse_options(argv: list[str] | None) -> tuple[argparse.Namespace, Config]:
    """flake8's options and config, merged by flake8's own code; UsageError when wrong."""
    from flake8.exceptions import ExecutionError
    from flake8.options import aggregator
    from flake8.options import config as flake8_config

    from flake8_lightning.engine import RULES

    argv = sys.argv[1:] if argv is None else list(argv)
    prelim = _prelim_parser()
    first, rest = prelim.parse_known_args(argv)
    manager = _option_manager(prelim)
    given = manager.parse_args(argv)  # the command line alone (exits 2 on a bad option)
    try:
        cfg, cfg_dir = flake8_config.load_config(first.config, first.append_config, isolated=first.isolated)
        options = aggregator.aggregate_options(manager, cfg, cfg_dir, rest)
    except (ExecutionError, ValueError, configparser.Error) as exc:
        raise UsageError(" ".join(str(exc).split())) from None
    for name in ("select", "extend_select", "ignore", "extend_ignore"):
        unknown = _unknown_prefixes(getattr(given, name) or (), RULES)
        if unknown:
            option = "--" + name.replace("_", "-")
            raise UsageError(f"{option}: no LTN rule starts with {', '.join(map(repr, unknown))}")
    if given.select is None and options.select is not None and not any(
        code.startswith(tuple(options.select)) for code in RULES
    ):
        # A config ``select`` naming only other plugins' codes is for plain flake8.
        options.select = None
    try:
        config = from_options(options)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return options, config


def _warn(text: str) -> None:
    sys.stderr.write(f"flake8-lightning: {text}\n")


def _processor_options(options: argparse.Namespace) -> argparse.Namespace:
    return argparse.Namespace(
        hang_closing=False, indent_size=4, max_line_length=79, max_doc_length=None,
        disable_noqa=options.disable_noqa, stdin_display_name="stdin", verbose=0,
    )


class _Collector:
    """The formatter flake8's style guide hands each reported violation to."""

    def __init__(self) -> None:
        self.violations: list = []

    def handle(self, violation) -> None:  # noqa: ANN001 - flake8.violation.Violation
        self.violations.append(violation)


def _code_points(line: str, byte_column: int) -> int:
    """A 1-based UTF-8 byte column of ``line`` as a 1-based code point column."""
    return len(line.encode("utf-8", "surrogatepass")[: byte_column - 1].decode("utf-8", "ignore")) + 1


class Outcome:
    """What went wrong besides findings, for the exit status."""

    def __init__(self) -> None:
        self.unreadable = 0
        self.internal_errors = 0


def regular_file(path: str, outcome: Outcome) -> bool:
    """Whether ``path`` is a regular file to read; if not, one line on stderr says why.

    A FIFO would block forever; a broken symlink (Emacs's ``.#model.py`` lock
    file) is nothing to check, so it does not fail the run.
    """
    try:
        if stat.S_ISREG(os.stat(path).st_mode):
            return True
        _warn(f"skipped {path}: not a regular file")
    except OSError as exc:
        if os.path.islink(path) and not os.path.exists(path):
            _warn(f"skipped {path}: a broken symbolic link")
        else:
            _warn(f"cannot read {path}: {exc.strerror or exc}")
            outcome.unreadable += 1
    return False


def check_file(
    path: str, options: argparse.Namespace, config: Config, style: StyleGuideManager, outcome: Outcome
) -> list[Result]:
    """Run the selected rules on one file; selection, per-file-ignores and noqa are flake8's."""
    from flake8.checker import FileChecker
    from flake8.processor import FileProcessor
    from flake8.style_guide import Decision

    from flake8_lightning.prefilter import wanted

    if not regular_file(path, outcome):
        return []
    try:
        processor = FileProcessor(path, _processor_options(options))
    except OSError as exc:
        _warn(f"cannot read {path}: {exc.strerror or exc}")
        outcome.unreadable += 1
        return []
    if processor.should_ignore_file():
        return []
    source = "".join(processor.lines)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning and friends are not ours to show
            ast.parse(source)  # as flake8 does before any tree plugin runs
    except (SyntaxError, ValueError) as exc:
        row, column = FileChecker._extract_syntax_information(exc)  # noqa: SLF001 - flake8's own reading
        message = f"{type(exc).__name__}: {exc.args[0] if exc.args else exc}"
        # flake8 prints Python's 1-based offset plus one; the offset itself counts characters.
        return [Result(path, row, column + 1, "E999", message, char_column=max(column, 1))]
    except RecursionError:
        pass  # the engine has its own handling of deep nesting
    guide = style.style_guide_for(path)
    codes = [code for code in wanted(source) if guide.should_report_error(code) is Decision.Selected]
    if not codes:
        return []
    from flake8_lightning.engine import Finding
    from flake8_lightning.result_cache import Results

    try:
        entry = Results(os.path.abspath(path), source, config, codes)
        kept = entry.lookup()
        if kept is not None:  # unchanged text, project and options
            findings = [Finding(line, col, *text.split(" ", 1)) for line, col, text in kept]
        else:
            from flake8_lightning.engine import analyse

            findings = analyse(os.path.abspath(path), source, config, codes, freeze_gc=True)
            entry.keep(findings)
    except RecursionError:
        _warn(f"skipped {path}: code nested too deeply to analyse")
        return []
    except Exception as exc:  # noqa: BLE001 - the other files are still checked; the exit status says it
        detail = " ".join(str(exc).split())[:200]
        _warn(f"internal error on {path}: {type(exc).__name__}: {detail} (please report this)")
        outcome.internal_errors += 1
        return []
    results = []
    for v in _decide(path, processor, findings, style):
        line = processor.lines[v.line_number - 1] if 0 < v.line_number <= len(processor.lines) else ""
        results.append(Result(path, v.line_number, v.column_number, v.code, v.text, _code_points(line, v.column_number)))
    return results


def _decide(path: str, processor, findings: list, style: StyleGuideManager) -> list:  # noqa: ANN001
    """The violations flake8's style guide reports among ``findings``: selection, per-file-ignores, noqa."""
    collector: _Collector = style.formatter
    collector.violations.clear()
    for finding in findings:
        code, _, message = finding.text.partition(" ")
        style.handle_error(code, path, finding.line, finding.col, message, processor.noqa_line_for(finding.line))
    return list(collector.violations)


def _reportable(path: str, source: str, findings: list, options: argparse.Namespace, style: StyleGuideManager) -> list:
    """``fixes.Selection.keep``: the findings of ``source`` this run would report, and so may fix."""
    from flake8.processor import FileProcessor

    from flake8_lightning.edits import python_lines

    processor = FileProcessor(path, _processor_options(options), lines=python_lines(source))
    if processor.should_ignore_file():
        return []
    shown = {(v.line_number, v.column_number, v.code) for v in _decide(path, processor, findings, style)}
    return [f for f in findings if (f.line, f.col + 1, f.code) in shown]


class Progress:
    """A one-line progress bar on a terminal, for large trees."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and total >= 20 and sys.stderr.isatty()
        self.done = 0

    def step(self, path: str) -> None:
        self.done += 1
        if self.enabled:
            width = 30
            filled = width * self.done // self.total
            name = path if len(path) <= 40 else "..." + path[-37:]
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {name:<40}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 90 + "\r")


# -- output -------------------------------------------------------------------------


def format_text(results: list[Result]) -> str:
    return "".join(f"{r.path}:{r.line}:{r.column}: {r.code} {r.message}\n" for r in results)


def format_json(results: list[Result]) -> str:
    from flake8_lightning.engine import RULES

    rows = [
        {
            "filename": r.path,
            "line": r.line,
            "column": r.column,
            "code": r.code,
            "rule": RULES[r.code].name if r.code in RULES else None,
            "message": r.message,
        }
        for r in results
    ]
    return json.dumps(rows, indent=2) + "\n"


def format_sarif(results: list[Result]) -> str:
    """SARIF 2.1.0, as GitHub code scanning accepts it."""
    from flake8_lightning.docs import render
    from flake8_lightning.engine import RULES

    codes = sorted(RULES)
    rules = []
    for code in codes:
        rule = RULES[code]
        summary = (rule.__doc__ or "").strip().splitlines()[0].replace("``", "`")
        rules.append(
            {
                "id": code,
                "name": rule.name,
                "shortDescription": {"text": summary},
                "fullDescription": {"text": summary},
                "help": {"text": summary, "markdown": render(code)},
                "helpUri": f"{INFO_URI}#{code.lower()}",
                "defaultConfiguration": {"level": "warning"},
            }
        )
    sarif_results = [
        {
            "ruleId": r.code,
            **({"ruleIndex": codes.index(r.code)} if r.code in RULES else {}),  # E999 is flake8's, not a rule
            "level": "warning" if r.code in RULES else "error",
            "message": {"text": r.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": Path(os.path.relpath(r.path)).as_posix(), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": r.line, "startColumn": r.char_column or r.column},
                    }
                }
            ],
        }
        for r in results
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "flake8-lightning",
                        "version": __version__,
                        "informationUri": INFO_URI,
                        "rules": rules,
                    }
                },
                "results": sarif_results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(results: list[Result]) -> str:
    """GitHub Actions workflow commands: an annotation per finding."""
    return "".join(
        f"::warning file={_escape_property(r.path)},line={r.line},col={r.column},"
        f"title={_escape_property(r.code)}::{_escape_data(f'{r.code} {r.message}')}\n"
        for r in results
    )


FORMATTERS = {"text": format_text, "json": format_json, "sarif": format_sarif, "github": format_github}


def main(argv: list[str] | None = None) -> int:
    from flake8.discover_files import expand_paths
    from flake8.style_guide import StyleGuideManager

    try:
        options, config = parse_options(argv)
    except UsageError as exc:
        _warn(str(exc))
        return EXIT_USAGE
    from flake8_lightning.engine import RULES

    if options.explain:
        code = options.explain.upper()
        if code not in RULES:
            _warn(f"unknown rule {options.explain!r}; known: {', '.join(sorted(RULES))}")
            return EXIT_USAGE
        from flake8_lightning.docs import render

        sys.stdout.write(render(code))
        return EXIT_CLEAN
    paths = options.filenames or ["."]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        _warn(f"no such file or folder: {', '.join(missing)}")
        return EXIT_USAGE
    if options.fix and options.diff:
        _warn("use --diff or --fix, not both")
        return EXIT_USAGE
    files = sorted(
        expand_paths(
            paths=paths,
            stdin_display_name="stdin",
            filename_patterns=options.filename,
            exclude=[*options.exclude, *options.extend_exclude],
        )
    )
    outcome = Outcome()
    style = StyleGuideManager(options, _Collector())
    if options.fix or options.diff:
        from flake8_lightning.fixes import Selection, run_fixes

        keep = functools.partial(_reportable, options=options, style=style)
        return run_fixes(
            [f for f in files if regular_file(f, outcome)], apply=options.fix, selection=Selection(config, keep)
        )

    progress = Progress(len(files), enabled=not options.no_progress and options.format == "text")
    results: list[Result] = []
    try:
        for path in files:
            results.extend(check_file(path, options, config, style, outcome))
            progress.step(path)
    finally:
        progress.close()
    results.sort(key=lambda r: (r.path, r.line, r.column, r.code))
    sys.stdout.write(FORMATTERS[options.format](results))
    if outcome.internal_errors:
        return EXIT_INTERNAL
    failed = bool(results) or outcome.unreadable > 0
    return EXIT_FINDINGS if failed and not options.exit_zero else EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
