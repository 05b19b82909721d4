"""LTN206: a Trainer argument, run-method keyword or Trainer method that Lightning 2.x removed."""

from __future__ import annotations

import re

from flake8_lightning.lightning_versions import REMOVED_TRAINER_ARGS
from flake8_lightning.registry import Needs, Rule, heavy_imports, register


@heavy_imports
def _imports() -> None:
    """What the handlers use; the engine runs this before its first walk."""
    global nodes, Edit, LineIndex, has_comment, is_lightning_class, External, bindings, target_version
    from astroid import nodes

    from flake8_lightning.edits import Edit, LineIndex, has_comment
    from flake8_lightning.model.lightning import is_lightning_class
    from flake8_lightning.model.names import External, bindings
    from flake8_lightning.model.version import target_version


#: ``trainer.<method>(<old>=...)`` keywords removed before 2.0, and their 2.x name.
REMOVED_RUN_KWARGS: dict[str, dict[str, str]] = {
    "fit": {"train_dataloader": "train_dataloaders"},
    "validate": {"val_dataloaders": "dataloaders"},
    "test": {"test_dataloaders": "dataloaders"},
}
#: The 2.x keyword's position among the method's positional parameters (after self).
_RUN_POSITION = {"train_dataloaders": 1, "dataloaders": 1}

#: Trainer methods 2.0 removed: (``Trainer.x`` on the class, what to use).
REMOVED_METHODS: dict[str, tuple[bool, str]] = {
    "from_argparse_args": (True, "pass the arguments to Trainer(...) yourself, or use LightningCLI"),
    "add_argparse_args": (True, "add the arguments to the parser yourself, or use LightningCLI"),
    "parse_argparser": (True, "parse the arguments yourself, or use LightningCLI"),
    "tune": (False, "use lightning.pytorch.tuner.Tuner(trainer).lr_find/scale_batch_size"),
}

#: Removed arguments renamed one to one, with the same meaning for every value.
RENAMED: dict[str, str] = {
    "replace_sampler_ddp": "use_distributed_sampler",
    "max_nb_epochs": "max_epochs",
    "min_nb_epochs": "min_epochs",
    "nb_sanity_val_steps": "num_sanity_val_steps",
    "nb_gpu_nodes": "num_nodes",
    "default_save_path": "default_root_dir",
    "row_log_interval": "log_every_n_steps",
    "gradient_clip": "gradient_clip_val",
    "train_percent_check": "limit_train_batches",
    "val_percent_check": "limit_val_batches",
    "test_percent_check": "limit_test_batches",
}

#: What to do instead, for the message.
ADVICE: dict[str, str] = {
    "gpus": 'use accelerator="gpu", devices=N',
    "tpu_cores": 'use accelerator="tpu", devices=N',
    "ipus": "use the lightning-graphcore package's IPUAccelerator",
    "num_processes": 'use accelerator="cpu", devices=N',
    "auto_select_gpus": 'use devices="auto" or find_usable_cuda_devices()',
    "resume_from_checkpoint": "pass ckpt_path=... to trainer.fit",
    "auto_lr_find": "use Tuner(trainer).lr_find(model)",
    "auto_scale_batch_size": "use Tuner(trainer).scale_batch_size(model)",
    "track_grad_norm": "log grad_norm(self, norm_type=2) in on_before_optimizer_step",
    "multiple_trainloader_mode": "use CombinedLoader(loaders, mode=...)",
    "move_metrics_to_cpu": "remove it",
    "amp_backend": "remove it (Lightning uses torch.amp)",
    "amp_level": "remove it (Apex is no longer supported)",
    "weights_save_path": "use ModelCheckpoint(dirpath=...)",
    "checkpoint_callback": "use enable_checkpointing",
    "progress_bar_refresh_rate": "use enable_progress_bar or TQDMProgressBar(refresh_rate=...)",
    "weights_summary": "use enable_model_summary or ModelSummary(max_depth=...)",
    "flush_logs_every_n_steps": "pass flush_logs_every_n_steps to the logger",
    "stochastic_weight_avg": "use the StochasticWeightAveraging callback",
    "terminate_on_nan": "use detect_anomaly=True",
    "prepare_data_per_node": "set self.prepare_data_per_node in the LightningModule or DataModule",
    "process_position": "use TQDMProgressBar(process_position=...)",
    "log_gpu_memory": "use the DeviceStatsMonitor callback",
    "reload_dataloaders_every_epoch": "use reload_dataloaders_every_n_epochs=1",
    "distributed_backend": "use strategy",
    "truncated_bptt_steps": "set self.truncated_bptt_steps in the LightningModule",
    "automatic_optimization": "set self.automatic_optimization in the LightningModule",
    "enable_pl_optimizer": "remove it",
    "early_stop_callback": "pass EarlyStopping in callbacks",
    "log_save_interval": "remove it (the logger flushes itself)",
    "overfit_pct": "use overfit_batches",
    "num_tpu_cores": 'use accelerator="tpu", devices=N',
    "print_nan_grads": "use detect_anomaly=True",
    "show_progress_bar": "use enable_progress_bar",
    "use_amp": 'use precision="16-mixed"',
    "add_row_log_interval": "use log_every_n_steps",
    "progress_bar_callback": "use enable_progress_bar",
    **{old: f"use {new}" for old, new in RENAMED.items()},
}


def _mentions_removed(text: str) -> bool:
    if "Trainer" not in text and "trainer" not in text:
        return False
    return (
        any(name in text for name in REMOVED_TRAINER_ARGS)
        or any(old in text for kwargs in REMOVED_RUN_KWARGS.values() for old in kwargs)
        or any(name in text for name in REMOVED_METHODS)
    )


@register
class RemovedTrainerArgument(Rule):
    """A ``Trainer`` argument, run keyword or method that Lightning 2.x removed.

    ## What it does
    Flags, in a project that targets Lightning 2.x, each removed
    ``Trainer.__init__`` keyword (``gpus``, ``resume_from_checkpoint``,
    ``progress_bar_refresh_rate``, ``replace_sampler_ddp``, ...: every
    parameter of a 0.7 to 1.9 Trainer that 2.x does not accept), given in the
    call or as a key of a ``**{...}`` dict literal; the removed keywords of the
    run methods (``trainer.fit(train_dataloader=...)``,
    ``trainer.validate(val_dataloaders=...)``,
    ``trainer.test(test_dataloaders=...)``); and the removed methods
    ``Trainer.from_argparse_args``, ``Trainer.add_argparse_args``,
    ``Trainer.parse_argparser`` and ``trainer.tune()``. Only Lightning's own
    ``Trainer`` (resolved by qualified name) counts. The finding is reported
    at the keyword (or the dict key, or the method call).

    ## Why is this bad?
    Lightning 2.x's ``Trainer.__init__`` takes keyword-only parameters and no
    ``**kwargs``: ``Trainer(gpus=1)`` raises ``TypeError: Trainer.__init__()
    got an unexpected keyword argument 'gpus'``. A removed run keyword raises
    ``TypeError`` when the call runs: ``trainer.test(test_dataloaders=...)``
    after a fit fails only after the whole training run, so the test results
    are never produced. The removed methods raise ``AttributeError``.

    ## Example
    ```python
    import lightning as L


    def train_and_test(model, train_loader, test_loader):
        trainer = L.Trainer(max_epochs=10)
        trainer.fit(model, train_loader)
        trainer.test(model, test_dataloaders=test_loader)
    ```

    ## Use instead
    ```python
    import lightning as L


    def train_and_test(model, train_loader, test_loader):
        trainer = L.Trainer(max_epochs=10)
        trainer.fit(model, train_loader)
        trainer.test(model, dataloaders=test_loader)
    ```

    ## Autofix
    ``flake8-lightning --fix`` migrates what is mechanical: ``gpus=N`` (an
    int or string literal other than 0, with no ``accelerator``/``devices``
    given) becomes ``accelerator="gpu", devices=N``; renamed keywords take
    their new name (``replace_sampler_ddp`` to ``use_distributed_sampler``,
    ``max_nb_epochs`` to ``max_epochs``, ``train_percent_check`` to
    ``limit_train_batches``, ...); ``fit(train_dataloader=x)``,
    ``validate(val_dataloaders=x)`` and ``test(test_dataloaders=x)`` take the
    2.x keyword; ``resume_from_checkpoint=p`` moves to ``trainer.fit(...,
    ckpt_path=p)`` when ``trainer = Trainer(...)`` is fitted exactly once in the
    same scope and ``p`` is a literal or a plain name or attribute. Nothing is
    rewritten in a call that also passes ``**kwargs``. The other findings
    (arguments whose replacement is a callback, a logger option or a module
    attribute) have no fix.

    ## Known limits
    ``Trainer(**vars(args))``, ``Trainer(**config)`` and
    ``Trainer.from_argparse_args(args)``'s arguments are unknown: silent. A
    ``Trainer`` subclass of the project is not checked (its ``__init__`` may
    take the old names). Only projects certainly on Lightning 2.x are checked:
    a project pinned to 1.x, or whose version is unknown, is not. Since the
    removed arguments are themselves 1.x evidence, an unpinned project that
    uses them is taken as a 1.x project: pin ``lightning>=2`` (or pass
    ``--lightning-version 2``) to migrate it.
    """

    needs = Needs(_mentions_removed, "a removed Trainer argument, run keyword or method name")
    code = "LTN206"
    name = "removed-trainer-argument"
    impact = "`TypeError`/`AttributeError` at `Trainer(...)`, or after the whole fit for `trainer.test(test_dataloaders=...)`."
    message = (
        "Trainer argument '{arg}' was removed in Lightning {removed}: Trainer(...) raises TypeError; "
        "{fix} (Lightning 2.x {basis})"
    )
    run_message = (
        "'{method}({arg}=...)' was removed before Lightning 2.0: the call raises TypeError{when}; "
        "use {new}= (Lightning 2.x {basis})"
    )
    method_message = (
        "'{what}' was removed in Lightning 2.0 and raises AttributeError; {fix} (Lightning 2.x {basis})"
    )
    #: The verdict depends on the Lightning version the project targets.
    depends_on_version = True

    def visit_Call(self, node: nodes.Call) -> None:
        func = node.func
        found = _removed_init_keywords(node)  # the call's own text first: resolving costs imports
        if found and self._is_lightning_trainer(func):
            self._check_init(node, found)
            return
        if not isinstance(func, nodes.Attribute):
            return
        if func.attrname in REMOVED_METHODS:
            on_class, advice = REMOVED_METHODS[func.attrname]
            if (self._is_lightning_trainer(func.expr) if on_class else self.ctx.facts.is_trainer(func.expr)):
                basis = self._basis()
                if basis is not None:
                    what = f"Trainer.{func.attrname}" if on_class else f"trainer.{func.attrname}()"
                    self.report(node, self.method_message, what=what, fix=advice, basis=basis)
            return
        removed = REMOVED_RUN_KWARGS.get(func.attrname)
        if removed is None or not any(k.arg in removed for k in node.keywords or ()):
            return
        if not self.ctx.facts.is_trainer(func.expr):
            return
        basis = self._basis()
        if basis is None:
            return
        when = "" if func.attrname == "fit" else ", after everything before it (a whole fit) has run"
        for keyword in node.keywords or ():
            if keyword.arg in removed:
                new = removed[keyword.arg]
                edits = self._rename_fix(node, keyword, new, _RUN_POSITION[new])
                self.report(
                    keyword, self.run_message, edits, method=func.attrname, arg=keyword.arg, when=when, new=new,
                    basis=basis,
                )

    # -- Trainer(...) ----------------------------------------------------------

    def _check_init(self, node: nodes.Call, found: list[tuple]) -> None:
        basis = self._basis()
        if basis is None:
            return
        # One rewrite of the whole call carries every fixable keyword: each finding offers
        # the same edits, so they are applied together or not at all.
        replace, fit_edit = {}, ()
        if not any(k.arg is None for k in node.keywords or ()) and not any(
            isinstance(a, nodes.Starred) for a in node.args
        ):
            for where, arg, direct in found:
                text, extra = self._init_fix(node, where, arg, replace)
                if text is not False:
                    replace[where] = text
                    fit_edit = fit_edit or extra
        edits = self._call_edit(node, replace) if replace else ()
        if edits and fit_edit:
            edits = edits + fit_edit
        for where, arg, _ in found:
            self.report(
                where, arg=arg, removed=REMOVED_TRAINER_ARGS[arg], fix=ADVICE.get(arg, "remove it"), basis=basis,
                edits=edits if where in replace else (),
            )

    def _init_fix(self, call: nodes.Call, keyword: nodes.Keyword, arg: str, taken: dict) -> tuple:
        """(the keyword's new text, None to remove it, or False: no fix; an edit elsewhere)."""
        given = {k.arg for k in call.keywords} | {_new_name(t) for t in taken.values() if t}
        text = self._text(keyword.value)
        if text is None:
            return False, ()
        if arg in RENAMED:
            return (False, ()) if RENAMED[arg] in given else (f"{RENAMED[arg]}={text}", ())
        if arg == "gpus":
            value = keyword.value
            if not isinstance(value, nodes.Const) or given & {"accelerator", "devices"}:
                return False, ()
            if isinstance(value.value, bool) or not isinstance(value.value, (int, str)):
                return False, ()
            if isinstance(value.value, str) and (not value.value.strip() or value.value.strip() in {"0", "-0"}):
                return False, ()
            if value.value == 0:
                return False, ()
            return f'accelerator="gpu", devices={text}', ()
        if arg == "resume_from_checkpoint":
            fit_edit = self._move_to_fit(call, keyword)
            return (None, fit_edit) if fit_edit else (False, ())
        return False, ()

    def _rename_fix(self, call: nodes.Call, keyword: nodes.Keyword, new: str, position: int | None) -> tuple:
        if any(k.arg is None for k in call.keywords or ()) or any(isinstance(a, nodes.Starred) for a in call.args):
            return ()
        if new in {k.arg for k in call.keywords} or (position is not None and len(call.args) > position):
            return ()
        text = self._text(keyword.value)
        if text is None:
            return ()
        return self._call_edit(call, {keyword: f"{new}={text}"})

    def _move_to_fit(self, call: nodes.Call, keyword: nodes.Keyword) -> tuple:
        value = keyword.value
        if not _plain(value):
            return ()
        assign = call.parent
        if not (
            isinstance(assign, nodes.Assign)
            and len(assign.targets) == 1
            and isinstance(assign.targets[0], nodes.AssignName)
        ):
            return ()
        name = assign.targets[0].name
        scope = assign.scope()
        root = value
        while isinstance(root, nodes.Attribute):
            root = root.expr
        if isinstance(root, nodes.Name):
            found = bindings(root, root.name)
            if not found or any(
                getattr(b, "lineno", None) is None or b.lineno >= call.lineno or b.scope() is not scope for b in found
            ):
                return ()
        fits = []
        for other in _same_scope(scope):
            if isinstance(other, nodes.Name) and other.name == name and other is not assign.targets[0]:
                parent = other.parent
                if not (isinstance(parent, nodes.Attribute) and parent.attrname == "fit"):
                    continue
                fit = parent.parent
                if not (isinstance(fit, nodes.Call) and fit.func is parent):
                    return ()
                fits.append(fit)
            elif isinstance(other, nodes.AssignName) and other.name == name and other is not assign.targets[0]:
                return ()  # rebound: which trainer is fitted is not certain
        if len(fits) != 1:
            return ()
        fit = fits[0]
        if fit.lineno < call.lineno or not (fit.args or fit.keywords):
            return ()
        if len(fit.args) > 4 or any(k.arg in {None, "ckpt_path"} for k in fit.keywords or ()):
            return ()
        if any(isinstance(a, nodes.Starred) for a in fit.args):
            return ()
        if not isinstance(fit.parent, nodes.Expr) or fit.parent.parent is not assign.parent:
            return ()  # the fit runs only in some branch, or inside another expression
        value_text = self._text(value)
        if value_text is None:
            return ()
        last = (fit.args + list(fit.keywords or ()))[-1]
        if not self._call_edit(call, {keyword: None}):
            return ()  # the keyword cannot be cut out cleanly
        return self._call_edit(fit, {}, append=(last, f", ckpt_path={value_text}"))

    # -- text edits -----------------------------------------------------------

    def _text(self, node: nodes.NodeNG) -> str | None:
        text = self._slice(node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)
        return None if text is None or has_comment(text) or "\n" in text or "\r" in text else text

    def _index(self) -> LineIndex:
        index = getattr(self.ctx, "_ltn206_index", None)
        if index is None or index[0] is not self.ctx.source:
            index = (self.ctx.source, LineIndex(self.ctx.source))
            try:
                self.ctx._ltn206_index = index
            except AttributeError:
                pass
        return index[1]

    def _slice(self, line: int, col: int, end_line: int, end_col: int) -> str | None:
        if None in (line, col, end_line, end_col):
            return None
        index = self._index()
        return self.ctx.source[index.offset(line, col) : index.offset(end_line, end_col)]

    def _call_edit(self, call: nodes.Call, replace: dict, append: tuple | None = None) -> tuple:
        """One edit replacing ``call`` by its text with keywords replaced (None: removed) or text appended."""
        index = self._index()
        source = self.ctx.source
        start, end = index.offset(call.lineno, call.col_offset), index.offset(call.end_lineno, call.end_col_offset)
        pieces = []  # (start, end, text) in source offsets
        for keyword, text in replace.items():
            low = index.offset(keyword.lineno, keyword.col_offset)
            high = index.offset(keyword.end_lineno, keyword.end_col_offset)
            if text is None:
                rest = source[high:end]
                after = len(rest) - len(rest.lstrip(" \t"))
                if rest[after : after + 1] == ",":
                    tail = rest[after + 1 :]
                    high += after + 1 + (len(tail) - len(tail.lstrip(" \t")))
                    line_start = max(source.rfind("\n", 0, low), source.rfind("\r", 0, low)) + 1
                    ending = re.match(r"\r\n|\r|\n", source[high:end])
                    if ending and line_start > start and not source[line_start:low].strip(" \t"):
                        low, high = line_start, high + ending.end()  # the keyword's whole line
                else:
                    head = source[start:low].rstrip(" \t\r\n")
                    if head.endswith(","):
                        low = start + len(head) - 1
                    elif not head.endswith("("):
                        return ()
                text = ""
            if has_comment(source[low:high]) or "#" in source[low:high]:
                return ()
            pieces.append((low, high, text))
        if append is not None:
            node, text = append
            at = index.offset(node.end_lineno, node.end_col_offset)
            pieces.append((at, at, text))
        pieces.sort()
        out, pos = [], start
        for low, high, text in pieces:
            if low < pos:
                return ()
            out.append(source[pos:low])
            out.append(text)
            pos = high
        out.append(source[pos:end])
        return (Edit.replace(call, "".join(out)),)

    # -- helpers --------------------------------------------------------------

    def _is_lightning_trainer(self, func: nodes.NodeNG) -> bool:
        target = self.ctx.facts.resolver.resolve(func)
        return isinstance(target, External) and is_lightning_class(target.qualname, "Trainer")

    def _basis(self) -> str | None:
        version = target_version(self.ctx.project, self.ctx.config.lightning_version)
        if not version.at_least(2):
            return None  # 1.x accepts (some of) these; unknown: stay silent
        return version.basis(self.ctx.project.root)


def _new_name(text: str) -> str:
    """The keyword a replacement text starts with (``accelerator`` for ``accelerator="gpu", ...``)."""
    return text.split("=", 1)[0]


def _plain(node: nodes.NodeNG) -> bool:
    """A literal, a name, or an attribute chain over a name: moving it changes no evaluation order."""
    if isinstance(node, nodes.Const):
        return isinstance(node.value, str) or node.value is None
    while isinstance(node, nodes.Attribute):
        node = node.expr
    return isinstance(node, nodes.Name)


def _same_scope(scope: nodes.NodeNG):  # noqa: ANN202
    """Nodes of ``scope`` outside nested functions, lambdas and classes."""
    stack = list(scope.get_children())
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.ClassDef, nodes.Lambda)):
            stack.extend(node.get_children())


def _removed_init_keywords(node: nodes.Call) -> list[tuple]:
    """(where, argument, given directly) for each removed ``Trainer.__init__`` argument the
    call passes, as a keyword or as a key of a ``**{...}`` dict literal."""
    found = []
    for keyword in node.keywords or ():
        if keyword.arg in REMOVED_TRAINER_ARGS:
            found.append((keyword, keyword.arg, True))
        elif keyword.arg is None and isinstance(keyword.value, nodes.Dict):
            for key, _ in keyword.value.items:
                if isinstance(key, nodes.Const) and key.value in REMOVED_TRAINER_ARGS:
                    found.append((key, key.value, False))
    return found
