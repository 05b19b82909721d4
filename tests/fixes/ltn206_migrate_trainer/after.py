import lightning.pytorch as pl


def main(model, args, loader):
    trainer = pl.Trainer(
        max_epochs=3,
        accelerator="gpu", devices=2,  # two cards
        use_distributed_sampler=False,
    )
    trainer.fit(model, loader, ckpt_path=args.ckpt)
    trainer.validate(model, dataloaders=loader)
    trainer.test(model, dataloaders=loader)


def quick(model):
    trainer = pl.Trainer(max_epochs=1)
    trainer.fit(model, train_dataloaders=model.loader(), ckpt_path="last.ckpt")
