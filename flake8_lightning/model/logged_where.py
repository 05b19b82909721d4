"""In which hooks a metric may be logged: "only validation logs it" (LTN204's step-interval plateau).

``metrics`` answers which names a module may log; this module answers where:
whether every ``self.log``/``self.log_dict`` that may produce a name runs in
a validation hook. Anything unsure (a log in a helper method, a pattern that
may be anything, a Callback's ``pl_module.log`` of that name, a base class from
outside the project, a custom ``log``) answers False: the rules stay silent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from astroid import nodes

from flake8_lightning.model.lightning import is_self, methods, walk
from flake8_lightning.model.metrics import MetricFacts, Names, _logged_by_call
from flake8_lightning.model.project import ProjectTooLarge

if TYPE_CHECKING:
    from flake8_lightning.model.lightning import Facts

#: LightningModule hooks that run only in a validation loop (the sanity check included).
VALIDATION_HOOKS = frozenset(
    {
        "validation_step",
        "on_validation_start",
        "on_validation_epoch_start",
        "on_validation_batch_start",
        "on_validation_batch_end",
        "on_validation_epoch_end",
        "on_validation_end",
    }
)


def only_validation_logs(facts: Facts, classes: list[nodes.ClassDef], name: str) -> bool:
    """Each of ``classes`` logs ``name`` (or a fork of it) somewhere, and only ever in validation hooks."""
    key = ("only_validation_logs", tuple(classes), name)
    memo = facts.project.memo
    if key not in memo:
        memo[key] = _compute(facts, classes, name)
    return bool(memo[key])


def _compute(facts: Facts, classes: list[nodes.ClassDef], name: str) -> bool:
    metrics = MetricFacts.of(facts)
    try:
        helpers = metrics.helpers()
    except ProjectTooLarge:
        return False
    if helpers.anything or helpers.may_log(name):
        return False  # a Callback (or other project code) may log it on the module
    for cls in classes:
        logged = metrics.logged_by(cls)
        if logged.anything or not logged.may_log(name):
            return False  # unknown, or never logged (LTN003's)
        for klass in facts.hierarchy(cls).classes:
            for method in methods(klass):
                for node in walk(method):
                    if not (isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute)):
                        continue
                    if node.func.attrname not in ("log", "log_dict") or not is_self(node.func.expr, method):
                        continue
                    one = Names()
                    _logged_by_call(node, method.name, facts, one)
                    if (one.anything or one.may_log(name)) and method.name not in VALIDATION_HOOKS:
                        return False
    return True
