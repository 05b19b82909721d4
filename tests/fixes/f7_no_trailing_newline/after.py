import lightning as L
import torch


class Model(L.LightningModule):
    automatic_optimization = False

    def configure_optimizers(self):
        self.optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        return self.optimizer

    def training_step(self, batch, batch_idx):
        self.manual_backward(batch.sum())
        self.optimizers().step()