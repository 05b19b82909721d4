"""Cost of flake8-lightning relative to plain flake8, measured side by side.

    python benchmarks/bench.py [--runs N] [--editor-runs N] [--skip-batch]

Plain flake8 is the same flake8 version in a separate virtual environment
without the plugin (created under ``.cache/bench``). Each figure is the median
of several runs, the two variants alternating, so both see the same machine
noise. Reported:

1. batch: ``flake8 .`` (default checks, default ``--jobs``) on the Lightning
   corpus and on django: wall-time ratio and peak RSS of the largest process;
2. editor: a cold ``flake8 --stdin-display-name=F -`` on one LightningModule
   file of a multi-file project, in this environment (where torch and
   Lightning may be installed), vs plain flake8 on the same buffer.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import DEFAULT_CACHE, PINS, fetch  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / ".cache" / "bench"
EDITOR_FILE = ROOT / "examples" / "gan_project" / "models" / "gan.py"

#: Runs a command and prints its wall time and the peak RSS of its processes.
_MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
stdin = open(sys.argv[2], "rb") if sys.argv[2] != "-" else subprocess.DEVNULL
subprocess.run(json.loads(sys.argv[1]), stdin=stdin, stdout=subprocess.DEVNULL, cwd=sys.argv[3])
wall = time.perf_counter() - start
print(json.dumps({"wall": wall, "rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def flake8_version() -> str:
    from importlib.metadata import version

    return version("flake8")


def plain_flake8() -> Path:
    """A flake8 of the same version without the plugin."""
    env = BENCH / "plain-venv"
    exe = env / "bin" / "flake8"
    wanted = flake8_version()
    stamp = env / ".flake8-version"
    if not exe.exists() or not stamp.exists() or stamp.read_text() != wanted:
        venv.create(env, with_pip=True, clear=True)
        subprocess.run([env / "bin" / "python", "-m", "pip", "install", "-q", f"flake8=={wanted}"], check=True)
        stamp.write_text(wanted)
    return exe


def measure(cmd: list[str], cwd: Path, stdin: Path | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, json.dumps([str(c) for c in cmd]), str(stdin or "-"), str(cwd)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def compare(name: str, plugin: list[str], plain: list[str], cwd: Path, runs: int, stdin: Path | None = None) -> dict:
    results: dict[str, list[dict]] = {"plugin": [], "plain": []}
    for _ in range(runs):
        results["plain"].append(measure(plain, cwd, stdin))
        results["plugin"].append(measure(plugin, cwd, stdin))
    row = {"case": name, "runs": runs}
    for variant, samples in results.items():
        row[f"{variant}_s"] = statistics.median(s["wall"] for s in samples)
        row[f"{variant}_rss_mb"] = statistics.median(s["rss_kb"] for s in samples) / 1024
    row["ratio"] = row["plugin_s"] / row["plain_s"]
    row["rss_ratio"] = row["plugin_rss_mb"] / row["plain_rss_mb"]
    print(
        f"{name:<34} plain {row['plain_s']:7.2f}s  plugin {row['plugin_s']:7.2f}s  ratio {row['ratio']:.3f}  "
        f"peak RSS {row['plain_rss_mb']:6.1f} -> {row['plugin_rss_mb']:6.1f} MB",
        flush=True,
    )
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--editor-runs", type=int, default=11)
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    args = parser.parse_args(argv)

    plain = str(plain_flake8())
    plugin = str(Path(sys.executable).with_name("flake8"))
    rows = []
    print(f"flake8 {flake8_version()}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs", flush=True)
    if not args.skip_batch:
        folders = {name: fetch(name, version, digest, DEFAULT_CACHE) for name, version, digest, _ in PINS}
        src = next(iter(folders.values())).parent
        lightning = [f.name for (name, *_), f in zip(PINS, folders.values()) if name != "django"]
        rows.append(compare("batch: Lightning corpus", [plugin, *lightning], [plain, *lightning], src, args.runs))
        rows.append(compare("batch: django", [plugin, "."], [plain, "."], folders["django"], args.runs))
    stdin_cmd = ["--stdin-display-name", str(EDITOR_FILE.relative_to(ROOT / "examples")), "-"]
    rows.append(
        compare(
            "editor: stdin, one LightningModule",
            [plugin, *stdin_cmd],
            [plain, *stdin_cmd],
            ROOT / "examples",
            args.editor_runs,
            stdin=EDITOR_FILE,
        )
    )
    try:
        import torch  # noqa: F401

        print("torch is installed in this environment (the editor case must not infer into it)")
    except ImportError:
        print("torch is NOT installed in this environment")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
