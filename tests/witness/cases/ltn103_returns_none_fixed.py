"""The fix: say it is manual optimization (then manual_backward applies AMP scaling)."""
import lightning as L
import torch

from _data import loader


class ManualModel(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.automatic_optimization = False
        self.layer = torch.nn.Linear(4, 1)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def training_step(self, batch, batch_idx):
        opt = self.optimizers()
        opt.zero_grad()
        loss = self.layer(batch[0]).pow(2).mean()
        self.manual_backward(loss)
        opt.step()

    def train_dataloader(self):
        return loader()
