"""LTN110: ``save_hyperparameters()`` called where no ``__init__`` is running: it saves nothing."""

from __future__ import annotations

import re

from flake8_lightning.lightning_api import DATAMODULE_HOOKS, MODULE_HOOKS
from flake8_lightning.registry import Rule, any_call, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, enclosing_method, is_self, walk, target_version
    from astroid import nodes

    from flake8_lightning.model.lightning import enclosing_method, is_self, walk
    from flake8_lightning.model.version import target_version


#: How many helper calls deep the search for a caller goes; deeper is unknown.
MAX_DEPTH = 4


@register
class HparamsOutsideInit(Rule):
    """``self.save_hyperparameters()`` in a hook that runs after ``__init__``.

    ## What it does
    Flags ``self.save_hyperparameters()`` (no arguments, or argument names)
    in a LightningModule or LightningDataModule method that Lightning calls
    after construction (``setup``, ``configure_model``, ``on_fit_start``,
    ``prepare_data``, ...), or in a helper that only such hooks call. Silent
    in ``__init__`` and in helpers ``__init__`` calls, when an object is
    passed (``save_hyperparameters(cfg)`` saves that object wherever it is
    called), with ``frame=``, when no ``__init__`` of the class (or of a
    project subclass) takes an argument (nothing to lose), and when a caller
    cannot be found.

    ## Why is this bad?
    ``save_hyperparameters()`` does not read ``self``: it walks up the call
    stack to the ``__init__`` of the object and takes its arguments. Called
    from a hook, no ``__init__`` is running: Lightning 2.x saves an empty
    ``hparams`` without a warning, the checkpoint carries no hyperparameters,
    and ``Model.load_from_checkpoint(path)`` then raises ``TypeError:
    __init__() missing 1 required positional argument`` or, when every
    argument has a default, silently builds the model with the defaults (a
    shape mismatch, or the wrong learning rate). With argument names
    (``save_hyperparameters("lr")``) it raises ``KeyError: 'lr'``.

    ## Example
    ```python
    import lightning as L
    import torch


    class Model(L.LightningModule):
        def __init__(self, hidden: int, lr: float = 1e-3):
            super().__init__()
            self.hidden = hidden
            self.lr = lr

        def setup(self, stage):
            self.save_hyperparameters()
            self.net = torch.nn.Linear(32, self.hidden)
    ```

    ## Use instead
    ```python
    import lightning as L
    import torch


    class Model(L.LightningModule):
        def __init__(self, hidden: int, lr: float = 1e-3):
            super().__init__()
            self.save_hyperparameters()
            self.hidden = hidden
            self.lr = lr

        def setup(self, stage):
            self.net = torch.nn.Linear(32, self.hidden)
    ```

    ## Known limits
    Classes with a base from outside the project other than Lightning's own,
    dataclasses, and classes that define their own ``save_hyperparameters``
    are not checked. A method called through ``getattr`` or from outside its
    class hierarchy is not checked. Under Lightning 1.x a method that uses
    ``super()`` behaves differently (it may raise ``KeyError``): it is only
    checked when the project certainly targets 2.x.
    """

    needs = any_call("save_hyperparameters")
    code = "LTN110"
    name = "hparams-outside-init"
    impact = (
        "hparams are silently empty, so the checkpoint has no hyperparameters and "
        "load_from_checkpoint fails or rebuilds the model with its defaults."
    )
    message = (
        "save_hyperparameters() in '{method}' saves empty hparams (no __init__ runs there), so "
        "load_from_checkpoint cannot rebuild the model; call it in __init__"
    )
    names_message = (
        "save_hyperparameters({names}) in '{method}' raises KeyError: {first} (no __init__ runs "
        "there); call it in __init__"
    )

    def visit_Call(self, node: nodes.Call) -> None:
        func = node.func
        if not isinstance(func, nodes.Attribute) or func.attrname != "save_hyperparameters":
            return
        found = enclosing_method(node)
        if found is None:
            return
        cls, method = found
        if method.name == "__init__" or node.scope() is not method or not is_self(func.expr, method):
            return
        if node.keywords and any(kw.arg in (None, "frame") for kw in node.keywords):
            return
        names = []
        for arg in node.args:
            if not (isinstance(arg, nodes.Const) and isinstance(arg.value, str)):
                return  # an object (dict, Namespace, config) is saved as it is, wherever
            names.append(arg.value)
        hooks = self._hooks(cls)
        if hooks is None:
            return
        if self._uses_class_cell(method):
            version = target_version(self.ctx.project, self.ctx.config.lightning_version)
            if not version.at_least(2):
                return  # 1.x reads a method with a __class__ cell as an __init__ (KeyError)
        family = self._family(cls)
        if not any(_init_takes_arguments(klass) for klass in family):
            return  # no __init__ argument to lose: an empty hparams rebuilds the same model
        if self._reaches_init(method, family, hooks, 0) is not False:
            return
        if names:
            shown = ", ".join(repr(n) for n in names)
            self.report(node, self.names_message, names=shown, method=method.name, first=repr(names[0]))
        else:
            self.report(node, method=method.name)

    # -- the class -------------------------------------------------------------------

    def _hooks(self, cls: nodes.ClassDef) -> frozenset[str] | None:
        """The hooks Lightning calls on ``cls``; None when it is not a class this rule checks."""
        facts = self.ctx.facts
        hierarchy = facts.hierarchy(cls)
        if not hierarchy.only_neutral_externals or facts.defines_member(cls, "save_hyperparameters"):
            return None
        if any(_is_dataclass(klass) for klass in hierarchy.classes):
            return None  # a dataclass's fields are its hyperparameters
        if hierarchy.is_("LightningModule"):
            return MODULE_HOOKS
        if hierarchy.is_("LightningDataModule"):
            return DATAMODULE_HOOKS
        return None

    def _family(self, cls: nodes.ClassDef) -> set[nodes.ClassDef]:
        """The classes whose methods may call methods of ``cls`` on ``self``."""
        facts = self.ctx.facts
        family = set(facts.hierarchy(cls).classes)
        if facts.is_lightning_module(cls):
            family.update(facts.subclasses(cls))
        return family

    @staticmethod
    def _uses_class_cell(method: nodes.FunctionDef) -> bool:
        return any(
            isinstance(n, nodes.Name) and n.name in ("super", "__class__") and n.scope() is method for n in walk(method)
        )

    # -- who calls the method -----------------------------------------------------------

    def _reaches_init(self, method: nodes.FunctionDef, family: set, hooks: frozenset[str], depth: int) -> bool | None:
        """False when ``method`` certainly runs only outside ``__init__`` (a hook, or a helper
        of hooks); True when some ``__init__`` calls it; None when that cannot be told."""
        if method.name == "__init__":
            return True
        if depth > MAX_DEPTH:
            return None
        callers = self._callers(method.name, family, method.name in hooks)
        if callers is None:
            return None
        if not callers:
            return False if method.name in hooks else None  # a helper nobody calls: unknown
        answers = [self._reaches_init(c, family, hooks, depth + 1) for c in callers if c is not method]
        if any(a is not False for a in answers):
            return True if True in answers else None
        return False

    def _callers(self, name: str, family: set, hook: bool) -> list[nodes.FunctionDef] | None:
        """The methods of ``family`` that call ``self.<name>(...)``; None when that cannot be told.

        A helper used any other way in the project (another receiver, a string, a
        reference) is unknown. A hook is also called by Lightning, on another
        receiver, by name: only a call inside some ``__init__`` makes it unknown.
        """
        key = ("ltn110-callers", name, frozenset(family), hook)
        return self.ctx.project.cached(key, lambda: self._find_callers(name, family, hook))

    def _find_callers(self, name: str, family: set, hook: bool) -> list[nodes.FunctionDef] | None:
        use = re.compile(rf"\b{re.escape(name)}\b")
        callers: list[nodes.FunctionDef] = []
        for path in self.ctx.project.files_with_word(name, use):
            module = self.ctx.project.module(path)
            if module is None:
                return None
            for node in walk(module):
                if isinstance(node, nodes.Attribute) and node.attrname == name:
                    owner = enclosing_method(node)
                    call = node.parent
                    if (
                        owner is not None
                        and owner[0] in family
                        and isinstance(call, nodes.Call)
                        and call.func is node
                        and is_self(node.expr, owner[1])
                        and node.scope() is owner[1]
                    ):
                        callers.append(owner[1])
                    elif not hook or _in_init(node):
                        return None
                elif not hook and (
                    (isinstance(node, nodes.Const) and node.value == name)
                    or (isinstance(node, nodes.Name) and node.name == name)
                ):
                    return None  # getattr(self, "name"), a reference to the function
        return callers


def _in_init(node: nodes.NodeNG) -> bool:
    """``node`` is inside a function named ``__init__`` (at any depth)."""
    current = node.parent
    while current is not None:
        if isinstance(current, nodes.FunctionDef) and current.name == "__init__":
            return True
        current = current.parent
    return False


def _init_takes_arguments(cls: nodes.ClassDef) -> bool:
    """``cls`` defines an ``__init__`` with a parameter besides ``self``."""
    for init in cls.locals.get("__init__", []):
        if isinstance(init, nodes.FunctionDef):
            args = init.args
            positional = (args.posonlyargs or []) + (args.args or [])
            if len(positional) > 1 or args.kwonlyargs or args.vararg or args.kwarg:
                return True
    return False


def _is_dataclass(cls: nodes.ClassDef) -> bool:
    decorators = cls.decorators.nodes if cls.decorators else []
    return any("dataclass" in d.as_string() for d in decorators)
