"""The project: its folders, its files, and each file parsed at most once per process.

A project is the folder tree above the checked file up to the nearest project
marker (``pyproject.toml``, ``setup.cfg``, ``.git``, ...). The search for a
marker stops below a home folder, ``/tmp`` and the filesystem root, which are
never a project: a file with no marker below them is a project of its own
(with its package, when it sits in one). Its own modules are
found the way pylint finds them: from the package's parent folder, the project
root, ``src/`` and the configured ``--lightning-source-roots``. Nothing outside
those folders is ever read, so an installed copy of the project or of any
library cannot change a result.

The file being checked comes from flake8's ``lines`` (on stdin, the editor's
unsaved buffer); every other file comes from disk, and only regular files are
ever opened.

Facts derived from the files' text are memoised in ``Project.memo``. Whenever
the text of a file changes within the process (an edited buffer, a ``--fix``
pass), the memo is dropped: a fact is only ever reused for the text it was
derived from.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import stat
import tempfile
import time
from typing import TYPE_CHECKING, Any, ClassVar

from flake8_lightning.cache import RACY_NS, content_key
from flake8_lightning.model.loading import MAX_PROJECT_FILE_BYTES, build_module, normalize_newlines, read_source

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
#: A project index stops here. Past it, questions about the whole project
#: (every subclass of a class, every LightningModule, ...) have no answer:
#: ``files_matching`` raises ``ProjectTooLarge`` and the asking check stays silent.
MAX_PROJECT_FILES = 20_000




def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _well_formed(summary: object) -> bool:
    from flake8_lightning.model.summary import has_syntax, well_formed

    return well_formed(summary) and has_syntax(summary)  # type: ignore[arg-type]


def _summary_format() -> int:
    from flake8_lightning.model.summary import SUMMARY_FORMAT

    return SUMMARY_FORMAT


class ProjectTooLarge(Exception):
    """A whole-project question asked of a project too large to index (unknown, so silence)."""


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


_WORD = re.compile(r"\w+")
#: Up to this many names, ``files_naming`` tries substring searches before splitting a text into words.
FEW_NAMES = 8
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


def is_project_root(folder: str) -> bool:
    """True when ``folder`` holds a (real) project marker."""
    return any(is_project_marker(folder, m) for m in PROJECT_MARKERS)


@functools.lru_cache(maxsize=8)
def _never_projects(home: str, temporary: str) -> frozenset[str]:
    places = {os.path.expanduser("~"), home or "/", "/root", "/home", "/Users", "/tmp", "/var/tmp", temporary}
    found = set()
    for place in places:
        found.add(os.path.normcase(os.path.abspath(place)))
        found.add(os.path.normcase(os.path.realpath(place)))
    return frozenset(found)


def is_never_a_project(folder: str) -> bool:
    """True for folders that are never one project: home folders, ``/tmp``, the filesystem root.

    A marker there (a dotfiles ``.git`` in ``~``, a stray ``pyproject.toml`` in
    ``/tmp``) does not make everything below it one project to index.
    """
    folder = os.path.abspath(folder)
    parent = os.path.dirname(folder)
    if parent == folder:  # the filesystem root (or a drive)
        return True
    grandparent, parent_name = os.path.split(parent)
    if parent_name in ("home", "Users") and os.path.dirname(grandparent) == grandparent:
        return True  # /home/<user>, /Users/<user>
    never = _never_projects(os.environ.get("HOME", ""), tempfile.gettempdir())
    return os.path.normcase(folder) in never or os.path.normcase(os.path.realpath(folder)) in never


def find_project_root(path: str) -> str | None:
    """The nearest folder above ``path`` holding a project marker, if any.

    None when no folder has one before a folder that is never a project (see
    ``is_never_a_project``): the file is then a project of its own.
    """
    return _root_from(os.path.dirname(os.path.abspath(path)), os.environ.get("HOME", ""), tempfile.gettempdir())


@functools.lru_cache(maxsize=4096)
def _root_from(folder: str, home: str, temporary: str) -> str | None:
    """``find_project_root`` for every file of ``folder``: asked once per folder and process
    (a batch run checks many files per folder). ``home`` and ``temporary`` key the answer
    by the folders that are never a project."""
    del home, temporary
    while not is_never_a_project(folder):
        if is_project_root(folder):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return None


def outermost_package(path: str) -> str | None:
    """The outermost package folder holding ``path``, below any never-a-project folder."""
    found = None
    folder = os.path.dirname(os.path.abspath(path))
    while _is_package_dir(folder) and not is_never_a_project(folder):
        found = folder
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return found


def python_files(root: str, limit: int) -> Iterator[tuple[str, tuple[int, int] | None]]:
    """The ``.py`` files under ``root`` (at most ``limit``) with their size and modification
    time, in a stable order: a folder's files, then its subfolders, sorted; hidden folders,
    ``SKIP_DIRS`` and ``*.egg-info`` skipped; symlinked folders never followed. One
    ``scandir`` per folder: the stat of each file comes with the listing's entry.
    """
    stack = [root]
    count = 0
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except (OSError, ValueError):
            continue
        subfolders = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()  # a link to a folder is a folder, as for os.walk
                followed = is_dir and not entry.is_symlink()
            except OSError:
                continue
            if is_dir:
                if followed and not name.startswith(".") and name not in SKIP_DIRS and not name.endswith(".egg-info"):
                    subfolders.append(entry.path)
            elif name.endswith(".py"):
                try:
                    info = entry.stat()
                    stats: tuple[int, int] | None = (info.st_size, info.st_mtime_ns)
                except OSError:
                    stats = None
                yield entry.path, stats
                count += 1
                if count >= limit:
                    return
        stack.extend(reversed(subfolders))


class Project:
    """One project's files and parsed modules, shared by every file of a process."""

    _instances: ClassVar[dict[tuple[str, str, tuple[str, ...]], Project]] = {}
    #: How many modules this process has parsed, across projects.
    parsed_modules: ClassVar[int] = 0

    def __init__(self, root: str, extra_roots: tuple[str, ...], only_file: str | None = None) -> None:
        self.root = root
        #: A project of one file (no marker, no package): nothing else is scanned.
        self.only_file = only_file
        roots = [root, os.path.join(root, "src"), *extra_roots]
        self.roots = tuple(dict.fromkeys(r for r in roots if os.path.isdir(r)))
        self._texts: dict[str, str | None] = {}
        self._modules: dict[str, nodes.Module | None] = {}
        self._found: dict[tuple[str, str], str | None] = {}
        self._files: list[str] | None = None
        #: (size, modification time) of each file ``files()`` found on disk, read by the same walk.
        self.disk_stats: dict[str, tuple[int, int] | None] = {}
        #: Checked files that are not on disk (an editor's new, unsaved file).
        self._unsaved: set[str] = set()
        #: Files whose text came from flake8 (an editor's buffer), not from disk: their
        #: summaries are never read from or written to the on-disk cache.
        self._buffers: set[str] = set()
        #: The on-disk cache of summaries (``cache.Store``: ``get``/``put``), or None.
        self.store: Any = None
        #: False when the project has more files than ``MAX_PROJECT_FILES``.
        self.complete = True
        #: Bumped whenever a file's text changes; ``memo`` only holds facts of the current one.
        self.generation = 0
        #: Per-process caches that rules and the Lightning facts share. Every
        #: fact derived from file text lives here (or in an object that does),
        #: so that a change of text can drop them all.
        self.memo: dict[object, object] = {}

    def cached(self, key: object, make):  # noqa: ANN001, ANN201
        """``memo[key]``, computed once per text of the project by ``make()``."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    @classmethod
    def for_file(cls, path: str, extra_roots: tuple[str, ...] = ()) -> Project:
        """The project of ``path``: its marker's folder, else its package, else the file alone."""
        path = os.path.abspath(path)
        roots = tuple(os.path.abspath(r) for r in extra_roots)
        only_file = None
        root = find_project_root(path)
        if root is None:
            root = outermost_package(path)
        if root is None:
            root, only_file = os.path.dirname(path), path
        key = (root, only_file or "", roots)
        project = cls._instances.get(key)
        if project is None:
            project = cls._instances[key] = cls(root, roots, only_file)
        return project

    def attach_store(self, config: object) -> None:
        """Keep this project's summaries in the on-disk cache ``config`` asks for (``cache.py``)."""
        from flake8_lightning import cache

        store = cache.store_for(None if self.only_file else self.root, config)
        self.store = store if store.enabled else None

    def _changed(self) -> None:
        """A file's text changed: drop every fact derived from the old text."""
        self.generation += 1
        self.memo.clear()

    # -- files ------------------------------------------------------------

    def text(self, path: str) -> str | None:
        if path not in self._texts:
            self._texts[path] = read_source(path)
        return self._texts[path]

    def files(self) -> list[str]:
        """Every Python file of the project, in a stable order (at most ``MAX_PROJECT_FILES``)."""
        if self._files is None:
            found: list[str] = []
            if self.only_file is None:
                for path, stats in python_files(self.root, MAX_PROJECT_FILES + 1):
                    found.append(path)
                    self.disk_stats[path] = stats
            else:
                found.append(self.only_file)
            self.complete = len(found) <= MAX_PROJECT_FILES
            self._files = found[:MAX_PROJECT_FILES]
            self._add_unsaved()
        return self._files

    def _add_unsaved(self) -> None:
        """Checked files not on disk (an editor's new, unsaved file) belong to the project too."""
        if self._files is None:
            return
        known = set(self._files)
        extra = sorted(b for b in self._unsaved if b not in known and self._contains(b))
        if extra:
            self._files = self._files + extra  # after the disk files, in a stable order

    def _contains(self, path: str) -> bool:
        if self.only_file is not None:
            return path == self.only_file
        try:
            return os.path.commonpath([self.root, path]) == self.root
        except ValueError:  # another drive, or a relative path
            return False

    def files_matching(self, pattern: re.Pattern[str], contains: str = "") -> Iterator[str]:
        """Project files whose text matches ``pattern``: a cheap filter before parsing.

        ``contains`` is a substring every match holds: a file without it is
        passed over by a substring search, much faster than most patterns.

        In a project past ``MAX_PROJECT_FILES`` the indexed files are yielded,
        then ``ProjectTooLarge`` is raised: "is there one" may still be
        answered, "which are all of them" may not.
        """
        for path in self.files():
            text = self.text(path)
            if text is not None and contains in text and pattern.search(text):
                yield path
        if not self.complete:
            raise ProjectTooLarge(self.root)

    def files_naming(self, names: set[str] | frozenset[str]) -> Iterator[str]:
        """Project files whose text has one of ``names`` as a whole word (``\\bname\\b``).

        Answered from each file's words (``words``, from its summary, computed
        once per text or read from the on-disk cache, and dropped with the
        other facts when a text changes): asking again with more names costs a
        set intersection per file, not a new scan of every text. For a few
        names, a file whose words are not at hand yet is first ruled out by a
        substring search of its text, which is faster than summarising it.
        ``ProjectTooLarge`` as in ``files_matching``.
        """
        few = len(names) <= FEW_NAMES
        for path in self.files():
            if few and not self._words_at_hand(path):
                text = self.text(path)
                if not text or not any(name in text for name in names):
                    continue  # a substring search rules most files out without splitting them into words
            if not self.words(path).isdisjoint(names):
                yield path
        if not self.complete:
            raise ProjectTooLarge(self.root)

    def files_with_word(self, word: str, pattern: re.Pattern[str] | None = None) -> Iterator[str]:
        """``files_matching(pattern)`` for a pattern that cannot match without ``word`` as a
        whole word (``\\bword\\b``, ``(?<!def )\\bword\\s*\\(``, ``'word'``): only files that
        name ``word`` (``files_naming``) are searched. ``ProjectTooLarge`` as there."""
        if _WORD.fullmatch(word) is None:
            yield from self.files_matching(pattern or re.compile(re.escape(word)), contains=word)
            return
        for path in self.files_naming({word}):
            if pattern is None or pattern.search(self.text(path) or ""):
                yield path

    def _words_at_hand(self, path: str) -> bool:
        """Are the words of ``path`` known already (memoised)?"""
        return ("words", path) in self.memo or ("summary", path) in self.memo

    def summary_at_hand(self, path: str) -> dict[str, Any] | None:
        """The summary of ``path`` if this process has it already.

        Whole-project scans ask this, not the on-disk cache: reading a file's
        text and searching it costs less than reading its cached summary
        (about 35 against 100 microseconds per small module), which pays
        where it saves a parse.
        """
        return self.memo.get(("summary", path))  # type: ignore[return-value]

    def files_logging(self, contains: str = ".log") -> Iterator[str]:
        """``files_matching`` of ``.log(``/``.log_dict(`` with ``contains``, told from the
        summaries at hand where they can (a file's words hold every run of word
        characters of its text, so a word-character ``contains`` is in the text
        only if it is in one of them); other files by a text search."""
        from flake8_lightning.model.summary import LOG_CALL

        plain = _WORD.fullmatch(contains) is not None
        for path in self.files():
            summary = self.summary_at_hand(path)
            if summary is not None:
                if not summary["log_call"]:
                    continue
                if contains == ".log":
                    yield path  # the summary's ``log_call`` is this very question
                    continue
                if plain and not any(contains in word for word in summary["words"]):
                    continue
            text = self.text(path)
            if text is not None and contains in text and LOG_CALL.search(text):
                yield path
        if not self.complete:
            raise ProjectTooLarge(self.root)

    def words(self, path: str) -> frozenset[str]:
        """The words (``\\w+`` runs) of a project file's text; empty when it cannot be read."""
        key = ("words", path)
        found = self.memo.get(key)
        if found is None:
            summary = self.summary(path)
            found = self.memo[key] = frozenset(summary["words"]) if summary else frozenset()
        return found  # type: ignore[return-value]

    # -- summaries ----------------------------------------------------------

    def summary(self, path: str, syntax: bool = False) -> dict[str, Any] | None:
        """The summary of a project file (``summary.py``); None when it cannot be read.

        Memoised per text (dropped with the other facts when a text changes)
        and kept in the on-disk cache, if any, for files read from disk (never
        for an editor's buffer). With ``syntax``, its syntax tier is filled
        (one ``ast.parse``) if it was not yet.
        """
        from flake8_lightning.model import summary as summaries

        key = ("summary", path)
        found = self.memo.get(key)
        if found is None:
            found = self._cached_summary(path)
            if found is None:
                text = self.text(path)
                if text is None:
                    return None
                found = summaries.summarize_text(text, path, module_name(path))
                if syntax:
                    summaries.add_syntax(found, text, path)
                self._keep_summary(path, found)
            self.memo[key] = found
        if syntax and not summaries.has_syntax(found):  # type: ignore[arg-type]
            text = self.text(path)
            summaries.add_syntax(found, text or "", path)  # type: ignore[arg-type]
            self._keep_summary(path, found)  # type: ignore[arg-type]
        return found  # type: ignore[return-value]

    def version_evidence(self, path: str) -> list[tuple[int, str]]:
        """What a project file's code says of the Lightning version (``version.file_evidence``)."""
        summary = self.summary_at_hand(path)
        if summary is None:
            text = self.text(path)
            if not text or "lightning" not in text:
                return []  # what file_evidence says, without summarising the file
            summary = self.summary(path)
        return [(major, what) for major, what in summary["version_evidence"]] if summary else []

    def may_define(self, path: str, lightning_name: str | None) -> bool:
        """May ``path`` define a class whose hierarchy holds a project class (``lightning_name``
        None) or Lightning's ``lightning_name`` class? False only when its summary says
        certainly not: then it needs no astroid tree to answer "which classes are such"."""
        from flake8_lightning.model.loading import HEAVY_PACKAGES
        from flake8_lightning.model.summary import candidate_classes

        return candidate_classes(self.summary(path, syntax=True), lightning_name, HEAVY_PACKAGES)

    def _store_key(self, path: str) -> str | None:
        if self.store is None or path in self._buffers:
            return None
        return content_key("summary", path)

    def _cached_summary(self, path: str) -> dict[str, Any] | None:
        """The on-disk cache's summary of ``path``, if it is that of the file's current text.

        Equal size and modification time (and a modification older than the
        entry, by a margin: a file changed twice within the clock's tick is not
        trusted) mean the file need not be read; otherwise its text is read and
        its hash compared. A text this process already holds is always compared.
        """
        key = self._store_key(path)
        if key is None:
            return None
        memo_key = ("stored summary", path)
        if memo_key in self.memo:
            return self.memo[memo_key]  # type: ignore[return-value]
        found = None
        entry = self.store.get("summary", key)
        if isinstance(entry, dict) and entry.get("format") == _summary_format() and _well_formed(entry.get("summary")):
            found = self._check_entry(path, entry)
        self.memo[memo_key] = found
        return found

    def _check_entry(self, path: str, entry: dict[str, Any]) -> dict[str, Any] | None:
        try:
            info = os.stat(path)
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PROJECT_FILE_BYTES:
            return None
        summary = entry["summary"]
        if summary.get("module") != module_name(path):
            return None  # a package folder gained or lost its ``__init__.py``
        if (
            path not in self._texts
            and entry.get("size") == info.st_size
            and entry.get("mtime_ns") == info.st_mtime_ns
            and isinstance(entry.get("stored_ns"), int)
            and info.st_mtime_ns < entry["stored_ns"] - RACY_NS
        ):
            return summary  # type: ignore[no-any-return]
        text = self.text(path)
        if text is None or entry.get("sha256") != _sha256(text):
            return None
        if info.st_mtime_ns < time.time_ns() - RACY_NS and (
            entry.get("size") != info.st_size or entry.get("mtime_ns") != info.st_mtime_ns
            or not isinstance(entry.get("stored_ns"), int) or info.st_mtime_ns >= entry["stored_ns"] - RACY_NS
        ):
            self._keep_summary(path, summary)  # touched, not changed: the next run need not read it
        return summary  # type: ignore[no-any-return]

    def _keep_summary(self, path: str, summary: dict[str, Any]) -> None:
        """Write a summary of a file read from disk to the on-disk cache.

        Only with its syntax tier: the text tier alone costs about what
        writing it would (a cold batch run would pay twice for nothing).
        """
        from flake8_lightning.model.summary import has_syntax

        key = self._store_key(path)
        text = self._texts.get(path)
        if key is None or text is None or not has_syntax(summary):
            return
        try:
            info = os.stat(path)
        except (OSError, ValueError):
            return
        entry = {
            "format": _summary_format(),
            "size": info.st_size,
            "mtime_ns": info.st_mtime_ns,
            "stored_ns": time.time_ns(),
            "sha256": _sha256(text),
            "summary": summary,
        }
        self.store.put("summary", key, entry)
        self.memo[("stored summary", path)] = summary

    # -- modules ----------------------------------------------------------

    def module(self, path: str) -> nodes.Module | None:
        """The parsed module of a project file, or None when it cannot be parsed."""
        if path not in self._modules:
            text = self.text(path)
            self._modules[path] = None if text is None else self._build(text, path)
        return self._modules[path]

    def use_buffer(self, path: str, source: str) -> nodes.Module:
        """Install the checked file's own text (maybe an unsaved buffer) as its module.

        When the text differs from what the project held for ``path`` (read
        from disk earlier, or an earlier buffer), every memoised fact is
        dropped. Line endings do not count: flake8 hands over LF text for a
        CRLF file, and project files are read the same way.

        Raises whatever parsing raises: the caller reports the file as skipped.
        """
        text = normalize_newlines(source)
        if self._texts.get(path) == text and self._modules.get(path) is not None:
            return self._modules[path]  # already parsed from identical text
        module = build_module(text, module_name(path), path)
        Project.parsed_modules += 1
        if path in self._texts and self._texts[path] != text:
            self._changed()  # facts may hold the old text, or its parse
        if (self._texts[path] if path in self._texts else read_source(path)) != text:
            self._buffers.add(path)  # not what the file holds: never cached as its summary
        self._texts[path] = text
        self._modules[path] = module
        if path not in self._unsaved and not os.path.isfile(path):
            # A new file, not saved yet: the project gains a file that imports
            # and whole-project questions did not know.
            self._unsaved.add(path)
            self._add_unsaved()
            self._found.clear()
            self._changed()
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
            # A package wins over a module of the same name, as in Python's import system.
            for candidate in (os.path.join(base, "__init__.py"), base + ".py"):
                if os.path.isfile(candidate) or candidate in self._unsaved:
                    return os.path.abspath(candidate)
        return None

    def is_package_module(self, modname: str, importer: str) -> bool:
        """True when ``modname`` is a project package folder (even a namespace one)."""
        parts = modname.split(".")
        return any(os.path.isdir(os.path.join(r, *parts)) for r in (package_parent(importer), *self.roots))
