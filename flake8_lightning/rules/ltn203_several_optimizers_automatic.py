"""LTN203: several optimizers under automatic optimization, or an ``optimizer_idx`` in ``training_step``."""

from __future__ import annotations

from flake8_lightning.registry import Rule, any_of, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, has_optimizer_idx, runs_everywhere, several_optimizer_returns, target_version
    from astroid import nodes

    from flake8_lightning.model.automatic import has_optimizer_idx, runs_everywhere, several_optimizer_returns
    from flake8_lightning.model.version import target_version


@register
class SeveralOptimizersAutomatic(Rule):
    """Several optimizers under automatic optimization, or ``optimizer_idx`` in ``training_step`` (Lightning 2.x).

    ## What it does
    On a project that targets Lightning 2.x, flags

    - a ``training_step`` with an ``optimizer_idx`` parameter (even
      ``optimizer_idx=None``, even under manual optimization), at its ``def``;
    - otherwise, a ``return`` of ``configure_optimizers`` that hands Lightning
      more than one ``torch.optim`` optimizer while the module certainly uses
      automatic optimization.

    Param groups (``Adam([{"params": ...}, {"params": ...}])``) and a single
    dict in a list are one optimizer and are not flagged.

    ## Why is this bad?
    Lightning 2.0 removed the 1.x loop that ran ``training_step`` once per
    optimizer. ``_validate_multiple_optimizers_support``
    (``core/optimizer.py``) raises ``RuntimeError: Training with multiple
    optimizers is only supported with manual optimization`` when it reads the
    optimizers, at fit start: after the data module's ``setup()``, before the
    sanity check and the first batch.

    ## Example
    ```python
    import lightning as L
    import torch


    class GAN(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.generator = torch.nn.Linear(8, 8)
            self.discriminator = torch.nn.Linear(8, 1)

        def training_step(self, batch, batch_idx):
            return self.discriminator(self.generator(batch)).mean()

        def configure_optimizers(self):
            opt_g = torch.optim.Adam(self.generator.parameters())
            opt_d = torch.optim.Adam(self.discriminator.parameters())
            return [opt_g, opt_d]
    ```

    ## Use instead
    ```python
    import lightning as L
    import torch


    class GAN(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.automatic_optimization = False
            self.generator = torch.nn.Linear(8, 8)
            self.discriminator = torch.nn.Linear(8, 1)

        def training_step(self, batch, batch_idx):
            opt_g, opt_d = self.optimizers()
            loss_d = self.discriminator(self.generator(batch).detach()).mean()
            opt_d.zero_grad()
            self.manual_backward(loss_d)
            opt_d.step()
            loss_g = -self.discriminator(self.generator(batch)).mean()
            opt_g.zero_grad()
            self.manual_backward(loss_g)
            opt_g.step()

        def configure_optimizers(self):
            opt_g = torch.optim.Adam(self.generator.parameters())
            opt_d = torch.optim.Adam(self.discriminator.parameters())
            return [opt_g, opt_d]
    ```

    ## Known limits
    Only ``torch.optim`` optimizers built in the module are counted: a
    factory's or another library's optimizer, a comprehension or a starred
    list is not. Lightning 1.x ran ``training_step`` once per optimizer and
    passed ``optimizer_idx``: on a project pinned to 1.x, or whose version
    cannot be told, nothing is reported; ``optimizer_idx`` is reported only
    when a pin, 2.x code or ``--lightning-version`` says 2.x (it is itself a
    sign of 1.x code, so the 2.x default is not enough).
    """

    needs = any_of("optimizer_idx", "configure_optimizers")
    code = "LTN203"
    name = "several-optimizers-automatic"
    impact = "fit raises `Training with multiple optimizers is only supported with manual optimization` at start."
    #: The verdict depends on the Lightning version the project targets.
    depends_on_version = True
    message = (
        "'optimizer_idx' in training_step: Lightning 2.x raises at fit start, 'multiple optimizers' "
        "need manual optimization; use self.optimizers() without it"
    )
    several_message = (
        "{count} optimizers under automatic optimization: Lightning 2.x raises 'multiple optimizers' "
        "at fit start; set self.automatic_optimization = False"
    )

    def visit_FunctionDef(self, node: nodes.FunctionDef) -> None:
        cls = node.parent
        if node.name not in ("training_step", "configure_optimizers") or not isinstance(cls, nodes.ClassDef):
            return
        facts = self.ctx.facts
        if not facts.is_lightning_module(cls):
            return
        if node.name == "training_step":
            if has_optimizer_idx(node) and runs_everywhere(facts, cls, node) and self._targets_2x(said=True):
                self.report(node)
            return
        found = several_optimizer_returns(facts, cls, node)
        if found and self._targets_2x():
            for ret, count in found:
                self.report(ret, self.several_message, count=count)

    def _targets_2x(self, said: bool = False) -> bool:
        """The project targets 2.x; with ``said``, not merely by default: ``optimizer_idx`` is
        itself a 1.x habit, so a project that pins nothing and shows no 2.x code may be 1.x."""
        version = target_version(self.ctx.project, self.ctx.config.lightning_version)
        return version.at_least(2) and not (said and version.source == "default")
