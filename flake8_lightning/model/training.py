"""Which LightningModules a Trainer fits, and which modules a callback applies to.

A callback built somewhere (``ModelCheckpoint(...)`` in a script, in
``configure_callbacks``) applies to the modules the Trainer built there fits:
the models passed to ``trainer.fit``/``validate``/``test`` (or
``LightningCLI``) in the same function, resolved across files; otherwise
every LightningModule of the project. ``UNKNOWN`` when that is not known:
the rules stay silent.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from astroid import nodes

from flake8_lightning.model.lightning import Facts, argument, enclosing_method, is_lightning_class
from flake8_lightning.model.project import ProjectTooLarge
from flake8_lightning.model.unknown import UNKNOWN, Maybe

if TYPE_CHECKING:
    from collections.abc import Iterator

#: A file that sets up Lightning Fabric: ``Fabric(...)`` or ``fabric.setup``.
FABRIC_SETUP = re.compile(r"\bFabric\s*\(|\bfabric\s*\.\s*setup\b")


def may_be_fabric_driven(facts: Facts, cls: nodes.ClassDef) -> bool:
    """A file that sets up Lightning Fabric names ``cls``: Fabric, not the Trainer, may drive it.

    Under Fabric, ``self.log`` goes to ``fabric.log_dict`` (no hook validator) and only
    the hooks the code calls with ``fabric.call`` run, with its arguments. True when the
    project is too large to tell.
    """
    project = facts.project

    def scan() -> bool:
        name = re.compile(rf"\b{re.escape(cls.name)}\b")
        try:
            # Both spellings hold "abric": a substring check passes over most files.
            return any(name.search(project.text(p) or "") for p in project.files_matching(FABRIC_SETUP, "abric"))
        except ProjectTooLarge:
            return True

    return project.cached(("fabric_driven", cls.name), scan)  # type: ignore[no-any-return]


#: Trainer methods that run a model with the Trainer's callbacks.
RUN_METHODS = frozenset({"fit", "validate", "test"})
#: Methods whose presence in a hierarchy makes a module runnable on its own.
STEP_METHODS = ("training_step", "validation_step", "test_step")


def callback_modules(facts: Facts, node: nodes.NodeNG, monitor: str | None = None) -> Maybe[list[nodes.ClassDef]]:
    """The LightningModule classes a callback constructed at ``node`` applies to, or UNKNOWN.

    In ``configure_callbacks``: the class and its project subclasses;
    elsewhere: the classes the Trainer run in the same scope fits. With the
    callback's ``monitor``, see ``trained_classes``.
    """
    owner = enclosing_method(node)
    if owner is not None and owner.method.name == "configure_callbacks":
        return configured_modules(facts, owner.cls)
    return trained_classes(facts, node, monitor)


def configured_modules(facts: Facts, cls: nodes.ClassDef) -> Maybe[list[nodes.ClassDef]]:
    """The modules a base class's ``configure_*`` applies to: it and every project subclass.

    UNKNOWN when the class, without project subclasses, defines no
    ``*_step``: an abstract base whose subclasses the project does not show.
    """
    if not facts.is_lightning_module(cls):
        return UNKNOWN
    subclasses = facts.subclasses(cls)
    if not subclasses and not any(step in k.locals for k in facts.hierarchy(cls).classes for step in STEP_METHODS):
        return UNKNOWN
    return [cls, *subclasses]


def trained_classes(facts: Facts, node: nodes.NodeNG, monitor: str | None = None) -> Maybe[list[nodes.ClassDef]]:
    """The classes trained with callbacks built at ``node``, or UNKNOWN.

    When they are every LightningModule of the project and a ``monitor`` is
    given, a module that may log it (looked for first in the files that name
    it) settles the question without parsing the whole project: UNKNOWN,
    nothing to report whichever module is trained.
    """
    scope = run_scope(node)
    models = list(run_models(facts, scope))
    if not models:
        from flake8_lightning.model.metrics import MetricFacts

        if monitor is not None and MetricFacts.of(facts).some_module_may_log(monitor):
            return UNKNOWN
        found = facts.lightning_modules()
        return found or UNKNOWN
    classes: list[nodes.ClassDef] = []
    for model in models:
        resolved = facts.model_classes(model)
        if resolved is UNKNOWN:
            return UNKNOWN
        classes.extend(resolved)
    return classes


def run_models(facts: Facts, scope: nodes.NodeNG) -> Iterator[nodes.NodeNG | None]:
    """Model arguments of ``trainer.fit/validate/test`` and ``LightningCLI`` in ``scope``."""
    resolver = facts.resolver
    for node in same_scope(scope):
        if not isinstance(node, nodes.Call):
            continue
        func = node.func
        if isinstance(func, nodes.Attribute) and func.attrname in RUN_METHODS and facts.is_trainer(func.expr):
            yield argument(node, 0, "model")
        else:
            qualname = resolver.qualname(func)
            if qualname and is_lightning_class(qualname, "LightningCLI"):
                yield argument(node, 0, "model_class")


def run_scope(node: nodes.NodeNG) -> nodes.NodeNG:
    """The function (or module) whose statements build and run the trainer."""
    current = node.parent
    while current is not None and not isinstance(current, (nodes.FunctionDef, nodes.Module)):
        current = current.parent
    return current if current is not None else node.root()


def same_scope(scope: nodes.NodeNG) -> Iterator[nodes.NodeNG]:
    """Nodes of ``scope`` outside nested functions and classes."""
    stack = list(scope.get_children())
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (nodes.FunctionDef, nodes.ClassDef, nodes.Lambda)):
            stack.extend(node.get_children())
