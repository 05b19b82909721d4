"""No input may hang (issue 14, H1-H5 and H9), and the answers stay right.

Each case builds the reproducer's shape (bigger, so that the old exponential
or quadratic code would take minutes) and runs the real ``flake8`` on it in a
subprocess with a generous time limit: a guard against hangs, not a
benchmark. Each also checks the findings: the true finding where the code is
plain, silence where it is deeper than the model's budget (``model/budget.py``).

The fuzz tier at the end grows the same shapes at random and checks that the
engine stays fast and never raises.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_lightning.config import Config
from flake8_lightning.engine import analyse
from flake8_lightning.model.budget import Budget, Memo
from flake8_lightning.model.lightning import Facts, Mode
from flake8_lightning.model.metrics import _LOG_CALL, helper_log_roots, pattern_matches
from flake8_lightning.model.project import Project

#: Seconds one flake8 run may take. Each case takes about a second; the code
#: before the fix took minutes on every one of them.
HANG_BOUND = 30

MODEL_LOGS_VAL_LOSS = """\
class Model(L.LightningModule):
    def validation_step(self, b, i):
        self.log('val_loss', 1.0)
"""


def lint(root: Path, *files: str) -> list[tuple[str, int, str]]:
    """(file, line, code) of every LTN finding in ``files``, or a failure on a hang."""
    start = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "flake8", "--isolated", "--select=LTN", *files],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=HANG_BOUND,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"flake8 ran over {HANG_BOUND} s: a hang")
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr and "skipped" not in done.stderr, done.stderr
    assert time.monotonic() - start < HANG_BOUND
    found = []
    for line in done.stdout.splitlines():
        path, lineno, _col, message = line.split(":", 3)
        found.append((path, int(lineno), message.split()[0]))
    return sorted(found)


def project(tmp_path: Path, **files: str) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'hangs'\n")
    for name, text in files.items():
        (tmp_path / f"{name}.py").write_text(text)
    return tmp_path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


# -- shapes -------------------------------------------------------------------------


def if_chain(name: str, levels: int, branches: int, indent: str = "") -> list[str]:
    """``name<k> = name<k-1>`` in every branch of ``levels`` if/elif/else statements."""
    lines = []
    for k in range(1, levels + 1):
        for j in range(branches):
            head = "if" if j == 0 else "elif" if j < branches - 1 else "else"
            lines.append(f"{indent}{head} c == {j}:" if head != "else" else f"{indent}else:")
            lines.append(f"{indent}    {name}{k} = {name}{k - 1}")
    return lines


def monitor_chain(levels: int, branches: int, monitor: str) -> str:
    """H1: a monitor name rebound in every branch of a long if/elif/else chain."""
    lines = [
        "import lightning as L",
        "from lightning.pytorch.callbacks import ModelCheckpoint",
        "",
        "c = 0",
        f"M0 = {monitor!r}",
        *if_chain("M", levels, branches),
        "",
        "",
        MODEL_LOGS_VAL_LOSS,
        "",
        f"ModelCheckpoint(monitor=M{levels})",
    ]
    return "\n".join(lines) + "\n"


def optimizer_chain(levels: int, branches: int, raw: bool) -> str:
    """H2: an optimizer alias rebound in every branch of a long if/elif/else chain."""
    source = "self.optimizers(use_pl_optimizer=False)" if raw else "self.optimizers()"
    lines = [
        "import lightning as L",
        "",
        "",
        "class Model(L.LightningModule):",
        "    automatic_optimization = False",
        "",
        "    def training_step(self, batch, c):",
        f"        o0 = {source}",
        *if_chain("o", levels, branches, indent="        "),
        f"        o{levels}.step()",
    ]
    return "\n".join(lines) + "\n"


def trainer_chain(levels: int) -> str:
    """H3: a trainer rebound in every branch of a long if/else chain, then ``fit``.

    Two modules: when ``t<levels>`` is known to be a Trainer, the monitor is
    checked against ``Model`` alone (and is never logged there); when it is
    unknown, against every module of the project (``Other`` logs it).
    """
    lines = [
        "import lightning as L",
        "from lightning.pytorch.callbacks import ModelCheckpoint",
        "",
        "",
        MODEL_LOGS_VAL_LOSS,
        "",
        "class Other(L.LightningModule):",
        "    def validation_step(self, b, i):",
        "        self.log('other_metric', 1.0)",
        "",
        "",
        "def main(c):",
        "    t0 = L.Trainer(callbacks=[ModelCheckpoint(monitor='other_metric')])",
        *if_chain("t", levels, 2, indent="    "),
        f"    t{levels}.fit(Model())",
    ]
    return "\n".join(lines) + "\n"


def fstring_model(parts: int, separator: str, suffix: str, monitor: str) -> str:
    """H4: ``self.log(f"{a}{b}...{l}/x")`` and a long monitor."""
    names = [f"v{i}" for i in range(parts)]
    fstring = separator.join("{" + n + "}" for n in names) + suffix
    return textwrap.dedent(
        f"""\
        import lightning as L
        from lightning.pytorch.callbacks import ModelCheckpoint


        class Model(L.LightningModule):
            def validation_step(self, batch, batch_idx):
                {", ".join(names)} = batch
                self.log(f"{fstring}", 1.0)


        ModelCheckpoint(monitor={monitor!r})
        """
    )


def class_chain(length: int, logs: bool = False) -> str:
    """H9: ``M<k>(M<k-1>)``, each calling ``manual_backward`` under automatic optimization
    (with ``logs``, each also logs its own metric, and a checkpoint monitors the first)."""
    out = ["import lightning as L", "from lightning.pytorch.callbacks import ModelCheckpoint", "", ""]
    for k in range(length):
        base = "L.LightningModule" if k == 0 else f"M{k - 1}"
        out.append(f"class M{k}({base}):\n    def training_step(self, batch, i):\n        self.manual_backward(batch)\n")
        if logs:
            out.append(f"    def validation_step(self, batch, i):\n        self.log('m{k}', batch)\n")
        out.append("")
    if logs:
        out.append("ModelCheckpoint(monitor='m0')\nModelCheckpoint(monitor='m_never')\n")
    return "\n".join(out)


# -- one test per reproducer ----------------------------------------------------------


@pytest.mark.parametrize(
    ("levels", "monitor", "finding"),
    [
        (19, "val_loss", False),  # the reproducer: resolved, and logged
        (19, "val_los", True),  # resolved: the true finding
        (60, "val_los", False),  # deeper than the budget: unknown, silence
    ],
)
def test_h1_monitor_name_through_if_elif_chain(tmp_path, levels, monitor, finding):
    text = monitor_chain(levels, 3, monitor)
    root = project(tmp_path, m=text)
    expected = [("m.py", line_of(text, "ModelCheckpoint(monitor="), "LTN003")] if finding else []
    assert lint(root, "m.py") == expected


@pytest.mark.parametrize(
    ("levels", "raw", "finding"),
    [
        (12, False, False),  # the reproducer's shape, deeper: a wrapper, right
        (12, True, True),  # a raw optimizer through every alias: the true finding
        (80, True, False),  # deeper than the budget: unknown, silence
    ],
)
def test_h2_optimizer_alias_through_if_elif_chain(tmp_path, levels, raw, finding):
    text = optimizer_chain(levels, 4, raw)
    root = project(tmp_path, m=text)
    expected = [("m.py", line_of(text, "o0 = "), "LTN001")] if finding else []
    assert lint(root, "m.py") == expected


@pytest.mark.parametrize(
    ("levels", "finding"),
    [
        (24, True),  # a Trainer through every branch: checked against Model only
        (80, False),  # deeper than the budget: unknown, so every module counts
    ],
)
def test_h3_trainer_through_if_else_chain(tmp_path, levels, finding):
    text = trainer_chain(levels)
    root = project(tmp_path, m=text)
    expected = [("m.py", line_of(text, "monitor='other_metric'"), "LTN003")] if finding else []
    assert lint(root, "m.py") == expected


@pytest.mark.parametrize(
    ("parts", "separator", "suffix", "monitor", "finding"),
    [
        (12, "", "/x", "val_loss_of_the_autoencoder_model", True),  # the reproducer
        (16, "_", "/x", "_".join(["val"] * 40) + "/y", True),  # wildcards between literals
        (16, "_", "/x", "_".join(["val"] * 40) + "/x", False),  # it can be logged
        (16, "_", "", "_".join(["val"] * 10), True),  # 15 separators cannot fit in 9
        (16, "_", "", "_".join(["val"] * 30), False),
    ],
)
def test_h4_dynamic_metric_name_patterns(tmp_path, parts, separator, suffix, monitor, finding):
    text = fstring_model(parts, separator, suffix, monitor)
    root = project(tmp_path, model=text)
    expected = [("model.py", line_of(text, "ModelCheckpoint(monitor="), "LTN003")] if finding else []
    assert lint(root, "model.py") == expected


@pytest.mark.parametrize(("flags", "finding"), [("0" * 40_000 + "!", True), ("0" * 40_000 + "d", False)])
def test_h4_percent_template_with_long_flags(tmp_path, flags, finding):
    """``"val_%000...0!" % x``: the placeholder regex let flags and width trade zeros (quadratic)."""
    text = fstring_model(1, "", "", "val_loss").replace('f"{v0}"', f'"val_%{flags}" % v0')
    root = project(tmp_path, model=text)
    expected = [("model.py", line_of(text, "ModelCheckpoint(monitor="), "LTN003")] if finding else []
    assert lint(root, "model.py") == expected


@pytest.mark.parametrize("monitor", ["val_loss", "val_los"])
def test_h5_long_dotted_string_in_a_project_file(tmp_path, monitor):
    train = MODEL_LOGS_VAL_LOSS.join(
        ["import lightning as L\nfrom lightning.pytorch.callbacks import ModelCheckpoint\n\n\n", ""]
    ) + f"\n\nModelCheckpoint(monitor={monitor!r})\n"
    data = 'CHAIN = "' + ".".join(["a"] * 100_000) + '"\nLOGS = "x.' + ".".join(["a"] * 50_000) + '.log("\n'
    root = project(tmp_path, train=train, data=data)
    expected = [] if monitor == "val_loss" else [("train.py", line_of(train, "ModelCheckpoint("), "LTN003")]
    assert lint(root, "train.py") == expected


@pytest.mark.parametrize("logs", [False, True])
def test_h9_long_inheritance_chain(tmp_path, logs):
    """Optimization mode, subclasses and logged names: once per class, not per subclass."""
    text = class_chain(400, logs)
    root = project(tmp_path, m=text)
    expected = [("m.py", line_of(text, f"class M{k}(") + 2, "LTN002") for k in range(400)]
    if logs:
        expected.append(("m.py", line_of(text, "m_never"), "LTN003"))
    assert lint(root, "m.py") == sorted(expected)


# -- the linear matchers agree with the regular expressions they replace --------------

_OLD_HELPER_LOG = re.compile(r"\b(\w+)(?:\.\w+)*\.log(?:_dict)?\(")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab_1.( é", max_size=40).map(lambda s: s.replace("(", ".log(")))
def test_helper_log_roots_agree_with_the_old_regex(text):
    assert helper_log_roots(text) == _OLD_HELPER_LOG.findall(text)
    assert bool(_LOG_CALL.search(text)) >= bool(_OLD_HELPER_LOG.search(text))


_SEGMENT = st.text(alphabet="ab_./*\\", max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _SEGMENT), min_size=1, max_size=6), st.text(alphabet="ab_./*\\", max_size=12))
def test_pattern_matches_agrees_with_re(parts, name):
    pattern = "".join(".*" if p is None else re.escape(p) for p in parts)
    assert pattern_matches(pattern, name) == bool(re.fullmatch(pattern, name, re.DOTALL))


# -- fuzz tier: the shapes grown at random --------------------------------------------

FUZZ_BOUND = 10  # seconds for one example, in process


def analyse_text(text: str) -> list:
    with tempfile.TemporaryDirectory() as folder:
        root = project(Path(folder), m=text)
        start = time.monotonic()
        found = analyse(str(root / "m.py"), text, Config())
        elapsed = time.monotonic() - start
    assert elapsed < FUZZ_BOUND, f"{elapsed:.1f} s"
    return found


FUZZ = settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@FUZZ
@given(st.integers(1, 70), st.integers(2, 6), st.booleans())
def test_fuzz_monitor_chains(levels, branches, typo):
    found = analyse_text(monitor_chain(levels, branches, "val_los" if typo else "val_loss"))
    if not typo:
        assert found == []
    elif levels <= 20:
        assert [f.code for f in found] == ["LTN003"]


@FUZZ
@given(st.integers(1, 70), st.integers(2, 6), st.booleans())
def test_fuzz_optimizer_chains(levels, branches, raw):
    found = analyse_text(optimizer_chain(levels, branches, raw))
    if not raw:
        assert found == []
    elif levels <= 20:
        assert [f.code for f in found] == ["LTN001"]


@FUZZ
@given(st.integers(1, 70))
def test_fuzz_trainer_chains(levels):
    found = analyse_text(trainer_chain(levels))
    if levels <= 20:
        assert [f.code for f in found] == ["LTN003"]


@FUZZ
@given(st.integers(1, 60), st.sampled_from(["", "_", "/", "_x_"]), st.integers(1, 200), st.booleans())
def test_fuzz_fstring_parts(parts, separator, monitor_parts, concatenated):
    monitor = "_".join(["x"] * monitor_parts) + "/y"
    text = fstring_model(parts, separator, "/z", monitor)
    if concatenated:  # "" + v0 + "_" + v1 + ... + "/z": the same pattern, built by BinOps
        names = [f"v{i}" for i in range(parts)]
        joined = f" + {separator!r} + ".join(names) if separator else " + ".join(names)
        text = re.sub(r'f".*"', lambda _: f'{joined} + "/z"', text, count=1)
    found = analyse_text(text)
    assert [f.code for f in found] == ["LTN003"]


@FUZZ
@given(st.one_of(st.integers(1, 1000), st.integers(50_000, 200_000)), st.sampled_from([".", "a.", "x.log", "(.", "%0"]))
def test_fuzz_long_strings(length, unit):
    text = "import lightning as L\n\nS = " + repr((unit * length)[:length]) + "\n" + MODEL_LOGS_VAL_LOSS
    assert analyse_text(text) == []


@FUZZ
@given(st.integers(1, 300), st.booleans())
def test_fuzz_class_chains(length, logs):
    assert len(analyse_text(class_chain(length, logs))) == length + logs


@FUZZ
@given(st.integers(2, 25), st.lists(st.tuples(st.integers(0, 24), st.integers(0, 24)), min_size=1, max_size=80))
def test_fuzz_alias_graphs_with_cycles(count, edges):
    """Names assigned from each other in a loop: cycles, which are never cached inside."""
    lines = ["import lightning as L", "from lightning.pytorch.callbacks import ModelCheckpoint", ""]
    lines += [f"n{i} = 'val_loss'" for i in range(count)]
    lines.append("while c:")
    for k, (a, b) in enumerate(edges):
        lines.append(f"    {'if' if k == 0 else 'elif'} c == {k}:")
        lines.append(f"        n{a % count} = n{b % count}")
    lines += ["", MODEL_LOGS_VAL_LOSS, f"ModelCheckpoint(monitor=n{count - 1})"]
    assert analyse_text("\n".join(lines) + "\n") == []


# -- the budget itself -------------------------------------------------------------------


def chain_memo(budget: Budget, length: int) -> tuple[Memo, dict]:
    """Question ``k`` asks question ``k + 1``; the last one answers 'end'."""
    memo: Memo[str | None] = Memo(budget, None)
    calls: dict[int, int] = {}

    def ask(k: int) -> str | None:
        def compute() -> str | None:
            calls[k] = calls.get(k, 0) + 1
            return "end" if k == length else ask(k + 1)

        return memo(k, compute)

    return ask, calls


def test_budget_depth_overrun_is_unknown_whatever_was_asked_before():
    fresh, _ = chain_memo(Budget(max_depth=10), 30)
    assert fresh(0) is None and fresh(25) == "end"
    warmed, _ = chain_memo(Budget(max_depth=10), 30)
    assert warmed(25) == "end" and warmed(21) == "end"
    # 0 -> 21 is already 21 deep: the cached tail does not make it fit.
    assert warmed(0) is None
    assert warmed(25) == "end"


def test_budget_memoises_and_bounds_work():
    budget = Budget(max_work=50)
    memo: Memo[int | None] = Memo(budget, None)
    calls = []

    def fib(n: int) -> int | None:
        def compute() -> int | None:
            calls.append(n)
            if n < 2:
                return n
            a, b = fib(n - 1), fib(n - 2)
            return None if a is None or b is None else a + b

        return memo(n, compute)

    assert fib(40) == 102334155 and len(calls) == 41  # once each, not 2 ** 40
    wide = Budget(max_work=50, max_depth=1000)
    many: Memo[int | None] = Memo(wide, None)

    def count(n: int) -> int | None:
        return many(n, lambda: 0 if n == 0 else count(n - 1))

    assert count(200) is None and wide.overruns == 1
    assert count(200) is None and wide.overruns == 1  # answered from the cache: unknown
    assert count(40) == 0


def test_budget_cycles_are_unknown_and_do_not_poison_the_cache():
    budget = Budget()
    memo: Memo[str | None] = Memo(budget, None)
    edges = {"a": "b", "b": "a", "c": None}

    def ask(node: str) -> str | None:
        return memo(node, lambda: node if edges[node] is None else ask(edges[node]))

    assert ask("a") is None and ask("b") is None and ask("c") == "c"


def test_budget_hierarchy_longer_than_max_classes_is_unresolved(tmp_path):
    root = project(tmp_path, m=class_chain(30))
    path = str(root / "m.py")
    proj = Project.for_file(path)
    facts = Facts.of(proj)
    facts.budget.max_classes = 20
    classes = {c.name: c for c in facts.classes_in(proj.module(path))}
    assert facts.optimization_mode(classes["M18"]) is Mode.AUTOMATIC
    assert len(facts.hierarchy(classes["M18"]).classes) == 19
    assert facts.hierarchy(classes["M29"]).unresolved
    assert facts.optimization_mode(classes["M29"]) is Mode.UNKNOWN
