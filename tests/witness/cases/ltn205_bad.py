import lightning as L
import torch

from _data import loader, quiet_trainer_options


class Model(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)

    def training_step(self, batch, batch_idx):
        return self.layer(batch[0]).pow(2).mean()

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def train_dataloader(self):
        return loader()


def train_then_reload(root, progress):
    model = Model()
    trainer = L.Trainer(**quiet_trainer_options(root))
    trainer.fit(model)
    progress.append(trainer.global_step)
    model = model.load_from_checkpoint(trainer.checkpoint_callback.best_model_path)  # expect: LTN205 "load_from_checkpoint called on instance 'model': Lightning 2.x raises TypeError when this runs; call Model.load_from_checkpoint(...) and use what it returns"
    progress.append("reloaded")
    return model
