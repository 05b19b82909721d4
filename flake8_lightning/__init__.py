"""flake8-lightning: catch PyTorch Lightning mistakes before a training run wastes hours."""

__version__ = "0.1.0"
