"""Two more mistakes that train to the end: empty hparams, and a foreign ModelCheckpoint."""

import lightning as L
import torch
from pytorch_lightning.callbacks import ModelCheckpoint


class LateConfigModel(L.LightningModule):
    def __init__(self, hidden: int = 64):
        super().__init__()
        self.net = torch.nn.Linear(32, hidden)

    def setup(self, stage):
        self.save_hyperparameters()  # LTN110: hparams stay empty

    def training_step(self, batch, batch_idx):
        return self.net(batch).sum()

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters())


def train():
    trainer = L.Trainer(callbacks=[ModelCheckpoint(save_top_k=1)])  # LTN109: not the Trainer's checkpoint
    trainer.fit(LateConfigModel())
