import lightning as L


class Model(L.LightningModule):
    def __init__(self):
        super().__init__()

    def training_step(self, batch, batch_idx):
        self.manual_backward(batch.sum())

    def __init__(self, hidden=32):  # the one that runs
        super().__init__()
        self.automatic_optimization = False
        self.hidden = hidden
