import lightning as L
import torch


class GAN(L.LightningModule):
    automatic_optimization = False

    def configure_optimizers(self):
        self.opt_g = torch.optim.Adam(self.generator.parameters())
        opt_d = torch.optim.Adam(self.discriminator.parameters())
        self.opt_d = opt_d
        return [self.opt_g, opt_d], []

    def training_step(self, batch, batch_idx):
        d = self.optimizers()[1]
        d.zero_grad()
        self.manual_backward(self.d_loss(batch))
        d.step()
        g, _ = self.optimizers()
        g.step()
        wrapped = self.optimizers()[0]
        wrapped.optimizer.zero_grad()
        self.optimizers()[0].step()
