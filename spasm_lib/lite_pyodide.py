"""The Pyodide a JupyterLite site runs: which version, which of its packages a site needs, and
whether a local distribution holds them unchanged (``spasm-teach lite --pyodide DIR``).

Also the two errors of the site builder, which every ``lite_*`` module raises.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from spasm_lib.inputs import InputError

# The versions that were tried together and work (tried here, 2026-11-30; tests/e2e/test_lite.py runs them):
# jupyterlite-core 0.5.1 with jupyterlite-pyodide-kernel 0.5.2 run Pyodide 0.27.x (Python 3.12).
# One Pyodide version for the online and the offline site, so both run the same pandas
# (0.27.7: numpy 2.0.2, pandas 2.2.3). Change it together with the `lite` extra in pyproject.toml,
# PYODIDE_CORE_SHA256 below and tools/fetch_pyodide.py's pinned download hashes.
PYODIDE_VERSION = "0.27.7"
PYODIDE_ONLINE = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"

# What the offline distribution carries for a student to ask for, though the kernel never loads it
# at start (the lock names; their dependencies follow): pandas, for ``Facts.frame``.
ON_DEMAND_PACKAGES = ("pandas",)
# What the pyodide kernel loads from Pyodide as it starts (its worker asks piplite for these; the
# rest of its list, ipykernel and pyodide_kernel, ships with the kernel extension, comm with us).
# ssl is not among them: the site keeps the kernel from installing it (spasm_lib.lite_trim).
KERNEL_PACKAGES = ("micropip", "ipython", "sqlite3")

# Pyodide's files that a site needs (the rest of the npm package: type definitions, source maps,
# a console page).
PYODIDE_CORE_FILES = (
    "pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
    "pyodide-lock.json", "package.json",
)
# Their sha256, as they are in the npm package pyodide@0.27.7 (whose archive tools/fetch_pyodide.py
# pins by sha256). The lock's own hash pins, through it, every package wheel's.
PYODIDE_CORE_SHA256 = {
    "pyodide.js": "b4cb23a53aba19c221659b9fb40a2f18281d685691dc06647fb0afd0681baf98",
    "pyodide.mjs": "04c052c815abb0bf2981fa38c2dfa58e3120ee5288c956df2b2a15e301782c5f",
    "pyodide.asm.js": "6b4c90de5b7172873f04f21884d0e9d2274e305fe32116558fe3e4fbe3618d51",
    "pyodide.asm.wasm": "a50dd1843f805a0b7c45b61037ee0d7b26dfe85efe0e18ef95a34ad24e401f5f",
    "python_stdlib.zip": "16611534726e5d8ac2bd8f926410b2dcb8d6f49aa24913463533b457a2115c16",
    "pyodide-lock.json": "9c45b916001a750f4102fc287494f3eab215909c7535c626a20db80fd6333e2c",
    "package.json": "bf221f60c881626236d3501375a97753672a7fa6fed70e469e083f157c8a30d4",
}

_MAX_LOCK_BYTES = 16 * 2**20  # Pyodide 0.27.7's lock is 0.3 MB


class LiteError(InputError):
    """Bad input to the site builder (a missing Pyodide file, an output that exists): one line."""


class LiteBuildFailed(RuntimeError):
    """A build step failed (``jupyter lite build``, the wheel build, a download): its output follows."""


def read_lock(folder: Path) -> dict:
    """A Pyodide distribution's ``pyodide-lock.json`` (every package, its file, hash and depends)."""
    path = Path(folder) / "pyodide-lock.json"
    if not path.is_file():
        raise LiteError(f"--pyodide {folder}: no pyodide-lock.json; expected a Pyodide {PYODIDE_VERSION} distribution folder")
    if path.stat().st_size > _MAX_LOCK_BYTES:
        raise LiteError(f"--pyodide {folder}: pyodide-lock.json is over {_MAX_LOCK_BYTES // 2**20} MiB; not a Pyodide lock file")

    def malformed(why: str) -> LiteError:
        return LiteError(f"--pyodide {folder}: pyodide-lock.json is not a Pyodide lock file ({why})")

    try:
        lock = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise malformed("not JSON") from None
    version = lock["info"].get("version") if isinstance(lock, dict) and isinstance(lock.get("info"), dict) else None
    if not isinstance(version, str):
        raise malformed("no info.version")
    if version != PYODIDE_VERSION:
        raise LiteError(f"--pyodide {folder}: Pyodide {version[:40]}; expected Pyodide {PYODIDE_VERSION}")
    packages = lock.get("packages")
    if not isinstance(packages, dict):
        raise malformed("its packages are not a table")
    for name, entry in packages.items():
        if not isinstance(entry, dict):
            raise malformed(f"package {name[:60]} is not a table")
        for key, kind in (("file_name", str), ("sha256", str), ("depends", list)):
            if not isinstance(entry.get(key), kind):
                raise malformed(f"package {name[:60]} has no {key}")
    return lock


def needed_packages(lock: Mapping, roots: Iterable[str] = ON_DEMAND_PACKAGES + KERNEL_PACKAGES) -> list[str]:
    """The lock names of ``roots`` and everything they depend on, sorted (what an offline site keeps)."""
    packages = lock["packages"]
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()  # depends may spell prompt_toolkit; the key is prompt-toolkit
        if name in seen:
            continue
        if name not in packages:
            raise LiteError(f"Pyodide {PYODIDE_VERSION} has no package {name}")
        seen.add(name)
        todo.extend(packages[name].get("depends", []))
    return sorted(seen)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_pyodide_dir(folder: Path, core_sha256: Mapping[str, str] = PYODIDE_CORE_SHA256) -> list[Path]:
    """The files of a local Pyodide distribution that a site copies, each checked.

    Every core file must be there and match the npm package's (``core_sha256``; the lock among
    them, which pins every package's hash), and every package the kernel and the notebooks need
    must match the sha256 of the lock: a site that lacks one fails in the student's browser, and a
    changed interpreter is not what was tested, so either is refused here instead.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise LiteError(f"--pyodide {folder}: no such folder; expected a Pyodide {PYODIDE_VERSION} folder or an http(s) URL")
    lock = read_lock(folder)
    core = f"the npm package pyodide@{PYODIDE_VERSION}; expected its files unchanged (make lite-offline fetches them)"
    wanted = [(name, core_sha256.get(name), core) for name in PYODIDE_CORE_FILES] + [
        (lock["packages"][name]["file_name"], lock["packages"][name]["sha256"], "pyodide-lock.json")
        for name in needed_packages(lock)
    ]
    missing, files = [], []
    for name, sha256, source in wanted:
        path = folder / name
        if not path.is_file():
            missing.append(name)
        elif sha256_of(path) != sha256:
            raise LiteError(f"--pyodide {folder}: {name} does not match the sha256 of {source}")
        files.append(path)
    if missing:
        raise LiteError(f"--pyodide {folder}: missing {', '.join(missing)} (make lite-offline fetches them)")
    return files


def pyodide_source(pyodide: str | Path | None) -> tuple[str, Path | None]:
    """(pyodideUrl for the site, the local folder to copy or None)."""
    if pyodide is None:
        return PYODIDE_ONLINE + "pyodide.js", None
    text = str(pyodide)
    if text.startswith(("http://", "https://")):
        return text.rstrip("/") + "/pyodide.js", None
    if "://" in text or not text.strip():
        raise LiteError(f"--pyodide {text}: expected a local folder or an http(s) URL")
    return "./static/pyodide/pyodide.js", Path(text)

