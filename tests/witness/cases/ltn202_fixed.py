"""The 2.x signatures of ltn202_bad.py's hooks: each model trains."""
import lightning as L
import torch

from _data import loader


class Base(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)
        self.ran = []
        self.step_losses = []

    def training_step(self, batch, batch_idx):
        self.ran.append("train")
        loss = self.layer(batch[0]).pow(2).mean()
        self.step_losses.append(loss.detach())
        return loss

    def validation_step(self, batch, batch_idx):
        self.ran.append("val")
        self.log("val_loss", self.layer(batch[0]).pow(2).mean())

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def train_dataloader(self):
        return loader()

    def val_dataloader(self):
        return loader()


class ValidationOutputs(Base):
    def on_validation_epoch_end(self):
        self.ran.append("validation_epoch_end")


class TrainOutputs(Base):
    def on_train_epoch_end(self):
        self.ran.append(f"mean of {len(self.step_losses)}")
        self.step_losses.clear()


class BatchStartIndex(Base):
    def on_train_batch_start(self, batch, batch_idx):
        self.ran.append("batch_start")


class BatchEndIndex(Base):
    def on_train_batch_end(self, outputs, batch, batch_idx):
        self.ran.append("batch_end")


class StepWithIndex(Base):
    def optimizer_step(self, epoch, batch_idx, optimizer, optimizer_closure):
        optimizer.step(closure=optimizer_closure)


class ZeroGradWithIndex(Base):
    def optimizer_zero_grad(self, epoch, batch_idx, optimizer):
        optimizer.zero_grad()


class BackwardWithIndex(Base):
    def backward(self, loss, *args, **kwargs):
        loss.backward(*args, **kwargs)


class BeforeStepWithIndex(Base):
    def on_before_optimizer_step(self, optimizer):
        self.ran.append("before_step")


class ClippingWithIndex(Base):
    def configure_gradient_clipping(self, optimizer, gradient_clip_val=None, gradient_clip_algorithm=None):
        self.clip_gradients(optimizer, gradient_clip_val=1.0, gradient_clip_algorithm="norm")


class Hiddens(Base):
    def training_step(self, batch, batch_idx):
        self.ran.append("train")
        return self.layer(batch[0]).pow(2).mean()


class SchedulerWithIndex(Base):
    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        return [optimizer], [torch.optim.lr_scheduler.StepLR(optimizer, 1)]

    def lr_scheduler_step(self, scheduler, metric):
        scheduler.step()


class ManualWithOptimizer(Base):
    def __init__(self):
        super().__init__()
        self.automatic_optimization = False

    def training_step(self, batch, batch_idx):
        self.ran.append("train")
        opt = self.optimizers()
        opt.zero_grad()
        loss = self.layer(batch[0]).pow(2).mean()
        self.manual_backward(loss)
        opt.step()


class BatchTimer(L.Callback):
    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        pl_module.ran.append("callback_batch_end")


class BestLoss(L.Callback):
    def __init__(self):
        self.best = float("inf")

    def on_validation_end(self, trainer, pl_module):
        self.best = min(self.best, float(trainer.callback_metrics["val_loss"]))

    def state_dict(self):
        return {"best": self.best}

    def load_state_dict(self, state_dict):
        self.best = state_dict["best"]
