"""training_step steps Lightning's optimizer itself and returns None: manual optimization unsaid."""
import lightning as L
import torch

from _data import loader


class UnsaidManualModel(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def training_step(self, batch, batch_idx):
        opt = self.optimizers()
        opt.zero_grad()
        loss = self.layer(batch[0]).pow(2).mean()
        loss.backward()
        opt.step()  # expect: LTN103

    def train_dataloader(self):
        return loader()
