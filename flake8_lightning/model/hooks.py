"""Which methods run inside which Lightning hooks.

``Reach`` answers which methods of a class hierarchy run from given hooks,
following ``self.<method>(...)`` calls. Hook names are in ``lightning_api``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from astroid import nodes

from flake8_lightning.lightning_api import CALLBACK_HOOKS, MODULE_HOOKS  # noqa: F401 - re-exported
from flake8_lightning.model.lightning import Facts, is_self, methods, walk

if TYPE_CHECKING:
    from collections.abc import Iterable

#: Hooks that run while training, around ``training_step`` (not inside it).
TRAINING_TIME_HOOKS = frozenset(
    {
        "on_train_batch_start",
        "on_train_batch_end",
        "on_train_epoch_start",
        "on_train_epoch_end",
        "on_before_optimizer_step",
        "on_before_backward",
        "on_after_backward",
        "on_before_zero_grad",
        "optimizer_step",
    }
)
#: Hooks that run outside ``training_step``, where Lightning's step counter is detached.
OUTSIDE_TRAINING_STEP = frozenset(
    {
        "on_train_batch_start",
        "on_train_batch_end",
        "on_train_epoch_start",
        "on_train_epoch_end",
        "on_train_start",
        "on_train_end",
        "on_fit_start",
        "on_fit_end",
        "validation_step",
        "on_validation_batch_end",
        "on_validation_epoch_end",
        "on_validation_end",
        "test_step",
        "predict_step",
    }
)


class Reach:
    """Which methods of a class hierarchy run from given entry methods."""

    def __init__(self, facts: Facts, cls: nodes.ClassDef) -> None:
        self.facts = facts
        self.cls = cls
        self._definitions: dict[str, list[nodes.FunctionDef]] = {}
        for klass in facts.hierarchy(cls).classes:
            for method in methods(klass):
                self._definitions.setdefault(method.name, []).append(method)

    @classmethod
    def of(cls, facts: Facts, klass: nodes.ClassDef) -> Reach:
        return facts.project.cached((cls, klass), lambda: cls(facts, klass))

    def from_(self, entries: Iterable[str]) -> frozenset[str]:
        """Names of the methods that ``entries`` run, themselves included."""
        key = frozenset(entries)
        return self.facts.project.cached(("reach", self.cls, key), lambda: self._reach(key))

    def _reach(self, entries: frozenset[str]) -> frozenset[str]:
        seen: set[str] = set()
        todo = [name for name in entries if name in self._definitions]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for method in self._definitions.get(name, []):
                for node in walk(method):
                    if (
                        isinstance(node, nodes.Call)
                        and isinstance(node.func, nodes.Attribute)
                        and is_self(node.func.expr, method)
                        and node.func.attrname in self._definitions
                    ):
                        todo.append(node.func.attrname)
        return frozenset(seen)

    def training_step(self) -> frozenset[str]:
        """``training_step`` and every method it calls, transitively."""
        return self.from_(["training_step"])
