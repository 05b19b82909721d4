import lightning as L
import torch
from lightning.pytorch.callbacks import ModelCheckpoint

from _data import loader, quiet_trainer_options


class ImprovingModel(L.LightningModule):
    """Its validation accuracy improves every epoch: 0.1, 0.2, 0.3."""

    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def training_step(self, batch, batch_idx):
        return self.layer(batch[0]).pow(2).mean()

    def validation_step(self, batch, batch_idx):
        self.log("val_acc", 0.1 * (self.current_epoch + 1))

    def train_dataloader(self):
        return loader()

    def val_dataloader(self):
        return loader()


def train(root):
    checkpoint = ModelCheckpoint(dirpath=root, monitor="val_acc", save_top_k=1)  # expect: LTN105 "monitor 'val_acc' is higher-is-better but mode is 'min' (the default), so the worst model is kept; use mode='max'"
    trainer = L.Trainer(callbacks=[checkpoint], **{**quiet_trainer_options(root), "max_epochs": 3})
    trainer.fit(ImprovingModel())
    return checkpoint
