import lightning as L
import torch


class Automatic(L.LightningModule):
    """Under automatic optimization the fix is not to step at all: no autofix."""

    def configure_optimizers(self):
        self.optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        return self.optimizer

    def training_step(self, batch, batch_idx):
        self.optimizer.step()
        return batch.sum()


class TwoReturns(L.LightningModule):
    """Which optimizer is returned depends on a flag: no index is certain."""

    automatic_optimization = False

    def configure_optimizers(self):
        self.optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        if self.flag:
            return [self.optimizer, torch.optim.Adam(self.parameters())]
        return self.optimizer

    def training_step(self, batch, batch_idx):
        self.optimizer.step()
        self.trainer.optimizers[0].zero_grad()


class BareReturn(L.LightningModule):
    """One path returns no optimizer at all: no index is certain."""

    automatic_optimization = False

    def configure_optimizers(self):
        self.optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        if self.flag:
            return
        return self.optimizer

    def training_step(self, batch, batch_idx):
        self.optimizer.step()
