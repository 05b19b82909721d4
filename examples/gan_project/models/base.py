"""Shared base: both networks of a GAN, their optimizers kept on the module."""

import lightning as L
import torch
from torch import nn


class BaseGAN(L.LightningModule):
    def __init__(self, latent_dim: int = 16, lr: float = 2e-4):
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.generator = nn.Sequential(nn.Linear(latent_dim, 32), nn.ReLU(), nn.Linear(32, 4))
        self.discriminator = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 1))

    def configure_optimizers(self):
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=self.hparams.lr)
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=self.hparams.lr)
        return [self.opt_g, self.opt_d]
