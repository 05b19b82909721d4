import time

import lightning as L
import torch
from torch import nn


class Classifier(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = nn.Linear(32, 10)

    def training_step(self, batch, batch_idx):
        x, y = batch
        return nn.functional.cross_entropy(self.net(x), y)

    def on_train_batch_start(self, batch, batch_idx, dataloader_idx=0):
        if dataloader_idx == 0 and batch_idx == 0:
            print("first batch")

    def on_train_epoch_end(self):
        print("epoch", self.current_epoch)

    def optimizer_step(
        self,
        epoch,
        batch_idx,
        optimizer,
        optimizer_idx,  # a comment: the fix would drop it, so nothing is rewritten
        optimizer_closure,
        on_tpu=False,
        using_native_amp=False,
        using_lbfgs=False,
    ):
        optimizer.step(closure=optimizer_closure)

    def optimizer_zero_grad(
        self,
        epoch,
        batch_idx,
        optimizer,
    ):
        optimizer.zero_grad(set_to_none=True)

    def on_before_optimizer_step(self, optimizer):
        pass

    def lr_scheduler_step(self, scheduler, metric):
        scheduler.step()

    def configure_optimizers(self):
        optimizer = torch.optim.Adam(self.parameters(), lr=1e-3)
        return [optimizer], [torch.optim.lr_scheduler.StepLR(optimizer, 10)]


class TBPTT(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(8, 16, batch_first=True)

    def training_step(self, batch, batch_idx):
        out, _ = self.rnn(batch)
        return out.pow(2).mean()

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


class Timer(L.Callback):
    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx, dataloader_idx: int = 0):
        self.start = time.time()

    def on_train_batch_end(
        self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0
    ):
        pl_module.log("batch_time", time.time() - self.start)

    def on_train_epoch_end(self, trainer, pl_module):
        def report():
            print(trainer.current_epoch)

        report()

    def on_before_optimizer_step(self, trainer, pl_module, optimizer):
        pass
