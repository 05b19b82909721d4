"""How the plugin's cost grows with the size of a project, on generated projects.

    python benchmarks/scale_bench.py [--sizes 50,500,2000,5000] [--runs N] [--editor-runs N]
                                     [--no-batch] [--json FILE] [--chart FILE]

For each size a project of that many modules is generated in a temporary
folder (nothing is committed, and the folder is removed afterwards): a package
of LightningModules (a tenth of them manual with a scheduler, some logging
through a helper), Callbacks that log through ``pl_module.log``, plain utility
modules (some with their own ``.log(`` methods), and ``train.py``, which
builds its checkpoint callbacks in a function of their own (so the model they
watch is not known there): the worst case of LTN003, which then checks every
LightningModule of the project.

Measured against plain flake8 (same version, a separate venv without the
plugin, see ``bench.py``), both variants alternating, median of N:

- batch: ``flake8 -j2 <project>``: wall and CPU ratio, peak RSS of the largest
  process (a worker);
- editor: a cold ``flake8 --stdin-display-name=<project>/train.py -`` with the
  buffer on stdin: wall time, added time, ratio, peak RSS.

With ``--cache``, each measurement is made without the plugin's on-disk
cache, with a cold one and with a warm one, CPU time and peak RSS (see
``cache_variants``); the editor run is made twice, with a monitor some model
logs and with one nothing logs (every LightningModule must then be read).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import plain_flake8  # noqa: E402

#: Runs a command; prints its wall time, its children's CPU time and the peak RSS of the largest one.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
stdin = open(sys.argv[2], "rb") if sys.argv[2] != "-" else subprocess.DEVNULL
env = json.loads(sys.argv[4])
subprocess.run(json.loads(sys.argv[1]), stdin=stdin, stdout=subprocess.DEVNULL, cwd=sys.argv[3], env=env)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_kb": usage.ru_maxrss}))
"""


def measure(cmd: list[str], cwd: Path, stdin: Path | None = None, env: dict | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, json.dumps([str(c) for c in cmd]), str(stdin or "-"), str(cwd),
         json.dumps(env if env is not None else dict(os.environ))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def side_by_side(plugin: list[str], plain: list[str], cwd: Path, runs: int, stdin: Path | None = None,
                 env: dict | None = None) -> dict:
    """Median wall/CPU/RSS of each variant, alternating plain and plugin runs."""
    samples: dict[str, list[dict]] = {"plain": [], "plugin": []}
    for _ in range(runs):
        samples["plain"].append(measure(plain, cwd, stdin, env))
        samples["plugin"].append(measure(plugin, cwd, stdin, env))
    row: dict[str, float] = {}
    for variant, runs_ in samples.items():
        for key in ("wall", "cpu", "rss_kb"):
            row[f"{variant}_{key}"] = statistics.median(s[key] for s in runs_)
    row["ratio"] = row["plugin_wall"] / row["plain_wall"]
    row["cpu_ratio"] = row["plugin_cpu"] / row["plain_cpu"]
    row["added_s"] = row["plugin_wall"] - row["plain_wall"]
    row["rss_ratio"] = row["plugin_rss_kb"] / row["plain_rss_kb"]
    return row


# -- the generated project ----------------------------------------------------------

MODEL = '''"""Model {i}."""
import torch
import lightning as L
from torch import nn

from proj.utils.util_{u} import helper_{u}
{helper_import}

class Model{i}(L.LightningModule):
    def __init__(self, hidden: int = 32):
        super().__init__()
        self.layer = nn.Linear(hidden, 2)
{manual}
    def forward(self, x):
        return self.layer(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self(x), y)
        self.log("train_loss_{i}", loss)
{train_extra}        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self(x), y)
        self.log("val_loss", helper_{u}(loss))
{val_extra}
    def configure_optimizers(self):
        optimizer = torch.optim.Adam(self.parameters(), lr=1e-3)
{optim_return}
'''

MANUAL = '''        self.automatic_optimization = False
'''
MANUAL_STEP = '''        opt = self.optimizers()
        opt.zero_grad()
        self.manual_backward(loss)
        opt.step()
'''
SCHEDULER_RETURN = '''        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)
        return [optimizer], [scheduler]
'''

SUBCLASS = '''"""Subclass {i}."""
from proj.models.model_{base} import Model{base}


class Variant{i}(Model{base}):
    def validation_step(self, batch, batch_idx):
        super().validation_step(batch, batch_idx)
        self.log("val_extra_{i}", 0.0)
'''

CALLBACK = '''"""Callback {i}."""
import lightning as L


class Callback{i}(L.Callback):
    def on_validation_epoch_end(self, trainer, pl_module):
        pl_module.log("cb_metric_{i}", 1.0)
'''

UTIL = '''"""Utilities {i}."""
import math
import logging

logger = logging.getLogger(__name__)


def helper_{i}(value):
    logger.info("value %s", value)
    return value * math.log(2.0)


class Recorder{i}:
    def __init__(self):
        self.values = []

    def log(self, value):
        self.values.append(value)

    def report(self):
        self.log(math.log(len(self.values) + 1))
        return sum(self.values) / max(1, len(self.values))


def table_{i}(rows):
    return [{{"row": row, "value": helper_{i}(row)}} for row in rows]
'''

TRAIN = '''"""Train one of the project's models, chosen by name at run time."""
import importlib
import sys

import lightning as L
from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint


def build_model(name):
    module = importlib.import_module(f"proj.models.{{name}}")
    return getattr(module, name.title().replace("_", ""))()


def make_callbacks():
    return [ModelCheckpoint(monitor="val_loss", mode="min"), EarlyStopping(monitor="val_loss")]


def main(name):
    trainer = L.Trainer(max_epochs=3, callbacks=make_callbacks())
    trainer.fit(build_model(name))


if __name__ == "__main__":
    main(sys.argv[1])
'''


def generate(root: Path, size: int) -> Path:
    """A project of ``size`` modules under ``root``; returns the file an editor edits."""
    pkg = root / "proj"
    for sub in ("models", "callbacks", "utils"):
        (pkg / sub).mkdir(parents=True, exist_ok=True)
        (pkg / sub / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (root / "pyproject.toml").write_text('[project]\nname = "proj"\ndependencies = ["lightning>=2.1"]\n')
    (root / "train.py").write_text(TRAIN.format())
    budget = max(1, size - 5)  # train.py and the four __init__.py
    n_models = max(1, budget * 3 // 10)
    n_subclasses = max(0, budget // 10)
    n_callbacks = max(1, budget // 10)
    n_utils = max(1, budget - n_models - n_subclasses - n_callbacks)
    for i in range(n_utils):
        (pkg / "utils" / f"util_{i}.py").write_text(UTIL.format(i=i))
    for i in range(n_models):
        manual = i % 10 == 3
        (pkg / "models" / f"model_{i}.py").write_text(
            MODEL.format(
                i=i,
                u=i % n_utils,
                helper_import="",
                manual=MANUAL if manual else "",
                train_extra=MANUAL_STEP if manual else "",
                val_extra="",
                optim_return=SCHEDULER_RETURN if manual else "        return optimizer\n",
            )
        )
    for i in range(n_subclasses):
        (pkg / "models" / f"variant_{i}.py").write_text(SUBCLASS.format(i=i, base=i % n_models))
    for i in range(n_callbacks):
        (pkg / "callbacks" / f"callback_{i}.py").write_text(CALLBACK.format(i=i))
    return root / "train.py"


# -- the run ----------------------------------------------------------------------------


def medians(samples: list[dict], prefix: str) -> dict:
    return {f"{prefix}_{key}": statistics.median(s[key] for s in samples) for key in ("wall", "cpu", "rss_kb")}


def cache_variants(plugin: list[str], plain: list[str], cwd: Path, runs: int, env: dict, scratch: Path,
                   stdin: Path | None = None, edit=None) -> dict:  # noqa: ANN001
    """Plain flake8, and the plugin without its cache, with a cold one and with a warm one.

    Cold: a new, empty cache folder per run. Warm: a folder filled by one
    unmeasured run, then ``edit(i)`` before each measured run (a changed editor
    buffer, or a changed project file): the kept findings miss, and the run
    answers from the kept summaries of the files that did not change. Hit: the
    same folder after a run on the unchanged text: the kept findings answer.
    """
    from flake8_lightning.cache import CACHE_DIR_ENV, NO_CACHE_ENV

    off = {**env, NO_CACHE_ENV: "1"}
    row: dict[str, float] = {}
    row.update(medians([measure(plain, cwd, stdin, off) for _ in range(runs)], "plain"))
    row.update(medians([measure(plugin, cwd, stdin, off) for _ in range(runs)], "nocache"))
    cold = []
    for i in range(runs):
        folder = scratch / f"cold-{i}"
        cold.append(measure(plugin, cwd, stdin, {**env, CACHE_DIR_ENV: str(folder)}))
        shutil.rmtree(folder, ignore_errors=True)
    row.update(medians(cold, "cold"))
    folder = scratch / "warm"
    warm_env = {**env, CACHE_DIR_ENV: str(folder)}
    measure(plugin, cwd, stdin, warm_env)
    warm = []
    for i in range(runs):
        edited = edit(i) if edit else stdin
        warm.append(measure(plugin, cwd, edited, warm_env))
    row.update(medians(warm, "warm"))
    # Hit: nothing changed since the last run (a file reopened, CI over an unchanged tree).
    measure(plugin, cwd, stdin, warm_env)
    row.update(medians([measure(plugin, cwd, stdin, warm_env) for _ in range(runs)], "hit"))
    shutil.rmtree(folder, ignore_errors=True)
    for variant in ("nocache", "cold", "warm", "hit"):
        row[f"{variant}_cpu_ratio"] = row[f"{variant}_cpu"] / row["plain_cpu"]
        row[f"{variant}_added_cpu"] = row[f"{variant}_cpu"] - row["plain_cpu"]
    return row


def run_cache_size(size: int, plugin: str, plain: str, runs: int, editor_runs: int, batch: bool, env: dict) -> dict:
    """``--cache``: every measurement without the plugin's cache, cold and warm."""
    tmp = Path(tempfile.mkdtemp(prefix=f"ltn-scale-{size}-", dir=os.environ.get("SCALE_BENCH_TMP")))
    try:
        project = tmp / "project"
        project.mkdir()
        edited = generate(project, size)
        for path in project.rglob("*"):  # written an hour ago: not "racily clean" for the caches
            os.utime(path, (time.time() - 3600, time.time() - 3600))
        scratch = tmp / "scratch"
        scratch.mkdir()
        result = {"size": size, "modules": sum(1 for _ in project.rglob("*.py"))}
        stdin_args = ["--stdin-display-name", str(edited), "-"]
        for name, monitor in (("editor", "val_loss"), ("editor_unlogged", "val_quux")):
            text = edited.read_text().replace('monitor="val_loss"', f'monitor="{monitor}"')
            buffer = scratch / f"{name}.py"
            buffer.write_text(text)

            def edit(i: int, text: str = text, name: str = name) -> Path:
                path = scratch / f"{name}-{i}.py"
                path.write_text(text + f"# edit {i}\n")
                return path

            result[name] = cache_variants([plugin, *stdin_args], [plain, *stdin_args], project, editor_runs, env,
                                          scratch, buffer, edit)
        if batch:
            util = project / "proj" / "utils" / "util_0.py"
            original = util.read_text()

            def touch(i: int) -> None:
                util.write_text(original + f"# edit {i}\n")

            result["batch"] = cache_variants([plugin, "-j2", "."], [plain, "-j2", "."], project, runs, env, scratch,
                                             None, touch)
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def show_cache(result: dict) -> None:
    parts = [f"{result['modules']:>5} modules"]
    for name in ("editor", "editor_unlogged", "batch"):
        if name not in result:
            continue
        r = result[name]
        mb = 1024
        parts.append(
            f"{name}: plain {r['plain_cpu']:.2f}s, no cache {r['nocache_cpu']:.2f}s, cold {r['cold_cpu']:.2f}s, "
            f"warm {r['warm_cpu']:.2f}s, hit {r['hit_cpu']:.2f}s CPU (x{r['nocache_cpu_ratio']:.2f}/x{r['cold_cpu_ratio']:.2f}"
            f"/x{r['warm_cpu_ratio']:.2f}/x{r['hit_cpu_ratio']:.2f}); RSS {r['plain_rss_kb'] / mb:.0f}/"
            f"{r['nocache_rss_kb'] / mb:.0f}/{r['cold_rss_kb'] / mb:.0f}/{r['warm_rss_kb'] / mb:.0f}/{r['hit_rss_kb'] / mb:.0f} MB"
        )
    print("\n  ".join(parts), flush=True)


def run_size(size: int, plugin: str, plain: str, runs: int, editor_runs: int, batch: bool, env: dict) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"ltn-scale-{size}-", dir=os.environ.get("SCALE_BENCH_TMP")))
    try:
        project = tmp / "project"
        project.mkdir()
        edited = generate(project, size)
        modules = sum(1 for _ in project.rglob("*.py"))
        result = {"size": size, "modules": modules}
        stdin_args = ["--stdin-display-name", str(edited), "-"]
        result["editor"] = side_by_side([plugin, *stdin_args], [plain, *stdin_args], project, editor_runs, edited, env)
        if batch:
            result["batch"] = side_by_side([plugin, "-j2", "."], [plain, "-j2", "."], project, runs, None, env)
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def show(result: dict) -> None:
    e = result["editor"]
    line = (
        f"{result['modules']:>5} modules | editor {e['plain_wall']:.2f}s -> {e['plugin_wall']:.2f}s "
        f"(x{e['ratio']:.2f}, +{e['added_s']:.2f}s, RSS {e['plain_rss_kb'] / 1024:.0f} -> {e['plugin_rss_kb'] / 1024:.0f} MB)"
    )
    if "batch" in result:
        b = result["batch"]
        line += (
            f" | batch -j2 {b['plain_wall']:.1f}s -> {b['plugin_wall']:.1f}s (x{b['ratio']:.2f}, CPU x{b['cpu_ratio']:.2f},"
            f" RSS/worker {b['plain_rss_kb'] / 1024:.0f} -> {b['plugin_rss_kb'] / 1024:.0f} MB)"
        )
    print(line, flush=True)


def _finish(fig, axes, path: Path, legend_size: int) -> None:  # noqa: ANN001 - matplotlib objects
    """Project size on a log scale under every panel, then the file."""
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("modules in the project")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=legend_size)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def bytecode_env(allowed: bool) -> dict:
    """This environment, with Python allowed to write bytecode or forbidden to."""
    env = dict(os.environ)
    if allowed:
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # the caller's environment may forbid it
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def chart(results: list[dict], path: Path) -> None:
    """Editor CPU time, batch ratio and peak RSS against project size (matplotlib, if importable)."""
    if results and "nocache_cpu" in results[0]["editor"]:
        chart_cache(results, path)
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["modules"] for r in results]
    batch = [r for r in results if "batch" in r]
    bsizes = [r["modules"] for r in batch]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    axes[0].plot(sizes, [r["editor"]["plugin_cpu"] for r in results], "o-", label="flake8 + plugin")
    axes[0].plot(sizes, [r["editor"]["plain_cpu"] for r in results], "o--", label="plain flake8")
    axes[0].set_title("editor run on train.py: CPU s")
    axes[0].set_ylim(bottom=0)
    axes[1].plot(bsizes, [r["batch"]["cpu_ratio"] for r in batch], "o-", label="CPU")
    axes[1].plot(bsizes, [r["batch"]["ratio"] for r in batch], "o--", label="wall (shared machine)")
    axes[1].axhline(1.3, color="grey", lw=0.8, ls=":", label="goal at 5,000: 1.3x")
    axes[1].set_title("batch flake8 -j2: plugin / plain")
    axes[2].plot(bsizes, [r["batch"]["plugin_rss_kb"] / 1024 for r in batch], "o-", label="flake8 + plugin")
    axes[2].plot(bsizes, [r["batch"]["plain_rss_kb"] / 1024 for r in batch], "o--", label="plain flake8")
    axes[2].set_title("batch: peak RSS per worker, MB")
    axes[2].set_ylim(bottom=0)
    _finish(fig, axes, path, legend_size=8)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,500,2000,5000")
    parser.add_argument("--runs", type=int, default=1, help="batch runs per variant (median)")
    parser.add_argument("--editor-runs", type=int, default=3, help="editor runs per variant (median)")
    parser.add_argument("--no-batch", action="store_true")
    parser.add_argument("--cache", action="store_true", help="measure without the plugin's cache, cold and warm (CPU, RSS)")
    parser.add_argument("--bytecode", action="store_true", help="let Python write bytecode (default: PYTHONDONTWRITEBYTECODE=1)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--chart", type=Path, help="draw the curves with matplotlib (in a scratch venv)")
    parser.add_argument("--from-json", type=Path, nargs="+", help="only draw the chart of earlier --json files")
    args = parser.parse_args(argv)
    if args.from_json:
        results = sorted((r for f in args.from_json for r in json.loads(f.read_text())), key=lambda r: r["modules"])
    else:
        env = bytecode_env(args.bytecode)
        plain = str(plain_flake8())
        plugin = str(Path(sys.executable).with_name("flake8"))
        results = []
        for size in (int(s) for s in args.sizes.split(",")):
            if args.cache:
                results.append(run_cache_size(size, plugin, plain, args.runs, args.editor_runs, not args.no_batch, env))
                show_cache(results[-1])
            else:
                results.append(run_size(size, plugin, plain, args.runs, args.editor_runs, not args.no_batch, env))
                show(results[-1])
            if args.json:
                args.json.write_text(json.dumps(results, indent=2))
    if args.chart:
        chart(results, args.chart)
    return 0



def chart_cache(results: list[dict], path: Path) -> None:
    """``--cache`` results: each curve a cache state (no cache, cold, warm after an edit, hit)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    variants = (("nocache", "no cache", "o-"), ("cold", "cold cache", "s-"), ("warm", "warm, after an edit", "^-"),
                ("hit", "warm, unchanged", "d-"))
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    sizes = [r["modules"] for r in results]
    for key, label, style in variants:
        axes[0].plot(sizes, [r["editor"][f"{key}_cpu"] for r in results], style, label=label)
    axes[0].plot(sizes, [r["editor"]["plain_cpu"] for r in results], "k--", label="plain flake8")
    axes[0].set_title("editor run on train.py: CPU s")
    axes[0].set_ylim(bottom=0)
    batch = [r for r in results if "batch" in r]
    bsizes = [r["modules"] for r in batch]
    for key, label, style in variants:
        axes[1].plot(bsizes, [r["batch"][f"{key}_cpu_ratio"] for r in batch], style, label=label)
    axes[1].axhline(1.3, color="grey", lw=0.8, ls=":", label="goal at 5,000 (cold): 1.3x")
    axes[1].set_title("batch flake8 -j2: CPU, plugin / plain")
    for key, label, style in variants:
        axes[2].plot(bsizes, [r["batch"][f"{key}_rss_kb"] / 1024 for r in batch], style, label=label)
    axes[2].plot(bsizes, [r["batch"]["plain_rss_kb"] / 1024 for r in batch], "k--", label="plain flake8")
    axes[2].set_title("batch: peak RSS per worker, MB")
    axes[2].set_ylim(bottom=0)
    _finish(fig, axes, path, legend_size=7)


if __name__ == "__main__":
    sys.exit(main())
