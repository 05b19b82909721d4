import lightning as L
import torch
from lightning.pytorch.utilities import rank_zero_only
from torch import nn


class Model(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = nn.Linear(32, 1)

    def training_step(self, batch, batch_idx, hiddens):
        out = self.net(batch)
        return {"loss": out.pow(2).mean(), "hiddens": hiddens}  # used: not removed

    def on_train_epoch_end(self, outputs):
        print(locals())  # may read it

    @rank_zero_only
    def on_before_optimizer_step(self, optimizer, optimizer_idx):
        pass

    def on_train_batch_end(self, outputs, batch, batch_idx, dataloader_idx, extra):
        pass  # a default for dataloader_idx would be a syntax error

    def optimizer_zero_grad(self, epoch, batch_idx, optimizer, optimizer_idx):
        optimizer.zero_grad()

    def zero_now(self, optimizer):
        self.optimizer_zero_grad(0, 0, optimizer, 0)  # the project's own call

    def backward(self, loss, optimizer, optimizer_idx):
        loss.backward()

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)
