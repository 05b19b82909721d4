"""LTN205: ``load_from_checkpoint`` called on an instance (Lightning 2.x raises TypeError)."""

from __future__ import annotations

from flake8_lightning.registry import Rule, any_call, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, Edit, Facts, Memo, bindings, enclosing_method, is_self, target_version
    from astroid import nodes

    from flake8_lightning.edits import Edit
    from flake8_lightning.model.budget import Memo
    from flake8_lightning.model.lightning import Facts, enclosing_method, is_self
    from flake8_lightning.model.names import bindings
    from flake8_lightning.model.version import target_version


#: The Lightning classes whose ``load_from_checkpoint`` refuses an instance.
RESTRICTED = ("LightningModule", "LightningDataModule")


@register
class LoadFromCheckpointOnInstance(Rule):
    """``model.load_from_checkpoint(path)`` on an instance: Lightning 2.x raises ``TypeError`` (Lightning 2.x).

    ## What it does
    On a project that targets Lightning 2.x, flags ``x.load_from_checkpoint(...)``
    where ``x`` is certainly an instance of a project LightningModule or
    LightningDataModule: a name bound only to ``Model(...)`` or
    ``Model.load_from_checkpoint(...)``, or ``self`` in one of its methods.
    A class of the project that defines its own ``load_from_checkpoint``, or
    that has a base from another library, is not Lightning's and is not
    checked.

    ## Why is this bad?
    ``load_from_checkpoint`` is a classmethod that builds a *new* model. In
    Lightning 1.x, calling it on an instance worked and returned that new
    model (and a bare ``model.load_from_checkpoint(p)`` silently loaded
    nothing into ``model``). Lightning 2.x decorates it with
    ``_restricted_classmethod`` (``utilities/model_helpers.py``), which raises
    ``TypeError: The classmethod `Model.load_from_checkpoint` cannot be called
    on an instance. Please call it on the class type and make sure the return
    value is used.`` when the line runs: typically after the whole training
    run, so the test or export step never happens.

    ## Example
    ```python
    import lightning as L
    import torch


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(32, 1)


    def evaluate(path):
        model = Model()
        model = model.load_from_checkpoint(path)
        return model
    ```

    ## Use instead
    ```python
    import lightning as L
    import torch


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(32, 1)


    def evaluate(path):
        model = Model.load_from_checkpoint(path)
        return model
    ```

    ## Autofix
    ``flake8-lightning --fix`` calls it on the class: ``model.load_from_checkpoint(p)``
    becomes ``Model.load_from_checkpoint(p)`` when ``model`` is only ever bound
    to ``Model(...)`` or ``Model.load_from_checkpoint(...)`` and ``Model`` names
    that class at the call, else ``type(model).load_from_checkpoint(p)`` (the
    class 1.x called it on; always ``type(self)`` for ``self``). A call whose
    result is thrown away is not rewritten: it never loaded anything into
    ``model``, and the fix (``model = ...``) is a decision.

    ## Known limits
    Only names bound in the same way everywhere, and ``self``, are followed:
    an attribute (``self.model``), a parameter or a container item is not. The
    check was added in Lightning 2.2; a project pinned to 2.0 or 2.1 (where the
    instance call still returned a new model) is taken as 2.x. On a project
    pinned to 1.x, or whose version cannot be told, nothing is reported.
    """

    needs = any_call("load_from_checkpoint")
    code = "LTN205"
    name = "load-from-checkpoint-on-instance"
    impact = "`TypeError` when the line runs, typically after the whole training run."
    #: The verdict depends on the Lightning version the project targets.
    depends_on_version = True
    message = (
        "load_from_checkpoint called on instance '{expr}': Lightning 2.x raises TypeError when "
        "this runs; call {cls}.load_from_checkpoint(...) and use what it returns"
    )

    def visit_Call(self, node: nodes.Call) -> None:
        func = node.func
        if not isinstance(func, nodes.Attribute) or func.attrname != "load_from_checkpoint":
            return
        facts = self.ctx.facts
        classes = instance_classes(facts, func.expr)
        if not classes or not all(_lightnings_own(facts, cls) for cls in classes):
            return
        if not target_version(self.ctx.project, self.ctx.config.lightning_version).at_least(2):
            return  # 1.x: a plain classmethod, the call returns a new model
        expr = func.expr.as_string()
        cls = classes[0].name if len(classes) == 1 else f"type({expr})"
        self.report(node, edits=self._fix(node, classes), expr=expr if len(expr) <= 30 else "...", cls=cls)

    def _fix(self, call: nodes.Call, classes: list[nodes.ClassDef]) -> tuple:
        """``name.load_from_checkpoint(...)`` -> ``Cls.load_from_checkpoint(...)`` when ``name`` is certainly
        bound to a ``Cls`` that the same name means at the call, else ``type(name)``: exactly the class
        1.x called the classmethod on. No fix when the result is thrown away (nothing would be loaded)."""
        expr = call.func.expr
        if not isinstance(expr, nodes.Name) or isinstance(call.parent, nodes.Expr):
            return ()
        name = _class_name(self.ctx.facts, expr, classes)
        if name is None:
            scope, _ = expr.lookup("type")
            if not isinstance(scope, nodes.Module) or scope.name != "builtins":
                return ()  # ``type`` is shadowed here
            name = f"type({expr.name})"
        return (Edit.replace(expr, name),)


def _class_name(facts: Facts, expr: nodes.Name, classes: list[nodes.ClassDef]) -> str | None:
    """The class's own name, when ``expr`` is only ever bound to ``Cls(...)``/``Cls.load_from_checkpoint(...)``
    (so its type is exactly ``Cls``) and ``Cls`` means that class at ``expr`` too."""
    if len(classes) != 1:
        return None
    cls = classes[0]
    found = enclosing_method(expr)
    if found is not None and is_self(expr, found.method):
        return None  # a subclass's instance: type(self)
    bound = bindings(expr, expr.name)
    if not bound:
        return None
    here = expr.lookup(cls.name)[1]
    for binding in bound:
        value = getattr(binding.parent, "value", None)
        if not isinstance(value, nodes.Call):
            return None
        func = value.func
        if isinstance(func, nodes.Attribute) and func.attrname == "load_from_checkpoint":
            func = func.expr
        if not isinstance(func, nodes.Name) or func.name != cls.name or facts.resolver.resolve(func) is not cls:
            return None
        if list(func.lookup(cls.name)[1]) != list(here):
            return None
    return cls.name


def _lightnings_own(facts: Facts, cls: nodes.ClassDef) -> bool:
    """``cls.load_from_checkpoint`` is certainly Lightning's restricted classmethod."""
    hierarchy = facts.hierarchy(cls)
    externals = [q for q in hierarchy.externals if not any(q.endswith("." + name) for name in RESTRICTED)]
    return (
        any(hierarchy.is_(name) for name in RESTRICTED)
        and not hierarchy.unresolved
        and all(q in ("object", "torch.nn.Module", "abc.ABC", "typing.Generic") for q in externals)
        and not any("load_from_checkpoint" in klass.locals for klass in hierarchy.classes)
    )


def instance_classes(facts: Facts, expr: nodes.NodeNG) -> list[nodes.ClassDef] | None:
    """The project classes ``expr`` is certainly an instance of (None when unsure): ``Cls(...)``,
    ``Cls.load_from_checkpoint(...)``, a name bound only to those, or ``self`` in a method."""
    memo = facts.project.cached("ltn205_instances", lambda: Memo(facts.budget, None))
    return memo(expr, lambda: _compute_instances(facts, expr))


def _compute_instances(facts: Facts, expr: nodes.NodeNG) -> list[nodes.ClassDef] | None:
    if isinstance(expr, nodes.Call):
        func = expr.func
        reload = isinstance(func, nodes.Attribute) and func.attrname == "load_from_checkpoint"
        if reload:
            func = func.expr
        target = facts.resolver.resolve(func) if isinstance(func, (nodes.Name, nodes.Attribute)) else None
        if isinstance(target, nodes.ClassDef):
            return [target]
        # ``model.load_from_checkpoint(p)``: 1.x returned a new ``type(model)``, 2.x raises there
        return instance_classes(facts, func) if reload and isinstance(func, nodes.Name) else None
    if not isinstance(expr, nodes.Name):
        return None
    found = enclosing_method(expr)
    if found is not None and expr.scope() is found[1] and is_self(expr, found[1]):
        if not any(isinstance(b, nodes.AssignName) for b in found[1].locals.get(expr.name, [])[1:]):
            return [found[0], *facts.subclasses(found[0])]  # ``self`` never rebound
        return None
    bound = bindings(expr, expr.name)
    if not bound or not all(isinstance(b, nodes.AssignName) and isinstance(b.parent, nodes.Assign) for b in bound):
        return None
    classes: list[nodes.ClassDef] = []
    for binding in bound:
        value = binding.parent.value
        if binding.parent.targets != [binding]:
            return None  # ``a = b = x`` or unpacking: not followed
        resolved = instance_classes(facts, value)
        if resolved is None:
            return None
        classes.extend(c for c in resolved if c not in classes)
    return classes or None

