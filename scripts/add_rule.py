"""Scaffold a new rule: its module and its bad/ok fixtures.

    python scripts/add_rule.py LTN107 self-log-in-configure-optimizers

Creates ``flake8_lightning/rules/ltn107_self_log_in_configure_optimizers.py``
(found and registered by its name: no list to edit) and
``tests/fixtures/LTN107/bad_<name>.py`` / ``ok_<name>.py``. The placeholders
make tests fail, each naming what is still missing; README's "Adding a rule"
lists the steps.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MODULE = '''"""{code}: TODO one line: what it flags."""

from __future__ import annotations

from flake8_lightning.registry import Rule, any_of, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes
    from astroid import nodes


@register
class {cls}(Rule):
    """TODO: what it flags, in one line (the README's rule index shows it).

    ## What it does
    TODO: exactly what is flagged, and what is not.

    ## Why is this bad?
    TODO: what goes wrong at run time, with the Lightning source that says so.

    ## Example
    ```python
    # TODO: a whole file (imports included) that reports exactly {code}
    ```

    ## Use instead
    ```python
    # TODO: the same file, fixed: reports nothing
    ```

    ## Known limits
    TODO: when the rule stays silent although the code is wrong.
    """

    #: The text a file needs before {code} is worth running. It must never
    #: hide a finding (tests/test_rules.py runs every rule with it bypassed).
    needs = any_of("TODO")
    code = "{code}"
    name = "{name}"
    impact = "TODO: what goes wrong at run time, in one line."
    message = "TODO: what is wrong, so what goes wrong; use what instead"

    def visit_Call(self, node: nodes.Call) -> None:
        """TODO: report with self.report(node, **fields) when the code is certainly wrong."""
'''

BAD = '''# TODO: code that {code} must report. End each reported line with a comment
# "expect:" + the code, the column flake8 prints and the whole message, e.g.
#     x = wrong()  #  expect: {code}:5 "the whole message"   (one space after #)
'''

OK = '''# TODO: idioms close to the mistake that {code} must leave alone.
'''


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not re.fullmatch(r"LTN\d{3}", argv[0]) or not re.fullmatch(r"[a-z][a-z0-9-]*", argv[1]):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    code, name = argv
    slug = name.replace("-", "_")
    module = ROOT / "flake8_lightning" / "rules" / f"{code.lower()}_{slug}.py"
    fixtures = ROOT / "tests" / "fixtures" / code
    existing = sorted(ROOT.glob(f"flake8_lightning/rules/{code.lower()}_*.py"))
    if existing or fixtures.exists():
        print(f"{code} exists already: {existing[0] if existing else fixtures}", file=sys.stderr)
        return 1
    cls = "".join(part.capitalize() for part in name.split("-"))
    fixtures.mkdir(parents=True)
    created = {
        module: MODULE.format(code=code, name=name, cls=cls),
        fixtures / f"bad_{slug}.py": BAD.format(code=code),
        fixtures / f"ok_{slug}.py": OK.format(code=code),
    }
    for path, text in created.items():
        path.write_text(text)
        print(f"created {path.relative_to(ROOT)}")
    print("next: fill in the TODOs, then python -m flake8_lightning.docs and python -m pytest -q")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
