"""LTN106: a hook Lightning 2.x never calls (removed, or a near-miss of a real name)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flake8_lightning.lightning_api import (
    CALLBACK_HOOKS,
    MODULE_HOOKS,
    REMOVED_CALLBACK,
    REMOVED_MODULE,
    SILENTLY_NEVER_CALLED,
    datamodule_near_miss,
    hook_shaped,
    near_miss,
    removed_hook_consequence,
)
from flake8_lightning.registry import Needs, Rule, heavy_imports, register

if TYPE_CHECKING:
    from collections.abc import Iterator


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, target_version
    from astroid import nodes

    from flake8_lightning.model.version import target_version


#: A method definition's name. Linear: the name is a single ``\w+`` run (the
#: old hook-shaped pattern, ``\w*_(?:step|epoch|batch)\w*``, was quadratic on
#: a long word). No leading ``\b``: it stops ``re`` from jumping to each
#: ``def`` by its literal prefix (20x slower over django); ``_defined_names``
#: checks the word boundary instead.
_DEF = re.compile(r"def\s+(\w+)\s*\(")


def _defined_names(text: str) -> Iterator[str]:
    for match in _DEF.finditer(text):
        at = match.start()
        if at == 0 or not (text[at - 1].isalnum() or text[at - 1] == "_"):
            yield match.group(1)


def defines_dead_hook(text: str) -> bool:
    """A method named like a removed hook or a misspelled one: the only candidates."""
    return any(_maybe_dead(name) or datamodule_near_miss(name) for name in _defined_names(text))


def _maybe_dead(name: str) -> bool:
    """Could ``visit_FunctionDef`` report a method with this name, in either kind of class?"""
    if len(name) > 64 or not hook_shaped(name):  # far longer than any hook: no near miss
        return False
    if name in REMOVED_MODULE or name in REMOVED_CALLBACK:
        return True
    return near_miss(name, MODULE_HOOKS) is not None or near_miss(name, CALLBACK_HOOKS) is not None


@register
class DeadHook(Rule):
    """A method Lightning 2.x never calls: a removed hook or a misspelled one.

    ## What it does
    In a LightningModule or Callback, flags hooks removed in Lightning 2.0
    (``training_step_end``, ``on_epoch_end``, ``on_batch_start``,
    ``on_pretrain_routine_start``, Callback ``on_init_start``,
    ``on_keyboard_interrupt``, ...) and near-misses of real hook names
    (``on_training_epoch_end``, ``on_validation_epoch_ends``). Near-misses are
    only considered for hook-shaped names (``on_*``, ``*_step*``,
    ``*_epoch*``, ``*_batch*``). Never reported: a method the project calls
    itself (``super().<name>(...)`` inside an override of the same name only
    chains to Lightning's base and does not count), one that overrides a
    project base class (the project's own hook
    protocol), and a stub (``pass``, a docstring, ``raise
    NotImplementedError``), which loses nothing if never called. Applies only
    when the project certainly targets Lightning 2.x.

    In a LightningDataModule, flags near-misses of its hooks
    (``val_dataloaders``, ``train_dataloders``, ``setup_data``,
    ``validation_dataloader``), unless the class also defines the real hook.

    ## Why is this bad?
    Lightning 2.x calls hooks by name. A removed or misspelled hook is never
    called and nothing says so: metrics are never logged, state is never
    reset. Only ``training_epoch_end`` and ``validation_epoch_end`` fail
    loudly (``trainer.fit`` raises ``NotImplementedError`` at start), and
    ``test_epoch_end`` does so only at ``trainer.test()``. The message says
    which of these happens.
    A DataModule's misnamed ``val_dataloader`` runs no validation at all, so
    a ``ModelCheckpoint(monitor="val_loss")`` saves no checkpoint: two
    warnings scroll past and training runs to the end.

    ## Example
    ```python
    import lightning as L
    import torch
    import torchmetrics


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(32, 2)
            self.acc = torchmetrics.Accuracy(task="multiclass", num_classes=2)

        def training_step(self, batch, batch_idx):
            x, y = batch
            logits = self.layer(x)
            self.acc.update(logits, y)
            return torch.nn.functional.cross_entropy(logits, y)

        def on_training_epoch_end(self):
            self.log("train_acc", self.acc.compute())
            self.acc.reset()
    ```

    ## Use instead
    ```python
    import lightning as L
    import torch
    import torchmetrics


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(32, 2)
            self.acc = torchmetrics.Accuracy(task="multiclass", num_classes=2)

        def training_step(self, batch, batch_idx):
            x, y = batch
            logits = self.layer(x)
            self.acc.update(logits, y)
            return torch.nn.functional.cross_entropy(logits, y)

        def on_train_epoch_end(self):
            self.log("train_acc", self.acc.compute())
            self.acc.reset()
    ```

    ## Known limits
    Classes with a base from outside the project other than Lightning's own
    are not checked (that base may call the method). On a project whose
    Lightning version cannot be told (see below), nothing is reported.
    """

    needs = Needs(defines_dead_hook, "a def of a hook-shaped name Lightning 2.x never calls")
    code = "LTN106"
    name = "dead-hook"
    impact = (
        "the method is silently never called (metrics never logged, state never reset); "
        "`training_epoch_end`/`validation_epoch_end` make fit raise at start."
    )
    message = "'{name}' {what}; {fix} (Lightning 2.x {basis})"
    #: The verdict depends on the Lightning version the project targets.
    depends_on_version = True

    def visit_FunctionDef(self, node: nodes.FunctionDef) -> None:
        if self._datamodule_dead_hook(node):
            return
        cls = node.parent
        if not isinstance(cls, nodes.ClassDef) or not _maybe_dead(node.name):
            return  # the name first: the class questions build the modules of its bases
        facts = self.ctx.facts
        if facts.is_lightning_module(cls):
            hooks, removed = MODULE_HOOKS, REMOVED_MODULE
        elif facts.is_callback(cls):
            hooks, removed = CALLBACK_HOOKS, REMOVED_CALLBACK
        else:
            return
        hierarchy = facts.hierarchy(cls)
        if node.name in hooks or not hierarchy.only_neutral_externals or _is_stub(node):
            return  # a stub loses nothing if it is never called
        if any(node.name in klass.locals for klass in hierarchy.classes[1:]):
            return  # overrides a project base class: the project's own protocol
        version = target_version(self.ctx.project, self.ctx.config.lightning_version)
        if not version.at_least(2):
            return  # 1.x still calls these hooks; unknown version: stay silent
        if node.name in removed:
            replacement = removed[node.name]
            consequence = removed_hook_consequence(node.name)
            what = "was removed in Lightning 2.0" + (
                " and is silently never called" if consequence == SILENTLY_NEVER_CALLED else f": {consequence}"
            )
            fix = "move its code into __init__" if replacement == "__init__" else f"use {replacement}"
        else:
            close = near_miss(node.name, hooks)
            if close is None:
                return
            what = "is not a hook name: Lightning never calls it"
            fix = f"did you mean '{close}'?"
        if self._called_in_project(node.name):
            return  # a helper the project calls itself, not a hook
        self.report(node, name=node.name, what=what, fix=fix, basis=version.basis(self.ctx.project.root))

    # -- LightningDataModule hooks (kept apart from the module and callback checks) ----------

    def _datamodule_dead_hook(self, node: nodes.FunctionDef) -> bool:
        """Report a misnamed LightningDataModule hook; True when ``node`` is a DataModule method."""
        cls = node.parent
        if not isinstance(cls, nodes.ClassDef):
            return False
        close = datamodule_near_miss(node.name)
        facts = self.ctx.facts
        if close is None or node.name.startswith("_"):
            return False  # a private name is a helper, not a misnamed hook
        hierarchy = facts.hierarchy(cls)
        if not hierarchy.is_("LightningDataModule"):
            return False
        if not hierarchy.only_neutral_externals or _is_stub(node) or facts.defines_member(cls, close):
            return True  # the real hook is there too: this one is a helper
        if any(node.name in klass.locals for klass in hierarchy.classes[1:]):
            return True  # overrides a project base class: the project's own protocol
        version = target_version(self.ctx.project, self.ctx.config.lightning_version)
        if not version.at_least(2) or self._referenced_in_project(node.name):
            return True
        what = "is not a hook name: Lightning never calls it"
        self.report(node, name=node.name, what=what, fix=f"did you mean '{close}'?", basis=version.basis(self.ctx.project.root))
        return True

    def _referenced_in_project(self, name: str) -> bool:
        """True when project code names ``name`` anywhere but its ``def`` (a call, a string,
        ``self.val_dataloader = self.val_loader_fn``): then it is a helper, not a hook."""
        use = re.compile(rf"(?<!def )\b{re.escape(name)}\b")
        return any(True for _ in self.ctx.project.files_with_word(name, use))

    def _called_in_project(self, name: str) -> bool:  # noqa: D102
        """True when project code calls ``name`` (then it is a helper, not a hook).

        ``super().name(...)`` inside an override also named ``name`` only chains
        to the base class's hook: it runs only when the override itself runs,
        so it is not a project call (in 2.x Lightning's base no longer defines a
        removed hook, so that call would raise AttributeError anyway). Through
        ``super()`` from any other method it calls a project base's method
        directly: a project call.
        """
        call = re.compile(rf"(?<!def )\b{re.escape(name)}\s*\(|['\"]{re.escape(name)}['\"]")
        project = self.ctx.project
        for path in project.files_with_word(name, call):
            text = project.text(path) or ""
            if any(not _chains_to_base(text, match, name) for match in call.finditer(text)):
                return True
        return False


_SUPER_BEFORE = re.compile(r"\bsuper\s*\([^()]*\)\s*\.\s*$")
_DEF_LINE = re.compile(r"([ \t]*)(?:async[ \t]+)?(def|class)[ \t]+(\w+)")
#: How far before a call ``super(...).`` is looked for.
MAX_SUPER_CHARS = 200


def _chains_to_base(text: str, match: re.Match[str], name: str) -> bool:
    """Is ``match`` a ``super().name(`` call inside a function also named ``name``?

    The enclosing function is the nearest ``def`` above with less indentation
    (a text scan: anything else, a class or module-level line, says no).
    """
    if match.group()[0] in "'\"":
        return False
    if not _SUPER_BEFORE.search(text, max(0, match.start() - MAX_SUPER_CHARS), match.start()):
        return False
    line_start = text.rfind("\n", 0, match.start()) + 1
    line = text[line_start : match.start()]
    indent = len(line) - len(line.lstrip(" \t"))
    end = line_start
    while end > 0:
        start = text.rfind("\n", 0, end - 1) + 1
        above = text[start : end - 1]
        end = start
        stripped = above.lstrip(" \t")
        if not stripped or stripped.startswith("#") or len(above) - len(stripped) >= indent:
            continue
        found = _DEF_LINE.match(above)
        if found is None:
            if len(above) - len(stripped) == 0:
                return False  # module-level code
            continue  # an ``if``/``for``/``with`` line of the body, or a continuation line
        return found.group(2) == "def" and found.group(3) == name
    return False


def _is_stub(method: nodes.FunctionDef) -> bool:
    """``pass``, ``...``, a docstring, ``return`` or ``raise NotImplementedError`` only."""
    for stmt in method.body:
        if isinstance(stmt, nodes.Pass) or (isinstance(stmt, nodes.Expr) and isinstance(stmt.value, nodes.Const)):
            continue
        if isinstance(stmt, nodes.Return) and (stmt.value is None or isinstance(stmt.value, nodes.Const)):
            continue
        if isinstance(stmt, nodes.Raise) and "NotImplementedError" in stmt.as_string():
            continue
        return False
    return True
