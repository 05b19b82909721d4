import lightning as L
import torch
from lightning.pytorch.callbacks import ModelCheckpoint

from _data import loader, quiet_trainer_options


class ValidatedModel(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)
        self.validation_batches = 0

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def training_step(self, batch, batch_idx):
        return self.layer(batch[0]).pow(2).mean()

    def validation_step(self, batch, batch_idx):
        self.validation_batches += 1
        self.log("val_loss", self.layer(batch[0]).pow(2).mean())


class MisnamedData(L.LightningDataModule):
    def train_dataloader(self):
        return loader()

    def val_dataloaders(self):  # expect: LTN106 "'val_dataloaders' is not a hook name: Lightning never calls it; did you mean 'val_dataloader'? (Lightning 2.x per ../../../setup.cfg)"
        return loader()


def build_trainer(root):
    best = ModelCheckpoint(dirpath=root / "best", monitor="val_loss")
    return L.Trainer(callbacks=[best], **quiet_trainer_options(root)), best
