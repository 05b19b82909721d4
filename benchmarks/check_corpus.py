"""Re-run every LTN rule over the pinned corpus and compare with ``triage.tsv``.

    python benchmarks/check_corpus.py [--cache DIR] [--only NAME ...] [--check-prefilter] [--check-cache]

Fails (exit 1) when
* a finding is not recorded in ``triage.tsv`` as a true bug (a new false
  positive, or a new finding nobody triaged),
* a recorded true bug is no longer found (lost recall),
* the plugin writes anything to stderr (a skipped file or an internal error),
  or fails: flake8 runs in strict mode (``FLAKE8_LIGHTNING_STRICT=1``), so an
  internal error is a traceback and a failure, never a quiet skip,
* with ``--check-prefilter``: a rule run on every file with the prefilter
  bypassed finds something in a file the prefilter would have skipped,
* with ``--check-cache``: the findings of a run that fills an empty on-disk
  cache, or of a second run served from it, differ from those of a run
  without it (the main run uses ``--lightning-no-cache``: every file is
  analysed).

Runs the real ``flake8`` executable, as users do, from each package's folder.
The prefilter check runs the engine in this process instead, with every rule
on every file.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import DEFAULT_CACHE, PINS, fetch  # noqa: E402

TRIAGE = Path(__file__).resolve().parent / "triage.tsv"
FINDING = re.compile(r"^\./(?P<path>.+?):(?P<line>\d+):\d+: (?P<code>LTN\d{3}) ")


def load_triage(path: Path = TRIAGE) -> dict[tuple[str, str, str], str]:
    with path.open(newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {(r["package"], r["location"], r["code"]): r["verdict"] for r in rows}


def run(package_dir: Path, *options: str, cache_dir: Path | None = None) -> tuple[set[tuple[str, str]], str, float]:
    env = {**os.environ, "FLAKE8_LIGHTNING_STRICT": "1", "FLAKE8_LIGHTNING_NO_CACHE": "1"}
    if cache_dir is not None:
        del env["FLAKE8_LIGHTNING_NO_CACHE"]
        env["FLAKE8_LIGHTNING_CACHE_DIR"] = str(cache_dir)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "flake8", *options, "--select=LTN", "."],
        cwd=package_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):  # 1: findings; anything else: flake8 itself failed
        return set(), result.stderr or f"flake8 exited {result.returncode}", elapsed
    found = set()
    for line in result.stdout.splitlines():
        match = FINDING.match(line)
        if match:
            found.add((f"{match['path']}:{match['line']}", match["code"]))
    return found, result.stderr, elapsed


def check_prefilter(package_dir: Path) -> tuple[list[str], int, float]:
    """Findings of rules run with the prefilter bypassed that the prefilter would have hidden."""
    import tokenize

    from flake8_lightning.config import Config
    from flake8_lightning.engine import analyse
    from flake8_lightning.prefilter import wanted
    from flake8_lightning.registry import RULES

    start = time.perf_counter()
    every_rule = sorted(RULES)
    hidden, checked = [], 0
    for path in sorted(package_dir.rglob("*.py")):
        try:
            with tokenize.open(path) as handle:
                text = handle.read()
            compile(text, str(path), "exec", dont_inherit=True)
        except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
            continue  # flake8 does not run tree plugins on these either
        checked += 1
        chosen = set(wanted(text))
        for finding in analyse(str(path), text, Config(), every_rule):
            if finding.code not in chosen:
                rel = path.relative_to(package_dir)
                hidden.append(f"prefilter hides {rel}:{finding.line} {finding.code} {finding.message}")
    return hidden, checked, time.perf_counter() - start


def compare(
    package: str, found: set[tuple[str, str]], stderr: str, triage: dict[tuple[str, str, str], str]
) -> list[str]:
    """The problems of one package's run: findings not triaged as true, true findings lost, stderr."""
    problems = []
    for location, code in sorted(found):
        verdict = triage.get((package, location, code))
        if verdict != "true":
            problems.append(f"untriaged or false positive: {package} {location} {code} ({verdict})")
    for (pkg, location, code), verdict in sorted(triage.items()):
        if pkg == package and verdict == "true" and (location, code) not in found:
            problems.append(f"true finding lost: {package} {location} {code}")
    if stderr.strip():
        problems.append(f"stderr from {package}:\n{stderr.strip()}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--only", nargs="*")
    parser.add_argument(
        "--check-prefilter", action="store_true", help="also run every rule on every file, prefilter bypassed"
    )
    parser.add_argument(
        "--check-cache", action="store_true", help="also run with an empty, then a warm on-disk cache: same findings"
    )
    args = parser.parse_args(argv)
    os.environ["FLAKE8_LIGHTNING_STRICT"] = "1"
    triage = load_triage()
    problems: list[str] = []
    for name, version, digest, _ in PINS:
        if args.only and name not in args.only:
            continue
        package = f"{name}-{version}"
        package_dir = fetch(name, version, digest, args.cache)
        found, stderr, elapsed = run(package_dir)
        print(f"{package}: {len(found)} findings in {elapsed:.1f}s")
        if args.check_prefilter:
            hidden, checked, elapsed = check_prefilter(package_dir)
            print(f"{package}: prefilter bypassed on {checked} files in {elapsed:.1f}s: {len(hidden)} hidden findings")
            problems.extend(f"{package}: {line}" for line in hidden)
        problems.extend(compare(package, found, stderr, triage))
        if args.check_cache:
            with tempfile.TemporaryDirectory(prefix="corpus-cache-") as folder:
                for state in ("cold", "warm"):
                    cached, cached_stderr, elapsed = run(package_dir, cache_dir=Path(folder))
                    print(f"{package}: {state} cache, {len(cached)} findings in {elapsed:.1f}s")
                    if cached != found or cached_stderr.strip():
                        problems.append(
                            f"{package}: {state} cache changes the findings: {sorted(cached ^ found)} {cached_stderr}"
                        )
    for problem in problems:
        print(problem)
    print("corpus check:", "FAILED" if problems else "ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
