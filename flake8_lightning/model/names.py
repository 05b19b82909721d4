"""What a name refers to, resolved through the project's own files only.

``resolve(expr)`` answers one of:

* ``External("lightning.pytorch.LightningModule")``: a name from outside the
  project, known only by its qualified name. Third-party code is never read.
* ``ProjectModule(module)``: a module of the project.
* an astroid node of the project: a ``ClassDef``, a ``FunctionDef`` or the
  value an alias or constant is bound to (``VAL_LOSS = "val_loss"`` gives the
  ``Const``).
* ``None``: unknown. Like pylint's ``safe_infer``, anything ambiguous (several
  bindings that disagree, a parameter, a star import, a cycle) is unknown, and
  unknown means the rules stay silent.

Each expression and each binding is resolved once (``budget.Memo``): a name
bound in every branch of 19 nested ``if/elif/else`` costs 57 looks, not
``3 ** 19``. A chain of aliases deeper than the budget is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from astroid import nodes

from flake8_lightning.model.budget import Budget, Memo
from flake8_lightning.model.loading import HEAVY_PACKAGES

if TYPE_CHECKING:
    from flake8_lightning.model.project import Project


@dataclass(frozen=True)
class External:
    """Something outside the project, by qualified name."""

    qualname: str

    def child(self, attr: str) -> External:
        return External(f"{self.qualname}.{attr}")


@dataclass(frozen=True)
class ProjectModule:
    """A module of the project (``module`` is None for a namespace folder)."""

    name: str
    module: nodes.Module | None

    def __hash__(self) -> int:
        return hash(self.name)


Target = Union[External, ProjectModule, nodes.NodeNG, None]


def _visible(node: nodes.NodeNG, name: str) -> bool:
    scope = node.scope()
    while scope is not None:
        if name in scope.locals:
            return True
        scope = scope.parent.scope() if scope.parent is not None else None
    return False


def bindings(node: nodes.NodeNG, name: str) -> list[nodes.NodeNG]:
    """The statements that bind ``name`` where ``node`` reads it (no builtins)."""
    if not _visible(node, name):
        return []
    try:
        return list(node.lookup(name)[1])
    except Exception:  # astroid lookups can fail on odd trees  # noqa: BLE001
        return []


def absolute_module(node: nodes.ImportFrom) -> str | None:
    """The absolute module name an ``ImportFrom`` reads from."""
    if not node.level:
        return node.modname
    try:
        return node.root().relative_to_absolute_name(node.modname, node.level)
    except Exception:  # too many dots  # noqa: BLE001
        return None


class Resolver:
    """Resolve names and attribute chains for one project."""

    def __init__(self, project: Project, budget: Budget | None = None) -> None:
        self.project = project
        self.budget = budget or Budget()
        self._expressions: Memo[Target] = Memo(self.budget, None)
        self._bindings: Memo[Target] = Memo(self.budget, None)

    def resolve(self, expr: nodes.NodeNG) -> Target:
        """What ``expr`` refers to."""
        if isinstance(expr, nodes.Const):
            return expr
        if isinstance(expr, (nodes.Name, nodes.Attribute)):
            return self._expressions(expr, lambda: self._resolve_expression(expr))
        return None

    def qualname(self, expr: nodes.NodeNG) -> str | None:
        """The qualified name of an external thing ``expr`` names, else None."""
        target = self.resolve(expr)
        return target.qualname if isinstance(target, External) else None

    def member(self, base: Target, attr: str, context: nodes.NodeNG) -> Target:
        if isinstance(base, External):
            return base.child(attr)
        if isinstance(base, ProjectModule):
            return self._module_member(base, attr, context)
        if isinstance(base, nodes.ClassDef):
            return self._resolve_bindings(base.locals.get(attr, []), attr)
        return None

    # -- internals ----------------------------------------------------------

    def _resolve_expression(self, expr: nodes.Name | nodes.Attribute) -> Target:
        if isinstance(expr, nodes.Name):
            return self._resolve_bindings(bindings(expr, expr.name), expr.name)
        return self.member(self.resolve(expr.expr), expr.attrname, expr)

    def _resolve_bindings(self, found: list[nodes.NodeNG], name: str) -> Target:
        """The one target every binding agrees on (a cycle or a budget overrun: None)."""
        if not found:
            return None
        results = []
        for binding in found:
            result = self._bindings((binding, name), lambda binding=binding: self._resolve_binding(binding, name))
            if result is None:
                return None
            results.append(result)
        first = results[0]
        if any(r is not first and r != first for r in results[1:]):
            return None
        return first

    def _resolve_binding(self, node: nodes.NodeNG, name: str) -> Target:
        if isinstance(node, (nodes.ClassDef, nodes.FunctionDef)):
            return node
        if isinstance(node, nodes.Import):
            for modname, asname in node.names:
                if asname == name:
                    return self._module(modname, node)
                if asname is None and modname.split(".")[0] == name:
                    return self._module(name, node)
            return None
        if isinstance(node, nodes.ImportFrom):
            base = absolute_module(node)
            if base is None:
                return None
            for orig, asname in node.names:
                if (asname or orig) == name:
                    return self._module_member(self._module(base, node), orig, node)
            return None
        if isinstance(node, nodes.AssignName):
            parent = node.parent
            if isinstance(parent, nodes.Assign) and node in parent.targets:
                return self.resolve(parent.value)
            if isinstance(parent, nodes.AnnAssign) and parent.target is node and parent.value is not None:
                return self.resolve(parent.value)
        return None

    def _module(self, modname: str, importer: nodes.NodeNG) -> Target:
        if modname.split(".")[0] in HEAVY_PACKAGES:
            return External(modname)
        path_of = importer.root().file
        if not path_of or path_of == "<?>":
            return External(modname)
        found = self.project.find_module(modname, path_of)
        if found is not None:
            return ProjectModule(modname, self.project.module(found))
        if self.project.is_package_module(modname, path_of):
            return ProjectModule(modname, None)
        return External(modname)

    def _module_member(self, base: Target, attr: str, context: nodes.NodeNG) -> Target:
        if isinstance(base, External):
            return base.child(attr)
        if not isinstance(base, ProjectModule):
            return None
        if base.module is not None and attr in base.module.locals:
            return self._resolve_bindings(base.module.locals[attr], attr)
        # ``from pkg import submodule``
        sub = self._module(f"{base.name}.{attr}", context)
        return sub if isinstance(sub, ProjectModule) else None
