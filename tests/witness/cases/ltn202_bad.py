"""Lightning 1.x hook signatures under Lightning 2.6.6: each model records what ran before the TypeError."""
import lightning as L
import torch

from _data import loader


class Base(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)
        self.ran = []

    def training_step(self, batch, batch_idx):
        self.ran.append("train")
        return self.layer(batch[0]).pow(2).mean()

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
    def on_validation_epoch_end(self, outputs):  # expect: LTN202 "on_validation_epoch_end() keeps the Lightning 1.x parameter 'outputs': Lightning 2.x calls on_validation_epoch_end() and raises TypeError in the sanity check (the first validation); remove it; keep what the steps return in an attribute instead"
        print(len(outputs))


class TrainOutputs(Base):
    def on_train_epoch_end(self, outputs):  # expect: LTN202 "on_train_epoch_end() keeps the Lightning 1.x parameter 'outputs': Lightning 2.x calls on_train_epoch_end() and raises TypeError at the end of epoch 0; remove it; keep what the steps return in an attribute instead"
        print(len(outputs))


class BatchStartIndex(Base):
    def on_train_batch_start(self, batch, batch_idx, dataloader_idx):  # expect: LTN202 "on_train_batch_start() keeps the Lightning 1.x parameter 'dataloader_idx': Lightning 2.x calls on_train_batch_start(batch, batch_idx) and raises TypeError at the first batch; remove it"
        self.ran.append("batch_start")


class BatchEndIndex(Base):
    def on_train_batch_end(self, outputs, batch, batch_idx, dataloader_idx):  # expect: LTN202 "on_train_batch_end() keeps the Lightning 1.x parameter 'dataloader_idx': Lightning 2.x calls on_train_batch_end(outputs, batch, batch_idx) and raises TypeError at the first batch; remove it"
        self.ran.append("batch_end")


class StepWithIndex(Base):
    def optimizer_step(self, epoch, batch_idx, optimizer, optimizer_idx, optimizer_closure, on_tpu=False, using_native_amp=False, using_lbfgs=False):  # expect: LTN202 "optimizer_step() keeps the Lightning 1.x parameter 'optimizer_idx': Lightning 2.x calls optimizer_step(epoch, batch_idx, optimizer, optimizer_closure) and raises TypeError at the first batch; remove it"
        optimizer.step(closure=optimizer_closure)


class ZeroGradWithIndex(Base):
    def optimizer_zero_grad(self, epoch, batch_idx, optimizer, optimizer_idx):  # expect: LTN202 "optimizer_zero_grad() keeps the Lightning 1.x parameter 'optimizer_idx': Lightning 2.x calls optimizer_zero_grad(epoch, batch_idx, optimizer) and raises TypeError at the first batch; remove it"
        optimizer.zero_grad()


class BackwardWithIndex(Base):
    def backward(self, loss, optimizer, optimizer_idx):  # expect: LTN202 "backward() keeps the Lightning 1.x parameters 'optimizer', 'optimizer_idx': Lightning 2.x calls backward(loss) and raises TypeError at the first batch; remove them"
        loss.backward()


class BeforeStepWithIndex(Base):
    def on_before_optimizer_step(self, optimizer, optimizer_idx):  # expect: LTN202 "on_before_optimizer_step() keeps the Lightning 1.x parameter 'optimizer_idx': Lightning 2.x calls on_before_optimizer_step(optimizer) and raises TypeError at the first batch; remove it"
        self.ran.append("before_step")


class ClippingWithIndex(Base):
    def configure_gradient_clipping(self, optimizer, optimizer_idx, gradient_clip_val=None, gradient_clip_algorithm=None):  # expect: LTN202 "configure_gradient_clipping() keeps the Lightning 1.x parameter 'optimizer_idx': Lightning 2.x calls configure_gradient_clipping(optimizer, gradient_clip_val=..., gradient_clip_algorithm=...) and raises TypeError at the first batch; remove it"
        self.clip_gradients(optimizer, gradient_clip_val=1.0, gradient_clip_algorithm="norm")


class Hiddens(Base):
    def training_step(self, batch, batch_idx, hiddens):  # expect: LTN202 "training_step() keeps the Lightning 1.x parameter 'hiddens': Lightning 2.x calls training_step(batch, batch_idx) and raises TypeError at the first batch; remove it; 2.x has no truncated BPTT: carry the hidden state in the module"
        self.ran.append("train")
        return self.layer(batch[0]).pow(2).mean()


class SchedulerWithIndex(Base):
    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        return [optimizer], [torch.optim.lr_scheduler.StepLR(optimizer, 1)]

    def lr_scheduler_step(self, scheduler, optimizer_idx, metric):  # expect: LTN202 "lr_scheduler_step() keeps the Lightning 1.x parameter 'optimizer_idx': Lightning 2.x calls lr_scheduler_step(scheduler, metric) and raises TypeError at the first scheduler step (the end of epoch 0 by default); remove it"
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
        self.manual_backward(loss, opt)  # expect: LTN202 "manual_backward(loss, opt) passes the optimizer to loss.backward() (removed in 1.4): TypeError at the first batch; call self.manual_backward(loss)"
        opt.step()


class BatchTimer(L.Callback):
    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx):  # expect: LTN202 "on_train_batch_end() keeps the Lightning 1.x parameter 'dataloader_idx': Lightning 2.x calls on_train_batch_end(trainer, pl_module, outputs, batch, batch_idx) and raises TypeError at the first batch; remove it"
        pl_module.ran.append("callback_batch_end")


class BestLoss(L.Callback):
    """1.6-era callback state: returned by on_save_checkpoint, read back by on_load_checkpoint."""

    def __init__(self):
        self.best = float("inf")

    def on_validation_end(self, trainer, pl_module):
        self.best = min(self.best, float(trainer.callback_metrics["val_loss"]))

    def on_save_checkpoint(self, trainer, pl_module, checkpoint):  # expect: LTN202 "Callback on_save_checkpoint() returns its state (removed in 1.8): 2.x silently drops it from every checkpoint; move it to state_dict()"
        return {"best": self.best}

    def on_load_checkpoint(self, trainer, pl_module, callback_state):  # expect: LTN202 "Callback on_load_checkpoint() reads 'callback_state' as its 1.x state: 2.x passes the whole checkpoint, so it fails at resume; move it to load_state_dict()"
        self.best = callback_state["best"]
