import lightning as L
import torch


class GAN(L.LightningModule):
    automatic_optimization = False

    def configure_optimizers(self):
        self.opt_g = torch.optim.Adam(self.generator.parameters())
        self.opt_d = torch.optim.Adam(self.discriminator.parameters())
        return [self.opt_g, self.opt_d]

    def training_step(self, batch, batch_idx):
        self.manual_backward(self.d_loss(batch))
        self.optimizers()[1].step()
