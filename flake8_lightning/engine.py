"""One file, one walk: build the module, run every interested rule over it."""

from __future__ import annotations

import functools
import gc
import sys
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flake8_lightning import prefilter
from flake8_lightning.model.lightning import Facts, walk
from flake8_lightning.model.project import Project, ProjectTooLarge
from flake8_lightning.registry import RULES, load_heavy_imports

if TYPE_CHECKING:
    from astroid import nodes

    from flake8_lightning.config import Config

# The rules' handlers need astroid and the model: import them now, so that a
# broken import fails here (at import, in every mode), not per file.
load_heavy_imports()


@dataclass(frozen=True, order=True)
class Finding:
    """One reported problem: 1-based line, 0-based column (flake8 adds 1)."""

    line: int
    col: int
    code: str
    message: str
    #: Edits (``fixes.Edit``) that certainly fix it; not part of equality.
    fix: tuple = field(default=(), compare=False, repr=False)

    @property
    def text(self) -> str:
        return f"{self.code} {self.message}"


@dataclass
class FileContext:
    """What a rule sees of the file being checked."""

    source: str
    module: nodes.Module
    project: Project
    facts: Facts
    config: Config
    findings: set[Finding] = field(default_factory=set)

    def add(self, finding: Finding) -> None:
        self.findings.add(finding)

    @functools.cached_property
    def source_lines(self) -> list[str]:
        """The checked text's lines, with their endings."""
        return self.source.splitlines(keepends=True)


#: astroid's tree builder recurses once per nesting level; deeply nested real
#: code (generated tables, long operator chains) needs more than Python's 1000.
RECURSION_LIMIT = 6000


def analyse(
    path: str, source: str, config: Config, codes: list[str] | None = None, *, freeze_gc: bool = False
) -> list[Finding]:
    """All findings for one file; ``source`` is the text flake8 gave (maybe unsaved).

    ``codes`` are the rules the prefilter already chose for this text, if known.
    ``freeze_gc`` is for processes that belong to the linter (flake8's, the
    command's): a library host's garbage collector is left as it was.
    """
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, RECURSION_LIMIT))
    parsed = Project.parsed_modules
    try:
        with warnings.catch_warnings():
            # Parsing the file and its project with astroid compiles them:
            # Python's SyntaxWarnings (invalid escapes, ``is`` with a literal)
            # are about the user's code, flake8 reports them (W605), and
            # must not leak to stderr from here.
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            return _analyse(path, source, config, prefilter.wanted(source) if codes is None else codes)
    finally:
        sys.setrecursionlimit(limit)
        if freeze_gc and Project.parsed_modules != parsed:
            # The project caches keep astroid trees (millions of objects) alive
            # for the rest of the process. Left to the cyclic GC, every later
            # collection in flake8's other checkers walks them again: +14% on
            # NeMo. Frozen, they are skipped; they were never garbage anyway.
            gc.freeze()


def _analyse(path: str, source: str, config: Config, codes: list[str]) -> list[Finding]:
    wanted = [RULES[code] for code in codes if code in RULES]
    if not wanted:
        return []
    project = Project.for_file(path, config.source_roots)
    project.attach_store(config)
    module = project.use_buffer(path, source)
    ctx = FileContext(source, module, project, Facts.of(project), config)
    active = [rule(ctx) for rule in wanted]
    dispatch: dict[str, list] = {}
    for rule in active:
        for node_type, handler in rule.bound_handlers().items():
            dispatch.setdefault(node_type, []).append(handler)
    for node in walk(module):
        for handler in dispatch.get(type(node).__name__, ()):
            try:
                handler(node)
            except ProjectTooLarge:  # a whole-project question has no answer: silence
                continue
    return sorted(ctx.findings)
