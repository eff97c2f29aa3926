"""Where a command may write: :func:`check_output` refuses, before anything runs, an output that is
a folder, a device, a FIFO, a socket, a symbolic link, one of the inputs, a file inside the
package's own files or under ``/proc``, ``/sys``, ``/dev``; a regular file named by ``-o`` is
replaced only once the new file is complete (:func:`spasm_lib.files.write_atomically`), and a failed
run leaves it as it was.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

from spasm_lib.files import inside, inside_package
from spasm_lib.inputs import InputError, file_kind, path_text, writable_folder


class WriteFailed(Exception):
    """The handout was made but could not be written (a full disk, a read-only folder); one line."""


class OutputError(InputError):
    """An output path that must not be written: one line naming it and what is allowed."""


def check_output(path: str | Path, inputs: Sequence[str | Path] = (), *, option: str = "-o") -> Path:
    """Refuse, before anything runs, an output the command must not write to.

    Allowed: a file name (:func:`~spasm_lib.inputs.path_text`) in a folder that exists or can be made
    and written (:func:`~spasm_lib.inputs.writable_folder`), of a file that does not exist yet or is a
    regular file, replaced only when the new file is complete. Refused with :class:`OutputError`: a
    folder, a device, a FIFO, a socket, a symbolic link (writing would replace the link, not what it
    points to), any of ``inputs`` (the notebook, a parameters or cases file): a handout must
    never take the place of what it was made from, anything inside the package's own files
    (:func:`spasm_lib.files.inside_package`: ``data/``, ``notebooks/``, the source), and anything
    under ``/proc``, ``/sys`` or ``/dev``.
    """
    path = path_text(path, option)
    package = inside_package(path)
    if package is not None:
        raise OutputError(f"{option} {path} is inside the package's own files ({package}); "
                          "expected a file outside them, in a folder of your own")
    writable_folder(path.absolute().parent, option)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        pass  # a new file
    except OSError as exc:
        raise OutputError(f"{option} {path}: cannot be checked ({exc.strerror}); expected a file name such as "
                          "handout.html") from None
    else:
        kind = file_kind(mode)
        if kind is not None:
            raise OutputError(f"{option} {path} is {kind}; expected a new or regular file such as handout.html")
        for source in inputs:
            with contextlib.suppress(OSError):  # an input that cannot be checked is not this file
                if os.path.samefile(path, source):
                    raise OutputError(f"{option} {path} is an input of this run ({source}); "
                                      "expected another file name such as handout.html")
    special = inside(path, SPECIAL_FOLDERS)
    if special is not None:
        raise OutputError(f"{option} {path} is inside {special}, which holds no ordinary files; "
                          "expected a file in a folder of your own, such as handout.html")
    return path


SPECIAL_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"))
"""File systems of the kernel and its devices: a handout written there would fail only after the run."""


def write_error(path: str | Path, exc: OSError) -> str:
    """One line for a write that failed: the path and the system's reason."""
    return f"cannot write {path}: {exc.strerror or type(exc).__name__}"
