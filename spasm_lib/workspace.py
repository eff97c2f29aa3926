"""`spasm-teach start DIR`: copy the classroom notebooks into a workspace, ready to run.

For a student who installed the package with pip and has no clone (the TeachOpenCADD pattern).
The notebooks come from the installed package (``spasm_lib.notebooks``), so the copy matches the
library it imports. Only ``*.ipynb`` files are copied: the data stays inside the package, where
:func:`spasm_lib.facts.load_facts` finds it from any folder.

Existing files are never overwritten silently: the whole copy is refused, naming the first file in
the way, unless ``force`` is set. A notebook already there with exactly the package's bytes is not
in the way (it is what the copy would write), so a copy stopped half-way (a full disk, Ctrl-C) is
finished by running ``start`` again, without ``--force``. With ``force``, a notebook whose content differs from the package's
(a student's edited copy) is first kept as ``NAME.ipynb.bak-N`` (the first free N: an earlier
backup is never replaced), and the command says so; an identical one is left as it is. A folder,
device, FIFO or link at a notebook's name is refused even with ``force``. Each file is written
atomically.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from spasm_lib.inputs import InputError, file_kind


class WorkspaceError(InputError):
    """The workspace cannot be made as asked (a file in the way, DIR is a file)."""


@dataclass(frozen=True)
class Copied:
    folder: Path
    files: tuple[Path, ...]
    kept: tuple[tuple[Path, Path], ...] = ()
    """(replaced file, the copy kept of what it held before) for each file ``--force`` replaced."""


def packaged_notebooks() -> list[tuple[str, bytes]]:
    """(file name, bytes) of every notebook shipped with the package, in name order."""
    from spasm_lib.params import for_students

    folder = resources.files("spasm_lib.notebooks")
    found = [
        (entry.name, entry.read_bytes())
        for entry in folder.iterdir()
        if entry.is_file() and entry.name.endswith(".ipynb") and not entry.name.startswith(".")
        and for_students(entry.name)
    ]
    return sorted(found)


def start(folder: str | Path, *, force: bool = False) -> Copied:
    """Copy the notebooks into ``folder`` (created if missing)."""
    from spasm_lib.files import write_bytes_atomically

    target = Path(folder)
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise WorkspaceError(f"{target} exists and is not a folder")
    notebooks = packaged_notebooks()
    if not notebooks:
        raise WorkspaceError("the installed package has no notebooks to copy")
    for name, data in notebooks:
        try:
            mode = os.lstat(target / name).st_mode
        except FileNotFoundError:
            continue
        kind = file_kind(mode)
        if kind is not None:
            raise WorkspaceError(f"{target / name} is {kind}, where a notebook goes; move it away first")
        if not force and not _same_bytes(target / name, data):  # a copy of ours (an earlier, stopped run) is no obstacle
            raise WorkspaceError(f"{target / name} already exists; use --force to replace it (a copy of it is kept)")
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    kept: list[tuple[Path, Path]] = []
    for name, data in notebooks:
        path = target / name
        if not _same_bytes(path, data):
            if path.exists():
                kept.append((path, keep_copy(path)))
            write_bytes_atomically(path, data)
        written.append(path)
    trust(data for _, data in notebooks)
    return Copied(target, tuple(written), tuple(kept))


def trust(notebooks: Iterable[bytes]) -> None:
    """Mark the package's own notebooks trusted for this user, as ``jupyter trust`` does (a signature
    in the user's Jupyter data folder; the files are not changed): JupyterLab shows an untrusted
    notebook's stored HTML without its ``<style>``, so the views' frames and boxes would appear only
    once a cell runs. A data folder that cannot be written changes nothing else: the copy stands."""
    import sqlite3

    import nbformat
    from nbformat.sign import NotebookNotary

    read = [nbformat.reads(data.decode("utf-8"), as_version=4) for data in notebooks]
    try:
        notary = NotebookNotary()
        for nb in read:
            notary.sign(nb)
    except (OSError, sqlite3.Error):  # the user's signature store cannot be written: trust is a courtesy
        return


def _same_bytes(path: Path, data: bytes) -> bool:
    """Whether ``path`` holds exactly ``data`` (read at most one byte more than ``data``)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(data) + 1) == data
    except OSError:
        return False


def keep_copy(path: Path) -> Path:
    """Keep the file at ``path`` as ``PATH.bak-N``, the first N for which no such file exists: a hard
    link, so the copy is whole, keeps the file's mode, and is made or not at once (linking fails,
    rather than replaces, if the name was taken meanwhile). The atomic write that follows puts a
    new file at ``path`` and leaves the linked one as the backup."""
    number = 1
    while True:
        backup = path.with_name(f"{path.name}.bak-{number}")
        try:
            os.link(path, backup)
            return backup
        except FileExistsError:
            number += 1


def next_steps(copied: Copied) -> list[str]:
    """What to tell the student after the copy."""
    return [
        f"Copied {len(copied.files)} notebooks into {copied.folder}:",
        *(f"  {path.name}" for path in copied.files),
        *(f"Kept a copy of your {path.name} (it differed) as {backup.name}" for path, backup in copied.kept),
        "Next: open them in JupyterLab and start with 00_start_here.ipynb:",
        f"  jupyter lab {copied.folder}",
    ]
