"""The model answers Lightning questions once, for every rule (issue 10: facts belong to the model)."""

from __future__ import annotations

import ast
import pickle
import textwrap
from pathlib import Path

from astroid import nodes

from flake8_lightning.model.lightning import Enclosing, Facts, MethodCall, Mode, enclosing_method, method_call, walk
from flake8_lightning.model.optimizers import Kind, returned_schedulers, scheduler_monitor
from flake8_lightning.model.project import Project
from flake8_lightning.model.training import callback_modules, trained_classes
from flake8_lightning.model.unknown import UNKNOWN, Unknown

RULES = Path(__file__).resolve().parent.parent / "flake8_lightning" / "rules"

SCRIPT = textwrap.dedent(
    """\
    import lightning as L
    import torch
    from lightning.pytorch.callbacks import ModelCheckpoint


    class Model(L.LightningModule):
        def training_step(self, batch, batch_idx):
            self.optimizers().step()

        def configure_optimizers(self):
            opt = torch.optim.Adam(self.parameters())
            sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt)
            return {"optimizer": opt, "lr_scheduler": sched, "monitor": "val_loss"}


    class Other(L.LightningModule):
        def training_step(self, batch, batch_idx):
            return batch


    def main(factory):
        trainer = L.Trainer(callbacks=[ModelCheckpoint(monitor="val_loss")])
        trainer.fit(Model())


    def elsewhere(factory):
        trainer = L.Trainer(callbacks=[ModelCheckpoint(monitor="val_loss")])
        trainer.fit(factory())
    """
)


def _facts(tmp_path: Path) -> tuple[Facts, nodes.Module]:
    (tmp_path / "pyproject.toml").write_text("")
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    project = Project.for_file(str(path))
    return Facts.of(project), project.module(str(path))


def _calls(module: nodes.Module, name: str) -> list[nodes.Call]:
    return [
        n for n in walk(module)
        if isinstance(n, nodes.Call) and getattr(n.func, "name", getattr(n.func, "attrname", None)) == name
    ]


def test_unknown_is_one_typed_singleton():
    assert repr(UNKNOWN) == "UNKNOWN"
    assert Unknown() is UNKNOWN
    assert not UNKNOWN  # `if classes and ...` stays silent on it, as on None
    assert pickle.loads(pickle.dumps(UNKNOWN)) is UNKNOWN
    assert Mode.UNKNOWN.value is UNKNOWN and Kind.UNKNOWN.value is UNKNOWN


def test_which_models_the_trainer_built_here_fits(tmp_path):
    facts, module = _facts(tmp_path)
    model = next(c for c in facts.classes_in(module) if c.name == "Model")
    here, there = _calls(module, "ModelCheckpoint")
    assert trained_classes(facts, here) == [model]
    assert callback_modules(facts, here) == [model]
    assert trained_classes(facts, there) is UNKNOWN  # a factory: unknown, never "every module"


def test_optimizer_facts_of_configure_optimizers(tmp_path):
    facts, module = _facts(tmp_path)
    model = next(c for c in facts.classes_in(module) if c.name == "Model")
    configure = model.locals["configure_optimizers"][0]
    assert [s.as_string() for s in returned_schedulers(configure)] == ["sched"]
    config = next(n for n in walk(configure) if isinstance(n, nodes.Dict))
    found = scheduler_monitor(facts, config)
    assert found is not None and found.cls is model and found.monitor.value == "val_loss"
    assert facts.certainly_automatic(model) and not facts.sets_optimization_mode(model)
    assert not facts.calls_method(model, "manual_backward")


def test_handlers_get_named_fields(tmp_path):
    facts, module = _facts(tmp_path)
    step = _calls(module, "step")[0]
    found = method_call(step, ("step",))
    assert isinstance(found, MethodCall) and found.cls.name == "Model" and found.method.name == "training_step"
    assert found.func.attrname == "step"
    assert enclosing_method(step) == Enclosing(found.cls, found.method)


def test_no_rule_imports_another_rule():
    for path in sorted(RULES.glob("ltn*.py")):
        tree = ast.parse(path.read_text())
        imported = [
            node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
        ]
        assert not [m for m in imported if m.startswith("flake8_lightning.rules")], path.name
