"""What a module summary costs against an astroid tree, per module, on corpus packages.

    python benchmarks/summary_bench.py [--cache .cache/corpus] [--packages a,b] [--runs 3]
    python benchmarks/summary_bench.py --scans [--packages a,b]
    python benchmarks/summary_bench.py --trees 2000

For every ``.py`` file of each package (text already read, newlines
normalised): ``ast.parse``; ``summarize`` (text tier, then syntax tier: one
``ast.parse`` and one walk); astroid's tree as the plugin builds it
(``loading.build_module``); and the size of the summary as JSON. Best of N
runs per file, summed per package.

``--scans``: ``Facts.lightning_modules()`` and ``MetricFacts.helpers()`` over
each package, with summaries (cold, and warm: kept by a first run) and with an
astroid tree for every file the scans look at: trees built, CPU, peak RSS.

``--trees N``: one process checks every file of a generated project of N
modules (``scale_bench.py``'s), with summaries and with an astroid tree for
every file a whole-project scan looks at: trees built, CPU, peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from flake8_lightning.model.loading import build_module, read_source
from flake8_lightning.model.summary import add_syntax, summarize_text


def best(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


TREES = """
import os, resource, sys, time
from flake8_lightning.config import Config
from flake8_lightning.engine import analyse
from flake8_lightning.model.project import Project
if sys.argv[2] == "astroid":
    Project.may_define = lambda self, path, name: True
    import flake8_lightning.model.metrics as metrics
    metrics.logs_literally = lambda summary, name: False
root = sys.argv[1]
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".py"))
if sys.argv[3] == "editor":  # train.py alone, with a monitor nothing logs: every LightningModule is read
    files = [os.path.join(root, "train.py")]
    with open(files[0]) as handle:
        text = handle.read().replace('monitor="val_loss"', 'monitor="val_quux"')
    with open(files[0], "w") as handle:
        handle.write(text)
start = time.process_time()
found = 0
for path in files:
    with open(path) as handle:
        found += len(analyse(path, handle.read(), Config()))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(f"{sys.argv[3]}, {sys.argv[2]}: {len(files)} files, {found} findings, {Project.parsed_modules} astroid trees, "
      f"{time.process_time() - start:.2f} s CPU, peak RSS {usage.ru_maxrss / 1024:.0f} MB")
"""


SCAN = """
import glob, os, resource, sys, time
from flake8_lightning.model.lightning import Facts
from flake8_lightning.model.metrics import MetricFacts
from flake8_lightning.model.project import Project
mode, root = sys.argv[1], sys.argv[2]
if mode == "astroid":
    Project.may_define = lambda self, path, name: True
files = sorted(glob.glob(os.path.join(root, "**/*.py"), recursive=True))
project = Project.for_file(files[0])
if len(sys.argv) > 3:  # summaries kept in (and read from) this folder
    from flake8_lightning.cache import Store
    project.store = Store(sys.argv[3])
start = time.process_time()
found = Facts.of(project).lightning_modules()
built = Project.parsed_modules
MetricFacts.of(Facts.of(project)).helpers()
print(f"{os.path.basename(root)}, {mode}: {len(project.files())} files; lightning_modules(): {len(found)} classes, "
      f"{built} astroid trees; with helpers(): {Project.parsed_modules} trees, "
      f"{time.process_time() - start:.2f} s CPU, peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
"""


def scans(cache: str, packages: str) -> None:
    """Every LightningModule of a corpus package and its helper logs, with summaries and with an
    astroid tree for every file the scans look at (no on-disk cache: the cold case)."""
    import subprocess

    import tempfile

    env = {**os.environ, "FLAKE8_LIGHTNING_NO_CACHE": "1"}
    for package in packages.split(","):
        root = str(Path(cache) / "src" / package)
        for mode in ("astroid", "summaries"):
            subprocess.run([sys.executable, "-c", SCAN, mode, root], check=True, env=env)
        with tempfile.TemporaryDirectory() as folder:  # warm: a first run keeps the summaries
            subprocess.run([sys.executable, "-c", SCAN, "filling", root, folder], check=True, env=env,
                           stdout=subprocess.DEVNULL)
            subprocess.run([sys.executable, "-c", SCAN, "warm summaries", root, folder], check=True, env=env)


def trees(size: int) -> None:
    """One process checks every file of a generated project (as one flake8 worker would), once with
    summaries and once building an astroid tree for every file a whole-project scan looks at."""
    import subprocess
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from scale_bench import generate

    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), size)
        env = {**os.environ, "FLAKE8_LIGHTNING_NO_CACHE": "1"}
        for scope in ("batch", "editor"):
            for mode in ("astroid", "summaries"):
                subprocess.run([sys.executable, "-c", TREES, tmp, mode, scope], check=True, env=env)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", action="store_true", help="project scans of each package, with and without summaries")
    parser.add_argument("--trees", type=int, metavar="MODULES", help="astroid trees kept in one process, with and without summaries")
    parser.add_argument("--cache", default=".cache/corpus")
    parser.add_argument("--packages", default="nemo-toolkit-3.0.0,lightning-2.6.6,scvi-tools-1.4.2,anomalib-2.7.0")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.trees:
        trees(args.trees)
        return 0
    if args.scans:
        scans(args.cache, args.packages)
        return 0
    import ast

    rows = []
    for package in args.packages.split(","):
        root = Path(args.cache) / "src" / package
        totals = {"files": 0, "ast": 0.0, "text_tier": 0.0, "syntax_tier": 0.0, "astroid": 0.0, "json_bytes": 0}
        for path in sorted(root.rglob("*.py")):
            text = read_source(str(path))
            if text is None:
                continue
            try:
                ast.parse(text)
            except Exception:  # noqa: BLE001
                continue
            totals["files"] += 1
            totals["ast"] += best(lambda: ast.parse(text), args.runs)
            holder = {}
            totals["text_tier"] += best(lambda: holder.update(s=summarize_text(text, str(path), "m")), args.runs)
            totals["syntax_tier"] += best(lambda: add_syntax(dict(holder["s"]), text, str(path)), args.runs)
            totals["astroid"] += best(lambda: build_module(text, "m", str(path)), args.runs)
            totals["json_bytes"] += len(json.dumps(add_syntax(holder["s"], text, str(path))))
        n = totals["files"] or 1
        row = {"package": package, **totals}
        rows.append(row)
        print(
            f"{package}: {totals['files']} files; per file: ast.parse {1000 * totals['ast'] / n:.2f} ms, "
            f"summary {1000 * (totals['text_tier'] + totals['syntax_tier']) / n:.2f} ms "
            f"(text {1000 * totals['text_tier'] / n:.2f} + syntax {1000 * totals['syntax_tier'] / n:.2f}), "
            f"astroid {1000 * totals['astroid'] / n:.2f} ms; summary JSON {totals['json_bytes'] / n / 1024:.1f} KB",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
