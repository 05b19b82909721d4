import lightning as L
import torch

from _data import loader


class Base(L.LightningModule):
    """Counts the training steps that ran before Lightning raised."""

    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)
        self.steps_run = 0

    def training_step(self, batch, batch_idx):
        self.steps_run += 1
        return self.layer(batch[0]).pow(2).mean()

    def validation_step(self, batch, batch_idx):
        self.log("val_loss", self.layer(batch[0]).pow(2).mean())

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def train_dataloader(self):
        return loader()

    def val_dataloader(self):
        return loader()


class LogsInSetup(Base):
    def setup(self, stage):
        self.log("n_params", 5.0)  # expect: LTN201 "self.log() in setup() raises MisconfigurationException when trainer.fit starts: Lightning forbids logging in setup; write to self.logger.log_metrics(...) or log from an allowed hook"


class LogsInConfigureOptimizers(Base):
    def configure_optimizers(self):
        self.log("lr", 0.1)  # expect: LTN201 "self.log() in configure_optimizers() raises MisconfigurationException when trainer.fit starts: Lightning forbids logging in configure_optimizers; write to self.logger.log_metrics(...) or log from an allowed hook"
        return torch.optim.SGD(self.parameters(), lr=0.1)


class LogsInValidationEnd(Base):
    def on_validation_end(self):
        self.in_sanity_check = self.trainer.sanity_checking
        self._report()

    def _report(self):
        self.log("best", 0.0)  # expect: LTN201 "self.log() in _report() (called only from on_validation_end()) raises MisconfigurationException after the first validation (the sanity check): Lightning forbids logging in on_validation_end; log from on_validation_epoch_end or write to self.logger.log_metrics(...)"


class LogsInTrainEnd(Base):
    def on_train_end(self):
        self.log("final", 1.0)  # expect: LTN201 "self.log() in on_train_end() raises MisconfigurationException after the whole run: Lightning forbids logging in on_train_end; log from on_train_epoch_end or write to self.logger.log_metrics(...)"


class LogsPerStepAtEpochEnd(Base):
    def on_train_epoch_end(self):
        self.log("norm", self.layer.weight.norm(), on_step=True)  # expect: LTN201 "self.log(on_step=True) in on_train_epoch_end() raises MisconfigurationException when it first runs: on_train_epoch_end runs once per epoch; log without on_step=True"


class CountsParams(L.Callback):
    def on_fit_start(self, trainer, pl_module):
        pl_module.log("params", 5.0)  # expect: LTN201 "pl_module.log() in on_fit_start() raises MisconfigurationException when trainer.fit starts: Lightning forbids logging in on_fit_start; write to pl_module.logger.log_metrics(...) or log from an allowed hook"


class MarksCheckpoints(L.Callback):
    def on_save_checkpoint(self, trainer, pl_module, checkpoint):
        pl_module.log("saved", 1.0)  # expect: LTN201 "pl_module.log() in on_save_checkpoint() raises MisconfigurationException at the first checkpoint: Lightning forbids logging in on_save_checkpoint; log from on_train_epoch_end or write to pl_module.logger.log_metrics(...)"
