import lightning as L


class GAN(L.LightningModule):
    automatic_optimization = False

    def training_step(self, batch, batch_idx):
        self.manual_backward(batch.sum())
        g, d = self.optimizers(  # the raw ones, on purpose
            use_pl_optimizer=False,
        )
        g.step()
        w = self.optimizers()[0]
        w.optimizer.step()  # kept
