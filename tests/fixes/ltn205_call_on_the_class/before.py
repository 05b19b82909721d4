import lightning as L
import torch


class Classifier(L.LightningModule):
    def __init__(self, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.layer = torch.nn.Linear(32, 2)

    def reload_best(self, path):
        return self.load_from_checkpoint(path)


class Finetuned(Classifier):
    pass


def main(ckpt):
    model = Classifier(lr=0.01)
    trainer = L.Trainer(max_epochs=3)
    trainer.fit(model)
    model = model.load_from_checkpoint(trainer.checkpoint_callback.best_model_path)
    model.load_from_checkpoint(ckpt)  # thrown away: no fix
    trainer.test(model)


def pick(ckpt, finetune):
    if finetune:
        model = Finetuned()
    else:
        model = Classifier()
    return model.load_from_checkpoint(ckpt)


def shadowed(ckpt, Classifier):
    model = L.LightningModule()
    best = Finetuned.load_from_checkpoint(ckpt)
    return best.load_from_checkpoint(ckpt, strict=False)
