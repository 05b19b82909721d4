"""``flake8-lightning``: the LTN rules without the rest of flake8 (for ruff users and CI).

The rules run through the plugin's own ``Checker``, so results are the plugin's;
``# noqa`` and ``# flake8: noqa`` are decided by flake8's own code. Exit codes:
0 clean, 1 findings, 2 usage error.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flake8_lightning import __version__
from flake8_lightning.checker import Checker
from flake8_lightning.config import Config

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

DEFAULT_EXCLUDE = (".svn", "CVS", ".bzr", ".hg", ".git", "__pycache__", ".tox", ".nox", ".eggs", "*.egg", ".venv", "venv")
FORMATS = ("text", "json", "sarif", "github")
INFO_URI = "https://pypi.org/project/flake8-lightning/"


@dataclass(frozen=True)
class Result:
    path: str  # as given or found, for display
    line: int
    column: int  # 1-based, as flake8 prints it
    code: str
    message: str


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="flake8-lightning",
        description="Find PyTorch Lightning mistakes (the LTN rules of the flake8 plugin) "
        "without running the rest of flake8.",
        epilog="Exit status: 0 when clean, 1 when there are findings, 2 on a usage error.",
    )
    parser.add_argument("paths", nargs="*", default=["."], help="files and folders to check (default: .)")
    parser.add_argument("--select", default="LTN", help="comma-separated code prefixes to report (default: LTN)")
    parser.add_argument("--ignore", default="", help="comma-separated code prefixes not to report")
    parser.add_argument("--exclude", default="", help="comma-separated glob patterns of paths to skip, added to the defaults")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--explain", metavar="CODE", help="print a rule's documentation and exit")
    parser.add_argument("--diff", action="store_true", help="print the available fixes as a unified diff; change nothing")
    parser.add_argument("--fix", action="store_true", help="apply the available fixes in place")
    parser.add_argument("--disable-noqa", action="store_true", help="report findings even on lines with # noqa")
    parser.add_argument("--no-progress", action="store_true", help="never show the progress bar")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument(
        "--lightning-source-roots", default="", help="comma-separated folders to resolve the project's imports from"
    )
    parser.add_argument("--lightning-version", default=None, help="the Lightning version the project targets (default: inferred)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_args(argv)


def comma_list(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


def prefixes(text: str) -> tuple[str, ...]:
    return tuple(p.upper() for p in comma_list(text))


def selected(code: str, select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    """flake8's rule: the longest matching prefix decides; ignore wins a tie."""
    best_select = max((len(p) for p in select if code.startswith(p)), default=-1)
    best_ignore = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return best_select >= 0 and best_select > best_ignore


def discover(paths: Iterable[str], exclude: tuple[str, ...]) -> Iterator[str]:
    def excluded(path: str) -> bool:
        name = os.path.basename(path.rstrip(os.sep)) or path
        return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(path, p) for p in exclude)

    for given in paths:
        if os.path.isfile(given):
            yield given
            continue
        for folder, dirs, files in os.walk(given):
            dirs[:] = sorted(d for d in dirs if not excluded(os.path.join(folder, d)))
            for name in sorted(files):
                path = os.path.join(folder, name)
                if name.endswith(".py") and not excluded(path):
                    yield path


def check_file(path: str, select: tuple[str, ...], ignore: tuple[str, ...], disable_noqa: bool) -> list[Result]:
    """Run the plugin's checker on one file; apply noqa exactly as flake8 does."""
    from flake8.processor import FileProcessor
    from flake8.violation import Violation

    options = argparse.Namespace(
        hang_closing=False, indent_size=4, max_line_length=79, max_doc_length=None,
        disable_noqa=disable_noqa, stdin_display_name="stdin", verbose=0,
    )
    processor = FileProcessor(path, options)
    if processor.should_ignore_file():
        return []
    source = "".join(processor.lines)
    try:
        compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        sys.stderr.write(f"flake8-lightning: skipped {path}: syntax error\n")
        return []
    except RecursionError:
        pass  # the checker has its own handling of deep nesting
    results = []
    for line, col, text, _ in Checker(None, path, processor.lines).run():
        code, _, message = text.partition(" ")
        if not selected(code, select, ignore):
            continue
        violation = Violation(code, path, line, col + 1, message, processor.noqa_line_for(line))
        if violation.is_inline_ignored(disable_noqa):
            continue
        results.append(Result(path, line, col + 1, code, message))
    return results


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
            "ruleIndex": codes.index(r.code) if r.code in RULES else 0,
            "level": "warning",
            "message": {"text": r.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": Path(os.path.relpath(r.path)).as_posix(), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": r.line, "startColumn": r.column},
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
    args = parse_args(argv)
    from flake8_lightning.engine import RULES

    if args.explain:
        code = args.explain.upper()
        if code not in RULES:
            sys.stderr.write(f"flake8-lightning: unknown rule {args.explain!r}; known: {', '.join(sorted(RULES))}\n")
            return 2
        from flake8_lightning.docs import render

        sys.stdout.write(render(code))
        return 0
    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        sys.stderr.write(f"flake8-lightning: no such file or folder: {', '.join(missing)}\n")
        return 2
    if args.fix and args.diff:
        sys.stderr.write("flake8-lightning: use --diff or --fix, not both\n")
        return 2
    Checker.config = Config(source_roots=comma_list(args.lightning_source_roots), lightning_version=args.lightning_version)
    files = list(discover(args.paths, DEFAULT_EXCLUDE + comma_list(args.exclude)))
    if args.fix or args.diff:
        from flake8_lightning.fixes import Selection, run_fixes

        selection = Selection(prefixes(args.select), prefixes(args.ignore), args.disable_noqa)
        return run_fixes(files, apply=args.fix, selection=selection)

    select, ignore = prefixes(args.select), prefixes(args.ignore)
    progress = Progress(len(files), enabled=not args.no_progress and args.format == "text")
    results: list[Result] = []
    try:
        for path in files:
            results.extend(check_file(path, select, ignore, args.disable_noqa))
            progress.step(path)
    finally:
        progress.close()
    results.sort(key=lambda r: (r.path, r.line, r.column, r.code))
    sys.stdout.write(FORMATTERS[args.format](results))
    return 1 if results and not args.exit_zero else 0


if __name__ == "__main__":
    sys.exit(main())
