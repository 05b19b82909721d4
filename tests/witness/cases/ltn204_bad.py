import lightning as L
import torch
from torch.optim.lr_scheduler import ReduceLROnPlateau

from _data import loader


class Base(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)
        self.ran = []

    def setup(self, stage):
        self.ran.append("setup")

    def training_step(self, batch, batch_idx):
        self.ran.append("training_step")
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
            "lr_scheduler": {"scheduler": ReduceLROnPlateau(optimizer), "interval": "epoch"},  # expect: LTN204 "ReduceLROnPlateau config without a 'monitor': Lightning 2.x raises at fit start (the \"monitor\" beside \"lr_scheduler\" is ignored); set \"monitor\" inside this \"lr_scheduler\" dict"
            "monitor": "train_loss",
        }


class DictInAList(Base):
    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        return [{"optimizer": optimizer, "lr_scheduler": ReduceLROnPlateau(optimizer), "monitor": "train_loss"}]  # expect: LTN204 "ReduceLROnPlateau returned without a 'monitor': Lightning 2.x raises at fit start (the \"monitor\" beside \"lr_scheduler\" is ignored); set \"lr_scheduler\": {\"scheduler\": ..., \"monitor\": <metric>}"


class BareInLists(Base):
    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        return [optimizer], [ReduceLROnPlateau(optimizer)]  # expect: LTN204 "ReduceLROnPlateau returned without a 'monitor': Lightning 2.x raises at fit start; set \"lr_scheduler\": {\"scheduler\": ..., \"monitor\": <metric>}"


class StepOnValidationLoss(Base):
    """Stepped every batch on a metric only validation logs."""

    def validation_step(self, batch, batch_idx):
        self.ran.append("validation_step")
        self.log("val_loss", self.layer(batch[0]).pow(2).mean())

    def val_dataloader(self):
        return loader()

    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        return {
            "optimizer": optimizer,
            "lr_scheduler": {
                "scheduler": ReduceLROnPlateau(optimizer),
                "monitor": "val_loss",
                "interval": "step",  # expect: LTN204 "ReduceLROnPlateau steps every batch on 'val_loss', which only validation logs: Lightning 2.x raises at the first batch; use \"interval\": \"epoch\""
            },
        }
