"""configure_optimizers outputs Lightning drops or rejects."""
import lightning as L
import torch

from _data import loader


class _Base(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)

    def training_step(self, batch, batch_idx):
        return self.layer(batch[0]).pow(2).mean()

    def train_dataloader(self):
        return loader()


class SchedulerKeyModel(_Base):
    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
        return {"optimizer": optimizer, "scheduler": scheduler}  # expect: LTN108 "key 'scheduler' in configure_optimizers' dict is ignored by Lightning (a warning at most): the scheduler is never stepped; use 'lr_scheduler'"


class TupleModel(_Base):
    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
        return optimizer, scheduler  # expect: LTN108 "configure_optimizers returns a tuple of an optimizer and a scheduler: fit raises at setup (unknown configuration); use return [optimizer], [scheduler]"


class OneCyclePerEpochModel(_Base):
    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=0.1, total_steps=self.trainer.estimated_stepping_batches
        )
        return {"optimizer": optimizer, "lr_scheduler": scheduler}  # expect: LTN108 "scheduler sized in optimizer steps (estimated_stepping_batches) is stepped once per epoch: the schedule barely moves; use {'scheduler': ..., 'interval': 'step'}"
