"""Options, all named ``--lightning-...``, parsed once into a frozen Config."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Config:
    """What the rules may be configured with."""

    #: Extra folders to resolve the project's imports from (like pylint's source-roots).
    source_roots: tuple[str, ...] = ()
    #: The Lightning version the project targets ("2", "1.9"); None infers it.
    lightning_version: str | None = None
    #: Where the on-disk cache lives; None: the project root's ``.flake8_lightning_cache``.
    cache_dir: str | None = None
    #: Run without the on-disk cache.
    no_cache: bool = False

    def __post_init__(self) -> None:
        if self.lightning_version is not None:
            lightning_major(self.lightning_version)  # raises ValueError with a clear message


#: At most this many digits per part of ``--lightning-version`` (``int()`` of a
#: 4,300-digit string raises, and no Lightning version needs more).
MAX_VERSION_DIGITS = 6
_VERSION = re.compile(r"v?(\d+)((?:\.(?:\d+|x|\*)){0,3})", re.I)


def lightning_major(version: str) -> int:
    """The major version of a ``--lightning-version`` value (``2``, ``1.9``, ``1.9.5``, ``1.x``).

    Raises ValueError with a message fit for the user on anything else.
    """
    text = str(version).strip()
    shown = text if len(text) <= 40 else text[:20] + "..." + text[-10:]
    match = _VERSION.fullmatch(text)
    if match is None:
        raise ValueError(f"--lightning-version must look like 2 or 1.9, not {shown!r}")
    parts = [match.group(1), *match.group(2).split(".")[1:]]
    if any(len(part) > MAX_VERSION_DIGITS for part in parts):
        raise ValueError(
            f"--lightning-version {shown!r} has a part longer than {MAX_VERSION_DIGITS} digits; "
            "give a version such as 2 or 1.9"
        )
    return int(match.group(1))


def add_options(option_manager) -> None:  # noqa: ANN001 - flake8's OptionManager
    option_manager.add_option(
        "--lightning-source-roots",
        default="",
        parse_from_config=True,
        comma_separated_list=True,
        normalize_paths=True,  # relative to the config file, like flake8's own paths
        help=(
            "Comma-separated folders to resolve the project's own imports from, "
            "for layouts the default search (package parent, project root, src/) "
            "does not find. (Default: none)"
        ),
    )
    option_manager.add_option(
        "--lightning-version",
        default=None,
        parse_from_config=True,
        help=(
            "The Lightning version the project targets, e.g. 2 or 1.9, for the rules "
            "about removed APIs. (Default: inferred from the project's pins, e.g. "
            "environment.yml or requirements.txt, else from 1.x-only or 2.x-only APIs "
            "in its code; 2 when nothing says; unknown, and those rules silent, when "
            "the evidence disagrees)"
        ),
    )


    option_manager.add_option(
        "--lightning-cache-dir",
        default=None,
        parse_from_config=True,
        normalize_paths=True,
        help=(
            "Folder for flake8-lightning's on-disk cache of findings and project facts. "
            "(Default: .flake8_lightning_cache in the project root, holding a .gitignore "
            "so it is never committed; the user's cache folder for a file outside any "
            "project; also FLAKE8_LIGHTNING_CACHE_DIR)"
        ),
    )
    option_manager.add_option(
        "--lightning-no-cache",
        default=False,
        action="store_true",
        parse_from_config=True,
        help="Neither read nor write flake8-lightning's on-disk cache (also FLAKE8_LIGHTNING_NO_CACHE=1).",
    )


def from_options(options) -> Config:  # noqa: ANN001 - argparse.Namespace
    roots = getattr(options, "lightning_source_roots", None) or ()
    if isinstance(roots, str):
        roots = [r.strip() for r in roots.split(",")]
    version = getattr(options, "lightning_version", None) or None
    if version is not None:
        version = str(version).strip()
        lightning_major(version)  # a clear ValueError on garbage or absurd lengths
    cache_dir = getattr(options, "lightning_cache_dir", None) or None
    return Config(
        source_roots=_existing_folders(r for r in roots if r),
        lightning_version=version,
        cache_dir=str(cache_dir) if cache_dir else None,
        no_cache=bool(getattr(options, "lightning_no_cache", False)),
    )


def _existing_folders(roots) -> tuple[str, ...]:  # noqa: ANN001 - an iterable of str
    """The source roots, each checked to be a folder: a typo must not silently change nothing."""
    roots = tuple(roots)
    for root in roots:
        if not os.path.isdir(root):
            raise ValueError(f"--lightning-source-roots: {root!r} is not a folder")
    return roots
