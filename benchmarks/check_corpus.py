"""Re-run every LTN rule over the pinned corpus and compare with ``triage.tsv``.

    python benchmarks/check_corpus.py [--cache DIR] [--only NAME ...]

Fails (exit 1) when
* a finding is not recorded in ``triage.tsv`` as a true bug (a new false
  positive, or a new finding nobody triaged),
* a recorded true bug is no longer found (lost recall),
* the plugin writes anything to stderr (a skipped file or an internal error).

Runs the real ``flake8`` executable, as users do, from each package's folder.
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
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


def run(package_dir: Path, *options: str) -> tuple[set[tuple[str, str]], str, float]:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "flake8", *options, "--select=LTN", "."],
        cwd=package_dir,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    elapsed = time.perf_counter() - start
    found = set()
    for line in result.stdout.splitlines():
        match = FINDING.match(line)
        if match:
            found.add((f"{match['path']}:{match['line']}", match["code"]))
    return found, result.stderr, elapsed


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
    args = parser.parse_args(argv)
    triage = load_triage()
    problems: list[str] = []
    for name, version, digest, _ in PINS:
        if args.only and name not in args.only:
            continue
        package = f"{name}-{version}"
        found, stderr, elapsed = run(fetch(name, version, digest, args.cache))
        print(f"{package}: {len(found)} findings in {elapsed:.1f}s")
        problems.extend(compare(package, found, stderr, triage))
    for problem in problems:
        print(problem)
    print("corpus check:", "FAILED" if problems else "ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
