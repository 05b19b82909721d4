"""LTN202: a Lightning 2.x hook defined with its 1.x parameters (TypeError when it first runs)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace

from flake8_lightning.lightning_api import (
    CALLBACK_HOOK_CALLS,
    CALLBACK_STATE_RETURN_REMOVED,
    CHECKPOINT_KEYS,
    LEGACY_CALLBACK_SIGNATURES,
    LEGACY_CALLBACK_STATE_PARAM,
    LEGACY_MODULE_SIGNATURES,
    MANUAL_BACKWARD_OPTIMIZER_REMOVED,
    MODULE_HOOK_CALLS,
    HookCall,
)
from flake8_lightning.registry import Needs, Rule, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, Facts, Mode, OptimizerFacts, Kind, enclosing_method, is_self, returns, walk, target_version
    global Edit, LineIndex, ProjectTooLarge, may_be_fabric_driven
    from astroid import nodes

    from flake8_lightning.edits import Edit, LineIndex
    from flake8_lightning.model.lightning import Facts, Mode, enclosing_method, is_self, returns, walk
    from flake8_lightning.model.optimizers import Kind, OptimizerFacts
    from flake8_lightning.model.project import ProjectTooLarge
    from flake8_lightning.model.training import may_be_fabric_driven
    from flake8_lightning.model.version import target_version


#: The 1.x parameters the rule looks for, for the prefilter.
_LEGACY_NAMES = frozenset(
    name
    for table in (LEGACY_MODULE_SIGNATURES, LEGACY_CALLBACK_SIGNATURES)
    for signature in table.values()
    for name in signature.extra
)
#: Decorators that keep the signature Lightning calls (anything else: silent).
_TRANSPARENT_DECORATORS = frozenset({"override", "no_grad", "enable_grad", "inference_mode", "rank_zero_only"})
#: Hooks whose 1.x parameters are not removed by the fix: ``backward``'s ``optimizer`` is the
#: argument 1.x passed to ``loss.backward`` (and ``.backward(`` is everywhere: the "the project
#: calls it itself" test cannot be answered).
_NO_FIX = frozenset({"backward"})
#: What to do besides removing the parameter, per hook.
_HINTS = {
    "on_train_epoch_end": "; keep what the steps return in an attribute instead",
    "on_validation_epoch_end": "; keep what the steps return in an attribute instead",
    "on_test_epoch_end": "; keep what the steps return in an attribute instead",
    "on_predict_epoch_end": "; read trainer.predict's return value instead",
    "training_step": "; 2.x has no truncated BPTT: carry the hidden state in the module",
}




#: The hooks ``visit_FunctionDef`` looks at: a file that names none of them has nothing to report
#: there (1.x parameter names alone, ``outputs``, ``metric``, ``optimizer``, are everywhere).
_HOOK_NAMES = frozenset({*MODULE_HOOK_CALLS, *CALLBACK_HOOK_CALLS, "on_save_checkpoint", "on_load_checkpoint"})


def _needs(text: str) -> bool:
    if "manual_backward" in text:
        return True
    return (
        "def " in text
        and any(name in text for name in _HOOK_NAMES)
        and (
            "on_save_checkpoint" in text
            or LEGACY_CALLBACK_STATE_PARAM in text
            or any(name in text for name in _LEGACY_NAMES)
        )
    )


@register
class LegacyHookSignature(Rule):
    """A Lightning 2.x hook defined with its 1.x parameters: ``TypeError`` when it first runs (Lightning 2.x).

    ## What it does
    On a project that targets Lightning 2.x, flags at its ``def`` a hook of a
    LightningModule or Callback whose parameters cannot take the arguments
    Lightning 2.x passes because it keeps a 1.x parameter:
    ``on_train_epoch_end(self, outputs)``, ``on_validation_epoch_end(self,
    outputs)``, ``on_train_batch_start/end(..., dataloader_idx)`` (a
    Callback's too), ``optimizer_step(..., optimizer_idx, ...)``,
    ``backward(self, loss, optimizer, optimizer_idx)``,
    ``on_before_optimizer_step(self, optimizer, optimizer_idx)``,
    ``optimizer_zero_grad(..., optimizer_idx)``,
    ``configure_gradient_clipping(..., optimizer_idx, ...)``,
    ``training_step(..., hiddens)``, ``lr_scheduler_step(self, scheduler,
    optimizer_idx, metric)``; ``self.manual_backward(loss, opt)`` with an
    optimizer passed on (at the call); and a Callback's 1.x checkpoint pair:
    an ``on_save_checkpoint`` that returns its state, and the
    ``on_load_checkpoint(trainer, pl_module, callback_state)`` that reads it
    back.

    A parameter with a default, ``*args``/``**kwargs``, and ``dataloader_idx``
    on validation, test and predict hooks (Lightning passes it when there are
    several loaders) are not flagged. ``optimizer_idx`` in ``training_step`` is
    LTN203's.

    ## Why is this bad?
    Lightning 2.0 removed these parameters (the multiple-optimizer loop,
    truncated BPTT, the step outputs of the epoch-end hooks) and calls the
    hook without them: ``TypeError: Model.on_train_epoch_end() missing 1
    required positional argument: 'outputs'``, not at fit start but when the
    hook first runs: in the sanity check, at the first batch, or at the end of
    the first epoch, after data loading and maybe a whole epoch of training.
    ``manual_backward(loss, opt)`` hands ``opt`` to ``Tensor.backward`` as its
    gradient (``TypeError: 'LightningSGD' object is not iterable``). A state
    returned by a Callback's ``on_save_checkpoint`` is ignored by 2.x, so it
    never reaches the checkpoint, and ``on_load_checkpoint``'s third argument
    is the whole checkpoint, not that state.

    ## Example
    ```python
    import lightning as L
    import torch


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(32, 1)

        def training_step(self, batch, batch_idx):
            return self.layer(batch).pow(2).mean()

        def on_train_epoch_end(self, outputs):
            print("epoch done")

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)
    ```

    ## Use instead
    ```python
    import lightning as L
    import torch


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(32, 1)

        def training_step(self, batch, batch_idx):
            return self.layer(batch).pow(2).mean()

        def on_train_epoch_end(self):
            print("epoch done")

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)
    ```

    ## Autofix
    ``flake8-lightning --fix`` rewrites the ``def`` when that certainly makes
    Lightning 2.x's call bind: a flagged 1.x parameter that the function never
    uses (no use of its name anywhere in the body, nested functions included,
    and no ``locals()``, ``vars()``, ``eval``/``exec`` or frame inspection) is
    removed (``optimizer_idx``, ``opt_idx``, ``outputs``, ``hiddens``,
    ``on_tpu``, ``using_lbfgs``), and a ``dataloader_idx`` without a default
    gets ``dataloader_idx=0`` (the index 1.x passed for the one training
    loader). Nothing is rewritten in a decorated hook, when a used parameter
    would have to go, when another parameter still could not be bound, or
    when the project calls ``.<hook>(...)`` itself (its call would no longer
    bind). ``backward``, ``manual_backward`` and the checkpoint pair have no
    fix.

    ## Known limits
    Only classes whose whole hierarchy is the project's, Lightning's and
    torch's are checked, and only the definition that runs for the class and
    every project subclass (a project mixin's hook is checked for the
    LightningModules and Callbacks that inherit it). A class named in a file
    that sets up Lightning Fabric is not checked: Fabric calls only the hooks
    the code calls. Hooks Lightning calls only under automatic
    optimization (``optimizer_step``, ``backward``, ``lr_scheduler_step``, ...)
    are checked only in modules certainly under automatic optimization, and
    ``manual_backward(loss, opt)`` only under manual optimization (LTN002
    covers the other case). A 1.x parameter that takes the place of another
    argument without a ``TypeError`` (all later parameters defaulted) is not
    flagged. A Callback's ``dataloader_idx`` on validation or test hooks
    fails only with a single loader, which is not known: not flagged.
    These signatures are themselves 1.x code: only a project that a pin, 2.x
    code or ``--lightning-version`` says is on 2.x is checked.
    """

    needs = Needs(_needs, "a def with a 1.x hook parameter name, on_save_checkpoint or manual_backward")
    code = "LTN202"
    name = "legacy-hook-signature"
    impact = "`TypeError` when the hook first runs: in the sanity check, at the first batch or at the end of epoch 0."
    #: The verdict depends on the Lightning version the project targets.
    depends_on_version = True
    message = (
        "{hook}() keeps the Lightning 1.x parameter{s} {params}: Lightning 2.x calls {call} and raises TypeError "
        "{when}; {fix}"
    )
    manual_backward_message = (
        "manual_backward({loss}, {opt}) passes the optimizer to loss.backward() (removed in {removed}): "
        "TypeError at the first batch; call self.manual_backward({loss})"
    )
    save_message = (
        "Callback on_save_checkpoint() returns its state (removed in {removed}): 2.x silently drops it from every "
        "checkpoint; move it to state_dict()"
    )
    load_message = (
        "Callback on_load_checkpoint() reads '{param}' as its 1.x state: 2.x passes the whole checkpoint, so it "
        "fails at resume; move it to load_state_dict()"
    )

    def report(self, node, message: str | None = None, edits: tuple = (), **fields: object) -> None:  # noqa: ANN001
        """Report, unless the finding's class is driven by Lightning Fabric rather than the Trainer."""
        found = enclosing_method(node) if not isinstance(node, nodes.FunctionDef) else None
        cls = found.cls if found is not None else node.parent
        if isinstance(cls, nodes.ClassDef) and may_be_fabric_driven(self.ctx.facts, cls):
            return
        super().report(node, message, edits, **fields)

    # -- hooks ---------------------------------------------------------------

    def visit_FunctionDef(self, node: nodes.FunctionDef) -> None:
        cls = node.parent
        if not isinstance(cls, nodes.ClassDef):
            return
        name = node.name
        in_module = name in MODULE_HOOK_CALLS
        in_callback = name in CALLBACK_HOOK_CALLS or name in ("on_save_checkpoint", "on_load_checkpoint")
        if not (in_module or in_callback) or not _plain_method(node):
            return
        if in_module:
            self._check_module_hook(cls, node)
        if in_callback:
            self._check_callback_hook(cls, node)

    def _check_module_hook(self, cls: nodes.ClassDef, node: nodes.FunctionDef) -> None:
        call = MODULE_HOOK_CALLS[node.name]
        if node.name == "training_step" and any(a.name == "optimizer_idx" for a in _all_params(node)):
            return  # LTN203's: Lightning raises at fit start, before any batch
        found = self._failing(node, call, LEGACY_MODULE_SIGNATURES[node.name].extra, ())
        if found is None:
            return
        classes = self._running(cls, node, "LightningModule")
        if not classes:
            return
        if call.automatic_only and not all(self.ctx.facts.certainly_automatic(k) for k in classes):
            return  # never called by Lightning's loop under manual optimization
        self._report_signature(node, call, (), *found)

    def _check_callback_hook(self, cls: nodes.ClassDef, node: nodes.FunctionDef) -> None:
        name = node.name
        if name in CALLBACK_HOOK_CALLS:
            call = CALLBACK_HOOK_CALLS[name]
            lead = ("trainer", "pl_module")
            found = self._failing(node, call, LEGACY_CALLBACK_SIGNATURES[name].extra, lead)
            if found is not None and self._running(cls, node, "Callback"):
                self._report_signature(node, call, lead, *found)
        elif name == "on_save_checkpoint":
            if _returns_state(node) and self._running(cls, node, "Callback") and self._targets_2x():
                self.report(node, self.save_message, removed=CALLBACK_STATE_RETURN_REMOVED)
        elif _certainly(self.ctx.facts, cls, "Callback") and self._runs_everywhere(cls, node):
            self._check_callback_load(cls, node)

    def _failing(self, node: nodes.FunctionDef, call: HookCall, extra: tuple[str, ...], lead: tuple) -> tuple | None:
        """(the def's parameters, its 1.x parameters that break Lightning 2.x's call), when they do."""
        params = _Params.of(node)
        if params is None:
            return None
        bound = params.bind((*lead, *call.positional), call.keywords)
        if not bound.fails:
            return None
        legacy = [
            p.name
            for p in _all_params(node)
            if p.name in extra and (p.name in bound.missing or bound.received.get(p.name, p.name) != p.name)
        ]
        return (params, legacy) if legacy else None

    def _running(self, cls: nodes.ClassDef, node: nodes.FunctionDef, kind: str) -> list[nodes.ClassDef]:
        """The certain Lightning ``kind`` classes for which Lightning calls ``node``: ``cls`` itself, or
        for a project mixin outside Lightning's hierarchy, its subclasses that are such classes."""
        facts = self.ctx.facts
        if _certainly(facts, cls, kind):
            return [cls] if self._runs_everywhere(cls, node) else []
        hierarchy = facts.hierarchy(cls)
        if hierarchy.is_("LightningModule") or hierarchy.is_("Callback") or not hierarchy.only_neutral_externals:
            return []  # Lightning's but not certainly, or not only the project's
        return [
            sub
            for sub in facts.subclasses(cls)
            if _certainly(facts, sub, kind) and self._runs_everywhere(sub, node)
        ]

    def _report_signature(
        self, node: nodes.FunctionDef, call: HookCall, lead: tuple, params: _Params, legacy: list[str]
    ) -> None:
        if not self._targets_2x():
            return
        passed = (*lead, *call.positional)
        args = [*passed, *(f"{k}=..." for k in call.keywords)]
        self.report(
            node,
            edits=self._fix(node, params, legacy, passed, call.keywords),
            hook=node.name,
            s="s" if len(legacy) > 1 else "",
            params=", ".join(f"'{p}'" for p in legacy),
            call=f"{node.name}({', '.join(args)})",
            when=call.first_run,
            fix=("remove them" if len(legacy) > 1 else "remove it") + _HINTS.get(node.name, ""),
        )

    # -- the fix: unused 1.x parameters removed, dataloader_idx=0 ------------------

    def _fix(
        self, node: nodes.FunctionDef, params: _Params, legacy: list[str], passed: tuple, keywords: tuple
    ) -> tuple:
        """One edit rewriting the def, when removing the unused 1.x parameters (and giving
        ``dataloader_idx`` its default ``0``) certainly makes Lightning 2.x's call bind."""
        if node.name in _NO_FIX or node.decorators or any(a.name in legacy for a in node.args.kwonlyargs or ()):
            return ()
        positional = [*(node.args.posonlyargs or []), *node.args.args]
        ops = []  # (param, "remove" | "default")
        for name in legacy:
            param = next((p for p in positional if p.name == name), None)
            if param is None:
                return ()
            if name == "dataloader_idx":
                ops.append((param, "default"))
            elif _unused(node, name):
                ops.append((param, "remove"))
            else:
                return ()
        fixed = params.edited({p.name: op for p, op in ops})
        if fixed is None or fixed.bind(passed, keywords).fails:
            return ()
        if self._called_elsewhere(node.name):
            return ()  # a call of the project's own would no longer bind
        source = self.ctx.source
        index = LineIndex(source)
        start = index.offset(node.lineno, node.col_offset)
        text = source[start : index.offset(node.end_lineno, node.end_col_offset)]
        defaults = dict(zip(positional[len(positional) - len(node.args.defaults or []) :], node.args.defaults or []))
        for param, op in sorted(ops, key=lambda o: (o[0].lineno, o[0].col_offset), reverse=True):
            low = index.offset(param.lineno, param.col_offset) - start
            end_node = defaults.get(param, param)
            high = index.offset(end_node.end_lineno, end_node.end_col_offset) - start
            if op == "default":
                if param not in node.args.args:
                    return ()
                annotated = node.args.annotations[node.args.args.index(param)] is not None
                text = text[:high] + (" = 0" if annotated else "=0") + text[high:]
                continue
            span = _removal(text, low, high)
            if span is None or "#" in text[span[0] : span[1]]:
                return ()
            text = text[: span[0]] + text[span[1] :]
        return (Edit.replace(node, text),)

    def _called_elsewhere(self, hook: str) -> bool:
        """The project itself calls ``.<hook>(`` somewhere (or is too large to tell)."""
        pattern = re.compile(rf"\.\s*{re.escape(hook)}\s*\(")
        if pattern.search(self.ctx.source):
            return True
        here = os.path.abspath(self.ctx.module.file or "")
        try:
            return any(
                os.path.abspath(path) != here for path in self.ctx.project.files_matching(pattern, contains=hook)
            )
        except ProjectTooLarge:
            return True

    def _check_callback_load(self, cls: nodes.ClassDef, node: nodes.FunctionDef) -> None:
        params = [*node.args.posonlyargs, *node.args.args]
        if len(params) != 4 or params[3].name != LEGACY_CALLBACK_STATE_PARAM:
            return
        saves = [
            klass.locals["on_save_checkpoint"][-1]
            for klass in self.ctx.facts.hierarchy(cls).classes
            if "on_save_checkpoint" in klass.locals
        ]
        if not saves or not isinstance(saves[0], nodes.FunctionDef) or not _returns_state(saves[0]):
            return
        if not _reads_own_key(node, params[3].name) or not self._targets_2x():
            return
        self.report(node, self.load_message, param=params[3].name)

    # -- manual_backward(loss, opt) ---------------------------------------------

    def visit_Call(self, node: nodes.Call) -> None:
        func = node.func
        if not isinstance(func, nodes.Attribute) or func.attrname != "manual_backward" or len(node.args) < 2:
            return
        if any(isinstance(a, nodes.Starred) for a in node.args):
            return
        found = enclosing_method(node)
        if found is None or not is_self(func.expr, found.method):
            return
        facts = self.ctx.facts
        cls = found.cls
        if not _certainly(facts, cls, "LightningModule") or facts.defines_member(cls, "manual_backward"):
            return
        if facts.optimization_mode(cls) is not Mode.MANUAL:
            return  # under automatic optimization LTN002 reports it; unknown: silent
        held = OptimizerFacts.of(facts, cls).held(node.args[1], found.method)
        if held.kind not in (Kind.RAW, Kind.WRAPPER) or not self._targets_2x():
            return
        loss, opt = (_short(a.as_string()) for a in node.args[:2])
        self.report(node, self.manual_backward_message, loss=loss, opt=opt, removed=MANUAL_BACKWARD_OPTIMIZER_REMOVED)

    # -- helpers --------------------------------------------------------------

    def _runs_everywhere(self, cls: nodes.ClassDef, node: nodes.FunctionDef) -> bool:
        """``node`` is the definition Lightning calls for ``cls`` and every project subclass."""
        facts = self.ctx.facts
        for klass in (cls, *facts.subclasses(cls)):
            for ancestor in facts.hierarchy(klass).classes:
                found = ancestor.locals.get(node.name)
                if found:
                    if found[-1] is not node:
                        return False
                    break
        return True

    def _targets_2x(self) -> bool:
        """Certainly 2.x, and not merely by default: a 1.x signature is itself a sign of 1.x code."""
        version = target_version(self.ctx.project, self.ctx.config.lightning_version)
        return version.at_least(2) and version.source != "default"


class _Binding:
    """How a call binds to a def: whether it fails, what each parameter receives, what is missing."""

    def __init__(self) -> None:
        self.fails = False
        self.received: dict[str, str] = {}
        self.missing: list[str] = []


@dataclass(frozen=True)
class _Params:
    """A def's parameters as binding sees them: (name, has a default) each."""

    positional: tuple[tuple[str, bool], ...]
    posonly: int
    vararg: bool
    kwonly: tuple[tuple[str, bool], ...] = field(default=())
    kwarg: bool = False

    @classmethod
    def of(cls, node: nodes.FunctionDef) -> _Params | None:
        args = node.args
        if args.args is None:
            return None
        positional = [*(args.posonlyargs or []), *args.args]
        first_default = len(positional) - len(args.defaults or [])
        return cls(
            tuple((p.name, i >= first_default) for i, p in enumerate(positional)),
            len(args.posonlyargs or []),
            args.vararg is not None,
            tuple((p.name, d is not None) for p, d in zip(args.kwonlyargs or [], args.kw_defaults or [])),
            args.kwarg is not None,
        )

    def edited(self, ops: dict[str, str]) -> _Params | None:
        """These parameters with some removed and some given a default; None if that is not valid Python."""
        positional, posonly = [], self.posonly
        for i, (name, has_default) in enumerate(self.positional):
            if ops.get(name) == "remove":
                posonly -= i < self.posonly
                continue
            positional.append((name, has_default or ops.get(name) == "default"))
        flags = [has for _, has in positional]
        if any(flags[i] and not flags[i + 1] for i in range(len(flags) - 1)):
            return None  # a parameter without a default after one with
        return replace(self, positional=tuple(positional), posonly=posonly)

    def bind(self, positional: tuple[str, ...], keywords: tuple[str, ...]) -> _Binding:
        """Bind ``self`` and the named arguments as Python would."""
        passed = ("self", *positional)
        result = _Binding()
        if len(passed) > len(self.positional) and not self.vararg:
            result.fails = True
        by_keyword = {name for name, _ in self.positional[self.posonly :]} | {name for name, _ in self.kwonly}
        for i, (name, has_default) in enumerate(self.positional):
            if i < len(passed):
                result.received[name] = passed[i]
            elif name in keywords and name in by_keyword:
                result.received[name] = name
            elif not has_default:
                result.missing.append(name)
                result.fails = True
        for name, has_default in self.kwonly:
            if name in keywords:
                result.received[name] = name
            elif not has_default:
                result.missing.append(name)
                result.fails = True
        for keyword in keywords:
            if keyword in result.received and result.received[keyword] != keyword:
                result.fails = True  # got multiple values
            elif keyword not in by_keyword and not self.kwarg:
                result.fails = True  # unexpected keyword
        return result


def _all_params(node: nodes.FunctionDef) -> list:
    args = node.args
    return [*(args.posonlyargs or []), *(args.args or []), *(args.kwonlyargs or [])]


#: Calls and attributes that can read a function's parameters by name.
_INTROSPECTION = frozenset({"locals", "vars", "eval", "exec", "_getframe", "currentframe", "f_locals"})


def _unused(node: nodes.FunctionDef, name: str) -> bool:
    """No use of ``name`` anywhere in the body (nested functions included) and nothing that could read it."""
    for stmt in node.body:
        for sub in walk(stmt):
            if isinstance(sub, (nodes.Name, nodes.AssignName, nodes.DelName)) and sub.name == name:
                return False
            if isinstance(sub, (nodes.Global, nodes.Nonlocal)) and name in sub.names:
                return False
            if isinstance(sub, nodes.Name) and sub.name in _INTROSPECTION:
                return False
            if isinstance(sub, nodes.Attribute) and sub.attrname in _INTROSPECTION:
                return False
    return True


def _removal(text: str, low: int, high: int) -> tuple[int, int] | None:
    """The span that removes the parameter at ``text[low:high]`` with its comma (or its whole line)."""
    rest = text[high:]
    after = len(rest) - len(rest.lstrip(" \t"))
    if rest[after : after + 1] == ",":
        end = high + after + 1
        tail = text[end:]
        end += len(tail) - len(tail.lstrip(" \t"))
        line_start = max(text.rfind("\n", 0, low), text.rfind("\r", 0, low)) + 1
        ending = re.match(r"\r\n|\r|\n", text[end:])
        if ending and line_start > 0 and not text[line_start:low].strip(" \t"):
            return line_start, end + ending.end()  # the parameter's whole line
        if text[end : end + 1] in ("\r", "\n", "#"):
            return None
        return low, end
    head = text[:low].rstrip(" \t\r\n")
    if head.endswith(","):
        return len(head) - 1, high
    return None


def _certainly(facts: Facts, cls: nodes.ClassDef, kind: str) -> bool:
    """``cls`` is certainly a Lightning ``kind``: nothing but the project's, Lightning's and torch's classes."""
    hierarchy = facts.hierarchy(cls)
    return hierarchy.is_(kind) and hierarchy.only_neutral_externals


def _plain_method(node: nodes.FunctionDef) -> bool:
    """An instance method whose decorators, if any, keep its signature."""
    for decorator in node.decorators.nodes if node.decorators else ():
        target = decorator.func if isinstance(decorator, nodes.Call) else decorator
        name = target.attrname if isinstance(target, nodes.Attribute) else getattr(target, "name", None)
        if name not in _TRANSPARENT_DECORATORS:
            return False
    return bool(node.args.args) or bool(node.args.posonlyargs)


def _is_state(value: nodes.NodeNG | None) -> bool:
    """A dict built right there: a literal, a comprehension or ``dict(...)``."""
    if isinstance(value, (nodes.Dict, nodes.DictComp)):
        return True
    return isinstance(value, nodes.Call) and isinstance(value.func, nodes.Name) and value.func.name == "dict"


def _returns_state(node: nodes.FunctionDef) -> bool:
    """Some ``return`` of ``node`` hands back a dict it built (a name bound only to such dicts counts)."""
    for ret in returns(node):
        value = ret.value
        if _is_state(value):
            return True
        if isinstance(value, nodes.Name):
            bound = node.locals.get(value.name, [])
            if bound and all(
                isinstance(b, nodes.AssignName)
                and isinstance(b.parent, nodes.Assign)
                and b.parent.targets == [b]
                and _is_state(b.parent.value)
                for b in bound
            ):
                return True
    return False


def _reads_own_key(node: nodes.FunctionDef, param: str) -> bool:
    """``node`` reads ``param["key"]`` for a key that is not one of Lightning's checkpoint keys."""
    for sub in walk(node):
        if (
            isinstance(sub, nodes.Subscript)
            and isinstance(sub.value, nodes.Name)
            and sub.value.name == param
            and sub.scope() is node
            and isinstance(sub.slice, nodes.Const)
            and isinstance(sub.slice.value, str)
            and sub.slice.value not in CHECKPOINT_KEYS
            and not isinstance(sub.parent, nodes.Delete)
            and sub.ctx is not None
            and sub.ctx.name == "Load"
        ):
            return True
    return False


def _short(text: str) -> str:
    return text if len(text) <= 30 else "..."
