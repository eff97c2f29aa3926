"""`spasm-teach start DIR`: copy the classroom notebooks into a workspace, ready to run.

For a student who installed the package with pip and has no clone (the TeachOpenCADD pattern).
The notebooks come from the installed package (``spasm_lib.notebooks``), so the copy matches the
library it imports. Only ``*.ipynb`` files are copied: the data stays inside the package, where
:func:`spasm_lib.facts.load_facts` finds it from any folder.

Existing files are never overwritten silently: the whole copy is refused, naming the first file in
the way, unless ``force`` is set. Each file is written atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path


class WorkspaceError(ValueError):
    """The workspace cannot be made as asked (a file in the way, DIR is a file)."""


@dataclass(frozen=True)
class Copied:
    folder: Path
    files: tuple[Path, ...]


def packaged_notebooks() -> list[tuple[str, bytes]]:
    """(file name, bytes) of every notebook shipped with the package, in name order."""
    folder = resources.files("spasm_lib.notebooks")
    found = [
        (entry.name, entry.read_bytes())
        for entry in folder.iterdir()
        if entry.is_file() and entry.name.endswith(".ipynb") and not entry.name.startswith(".")
    ]
    return sorted(found)


def start(folder: str | Path, *, force: bool = False) -> Copied:
    """Copy the notebooks into ``folder`` (created if missing)."""
    from spasm_lib.render import write_bytes_atomically

    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise WorkspaceError(f"{target} exists and is not a folder")
    notebooks = packaged_notebooks()
    if not notebooks:
        raise WorkspaceError("the installed package has no notebooks to copy")
    if not force:
        for name, _ in notebooks:
            if (target / name).exists():
                raise WorkspaceError(f"{target / name} already exists; use --force to overwrite it")
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in notebooks:
        write_bytes_atomically(target / name, data)
        written.append(target / name)
    return Copied(target, tuple(written))


def next_steps(copied: Copied) -> list[str]:
    """What to tell the student after the copy."""
    return [
        f"Copied {len(copied.files)} notebooks into {copied.folder}:",
        *(f"  {path.name}" for path in copied.files),
        "Next: open them in JupyterLab and start with 00_start_here.ipynb:",
        f"  jupyter lab {copied.folder}",
    ]
