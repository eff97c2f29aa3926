"""Where a command may write: :func:`check_output` refuses, before anything runs, an output that is
a folder, a device, a FIFO, a socket, a symbolic link, one of the inputs, a file inside the
package's own files or under ``/proc``, ``/sys``, ``/dev``; a regular file named by ``-o`` is
replaced only once the new file is complete (:func:`spasm_lib.files.write_atomically`), and a failed
run leaves it as it was.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from spasm_lib.files import inside_package
from spasm_lib.inputs import InputError, file_kind


class WriteFailed(Exception):
    """The handout was made but could not be written (a full disk, a read-only folder); one line."""


class OutputError(InputError):
    """An output path that must not be written: one line naming it and what is allowed."""


def check_output(path: str | Path, inputs: Sequence[str | Path] = (), *, option: str = "-o") -> Path:
    """Refuse, before anything runs, an output the command must not write to.

    Allowed: a path that does not exist yet (its folders are made), or an existing regular file,
    which is replaced only when the new file is complete. Refused with :class:`OutputError`: a
    folder, a device, a FIFO, a socket, a symbolic link (writing would replace the link, not what it
    points to), any of ``inputs`` (the notebook, a parameters or cases file): a handout must
    never take the place of what it was made from, anything inside the package's own files
    (:func:`spasm_lib.files.inside_package`: ``data/``, ``notebooks/``, the source), and anything
    under ``/proc``, ``/sys`` or ``/dev``.
    """
    path = Path(path)
    package = inside_package(path)
    if package is not None:
        raise OutputError(f"{option} {path} is inside the package's own files ({package}); "
                          "expected a file outside them, in a folder of your own")
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(f"{option} {path}: cannot be checked ({exc.strerror}); expected a file name such as "
                          "handout.html") from None
    if mode is not None:
        kind = file_kind(mode)
        if kind is not None:
            raise OutputError(f"{option} {path} is {kind}; expected a new or regular file such as handout.html")
        for source in inputs:
            try:
                same = os.path.samefile(path, source)
            except OSError:
                same = False
            if same:
                raise OutputError(f"{option} {path} is an input of this run ({source}); "
                                  "expected another file name such as handout.html")
    special = _special_folder(path)
    if special is not None:
        raise OutputError(f"{option} {path} is inside {special}, which holds no ordinary files; "
                          "expected a file in a folder of your own, such as handout.html")
    return path


_SPECIAL_FOLDERS = ("/proc", "/sys", "/dev")


def _special_folder(path: Path) -> str | None:
    """``/proc``, ``/sys`` or ``/dev`` if ``path`` lies in one: file systems of the kernel and its
    devices, where a handout cannot be written (the write fails only after the run otherwise)."""
    resolved = Path(os.path.abspath(path))
    try:
        resolved = resolved.resolve()
    except (OSError, RuntimeError):
        pass
    for folder in _SPECIAL_FOLDERS:
        if resolved == Path(folder) or Path(folder) in resolved.parents:
            return folder
    return None


def write_error(path: str | Path, exc: OSError) -> str:
    """One line for a write that failed: the path and the system's reason."""
    return f"cannot write {path}: {exc.strerror or type(exc).__name__}"
