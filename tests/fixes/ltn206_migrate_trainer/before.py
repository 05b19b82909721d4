import lightning.pytorch as pl


def main(model, args, loader):
    trainer = pl.Trainer(
        max_epochs=3,
        gpus=2,  # two cards
        replace_sampler_ddp=False,
        resume_from_checkpoint=args.ckpt,
    )
    trainer.fit(model, loader)
    trainer.validate(model, val_dataloaders=loader)
    trainer.test(model, test_dataloaders=loader)


def quick(model):
    trainer = pl.Trainer(resume_from_checkpoint="last.ckpt", max_nb_epochs=1)
    trainer.fit(model, train_dataloader=model.loader())
