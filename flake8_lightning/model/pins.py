"""Where a project's Lightning pins may live: the files and the folders version inference reads.

What the pins *say* is ``version.py``'s business; this module only names the
places, so that the on-disk cache can stamp them without importing the
version parser (a warm editor run reads nothing else).
"""

from __future__ import annotations

import fnmatch
import os

from flake8_lightning.model.project import PROJECT_MARKERS, SKIP_DIRS, is_never_a_project

_ENV_DIRS = ("", "docker", "env", "envs", "environment", "conda", "configs", "config")
#: Files that may pin Lightning, relative to a project root.
PIN_FILES = (
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "Pipfile",
    "requirements/*.txt",
    "PKG-INFO",
    "*.dist-info/METADATA",  # an unpacked wheel
    *(os.path.join(d, name) for d in _ENV_DIRS for name in ("environment*.yml", "environment*.yaml")),
    *(os.path.join(d, "requirements*.txt") for d in _ENV_DIRS),
)
#: Pin files that make a folder above the project root an enclosing root.
TOP_PIN_FILES = ("environment*.yml", "environment*.yaml", "requirements*.txt", "Pipfile")
#: How far up enclosing project roots are searched.
MAX_ENCLOSING_ROOTS = 32


def climb(root: str) -> list[str]:
    """``root``, then each folder above it that ``version.enclosing_roots`` may take.

    Never above a folder holding ``.git``; never into a folder that is never a
    project (home, the temporary folder, the filesystem root); never out of a
    folder a project's file index skips (``.cache``, ``site-packages``, ...).
    """
    folder = os.path.abspath(root)
    folders = [folder]
    for _ in range(MAX_ENCLOSING_ROOTS):
        if os.path.exists(os.path.join(folder, ".git")):
            break
        parent = os.path.dirname(folder)
        if parent == folder or is_never_a_project(parent):
            break
        name = os.path.basename(folder)
        if name.startswith(".") or name in SKIP_DIRS or name.endswith(".egg-info"):
            break
        folder = parent
        folders.append(folder)
    return folders


def _names(folder: str) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except (OSError, ValueError):
        return []


def version_inputs(root: str) -> list[str]:
    """Every file whose text or presence can change what version inference decides, besides
    the project's Python files: the pin files and project markers of ``root`` and of each
    folder ``climb`` reaches (whether or not it is a root today: a pin file added there
    makes it one). The on-disk cache stamps them. One listing per folder, not a glob per
    pattern; hidden names count too (``.git``), which only makes the stamp stricter.
    """
    patterns = tuple(dict.fromkeys((*PIN_FILES, *PROJECT_MARKERS, *TOP_PIN_FILES)))
    found: list[str] = []
    for folder in climb(root):
        listed: dict[str, list[str]] = {"": _names(folder)}
        for pattern in patterns:
            head, _, tail = pattern.replace(os.sep, "/").rpartition("/")
            if not head:
                found.extend(os.path.join(folder, n) for n in listed[""] if fnmatch.fnmatchcase(n, tail))
                continue
            for sub in (n for n in listed[""] if fnmatch.fnmatchcase(n, head)):
                if sub not in listed:
                    listed[sub] = _names(os.path.join(folder, sub))
                found.extend(os.path.join(folder, sub, n) for n in listed[sub] if fnmatch.fnmatchcase(n, tail))
    return list(dict.fromkeys(found))
