"""loss.backward() in training_step under automatic optimization."""
import lightning as L
import torch

from _data import loader


class SecondBackwardModel(L.LightningModule):
    """Backward, then return the same loss: Lightning backpropagates it a second time."""

    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)
        self.batches_started = 0

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def training_step(self, batch, batch_idx):
        self.batches_started += 1
        loss = self.layer(batch[0]).pow(2).mean()
        loss.backward()  # expect: LTN101
        return loss

    def train_dataloader(self):
        return loader()


class DiscardedGradientModel(L.LightningModule):
    """An auxiliary loss backpropagated by hand: Lightning zeroes it before its own backward."""

    def __init__(self):
        super().__init__()
        self.aux_head = torch.nn.Linear(4, 1)
        self.head = torch.nn.Linear(4, 1)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def training_step(self, batch, batch_idx):
        aux = self.aux_head(batch[0]).pow(2).mean()
        aux.backward()  # expect: LTN101
        return self.head(batch[0]).pow(2).mean()

    def train_dataloader(self):
        return loader()


class ReturnsNothingModel(L.LightningModule):
    """Backward and nothing returned: Lightning zeroes the gradients and steps nothing."""

    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def training_step(self, batch, batch_idx):
        loss = self.layer(batch[0]).pow(2).mean()
        loss.backward()  # expect: LTN101
        self.log("loss", loss)

    def train_dataloader(self):
        return loader()
