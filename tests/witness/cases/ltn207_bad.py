"""LTN207 witness: gradient clipping on a Trainer that fits a manually optimized module."""

import lightning as L
import torch

from _data import loader


class Manual(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.automatic_optimization = False
        self.layer = torch.nn.Linear(4, 1)
        self.batches_seen = 0

    def training_step(self, batch, batch_idx):
        self.batches_seen += 1
        opt = self.optimizers()
        opt.zero_grad()
        self.manual_backward(self.layer(batch[0]).pow(2).mean())
        opt.step()

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def clip(root):
    model = Manual()
    trainer = L.Trainer(default_root_dir=root, accelerator="cpu", max_epochs=1, logger=False, gradient_clip_val=0.5)
    trainer.fit(model, loader())
    return model


def accumulate(root):
    model = Manual()
    trainer = L.Trainer(default_root_dir=root, accelerator="cpu", max_epochs=1, logger=False, accumulate_grad_batches=2)
    trainer.fit(model, loader())
    return model
