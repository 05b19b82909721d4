"""Turning source text into astroid modules, without ever importing third-party code.

Two promises live here:

* Heavy third-party packages (torch, lightning, ...) are on astroid's module
  denylist, so no inference can wander into them (parsing a 37-line
  LightningModule takes 11 s without this when torch is installed).
* Building a module does no inference at all: astroid's builder normally infers
  the receiver of every ``self.x = ...`` and resolves ``from m import *``
  through ``sys.path``. Both depend on what is installed, so the project model
  switches them off and resolves names itself (see ``names.py``). That is what
  keeps results identical with or without torch installed.
"""

from __future__ import annotations

import functools
import io
import os
import stat
import tokenize
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from astroid import nodes

#: Top-level packages that must never be parsed or inferred into.
HEAVY_PACKAGES = frozenset(
    {
        "torch",
        "torchvision",
        "torchaudio",
        "torchtext",
        "torchmetrics",
        "lightning",
        "lightning_fabric",
        "lightning_utilities",
        "pytorch_lightning",
        "numpy",
        "pandas",
        "scipy",
        "sklearn",
        "tensorflow",
        "jax",
        "transformers",
        "datasets",
        "timm",
        "hydra",
        "omegaconf",
        "wandb",
        "mlflow",
    }
)

#: Files larger than this are not read as *other* project files (the file being
#: checked is always analysed).
MAX_PROJECT_FILE_BYTES = 2_000_000


@functools.cache
def _builder():  # noqa: ANN202 - an astroid builder, built on first use
    """astroid's builder, configured once.

    astroid is imported here, not at import of this module: reading files and
    finding the project root (what the on-disk cache needs to answer a warm
    run) must not pay for importing it.
    """
    from astroid import raw_building
    from astroid.builder import AstroidBuilder
    from astroid.manager import AstroidManager

    # The denylist holds exact module names; the top-level names stop every import
    # of a submodule too, because astroid imports the package first.
    AstroidManager().module_denylist.update(HEAVY_PACKAGES)

    class _QuietBuilder(AstroidBuilder):
        """An astroid builder whose post-build steps do no inference and no imports."""

        def __init__(self, manager: AstroidManager) -> None:
            # AstroidBuilder.__init__ first "bootstraps" astroid by building the
            # builtins module from the live interpreter (0.1-0.2 s, half of a cold
            # editor run). Without inference nothing here needs it; astroid still
            # bootstraps on demand if some other code in the process infers.
            raw_building.InspectBuilder.__init__(self, manager)
            self._apply_transforms = False

        def delayed_assattr(self, node) -> None:  # noqa: ANN001, ARG002
            """Skip astroid's inference of ``self`` for every ``self.x = ...``."""

        def add_from_names_to_locals(self, node, global_name) -> None:  # noqa: ANN001
            """Bind imported names, but never import a module to expand ``*``."""
            for name, asname in node.names:
                if name == "*":
                    continue
                local = asname or name
                target = node.root() if local in global_name else node.parent
                target.set_local(local, node)
                target.scope().locals[local].sort(key=lambda n: n.fromlineno or 0)

    return _QuietBuilder(AstroidManager())


def build_module(source: str, modname: str, path: str) -> nodes.Module:
    """Parse ``source`` into an astroid module. Raises on syntax errors."""
    return _builder().string_build(source, modname, path)


def decode_source(data: bytes) -> str | None:
    """Decode Python source bytes the way the interpreter would; None if impossible."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def read_regular(path: str, limit: int) -> bytes | None:
    """Up to ``limit`` bytes of ``path`` if it is a regular file; None otherwise.

    Only regular files are ever opened: a FIFO named ``*.py`` would block the
    read forever, and a device or socket has no source to give. The type is
    checked before opening, and again on the open descriptor (opened
    non-blocking), so a file swapped for a FIFO in between cannot hang either.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except (OSError, ValueError):  # ValueError: a NUL byte in the path
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb") as handle:
            fd = -1  # the handle owns it now
            return handle.read(limit)
    except OSError:
        return None
    finally:
        if fd >= 0:
            os.close(fd)


def normalize_newlines(text: str) -> str:
    """``\\r\\n`` and ``\\r`` as ``\\n``, as Python's universal newlines (and flake8) read them."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_source(path: str) -> str | None:
    """Read a project file from disk; None when it cannot be read or decoded.

    Newlines are normalised the way flake8 hands the checked file to the
    plugin, so a CRLF file read from disk and the same file checked by flake8
    are the same text (and the same parse).
    """
    data = read_regular(path, MAX_PROJECT_FILE_BYTES + 1)
    if data is None or len(data) > MAX_PROJECT_FILE_BYTES:
        return None
    text = decode_source(data)
    return None if text is None else normalize_newlines(text)


__all__ = [
    "HEAVY_PACKAGES",
    "build_module",
    "decode_source",
    "normalize_newlines",
    "read_regular",
    "read_source",
]
