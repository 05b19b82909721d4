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
        f"## Message\n```\n{code} {example}\n```\n\n"
        f"Silence one line with `# noqa: {code}`.\n"
    )


class _Example(dict):
    def __missing__(self, key: str) -> str:
        return {"expr": "loss" if self.get("code") == "LTN101" else "self.optimizer", "receiver": "loss"}.get(
            key, f"<{key}>"
        )


def generated(root: Path) -> dict[Path, str]:
    return {root / "docs" / "rules" / f"{code}.md": render(code) for code in sorted(RULES)}


def main(argv: list[str] | None = None) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent
    for path, text in generated(root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
