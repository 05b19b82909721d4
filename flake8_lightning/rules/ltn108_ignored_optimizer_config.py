"""LTN108: optimizer configuration that Lightning ignores or rejects."""

from __future__ import annotations

from flake8_lightning.registry import Rule, any_of, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, walk, Level, local_value, returned_configs, OPTIMIZER_KEYS, SCHEDULER_KEYS
    from astroid import nodes

    from flake8_lightning.model.lightning import walk
    from flake8_lightning.model.optimizer_config import (
        OPTIMIZER_KEYS,
        SCHEDULER_KEYS,
        Level,
        local_value,
        returned_configs,
    )


SCHEDULER_MODULE = "torch.optim.lr_scheduler."
PLATEAU = "torch.optim.lr_scheduler.ReduceLROnPlateau"
ONE_CYCLE = "torch.optim.lr_scheduler.OneCycleLR"
#: What Lightning uses for a scheduler-dict key that is absent.
DEFAULTS = {"interval": "epoch", "frequency": 1}


@register
class IgnoredOptimizerConfig(Rule):
    """Optimizer configuration that Lightning ignores or rejects.

    ## What it does
    Reads what a LightningModule's ``configure_optimizers`` returns (dict
    literals, ``dict(...)``, dicts and lists filled step by step in the
    method) and flags:

    - the scheduler under ``"scheduler"`` (or a misspelling such as
      ``"lr_schedulers"``) in the top-level dict instead of ``"lr_scheduler"``;
    - ``"interval"`` at the top level instead of inside the scheduler dict,
      and misspelled scheduler-dict keys (``"intervals"``, ``"frequence"``,
      ``"schedular"``, ``"lr_scheduler"`` for ``"scheduler"``), and
      ``"monitors"`` with ``ReduceLROnPlateau``;
    - an ``(optimizer, scheduler)`` tuple or ``[optimizer, scheduler]`` list;
    - a scheduler sized in optimizer steps
      (``self.trainer.estimated_stepping_batches``, ``OneCycleLR`` with
      ``steps_per_epoch``) without ``"interval": "step"``.

    It reports at the ``return``, or at the line of the offending key.

    ## Why is this bad?
    Lightning (``core/optimizer.py``, ``_configure_optimizers`` and
    ``_configure_schedulers_automatic_opt``) reads only ``"optimizer"``,
    ``"lr_scheduler"`` and ``"monitor"`` at the top level and drops any other
    key with at most a ``RuntimeWarning: Found unsupported keys``: the
    scheduler is never stepped and the learning rate stays flat. Unknown keys
    in a scheduler dict are dropped the same way, so the scheduler steps
    once per epoch, the default interval; a scheduler sized in steps then
    barely moves (for ``OneCycleLR`` the warm-up never ends). A tuple or list
    mixing an optimizer and a scheduler raises "Unknown configuration for
    model optimizers" at setup, and a scheduler dict without ``"scheduler"``
    raises too. The same holds in Lightning 1.x (from 1.3 the tuple raises;
    before, the scheduler was taken for a second optimizer).

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
            optimizer = torch.optim.Adam(self.parameters())
            scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 10)
            return {"optimizer": optimizer, "scheduler": scheduler}
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
            optimizer = torch.optim.Adam(self.parameters())
            scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 10)
            return {"optimizer": optimizer, "lr_scheduler": scheduler}
    ```

    ## Known limits
    Only what ``configure_optimizers`` builds itself is read: a config from
    a helper, a factory or ``**`` unpacking is not. The interval findings
    (top-level ``"interval"``, misspelled interval and frequency keys,
    step-sized schedulers) need certain automatic optimization: under manual
    optimization you step schedulers yourself. A misspelled key whose value
    is Lightning's default (``"intervals": "epoch"``) changes nothing and is
    not reported, nor is a top-level ``"frequency"`` (an optimizer frequency
    in 1.x).
    """

    needs = any_of("configure_optimizers")
    code = "LTN108"
    name = "ignored-optimizer-config"
    impact = (
        "the scheduler is silently dropped or stepped once per epoch instead of per step (a flat or "
        "frozen learning rate), or fit raises at setup."
    )
    message = (
        "key '{key}' in configure_optimizers' dict is ignored by Lightning (a warning at most): the "
        "scheduler is never stepped; use 'lr_scheduler'"
    )
    top_interval_message = (
        "top-level 'interval' in configure_optimizers' dict is ignored: the scheduler steps once per "
        "epoch; move it into {{'scheduler': ..., 'interval': ...}}"
    )
    misspelled_message = (
        "key '{key}' in the scheduler dict is ignored by Lightning (a warning at most), so {effect}; "
        "use '{right}'"
    )
    missing_scheduler_message = (
        "key '{key}' in the scheduler dict is not 'scheduler': fit raises at setup (the lr scheduler "
        "dict must have the key \"scheduler\"); use 'scheduler'"
    )
    monitor_message = (
        "key '{key}' is ignored by Lightning: ReduceLROnPlateau without a monitor raises at setup; "
        "use 'monitor'"
    )
    pair_message = (
        "configure_optimizers returns a {kind} of an optimizer and a scheduler: fit raises at setup "
        "(unknown configuration); use return [optimizer], [scheduler]"
    )
    per_epoch_message = (
        "scheduler sized in optimizer steps ({why}) is stepped once per epoch: the schedule barely "
        "moves; use {{'scheduler': ..., 'interval': 'step'}}"
    )

    def visit_FunctionDef(self, node: nodes.FunctionDef) -> None:
        cls = node.parent
        if node.name != "configure_optimizers" or not isinstance(cls, nodes.ClassDef):
            return
        facts = self.ctx.facts
        if not facts.is_lightning_module(cls):
            return
        held: list[tuple] = []
        self._held = held
        try:
            self._check(node, cls)
        finally:
            self._held = None
        # Whether a subclass rewrites what this method returns is a whole-project
        # question: asked only when there is something to report.
        if held and not _post_processed(facts, cls):
            for args, fields in held:
                super().report(*args, **fields)

    _held: list[tuple] | None = None

    def report(self, node, message: str | None = None, edits: tuple = (), **fields: object) -> None:  # noqa: ANN001
        if self._held is not None:
            self._held.append(((node, message, edits), fields))
            return
        super().report(node, message, edits, **fields)

    def _check(self, node: nodes.FunctionDef, cls: nodes.ClassDef) -> None:
        facts = self.ctx.facts
        automatic = None  # computed once, when a finding needs it

        def is_automatic() -> bool:
            nonlocal automatic
            if automatic is None:
                automatic = facts.certainly_automatic(cls)
            return automatic

        for config in returned_configs(node):
            if config.flat is not None and len(config.flat) >= 2 and self._mixes_scheduler(node, config.flat):
                self.report(config.ret, self.pair_message, kind=config.flat_kind)
                continue
            plateau = any(self._is(node, s.expr, PLATEAU) for s in config.schedulers)
            for found in config.dicts:
                self._keys(found, plateau, is_automatic)
            for scheduler in config.schedulers:
                self._step_sized(node, config, scheduler, is_automatic)

    # -- keys ---------------------------------------------------------------------------

    def _keys(self, config, plateau: bool, is_automatic) -> None:  # noqa: ANN001
        valid = OPTIMIZER_KEYS if config.level is Level.OPTIMIZER else SCHEDULER_KEYS
        for entry in config.entries:
            key = entry.key
            if key in valid or _is_none(entry.value):
                continue
            if config.level is Level.OPTIMIZER:
                if key == "scheduler" or _near(key, "lr_scheduler"):
                    if not config.has("lr_scheduler"):
                        self.report(entry.node, key=key)
                elif key == "interval":
                    if not _is_const(entry.value, "epoch") and is_automatic():
                        self.report(entry.node, self.top_interval_message)
                elif _near(key, "monitor") and plateau and not config.has("monitor"):
                    self.report(entry.node, self.monitor_message, key=key)
                continue
            if key == "lr_scheduler" or _near(key, "scheduler"):
                if config.complete and not config.has("scheduler"):
                    self.report(entry.node, self.missing_scheduler_message, key=key)
            elif _near(key, "monitor"):
                if plateau and not config.has("monitor"):
                    self.report(entry.node, self.monitor_message, key=key)
            else:
                for right, default in DEFAULTS.items():
                    if _near(key, right) and not config.has(right) and not _is_const(entry.value, default):
                        if is_automatic():
                            effect = "the scheduler steps once per epoch" if right == "interval" else "it steps at every interval"
                            self.report(entry.node, self.misspelled_message, key=key, effect=effect, right=right)

    # -- shapes -------------------------------------------------------------------------

    def _mixes_scheduler(self, method: nodes.FunctionDef, items) -> bool:  # noqa: ANN001
        """A flat tuple/list with an item that is certainly a scheduler (or a scheduler dict)."""
        for item in items:
            value = local_value(method, item)
            if self._is_scheduler(method, value):
                return True
            if isinstance(value, nodes.Dict) and any(
                isinstance(k, nodes.Const) and k.value == "scheduler" for k, _ in value.items
            ):
                return True
        return False

    def _is_scheduler(self, method: nodes.FunctionDef, value: nodes.NodeNG | None) -> bool:
        if not isinstance(value, nodes.Call):
            return False
        qualname = self.ctx.facts.resolver.qualname(value.func) or ""
        return qualname.startswith(SCHEDULER_MODULE) and qualname.count(".") == 3

    def _is(self, method: nodes.FunctionDef, value: nodes.NodeNG | None, qualname: str) -> bool:
        return isinstance(value, nodes.Call) and self.ctx.facts.resolver.qualname(value.func) == qualname

    # -- step-sized schedulers ----------------------------------------------------------

    def _step_sized(self, method: nodes.FunctionDef, config, scheduler, is_automatic) -> None:  # noqa: ANN001
        call = scheduler.expr
        if not isinstance(call, nodes.Call):
            return
        why = _sized_in_steps(method, call)
        if why is None and self._is(method, call, ONE_CYCLE):
            per_epoch = [kw.value for kw in call.keywords or [] if kw.arg == "steps_per_epoch"]
            if per_epoch and not _is_const(per_epoch[0], 1):
                why = "steps_per_epoch"
        if why is None:
            return
        holder = scheduler.config
        if holder is not None:
            interval = holder.get("interval")
            if interval is None and not holder.complete:
                return  # not certain
            if interval is not None and not _is_const(interval.value, "epoch"):
                return  # "step", or not certain
            if any(_near(e.key, "interval") and e.key != "interval" for e in holder.entries):
                return  # the misspelled key's finding says it
            if not is_automatic():
                return
            self.report(holder.node, self.per_epoch_message, why=why)
            return
        top = scheduler.top
        if top is not None and (top.has("interval") or not top.complete):
            return  # the top-level "interval" finding says it
        if is_automatic():
            self.report(config.ret, self.per_epoch_message, why=why)


def _post_processed(facts, cls: nodes.ClassDef) -> bool:  # noqa: ANN001
    """A project subclass's ``configure_optimizers`` calls this one and may rewrite what it returns."""
    for sub in facts.subclasses(cls):
        for method in sub.locals.get("configure_optimizers", []):
            for node in walk(method):
                func = getattr(node, "func", None)
                if isinstance(node, nodes.Call) and isinstance(func, nodes.Attribute) and func.attrname == "configure_optimizers":
                    return True
    return False


def _sized_in_steps(method: nodes.FunctionDef, call: nodes.Call) -> str | None:
    """``estimated_stepping_batches`` when an argument of ``call`` is computed from it."""
    for arg in [*call.args, *(kw.value for kw in call.keywords or [])]:
        for node in _expression_nodes(method, arg):
            if isinstance(node, nodes.Attribute) and node.attrname == "estimated_stepping_batches":
                return "estimated_stepping_batches"
    return None


def _expression_nodes(method: nodes.FunctionDef, expr: nodes.NodeNG, depth: int = 0):  # noqa: ANN202
    """The nodes of ``expr``, following local names assigned once (a few levels deep)."""
    for node in walk(expr):
        yield node
        if isinstance(node, nodes.Name) and depth < 3:
            value = local_value(method, node)
            if value is not node:
                yield from _expression_nodes(method, value, depth + 1)


def _near(key: str, right: str) -> bool:
    """``key`` is a misspelling of ``right``: case, separators, a plural, or up to two edits."""
    normal = key.lower().replace("-", "_").replace(" ", "_")
    if normal == right or normal.rstrip("s") == right or normal.replace("_", "") == right.replace("_", ""):
        return True
    return len(right) >= 6 and len(key) >= 5 and _distance(normal, right) <= 2


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _is_const(node: nodes.NodeNG, value: object) -> bool:
    return isinstance(node, nodes.Const) and node.value == value and type(node.value) is type(value)


def _is_none(node: nodes.NodeNG) -> bool:
    return isinstance(node, nodes.Const) and node.value is None
