"""The registry, the prefilter and the generated docs agree with the rules."""

from __future__ import annotations

import re
from pathlib import Path

from flake8_lightning.prefilter import WANTS, wanted
from flake8_lightning.docs import generated
from flake8_lightning.registry import RULES

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Known limits")


def test_prefilter_lets_every_firing_fixture_through():
    """A finding in a fixture means the prefilter must want that file for that rule."""
    checked = set()
    for path in (ROOT / "tests" / "fixtures").rglob("*.py"):
        text = path.read_text()
        for code in re.findall(r"# expect: .*?(LTN\d{3})", text) + re.findall(r", (LTN\d{3})", text):
            assert WANTS[code](text), f"prefilter.WANTS[{code}] rejects {path}"
            checked.add(code)
    assert checked == set(RULES)


def test_prefilter_skips_ordinary_code():
    text = "def train(num_steps, max_epochs, batch_size):\n    return num_steps * batch_size\n"
    assert wanted(text) == []


def test_every_rule_is_documented_with_all_sections():
    for code, rule in RULES.items():
        for section in SECTIONS:
            assert section in rule.__doc__, f"{code} docs lack {section!r}"


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
        assert f"[{code}](docs/rules/{code}.md)" in readme


def test_readme_quick_start_is_exactly_two_commands():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- quick-start -->")[1].split("<!-- /quick-start -->")[0]
    commands = [line for line in block.splitlines() if line.strip() and not line.startswith("```")]
    assert len(commands) == 2
    assert "examples/" in commands[0] and "pytest" in commands[1]
