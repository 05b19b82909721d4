"""The fix: return the whole loss and let Lightning backpropagate it; a copy's backward is fine."""
import copy

import lightning as L
import torch

from _data import loader


class ReturnedLossModel(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.aux_head = torch.nn.Linear(4, 1)
        self.head = torch.nn.Linear(4, 1)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def training_step(self, batch, batch_idx):
        aux = self.aux_head(batch[0]).pow(2).mean()
        return aux + self.head(batch[0]).pow(2).mean()

    def train_dataloader(self):
        return loader()


class InnerLoopModel(L.LightningModule):
    """A MAML-style inner loop over a deepcopy: its backward and step are correct."""

    def __init__(self):
        super().__init__()
        self.net = torch.nn.Linear(4, 1)
        self.inner_steps = 0

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def training_step(self, batch, batch_idx):
        fast = copy.deepcopy(self.net)
        inner_opt = torch.optim.SGD(fast.parameters(), lr=0.1)
        inner_opt.zero_grad()
        inner_loss = fast(batch[0]).pow(2).mean()
        inner_loss.backward()
        inner_opt.step()
        self.inner_steps += 1
        return (self.net(batch[0]) - fast(batch[0]).detach()).pow(2).mean() + self.net(batch[0]).pow(2).mean()

    def train_dataloader(self):
        return loader()
