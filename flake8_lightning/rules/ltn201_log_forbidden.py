"""LTN201: ``self.log`` in a hook where Lightning forbids it."""

from __future__ import annotations

import os
import re

from flake8_lightning.lightning_api import (
    CALLBACK_HOOKS,
    EPOCH_ONLY_LOG_HOOKS,
    LOG_FORBIDDEN,
    LOG_HOOKS_ADDED_IN_2,
    LOG_OPTIONS,
)
from flake8_lightning.registry import Rule, any_call, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, Reach, is_self, methods, self_name, walk, target_version, ProjectTooLarge, may_be_fabric_driven
    from astroid import nodes

    from flake8_lightning.model.hooks import Reach
    from flake8_lightning.model.lightning import is_self, methods, self_name, walk
    from flake8_lightning.model.project import ProjectTooLarge
    from flake8_lightning.model.training import may_be_fabric_driven
    from flake8_lightning.model.version import target_version


#: When a forbidden hook first runs in ``trainer.fit`` (or the entry point that calls it).
WHEN = {
    "prepare_data": "when trainer.fit starts",
    "setup": "when trainer.fit starts",
    "configure_model": "when trainer.fit starts",
    "configure_sharded_model": "when trainer.fit starts",
    "configure_optimizers": "when trainer.fit starts",
    "configure_callbacks": "when trainer.fit starts",
    "on_fit_start": "when trainer.fit starts",
    "train_dataloader": "when trainer.fit starts",
    "val_dataloader": "when trainer.fit starts",
    "test_dataloader": "when trainer.test starts",
    "predict_dataloader": "when trainer.predict starts",
    "on_sanity_check_start": "when trainer.fit starts",
    "on_sanity_check_end": "after the sanity check",
    "on_before_batch_transfer": "at the first batch",
    "transfer_batch_to_device": "at the first batch",
    "on_after_batch_transfer": "at the first batch",
    "on_validation_model_eval": "at the first validation",
    "on_validation_model_zero_grad": "at the first validation",
    "on_validation_model_train": "after the first validation",
    "on_validation_end": "after the first validation (the sanity check)",
    "on_test_model_eval": "when trainer.test starts",
    "on_test_model_train": "at the end of trainer.test",
    "on_test_end": "at the end of trainer.test",
    "lr_scheduler_step": "at the first scheduler step",
    "state_dict": "at the first checkpoint",
    "on_save_checkpoint": "at the first checkpoint",
    "load_state_dict": "when resuming from a checkpoint",
    "on_load_checkpoint": "when resuming from a checkpoint",
    "on_train_end": "after the whole run",
    "on_fit_end": "after the whole run",
    "teardown": "after the whole run",
    "on_exception": "when the run fails",
}
#: An allowed hook that runs at about the same point, for the fix.
INSTEAD = {
    "on_validation_end": "on_validation_epoch_end",
    "on_validation_model_train": "on_validation_epoch_end",
    "on_sanity_check_end": "on_validation_epoch_end",
    "on_test_end": "on_test_epoch_end",
    "on_test_model_train": "on_test_epoch_end",
    "on_train_end": "on_train_epoch_end",
    "on_fit_end": "on_train_epoch_end",
    "teardown": "on_train_epoch_end",
    "lr_scheduler_step": "on_train_epoch_end",
    "on_save_checkpoint": "on_train_epoch_end",
    "state_dict": "on_train_epoch_end",
}
#: Methods that are not hooks yet are called by Lightning or torch: never "a helper".
_ENTRY_POINTS = frozenset({"__init__", "forward", "__call__"})


@register
class LogWhereForbidden(Rule):
    """``self.log`` in a hook where Lightning raises, or with ``on_step``/``on_epoch`` it rejects.

    ## What it does
    Flags ``self.log``/``self.log_dict`` in a LightningModule hook where
    Lightning's ``_FxValidator`` forbids logging (``setup``,
    ``configure_optimizers``, ``on_fit_start``, ``*_dataloader``,
    ``on_validation_end``, ``on_save_checkpoint``, ``lr_scheduler_step``,
    ``on_train_end``, ``teardown``, predict hooks, ...), in a helper method
    called only from such hooks, and ``pl_module.log`` in the same hooks of a
    Callback. Also flags ``on_step=True`` or ``on_epoch=False`` in hooks that
    run once per epoch (``on_train_epoch_end``, ``on_validation_start``, ...).

    ## Why is this bad?
    Lightning raises ``MisconfigurationException: You can't `self.log()`
    inside `on_validation_end``` when the hook first runs: for
    ``on_train_end`` and ``teardown``, after the whole run, so the final
    metrics and anything after ``trainer.fit`` are lost. The verdicts are the
    same in Lightning 1.9 and 2.x.

    ## Example
    ```python
    import lightning as L
    import torch


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(32, 1)

        def training_step(self, batch, batch_idx):
            return self.layer(batch).pow(2).mean()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

        def on_train_end(self):
            self.log("final_weight_norm", self.layer.weight.norm())
    ```

    ## Use instead
    ```python
    import lightning as L
    import torch


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(32, 1)

        def training_step(self, batch, batch_idx):
            return self.layer(batch).pow(2).mean()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

        def on_train_epoch_end(self):
            self.log("weight_norm", self.layer.weight.norm())
    ```

    ## Known limits
    Only logs directly in a hook's body or in helper methods of the same class
    called only from forbidden hooks (and named nowhere else in the project)
    are checked; a Callback's helpers are not followed. Projects that use
    Lightning Fabric are skipped (``self.log`` goes to ``fabric.log_dict``
    there). ``configure_model`` and ``on_validation_model_zero_grad`` are
    checked only when the project certainly targets 2.x (1.9 has no such hooks).
    """

    needs = any_call("log", "log_dict")
    code = "LTN201"
    name = "log-where-forbidden"
    impact = "MisconfigurationException when the hook first runs (after the whole run for `on_train_end`)."
    message = (
        "{call}() in {where} raises MisconfigurationException {when}: Lightning forbids logging in "
        "{hook}; {fix}"
    )
    level_message = (
        "{call}({flag}={value}) in {where} raises MisconfigurationException when it first runs: {hook} runs "
        "once per epoch; log without {flag}={value}"
    )

    def visit_Call(self, node: nodes.Call) -> None:
        func = node.func
        if not isinstance(func, nodes.Attribute) or func.attrname not in ("log", "log_dict"):
            return
        method = node.frame()
        cls = method.parent if isinstance(method, nodes.FunctionDef) else None
        if not isinstance(cls, nodes.ClassDef):
            return
        facts = self.ctx.facts
        if is_self(func.expr, method) and facts.is_lightning_module(cls):
            if facts.defines_member(cls, func.attrname):
                return  # the project's own log
            found = self._module_hook(cls, method)
            if found is None:
                return
            hook, where = found
        elif self._is_pl_module(func.expr, method) and facts.is_callback(cls):
            hook, where = method.name, f"{method.name}()"
        else:
            return
        call = f"{func.expr.as_string()}.{func.attrname}"
        if hook in LOG_FORBIDDEN:
            if hook in LOG_HOOKS_ADDED_IN_2:
                version = target_version(self.ctx.project, self.ctx.config.lightning_version)
                if not version.at_least(2):
                    return  # 1.x has no such hook and never calls it
            if may_be_fabric_driven(self.ctx.facts, cls):
                return
            alternative = INSTEAD.get(hook)
            logger = f"{func.expr.as_string()}.logger.log_metrics(...)"
            fix = (
                f"log from {alternative} or write to {logger}"
                if alternative
                else f"write to {logger} or log from an allowed hook"
            )
            when = WHEN.get(hook, "when the hook first runs")
            self.report(node, call=call, where=where, when=when, hook=hook, fix=fix)
        elif hook in EPOCH_ONLY_LOG_HOOKS and func.attrname == "log":
            for keyword in node.keywords or []:
                value = keyword.value
                if not isinstance(value, nodes.Const) or not isinstance(value.value, bool):
                    continue
                if (keyword.arg, value.value) in (("on_step", True), ("on_epoch", False)):
                    if may_be_fabric_driven(self.ctx.facts, cls):
                        return
                    self.report(
                        keyword,
                        self.level_message,
                        call=call,
                        flag=keyword.arg,
                        value=value.value,
                        where=where,
                        hook=hook,
                    )
                    return

    def _module_hook(self, cls: nodes.ClassDef, method: nodes.FunctionDef) -> tuple[str, str] | None:
        """The hook ``method`` runs under and how to name the place, or None when unsure."""
        name = method.name
        facts = self.ctx.facts
        classes = facts.hierarchy(cls).classes
        if name in LOG_OPTIONS:
            if _self_calls(classes, name, None):
                return None  # the project calls the hook itself, maybe under another hook
            return name, f"{name}()"
        if name in _ENTRY_POINTS or name.startswith("__") or name in CALLBACK_HOOKS:
            return None
        reach = Reach.of(facts, cls)
        defined = {m.name for klass in classes for m in methods(klass)}
        hooks = [hook for hook in sorted(defined & LOG_FORBIDDEN) if name in reach.from_([hook])]
        if not hooks:
            return None
        from_forbidden = reach.from_(hooks)
        others = [m for m in defined if m not in from_forbidden]
        if name in reach.from_(others):
            return None  # also reached from an allowed hook or another entry point
        if self._named_elsewhere(name, _self_calls(classes, name, from_forbidden)):
            return None
        return hooks[0], f"{name}() (called only from {hooks[0]}())"

    def _named_elsewhere(self, name: str, calls: int) -> bool:
        """Is ``name`` used in the project other than by its definitions and ``calls`` self-calls?"""
        word = re.compile(rf"\b{re.escape(name)}\b")
        text = _without_comments(self.ctx.source)
        definitions = len(re.findall(rf"\bdef\s+{re.escape(name)}\b", text))
        if len(word.findall(text)) > definitions + calls:
            return True
        here = os.path.abspath(self.ctx.module.file or "")
        try:
            return any(os.path.abspath(path) != here for path in self.ctx.project.files_with_word(name, word))
        except ProjectTooLarge:
            return True

    @staticmethod
    def _is_pl_module(expr: nodes.NodeNG, method: nodes.FunctionDef) -> bool:
        """``expr`` is the ``pl_module`` parameter of a Callback hook (third positional)."""
        if method.name not in CALLBACK_HOOKS or self_name(method) is None:
            return False
        args = method.args.posonlyargs + method.args.args
        return len(args) >= 3 and isinstance(expr, nodes.Name) and expr.name == args[2].name

_COMMENT = re.compile(r"#[^\n]*")


def _without_comments(text: str) -> str:
    return _COMMENT.sub("", text)


def _self_calls(classes: list, name: str, callers: frozenset[str] | None) -> int:
    """How many ``self.<name>(...)`` calls the methods of ``classes`` make (only ``callers``' if given)."""
    return sum(
        1
        for klass in classes
        for caller in methods(klass)
        if callers is None or caller.name in callers
        for node in walk(caller)
        if isinstance(node, nodes.Call)
        and isinstance(node.func, nodes.Attribute)
        and node.func.attrname == name
        and is_self(node.func.expr, caller)
    )
