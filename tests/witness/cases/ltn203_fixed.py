import lightning as L
import torch

from _data import loader


class TwoOptimizersModel(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.automatic_optimization = False
        self.encoder = torch.nn.Linear(4, 4)
        self.head = torch.nn.Linear(4, 1)

    def training_step(self, batch, batch_idx):
        opt_encoder, opt_head = self.optimizers()
        opt_encoder.zero_grad()
        opt_head.zero_grad()
        self.manual_backward(self.head(self.encoder(batch[0])).pow(2).mean())
        opt_encoder.step()
        opt_head.step()

    def configure_optimizers(self):
        return torch.optim.SGD(self.encoder.parameters(), lr=0.1), torch.optim.SGD(self.head.parameters(), lr=0.1)

    def train_dataloader(self):
        return loader()


class IndexedModel(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.automatic_optimization = False
        self.layer = torch.nn.Linear(4, 1)

    def training_step(self, batch, batch_idx):
        opt = self.optimizers()
        opt.zero_grad()
        self.manual_backward(self.layer(batch[0]).pow(2).mean())
        opt.step()

    def configure_optimizers(self):
        return torch.optim.SGD(self.layer.parameters(), lr=0.1)

    def train_dataloader(self):
        return loader()
