"""Per-module summaries: what whole-project questions need of a module, from the standard ``ast``.

Only the checked file is built with astroid. Every other module of the project
is known, for whole-project questions ("which files name this class", "which
file may define a LightningModule", "what does the code say of the Lightning
version"), by its summary: a small, plain, JSON-serialisable dict computed by
``summarize(text, path)`` from one ``ast.parse`` (about half the cost of an
astroid tree, and nothing is kept but the summary), which an on-disk cache can
keep between runs.

A summary states syntax, never conclusions: a class's bases are the qualified
names the module's own imports give them (``from a.b import C as D`` makes
``D`` ``a.b.C``), and which classes are LightningModules, Callbacks or
DataModules is decided later by the model, across modules. Where the syntax
alone cannot tell (a name bound twice, an alias, a relative import) the
summary says so, and the model treats the answer as unknown: a summary only
ever narrows which files need an astroid tree, it never changes an answer.

Layout (``SUMMARY_FORMAT``; bump it whenever the layout or a field's meaning changes)::

    {
      "format": 1,
      "module": "pkg.mod",               # module_name(path) when summarised
      "words": ["a", "b", ...],          # every \\w+ run of the text, sorted (Project.words)
      "log_call": true,                  # the text has ``.log(`` or ``.log_dict(``
      "may_log_on_a_module": false,      # metrics.may_log_on_a_module(text)
      "helper_logs": 0,                  # ``x.log(...)`` calls that may log on a handed module
      "version_evidence": [[1, "Trainer(gpus=...) (removed in 2.0)"]],
      # the syntax tier, filled by add_syntax (only for files a filter lets through):
      "parsed": true,                    # false: ast could not parse it; null: not parsed yet
      "classes": [
        {
          "name": "Model", "qualname": "Model", "line": 5,
          "bases": [["import", "lightning.LightningModule"]],
          "methods": [{"name": "training_step", "line": 6, "params": ["self", "batch", "batch_idx"]}],
          "automatic_optimization": [{"in": "__init__", "line": 8, "value": false}],
          "logs": {"training_step": [{"name": "train_loss"}, {"pattern": ["", "_loss"]}, {"unknown": true}]},
          "calls": ["backward", "log", "step"]
        }
      ]
    }

A class whose bases are certainly neither Lightning's nor the project's
(``nn.Module``, nothing) has ``automatic_optimization``, ``logs`` and
``calls`` None: its method bodies are not read. ``calls`` are the attribute
names the class's text calls (``.name(``), strings and comments included: a
superset, for "may it call" questions.

A base is ``[kind, text]``: ``import`` (the qualified name an absolute import
gives it), ``relative`` (the same through a relative import, resolved from the
module name), ``local`` (a class of this module, bound once), ``unbound`` (a
name nothing in the module binds: unresolved for the model too), ``other``
(not a name or an attribute chain: ``make_base()``), ``unknown`` (anything the
syntax cannot settle).
"""

from __future__ import annotations

import ast
import os
import re
from typing import Any

#: Bumped whenever the layout changes: a cached summary of another format is rebuilt.
SUMMARY_FORMAT = 1

_WORD = re.compile(r"\w+")
_LIGHTNING = ("lightning.", "pytorch_lightning.")
#: ``.name(``: an attribute called (read from the text).
_CALLED = re.compile(r"\.[ \t]*(\w+)[ \t]*\(")
#: The names after a ``global`` (read from the text: a superset).
_GLOBAL_NAMES = re.compile(r"[\w \t,\\]*")
#: ``.log(`` or ``.log_dict(`` (``metrics._LOG_CALL``).
LOG_CALL = re.compile(r"\.log(?:_dict)?\(")
_AUTOMATIC = ("automatic_optimization", "_automatic_optimization")


def summarize(text: str, path: str, modname: str | None = None) -> dict[str, Any]:
    """The summary of one module's text (see the module docstring): both tiers."""
    summary = summarize_text(text, path, modname)
    add_syntax(summary, text, path)
    return summary


def summarize_text(text: str, path: str, modname: str | None = None) -> dict[str, Any]:
    """The text tier of a summary: what text scans of every project file ask.

    Cheap (regular expressions over the text, no parse): whole-project
    filters read it for every file; the syntax tier (``add_syntax``) is only
    computed for the files that pass them (``"parsed"`` is None until then).
    """
    from flake8_lightning.model.metrics import may_log_on_a_module
    from flake8_lightning.model.project import module_name
    from flake8_lightning.model.version import file_evidence

    log_call = ".log" in text and bool(LOG_CALL.search(text))
    return {
        "format": SUMMARY_FORMAT,
        "module": module_name(path) if modname is None else modname,
        "words": sorted(set(_WORD.findall(text))),
        "log_call": log_call,
        "may_log_on_a_module": log_call and may_log_on_a_module(text),
        "version_evidence": [[major, what] for major, what in file_evidence(text)],
        "parsed": None,
        "helper_logs": 0,
        "classes": [],
    }


def has_syntax(summary: dict[str, Any]) -> bool:
    """Has the syntax tier been computed (``add_syntax``)?"""
    return summary.get("parsed") is not None


def add_syntax(summary: dict[str, Any], text: str, path: str) -> dict[str, Any]:
    """Fill the syntax tier of ``summary`` (classes, helper log calls) from one ``ast.parse``."""
    from flake8_lightning.model.metrics import NOT_MODULES

    summary["parsed"], summary["helper_logs"], summary["classes"] = False, 0, []
    try:
        tree = ast.parse(text, filename=path)
    except Exception:  # syntax errors, too deep nesting (RecursionError, MemoryError), NUL bytes  # noqa: BLE001
        return summary
    found: dict[str, Any] = {}
    try:
        _Summarizer(tree, text, summary, os.path.basename(path) == "__init__.py", NOT_MODULES).fill(found)
    except RecursionError:  # a pathological tree: summarised as unparsed (every question unknown)
        return summary
    summary.update(found, parsed=True)
    return summary


def children(node: ast.AST) -> list[ast.AST]:
    return list(ast.iter_child_nodes(node))


#: A ``class`` statement starts a logical line: counting these (and a few in strings) tells
#: whether every class is at module level, where a shallow look finds them all.
_CLASS_LINE = re.compile(r"^[ \t\f]*class\b", re.M)


class _Summarizer:
    """One module's syntax tier.

    Cheap by design (a tree walk in Python costs several times ``ast.parse``):
    only module-level statements are looked at for bindings (a module-level
    class's bases are looked up there, and nowhere else); the whole tree is
    walked only when the text says it must be (classes nested in functions,
    ``global`` or ``:=``, which can bind module names from anywhere; a
    possible helper log call); and method bodies are walked only in classes
    whose bases may be Lightning's or the project's.
    """

    def __init__(self, tree: ast.Module, text: str, summary: dict[str, Any], package: bool, not_modules: frozenset[str]) -> None:
        from flake8_lightning.model.loading import HEAVY_PACKAGES

        self.tree = tree
        self.text = text
        self.modname = summary["module"]
        self.package = package
        self.not_modules = not_modules
        self.heavy = HEAVY_PACKAGES
        self.words = summary["words"]
        self.want_helpers = summary["may_log_on_a_module"]
        #: How many times each name is bound at module level.
        self.counts: dict[str, int] = {}
        #: The (last) module-level binding statement of each name.
        self.module_bindings: dict[str, ast.AST] = {}
        self.lines: list[str] | None = None
        #: Every class: the node, its qualified name in the module, and whether it is at module level.
        self.classes: list[tuple[ast.ClassDef, str, bool]] = []

    def fill(self, summary: dict[str, Any]) -> None:
        self._module_level()
        if self.text.count("class") != len(self.classes) and len(_CLASS_LINE.findall(self.text)) != len(self.classes):
            self._all_classes()  # some class is not at module level (or a string starts a line with "class")
        helper_logs = 0
        if self.want_helpers:
            helper_logs = sum(1 for node in ast.walk(self.tree) if self._is_helper_log(node))
        summary["helper_logs"] = helper_logs
        summary["classes"] = [self._class(cls, qualname, top) for cls, qualname, top in self.classes]

    # -- bindings ------------------------------------------------------------

    def _bind(self, name: str, node: ast.AST) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1
        self.module_bindings[name] = node

    def _module_level(self) -> None:
        """Count the module-level bindings of each name; find the module-level classes."""
        if "global" in self.words or ":=" in self.text:
            self._bindings_anywhere()  # a function may bind a module name: look everywhere
        stack: list[ast.AST] = list(reversed(self.tree.body))
        while stack:
            stmt = stack.pop()
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                for alias in stmt.names:
                    if alias.name == "*":
                        continue  # never expanded (see loading.py): binds nothing the model sees
                    bound = alias.asname or (alias.name.split(".")[0] if isinstance(stmt, ast.Import) else alias.name)
                    self._bind(bound, stmt)
                continue
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self._bind(stmt.name, stmt)
                if isinstance(stmt, ast.ClassDef):
                    self.classes.append((stmt, stmt.name, True))
                continue
            nested: list[ast.AST] = []
            for field, value in ast.iter_fields(stmt):
                if field in ("body", "orelse", "finalbody") and isinstance(value, list):
                    nested.extend(value)
                elif field == "handlers":
                    for handler in value:
                        if handler.name:
                            self._bind(handler.name, handler)
                        if handler.type is not None:
                            self._names_bound(handler.type)
                        nested.extend(handler.body)
                elif field == "cases":
                    for case in value:
                        self._names_bound(case.pattern)
                        if case.guard is not None:
                            self._names_bound(case.guard)
                        nested.extend(case.body)
                elif isinstance(value, list):
                    for item in value:
                        if isinstance(item, ast.AST):
                            self._names_bound(item)
                elif isinstance(value, ast.AST):
                    self._names_bound(value)
            stack.extend(reversed(nested))

    def _names_bound(self, node: ast.AST) -> None:
        """Names an expression (or a pattern, a ``with`` item) binds (comprehension targets too)."""
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and not isinstance(inner.ctx, ast.Load):
                self._bind(inner.id, inner)
            elif isinstance(inner, (ast.MatchAs, ast.MatchStar)) and inner.name:
                self._bind(inner.name, inner)
            elif isinstance(inner, ast.MatchMapping) and inner.rest:
                self._bind(inner.rest, inner)

    def _bindings_anywhere(self) -> None:
        """Names a function may bind in the module (``global``) or an expression may (``:=``),
        from the text: each counts twice, so that none of them is ever taken as bound once."""
        for name in _global_names(self.text) + _walrus_names(self.text):
            self.counts[name] = self.counts.get(name, 0) + 2

    def _all_classes(self) -> None:
        """Every class, nested ones too (iteratively), with its qualified name."""
        self.classes = []
        stack: list[tuple[ast.AST, str, bool]] = [(self.tree, "", True)]
        while stack:
            node, prefix, top = stack.pop()
            inner_prefix, inner_top = prefix, top
            if isinstance(node, ast.ClassDef):
                self.classes.append((node, prefix + node.name, top))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner_prefix, inner_top = f"{prefix}{node.name}.", False
            elif isinstance(node, ast.Lambda):
                inner_top = False
            stack.extend((child, inner_prefix, inner_top) for child in reversed(list(ast.iter_child_nodes(node))))
        # a class in a module-level ``if``/``try`` block is at module level too
        top_level = {id(cls) for cls, _, top in self._shallow_classes()}
        self.classes = [(cls, name, id(cls) in top_level) for cls, name, _ in self.classes]

    def _shallow_classes(self) -> list[tuple[ast.ClassDef, str, bool]]:
        found = []
        stack: list[ast.AST] = list(self.tree.body)
        while stack:
            stmt = stack.pop()
            if isinstance(stmt, ast.ClassDef):
                found.append((stmt, stmt.name, True))
            elif not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for field in ("body", "orelse", "finalbody"):
                    stack.extend(getattr(stmt, field, None) or [])
                for handler in getattr(stmt, "handlers", None) or []:
                    stack.extend(handler.body)
                for case in getattr(stmt, "cases", None) or []:
                    stack.extend(case.body)
        return found

    # -- bases ---------------------------------------------------------------

    def _base(self, expr: ast.expr, cls: ast.ClassDef, top: bool) -> list[str]:
        if isinstance(expr, ast.Subscript):
            expr = expr.value
        chain: list[str] = []
        while isinstance(expr, ast.Attribute):
            chain.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return ["other", ""]
        chain.reverse()
        root = expr.id
        dotted = ".".join([root, *chain])
        if not top:
            return ["unknown", dotted]  # a class in a function: its scopes may bind the name
        count = self.counts.get(root, 0)
        if count == 0:
            # Nothing binds it (module attributes such as ``__name__`` excepted): the model
            # cannot resolve it either.
            return ["unknown", dotted] if root.startswith("__") else ["unbound", dotted]
        binding = self.module_bindings.get(root)
        if count != 1 or binding is None or getattr(binding, "lineno", cls.lineno) >= cls.lineno:
            return ["unknown", dotted]
        if isinstance(binding, ast.ClassDef):
            return ["local", dotted] if not chain else ["unknown", dotted]
        if isinstance(binding, ast.Import):
            for alias in binding.names:
                if alias.asname == root:
                    return ["import", ".".join([alias.name, *chain])]
                if alias.asname is None and alias.name.split(".")[0] == root:
                    return ["import", dotted]
            return ["unknown", dotted]
        if isinstance(binding, ast.ImportFrom):
            for alias in binding.names:
                if (alias.asname or alias.name) == root:
                    if binding.level:
                        base = self._relative(binding.module or "", binding.level)
                        if base is None:
                            return ["unknown", dotted]
                        return ["relative", ".".join(p for p in (base, alias.name, *chain) if p)]
                    return ["import", ".".join([binding.module or "", alias.name, *chain])]
        return ["unknown", dotted]

    def _relative(self, modname: str, level: int) -> str | None:
        """The absolute name a relative import reads from, from this module's name."""
        parts = self.modname.split(".")
        if not self.package:
            parts = parts[:-1]
        up = level - 1
        if up > len(parts):
            return None
        base = parts[: len(parts) - up]
        return ".".join([*base, modname] if modname else base) or None

    # -- classes -------------------------------------------------------------

    def _matters(self, bases: list[list[str]]) -> bool:
        """May a class with these bases be Lightning's or descend from a project class?"""
        return any(
            kind not in ("unbound", "other")
            and not (kind == "import" and text.split(".")[0] in self.heavy and not text.startswith(_LIGHTNING))
            for kind, text in bases
        )

    def _class(self, cls: ast.ClassDef, qualname: str, top: bool) -> dict[str, Any]:
        bases = [self._base(base, cls, top) for base in cls.bases]
        methods = [
            {"name": stmt.name, "line": stmt.lineno, "params": _params(stmt.args)}
            for stmt in cls.body
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        found = {"name": cls.name, "qualname": qualname, "line": cls.lineno, "bases": bases, "methods": methods}
        if self._matters(bases):
            found.update(self._details(cls))
        else:  # a torch module, a plain class: its method bodies are not walked
            found.update(automatic_optimization=None, logs=None, calls=None)
        return found

    def _segment(self, node: ast.AST) -> str:
        """The source lines of a statement."""
        if self.lines is None:
            self.lines = self.text.split("\n")
        return "\n".join(self.lines[node.lineno - 1 : getattr(node, "end_lineno", None) or node.lineno])

    def _details(self, cls: ast.ClassDef) -> dict[str, Any]:
        """Its modes, logged names and called attributes. A method's body is walked only when
        its text holds what is looked for (``.log``, ``automatic_optimization``); the called
        attribute names are read from the text (``.name(``: a superset, strings included)."""
        automatic: list[dict[str, Any]] = []
        logs: dict[str, list[dict[str, Any]]] = {}
        segment = self._segment(cls)
        calls = set(_CALLED.findall(segment))
        wants_logs, wants_modes = ".log" in segment, "automatic_optimization" in segment
        for stmt in cls.body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id in _AUTOMATIC:
                        automatic.append({"in": "<class>", "line": stmt.lineno, "value": _constant_bool(stmt.value)})
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if stmt.name in _AUTOMATIC:
                automatic.append({"in": "<property>", "line": stmt.lineno, "value": None})
            if not (wants_logs or wants_modes):
                continue
            method_text = self._segment(stmt)
            if not (wants_logs and ".log" in method_text) and not (wants_modes and "automatic_optimization" in method_text):
                continue
            static = any(isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod") for d in stmt.decorator_list)
            positional = stmt.args.posonlyargs + stmt.args.args
            self_name = None if static or not positional else positional[0].arg
            if self_name is None:
                continue
            for node in ast.walk(stmt):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    receiver = node.func.value
                    if node.func.attr in ("log", "log_dict") and isinstance(receiver, ast.Name) and receiver.id == self_name:
                        logs.setdefault(stmt.name, []).extend(_logged(node))
                elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        if (
                            isinstance(target, ast.Attribute)
                            and target.attr in _AUTOMATIC
                            and isinstance(target.value, ast.Name)
                            and target.value.id == self_name
                        ):
                            automatic.append({"in": stmt.name, "line": node.lineno, "value": _constant_bool(node.value)})
        return {"automatic_optimization": automatic, "logs": logs, "calls": sorted(calls)}

    def _is_helper_log(self, node: ast.AST) -> bool:
        """A ``<x>.log(...)``/``<x>.log_dict(...)`` call that may log on a module handed to the code.

        A superset of ``MetricFacts._is_helper_log`` (which also rules out
        receivers bound by an import): a module without one needs no astroid
        tree for ``MetricFacts.helpers``.
        """
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            return False
        if node.func.attr not in ("log", "log_dict"):
            return False
        receiver = node.func.value
        if isinstance(receiver, ast.Name):
            return receiver.id != "self" and receiver.id not in self.not_modules
        return isinstance(receiver, ast.Attribute) and receiver.attr not in ("logger", "experiment", "loggers")


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _global_names(text: str) -> list[str]:
    """The words after each ``global`` keyword of the text (linear: no leading ``\\b`` search)."""
    names: list[str] = []
    at = text.find("global")
    while at >= 0:
        end = at + len("global")
        if (at == 0 or not _is_word_char(text[at - 1])) and (end == len(text) or not _is_word_char(text[end])):
            match = _GLOBAL_NAMES.match(text, end)
            names.extend(_WORD.findall(match.group() if match else ""))
        at = text.find("global", end)
    return names


def _walrus_names(text: str) -> list[str]:
    """The word before each ``:=`` of the text, read backwards (linear)."""
    names: list[str] = []
    at = text.find(":=")
    while at >= 0:
        end = at
        while end > 0 and (text[end - 1].isspace() or text[end - 1] == "\\"):
            end -= 1
        start = end
        while start > 0 and _is_word_char(text[start - 1]):
            start -= 1
        if start < end:
            names.append(text[start:end])
        at = text.find(":=", at + 2)
    return names


def _params(args: ast.arguments) -> list[str]:
    params = [a.arg for a in (*args.posonlyargs, *args.args)]
    if args.vararg is not None:
        params.append("*" + args.vararg.arg)
    params.extend(a.arg for a in args.kwonlyargs)
    if args.kwarg is not None:
        params.append("**" + args.kwarg.arg)
    return params


def _constant_bool(value: ast.expr | None) -> bool | None:
    if isinstance(value, ast.Constant) and isinstance(value.value, bool):
        return value.value
    return None


def _logged(call: ast.Call) -> list[dict[str, Any]]:
    """What one ``self.log``/``self.log_dict`` call logs: names, f-string patterns, or unknown."""
    if isinstance(call.func, ast.Attribute) and call.func.attr == "log":
        return [_name(_argument(call, 0, "name"))]
    found = _argument(call, 0, "dictionary")
    if isinstance(found, ast.Dict):
        return [_name(key) if key is not None else {"unknown": True} for key in found.keys]
    return [{"unknown": True}]


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return None
    return call.args[position] if len(call.args) > position else None


def _name(expr: ast.expr | None) -> dict[str, Any]:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {"name": expr.value}
    if isinstance(expr, ast.JoinedStr):
        segments = [""]
        for value in expr.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                segments[-1] += value.value
            elif segments[-1] or len(segments) == 1:
                segments.append("")
        if len(segments) > 1 and any(segments):
            return {"pattern": segments}
    return {"unknown": True}


# -- questions the model asks of summaries ---------------------------------------------------


def base_may_be(base: list[str], lightning_name: str | None, heavy: frozenset[str], local) -> bool:  # noqa: ANN001
    """May this base put a project class (``lightning_name`` None) or Lightning's
    ``lightning_name`` class into the hierarchy? False only when certainly not.

    ``heavy``: the packages the model never reads (``loading.HEAVY_PACKAGES``):
    a name imported from one is always external to the project. ``local(name)``
    answers the question for a class of the same module.
    """
    kind, text = base
    if kind in ("unbound", "other"):
        return False  # unresolved for the model too: neither a project class nor Lightning's
    if kind == "import" and text.split(".")[0] in heavy:
        if lightning_name is None:
            return False
        return text.startswith(("lightning.", "pytorch_lightning.")) and text.rsplit(".", 1)[-1] == lightning_name
    if kind == "local":
        return lightning_name is None or local(text)
    return True


def candidate_classes(summary: dict[str, Any] | None, lightning_name: str | None, heavy: frozenset[str]) -> bool:
    """May the module define a class whose hierarchy holds a project class (``lightning_name``
    None) or Lightning's ``lightning_name`` class? False only when certainly not."""
    if summary is None:
        return False  # not readable: the project holds no module for it either
    if not summary.get("parsed"):
        return True
    classes = summary["classes"]
    if not classes:
        return False
    names = {cls["name"] for cls in classes}
    maybe: set[str] = set()  # local classes that may be such a class (a fixpoint: no recursion)
    changed = True
    while changed:
        changed = False
        for cls in classes:
            if cls["name"] in maybe:
                continue
            if any(base_may_be(b, lightning_name, heavy, lambda n: n in maybe or n not in names) for b in cls["bases"]):
                maybe.add(cls["name"])
                changed = True
    return bool(maybe)


def logs_literally(summary: dict[str, Any] | None, name: str) -> bool:
    """Does the module define a certain LightningModule whose own methods ``self.log("<name>")``?

    Certain: a base is ``LightningModule`` imported from Lightning by an
    absolute import bound once. Then the model finds it a LightningModule, and
    what it logs holds ``name`` (or is unknown, when a base is not Lightning's
    or it defines its own ``log``): ``MetricFacts.logged_by(cls).may_log(name)``
    holds, with no tree built.
    """
    if not summary or not summary.get("parsed"):
        return False
    for cls in summary["classes"]:
        if not cls["logs"] or not any(
            kind == "import" and text.startswith(_LIGHTNING) and text.rsplit(".", 1)[-1] == "LightningModule"
            for kind, text in cls["bases"]
        ):
            continue
        if any(entry.get("name") == name for entries in cls["logs"].values() for entry in entries):
            return True
    return False


def well_formed(summary: object) -> bool:
    """Is ``summary`` a summary of this format, in every field a question reads?

    A cache folder is not trusted: an entry that parses but is not a summary
    (written by something else, or by hand) is a miss, never a crash.
    """
    if not isinstance(summary, dict) or summary.get("format") != SUMMARY_FORMAT:
        return False
    checks = (
        isinstance(summary.get("module"), str),
        _strings(summary.get("words")),
        isinstance(summary.get("log_call"), bool),
        isinstance(summary.get("may_log_on_a_module"), bool),
        summary.get("parsed") in (True, False, None),
        type(summary.get("helper_logs")) is int,
        isinstance(summary.get("version_evidence"), list)
        and all(
            isinstance(pair, list) and len(pair) == 2 and type(pair[0]) is int and isinstance(pair[1], str)
            for pair in summary["version_evidence"]
        ),
        isinstance(summary.get("classes"), list) and all(_well_formed_class(c) for c in summary["classes"]),
    )
    return all(checks)


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _well_formed_class(cls: object) -> bool:
    if not isinstance(cls, dict) or not isinstance(cls.get("name"), str):
        return False
    bases = cls.get("bases")
    if not isinstance(bases, list) or not all(isinstance(b, list) and len(b) == 2 and _strings(b) for b in bases):
        return False
    logs = cls.get("logs")
    if logs is None:
        return True
    return isinstance(logs, dict) and all(
        isinstance(entries, list) and all(isinstance(e, dict) for e in entries) for entries in logs.values()
    )
