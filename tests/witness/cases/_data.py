"""A tiny data set shared by the witness models: 8 samples, 4 batches of 2."""

import torch
from torch.utils.data import DataLoader, TensorDataset


def loader() -> DataLoader:
    generator = torch.Generator().manual_seed(0)
    return DataLoader(TensorDataset(torch.randn(8, 4, generator=generator)), batch_size=2)
