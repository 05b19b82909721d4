"""Options, all named ``--lightning-...``, parsed once into a frozen Config."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Config:
    """What the rules may be configured with."""

    #: Extra folders to resolve the project's imports from (like pylint's source-roots).
    source_roots: tuple[str, ...] = ()


def add_options(option_manager) -> None:  # noqa: ANN001 - flake8's OptionManager
    option_manager.add_option(
        "--lightning-source-roots",
        default="",
        parse_from_config=True,
        comma_separated_list=True,
        help=(
            "Comma-separated folders to resolve the project's own imports from, "
            "for layouts the default search (package parent, project root, src/) "
            "does not find. (Default: none)"
        ),
    )


def from_options(options) -> Config:  # noqa: ANN001 - argparse.Namespace
    roots = getattr(options, "lightning_source_roots", None) or ()
    if isinstance(roots, str):
        roots = [r.strip() for r in roots.split(",")]
    return Config(source_roots=tuple(r for r in roots if r))
