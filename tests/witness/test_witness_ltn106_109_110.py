"""Witness tests for LTN109, LTN110 and LTN106 on DataModules (Lightning 2.6.6 on the CPU).

Each test lints a file of ``cases/`` (line, code and the whole message, from
the file's ``# expect:`` comments), then trains the very same classes and shows
what Lightning really does. Run with ``pytest -m witness``.
"""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.witness

if os.environ.get("FLAKE8_LIGHTNING_REQUIRE_WITNESS") != "1":
    pytest.importorskip("lightning")

from test_witness import checkpoints, expected, lint, load, trainer  # noqa: E402 - the shared helpers


# -- LTN110: save_hyperparameters() outside __init__ --------------------------------------


def test_ltn110_hparams_saved_in_setup_are_empty_and_the_checkpoint_cannot_be_loaded(tmp_path):
    assert lint("ltn110_bad.py") == expected("ltn110_bad.py") != []
    cls = load("ltn110_bad.py").LateHparamsModel
    run = trainer(tmp_path)
    model = cls(hidden=8)
    run.fit(model)  # no error, no warning about hparams
    assert dict(model.hparams) == {}
    (path,) = checkpoints(tmp_path)
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'hidden'"):
        cls.load_from_checkpoint(path)


def test_ltn110_hparams_saved_in_init_rebuild_the_model(tmp_path):
    assert lint("ltn110_fixed.py") == []
    cls = load("ltn110_fixed.py").InitHparamsModel
    run = trainer(tmp_path)
    run.fit(cls(hidden=8))
    (path,) = checkpoints(tmp_path)
    restored = cls.load_from_checkpoint(path)
    assert dict(restored.hparams) == {"hidden": 8}
    assert restored.net[0].out_features == 8


# -- LTN109: pytorch_lightning and lightning.pytorch mixed ------------------------------------


def test_ltn109_foreign_checkpoint_is_not_the_trainers_and_best_loads_the_last_epoch(tmp_path):
    assert lint("ltn109_bad.py") == expected("ltn109_bad.py") != []
    case = load("ltn109_bad.py")
    run, best = case.build_trainer(tmp_path)
    assert run.checkpoint_callback is not best  # Lightning added its own ModelCheckpoint
    assert len(run.callbacks) >= 2
    run.fit(case.EpochScoredModel())  # trains to the end, nothing said
    assert run.current_epoch == 3
    assert best.best_model_path.endswith("epoch=0-step=4.ckpt")  # the foreign callback still runs
    run.test(ckpt_path="best")
    assert run.ckpt_path.endswith("epoch=2-step=12.ckpt")  # "best" is the last epoch


def test_ltn109_foreign_early_stopping_is_not_recognised(tmp_path):
    import lightning as L
    import pytorch_lightning as pl

    run = L.Trainer(callbacks=[pl.callbacks.EarlyStopping(monitor="val_loss")], logger=False)
    assert run.early_stopping_callback is None
    assert L.Trainer(callbacks=[L.pytorch.callbacks.EarlyStopping(monitor="val_loss")], logger=False).early_stopping_callback


def test_ltn109_foreign_module_and_datamodule_fail_at_fit(tmp_path):
    import lightning as L
    import pytorch_lightning as pl

    case = load("ltn109_fixed.py")

    class ForeignModel(pl.LightningModule):
        pass

    class ForeignData(pl.LightningDataModule):
        pass

    with pytest.raises(TypeError, match="`model` must be a `LightningModule`"):
        L.Trainer(logger=False, default_root_dir=tmp_path).fit(ForeignModel())
    with pytest.raises(ValueError, match="Expected a parent"):
        L.Trainer(logger=False, default_root_dir=tmp_path).fit(case.EpochScoredModel(), datamodule=ForeignData())
    with pytest.raises(TypeError, match="An invalid dataloader was passed"):
        L.Trainer(logger=False, default_root_dir=tmp_path).fit(case.EpochScoredModel(), ForeignData())


def test_ltn109_fixed_best_is_the_best_epoch(tmp_path):
    assert lint("ltn109_fixed.py") == []
    case = load("ltn109_fixed.py")
    run, best = case.build_trainer(tmp_path)
    assert run.checkpoint_callback is best
    run.fit(case.EpochScoredModel())
    run.test(ckpt_path="best")
    assert run.ckpt_path.endswith("epoch=0-step=4.ckpt")


# -- LTN106 on a LightningDataModule: a misnamed val_dataloader ---------------------------------


def test_ltn106_datamodule_misnamed_val_dataloader_runs_no_validation_and_saves_nothing(tmp_path):
    import warnings

    assert lint("ltn106_datamodule_bad.py") == expected("ltn106_datamodule_bad.py") != []
    case = load("ltn106_datamodule_bad.py")
    run, best = case.build_trainer(tmp_path)
    model = case.ValidatedModel()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run.fit(model, datamodule=case.MisnamedData())  # trains to the end
    said = [str(w.message) for w in caught]
    assert any("you defined a `validation_step` but have no `val_dataloader`" in m.lower() for m in said)
    assert any("could not find the monitored key" in m for m in said)
    assert run.current_epoch == 2
    assert model.validation_batches == 0
    assert best.best_model_path == ""
    assert checkpoints(tmp_path / "best") == []


def test_ltn106_datamodule_named_val_dataloader_validates_and_saves(tmp_path):
    assert lint("ltn106_datamodule_fixed.py") == []
    case = load("ltn106_datamodule_fixed.py")
    run, best = case.build_trainer(tmp_path)
    model = case.ValidatedModel()
    run.fit(model, datamodule=case.NamedData())
    assert model.validation_batches > 0
    assert checkpoints(tmp_path / "best") != []
