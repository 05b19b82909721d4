"""Train the classifier with checkpointing and early stopping."""

import lightning as L
import torch
from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint
from torch.utils.data import DataLoader, TensorDataset

from gan_project.models import Classifier


def main():
    x, y = torch.randn(64, 4), torch.randint(0, 3, (64,))
    data = DataLoader(TensorDataset(x, y), batch_size=8)
    model = Classifier()
    trainer = L.Trainer(
        max_epochs=20,
        callbacks=[
            # The model logs "val_accuracy": this never saves, then fails (LTN003).
            ModelCheckpoint(monitor="val_acc", mode="max"),
            # Accuracy with the default mode="min": stops when the model improves (LTN105).
            EarlyStopping(monitor="val_accuracy", patience=3),
        ],
    )
    trainer.fit(model, data, data)


if __name__ == "__main__":
    main()
