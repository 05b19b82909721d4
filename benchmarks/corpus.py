"""Download and unpack the pinned real-world corpus: idempotent, sha256-checked.

    python benchmarks/corpus.py [--cache DIR] [--only NAME ...]

Each wheel is fetched with ``pip download --no-deps --only-binary=:all:
--python-version 3.11``, its sha256 checked against the pin below, and its
contents unpacked into ``DIR/src/<name>-<version>/``. A package whose folder
exists with a matching ``.sha256`` stamp is left alone, so re-runs are free.
Prints one unpacked folder per line.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = ROOT / ".cache" / "corpus"

#: name, version, sha256 of the py3-none-any wheel, has Lightning code
PINS = [
    ("lightning", "2.6.6", "2bcbd6ee840071cd076c7dc9953d7ac1040df92f1c5fa76583aae644f037ab85", True),
    ("lightning-bolts", "0.7.0", "231c91584ffd610499fb5be80b9f5a22cfa42c3377d16223a37984e59d0118bd", True),
    ("pytorch-forecasting", "1.8.0", "d77ad9a86a310513b3835570f2119200d7a8818fe6acf42106bb97dbba66dfff", True),
    ("anomalib", "2.7.0", "8b31490815670549a3901068addd0306856c174c032ba93388e7b37b90219332", True),
    ("torchgeo", "0.8.1", "3119f455bff1920c3fe7b83aa4382d93298ee0cea706e954234b8efd2719ec5f", True),
    ("scvi-tools", "1.4.2", "c453b75b0fa0d222bf0eb3a531607d17f5ea0dbe5b848ab12fd8cc24599884e5", True),
    ("nemo-toolkit", "3.0.0", "f1d8238e35909464cf426e5792af3113a7060de419f194b83bedd81cbe909394", True),
    ("gluonts", "0.17.0", "811baf619b1002daa82afabc4911ded217b369a4dcbbbbf0e5d3f7876650bcd3", True),
    ("lightning-flash", "0.8.2", "073504754f2620c5129a05fbcae8fb71d047590ba19d009c4d9f8ea355d10536", True),
    ("django", "5.2.19", "5965d974a5218a2b68a11dd1276434707f23886525c23f0598eccedaf4f4ca00", False),
]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(name: str, version: str, expected: str, cache: Path) -> Path:
    """The unpacked folder of one pinned wheel, downloading it only when needed."""
    target = cache / "src" / f"{name}-{version}"
    stamp = target / ".sha256"
    if stamp.exists() and stamp.read_text().strip() == expected:
        return target
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    wheel = next((w for w in wheels.glob("*.whl") if _is_wheel_of(w, name, version)), None)
    if wheel is None or sha256(wheel) != expected:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [
                    sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--only-binary=:all:", "--python-version", "3.11", "-d", tmp, f"{name}=={version}",
                ],
                check=True,
            )
            (downloaded,) = Path(tmp).glob("*.whl")
            wheel = wheels / downloaded.name
            shutil.move(downloaded, wheel)
    actual = sha256(wheel)
    if actual != expected:
        wheel.unlink()
        raise SystemExit(f"sha256 mismatch for {name}=={version}: {actual} != {expected}")
    if target.exists():
        shutil.rmtree(target)
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    # A wheel's folder is not a project root; mark it as one, like a checkout would be.
    (target / "pyproject.toml").write_text(f'[project]\nname = "{name}"\nversion = "{version}"\n')
    stamp.write_text(expected + "\n")
    return target


def _is_wheel_of(wheel: Path, name: str, version: str) -> bool:
    return wheel.name.lower().startswith(f"{name.replace('-', '_').lower()}-{version}-")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--only", nargs="*", help="package names to fetch (default: all)")
    parser.add_argument("--lightning-only", action="store_true", help="skip packages without Lightning code")
    args = parser.parse_args(argv)
    for name, version, digest, lightning in PINS:
        if args.only and name not in args.only:
            continue
        if args.lightning_only and not lightning:
            continue
        print(fetch(name, version, digest, args.cache))
    return 0


if __name__ == "__main__":
    sys.exit(main())
