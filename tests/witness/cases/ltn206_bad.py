"""LTN206 witness: 1.x Trainer arguments and run keywords under Lightning 2.x."""

import lightning as L
import torch

from _data import loader


class Model(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)

    def training_step(self, batch, batch_idx):
        return self.layer(batch[0]).pow(2).mean()

    def test_step(self, batch, batch_idx):
        self.log("test_loss", self.layer(batch[0]).pow(2).mean())

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def train(root, ckpt=None):
    model = Model()
    trainer = L.Trainer(
        default_root_dir=root,
        accelerator="cpu",
        devices=1,
        max_epochs=2,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        replace_sampler_ddp=False,
        resume_from_checkpoint=ckpt,
    )
    trainer.fit(model, loader())
    return trainer


def train_then_test(root):
    model = Model()
    trainer = L.Trainer(
        default_root_dir=root, accelerator="cpu", devices=1, max_epochs=2, logger=False, enable_progress_bar=False
    )
    trainer.fit(model, loader())
    return trainer.test(model, test_dataloaders=loader())
