"""training_step returns the loss: Lightning backpropagates and steps on it."""
import lightning as L
import torch

from _data import loader


class _Base(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def train_dataloader(self):
        return loader()


class ReturnsLossModel(_Base):
    def training_step(self, batch, batch_idx):
        loss = self.layer(batch[0]).pow(2).mean()
        self.log("train_loss", loss)
        return loss


class LossKeyModel(_Base):
    def training_step(self, batch, batch_idx):
        loss = self.layer(batch[0]).pow(2).mean()
        return {"loss": loss, "train_loss": loss.item()}
