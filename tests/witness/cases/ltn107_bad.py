"""training_step logs the loss and forgets to return it: nothing is ever trained."""
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


class ForgotLossModel(_Base):
    def training_step(self, batch, batch_idx):  # expect: LTN107 "training_step returns no loss under automatic optimization: Lightning skips backward and step on every batch, the parameters never change; use return loss"
        loss = self.layer(batch[0]).pow(2).mean()
        self.log("train_loss", loss)


class ItemLossModel(_Base):
    def training_step(self, batch, batch_idx):
        loss = self.layer(batch[0]).pow(2).mean()
        return loss.item()  # expect: LTN107 "training_step returns 'loss.item()', a Python number, under automatic optimization: fit raises at the first batch; use return <the loss tensor>"


class NoLossKeyModel(_Base):
    def training_step(self, batch, batch_idx):
        return {"train_loss": self.layer(batch[0]).pow(2).mean()}  # expect: LTN107 "training_step returns a dict without a 'loss' key under automatic optimization: fit raises at the first batch; use 'loss': <the loss tensor>"
