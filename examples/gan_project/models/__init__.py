from .classifier import Classifier
from .gan import GAN

__all__ = ["GAN", "Classifier"]
