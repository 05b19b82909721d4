"""Editor latency: a cold ``flake8 -`` per file, with the plugin against plain flake8.

    python benchmarks/editor_bench.py [--runs N] [--sample K] [--seed S] [--json FILE]
                                      [--cache DIR] [--bytecode]
                                      [--plugin-cache cold|warm|edited|off]

Editors (VS Code's flake8 extension, python-lsp-server) start a fresh flake8
process on every change and hand it the buffer on stdin. For every file of the
PyPI corpus (``corpus.py``) that some rule wants (the prefilter says a rule
could fire; the other files cost the plugin nothing but its import), this runs
``flake8 --stdin-display-name=<path> -`` with the buffer on stdin, once with
the plugin and once with plain flake8 (the same flake8 version in a separate
venv without the plugin, see ``bench.py``), alternating, N times each, and
keeps the median of each. Reported: the distribution (p50, p90, max) of the
ratio and of the added time, wall and CPU, and the 10 worst files.

CPU time (user + system of the flake8 process) is the figure an idle machine
shows; wall time also counts waiting for a core on a shared machine.
``--sample K`` measures K files drawn at random (seeded) to bound a run; the
report says so. Python writes no bytecode by default
(``PYTHONDONTWRITEBYTECODE=1``), as for a user whose environment is read-only;
``--bytecode`` lets it write (and read) ``.pyc`` files.

``--plugin-cache`` says what the plugin's on-disk cache holds when a run starts
(README, "The cache"), each run with its own cache folder:
``cold`` an empty folder (the first run in a project), ``warm`` what one earlier
run of the same buffer left (an editor reopening or re-linting a file),
``edited`` the same, but the buffer differs from that run's by one added line
(an edit: the file's own entry misses, the rest of the project is unchanged),
``off`` ``--lightning-no-cache``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import plain_flake8  # noqa: E402
from corpus import DEFAULT_CACHE  # noqa: E402
from scale_bench import bytecode_env, measure  # noqa: E402

from flake8_lightning.prefilter import wanted  # noqa: E402


def wanted_files(src: Path) -> list[tuple[Path, Path]]:
    """(package folder, file) for every corpus file that some rule wants, in a stable order."""
    found = []
    for package in sorted(p for p in src.iterdir() if p.is_dir()):
        for path in sorted(package.rglob("*.py")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if wanted(text):
                found.append((package, path))
    return found


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summary(rows: list[dict], key: str) -> dict:
    values = [r[key] for r in rows]
    return {"p50": percentile(values, 0.5), "p90": percentile(values, 0.9), "max": max(values)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="the corpus cache (with src/)")
    parser.add_argument("--runs", type=int, default=3, help="runs per variant and file (median)")
    parser.add_argument("--sample", type=int, default=0, help="measure this many files drawn at random (0: all)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--bytecode", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--plugin-cache", choices=("cold", "warm", "edited", "off"), default="cold")
    args = parser.parse_args(argv)

    env = bytecode_env(args.bytecode)
    plain = str(plain_flake8())
    plugin = str(Path(sys.executable).with_name("flake8"))
    files = wanted_files(args.cache / "src")
    total = len(files)
    if args.sample and args.sample < total:
        files = sorted(random.Random(args.seed).sample(files, args.sample))
    print(f"{len(files)} of {total} wanted files, {args.runs} runs each, bytecode {'on' if args.bytecode else 'off'},"
          f" plugin cache {args.plugin_cache}", flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="editor-bench-"))
    rows = []
    started = time.perf_counter()
    for number, (package, path) in enumerate(files, 1):
        cmd = ["--stdin-display-name", str(path), "-"]
        samples: dict[str, list[dict]] = {"plain": [], "plugin": []}
        buffer = path
        if args.plugin_cache == "edited":
            buffer = scratch / "buffer.py"
            buffer.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        for run in range(args.runs):
            folder = scratch / f"cache-{number}-{run}"
            plugin_env = dict(env, FLAKE8_LIGHTNING_CACHE_DIR=str(folder))
            if args.plugin_cache == "off":
                plugin_env["FLAKE8_LIGHTNING_NO_CACHE"] = "1"
            elif args.plugin_cache in ("warm", "edited"):
                measure([plugin, *cmd], package, path, plugin_env)  # untimed: fills the cache
            samples["plain"].append(measure([plain, *cmd], package, buffer, env))
            samples["plugin"].append(measure([plugin, *cmd], package, buffer, plugin_env))
            shutil.rmtree(folder, ignore_errors=True)
        row = {"file": str(path.relative_to(args.cache / "src"))}
        for variant, runs in samples.items():
            row[f"{variant}_wall"] = statistics.median(s["wall"] for s in runs)
            row[f"{variant}_cpu"] = statistics.median(s["cpu"] for s in runs)
        row["ratio"] = row["plugin_wall"] / row["plain_wall"]
        row["added"] = row["plugin_wall"] - row["plain_wall"]
        row["cpu_ratio"] = row["plugin_cpu"] / row["plain_cpu"]
        row["cpu_added"] = row["plugin_cpu"] - row["plain_cpu"]
        rows.append(row)
        if number % 20 == 0:
            print(f"  {number}/{len(files)} files, {time.perf_counter() - started:.0f} s", flush=True)
            if args.json:
                args.json.write_text(json.dumps(rows, indent=2))
    shutil.rmtree(scratch, ignore_errors=True)
    report = {key: summary(rows, key) for key in ("ratio", "added", "cpu_ratio", "cpu_added")}
    goal = sum(1 for r in rows if r["cpu_ratio"] > 2 or r["cpu_added"] > 0.6)
    target = sum(1 for r in rows if r["cpu_ratio"] > 1.3 or r["cpu_added"] > 0.15)
    print(f"\n{'':>10}  {'p50':>7} {'p90':>7} {'max':>7}")
    for key, label in (("ratio", "ratio"), ("added", "added s"), ("cpu_ratio", "CPU ratio"), ("cpu_added", "CPU s")):
        s = report[key]
        print(f"{label:>10}  {s['p50']:7.2f} {s['p90']:7.2f} {s['max']:7.2f}")
    print(f"{goal} of {len(rows)} files above 2x or 0.6 s of CPU; {target} above 1.3x or 0.15 s")
    print("\n10 worst files (CPU added):")
    for row in sorted(rows, key=lambda r: r["cpu_added"], reverse=True)[:10]:
        print(
            f"  {row['file']:<80} CPU {row['plain_cpu']:.2f} -> {row['plugin_cpu']:.2f} s (x{row['cpu_ratio']:.2f}),"
            f" wall {row['plain_wall']:.2f} -> {row['plugin_wall']:.2f} s"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
