import lightning as L
import torch

from _data import loader


class TwoOptimizersModel(L.LightningModule):
    """Records the hooks that ran, to show where fit raises."""

    def __init__(self):
        super().__init__()
        self.encoder = torch.nn.Linear(4, 4)
        self.head = torch.nn.Linear(4, 1)
        self.ran = []

    def setup(self, stage):
        self.ran.append("setup")

    def training_step(self, batch, batch_idx):
        self.ran.append("training_step")
        return self.head(self.encoder(batch[0])).pow(2).mean()

    def configure_optimizers(self):
        self.ran.append("configure_optimizers")
        return torch.optim.SGD(self.encoder.parameters(), lr=0.1), torch.optim.SGD(self.head.parameters(), lr=0.1)  # expect: LTN203 "2 optimizers under automatic optimization: Lightning 2.x raises 'multiple optimizers' at fit start; set self.automatic_optimization = False"

    def train_dataloader(self):
        return loader()


class IndexedModel(L.LightningModule):
    """A 1.x training_step with optimizer_idx, under manual optimization and one optimizer."""

    def __init__(self):
        super().__init__()
        self.automatic_optimization = False
        self.layer = torch.nn.Linear(4, 1)
        self.ran = []

    def setup(self, stage):
        self.ran.append("setup")

    def training_step(self, batch, batch_idx, optimizer_idx=None):  # expect: LTN203 "'optimizer_idx' in training_step: Lightning 2.x raises at fit start, 'multiple optimizers' need manual optimization; use self.optimizers() without it"
        self.ran.append("training_step")
        opt = self.optimizers()
        opt.zero_grad()
        self.manual_backward(self.layer(batch[0]).pow(2).mean())
        opt.step()

    def configure_optimizers(self):
        self.ran.append("configure_optimizers")
        return torch.optim.SGD(self.layer.parameters(), lr=0.1)

    def train_dataloader(self):
        return loader()
