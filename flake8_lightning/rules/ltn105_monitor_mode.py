"""LTN105: a monitor's ``mode`` points the wrong way for its metric."""

from __future__ import annotations

import re

from flake8_lightning.lightning_api import MONITOR_CALLBACKS
from flake8_lightning.registry import Rule, any_of, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, monitor_site, literal_name, UNKNOWN
    from astroid import nodes

    from flake8_lightning.model.callbacks import monitor_site
    from flake8_lightning.model.metrics import literal_name
    from flake8_lightning.model.unknown import UNKNOWN


HIGHER_IS_BETTER = frozenset(
    "acc accuracy f1 auc auroc precision recall iou dice map bleu rouge psnr ssim r2 reward".split()
)
LOWER_IS_BETTER = frozenset("loss error err mse mae rmse nll perplexity ppl wer cer".split())
#: Tokens that say nothing about direction: stage, aggregation, ordinal.
NEUTRAL = frozenset(
    """val valid validation train training test epoch step avg mean macro micro weighted
    overall total global final best top top1 top5 top10 running ema smoothed batch
    dataloader idx per class image pixel sample score metric""".split()
)
#: Where ``mode`` may sit among positional arguments (its lowest position in 2.x).
MODE_POSITION = {kind: callback.mode_from for kind, callback in MONITOR_CALLBACKS.items()}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def tokens(name: str) -> list[str]:
    """``val/F1Score-mAP`` -> ``['val', 'f1', 'score', 'map']``."""
    found = []
    for part in filter(None, re.split(r"[/_\-.\s]+", name)):
        if part.lower() in HIGHER_IS_BETTER | LOWER_IS_BETTER:
            found.append(part.lower())  # mAP, NLL: an acronym, not camelCase
        else:
            found.extend(t.lower() for t in _CAMEL.sub(" ", part).split())
    return found


def direction(name: str) -> str | None:
    """"max" or "min" when the name clearly denotes one; None when mixed or unknown."""
    found = set()
    for token in tokens(name):
        if token in HIGHER_IS_BETTER:
            found.add("max")
        elif token in LOWER_IS_BETTER:
            found.add("min")
        elif token not in NEUTRAL and not token.isdigit():
            return None  # an unknown word may invert the meaning (diff, gap, neg, ...)
    return found.pop() if len(found) == 1 else None


@register
class MonitorModeMismatch(Rule):
    """``mode`` (or its default ``"min"``) contradicts what the monitored metric measures.

    ## What it does
    For ``ModelCheckpoint`` and ``EarlyStopping``, flags a monitor whose name
    clearly denotes a higher-is-better metric (``acc``, ``f1``, ``auroc``,
    ``iou``, ``reward``, ... as a token of the name) with ``mode="min"`` or no
    ``mode``, and a lower-is-better one (``loss``, ``error``, ``mse``,
    ``perplexity``, ...) with ``mode="max"``. Names are split on ``/``, ``_``,
    ``-``, ``.`` and camelCase; a name with tokens of both kinds or an unknown
    word stays silent.

    ## Why is this bad?
    Both callbacks default to ``mode="min"`` in Lightning 2.x. With an accuracy
    monitor the checkpoint keeps the *worst* model and early stopping stops
    when the model *improves*, silently.

    ## Example
    ```python
    import lightning as L
    from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint

    trainer = L.Trainer(
        callbacks=[
            ModelCheckpoint(monitor="val_acc"),
            EarlyStopping(monitor="val_loss", mode="max"),
        ]
    )
    ```

    ## Use instead
    ```python
    import lightning as L
    from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint

    trainer = L.Trainer(
        callbacks=[
            ModelCheckpoint(monitor="val_acc", mode="max"),
            EarlyStopping(monitor="val_loss", mode="min"),
        ]
    )
    ```

    ## Known limits
    Only constant monitor names and modes are checked. Positional ``mode``
    arguments and ``**kwargs`` keep the rule silent.
    """

    needs = any_of("monitor", "ModelCheckpoint", "EarlyStopping")
    code = "LTN105"
    name = "monitor-mode-mismatch"
    impact = (
        "the checkpoint keeps the worst model; early stopping stops when the model improves."
    )
    message = "monitor '{monitor}' is {better}-is-better but mode is {mode}, so {effect}; use mode='{fix}'"

    def visit_Call(self, node: nodes.Call) -> None:
        site = monitor_site(node, self.ctx.facts)
        if site is None or site.monitor is None:
            return
        name = literal_name(site.monitor, self.ctx.facts)
        if name is UNKNOWN:
            return
        wanted = direction(name)
        if wanted is None:
            return
        if site.mode is None:
            if not site.positional or len(node.args) > MODE_POSITION[site.kind]:
                return  # mode may be passed positionally or through **kwargs
            default = MONITOR_CALLBACKS[site.kind].mode_default
            mode, at, shown = default, site.monitor, f"'{default}' (the default)"
        else:
            mode = site.mode.value if isinstance(site.mode, nodes.Const) else None
            at, shown = site.mode, f"'{mode}'"
        if mode not in ("min", "max") or mode == wanted:
            return
        if site.kind == "ModelCheckpoint":
            effect = "the worst model is kept"
        else:
            effect = "training stops when the model improves"
        better = "higher" if wanted == "max" else "lower"
        self.report(at, monitor=name, better=better, mode=shown, effect=effect, fix=wanted)
