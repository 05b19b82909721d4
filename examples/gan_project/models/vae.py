import lightning as L
import torch
import torch.nn.functional as F
from torch import nn


class VAE(L.LightningModule):
    """Manual optimization with gradient accumulation over 4 batches."""

    def __init__(self, latent_dim: int = 2):
        super().__init__()
        self.automatic_optimization = False
        self.encoder = nn.Linear(4, 2 * latent_dim)
        self.decoder = nn.Linear(latent_dim, 4)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=1e-3)
        # Never stepped: under manual optimization that is our job (LTN104).
        return [opt], [torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100)]

    def training_step(self, batch, batch_idx):
        x = batch[0]
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(dim=1).mean()
        loss = F.mse_loss(self.decoder(z), x) + kl
        # Skips DDP gradient sync, AMP scaling and backward hooks (LTN101).
        (loss / 4).backward()
        self.log("train_elbo", loss)

    def on_train_batch_end(self, outputs, batch, batch_idx):
        if (batch_idx + 1) % 4 == 0:
            opt = self.optimizers()
            # Outside training_step: global_step stays 0 (LTN102).
            opt.step()
            opt.zero_grad()

    # A typo: Lightning never calls it (LTN106).
    def on_training_epoch_end(self):
        self.log("beta", self.current_epoch / 10)
