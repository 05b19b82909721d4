"""Findings kept between runs: an unchanged file in an unchanged project is not analysed again.

A file's findings depend on its own text and, through whole-project questions
(every LightningModule, is this name logged anywhere, which version the pins
say), on every other file of its project. So an entry is keyed by:

* the checked text (the editor's buffer when it comes on stdin) and path;
* the options that change findings, and the rules the prefilter chose;
* the project's *stamp*: the path, size and modification time of every
  Python file of the project and of its extra source roots, and of every file
  version inference reads or looks for (pins, project markers) in the
  project's root and the folders above it that it may climb to.

Any change to any of these misses, and the file is analysed from its text.
Nothing here imports astroid: a warm run costs a walk of the project's
folders and one small read.

Projects the stamp cannot describe are never cached: more files than the
project index holds, or a checked file whose package reaches above the
project's root (its imports could resolve to files outside the stamp).
"""

from __future__ import annotations

import os
import stat
import time
from typing import TYPE_CHECKING

from flake8_lightning.cache import RACY_NS, content_key, store_for

if TYPE_CHECKING:
    from flake8_lightning.config import Config
    from flake8_lightning.engine import Finding
    from flake8_lightning.model.project import Project

#: Bumped when what an entry holds changes.
FORMAT = "results-1"
#: At most this many files under extra source roots are stamped; past it, no caching.
MAX_EXTRA_FILES = 20_000


def _stat(path: str, now: int) -> tuple[int, int] | tuple[int, int, str] | str | None:
    """Size and modification time of a file (and its content's digest when modified just now);
    only the presence of a folder (``.git`` changes whenever git writes its index, which
    changes no finding)."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if stat.S_ISDIR(info.st_mode):
        return "folder"
    if now - info.st_mtime_ns < RACY_NS:
        from flake8_lightning.model.loading import MAX_PROJECT_FILE_BYTES, read_regular

        data = read_regular(path, MAX_PROJECT_FILE_BYTES + 1)
        return info.st_size, info.st_mtime_ns, content_key(data or b"")
    return info.st_size, info.st_mtime_ns


def project_stamp(project: Project) -> str | None:
    """What the project's files on disk look like now, as a digest; None when it cannot be said."""
    from flake8_lightning.model.pins import version_inputs
    from flake8_lightning.model.project import python_files

    files = project.files()  # the walk that lists them also read their sizes and times
    if not project.complete:
        return None
    stats = dict(project.disk_stats)
    listed = [path for path in files if path in stats]  # not an unsaved buffer's path
    for root in project.roots[1:]:
        if project._contains(root):  # noqa: SLF001 - ``src/`` and roots inside the project are walked already
            continue
        extra = list(python_files(root, MAX_EXTRA_FILES + 1))
        if len(extra) > MAX_EXTRA_FILES:
            return None
        stats.update(extra)
        listed.extend(path for path, _ in extra)
    parts = [project.root, project.only_file or "", *project.roots]
    now = time.time_ns()
    for path in listed:
        found = stats[path]
        if found is None or now - found[1] < RACY_NS:
            parts.append(f"{path}\0{_stat(path, now)}")
        else:
            parts.append(f"{path}\0{found[0]}\0{found[1]}")
    for path in version_inputs(project.root):
        parts.append(f"{path}\0{_stat(path, now)}")
    return content_key("stamp", "\0\0".join(parts))  # one digest update, not two per file


def _options(config: Config) -> str:
    return repr((config.source_roots, config.lightning_version))


class Results:
    """The cache entry of one checked file: look it up, or keep what the analysis found."""

    def __init__(self, path: str, source: str, config: Config, codes: list[str]) -> None:
        from flake8_lightning.model.project import Project, outermost_package, package_parent

        self.key: str | None = None
        project = Project.for_file(path, config.source_roots)
        self.store = store_for(None if project.only_file else project.root, config)
        if not self.store.enabled:
            return
        if outermost_package(path) is not None and not project._contains(package_parent(path)):  # noqa: SLF001
            return  # imports may resolve above the project's root: not in the stamp
        stamp = project.cached(("result_cache_stamp",), lambda: project_stamp(project))
        if stamp is None:
            return
        self.slot = content_key("results-slot", path)
        self.key = content_key(FORMAT, path, source, _options(config), ",".join(codes), stamp)

    def lookup(self) -> list[tuple[int, int, str]] | None:
        """The findings kept for exactly this text, project and options; None on a miss."""
        if self.key is None:
            return None
        entry = self.store.get("results", self.slot)
        if not isinstance(entry, dict) or entry.get("key") != self.key:
            return None
        found = entry.get("findings")
        if not isinstance(found, list):
            return None
        try:
            return [(int(line), int(col), str(text)) for line, col, text in found]
        except (TypeError, ValueError):
            return None

    def keep(self, findings: list[Finding]) -> None:
        if self.key is None:
            return
        value = {"key": self.key, "findings": [[f.line, f.col, f.text] for f in findings]}
        self.store.put("results", self.slot, value)
