import lightning as L
import torch
from torch.optim.lr_scheduler import ReduceLROnPlateau

from _data import loader


class Base(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)

    def training_step(self, batch, batch_idx):
        loss = self.layer(batch[0]).pow(2).mean()
        self.log("train_loss", loss)
        return loss

    def train_dataloader(self):
        return loader()


class TopLevelMonitorIgnored(Base):
    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        return {
            "optimizer": optimizer,
            "lr_scheduler": {"scheduler": ReduceLROnPlateau(optimizer), "interval": "epoch", "monitor": "train_loss"},
        }


class DictInAList(Base):
    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        scheduler = {"scheduler": ReduceLROnPlateau(optimizer), "monitor": "train_loss"}
        return [{"optimizer": optimizer, "lr_scheduler": scheduler}]


class BareInLists(Base):
    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        return [optimizer], [{"scheduler": ReduceLROnPlateau(optimizer), "monitor": "train_loss"}]


class StepOnValidationLoss(Base):
    """Stepped once per epoch, after validation has logged val_loss."""

    def validation_step(self, batch, batch_idx):
        self.log("val_loss", self.layer(batch[0]).pow(2).mean())

    def val_dataloader(self):
        return loader()

    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        return {
            "optimizer": optimizer,
            "lr_scheduler": {"scheduler": ReduceLROnPlateau(optimizer), "monitor": "val_loss", "interval": "epoch"},
        }


class StepOnValidationLossNotStrict(StepOnValidationLoss):
    """"strict": False: the steps before the first validation are skipped with a warning."""

    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        scheduler = ReduceLROnPlateau(optimizer)
        return {
            "optimizer": optimizer,
            "lr_scheduler": {"scheduler": scheduler, "monitor": "val_loss", "interval": "step", "strict": False},
        }
