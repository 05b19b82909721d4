import lightning as L
import torch

from _data import loader


class InitHparamsModel(L.LightningModule):
    def __init__(self, hidden):
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Sequential(torch.nn.Linear(4, hidden), torch.nn.Linear(hidden, 1))

    def setup(self, stage):
        self.stage = stage

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def training_step(self, batch, batch_idx):
        return self.net(batch[0]).pow(2).mean()

    def train_dataloader(self):
        return loader()
