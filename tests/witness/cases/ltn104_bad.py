import lightning as L
import torch

from _data import loader


class FrozenLearningRateModel(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.automatic_optimization = False
        self.layer = torch.nn.Linear(4, 1)

    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=0.1)
        return [opt], [torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)]  # expect: LTN104 "scheduler returned under manual optimization is never stepped, so the learning rate never changes; call self.lr_schedulers().step() in training_step"

    def training_step(self, batch, batch_idx):
        opt = self.optimizers()
        opt.zero_grad()
        self.manual_backward(self.layer(batch[0]).pow(2).mean())
        opt.step()

    def train_dataloader(self):
        return loader()
