"""Facts about Lightning classes: hierarchy, optimization mode, optimizer attributes.

Everything a rule needs to know about a class lives here, computed once per
class and process, over the project classes of its hierarchy (across files,
mixins included). Rules ask questions; they never walk hierarchies themselves.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from astroid import nodes

from flake8_lightning.model.budget import Budget, Memo
from flake8_lightning.model.names import External, Resolver, bindings
from flake8_lightning.model.unknown import UNKNOWN, Maybe

if TYPE_CHECKING:
    from collections.abc import Iterator

    from flake8_lightning.model.project import Project

LIGHTNING_PACKAGES = ("lightning.", "pytorch_lightning.")

#: External bases that are known never to change Lightning's behaviour.
NEUTRAL_BASE_PREFIXES = ("lightning.", "pytorch_lightning.", "torch.", "abc.", "typing.", "builtins.")
NEUTRAL_BASES = frozenset({"object", "torch.nn.Module", "abc.ABC", "typing.Generic"})

#: ``torch.optim`` classes that are optimizers (not schedulers or utilities).
TORCH_OPTIMIZERS = frozenset(
    {
        "ASGD",
        "Adadelta",
        "Adafactor",
        "Adagrad",
        "Adam",
        "AdamW",
        "Adamax",
        "LBFGS",
        "Muon",
        "NAdam",
        "RAdam",
        "RMSprop",
        "Rprop",
        "SGD",
        "SparseAdam",
    }
)


def is_lightning_class(qualname: str, name: str) -> bool:
    """``lightning.pytorch.core.module.LightningModule`` and friends."""
    return qualname.startswith(LIGHTNING_PACKAGES) and qualname.rsplit(".", 1)[-1] == name


def is_torch_optimizer(qualname: str | None) -> bool:
    """``torch.optim.Adam`` or ``torch.optim.adam.Adam``; never a scheduler."""
    if not qualname or not qualname.startswith("torch.optim."):
        return False
    rest = qualname[len("torch.optim.") :].split(".")
    return len(rest) <= 2 and rest[-1] in TORCH_OPTIMIZERS and rest[0] != "lr_scheduler"


#: Passes a subclass scan seeded with one class's name may take before the
#: project's LightningModules are filtered instead (see ``Facts._subclasses``).
SEEDED_SCAN_PASSES = 8


class Mode(enum.Enum):
    """What ``automatic_optimization`` is for a class."""

    AUTOMATIC = "automatic"  # certainly never set to False
    MANUAL = "manual"  # set to False where it takes effect
    UNKNOWN = UNKNOWN  # the model's unknown: set to something not constant, or outside the project


@dataclass
class Hierarchy:
    """A class and its ancestors: project classes in approximate MRO order."""

    classes: list[nodes.ClassDef] = field(default_factory=list)
    externals: list[str] = field(default_factory=list)
    unresolved: bool = False

    #: The same classes as a set, for ``cls in hierarchy`` in constant time.
    members: set[nodes.ClassDef] = field(default_factory=set, repr=False)

    def __contains__(self, cls: nodes.ClassDef) -> bool:
        return cls in self.members

    def is_(self, lightning_name: str) -> bool:
        return any(is_lightning_class(q, lightning_name) for q in self.externals)

    @property
    def only_neutral_externals(self) -> bool:
        return not self.unresolved and all(
            q in NEUTRAL_BASES or q.startswith(NEUTRAL_BASE_PREFIXES) for q in self.externals
        )


def self_name(method: nodes.FunctionDef) -> str | None:
    """The name of a method's instance parameter, or None for static methods."""
    if any(
        isinstance(d, nodes.Name) and d.name in {"staticmethod", "classmethod"}
        for d in (method.decorators.nodes if method.decorators else [])
    ):
        return None
    args = method.args.posonlyargs + method.args.args
    return args[0].name if args else None


def methods(cls: nodes.ClassDef) -> Iterator[nodes.FunctionDef]:
    for stmt in cls.body:
        if isinstance(stmt, nodes.FunctionDef):
            yield stmt


def walk(node: nodes.NodeNG) -> Iterator[nodes.NodeNG]:
    """All nodes below ``node``, iteratively (deep nesting cannot overflow)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(current.get_children())))


def is_self(expr: nodes.NodeNG, method: nodes.FunctionDef) -> bool:
    name = self_name(method)
    return name is not None and isinstance(expr, nodes.Name) and expr.name == name


class Enclosing(NamedTuple):
    """A class and the method of that class whose body holds some node."""

    cls: nodes.ClassDef
    method: nodes.FunctionDef


class MethodCall(NamedTuple):
    """``<expr>.<name>(...)`` inside a class's method: the class, the method, the called attribute."""

    cls: nodes.ClassDef
    method: nodes.FunctionDef
    func: nodes.Attribute


def enclosing_method(node: nodes.NodeNG) -> Enclosing | None:
    """The class and the method of that class whose body holds ``node``."""
    current = node
    while current is not None:
        parent = current.parent
        if isinstance(current, nodes.FunctionDef) and isinstance(parent, nodes.ClassDef):
            return Enclosing(parent, current)
        current = parent
    return None


def returns(function: nodes.FunctionDef, bare: bool = False) -> list[nodes.Return]:
    """The ``return value`` statements of ``function`` itself, not of nested functions
    (with ``bare``, plain ``return`` statements too)."""
    return [
        node
        for node in walk(function)
        if isinstance(node, nodes.Return) and (bare or node.value is not None) and node.scope() is function
    ]


def argument(call: nodes.Call, position: int | None, keyword: str) -> nodes.NodeNG | None:
    """A call's argument by keyword, else by position (None when unknowable or absent)."""
    for kw in call.keywords or []:
        if kw.arg == keyword:
            return kw.value
    if position is None or any(isinstance(a, nodes.Starred) for a in call.args[: position + 1]):
        return None
    return call.args[position] if len(call.args) > position else None


def method_call(node: nodes.Call, attrnames: frozenset[str] | set[str] | tuple[str, ...]) -> MethodCall | None:
    """For ``<expr>.<name>(...)`` with ``name`` in ``attrnames`` inside a class's method:
    the class, the method and the called attribute."""
    func = node.func
    if not isinstance(func, nodes.Attribute) or func.attrname not in attrnames:
        return None
    found = enclosing_method(node)
    return None if found is None else MethodCall(found.cls, found.method, func)


def assigned_value(target: nodes.NodeNG) -> Maybe[nodes.NodeNG | None]:
    """The expression assigned to an ``AssignAttr``/``AssignName`` target, or UNKNOWN."""
    parent = target.parent
    if isinstance(parent, nodes.Assign):
        if target in parent.targets:
            return parent.value
        if isinstance(parent.value, (nodes.Tuple, nodes.List)):
            for tgt in parent.targets:
                if isinstance(tgt, (nodes.Tuple, nodes.List)) and target in tgt.elts:
                    elts = parent.value.elts
                    index = tgt.elts.index(target)
                    if len(elts) == len(tgt.elts) and not any(isinstance(e, nodes.Starred) for e in elts):
                        return elts[index]
        return UNKNOWN
    if isinstance(parent, nodes.AnnAssign):
        return parent.value if parent.value is not None else None
    return UNKNOWN


class Facts:
    """Per-project, per-process facts about classes. Cached on the project."""

    def __init__(self, project: Project) -> None:
        self.project = project
        #: Depth and work limits shared by every memoised question about this project.
        self.budget = Budget()
        self.resolver = Resolver(project, self.budget)
        self._hierarchies: dict[nodes.ClassDef, Hierarchy] = {}
        self._bases: dict[nodes.ClassDef, tuple[list[nodes.ClassDef], list[str], bool]] = {}
        self._self_assigns: dict[nodes.ClassDef, dict[str, list[nodes.AssignAttr]]] = {}
        self._modes: dict[nodes.ClassDef, Mode] = {}
        self._settings: dict[nodes.ClassDef, list[Mode]] = {}
        self._trainers: Memo[bool] = Memo(self.budget, False)
        self._models: Memo[Maybe[list[nodes.ClassDef]]] = Memo(self.budget, UNKNOWN)

    @classmethod
    def of(cls, project: Project) -> Facts:
        return project.cached(cls, lambda: cls(project))

    # -- hierarchy ------------------------------------------------------------

    def hierarchy(self, cls: nodes.ClassDef) -> Hierarchy:
        cached = self._hierarchies.get(cls)
        if cached is None:
            cached = self._hierarchies[cls] = self._compute_hierarchy(cls)
        return cached

    def _compute_hierarchy(self, cls: nodes.ClassDef) -> Hierarchy:
        """A depth-first walk over each class's own bases, resolved once per class.

        Iterative, so a long inheritance chain is no deeper for Python than a
        short one; past ``budget.max_classes`` classes the hierarchy is unresolved.
        """
        result = Hierarchy()
        seen = result.members
        stack = [cls]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            if len(seen) >= self.budget.max_classes:
                result.unresolved = True
                break
            seen.add(current)
            result.classes.append(current)
            bases, externals, unresolved = self._own_bases(current)
            result.externals.extend(externals)
            result.unresolved = result.unresolved or unresolved
            stack.extend(reversed(bases))
        return result

    def _own_bases(self, cls: nodes.ClassDef) -> tuple[list[nodes.ClassDef], list[str], bool]:
        """The project classes, external qualified names, and whether some base is unknown."""
        found = self._bases.get(cls)
        if found is None:
            bases: list[nodes.ClassDef] = []
            externals: list[str] = []
            unresolved = False
            for base in cls.bases:
                expr = base.value if isinstance(base, nodes.Subscript) else base
                target = self.resolver.resolve(expr)
                if isinstance(target, nodes.ClassDef):
                    bases.append(target)
                elif isinstance(target, External):
                    externals.append(target.qualname)
                else:
                    unresolved = True
            found = self._bases[cls] = (bases, externals, unresolved)
        return found

    def is_lightning_module(self, cls: nodes.ClassDef) -> bool:
        return self.hierarchy(cls).is_("LightningModule")

    def is_callback(self, cls: nodes.ClassDef) -> bool:
        return self.hierarchy(cls).is_("Callback")

    def is_trainer(self, expr: nodes.NodeNG) -> bool:
        """``Trainer(...)``, ``Trainer.from_argparse_args(...)``, or a name bound only to those.

        Each name and binding is answered once (a name rebound in every branch
        of a long ``if/else`` chain is not re-walked per path); unknown is False.
        """
        if isinstance(expr, nodes.Call):
            func = expr.func
            if isinstance(func, nodes.Attribute) and func.attrname.startswith("from_"):
                func = func.expr  # a classmethod constructor
            target = self.resolver.resolve(func)
            if isinstance(target, nodes.ClassDef):
                return self.hierarchy(target).is_("Trainer")
            return is_lightning_class(getattr(target, "qualname", ""), "Trainer")
        if isinstance(expr, nodes.Name):
            return self._trainers(expr, lambda: self._name_is_trainer(expr))
        return False

    def model_classes(self, expr: nodes.NodeNG | None) -> Maybe[list[nodes.ClassDef]]:
        """The project LightningModule classes ``expr`` may be an instance (or class) of.

        ``Model(...)``, ``Model.load_from_checkpoint(...)``, a name bound only to
        those, or the class itself; UNKNOWN otherwise. Memoised per expression.
        """
        if expr is None:
            return UNKNOWN
        return self._models(expr, lambda: self._compute_model_classes(expr))

    def _compute_model_classes(self, expr: nodes.NodeNG) -> Maybe[list[nodes.ClassDef]]:
        if isinstance(expr, nodes.Call):
            func = expr.func
            if isinstance(func, nodes.Attribute) and func.attrname == "load_from_checkpoint":
                func = func.expr
            return self.model_classes(func) if not isinstance(func, nodes.Call) else UNKNOWN
        if isinstance(expr, nodes.Name):
            found = bindings(expr, expr.name)
            if found and all(isinstance(b, nodes.AssignName) and isinstance(b.parent, nodes.Assign) for b in found):
                classes: list[nodes.ClassDef] = []
                for binding in found:
                    resolved = self.model_classes(binding.parent.value)
                    if resolved is UNKNOWN:
                        return UNKNOWN
                    classes.extend(c for c in resolved if c not in classes)
                return classes
        target = self.resolver.resolve(expr)
        if isinstance(target, nodes.ClassDef) and self.is_lightning_module(target):
            return [target]
        return UNKNOWN

    def _name_is_trainer(self, name: nodes.Name) -> bool:
        found = bindings(name, name.name)
        return bool(found) and all(self._trainers(b, lambda b=b: self._binding_is_trainer(b)) for b in found)

    def _binding_is_trainer(self, binding: nodes.NodeNG) -> bool:
        return (
            isinstance(binding, nodes.AssignName)
            and isinstance(binding.parent, nodes.Assign)
            and self.is_trainer(binding.parent.value)
        )

    def subclasses(self, cls: nodes.ClassDef) -> list[nodes.ClassDef]:
        """Project classes anywhere in the project whose hierarchy includes ``cls``."""
        return self.project.cached(("subclasses", cls), lambda: self._subclasses(cls))

    def _subclasses(self, cls: nodes.ClassDef) -> list[nodes.ClassDef]:
        def keep(node: nodes.ClassDef) -> bool:
            return node is not cls and cls in self.hierarchy(node)

        if "lightning_modules" not in self.project.memo:
            # Before the project's LightningModules are known (an editor run
            # on one model), a scan seeded with the class's own name reads only
            # the files that name it or its subclasses. A long chain of
            # subclasses across files takes a pass per level: past a few, the
            # filter below answers the same in one pass per class.
            found = self._scan_classes({cls.name}, keep, max_passes=SEEDED_SCAN_PASSES, candidates=None)
            if found is not None:
                return found
        modules = self.lightning_modules()
        if cls in self.project.cached("lightning_modules_set", lambda: frozenset(modules)):
            # A subclass of a LightningModule is one, and a file that names a
            # found subclass names a found LightningModule: filtering the
            # modules finds every subclass a scan of its own would (and any it
            # would miss are subclasses too), without a text search per class
            # (a 400-class chain made that cubic).
            return [node for node in modules if keep(node)]
        return self._scan_classes({cls.name}, keep, candidates=None) or []

    def lightning_modules(self) -> list[nodes.ClassDef]:
        """Every LightningModule the project defines."""
        return self.project.cached(
            "lightning_modules",
            lambda: self._scan_classes({"LightningModule"}, self.is_lightning_module, candidates="LightningModule") or [],
        )

    def _scan_classes(  # noqa: ANN001
        self, seeds: set[str], keep, max_passes: int | None = None, *, candidates: str | None
    ) -> list[nodes.ClassDef] | None:
        """Project classes that ``keep`` accepts, found by a fixpoint over names.

        Only files whose text mentions a known name (a seed, or a class found
        so far) are looked at, so a large project costs a text scan, not a
        parse; and each text is scanned once (into its set of words), however
        many passes and names the fixpoint takes. Of those, only the files
        whose summary may define a class ``keep`` accepts get an astroid tree:
        ``candidates`` is the Lightning class every accepted class descends
        from (``"LightningModule"``), or None when ``keep`` accepts only
        classes with a project class in their hierarchy (``Project.may_define``).
        None when it needs more than ``max_passes`` passes.
        """
        found: dict[nodes.ClassDef, None] = {}
        names, searched = set(seeds), set()
        passes = 0
        while names - searched:
            passes += 1
            if max_passes is not None and passes > max_passes:
                return None
            batch = names - searched
            searched |= batch
            for path in self.project.files_naming(batch):
                if not self.project.may_define(path, candidates):
                    continue
                for node in self.classes_in(self.project.module(path)):
                    if node not in found and keep(node):
                        found[node] = None
                        names.add(node.name)
        return list(found)

    def classes_in(self, module: nodes.Module | None) -> list[nodes.ClassDef]:
        if module is None:
            return []
        return self.project.cached(("classes", module), lambda: [n for n in walk(module) if isinstance(n, nodes.ClassDef)])

    def defines_member(self, cls: nodes.ClassDef, name: str) -> bool:
        """True when a project class of the hierarchy defines a method/property ``name``."""
        return any(
            any(isinstance(b, nodes.FunctionDef) for b in c.locals.get(name, []))
            for c in self.hierarchy(cls).classes
        )

    # -- attributes -----------------------------------------------------------

    def self_assignments(self, cls: nodes.ClassDef) -> dict[str, list[nodes.AssignAttr]]:
        """``self.<attr> = ...`` targets in the methods of one class (not its bases)."""
        cached = self._self_assigns.get(cls)
        if cached is None:
            cached = {}
            for method in methods(cls):
                name = self_name(method)
                if name is None:
                    continue
                for node in walk(method):
                    if (
                        isinstance(node, nodes.AssignAttr)
                        and isinstance(node.expr, nodes.Name)
                        and node.expr.name == name
                    ):
                        cached.setdefault(node.attrname, []).append(node)
            self._self_assigns[cls] = cached
        return cached

    def attribute_values(self, cls: nodes.ClassDef, attr: str) -> list[Maybe[nodes.NodeNG | None]]:
        """Every value the hierarchy assigns to ``self.<attr>`` (instance or class level)."""
        values: list[Maybe[nodes.NodeNG | None]] = []
        for klass in self.hierarchy(cls).classes:
            values.extend(assigned_value(t) for t in self.self_assignments(klass).get(attr, []))
            for binding in klass.locals.get(attr, []):
                if isinstance(binding, nodes.AssignName):
                    values.append(assigned_value(binding))
        return values

    # -- automatic optimization -----------------------------------------------------

    def optimization_mode(self, cls: nodes.ClassDef) -> Mode:
        """Computed once per class (over each class's settings, also computed once)."""
        mode = self._modes.get(cls)
        if mode is None:
            mode = self._modes[cls] = self._compute_mode(cls)
        return mode

    def _compute_mode(self, cls: nodes.ClassDef) -> Mode:
        hierarchy = self.hierarchy(cls)
        if not hierarchy.only_neutral_externals:
            return Mode.UNKNOWN
        mode = Mode.AUTOMATIC
        for klass in hierarchy.classes:
            settings = self._settings.get(klass)
            if settings is None:
                settings = self._settings[klass] = list(self._mode_settings(klass))
            for found in settings:
                if found is Mode.UNKNOWN:
                    return Mode.UNKNOWN
                if found is Mode.MANUAL:
                    mode = Mode.MANUAL
        return mode

    def _mode_settings(self, klass: nodes.ClassDef) -> Iterator[Mode]:
        """What each place in ``klass`` that sets automatic optimization sets it to."""
        for name in ("automatic_optimization", "_automatic_optimization"):
            for binding in klass.locals.get(name, []):
                if isinstance(binding, nodes.FunctionDef):  # an overriding property
                    yield self._property_mode(binding)
                elif isinstance(binding, nodes.AssignName):
                    yield _constant_mode(assigned_value(binding))
                else:
                    yield Mode.UNKNOWN
            for target in self.self_assignments(klass).get(name, []):
                if self.misplaced(target):
                    continue
                yield _constant_mode(assigned_value(target))

    def certainly_automatic(self, cls: nodes.ClassDef) -> bool:
        """A LightningModule that, with its project subclasses, is certainly automatic."""
        if not self.is_lightning_module(cls) or self.optimization_mode(cls) is not Mode.AUTOMATIC:
            return False
        return all(self.optimization_mode(sub) is Mode.AUTOMATIC for sub in self.subclasses(cls))

    def sets_optimization_mode(self, cls: nodes.ClassDef) -> bool:
        """Some class of the hierarchy sets ``automatic_optimization`` anywhere (even misplaced)."""
        return any(
            name in klass.locals or self.self_assignments(klass).get(name)
            for klass in self.hierarchy(cls).classes
            for name in ("automatic_optimization", "_automatic_optimization")
        )

    def calls_method(self, cls: nodes.ClassDef, attrname: str) -> bool:
        """Some method of the hierarchy calls ``<anything>.<attrname>(...)``."""
        return any(
            isinstance(node, nodes.Call)
            and isinstance(node.func, nodes.Attribute)
            and node.func.attrname == attrname
            for klass in self.hierarchy(cls).classes
            for method in methods(klass)
            for node in walk(method)
        )

    @staticmethod
    def _property_mode(prop: nodes.FunctionDef) -> Mode:
        returns = [n for n in walk(prop) if isinstance(n, nodes.Return)]
        modes = {_constant_mode(r.value) for r in returns}
        if modes == {Mode.AUTOMATIC}:
            return Mode.AUTOMATIC
        if modes == {Mode.MANUAL}:
            return Mode.MANUAL
        return Mode.UNKNOWN

    @staticmethod
    def misplaced(target: nodes.AssignAttr) -> bool:
        """An assignment in ``__init__`` before ``super().__init__()``: reset to True."""
        found = enclosing_method(target)
        if found is None or found.method.name != "__init__":
            return False
        method = found.method
        if target.scope() is not method:
            return False
        super_lines = [n.lineno for n in walk(method) if is_super_init(n) and n.scope() is method]
        return bool(super_lines) and target.lineno < min(super_lines)


def _constant_mode(value: object) -> Mode:
    if isinstance(value, nodes.Const) and isinstance(value.value, bool):
        return Mode.AUTOMATIC if value.value else Mode.MANUAL
    return Mode.UNKNOWN


def is_super_init(node: nodes.NodeNG) -> bool:
    """``super().__init__(...)``, ``super(C, self).__init__(...)`` or ``Base.__init__(self, ...)``."""
    if not isinstance(node, nodes.Call) or not isinstance(node.func, nodes.Attribute):
        return False
    if node.func.attrname != "__init__":
        return False
    receiver = node.func.expr
    if isinstance(receiver, nodes.Call) and isinstance(receiver.func, nodes.Name):
        return receiver.func.name == "super"
    return isinstance(receiver, (nodes.Name, nodes.Attribute)) and bool(node.args)


def running_init(cls: nodes.ClassDef) -> nodes.FunctionDef | None:
    """The ``__init__`` a class body defines last (the one that runs), if it is a plain method."""
    found = cls.locals.get("__init__", [])
    last = found[-1] if found else None
    if isinstance(last, nodes.FunctionDef) and last.parent is cls:
        return last
    return None


def super_init_statement(init: nodes.FunctionDef) -> nodes.Expr | None:
    """The ``super().__init__(...)`` statement at the top level of ``__init__``."""
    for statement in init.body:
        if isinstance(statement, nodes.Expr) and is_super_init(statement.value):
            return statement
    return None
