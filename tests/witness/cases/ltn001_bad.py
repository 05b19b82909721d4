import lightning as L
import torch

from _data import loader


class RawOptimizerModel(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.automatic_optimization = False
        self.layer = torch.nn.Linear(4, 1)

    def configure_optimizers(self):
        self.optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        return self.optimizer

    def training_step(self, batch, batch_idx):
        loss = self.layer(batch[0]).pow(2).mean()
        self.optimizer.zero_grad()  # not a finding: the wrapper's zero_grad calls this very one
        self.manual_backward(loss)
        self.optimizer.step()  # expect: LTN001 "raw optimizer 'self.optimizer' is stepped, so global_step stays 0 and no checkpoint is saved; use self.optimizers()"
        self.log("train_loss", loss)

    def train_dataloader(self):
        return loader()
