"""The on-disk cache: facts and results kept between runs, keyed by content.

Editors start a fresh flake8 for every change, and CI lints the same
unchanged files run after run. Like ``.mypy_cache`` and ``.ruff_cache``, a
``.flake8_lightning_cache`` folder in the project root keeps what an earlier
run derived, so that a later run does not derive it again:

* where: ``<project root>/.flake8_lightning_cache``, holding a ``.gitignore``
  with ``*`` (it is never committed) and a ``CACHEDIR.TAG`` (backup tools
  skip it). A file that belongs to no project (no marker, no package) uses the
  user's cache folder (``$XDG_CACHE_HOME/flake8-lightning``, else
  ``~/.cache/flake8-lightning``) instead of littering the folder it sits in.
  ``--lightning-cache-dir`` (or ``FLAKE8_LIGHTNING_CACHE_DIR``) puts every
  project's entries in one folder of your choice.
* off: ``--lightning-no-cache`` (or ``FLAKE8_LIGHTNING_NO_CACHE=1``).
* keys: every entry is found by a key that hashes everything its value was
  derived from (the text, the options, the plugin's version and code, Python's version),
  so an entry is either right or not found. Values are JSON: a cache folder
  that someone else wrote can never run code.
* safety: writes go to a temporary file renamed over the entry (atomic), so
  flake8's workers and an editor can write at once; a corrupt or truncated
  entry reads as a miss and is rewritten; a folder that cannot be created or
  written turns the cache off for the run, silently (never a warning per file).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from typing import TYPE_CHECKING, Any

from flake8_lightning import __version__

if TYPE_CHECKING:
    from flake8_lightning.config import Config

CACHE_DIRNAME = ".flake8_lightning_cache"
CACHE_DIR_ENV = "FLAKE8_LIGHTNING_CACHE_DIR"
NO_CACHE_ENV = "FLAKE8_LIGHTNING_NO_CACHE"
#: Bumped when the layout of the folder changes: older folders are then ignored.
LAYOUT = "1"
_GITIGNORE = "# Created by flake8-lightning: never commit this folder.\n*\n"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by flake8-lightning.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
#: A file modified less than this long ago (ns) cannot be told unchanged by its size and
#: modification time: a filesystem's clock ticks coarsely, and a same-size edit within one
#: tick keeps both (git's "racily clean" files). Such files are checked by their content.
RACY_NS = 3_000_000_000
#: An entry larger than this is not read back (a cache folder is not trusted to be small).
MAX_ENTRY_BYTES = 16_000_000


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The plugin's own code as it is on disk: each module's name, size and modification time.

    The version number alone would let an editable install (a developer
    changing a rule) or two branches of the same version serve each other's
    findings.
    """
    base = os.path.dirname(os.path.abspath(__file__))
    parts = []
    for folder, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                parts.append(f"{os.path.relpath(path, base)}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def content_key(*parts: object) -> str:
    """A hex digest of ``parts``, the plugin's version and code, and Python's version.

    Strings are hashed as UTF-8 with their lengths, so that ``("ab", "c")``
    and ``("a", "bc")`` give different keys.
    """
    digest = hashlib.sha256()
    for part in (LAYOUT, __version__, code_fingerprint(), sys.version, *parts):
        data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def user_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "flake8-lightning")


class Store:
    """Entries of one cache folder: ``get``/``put`` JSON values by kind and key.

    A disabled store (``folder`` None) finds nothing and keeps nothing.
    """

    def __init__(self, folder: str | None) -> None:
        self.folder = folder
        self._ready = False

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _path(self, kind: str, key: str) -> str:
        assert self.folder is not None
        return os.path.join(self.folder, f"v{LAYOUT}", kind, key[:2], key[2:] + ".json")

    def get(self, kind: str, key: str) -> Any:  # noqa: ANN401 - a JSON value
        """The value stored for ``key``, or None (a miss, an unreadable or corrupt entry)."""
        if self.folder is None:
            return None
        try:
            with open(self._path(kind, key), "rb") as handle:
                data = handle.read(MAX_ENTRY_BYTES + 1)
        except (OSError, ValueError):
            return None
        if len(data) > MAX_ENTRY_BYTES:
            return None
        try:
            entry = json.loads(data)
        except (ValueError, RecursionError):  # truncated, corrupt, or not UTF-8
            return None
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None  # a file copied over another, or written by something else
        return entry.get("value")

    def put(self, kind: str, key: str, value: Any) -> None:  # noqa: ANN401 - a JSON value
        """Keep ``value`` for ``key``: atomically, and never raising.

        The first failure to write (read-only folder, full disk, a file where
        the folder should be) turns the store off for the rest of the process.
        """
        if self.folder is None:
            return
        path = self._path(kind, key)
        try:
            self._prepare()
            data = json.dumps({"key": key, "value": value}, separators=(",", ":")).encode()
            os.makedirs(os.path.dirname(path), exist_ok=True)
            _write_atomically(path, data)
        except (OSError, ValueError, TypeError, RecursionError):
            self.folder = None  # silently run without a cache

    def _prepare(self) -> None:
        """Create the folder with its ``.gitignore`` and ``CACHEDIR.TAG`` (once)."""
        if self._ready:
            return
        assert self.folder is not None
        os.makedirs(self.folder, exist_ok=True)
        for name, text in ((".gitignore", _GITIGNORE), ("CACHEDIR.TAG", _CACHEDIR_TAG)):
            path = os.path.join(self.folder, name)
            if not os.path.exists(path):
                _write_atomically(path, text.encode("utf-8"))
        self._ready = True


def _write_atomically(path: str, data: bytes) -> None:
    """``path`` holds ``data`` whole or is left as it was: a temporary file beside it, renamed over it."""
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def cache_disabled(config: Config) -> bool:
    return config.no_cache or os.environ.get(NO_CACHE_ENV, "") not in ("", "0")


def cache_folder(root: str | None, config: Config) -> str | None:
    """Where the entries of the project at ``root`` live (None: no cache).

    ``root`` None means a file of no project: the user's cache folder.
    """
    if cache_disabled(config):
        return None
    chosen = config.cache_dir or os.environ.get(CACHE_DIR_ENV) or None
    if chosen:
        return os.path.abspath(chosen)
    if root is None:
        return user_cache_dir()
    return os.path.join(root, CACHE_DIRNAME)


@functools.lru_cache(maxsize=64)
def _store(folder: str | None) -> Store:
    return Store(folder)


def store_for(root: str | None, config: Config) -> Store:
    """The store of the project at ``root`` (one per folder and process)."""
    return _store(cache_folder(root, config))


def clear_stores() -> None:
    """Forget the stores of this process (tests change the environment between runs)."""
    _store.cache_clear()
