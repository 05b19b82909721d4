import lightning as L
import torch
import torch.nn.functional as F
from torch import nn


class AutoEncoder(L.LightningModule):
    def __init__(self, hidden: int = 2):
        super().__init__()
        self.encoder = nn.Linear(4, hidden)
        self.decoder = nn.Linear(hidden, 4)

    def training_step(self, batch, batch_idx):
        # The loss is logged but never returned: nothing trains (LTN107).
        x = batch[0]
        loss = F.mse_loss(self.decoder(self.encoder(x)), x)
        self.log("train_loss", loss)

    def configure_optimizers(self):
        optimizer = torch.optim.Adam(self.parameters(), lr=1e-3)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)
        # "scheduler" is not a key Lightning reads here: the scheduler is dropped (LTN108).
        return {"optimizer": optimizer, "scheduler": scheduler}
