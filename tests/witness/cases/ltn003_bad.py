import lightning as L
import torch
from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint

from _data import loader, quiet_trainer_options


class AutoEncoder(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 4)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def training_step(self, batch, batch_idx):
        loss = (self.layer(batch[0]) - batch[0]).pow(2).mean()
        self.log("loss", loss)
        self.log("ae_accuracy", 1.0 - loss.detach())
        return loss

    def validation_step(self, batch, batch_idx):
        loss = (self.layer(batch[0]) - batch[0]).pow(2).mean()
        self.log("val_loss", loss)
        self.log("val_accuracy", 1.0 - loss)

    def train_dataloader(self):
        return loader()

    def val_dataloader(self):
        return loader()


def checkpoint_every_n_steps(root):
    """No validation, step checkpoints: trains to the end and silently saves nothing."""
    checkpoint = ModelCheckpoint(dirpath=root, monitor="ae_acc", mode="max", every_n_train_steps=2)  # expect: LTN003 "monitor 'ae_acc' is never logged with self.log, so no checkpoint is saved or fit fails; did you mean 'ae_accuracy'?"
    trainer = L.Trainer(callbacks=[checkpoint], limit_val_batches=0, **quiet_trainer_options(root))
    trainer.fit(AutoEncoder())
    return trainer


def checkpoint_on_validation(root):
    """Raises only at the end of the first validation epoch."""
    trainer = L.Trainer(callbacks=[ModelCheckpoint(dirpath=root, monitor="val_acc", mode="max")], **quiet_trainer_options(root))  # expect: LTN003 "monitor 'val_acc' is never logged with self.log, so no checkpoint is saved or fit fails; did you mean 'val_accuracy'?"
    trainer.fit(AutoEncoder())
    return trainer


def early_stopping(root):
    trainer = L.Trainer(callbacks=[EarlyStopping("val_los")], **quiet_trainer_options(root))  # expect: LTN003 "monitor 'val_los' is never logged with self.log, so fit fails at the first validation end; did you mean 'val_loss'?"
    trainer.fit(AutoEncoder())
    return trainer
