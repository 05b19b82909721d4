import lightning as L
import torch

from _data import loader


class DoubleStepModel(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def training_step(self, batch, batch_idx):
        loss = self.layer(batch[0]).pow(2).mean()
        self.optimizers().step()  # expect: LTN103 "'self.optimizers()' stepped under automatic optimization: Lightning steps again after its own backward, two updates a batch; set self.automatic_optimization = False"
        return loss

    def train_dataloader(self):
        return loader()
