import lightning as L
import torch

from _data import loader


class RawZeroGradModel(L.LightningModule):
    """Zeroes the raw optimizer, steps Lightning's wrapper: the same as opt.zero_grad()."""

    def __init__(self):
        super().__init__()
        self.automatic_optimization = False
        self.layer = torch.nn.Linear(4, 1)
        self.zeroed = []

    def configure_optimizers(self):
        self.optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        return self.optimizer

    def training_step(self, batch, batch_idx):
        loss = self.layer(batch[0]).pow(2).mean()
        self.optimizer.zero_grad()
        self.zeroed.append(all(p.grad is None for p in self.parameters()))
        self.manual_backward(loss)
        self.optimizers().step()
        self.log("train_loss", loss)

    def train_dataloader(self):
        return loader()
