"""The registry, the prefilter and the generated docs agree with the rules."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flake8_lightning.docs import generated
from flake8_lightning.prefilter import wanted
from flake8_lightning.registry import RULES, RegistrationError, Rule, any_of, register

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Known limits")


def test_prefilter_lets_every_firing_fixture_through():
    """A finding in a fixture means the prefilter must want that file for that rule."""
    checked = set()
    for path in (ROOT / "tests" / "fixtures").rglob("*.py"):
        text = path.read_text()
        for code in re.findall(r"# expect: .*?(LTN\d{3})", text) + re.findall(r", (LTN\d{3})", text):
            assert RULES[code].needs(text), f"{code}.needs rejects {path}"
            checked.add(code)
    assert checked == set(RULES)


def test_prefilter_skips_ordinary_code():
    text = "def train(num_steps, max_epochs, batch_size):\n    return num_steps * batch_size\n"
    assert wanted(text) == []


def test_prefilter_imports_no_astroid():
    """The cold path: a file no rule wants is judged without importing astroid or the model."""
    script = (
        "import sys\n"
        "from flake8_lightning.checker import Checker\n"
        "text = ['def train(steps):\\n', '    return steps\\n']\n"
        "assert list(Checker(None, 'plain.py', text).run()) == []\n"
        "heavy = sorted(m for m in sys.modules if m.startswith(('astroid', 'flake8_lightning.model')))\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"the prefilter imported: {out}"


def test_prefilter_is_linear_on_a_long_comment():
    """A 72 KB comment made of one hook-shaped word (issue 14, H6): was 15-26 s."""
    text = "# def " + "a_step" * 12000 + "\n" + "# x" * 1000 + "\n"
    start = time.perf_counter()
    wanted(text * 2)
    assert time.perf_counter() - start < 2.0  # generous: linear takes milliseconds


@pytest.mark.parametrize(
    "text",
    ["opt . step ()", "opt.step\\\n()", "opt.step(\n)", "self.optimizer\\\n    .step  (1)"],
)
def test_method_call_needs_allow_any_spacing(text):
    assert "LTN001" in wanted(text)


def test_method_call_needs_are_not_prefixes():
    assert wanted("opt.steps(); opt.step_size(3)") == []


def test_registration_names_what_is_missing():
    class NoNeeds(Rule):
        """Doc."""

        code, name, impact, message = "LTN999", "toy", "impact", "message; use x"

        def visit_Call(self, node):  # noqa: ANN001
            pass

    with pytest.raises(RegistrationError, match="LTN999 lacks needs"):
        register(NoNeeds)
    NoNeeds.needs = any_of("x")
    NoNeeds.__doc__ = None
    with pytest.raises(RegistrationError, match="LTN999 lacks docstring"):
        register(NoNeeds)
    assert "LTN999" not in RULES


BROKEN_RULES = {
    "registration": "@register\nclass Broken(Rule):\n    code = 'LTN998'\n",
    "heavy import": (
        "@heavy_imports\ndef _imports():\n    import no_such_module_for_the_test  # noqa: F401\n\n\n"
        "@register\nclass Broken(Rule):\n    'Doc.'\n\n    needs = any_of('needle')\n"
        "    code, name, impact, message = 'LTN998', 'broken', 'impact', 'msg; use x'\n\n"
        "    def visit_Call(self, node):\n        pass\n"
    ),
}


@pytest.mark.parametrize("failure", sorted(BROKEN_RULES))
def test_a_broken_rule_fails_the_run_even_outside_strict_mode(failure, tmp_path):
    """A rule that cannot register or load fails loudly, never as per-file skips or silence."""
    import os
    import shutil

    import flake8_lightning as package

    # A copy of the package, so that no other run importing the real one (a second
    # pytest, a flake8 in another shell) ever sees the broken rule.
    copy = tmp_path / "site" / "flake8_lightning"
    shutil.copytree(package.__path__[0], copy, ignore=shutil.ignore_patterns("__pycache__"))
    header = "from flake8_lightning.registry import Rule, any_of, heavy_imports, register\n\n\n"
    (copy / "rules" / "ltn998_broken_for_test.py").write_text(header + BROKEN_RULES[failure])
    script = (
        "import flake8_lightning, sys\n"
        f"assert flake8_lightning.__file__.startswith({str(copy)!r}), flake8_lightning.__file__\n"
        "from flake8_lightning.checker import Checker\nlist(Checker(None, 'x.py', ['needle()\\n']).run())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "FLAKE8_LIGHTNING_STRICT"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(copy.parent), env.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env=env)
    expected = "LTN998 lacks" if failure == "registration" else "no_such_module_for_the_test"
    assert result.returncode != 0 and expected in result.stderr, result.stderr


def test_every_rule_is_documented_with_all_sections():
    for code, rule in RULES.items():
        for section in SECTIONS:
            assert section in rule.__doc__, f"{code} docs lack {section!r}"


def doc_block(code: str, section: str) -> str:
    """The Python block of a rule docstring's section: a complete file."""
    import inspect

    doc = inspect.cleandoc(RULES[code].__doc__)
    text = doc.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", text, re.S)
    assert match, f"{code}: the {section!r} section has no ```python block"
    return match.group(1)


@pytest.mark.parametrize("code", sorted(RULES))
def test_doc_examples_run(code, tmp_path):
    """The Example reports exactly this rule, the Use instead reports nothing (each a whole file)."""
    from flake8_lightning.config import Config
    from flake8_lightning.engine import analyse

    (tmp_path / "pyproject.toml").write_text("")
    for section, want in (("Example", {code}), ("Use instead", set())):
        path = tmp_path / f"{section.replace(' ', '_').lower()}.py"
        text = doc_block(code, section)
        path.write_text(text)
        found = {f.code for f in analyse(str(path), text, Config())}
        assert found == want, f"{code}'s {section!r} reports {sorted(found) or 'nothing'}, not {sorted(want) or 'nothing'}"


def test_messages_are_one_line_ending_with_the_fix():
    for code, rule in RULES.items():
        for message in [rule.message, *(v for k, v in vars(rule).items() if k.endswith("_message"))]:
            assert "\n" not in message and len(message) < 160, code
            assert re.search(r"; (use|set|move|log|call|did you mean|\{fix\})", message), f"{code}: {message}"


def test_generated_docs_are_fresh():
    for path, text in generated(ROOT).items():
        assert path.exists() and path.read_text() == text, (
            f"{path.relative_to(ROOT)} is stale: run python -m flake8_lightning.docs"
        )


def test_readme_lists_every_rule():
    readme = (ROOT / "README.md").read_text()
    for code in RULES:
        assert f"[{code}](docs/rules/{code}.md)" in readme, f"README lacks {code}: run python -m flake8_lightning.docs"


def test_no_placeholder_is_left_in_a_rule():
    """scripts/add_rule.py writes TODOs; a rule is done when none is left."""
    for code, rule in RULES.items():
        for attr in ("__doc__", "name", "impact", "message"):
            assert "TODO" not in getattr(rule, attr), f"{code}.{attr} still holds a TODO from scripts/add_rule.py"
        assert "TODO" not in rule.needs.description, f"{code}.needs still holds a TODO from scripts/add_rule.py"


def test_readme_quick_start_is_exactly_two_commands():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- quick-start -->")[1].split("<!-- /quick-start -->")[0]
    commands = [line for line in block.splitlines() if line.strip() and not line.startswith("```")]
    assert len(commands) == 2
    assert "examples/" in commands[0] and "pytest" in commands[1]
