import lightning as L
import torch
import torch.nn.functional as F
from torch import nn


class Regressor(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = nn.Linear(4, 1)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.01)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.mse_loss(self.net(x).squeeze(1), y)
        # Automatic optimization steps after training_step too: two steps a batch (LTN103).
        self.optimizers().step()
        self.log("train_mse", loss)
        return loss

    def on_train_end(self):
        # Lightning forbids self.log here: it raises after the whole run (LTN201).
        self.log("final_weight_norm", self.net.weight.norm())
