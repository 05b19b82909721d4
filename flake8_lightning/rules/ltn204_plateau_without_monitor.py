"""LTN204: a ``ReduceLROnPlateau`` without a monitor that Lightning reads."""

from __future__ import annotations

from flake8_lightning.registry import Rule, any_of, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, Facts, UNKNOWN, returns, bindings, OptimizerFacts, literal_dict, returned_config
    global target_version, only_validation_logs
    from astroid import nodes

    from flake8_lightning.model.logged_where import only_validation_logs
    from flake8_lightning.model.lightning import UNKNOWN, Facts, returns
    from flake8_lightning.model.names import bindings
    from flake8_lightning.model.optimizers import OptimizerFacts, literal_dict, returned_config
    from flake8_lightning.model.version import target_version


#: How far a scheduler name is followed through assignments.
MAX_DEPTH = 4


@register
class PlateauWithoutMonitor(Rule):
    """A ``ReduceLROnPlateau`` without a monitor Lightning reads: fit raises at start (Lightning 2.x).

    ## What it does
    On a project that targets Lightning 2.x, in the ``configure_optimizers``
    of a module that certainly uses automatic optimization, flags a
    ``torch.optim.lr_scheduler.ReduceLROnPlateau`` handed to Lightning with no
    ``"monitor"`` that Lightning reads:

    - returned bare (``{"optimizer": opt, "lr_scheduler": plateau}``,
      ``[opt], [plateau]``) without a top-level ``"monitor"``;
    - in an ``"lr_scheduler"`` dict without a ``"monitor"`` key, including when
      the ``"monitor"`` is written next to ``"lr_scheduler"`` instead of inside
      it: Lightning ignores that one;
    - in an ``"lr_scheduler"`` dict with ``"interval": "step"`` whose
      ``"monitor"`` only validation hooks log (reported at ``"interval"``).

    Schedulers whose type is not certain are not flagged, nor is a dict that
    says ``"reduce_on_plateau": False``; a step interval is not flagged with
    ``"strict": False`` (Lightning then skips the step with a warning), a
    ``"frequency"`` other than 1, or when the metric may be logged anywhere
    else (a training hook, a helper method, a Callback's ``pl_module.log``, a
    dynamic name).

    ## Why is this bad?
    ``_configure_schedulers_automatic_opt`` (``core/optimizer.py``) raises
    ``MisconfigurationException: The lr scheduler dict must include a monitor
    when a `ReduceLROnPlateau` scheduler is used`` (or ```configure_optimizers`
    must include a monitor ...``) when fit reads the optimizers, after the data
    module's ``setup()``. A step interval steps the scheduler after the first
    training batch, before any validation has logged its metric (the sanity
    check's are discarded): ``MisconfigurationException: ReduceLROnPlateau
    conditioned on metric val_loss which is not available``.

    ## Example
    ```python
    import lightning as L
    import torch


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(32, 1)

        def training_step(self, batch, batch_idx):
            loss = self.layer(batch).pow(2).mean()
            self.log("train_loss", loss)
            return loss

        def configure_optimizers(self):
            optimizer = torch.optim.Adam(self.parameters())
            scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer)
            return {
                "optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": "epoch"},
                "monitor": "train_loss",
            }
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
            loss = self.layer(batch).pow(2).mean()
            self.log("train_loss", loss)
            return loss

        def configure_optimizers(self):
            optimizer = torch.optim.Adam(self.parameters())
            scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer)
            return {
                "optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": "epoch", "monitor": "train_loss"},
            }
    ```

    ## Known limits
    Only dict and list literals returned by ``configure_optimizers`` are read;
    a config built elsewhere, or a monitor whose value is computed, is not. A
    monitor that names a metric nobody logs is LTN003's. On a project pinned to
    1.x, or whose version cannot be told, nothing is reported.
    """

    needs = any_of("configure_optimizers")
    code = "LTN204"
    name = "plateau-without-monitor"
    impact = "fit raises `... must include a monitor when a ReduceLROnPlateau scheduler is used` at start."
    #: The verdict depends on the Lightning version the project targets.
    depends_on_version = True
    message = (
        "ReduceLROnPlateau returned without a 'monitor': Lightning 2.x raises at fit start{ignored}; "
        "set \"lr_scheduler\": {{\"scheduler\": ..., \"monitor\": <metric>}}"
    )
    dict_message = (
        "ReduceLROnPlateau config without a 'monitor': Lightning 2.x raises at fit start{ignored}; "
        "set \"monitor\" inside this \"lr_scheduler\" dict"
    )

    step_message = (
        "ReduceLROnPlateau steps every batch on '{monitor}', which only validation logs: Lightning 2.x raises "
        "at the first batch; use \"interval\": \"epoch\""
    )

    def visit_FunctionDef(self, node: nodes.FunctionDef) -> None:
        cls = node.parent
        if node.name != "configure_optimizers" or not isinstance(cls, nodes.ClassDef):
            return
        facts = self.ctx.facts
        if not facts.is_lightning_module(cls):
            return
        family: list[tuple] = []

        def classes() -> tuple:
            """``cls`` and its project subclasses: a whole-project question, asked once if needed."""
            if not family:
                family.append((cls, *facts.subclasses(cls)))
            return family[0]

        found = []
        for ret in returns(node):
            for entry, holder, reads_top in _scheduler_entries(ret.value):
                ignored = IGNORED if holder is not None and "monitor" in holder else ""
                if isinstance(entry, nodes.Dict):
                    entries = literal_dict(entry)
                    if entries is not None and "scheduler" in entries and "monitor" in entries:
                        found.extend(self._step_on_validation_metric(cls, classes, entry, entries))
                    if entries is None or "scheduler" not in entries or "monitor" in entries:
                        continue
                    if any(key != "monitor" and key.startswith("monitor") for key in entries):
                        continue  # a misspelled "monitors": LTN108 reports that key, with its fix
                    if "reduce_on_plateau" in entries or not _is_plateau(facts, cls, entries["scheduler"], 0):
                        continue
                    found.append((entry, self.dict_message, ignored))
                elif _is_plateau(facts, cls, entry, 0):
                    if reads_top and ignored:
                        continue  # {"optimizer": ..., "lr_scheduler": plateau, "monitor": ...}: read
                    found.append((ret, self.message, ignored))
        # The method's own returns first; then the questions that may scan the project.
        if not found:
            return
        if any(OptimizerFacts.of(facts, klass).running_configure_optimizers() is not node for klass in classes()):
            return
        if not facts.certainly_automatic(cls):
            return  # manual optimization ignores scheduler monitors (a warning only)
        if target_version(self.ctx.project, self.ctx.config.lightning_version).at_least(2):
            for where, message, fields in found:
                self.report(where, message, **(fields if isinstance(fields, dict) else {"ignored": fields}))

    def _step_on_validation_metric(self, cls: nodes.ClassDef, classes, entry: nodes.Dict, entries: dict) -> list:  # noqa: ANN001
        """``{"scheduler": plateau, "monitor": "val_loss", "interval": "step"}`` where only validation
        logs ``val_loss``: the first training batch steps the scheduler on a metric not there yet."""
        interval, monitor = entries.get("interval"), entries.get("monitor")
        if not (isinstance(interval, nodes.Const) and interval.value == "step"):
            return []
        if not (isinstance(monitor, nodes.Const) and isinstance(monitor.value, str)):
            return []
        strict, frequency = entries.get("strict"), entries.get("frequency")
        if strict is not None and not (isinstance(strict, nodes.Const) and strict.value is True):
            return []  # strict=False: a warning, the step is skipped
        if frequency is not None and not (isinstance(frequency, nodes.Const) and frequency.value == 1):
            return []
        flag = entries.get("reduce_on_plateau")
        if flag is not None:
            if not (isinstance(flag, nodes.Const) and flag.value is True):
                return []
        elif not _is_plateau(self.ctx.facts, cls, entries["scheduler"], 0):
            return []
        if not only_validation_logs(self.ctx.facts, list(classes()), monitor.value):
            return []
        key = next(k for k, v in entry.items if v is interval)
        return [(key, self.step_message, {"monitor": monitor.value})]


#: Said when a "monitor" sits where Lightning does not read it.
IGNORED = " (the \"monitor\" beside \"lr_scheduler\" is ignored)"


def _scheduler_entries(value: nodes.NodeNG) -> list[tuple[nodes.NodeNG, dict | None, bool]]:
    """Each scheduler entry of a returned value, the dict literal holding it (if any), and whether
    Lightning reads that dict's top-level "monitor" (only for a single dict, not a list of them)."""
    if isinstance(value, nodes.Dict):
        top = literal_dict(value)
        return [(top["lr_scheduler"], top, True)] if top and "lr_scheduler" in top else []
    config = returned_config(value)
    if config is None:
        return []
    if isinstance(value, (nodes.List, nodes.Tuple)) and value.elts and all(isinstance(e, nodes.Dict) for e in value.elts):
        holders = [literal_dict(e) for e in value.elts]
        return [(h["lr_scheduler"], h, False) for h in holders if h and "lr_scheduler" in h]
    return [(entry, None, False) for entry in config.schedulers]


def _is_plateau(facts: Facts, cls: nodes.ClassDef, expr: nodes.NodeNG, depth: int) -> bool:
    """``expr`` certainly is a ``torch.optim.lr_scheduler.ReduceLROnPlateau`` (or a project subclass)."""
    if depth > MAX_DEPTH:
        return False
    if isinstance(expr, nodes.Call):
        target = facts.resolver.resolve(expr.func)
        if isinstance(target, nodes.ClassDef):
            hierarchy = facts.hierarchy(target)
            return not hierarchy.unresolved and any(q.endswith(".ReduceLROnPlateau") for q in hierarchy.externals)
        qualname = getattr(target, "qualname", None) or ""
        return qualname.startswith("torch.optim.") and qualname.endswith(".ReduceLROnPlateau")
    if isinstance(expr, nodes.Name):
        found = bindings(expr, expr.name)
        return bool(found) and all(
            isinstance(b, nodes.AssignName)
            and b.scope() is expr.scope()
            and isinstance(b.parent, nodes.Assign)
            and b.parent.targets == [b]
            and _is_plateau(facts, cls, b.parent.value, depth + 1)
            for b in found
        )
    return False
