"""The project: its folders, its files, and each file parsed at most once per process.

A project is the folder tree above the checked file up to the nearest project
marker (``pyproject.toml``, ``setup.cfg``, ``.git``, ...). Its own modules are
found the way pylint finds them: from the package's parent folder, the project
root, ``src/`` and the configured ``--lightning-source-roots``. Nothing outside
those folders is ever read, so an installed copy of the project or of any
library cannot change a result.

The file being checked comes from flake8's ``lines`` (on stdin, the editor's
unsaved buffer); every other file comes from disk.
"""

from __future__ import annotations

import functools
import os
import re
from typing import TYPE_CHECKING, ClassVar

from flake8_lightning.model.loading import build_module, read_source

if TYPE_CHECKING:
    from collections.abc import Iterator

    from astroid import nodes

PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "tox.ini", ".flake8", ".git")
SKIP_DIRS = frozenset(
    {
        "__pycache__",
        "node_modules",
        "site-packages",
        "dist-packages",
        "build",
        "dist",
        "venv",
        "env",
    }
)
#: A project index stops here; a monorepo this large is indexed partially.
MAX_PROJECT_FILES = 20_000


def _is_package_dir(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "__init__.py"))


def package_parent(path: str) -> str:
    """The folder above the outermost package that contains ``path``."""
    folder = os.path.dirname(path)
    while _is_package_dir(folder):
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return folder


def module_name(path: str) -> str:
    """The dotted module name of a file, from its package structure."""
    folder, base = os.path.split(path)
    stem = os.path.splitext(base)[0]
    parts = [] if stem == "__init__" else [stem]
    while _is_package_dir(folder):
        folder, pkg = os.path.split(folder)
        parts.append(pkg)
        if not pkg:
            break
    return ".".join(reversed(parts)) or stem


_SETUP_CALL = re.compile(r"\bsetup\s*\(")
_PACKAGING = re.compile(r"\b(?:setuptools|distutils|skbuild)\b")


@functools.lru_cache(maxsize=1024)
def is_packaging_script(path: str) -> bool:
    """A ``setup.py`` that calls ``setup(...)`` to package a project.

    A package module that happens to be named ``setup.py`` (``mypkg/setup.py``
    next to ``mypkg/__init__.py``, imported by the package) is not one, unless
    it imports setuptools or distutils.
    """
    text = read_source(path) or ""
    if not _SETUP_CALL.search(text):
        return False
    return bool(_PACKAGING.search(text)) or not _is_package_dir(os.path.dirname(path))


def is_project_marker(folder: str, marker: str) -> bool:
    """Does ``folder`` hold the project marker ``marker`` (a real one)?"""
    path = os.path.join(folder, marker)
    if marker == "setup.py":
        return os.path.isfile(path) and is_packaging_script(path)
    return os.path.exists(path)


def find_project_root(path: str) -> str:
    """The nearest folder above ``path`` holding a project marker."""
    folder = os.path.dirname(path)
    while True:
        if any(is_project_marker(folder, m) for m in PROJECT_MARKERS):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return package_parent(path)
        folder = parent


class Project:
    """One project's files and parsed modules, shared by every file of a process."""

    _instances: ClassVar[dict[tuple[str, tuple[str, ...]], Project]] = {}
    #: How many modules this process has parsed, across projects.
    parsed_modules: ClassVar[int] = 0

    def __init__(self, root: str, extra_roots: tuple[str, ...]) -> None:
        self.root = root
        roots = [root, os.path.join(root, "src"), *extra_roots]
        self.roots = tuple(dict.fromkeys(r for r in roots if os.path.isdir(r)))
        self._texts: dict[str, str | None] = {}
        self._modules: dict[str, nodes.Module | None] = {}
        self._found: dict[tuple[str, str], str | None] = {}
        self._files: list[str] | None = None
        #: Per-process caches that rules and the Lightning facts share.
        self.memo: dict[object, object] = {}

    def cached(self, key: object, make):  # noqa: ANN001, ANN201
        """``memo[key]``, computed once per process by ``make()``."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    @classmethod
    def for_file(cls, path: str, extra_roots: tuple[str, ...] = ()) -> Project:
        root = find_project_root(path)
        roots = tuple(os.path.abspath(r) for r in extra_roots)
        key = (root, roots)
        project = cls._instances.get(key)
        if project is None:
            project = cls._instances[key] = cls(root, roots)
        return project

    # -- files ------------------------------------------------------------

    def text(self, path: str) -> str | None:
        if path not in self._texts:
            self._texts[path] = read_source(path)
        return self._texts[path]

    def files(self) -> list[str]:
        """Every Python file of the project, in a stable order."""
        if self._files is None:
            found: list[str] = []
            for folder, dirs, files in os.walk(self.root):  # never follows symlinks
                dirs[:] = sorted(
                    d
                    for d in dirs
                    if not d.startswith(".") and d not in SKIP_DIRS and not d.endswith(".egg-info")
                )
                found.extend(os.path.join(folder, f) for f in sorted(files) if f.endswith(".py"))
                if len(found) >= MAX_PROJECT_FILES:
                    break
            self._files = found[:MAX_PROJECT_FILES]
        return self._files

    def files_matching(self, pattern: re.Pattern[str]) -> Iterator[str]:
        """Project files whose text matches ``pattern``: a cheap filter before parsing."""
        for path in self.files():
            text = self.text(path)
            if text is not None and pattern.search(text):
                yield path

    # -- modules ----------------------------------------------------------

    def module(self, path: str) -> nodes.Module | None:
        """The parsed module of a project file, or None when it cannot be parsed."""
        if path not in self._modules:
            text = self.text(path)
            self._modules[path] = None if text is None else self._build(text, path)
        return self._modules[path]

    def use_buffer(self, path: str, source: str) -> nodes.Module:
        """Install the checked file's own text (maybe an unsaved buffer) as its module.

        Raises whatever parsing raises: the caller reports the file as skipped.
        """
        if self._texts.get(path) == source and self._modules.get(path) is not None:
            return self._modules[path]  # already parsed from identical text
        module = build_module(source, module_name(path), path)
        Project.parsed_modules += 1
        self._texts[path] = source
        self._modules[path] = module
        return module

    @staticmethod
    def _build(text: str, path: str) -> nodes.Module | None:
        Project.parsed_modules += 1
        try:
            return build_module(text, module_name(path), path)
        except Exception:  # syntax errors (AstroidSyntaxError), deep nesting, odd text
            return None

    def find_module(self, modname: str, importer: str) -> str | None:
        """The file of a project module, searched from ``importer``'s package first."""
        key = (modname, package_parent(importer))
        if key not in self._found:
            self._found[key] = self._search(modname, key[1])
        return self._found[key]

    def _search(self, modname: str, first_root: str) -> str | None:
        parts = modname.split(".")
        if not all(p.isidentifier() for p in parts):
            return None
        for root in dict.fromkeys((first_root, *self.roots)):
            base = os.path.join(root, *parts)
            for candidate in (base + ".py", os.path.join(base, "__init__.py")):
                if os.path.isfile(candidate):
                    return os.path.abspath(candidate)
        return None

    def module_by_name(self, modname: str, importer: str) -> nodes.Module | None:
        path = self.find_module(modname, importer)
        return None if path is None else self.module(path)

    def is_package_module(self, modname: str, importer: str) -> bool:
        """True when ``modname`` is a project package folder (even a namespace one)."""
        parts = modname.split(".")
        return any(os.path.isdir(os.path.join(r, *parts)) for r in (package_parent(importer), *self.roots))
