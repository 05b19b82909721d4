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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from astroid import nodes

from flake8_lightning.model.loading import HEAVY_PACKAGES

if TYPE_CHECKING:
    from flake8_lightning.model.project import Project

MAX_DEPTH = 40


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

    def __init__(self, project: Project) -> None:
        self.project = project
        self._active: set[tuple[int, str]] = set()

    def resolve(self, expr: nodes.NodeNG, _depth: int = 0) -> Target:
        if _depth > MAX_DEPTH:
            return None
        if isinstance(expr, nodes.Name):
            return self._resolve_bindings(bindings(expr, expr.name), expr.name, _depth)
        if isinstance(expr, nodes.Attribute):
            base = self.resolve(expr.expr, _depth + 1)
            return self.member(base, expr.attrname, expr, _depth + 1)
        if isinstance(expr, nodes.Const):
            return expr
        return None

    def qualname(self, expr: nodes.NodeNG) -> str | None:
        """The qualified name of an external thing ``expr`` names, else None."""
        target = self.resolve(expr)
        return target.qualname if isinstance(target, External) else None

    def member(self, base: Target, attr: str, context: nodes.NodeNG, depth: int = 0) -> Target:
        if isinstance(base, External):
            return base.child(attr)
        if isinstance(base, ProjectModule):
            return self._module_member(base, attr, context, depth)
        if isinstance(base, nodes.ClassDef):
            return self._resolve_bindings(base.locals.get(attr, []), attr, depth)
        return None

    # -- internals ----------------------------------------------------------

    def _resolve_bindings(self, found: list[nodes.NodeNG], name: str, depth: int) -> Target:
        if not found:
            return None
        results = []
        for binding in found:
            key = (id(binding), name)
            if key in self._active:  # an import cycle
                return None
            self._active.add(key)
            try:
                results.append(self._resolve_binding(binding, name, depth + 1))
            finally:
                self._active.discard(key)
        first = results[0]
        if first is None or any(r is not first and r != first for r in results[1:]):
            return None
        return first

    def _resolve_binding(self, node: nodes.NodeNG, name: str, depth: int) -> Target:
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
                    return self._module_member(self._module(base, node), orig, node, depth)
            return None
        if isinstance(node, nodes.AssignName):
            parent = node.parent
            if isinstance(parent, nodes.Assign) and node in parent.targets:
                return self.resolve(parent.value, depth + 1)
            if isinstance(parent, nodes.AnnAssign) and parent.target is node and parent.value is not None:
                return self.resolve(parent.value, depth + 1)
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

    def _module_member(self, base: Target, attr: str, context: nodes.NodeNG, depth: int) -> Target:
        if isinstance(base, External):
            return base.child(attr)
        if not isinstance(base, ProjectModule):
            return None
        if base.module is not None and attr in base.module.locals:
            return self._resolve_bindings(base.module.locals[attr], attr, depth)
        # ``from pkg import submodule``
        sub = self._module(f"{base.name}.{attr}", context)
        return sub if isinstance(sub, ProjectModule) else None
