"""Generate ``docs/rules/*.md`` from the rules' own docstrings.

Run ``python -m flake8_lightning.docs`` after changing a rule's documentation;
``tests/test_registry.py`` fails while the generated files are stale.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from flake8_lightning.engine import RULES


def render(code: str) -> str:
    rule = RULES[code]
    doc = inspect.cleandoc(rule.__doc__ or "")
    title, _, body = doc.partition("\n")
    example = rule.message.format_map(_Example(code=code))
    return (
        f"# {code} `{rule.name}`\n\n{title}\n{body.rstrip()}\n\n"
        f"{version_section(rule)}"
        f"## Message\n```\n{code} {example}\n```\n\n"
        f"Silence one line with `# noqa: {code}`.\n"
    )


VERSION_DEPENDENT = (
    "## Lightning version\n"
    "This rule's verdict depends on the Lightning version the project targets. "
    "`--lightning-version` decides; else a `pytorch-lightning`/`lightning` pin in the "
    "project's files (conda `environment.yml`, `requirements*.txt`, `setup.py`, "
    "`pyproject.toml`, `setup.cfg`, `Pipfile`), or a torch pin below 1.11 (which rules "
    "2.x out); else imports and APIs in the code that "
    "exist only in 1.x or only in 2.x; else 2.x. When pins disagree, or the code "
    "shows both 1.x-only and 2.x-only APIs with no pin, the version is unknown and "
    "this rule stays silent.\n\n"
)


def version_section(rule: type) -> str:
    """The docs' paragraph saying the rule depends on the Lightning version, if it does."""
    return VERSION_DEPENDENT if getattr(rule, "depends_on_version", False) else ""


class _Example(dict):
    def __missing__(self, key: str) -> str:
        return {"expr": "loss" if self.get("code") == "LTN101" else "self.optimizer", "receiver": "loss"}.get(
            key, f"<{key}>"
        )


INDEX_START, INDEX_END = "<!-- rules -->", "<!-- /rules -->"


def index() -> str:
    """The README's table of rules, one row per rule, from the rules themselves."""
    rows = ["| code | what it flags | what goes wrong (Lightning 2.x) | autofix |", "|---|---|---|---|"]
    for code in sorted(RULES):
        rule = RULES[code]
        summary = inspect.cleandoc(rule.__doc__ or "").splitlines()[0].replace("``", "`")
        fix = "yes" if "## Autofix" in (rule.__doc__ or "") else ""
        rows.append(f"| [{code}](docs/rules/{code}.md) | {summary} | {rule.impact} | {fix} |")
    return "\n".join(rows)


def readme_with_index(readme: str) -> str:
    start, end = readme.index(INDEX_START) + len(INDEX_START), readme.index(INDEX_END)
    return readme[:start] + "\n" + index() + "\n" + readme[end:]


def generated(root: Path) -> dict[Path, str]:
    files = {root / "docs" / "rules" / f"{code}.md": render(code) for code in sorted(RULES)}
    readme = root / "README.md"
    files[readme] = readme_with_index(readme.read_text())
    return files


def main(argv: list[str] | None = None) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent
    for path, text in generated(root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
