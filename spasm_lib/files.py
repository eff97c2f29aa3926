"""Writing a file so that nothing is lost: the one atomic write every command uses, and what may be written.

A temporary file is made next to the target (same folder, so the rename cannot cross file
systems), written, given its permissions, then renamed over the target with :func:`os.replace`.
A reader never sees half a file; on any error (a full disk, a read-only folder, a signal) the
temporary file is removed and the target is exactly as it was.

Permissions follow the user, not the package: a new file gets what the umask allows for an
ordinary file (``0666 & ~umask``: 0644 under the usual ``umask 022``, 0600 under ``umask 077``,
so an answer key made by a careful instructor is not world-readable), and a file that is replaced
keeps its own mode.

Two more rules every writer shares:

* :func:`inside_package` says whether a path lies inside the package's own files (``data/``,
  ``notebooks/`` and the ``spasm_lib`` source): no command writes there, so a mistyped ``-o`` can
  never overwrite the teaching data or a notebook it runs from.
* :func:`spreadsheet_cell` neutralises a CSV cell that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from functools import cache
from pathlib import Path


def _umask() -> int:
    """The process's umask (read from /proc where possible, which changes nothing)."""
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


def new_file_mode(path: str | Path) -> int:
    """The mode a file written at ``path`` gets: the existing regular file's own mode if there is
    one, else an ordinary file's mode under the current umask."""
    try:
        existing = os.stat(path)
    except OSError:
        return 0o666 & ~_umask()
    if stat.S_ISREG(existing.st_mode):
        return stat.S_IMODE(existing.st_mode)
    return 0o666 & ~_umask()


def write_bytes_atomically(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step, or leave it untouched."""
    path = Path(path)
    mode = new_file_mode(path)
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
    """:func:`write_bytes_atomically` for text, as UTF-8 with the line endings given."""
    write_bytes_atomically(path, text.encode("utf-8"))


# --------------------------------------------------------------------------- the package's own files


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


def inside_package(path: str | Path) -> Path | None:
    """The package folder (:func:`package_folders`) that ``path`` is or lies inside, else None.

    The path is resolved as the write would go: symbolic links in it are followed, and a name
    that does not exist yet is placed in its resolved parent. Shared by every command that takes an
    output (``patients -o``, ``render -o``, the Lite site's folder)."""
    target = Path(os.path.abspath(path))
    try:
        resolved = target.resolve()
    except (OSError, RuntimeError):
        resolved = target
    for folder in package_folders():
        if resolved == folder or folder in resolved.parents:
            return folder
    return None


# --------------------------------------------------------------------------- CSV for spreadsheets

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet (Excel, LibreOffice, Google Sheets) read a cell as a formula."""
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs as a formula (OWASP's "CSV injection" advice).

    Text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    apostrophe (``=HYPERLINK(...)`` becomes ``'=HYPERLINK(...)``), which spreadsheets show as text.
    A plain number (``-3``, ``+1.5``) is a number, not a formula, and is left as it is; values that
    are not text are returned unchanged. Every CSV the package writes passes its cells through
    this one function.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
