"""Property-based robustness: no input makes an exception escape the checker.

Two sources of programs: hypothesmith's grammar-generated Python, and real
Lightning code from the fixtures with random edits (lines deleted, duplicated,
truncated, swapped). Kept small for CI; raise ``FLAKE8_LIGHTNING_EXAMPLES``
to search harder locally.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from flake8_lightning.checker import Checker  # noqa: E402

#: hypothesmith's grammar-driven generation costs ~1.5 s an example; edits are cheap.
EXAMPLES = int(os.environ.get("FLAKE8_LIGHTNING_EXAMPLES", "10"))
FIXTURES = Path(__file__).parent / "fixtures"
REAL_FILES = sorted(p for p in FIXTURES.rglob("*.py"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def check(tmp_path: Path, source: str) -> list:
    """Run the checker as flake8 would; any escaping exception fails the test."""
    (tmp_path / "pyproject.toml").write_text("")
    path = tmp_path / "generated.py"
    path.write_text(source, encoding="utf-8", errors="surrogatepass")
    return list(Checker(None, str(path), source.splitlines(keepends=True)).run())


def _valid(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<generated>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


@st.composite
def edited_real_code(draw) -> str:
    lines = REAL_FILES[draw(st.integers(0, len(REAL_FILES) - 1))].read_text().splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "truncate", "swap", "dedent"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))] + "\n"
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines[i] = lines[i].lstrip()
    return "".join(lines)


@settings(SETTINGS, max_examples=EXAMPLES * 20)
@given(source=edited_real_code())
def test_edited_real_lightning_code_never_raises(tmp_path_factory, source):
    if _valid(source):  # flake8 runs tree plugins only on code that parses
        check(tmp_path_factory.mktemp("edit"), source)


@SETTINGS
@given(data=st.data())
def test_generated_programs_never_raise(tmp_path_factory, data):
    hypothesmith = pytest.importorskip("hypothesmith")
    source = data.draw(hypothesmith.from_grammar())
    # Give the generated program every token some rule looks for.
    source += "\nself.optimizer.step(); self.manual_backward(x); monitor = 'x'\n"
    if _valid(source):
        check(tmp_path_factory.mktemp("gen"), source)
