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
            "about removed APIs. (Default: inferred from `import lightning` or a "
            "pytorch-lightning pin in the project's metadata; 2 when nothing says)"
        ),
    )


def from_options(options) -> Config:  # noqa: ANN001 - argparse.Namespace
    roots = getattr(options, "lightning_source_roots", None) or ()
    if isinstance(roots, str):
        roots = [r.strip() for r in roots.split(",")]
    version = getattr(options, "lightning_version", None) or None
    if version is not None and not re.fullmatch(r"\d+(\.\d+)*", str(version)):
        raise ValueError(f"--lightning-version must look like 2 or 1.9, not {version!r}")
    return Config(source_roots=_existing_folders(r for r in roots if r), lightning_version=version)


def _existing_folders(roots) -> tuple[str, ...]:  # noqa: ANN001 - an iterable of str
    """The source roots, each checked to be a folder: a typo must not silently change nothing."""
    roots = tuple(roots)
    for root in roots:
        if not os.path.isdir(root):
            raise ValueError(f"--lightning-source-roots: {root!r} is not a folder")
    return roots
