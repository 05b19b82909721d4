# flake8: noqa
import lightning as L
import torch


class Model(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.automatic_optimization = False
        self.layer = torch.nn.Linear(4, 1)

    def configure_optimizers(self):
        self.optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        return self.optimizer

    def training_step(self, batch, batch_idx):
        loss = self.layer(batch[0]).pow(2).mean()
        self.optimizer.zero_grad()  # clear old gradients
        self.manual_backward(loss)
        self.optimizer.step()  # noqa: LTN001
        lr = self.optimizer.param_groups[0]["lr"]
        self.log("lr", lr)
