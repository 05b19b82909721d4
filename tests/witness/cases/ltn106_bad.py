import lightning as L
import torch

from _data import loader


class MisspelledHookModel(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)
        self.epochs_summarized = 0

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def training_step(self, batch, batch_idx):
        return self.layer(batch[0]).pow(2).mean()

    def on_training_epoch_end(self):  # expect: LTN106 "'on_training_epoch_end' is not a hook name: Lightning never calls it; did you mean 'on_train_epoch_end'? (Lightning 2.x per ../../../setup.cfg)"
        self.epochs_summarized += 1

    def train_dataloader(self):
        return loader()
