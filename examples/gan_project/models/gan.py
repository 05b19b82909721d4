import torch
import torch.nn.functional as F

from .base import BaseGAN


class GAN(BaseGAN):
    def training_step(self, batch, batch_idx):
        real = batch[0]
        z = torch.randn(real.size(0), self.hparams.latent_dim, device=self.device)

        # Discriminator: steps the raw optimizer kept by the base class (LTN001).
        fake = self.generator(z).detach()
        d_loss = F.softplus(self.discriminator(fake)).mean() + F.softplus(-self.discriminator(real)).mean()
        self.opt_d.zero_grad()
        self.manual_backward(d_loss)
        self.opt_d.step()

        # Generator: done right, through Lightning's wrappers.
        opt_g, _ = self.optimizers()
        g_loss = F.softplus(-self.discriminator(self.generator(z))).mean()
        opt_g.zero_grad()
        self.manual_backward(g_loss)
        opt_g.step()

        self.log_dict({"d_loss": d_loss, "g_loss": g_loss}, prog_bar=True)
