import lightning as L
import torch

from _data import loader


class Fixed(L.LightningModule):
    """Each log of ltn201_bad.py moved to an allowed hook or to the logger."""

    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)
        self.steps_run = 0

    def training_step(self, batch, batch_idx):
        self.steps_run += 1
        return self.layer(batch[0]).pow(2).mean()

    def validation_step(self, batch, batch_idx):
        self.log("val_loss", self.layer(batch[0]).pow(2).mean())

    def on_validation_epoch_end(self):
        self.log("best", 0.0)

    def on_train_epoch_end(self):
        self.log("norm", self.layer.weight.norm())

    def on_train_end(self):
        if self.logger is not None:
            self.logger.log_metrics({"final": 1.0})

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def train_dataloader(self):
        return loader()

    def val_dataloader(self):
        return loader()


class CountsParams(L.Callback):
    def on_train_epoch_end(self, trainer, pl_module):
        pl_module.log("params", 5.0)
