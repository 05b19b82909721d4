import lightning as L
import torch

from _data import loader


class StepInBatchEndModel(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.automatic_optimization = False
        self.layer = torch.nn.Linear(4, 1)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def training_step(self, batch, batch_idx):
        self.manual_backward(self.layer(batch[0]).pow(2).mean())

    def on_train_batch_end(self, outputs, batch, batch_idx):
        opt = self.optimizers()
        opt.step()  # expect: LTN102 "optimizer stepped in on_train_batch_end(), outside training_step, so global_step stays 0; move the step into training_step"
        opt.zero_grad()

    def train_dataloader(self):
        return loader()
