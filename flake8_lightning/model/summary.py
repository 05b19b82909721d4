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
        _Summarizer(tree, summary["module"], os.path.basename(path) == "__init__.py", NOT_MODULES).fill(found)
    except RecursionError:  # a pathological tree: summarised as unparsed (every question unknown)
        return summary
    summary.update(found, parsed=True)
    return summary


def children(node: ast.AST) -> list[ast.AST]:
    return list(ast.iter_child_nodes(node))


class _Summarizer:
    def __init__(self, tree: ast.Module, modname: str, package: bool, not_modules: frozenset[str]) -> None:
        self.tree = tree
        self.modname = modname
        self.package = package
        self.not_modules = not_modules
        #: How many times each name is bound anywhere in the module (any scope).
        self.counts: dict[str, int] = {}
        #: The module-level binding statement of each name bound once at module level.
        self.module_bindings: dict[str, ast.AST] = {}
        #: Every class, with its enclosing scope path (for qualnames).
        self.classes: list[tuple[ast.ClassDef, str]] = []

    def fill(self, summary: dict[str, Any]) -> None:
        self._scan()
        helper_logs = 0
        for node in ast.walk(self.tree):
            if self._is_helper_log(node):
                helper_logs += 1
        summary["helper_logs"] = helper_logs
        summary["classes"] = [self._class(cls, qualname) for cls, qualname in self.classes]

    # -- bindings ------------------------------------------------------------

    def _bind(self, name: str, node: ast.AST, module_level: bool) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1
        if module_level:
            self.module_bindings[name] = node

    def _scan(self) -> None:
        """Count every binding of every name, iteratively; note module-level ones and classes."""
        stack: list[tuple[ast.AST, bool, str]] = [(self.tree, True, "")]
        while stack:
            node, module_level, prefix = stack.pop()
            inner_level, inner_prefix = module_level, prefix
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if alias.name == "*":
                        continue  # never expanded (see loading.py): binds nothing the model sees
                    bound = alias.asname or (alias.name.split(".")[0] if isinstance(node, ast.Import) else alias.name)
                    self._bind(bound, node, module_level)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self._bind(node.name, node, module_level)
                inner_level, inner_prefix = False, f"{prefix}{node.name}."
                if isinstance(node, ast.ClassDef):
                    self.classes.append((node, prefix + node.name))
            elif isinstance(node, ast.Lambda):
                inner_level = False
            elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                self._bind(node.id, node, module_level)
            elif isinstance(node, ast.arg):
                self._bind(node.arg, node, False)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                self._bind(node.name, node, module_level)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                for name in node.names:
                    self._bind(name, node, False)
            elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
                self._bind(node.name, node, module_level)
            elif isinstance(node, ast.MatchMapping) and node.rest:
                self._bind(node.rest, node, module_level)
            elif type(node).__name__ in ("TypeVar", "ParamSpec", "TypeVarTuple"):
                self._bind(getattr(node, "name", ""), node, False)
            if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                inner_level = False
            stack.extend((child, inner_level, inner_prefix) for child in reversed(children(node)))

    # -- bases ---------------------------------------------------------------

    def _base(self, expr: ast.expr, cls: ast.ClassDef) -> list[str]:
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

    def _class(self, cls: ast.ClassDef, qualname: str) -> dict[str, Any]:
        methods = []
        automatic: list[dict[str, Any]] = []
        logs: dict[str, list[dict[str, Any]]] = {}
        calls: set[str] = set()
        for stmt in cls.body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id in _AUTOMATIC:
                        automatic.append({"in": "<class>", "line": stmt.lineno, "value": _constant_bool(stmt.value)})
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            params = _params(stmt.args)
            methods.append({"name": stmt.name, "line": stmt.lineno, "params": params})
            if stmt.name in _AUTOMATIC:
                automatic.append({"in": "<property>", "line": stmt.lineno, "value": None})
            static = any(isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod") for d in stmt.decorator_list)
            positional = stmt.args.posonlyargs + stmt.args.args
            self_name = None if static or not positional else positional[0].arg
            for node in ast.walk(stmt):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    calls.add(node.func.attr)
                    receiver = node.func.value
                    if (
                        self_name is not None
                        and node.func.attr in ("log", "log_dict")
                        and isinstance(receiver, ast.Name)
                        and receiver.id == self_name
                    ):
                        logs.setdefault(stmt.name, []).extend(_logged(node))
                elif (
                    self_name is not None
                    and isinstance(node, (ast.Assign, ast.AnnAssign))
                ):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        if (
                            isinstance(target, ast.Attribute)
                            and target.attr in _AUTOMATIC
                            and isinstance(target.value, ast.Name)
                            and target.value.id == self_name
                        ):
                            automatic.append({"in": stmt.name, "line": node.lineno, "value": _constant_bool(node.value)})
        return {
            "name": cls.name,
            "qualname": qualname,
            "line": cls.lineno,
            "bases": [self._base(base, cls) for base in cls.bases],
            "methods": methods,
            "automatic_optimization": automatic,
            "logs": logs,
            "calls": sorted(calls),
        }

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
