"""Which metric names can reach Lightning's monitor candidates.

A monitor (``ModelCheckpoint``, ``EarlyStopping``, ``ReduceLROnPlateau``) sees
``trainer.callback_metrics``: what ``self.log``/``self.log_dict`` logged, with
``name_step``/``name_epoch`` forks when a name is logged both per step and per
epoch. Names sent only to a logger (``self.logger.experiment.add_scalar``)
never get there.

A ``Names`` value holds exact names, regular expressions for dynamic names
(``f"{stage}_loss"`` becomes ``.*_loss``), and ``anything`` when some name is
fully unknown. Unknown always means "could be the monitor": silence.

The patterns are built from user text, so they are never handed to ``re``:
a pattern is literal segments between wildcards, matched segment by segment
in linear time (``f"{a}{b}{c}_{d}_{e}"`` against a long name would make a
backtracking regex take exponential time).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from astroid import nodes

from flake8_lightning.lightning_api import EPOCH_LOG_HOOKS, STEP_LOG_HOOKS
from flake8_lightning.model.budget import Memo
from flake8_lightning.model.lightning import Facts, argument, is_self, methods, walk
from flake8_lightning.model.names import bindings
from flake8_lightning.model.project import ProjectTooLarge
from flake8_lightning.model.summary import logs_literally
from flake8_lightning.model.unknown import UNKNOWN, Maybe

if TYPE_CHECKING:
    from collections.abc import Iterable

ANY = ".*"

#: Hooks whose ``self.log`` defaults to on_step=True / on_epoch=True (Lightning's ``_FxValidator``).
STEP_HOOKS = STEP_LOG_HOOKS
EPOCH_HOOKS = EPOCH_LOG_HOOKS
#: Receivers of ``.log(...)`` that are never a LightningModule.
NOT_MODULES = frozenset({"np", "numpy", "math", "cmath", "torch", "jnp", "tf", "logging", "logger", "log", "F", "mx"})
LOGGER_CALLS = frozenset({"add_scalar", "add_scalars", "log_metrics", "log"})
DATALOADER_SUFFIX = re.compile(r"/dataloader_idx_\d+$")


@dataclass
class Names:
    """Metric names that may be logged."""

    exact: set[str] = field(default_factory=set)
    patterns: set[str] = field(default_factory=set)
    logger_only: set[str] = field(default_factory=set)

    @property
    def anything(self) -> bool:
        return ANY in self.patterns

    def update(self, other: Names) -> None:
        self.exact |= other.exact
        self.patterns |= other.patterns
        self.logger_only |= other.logger_only

    def may_log(self, name: str) -> bool:
        name = DATALOADER_SUFFIX.sub("", name)
        return name in self.exact or any(pattern_matches(p, name) for p in self.patterns)

    def add(self, pattern: str | None, forks: Iterable[str] = ()) -> None:
        """Add an exact name (``pattern`` is a plain string) or a regex (``None`` = anything)."""
        if pattern is None:
            self.patterns.add(ANY)
            return
        if isinstance(pattern, _Regex):
            self.patterns.add(str(pattern))
            self.patterns.update(str(pattern) + re.escape(f) for f in forks)
        else:
            self.exact.add(pattern)
            self.exact.update(pattern + f for f in forks)


class _Regex(str):
    """A name pattern that is a regular expression, not a literal name.

    ``segments`` are its literal parts between wildcards, so that joining
    patterns never re-reads the regular expression text.
    """

    segments: tuple[str, ...]


#: A metric name pattern, as ``name_pattern`` answers for a dynamic name; a
#: literal name is a plain ``str`` (ask ``literal_name``, not ``type(x)``).
NamePattern = _Regex

_WILDCARD = ("", "")  # the segments of ``.*``


def literal_name(expr: nodes.NodeNG | None, facts: Facts) -> Maybe[str]:
    """The one metric name ``expr`` certainly is, or UNKNOWN (a pattern, or nothing known)."""
    name = name_pattern(expr, facts)
    return UNKNOWN if name is None or isinstance(name, NamePattern) else name


def name_pattern(expr: nodes.NodeNG | None, facts: Facts) -> str | None:
    """A literal name, a ``NamePattern`` for a dynamic one, or None when nothing is known
    (kept ``None`` inside this module, where patterns are joined; rules ask ``literal_name``)."""
    if expr is None:
        return None
    if isinstance(expr, nodes.Const):
        return expr.value if isinstance(expr.value, str) else None
    if isinstance(expr, nodes.JoinedStr):
        parts = []
        for value in expr.values:
            part = name_pattern(value, facts) if isinstance(value, nodes.Const) else None
            if isinstance(value, nodes.FormattedValue):
                part = name_pattern(value.value, facts)
                if part is not None and not isinstance(part, _Regex) and value.format_spec is None:
                    parts.append((part,))
                    continue
                part = None
            parts.append(_WILDCARD if part is None else (part,))
        return _collapse(parts)
    if isinstance(expr, nodes.BinOp):
        if expr.op == "+":
            left, right = name_pattern(expr.left, facts), name_pattern(expr.right, facts)
            return _collapse([_as_segments(left), _as_segments(right)])
        if expr.op == "%":
            template = name_pattern(expr.left, facts)
            if template is not None and not isinstance(template, _Regex):
                # Flags then width: a width never starts with 0 (0 is a flag), so
                # the two runs cannot trade characters and backtrack.
                return _template(template, r"%(?:\([^)]*\))?[-#0 +]*(?:[1-9]\d*)?(?:\.\d+)?[a-zA-Z%]")
        return None
    if isinstance(expr, nodes.Call) and isinstance(expr.func, nodes.Attribute) and expr.func.attrname == "format":
        template = name_pattern(expr.func.expr, facts)
        if template is not None and not isinstance(template, _Regex):
            return _template(template, r"\{[^{}]*\}")
        return None
    if isinstance(expr, (nodes.Name, nodes.Attribute)):
        target = facts.resolver.resolve(expr)
        if isinstance(target, nodes.Const) and isinstance(target.value, str):
            return target.value
    return None


def _as_segments(part: str | None) -> tuple[str, ...]:
    if part is None:
        return _WILDCARD
    if isinstance(part, _Regex):
        # A pattern made elsewhere without its segments: read them (or: anything).
        return getattr(part, "segments", None) or _segments(part) or _WILDCARD
    return (part,)


def _collapse(parts: list[tuple[str, ...]]) -> str | None:
    """The pattern of ``parts`` (each a literal's or a pattern's segments) joined.

    Adjacent wildcards merge (``a.*.*b`` is ``a.*b``); None when only wildcards remain.
    """
    joined = list(parts[0])
    for part in parts[1:]:
        joined[-1] += part[0]
        joined.extend(part[1:])
    if len(joined) > 2:
        joined = [joined[0], *filter(None, joined[1:-1]), joined[-1]]
    if len(joined) > 1 and not any(joined):
        return None
    regex = _Regex(ANY.join(map(re.escape, joined)))
    regex.segments = tuple(joined)
    return regex


@functools.lru_cache(maxsize=4096)
def _segments(pattern: str) -> tuple[str, ...] | None:
    """The literal segments between the ``.*`` wildcards of a name pattern.

    A pattern is ``re.escape``d text joined by ``.*``; empty segments between
    adjacent wildcards are dropped (``a.*.*b`` is ``a.*b``). None when the
    pattern holds any other regular-expression syntax.
    """
    segments: list[str] = []
    current: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\" and i + 1 < n:
            current.append(pattern[i + 1])
            i += 2
        elif pattern.startswith(ANY, i):
            if current or not segments:
                segments.append("".join(current))
            current = []
            i += 2
        elif char in _REGEX_SYNTAX:
            return None
        else:
            current.append(char)
            i += 1
    segments.append("".join(current))
    return tuple(segments)


_REGEX_SYNTAX = frozenset(".^$*+?{}[]\\|()")


def pattern_matches(pattern: str, name: str) -> bool:
    """Whether ``name`` is one that ``pattern`` stands for, in time linear in both.

    Wildcards only: the first segment is a prefix, the last a suffix, and the
    ones between are found leftmost in order (leftmost is never worse). A
    pattern that is not of that form may match anything: silence.
    """
    segments = _segments(pattern)
    if segments is None:
        return True
    if len(segments) == 1:
        return name == segments[0]
    first, *middle, last = segments
    if len(first) + len(last) > len(name) or not name.startswith(first) or not name.endswith(last):
        return False
    position, end = len(first), len(name) - len(last)
    for segment in middle:
        found = name.find(segment, position, end)
        if found < 0:
            return False
        position = found + len(segment)
    return True


def _template(template: str, placeholder: str) -> str | None:
    """``"val_%s" % x`` or ``"val_{}".format(x)``: placeholders become wildcards."""
    pieces = re.split(placeholder, template)
    if len(pieces) == 1:
        return template
    return _collapse([tuple(pieces)])


def _flag(call: nodes.Call, name: str) -> Maybe[bool] | None:
    """A constant boolean keyword of a ``log`` call; None when absent, UNKNOWN when not constant."""
    for keyword in call.keywords or []:
        if keyword.arg == name:
            value = keyword.value
            return value.value if isinstance(value, nodes.Const) and isinstance(value.value, bool) else UNKNOWN
    return None


def forks(call: nodes.Call, hook: str) -> list[str]:
    """The ``_step``/``_epoch`` names a ``log`` call also makes reach callback metrics."""
    on_step, on_epoch = _flag(call, "on_step"), _flag(call, "on_epoch")
    if on_step is None:
        on_step = True if hook in STEP_HOOKS else False if hook in EPOCH_HOOKS else UNKNOWN
    if on_epoch is None:
        on_epoch = False if hook in STEP_HOOKS else True if hook in EPOCH_HOOKS else UNKNOWN
    if on_step is False or on_epoch is False:
        return []
    evaluation = hook.startswith(("validation", "test", "on_validation", "on_test"))
    return ["_epoch"] if evaluation else ["_step", "_epoch"]


def dict_keys(expr: nodes.NodeNG | None, facts: Facts) -> list[str | None]:
    """Key patterns of a dict expression passed to ``log_dict``/``log_metrics``."""
    if expr is None:
        return [None]
    if isinstance(expr, nodes.Dict):
        return [None if isinstance(k, nodes.DictUnpack) else name_pattern(k, facts) for k, _ in expr.items]
    if isinstance(expr, nodes.DictComp):
        return [name_pattern(expr.key, facts)]
    if isinstance(expr, nodes.Call) and isinstance(expr.func, nodes.Name) and expr.func.name == "dict":
        if expr.args:
            return [None]
        return [kw.arg if kw.arg else None for kw in expr.keywords or []]
    if isinstance(expr, nodes.Name):
        found = bindings(expr, expr.name)
        memo = facts.project.cached(("dict keys", facts), lambda: Memo(facts.budget, [None]))
        # One answer per dict variable (``d.update(d2)`` chains, ``d.update(d)``: a cycle, unknown).
        key = (expr.scope(), expr.name, tuple(found))
        return memo(key, lambda: _local_dict_keys(expr, found, facts))
    return [None]


def _local_dict_keys(name: nodes.Name, found: list[nodes.NodeNG], facts: Facts) -> list[str | None]:
    """Keys of a dict built up in the same function: literal, ``d[k] = v``, ``d.update(...)``."""
    scope = name.scope()
    keys: list[str | None] = []
    for binding in found:
        if not isinstance(binding, nodes.AssignName) or binding.scope() is not scope:
            return [None]
        parent = binding.parent
        if not isinstance(parent, (nodes.Assign, nodes.AnnAssign)) or parent.value is None:
            return [None]
        keys.extend(dict_keys(parent.value, facts))
    for node in walk(scope):
        if isinstance(node, nodes.Subscript) and isinstance(node.value, nodes.Name) and node.value.name == name.name:
            if isinstance(node.parent, (nodes.Assign, nodes.AugAssign)) and node is not getattr(node.parent, "value", None):
                keys.append(name_pattern(node.slice, facts))
        elif (
            isinstance(node, nodes.Call)
            and isinstance(node.func, nodes.Attribute)
            and isinstance(node.func.expr, nodes.Name)
            and node.func.expr.name == name.name
            and node.func.attrname in {"update", "setdefault", "__setitem__"}
        ):
            if node.func.attrname == "update":
                for arg in node.args:
                    keys.extend(dict_keys(arg, facts))
                keys.extend(kw.arg for kw in node.keywords or [])
            else:
                keys.append(name_pattern(node.args[0], facts) if node.args else None)
        elif isinstance(node, nodes.AugAssign) and isinstance(node.target, nodes.AssignName) and node.target.name == name.name:
            keys.extend(dict_keys(node.value, facts))
    return keys


def _logged_by_call(call: nodes.Call, hook: str, facts: Facts, into: Names) -> None:
    """Add what one ``<module>.log(...)``/``<module>.log_dict(...)`` call logs."""
    attr = call.func.attrname
    if attr == "log":
        into.add(name_pattern(argument(call, 0, "name"), facts), forks(call, hook))
    else:
        for key in dict_keys(argument(call, 0, "dictionary"), facts):
            into.add(key, forks(call, hook))


def _logger_only(call: nodes.Call, facts: Facts, into: Names) -> None:
    """``self.logger.experiment.add_scalar("x", ...)``, ``self.logger.log_metrics({...})``."""
    attr = call.func.attrname
    if attr in {"add_scalar", "add_scalars"}:
        name = name_pattern(argument(call, 0, "tag"), facts)
        if name is not None and not isinstance(name, _Regex):
            into.logger_only.add(name)
    else:
        for key in dict_keys(argument(call, 0, "metrics"), facts):
            if key is not None and not isinstance(key, _Regex):
                into.logger_only.add(key)


def _reaches_logger(expr: nodes.NodeNG, method: nodes.FunctionDef) -> bool:
    """``self.logger``, ``self.logger.experiment``, ``self.loggers[0]...``."""
    while isinstance(expr, (nodes.Attribute, nodes.Subscript)):
        inner = expr.expr if isinstance(expr, nodes.Attribute) else expr.value
        if isinstance(expr, nodes.Attribute) and expr.attrname in {"logger", "loggers"} and is_self(inner, method):
            return True
        expr = inner
    return False


class MetricFacts:
    """Logged names per LightningModule, and names project helpers log on any module."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self._classes: dict[nodes.ClassDef, Names] = {}
        self._own_names: dict[nodes.ClassDef, Names] = {}
        self._helpers: Names | None = None

    @classmethod
    def of(cls, facts: Facts) -> MetricFacts:
        return facts.project.cached(cls, lambda: cls(facts))

    def logged_by(self, cls: nodes.ClassDef) -> Names:
        """Everything ``cls`` and its hierarchy log (``anything`` when unknowable)."""
        cached = self._classes.get(cls)
        if cached is None:
            cached = self._classes[cls] = self._compute(cls)
        return cached

    def _compute(self, cls: nodes.ClassDef) -> Names:
        names = Names()
        hierarchy = self.facts.hierarchy(cls)
        custom_log = self.facts.defines_member(cls, "log") or self.facts.defines_member(cls, "log_dict")
        if not hierarchy.only_neutral_externals or custom_log:
            names.add(None)  # a base from outside the project, or a custom log(): anything
            return names
        for klass in hierarchy.classes:
            names.update(self._own(klass))
        return names

    def _own(self, klass: nodes.ClassDef) -> Names:
        """What the methods of ``klass`` itself log: walked once per class, not once per subclass."""
        found = self._own_names.get(klass)
        if found is None:
            found = self._own_names[klass] = self._walk_own(klass)
        return found

    def _walk_own(self, klass: nodes.ClassDef) -> Names:
        names = Names()
        for method in methods(klass):
            for node in walk(method):
                if not isinstance(node, nodes.Call) or not isinstance(node.func, nodes.Attribute):
                    continue
                receiver = node.func.expr
                if node.func.attrname in {"log", "log_dict"} and is_self(receiver, method):
                    _logged_by_call(node, method.name, self.facts, names)
                elif node.func.attrname in LOGGER_CALLS and _reaches_logger(receiver, method):
                    _logger_only(node, self.facts, names)
        return names

    def helpers(self) -> Names:
        """Names logged through a module handed to project code: Callbacks' ``pl_module.log``."""
        if self._helpers is None:
            helpers = Names()  # kept only when complete (the scan may raise ProjectTooLarge)
            project = self.facts.project
            for path in project.files_logging(".log"):
                summary = project.summary(path)
                if summary is None or not summary["may_log_on_a_module"]:
                    continue
                if not project.summary(path, syntax=True)["helper_logs"]:  # type: ignore[index]
                    continue  # no ``x.log(...)`` call on anything but ``self`` or a library: no tree needed
                module = project.module(path)
                for node in walk(module) if module is not None else ():
                    if self._is_helper_log(node):
                        _logged_by_call(node, _hook_of(node), self.facts, helpers)
            self._helpers = helpers
        return self._helpers

    def some_module_may_log(self, name: str) -> bool:
        """A project LightningModule that may log ``name``, found without scanning the project.

        Only files whose text holds ``name`` are parsed (where a module that
        logs it literally is): a shortcut for "every LightningModule of the
        project" questions, answered False (look further) when it finds none.
        """
        facts, project = self.facts, self.facts.project
        key = ("some_module_may_log", name)
        if key not in project.memo:
            found = False
            try:
                literal = DATALOADER_SUFFIX.sub("", name)
                for path in project.files_logging(name):
                    if logs_literally(project.summary(path, syntax=True), literal):
                        found = True  # a LightningModule's own self.log("<name>"): no tree needed
                        break
                    if not project.may_define(path, "LightningModule"):
                        continue  # its summary says it defines no LightningModule: no tree needed
                    for cls in facts.classes_in(project.module(path)):
                        if facts.is_lightning_module(cls):
                            logged = self.logged_by(cls)
                            if logged.anything or logged.may_log(name):
                                found = True
                                break
                    if found:
                        break
            except ProjectTooLarge:
                pass  # the indexed files were looked at; the full question says what it can
            project.memo[key] = found
        return bool(project.memo[key])

    @staticmethod
    def _is_helper_log(node: nodes.NodeNG) -> bool:
        if not isinstance(node, nodes.Call) or not isinstance(node.func, nodes.Attribute):
            return False
        if node.func.attrname not in {"log", "log_dict"}:
            return False
        receiver = node.func.expr
        if isinstance(receiver, nodes.Name):
            if receiver.name == "self" or receiver.name in NOT_MODULES:
                return False
            return not any(isinstance(b, (nodes.Import, nodes.ImportFrom)) for b in bindings(receiver, receiver.name))
        # trainer.lightning_module.log(...), self.model.log(...): not a logger, not self
        return isinstance(receiver, nodes.Attribute) and receiver.attrname not in {"logger", "experiment", "loggers"}


#: ``.log(`` or ``.log_dict(``: a literal, so searching any text is linear.
_LOG_CALL = re.compile(r"\.log(?:_dict)?\(")


def helper_log_roots(text: str) -> list[str]:
    """The root name of each ``root.a.b.log(``/``.log_dict(`` call in ``text``.

    What the regex ``\\b(\\w+)(?:\\.\\w+)*\\.log(?:_dict)?\\(`` finds, without its
    quadratic backtracking on a long dotted string: each call's receiver is read
    backwards from its ``.log``, and receivers never overlap (a ``(`` ends
    each), so the whole text is read about twice.
    """
    return [receiver[0] for receiver in helper_log_receivers(text)]


def may_log_on_a_module(text: str) -> bool:
    """Might ``text`` hold a ``.log(``/``.log_dict(`` call on a module handed to it?

    Not when every such call is on a name that is never a LightningModule
    (``np.log(``, ``logger.log(``) or on bare ``self`` (a module's own
    ``self.log``, which ``MetricFacts.logged_by`` reads, and which
    ``_is_helper_log`` rejects): then the file need not be parsed.
    ``self.model.log(`` and ``pl_module.log(`` may be such calls.
    """
    for receiver in helper_log_receivers(text):
        root = receiver[0]
        if root in NOT_MODULES or (root == "self" and len(receiver) == 1):
            continue
        return True
    return False


def helper_log_receivers(text: str) -> list[list[str]]:
    """The dotted receiver of each ``a.b.log(``/``.log_dict(`` call in ``text``, as its names.

    Read backwards from each ``.log`` (see ``helper_log_roots``): linear.
    """
    receivers = []
    for match in _LOG_CALL.finditer(text):
        start = end = match.start()
        while start > 0 and (text[start - 1] in "._" or text[start - 1].isalnum()):
            start -= 1
        segments = text[start:end].split(".")
        if not segments[-1]:
            continue
        first = len(segments) - 1
        while first > 0 and segments[first - 1]:
            first -= 1
        receivers.append(segments[first:])
    return receivers


def _hook_of(node: nodes.NodeNG) -> str:
    frame = node.frame()
    return frame.name if isinstance(frame, nodes.FunctionDef) else ""
