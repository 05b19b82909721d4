import lightning as L


class Model(L.LightningModule):
    def training_step(self, batch, batch_idx):
        self.manual_backward(batch.sum())

    def __init__(self):
        super().__init__()
        self.automatic_optimization = False