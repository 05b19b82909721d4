import lightning as L


class Model(L.LightningModule):
    def __init__(self, hidden):
        hidden = hidden * 2
        self.hidden = hidden
        self.save_hyperparameters()
        super().__init__()
        self.automatic_optimization = False
        self.layer = None

    def training_step(self, batch, batch_idx):
        self.manual_backward(batch.sum())
