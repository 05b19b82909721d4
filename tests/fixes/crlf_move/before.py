import pytorch_lightning as pl


class GAN(pl.LightningModule):
    def __init__(self, lr):
        self.automatic_optimization = False  # GANs step two optimizers by hand
        super().__init__()
        self.lr = lr

    def training_step(self, batch, batch_idx):
        self.manual_backward(batch.sum())
