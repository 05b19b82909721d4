from base import GAN


class SlowerGAN(GAN):
    def training_step(self, batch, batch_idx):
        self.manual_backward(self.g_loss(batch))
        self.opt_g.step()
