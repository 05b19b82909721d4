"""Train the GAN, then evaluate the classifier: two Trainer mistakes."""

import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset

from gan_project.models import GAN, Classifier


def train_gan():
    data = DataLoader(TensorDataset(torch.randn(64, 16)), batch_size=8)
    # The GAN steps its optimizers by hand: fit raises at start (LTN207).
    trainer = L.Trainer(max_epochs=50, gradient_clip_val=1.0)
    trainer.fit(GAN(), data)


def evaluate(checkpoint):
    x, y = torch.randn(64, 4), torch.randint(0, 3, (64,))
    data = DataLoader(TensorDataset(x, y), batch_size=8)
    model = Classifier.load_from_checkpoint(checkpoint)
    trainer = L.Trainer()
    # A 1.x keyword: TypeError in Lightning 2.x (LTN206; --fix renames it).
    trainer.test(model, test_dataloaders=data)


if __name__ == "__main__":
    train_gan()
    evaluate("last.ckpt")
