"""Writing a file so that nothing is lost: the one atomic write every command uses, and what may be written.

A temporary file is made next to the target (same folder: the rename cannot cross file systems),
written, given its mode, then renamed over the target: a reader never sees half a file, and on any
error (a full disk, a read-only folder, a signal) the temporary file goes and the target stays as it
was. A new file gets what the umask allows an ordinary file (``0666 & ~umask``: an answer key made
under ``umask 077`` is not world-readable); a replaced file keeps its own mode.

:func:`inside_package` says whether a path lies inside the package's own files (no command writes
there; :func:`inside`, any folder's); :func:`spreadsheet_cell` neutralises a CSV cell that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path


def _umask() -> int:
    """The process's umask, read from /proc where possible (setting it to read it races with threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no other way: set and restore at once
    os.umask(mask)
    return mask


def write_bytes_atomically(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step, or leave it untouched; a replaced regular file keeps
    its mode, a new one gets the umask's."""
    path = Path(path)
    try:
        existing = os.stat(path).st_mode
    except OSError:
        existing = 0
    mode = stat.S_IMODE(existing) if stat.S_ISREG(existing) else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(path: str | Path, text: str) -> None:
    """:func:`write_bytes_atomically` for text, as UTF-8."""
    write_bytes_atomically(path, text.encode("utf-8"))


@cache
def package_folders() -> tuple[Path, ...]:
    """The folders of the package's own files: the teaching data, the notebooks and the source."""
    from importlib import resources

    found = []
    for package in ("spasm_lib.data", "spasm_lib.notebooks", "spasm_lib"):
        try:
            found.append(Path(str(resources.files(package))).resolve())
        except (ModuleNotFoundError, TypeError):  # pragma: no cover - a broken install
            continue
    return tuple(dict.fromkeys(found))


def inside(path: str | Path, folders: Iterable[Path]) -> Path | None:
    """The folder of ``folders`` that ``path`` is or lies inside, else None: ``path`` resolved as the
    write would go (links followed, a new name placed in its resolved parent)."""
    target = Path(os.path.abspath(path))
    try:
        target = target.resolve()
    except (OSError, RuntimeError):
        pass
    return next((folder for folder in folders if target == folder or folder in target.parents), None)


def inside_package(path: str | Path) -> Path | None:
    """The package folder (:func:`package_folders`) that ``path`` is or lies inside, else None: for
    every command that takes an output (``patients -o``, ``render -o``, the Lite site's folder)."""
    return inside(path, package_folders())


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet (Excel, LibreOffice, Google Sheets) read a cell as a formula."""
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs as a formula (OWASP's "CSV injection" advice): text that
    starts with one of :data:`FORMULA_STARTS` gets a leading apostrophe, shown as text; a plain number
    (``-3``) and values that are not text stay as they are. Every CSV the package writes uses it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
