"""Lightning 1.x habits that Lightning 2.x rejects only once the run is under way."""

import lightning as L
import torch
from torch import nn


class TwoHeadModel(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(16, 8)
        self.head = nn.Linear(8, 1)

    def training_step(self, batch, batch_idx):
        loss = self.head(self.body(batch)).pow(2).mean()
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        # LTN203: two optimizers under automatic optimization
        return torch.optim.Adam(self.body.parameters()), torch.optim.Adam(self.head.parameters())


class PlateauModel(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(16, 1)

    def training_step(self, batch, batch_idx):
        loss = self.layer(batch).pow(2).mean()
        self.log("train_loss", loss)
        return loss

    def on_train_epoch_end(self, outputs):  # LTN202: 2.x calls it without outputs
        print("epoch done")

    def configure_optimizers(self):
        optimizer = torch.optim.Adam(self.parameters())
        return {
            "optimizer": optimizer,
            # LTN204: the "monitor" beside a dict "lr_scheduler" is ignored
            "lr_scheduler": {"scheduler": torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer)},
            "monitor": "train_loss",
        }


def reload(path):
    model = PlateauModel()
    return model.load_from_checkpoint(path)  # LTN205: called on an instance
