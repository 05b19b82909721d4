"""Which Lightning major version a project targets.

``import lightning`` means 2.x. For ``pytorch_lightning``, a pin in the
project's ``pyproject.toml``, ``setup.cfg``, ``setup.py`` or
``requirements*.txt`` decides (``pytorch-lightning<2``, ``==1.9.5``,
``~=1.8``). With no evidence the current major version, 2, is assumed.
``--lightning-version`` overrides all of this.
"""

from __future__ import annotations

import glob
import os
import re
from typing import TYPE_CHECKING

from astroid import nodes

from flake8_lightning.model.loading import read_regular

if TYPE_CHECKING:
    from flake8_lightning.model.project import Project

CURRENT_MAJOR = 2
PIN_FILES = (
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "requirements*.txt",
    "requirements/*.txt",
    "PKG-INFO",
    "*.dist-info/METADATA",  # an unpacked wheel
)
#: ``pytorch-lightning>=1.7,<2.0``, ``pytorch_lightning (<2.0.0,>1.7.0)``, ``"pytorch-lightning==1.9.5"``
_PIN = re.compile(r"pytorch[-_]lightning\s*(?:\[[^\]]*\])?\s*\(?\s*((?:[<>=!~]=?\s*[\d.*]+\s*,?\s*)+)", re.I)
_SPEC = re.compile(r"([<>=!~]=?)\s*(\d+)(?:\.(\d+))?")


def pinned_major(project: Project) -> int | None:
    """The major version the project's pins allow for pytorch_lightning, if they say."""
    key = "pinned_major"
    if key not in project.memo:
        project.memo[key] = _read_pins(project.root)
    return project.memo[key]  # type: ignore[return-value]


def _read_pins(root: str) -> int | None:
    majors: set[int] = set()
    for pattern in PIN_FILES:
        for path in sorted(glob.glob(os.path.join(glob.escape(root), pattern))):
            for specs in _PIN.findall(project_text(path)):
                major = _major_of(specs)
                if major is not None:
                    majors.add(major)
    return majors.pop() if len(majors) == 1 else None


def _major_of(specs: str) -> int | None:
    """The one major version a specifier list allows, if it pins one."""
    for op, major, minor in _SPEC.findall(specs):
        number = int(major)
        if op in ("==", "~=", "<="):
            return number
        if op == "<":
            return number - 1 if not minor or int(minor) == 0 else number
    lower = [int(m) for op, m, _ in _SPEC.findall(specs) if op in (">=", ">")]
    return max(lower) if lower and max(lower) >= CURRENT_MAJOR else None


def project_text(path: str) -> str:
    data = read_regular(path, 200_000)  # never a FIFO or a device: they can block forever
    return "" if data is None else data.decode("utf-8", errors="replace")


def target_major(project: Project, module: nodes.Module, override: str | None) -> int:
    if override:
        return int(override.split(".")[0])
    for node in module.body:
        if isinstance(node, nodes.Import) and any(n.split(".")[0] == "lightning" for n, _ in node.names):
            return 2
        if isinstance(node, nodes.ImportFrom) and (node.modname or "").split(".")[0] == "lightning":
            return 2
    return pinned_major(project) or CURRENT_MAJOR
