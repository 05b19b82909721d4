import lightning as L
import torch

from _data import loader


class LateHparamsModel(L.LightningModule):
    def __init__(self, hidden):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(4, hidden), torch.nn.Linear(hidden, 1))

    def setup(self, stage):
        self.save_hyperparameters()  # expect: LTN110 "save_hyperparameters() in 'setup' saves empty hparams (no __init__ runs there), so load_from_checkpoint cannot rebuild the model; call it in __init__"
        self.stage = stage

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def training_step(self, batch, batch_idx):
        return self.net(batch[0]).pow(2).mean()

    def train_dataloader(self):
        return loader()
