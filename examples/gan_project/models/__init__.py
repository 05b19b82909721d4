from .classifier import Classifier
from .gan import GAN
from .regressor import Regressor
from .vae import VAE

__all__ = ["GAN", "VAE", "Classifier", "Regressor"]
