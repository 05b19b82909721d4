"""Which Lightning major version a project targets, and why we think so.

In order, the first that says wins:

1. ``--lightning-version``.
2. Pins in the project's files: conda ``environment.yml`` (also under
   ``docker/``, ``env/``, ``envs/``, ``configs/``), ``requirements*.txt``,
   ``requirements/*.txt``, ``setup.py``, ``pyproject.toml`` (PEP 621 and
   Poetry), ``setup.cfg``, ``Pipfile``, and an unpacked wheel's metadata.
   They are read in the file's project root, then in each enclosing project
   root up to the repository (never above its ``.git`` folder, the home folder,
   the filesystem root, or out of a ``.cache``/``site-packages``/... folder); the nearest root with a pin that names one major
   version decides. Bare names and ranges over several majors
   (``pytorch-lightning>=1.5``) say nothing. A VCS or archive URL of a
   Lightning repository (or fork) at a version tag pins that version
   (``pytorch-lightning @ git+https://github.com/u/pytorch-lightning.git@v0.8.5_fixes``).
   A pin that allows only 0.x says "pre-1.0" (major 0); a range over 0.x and
   1.x (``<2.0``) says 1. When no Lightning pin decides, a
   torch pin below 1.11 (``pytorch=1.10`` in a conda file) means 1.x:
   Lightning 2.0 requires ``torch>=1.11``.
3. Evidence in the project's code (``lightning_versions.CODE_FACTS``): imports
   and APIs that exist only before 2.0, or only from 2.0, found by a text scan.
4. Nothing says: 2, what a fresh ``pip install`` gives today.

Pins that disagree, or code with both kinds of evidence (and no pin), make the
version UNKNOWN: every version-dependent rule stays silent.
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flake8_lightning.config import lightning_major
from flake8_lightning.lightning_versions import ADDED_TRAINER_ARGS, CODE_FACTS, REMOVED_TRAINER_ARGS
from flake8_lightning.model.loading import read_regular
from flake8_lightning.model.pins import PIN_FILES, TOP_PIN_FILES, climb
from flake8_lightning.model.project import PROJECT_MARKERS, is_project_marker

if TYPE_CHECKING:
    from astroid import nodes

    from flake8_lightning.model.project import Project

CURRENT_MAJOR = 2
#: ``TargetVersion.major`` when the evidence conflicts: version-dependent rules stay silent.
UNKNOWN = None

_CONDA_SUFFIXES = (".yml", ".yaml")
_METADATA_NAMES = ("PKG-INFO", "METADATA")
#: Bytes read of one pin file.
MAX_PIN_FILE_CHARS = 200_000
#: A specifier is read from at most this many characters after the name.
MAX_SPEC_CHARS = 200
#: A version part longer than this is not a version (and ``int()`` of it may raise).
MAX_DIGITS = 6
#: Majors above this are not Lightning versions: such a pin says nothing.
MAX_MAJOR = 20

#: ``pytorch-lightning``, ``pytorch_lightning`` or ``lightning`` as a whole package name:
#: not ``lightning-bolts``, ``lightning_utilities``, ``Lightning-AI/lightning@...``, ``lightning.pytorch``.
_NAME = re.compile(r"(?<![\w.\-/@])(pytorch[-_]lightning|lightning)(?![\w.\-/])", re.I)
_CLAUSE = re.compile(
    r"(===|==|!=|<=|>=|~=|<|>|=|\^|~)?[ \t]*v?(\d+)((?:\.(?:\d+|\*|x))*)"
    r"(?:[.\-+_]?(?:a|b|c|rc|alpha|beta|pre|preview|dev|post)\.?\d*)*",
    re.I,
)
#: ``torch`` or ``pytorch`` (conda's name) as a whole package name: not torchvision, pytorch-lightning.
_TORCH = re.compile(r"(?<![\w.\-/@])(torch|pytorch)(?![\w.\-/])", re.I)
#: The first torch Lightning 2.0 accepts.
TORCH_FOR_2 = (1, 11)
_SPEC_END = re.compile(r"""[;)"'\]}#@]""")


@dataclass(frozen=True)
class Pin:
    """One line of a project file that pins Lightning."""

    path: str
    line: int
    text: str
    #: The majors the pin allows (of those that exist); one means it decides.
    majors: frozenset[int]
    #: "lightning", or "torch" for a torch pin too old for Lightning 2.
    package: str = "lightning"

    def where(self) -> str:
        return f"{self.path}:{self.line} ({self.text.strip()[:80]})"


@dataclass(frozen=True)
class TargetVersion:
    """The Lightning major version a project targets, or None when unknown, and why."""

    #: 0 (certainly pre-1.0: only a 0.x pin or ``--lightning-version 0.x`` says so),
    #: 1 (1.x, or a range over 0.x and 1.x), 2, ...; UNKNOWN (None) when the evidence conflicts.
    major: int | None
    #: "option", "pin", "code", "default" or "conflict".
    source: str
    #: Why, naming the file that says so.
    reason: str
    #: The file that says so, if one does.
    file: str = ""

    @property
    def known(self) -> bool:
        return self.major is not None

    def at_least(self, major: int) -> bool:
        """Certainly ``major`` or later (False when unknown)."""
        return self.major is not None and self.major >= major

    def before(self, major: int) -> bool:
        """Certainly before ``major`` (False when unknown)."""
        return self.major is not None and self.major < major

    @property
    def pre_1_0(self) -> bool:
        """Certainly a 0.x Lightning: no ``self.log``; metrics come from the dicts hooks return."""
        return self.major == 0

    def basis(self, root: str) -> str:
        """Where the version comes from, in a few words, for a finding's message."""
        if self.source == "option":
            return "per --lightning-version"
        if not self.file:
            return "assumed: nothing pins it (see --lightning-version)"
        try:
            shown = os.path.relpath(self.file, root)
        except ValueError:  # another drive
            shown = self.file
        return f"per {shown.replace(os.sep, '/')}"


# -- pins -------------------------------------------------------------------


def spec_majors(tail: str, *, conda: bool = False) -> frozenset[int] | None:
    """The majors the text after a package name allows; None when it says nothing.

    ``tail`` is what follows the name on its line: ``>=1.7,<2.0``, ``==1.9.5; python_version...``,
    `` (<2.0.0,>1.7.0)``, ``=1.9.0=pyhd8ed1ab_0`` (conda), `` = "^1.5"`` (Poetry, Pipfile),
    `` = {version = "~1.8", extras = [...]}``.
    """
    spec = _spec_text(tail, conda)
    return None if spec is None else _majors_of(*spec)


def _spec_text(tail: str, conda: bool) -> tuple[str, bool] | None:
    """The specifier after a package name, and whether a bare version in it is exact."""
    text = tail.lstrip()
    if text.startswith("["):  # extras
        end = text.find("]")
        text = text[end + 1 :].lstrip() if end >= 0 else ""
    if text.startswith("=") and text[1:].lstrip()[:1] in ("'", '"', "{"):  # TOML / Pipfile
        value = text[1:].lstrip()
        if value.startswith("{"):
            found = re.search(r"""\bversion\s*=\s*(['"])([^'"\n]*)\1""", value)
            spec = found.group(2) if found else ""
        else:
            end = value.find(value[0], 1)
            spec = value[1:end] if end > 0 else ""
        return spec, True
    if text.startswith("("):
        text = text[1:]
    end = _SPEC_END.search(text)
    if end:
        text = text[: end.start()]
    if conda and text[:1].isdigit():  # ``pytorch-lightning 1.9.0``: conda's exact form
        return text, True
    if text[:1].isdigit():
        return None  # prose ("lightning 2 is great"), not a specifier
    return text, False


def _majors_of(spec: str, bare_is_exact: bool) -> frozenset[int] | None:
    allowed: set[int] = set()
    for alternative in spec.split("||"):
        clauses = _clauses(alternative, bare_is_exact)
        if not clauses:
            return None
        top = min(max(CURRENT_MAJOR, *(major for _, major, _ in clauses)), MAX_MAJOR)
        majors = set(range(top + 1))
        for op, major, rest in clauses:
            majors &= _clause_majors(op, major, rest, top)
        allowed |= majors
    return _pre_1_0_apart(allowed)


def _pre_1_0_apart(allowed: set[int]) -> frozenset[int] | None:
    """``allowed``, with 0 kept apart only when the pin allows nothing but 0.x.

    0.x had every hook and API 1.x has that the rule about removed hooks asks
    about, so a range over 0.x and 1.x (``<2.0``) still decides "before 2"; but
    a pin of 0.x alone (``==0.7.5``) says pre-1.0, where metrics came from the
    dicts hooks return (``self.log`` did not exist before 0.10): ``{0}``.
    """
    if not allowed:
        return None
    if allowed == {0}:
        return frozenset(allowed)
    return frozenset(max(major, 1) for major in allowed)


def _clauses(spec: str, bare_is_exact: bool) -> list[tuple[str, int, str]] | None:
    """``[(op, major, ".minor.patch"), ...]``, or None when ``spec`` is not a specifier list."""
    found: list[tuple[str, int, str]] = []
    pos, end = 0, len(spec)
    while pos < end:
        while pos < end and spec[pos] in " \t,":
            pos += 1
        if pos >= end:
            break
        match = _CLAUSE.match(spec, pos)
        if match is None:
            break  # the rest is not a clause (a conda build string, a marker)
        op, major, rest = match.group(1) or "", match.group(2), match.group(3)
        if len(major) > MAX_DIGITS or any(len(p) > MAX_DIGITS for p in rest.split(".")):
            return None
        if not op and not bare_is_exact:
            return None
        found.append((op, int(major), rest))
        pos = match.end()
    return found or None


def _clause_majors(op: str, major: int, rest: str, top: int) -> set[int]:
    every = set(range(top + 1))
    if op in ("", "==", "===", "=", "~=", "^", "~"):
        return {major} & every
    if op == "!=":
        return every
    if op in (">=", ">"):
        return {m for m in every if m >= major}
    if op == "<=":
        return {m for m in every if m <= major}
    # "<": ``<2``, ``<2.0.0`` exclude all of 2.x; ``<2.1`` allows 2.0.
    zero = all(part in ("", "0") for part in rest.split("."))
    return {m for m in every if (m < major if zero else m <= major)}


def torch_rules_out_2(tail: str, *, conda: bool = False) -> bool:
    """Does the torch specifier after ``torch``/``pytorch`` allow only versions below 1.11?

    Lightning 2.0 requires ``torch>=1.11`` (its METADATA: ``torch (<4.0,>=1.11.0)``),
    so a project that pins torch below that cannot be running Lightning 2.
    """
    spec = _spec_text(tail, conda)
    if spec is None:
        return False
    alternatives = [_clauses(alternative, spec[1]) for alternative in spec[0].split("||")]
    return all(bool(clauses) and any(_below_torch_for_2(*c) for c in clauses) for clauses in alternatives)


def _below_torch_for_2(op: str, major: int, rest: str) -> bool:
    """Does one clause cap torch below ``TORCH_FOR_2``?"""
    parts = rest.split(".")[1:]
    if any(not part.isdigit() for part in parts):  # a wildcard: 1.*
        return major < TORCH_FOR_2[0]
    numbers = (major, *(int(part) for part in parts))
    if op == "<":
        return numbers[:3] + (0,) * (3 - len(numbers[:3])) <= (*TORCH_FOR_2, 0)
    if op in ("", "==", "===", "=", "~", "<=") or (op == "~=" and len(parts) >= 2):
        return len(numbers) >= 2 and numbers[:2] < TORCH_FOR_2
    return False


#: A VCS or archive URL of a Lightning repository (or a fork) at a version tag:
#: ``git+http://github.com/ibeltagy/pytorch-lightning.git@v0.8.5_fixes#egg=...``,
#: ``git+https://github.com/PyTorchLightning/pytorch-lightning.git@0.7.1``,
#: ``https://github.com/Lightning-AI/lightning/archive/refs/tags/2.0.0.zip``.
#: A branch or commit (``@master``, ``@a1b2c3d``) says nothing.
_VCS_PIN = re.compile(
    r"/(?:pytorch[-_]lightning|lightning)(?:\.git)?"
    r"(?:@|/archive/(?:refs/tags/)?)v?(\d{1,%d})\.(\d{1,%d})(?![\d])" % (MAX_DIGITS, MAX_DIGITS),
    re.I,
)


def vcs_majors(line: str) -> frozenset[int] | None:
    """The major a Lightning VCS/archive URL's version tag names, if the line has one."""
    found = {int(match.group(1)) for match in _VCS_PIN.finditer(line)}
    found = {major for major in found if major <= MAX_MAJOR}
    return _pre_1_0_apart(found) if len(found) == 1 else None


def file_pins(path: str) -> list[Pin]:
    """Every line of ``path`` that names Lightning with a version specifier."""
    text = _read(path)
    base = os.path.basename(path)
    conda = base.endswith(_CONDA_SUFFIXES)
    metadata = base in _METADATA_NAMES
    pins = []
    for number, line in enumerate(text.splitlines(), start=1):
        if metadata and not line.startswith("Requires-Dist:"):
            continue  # the long description may quote anything
        line = _strip_comment(line)
        for match in _NAME.finditer(line):
            majors = spec_majors(line[match.end() : match.end() + MAX_SPEC_CHARS], conda=conda)
            if majors:
                pins.append(Pin(path, number, line, majors))
        vcs = vcs_majors(line)
        if vcs:
            pins.append(Pin(path, number, line, vcs))
        for match in _TORCH.finditer(line):
            if torch_rules_out_2(line[match.end() : match.end() + MAX_SPEC_CHARS], conda=conda):
                pins.append(Pin(path, number, line, frozenset({1}), package="torch"))
    return pins


def _strip_comment(line: str) -> str:
    """The line without a ``#`` comment (one at the start or after a blank)."""
    at = line.find("#")
    while at >= 0:
        if at == 0 or line[at - 1] in " \t":
            return line[:at]
        at = line.find("#", at + 1)
    return line


def _read(path: str) -> str:
    data = read_regular(path, MAX_PIN_FILE_CHARS)  # never a FIFO or a device: they can block forever
    return "" if data is None else data.decode("utf-8", errors="replace")


def root_pins(root: str) -> list[Pin]:
    """The pins in one project root's files."""
    pins: list[Pin] = []
    seen: set[str] = set()
    for pattern in PIN_FILES:
        for path in sorted(glob.glob(os.path.join(glob.escape(root), pattern))):
            if path not in seen and os.path.isfile(path):
                seen.add(path)
                pins.extend(file_pins(path))
    return pins


def enclosing_roots(root: str) -> list[str]:
    """``root``, then each enclosing project root, up to the repository's top.

    An enclosing folder counts when it holds a project marker or a file
    research code keeps its pins in (a repository downloaded without ``.git``
    may have only ``environment.yml`` at its top). Never above a folder
    holding ``.git``; never the home folder, the temporary folder, the
    filesystem root or above them; never out of a folder the enclosing
    project's own file index skips (``.cache``, ``site-packages``, ``build``,
    ...): a copy of a package kept there is not part of that project.
    """
    roots = [root]
    for folder in climb(root)[1:]:
        if any(is_project_marker(folder, marker) for marker in PROJECT_MARKERS) or _has_pin_file(folder):
            roots.append(folder)
    return roots


def _has_pin_file(folder: str) -> bool:
    escaped = glob.escape(folder)
    return any(glob.glob(os.path.join(escaped, pattern)) for pattern in TOP_PIN_FILES)


def decide_pins(roots: list[str]) -> TargetVersion | None:
    """The version the nearest root with a deciding pin says; None when no pin decides.

    A Lightning pin anywhere beats a torch pin too old for Lightning 2.
    """
    pins = {root: root_pins(root) for root in roots}
    for package in ("lightning", "torch"):
        decided = _decide(package, [[pin for pin in pins[root] if pin.package == package] for root in roots])
        if decided is not None:
            return decided
    return None


def _decide(package: str, pins_by_root: list[list[Pin]]) -> TargetVersion | None:
    for pins in pins_by_root:
        deciding = [pin for pin in pins if len(pin.majors) == 1]
        if not deciding:
            continue
        majors = {next(iter(pin.majors)) for pin in deciding}
        if len(majors) == 1:
            pin = deciding[0]
            why = "pinned in"
            if package == "torch":
                why = "torch pinned below 1.11 (Lightning 2 needs torch>=1.11) in"
            return TargetVersion(majors.pop(), "pin", f"{why} {pin.where()}", pin.path)
        by_major = {}
        for pin in deciding:
            by_major.setdefault(next(iter(pin.majors)), pin)
        shown = "; ".join(f"{major}.x in {pin.where()}" for major, pin in sorted(by_major.items()))
        return TargetVersion(UNKNOWN, "conflict", f"the pins disagree: {shown}")
    return None


# -- code evidence ------------------------------------------------------------

_FACTS = tuple((fact, re.compile(fact.pattern, re.M)) for fact in CODE_FACTS)
#: Comments, and (rarely) the tail of a string holding ``#``: dropping text only loses evidence.
_COMMENT = re.compile(r"#[^\n]*")
#: ``Trainer(``; the character before is checked by hand (a leading ``\b`` makes the search 10x slower).
_TRAINER_CALL = re.compile(r"Trainer\s*\(")
_TRAINER_KWARG = re.compile(
    r"(?<![\w.])(" + "|".join(sorted({*REMOVED_TRAINER_ARGS, *ADDED_TRAINER_ARGS})) + r")\s*=(?!=)"
)
_BRACKET = re.compile(r"[()\[\]{}]")
#: How far past ``Trainer(`` its arguments are read.
MAX_CALL_CHARS = 4000


def code_evidence(texts) -> dict[int, tuple[str, str]]:  # noqa: ANN001 - iterable of (path, text)
    """``{major: (what, path)}`` for each major the code is evidence of."""
    return combine_evidence((path, file_evidence(text)) for path, text in texts)


def file_evidence(text: str | None) -> list[tuple[int, str]]:
    """``[(major, what), ...]``: what one file's text is evidence of, the first per major
    (in ``CODE_FACTS`` order, then ``Trainer(...)`` arguments). Kept in module summaries."""
    if not text or "lightning" not in text:
        return []  # a file that never names Lightning says nothing about it
    code = _COMMENT.sub("", _without_triple_quoted(text))
    found: dict[int, str] = {}
    for fact, pattern in _FACTS:
        if fact.points_to not in found and fact.needle in code and pattern.search(code):
            found[fact.points_to] = fact.what
    for major, what in _trainer_args(code):
        found.setdefault(major, what)
    return list(found.items())


def combine_evidence(evidence) -> dict[int, tuple[str, str]]:  # noqa: ANN001 - iterable of (path, file_evidence)
    """``{major: (what, path)}``: the first file's evidence of each major, in the files' order
    (read lazily: past two majors, the rest is never asked)."""
    found: dict[int, tuple[str, str]] = {}
    for path, pairs in evidence:
        for major, what in pairs:
            found.setdefault(major, (what, path))
        if len(found) > 1:
            break
    return found


def _without_triple_quoted(text: str) -> str:
    """``text`` with docstrings and other triple-quoted strings emptied.

    Their usage examples are not the code's own API use. Linear: each quote
    kind's next position is searched again only once it has been passed.
    """
    parts: list[str] = []
    pos = 0
    next_at = {_TQ_DOUBLE: text.find(_TQ_DOUBLE), _TQ_SINGLE: text.find(_TQ_SINGLE)}
    while True:
        for quote, at in next_at.items():
            if 0 <= at < pos:
                next_at[quote] = text.find(quote, pos)
        found = [(at, quote) for quote, at in next_at.items() if at >= 0]
        if not found:
            parts.append(text[pos:])
            return "".join(parts)
        start, quote = min(found)
        parts.append(text[pos:start])
        parts.append("''")
        close = text.find(quote, start + 3)
        if close < 0:
            return "".join(parts)  # unterminated: the rest is inside the string
        pos = close + 3


_TQ_DOUBLE, _TQ_SINGLE = '"' * 3, "'" * 3


def _trainer_args(code: str):  # noqa: ANN202
    """(major, "Trainer(arg=...)") for each removed or added argument in a ``Trainer(...)`` call.

    Each character is looked at once: a call inside another call's arguments is
    read as part of the outer one.
    """
    if "Trainer" not in code:
        return
    pos = 0
    while True:
        call = _TRAINER_CALL.search(code, pos)
        if call is None:
            return
        before = code[call.start() - 1 : call.start()]
        if before.isalnum() or before == "_":  # MyTrainer(
            pos = call.end()
            continue
        depth = 1
        start, limit = call.end(), min(len(code), call.end() + MAX_CALL_CHARS)
        end = limit
        for bracket in _BRACKET.finditer(code, start, limit):
            depth += 1 if bracket.group() in "([{" else -1
            if not depth:
                end = bracket.end()
                break
        for arg in _TRAINER_KWARG.finditer(code, start, end):
            name = arg.group(1)
            if name in REMOVED_TRAINER_ARGS:
                yield 1, f"Trainer({name}=...) (removed in {REMOVED_TRAINER_ARGS[name]})"
            else:
                yield 2, f"Trainer({name}=...) (added in {ADDED_TRAINER_ARGS[name]})"
        pos = max(end, call.end())


def decide_code(evidence: dict[int, tuple[str, str]]) -> TargetVersion | None:
    if len(evidence) > 1:
        shown = "; ".join(f"{major}.x: {what} in {path}" for major, (what, path) in sorted(evidence.items()))
        return TargetVersion(UNKNOWN, "conflict", f"the code has evidence of both, and no pin: {shown}")
    for major, (what, path) in evidence.items():
        return TargetVersion(major, "code", f"the code uses {what} in {path}", path)
    return None


# -- the decision -------------------------------------------------------------

DEFAULT = TargetVersion(CURRENT_MAJOR, "default", "nothing says; assuming 2.x, what `pip install lightning` gives")


def infer(project: Project) -> TargetVersion:
    """The version the project's pins, else its code, else the default say."""
    pinned = decide_pins(enclosing_roots(project.root))
    if pinned is not None:
        return pinned
    coded = decide_code(combine_evidence((path, project.version_evidence(path)) for path in project.files()))
    return coded or DEFAULT


def target_version(project: Project, override: str | None = None) -> TargetVersion:
    """``--lightning-version`` if given, else what the project says (memoised per project)."""
    if override:
        return TargetVersion(lightning_major(override), "option", f"--lightning-version={override}")
    return project.cached("lightning_target_version", lambda: infer(project))  # type: ignore[no-any-return]


def target_major(project: Project, module: nodes.Module | None, override: str | None) -> int | None:
    """The targeted major version, or None when unknown (then version-dependent rules stay silent)."""
    del module  # the decision is project-wide
    return target_version(project, override).major


def project_text(path: str) -> str:
    return _read(path)
