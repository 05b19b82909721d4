"""Re-run every LTN rule over the research-code corpus and compare with ``research_triage.tsv``.

    python benchmarks/research_corpus.py [--cache DIR] [--mirror-root DIR] [--only NAME ...]

The corpus is the GitHub repositories listed in ``research.tsv``, each pinned by
commit. CI has no GitHub access, so the script works on local copies: each
repository's tree at its pinned commit in ``DIR/<name>/`` (default
``.cache/research/<name>``). Populate that folder either

* by hand: ``git clone https://github.com/OWNER/REPO .cache/research/NAME`` and
  ``git -C .cache/research/NAME checkout COMMIT``, or
* from bare git mirrors (such as the ones the session ``fetch`` tool leaves
  in ``/work/.mirror/OWNER+REPO/repo``): ``--mirror-root /work/.mirror`` exports
  the pinned commit's tree of every repository not yet in the cache. Blobs
  the mirror lacks (large images, notebooks, data files) are left out; no
  Python source was missing from any mirror used so far.

Repositories with no local copy are skipped with a message; with none at all
the script says so and exits 0. For the others it runs the real
``flake8 --isolated --select=LTN .`` from the repository root (as
``check_corpus.py`` does for the PyPI corpus; ``--isolated`` because a
repository's own flake8 configuration may be invalid under flake8 7, change
the output format or exclude files) and fails (exit 1) on a finding not triaged as
true, a true finding no longer found, or any output on stderr.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_corpus import compare, load_triage, run  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_CACHE = ROOT / ".cache" / "research"
REPOS = HERE / "research.tsv"
TRIAGE = HERE / "research_triage.tsv"
STAMP = ".research-commit"


def load_repos(path: Path = REPOS) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _git(git_dir: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], capture_output=True, check=False, **kwargs)


def export(git_dir: Path, commit: str, target: Path) -> int:
    """Write the tree of ``commit`` in the bare repository ``git_dir`` to ``target``.

    Returns the number of files left out because the mirror lacks their blob; raises
    LookupError when the mirror does not hold the commit (nothing is written then).
    """
    listing = _git(git_dir, "ls-tree", "-r", "-z", commit)
    if listing.returncode:
        raise LookupError(f"{git_dir} lacks commit {commit}: {listing.stderr.decode().strip()}")
    entries = []
    for record in listing.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, sha = meta.split()
        if kind == b"blob" and mode != b"120000":  # files only: no submodules, no symlinks
            entries.append((sha.decode(), path.decode()))
    check = _git(git_dir, "cat-file", "--batch-check", input="".join(f"{sha}\n" for sha, _ in entries).encode())
    present = {line.split()[0] for line in check.stdout.decode().splitlines() if not line.endswith(" missing")}
    kept = [(sha, path) for sha, path in entries if sha in present]
    blobs = _git(git_dir, "cat-file", "--batch", input="".join(f"{sha}\n" for sha, _ in kept).encode()).stdout
    offset = 0
    for _, path in kept:
        header_end = blobs.index(b"\n", offset)
        size = int(blobs[offset:header_end].split()[2])
        start = header_end + 1
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(blobs[start:start + size])
        offset = start + size + 1
    # A clone has a .git folder, and flake8-lightning takes it for the project root: without it
    # a repository with no pyproject.toml/setup.py would join whatever project encloses the cache.
    (target / ".git").mkdir(exist_ok=True)
    (target / STAMP).write_text(commit + "\n")
    return len(entries) - len(kept)


def local_copy(repo: dict[str, str], cache: Path, mirror_root: Path | None) -> Path | None:
    """The repository's folder at its pinned commit, exporting it from a mirror when possible."""
    target = cache / repo["name"]
    stamp = target / STAMP
    if stamp.exists():
        if stamp.read_text().strip() != repo["commit"]:
            print(f"{repo['name']}: {target} holds {stamp.read_text().strip()}, not {repo['commit']}: re-export it")
            return None
        return target
    if (target / ".git").exists():
        head = subprocess.run(["git", "-C", str(target), "rev-parse", "HEAD"], capture_output=True, text=True)
        if head.stdout.strip() != repo["commit"]:
            print(f"{repo['name']}: {target} is not checked out at {repo['commit']}")
            return None
        return target
    if mirror_root is not None:
        git_dir = mirror_root / repo["repo"].replace("/", "+") / "repo"
        if git_dir.is_dir():
            try:
                missing = export(git_dir, repo["commit"], target)
            except LookupError as error:
                print(f"{repo['name']}: {error}")
                return None
            note = f" ({missing} blobs absent from the mirror)" if missing else ""
            print(f"{repo['name']}: exported {repo['commit'][:12]} from {git_dir}{note}")
            return target
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--mirror-root", type=Path, help="folder of bare mirrors OWNER+REPO/repo to export from")
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args(argv)
    triage = load_triage(TRIAGE)
    problems: list[str] = []
    absent: list[str] = []
    checked = 0
    for repo in load_repos():
        name = repo["name"]
        if args.only and name not in args.only:
            continue
        folder = local_copy(repo, args.cache, args.mirror_root)
        if folder is None:
            absent.append(name)
            continue
        # --isolated: a repository's own [flake8] section targets another flake8 (one is
        # invalid under flake8 7) and may change the output format or hide files.
        found, stderr, elapsed = run(folder, "--isolated")
        checked += 1
        print(f"{name}: {len(found)} findings in {elapsed:.1f}s")
        problems.extend(compare(name, found, stderr, triage))
    if absent:
        print(f"skipped, no local copy in {args.cache}: {', '.join(absent)}")
    if not checked:
        print("research corpus check: skipped (no repository present; see the docstring to populate the cache)")
        return 0
    for problem in problems:
        print(problem)
    print(f"research corpus check ({checked} repositories):", "FAILED" if problems else "ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
