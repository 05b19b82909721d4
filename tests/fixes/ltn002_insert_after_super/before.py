import lightning as L


class Model(L.LightningModule):
    def __init__(self, hidden: int = 32, lr: float = 1e-3):
        super().__init__(
        )
        self.save_hyperparameters()

    def training_step(self, batch, batch_idx):
        opt = self.optimizers()
        opt.zero_grad()
        self.manual_backward(batch.sum())
        opt.step()

    def validation_step(self, batch, batch_idx):
        self.manual_backward(batch.sum())
