import lightning.pytorch as pl


def main(model, args, loader, kwargs):
    pl.Trainer(gpus=args.gpus)  # not a literal
    pl.Trainer(gpus=0)  # the CPU in 1.x
    pl.Trainer(gpus=1, devices=2)  # devices already given
    pl.Trainer(replace_sampler_ddp=False, **kwargs)  # kwargs may hold the new name
    pl.Trainer(replace_sampler_ddp=False, use_distributed_sampler=True)
    trainer = pl.Trainer(resume_from_checkpoint=args.ckpt)
    trainer.fit(model, loader)
    trainer.fit(model, loader)  # fitted twice: which run resumes?
    other = pl.Trainer(resume_from_checkpoint=load_path())  # a call: evaluation order
    other.fit(model)
    if args.train:
        third = pl.Trainer(resume_from_checkpoint="a.ckpt")
    if args.fit:
        third.fit(model)  # only in a branch
    trainer.test(model, loader, test_dataloaders=loader)  # dataloaders given by position


def load_path():
    return "a.ckpt"
