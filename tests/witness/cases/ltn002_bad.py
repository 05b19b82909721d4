import lightning as L
import torch

from _data import loader


class StillAutomaticModel(L.LightningModule):
    def __init__(self):
        self.automatic_optimization = False  # expect: LTN002 "automatic_optimization = False before super().__init__() is reset to True; move it after super().__init__()"
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def training_step(self, batch, batch_idx):
        opt = self.optimizers()
        opt.zero_grad()
        self.manual_backward(self.layer(batch[0]).pow(2).mean())  # expect: LTN002 "manual_backward() with automatic optimization on fails at the first batch; set self.automatic_optimization = False after super().__init__()"
        opt.step()

    def train_dataloader(self):
        return loader()
