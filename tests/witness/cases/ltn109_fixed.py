import lightning as L
import torch
from lightning.pytorch.callbacks import ModelCheckpoint

from _data import loader, quiet_trainer_options


class EpochScoredModel(L.LightningModule):
    """``val_loss`` is the epoch number: the best checkpoint is epoch 0's."""

    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def training_step(self, batch, batch_idx):
        return self.layer(batch[0]).pow(2).mean()

    def validation_step(self, batch, batch_idx):
        self.log("val_loss", float(self.current_epoch))

    def test_step(self, batch, batch_idx):
        self.log("test_loss", self.layer(batch[0]).pow(2).mean())

    def train_dataloader(self):
        return loader()

    def val_dataloader(self):
        return loader()

    def test_dataloader(self):
        return loader()


def build_trainer(root):
    best = ModelCheckpoint(dirpath=root / "best", monitor="val_loss", save_top_k=1)
    options = {**quiet_trainer_options(root), "max_epochs": 3, "num_sanity_val_steps": 0}
    return L.Trainer(callbacks=[best], **options), best
