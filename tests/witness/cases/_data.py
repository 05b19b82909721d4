"""A tiny data set shared by the witness models: 8 samples, 4 batches of 2."""

import torch
from torch.utils.data import DataLoader, TensorDataset


def loader() -> DataLoader:
    generator = torch.Generator().manual_seed(0)
    return DataLoader(TensorDataset(torch.randn(8, 4, generator=generator)), batch_size=2)


def quiet_trainer_options(root) -> dict:
    """Trainer options that keep a witness run small, CPU-only and silent."""
    return dict(
        default_root_dir=root,
        accelerator="cpu",
        devices=1,
        max_epochs=2,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
