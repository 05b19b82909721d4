"""Facts that tell which Lightning a piece of code was written for (pure data: importing this is free).

Each entry names an import, an API or a Trainer argument, the Lightning version
that added or removed it, and which major version its presence is evidence
of. Versions were read in the CHANGELOG shipped with ``lightning==2.0.0`` and
checked against the ``pytorch-lightning==1.9.5`` and ``lightning==2.0.0`` wheels.

Evidence comes from APIs only, never from the hooks the version-dependent
rules judge (``training_epoch_end`` is what LTN106 reports; counting it as 1.x
evidence would make the rule silence itself). Entries with ``points_to=None``
exist in both late 1.x and 2.x: they are kept to record why they are not
evidence (research code written for 1.6 to 1.9 uses them too).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VersionFact:
    """A piece of text in Python source and the Lightning versions that accept it."""

    #: What the code uses, for explanations (``Trainer(gpus=...)``).
    what: str
    #: A regex over source text with comments removed (``re.M``).
    pattern: str
    #: The major version its presence is evidence of: 1 (before 2.0), 2, or None.
    points_to: int | None
    added: str | None = None
    removed: str | None = None
    #: Text the pattern cannot match without (a fast substring test before the regex).
    needle: str = ""


#: Trainer arguments 2.x rejects with ``TypeError``, with the version that removed each.
#: Every ``Trainer.__init__`` parameter of pytorch-lightning 0.7.6, 0.8.5, 0.9.0,
#: 1.0.8, 1.2.10, 1.3.8, 1.4.9, 1.5.0, 1.8.6 and 1.9.5 (read from the wheels) that
#: ``lightning==2.6.6``'s ``Trainer.__init__`` does not accept; the version is the
#: first sampled release without it, narrowed by the CHANGELOG where the samples
#: leave a gap (1.5.0 to 1.8.6). LTN206 and the version evidence both read it.
REMOVED_TRAINER_ARGS: dict[str, str] = {
    # 1.9.5 -> 2.0
    "gpus": "2.0",
    "tpu_cores": "2.0",
    "ipus": "2.0",
    "num_processes": "2.0",
    "resume_from_checkpoint": "2.0",
    "auto_select_gpus": "2.0",
    "auto_lr_find": "2.0",
    "auto_scale_batch_size": "2.0",
    "track_grad_norm": "2.0",
    "replace_sampler_ddp": "2.0",
    "multiple_trainloader_mode": "2.0",
    "move_metrics_to_cpu": "2.0",
    "amp_backend": "2.0",
    "amp_level": "2.0",
    # 1.5.0 -> 1.8.6
    "weights_save_path": "1.8",
    "checkpoint_callback": "1.7",
    "progress_bar_refresh_rate": "1.7",
    "weights_summary": "1.7",
    "flush_logs_every_n_steps": "1.7",
    "stochastic_weight_avg": "1.7",
    "terminate_on_nan": "1.7",
    "prepare_data_per_node": "1.7",
    "process_position": "1.7",
    "log_gpu_memory": "1.7",
    "reload_dataloaders_every_epoch": "1.7",
    # 1.4.9 -> 1.5.0
    "distributed_backend": "1.5",
    "truncated_bptt_steps": "1.5",
    # 1.2.10 -> 1.3.8
    "automatic_optimization": "1.3",
    "enable_pl_optimizer": "1.3",
    # 0.9.0 -> 1.0.8
    "early_stop_callback": "1.0",
    "log_save_interval": "1.0",
    "row_log_interval": "1.0",
    "overfit_pct": "1.0",
    "train_percent_check": "1.0",
    "val_percent_check": "1.0",
    "test_percent_check": "1.0",
    # 0.8.5 -> 0.9.0
    "num_tpu_cores": "0.9",
    "print_nan_grads": "0.9",
    "show_progress_bar": "0.9",
    "use_amp": "0.9",
    # 0.7.6 -> 0.8.5
    "add_row_log_interval": "0.8",
    "default_save_path": "0.8",
    "gradient_clip": "0.8",
    "max_nb_epochs": "0.8",
    "min_nb_epochs": "0.8",
    "nb_gpu_nodes": "0.8",
    "nb_sanity_val_steps": "0.8",
    "progress_bar_callback": "0.8",
}

#: Trainer arguments added in 2.0.
ADDED_TRAINER_ARGS: dict[str, str] = {
    "use_distributed_sampler": "2.0",
}

#: Trainer arguments both late 1.x and 2.x accept: not evidence either way.
SHARED_TRAINER_ARGS: dict[str, str] = {
    "devices": "1.4",  # ``accelerator="gpu", devices=N`` is the 1.6+ spelling too
    "accelerator": "1.0",
    "strategy": "1.5",
}

CODE_FACTS: tuple[VersionFact, ...] = (
    # -- only in Lightning before 2.0 ----------------------------------------
    VersionFact(
        "pytorch_lightning.metrics",
        r"\bpytorch_lightning\.metrics\b|\bpl\.metrics\.",
        1,
        removed="1.5",
        needle="metrics",
    ),
    VersionFact(
        "a public name from pytorch_lightning.utilities.distributed (rank_zero_only, sync_ddp, ...)",
        r"\b(?:pytorch_lightning|pl)\.utilities\.distributed(?:\s+import\s+\(?\s*|\.)(?!_)\w",
        1,
        removed="2.0",
        needle=".distributed",
    ),
    VersionFact(
        "Trainer/LightningDataModule argparse helpers (add_argparse_args, from_argparse_args, parse_argparser)",
        r"\b(?:Trainer|LightningDataModule)\s*\.\s*(?:add_argparse_args|from_argparse_args|parse_argparser)\b",
        1,
        removed="2.0",
        needle="argparse",
    ),
    VersionFact("TestTubeLogger", r"\bTestTubeLogger\b", 1, removed="1.7", needle="TestTubeLogger"),
    VersionFact("GPUStatsMonitor", r"\bGPUStatsMonitor\b", 1, removed="1.7", needle="GPUStatsMonitor"),
    VersionFact(
        "pytorch_lightning.core.lightning",
        r"\bpytorch_lightning\.core\.lightning\b",
        1,
        removed="1.9",
        needle="core.lightning",
    ),
    VersionFact(
        "LightningLoggerBase",
        r"\bLightningLoggerBase\b",
        1,
        removed="1.9",
        needle="LightningLoggerBase",
    ),
    VersionFact(
        "pytorch_lightning.loggers.base",
        r"\bpytorch_lightning\.loggers\.base\b",
        1,
        removed="1.9",
        needle="loggers.base",
    ),
    VersionFact(
        "pytorch_lightning.utilities.cli",
        r"\bpytorch_lightning\.utilities\.cli\b",
        1,
        removed="1.9",
        needle="utilities.cli",
    ),
    VersionFact(
        "pytorch_lightning.profiler (not profilers)",
        r"\bpytorch_lightning\.profiler\b",
        1,
        removed="2.0",
        needle="pytorch_lightning.profiler",
    ),
    VersionFact("LightningLite", r"\bLightningLite\b", 1, added="1.5", removed="2.0", needle="LightningLite"),
    # -- only in Lightning 2.x ----------------------------------------------
    # The ``lightning`` umbrella package shipped ``lightning.pytorch`` from 1.8,
    # but 1.8/1.9 were current for four months: in practice it means 2.x.
    VersionFact(
        "import lightning / lightning.pytorch",
        r"^[ \t]*(?:import|from)[ \t]+lightning\b(?![ \t]*\.[ \t]*app\b)",
        2,
        added="1.8 (umbrella package; 2.0 as the main one)",
    ),
    VersionFact(
        'precision="16-mixed" / "bf16-mixed" / "32-true" ...',
        r"""['"](?:16|bf16)-mixed['"]|['"](?:16|bf16|32|64|transformer-engine)-true['"]""",
        2,
        added="2.0",
    ),
)


#: Code facts that are deliberately NOT evidence, with the version that added them.
NOT_EVIDENCE: dict[str, str] = {
    "Trainer(devices=..., accelerator=...)": "devices 1.4, accelerator='gpu' 1.5: used by 1.6-1.9 code too",
    "on_train_epoch_end(self) without outputs": "accepted since 1.0",
    "training_epoch_end and other removed hooks": "judged by LTN106 itself: evidence would be circular",
    "lightning_fabric / lightning.fabric": "1.9",
}
