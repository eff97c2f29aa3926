"""Writing a file so that nothing is lost: the one atomic write every command uses.

A temporary file is made next to the target (same folder, so the rename cannot cross file
systems), written, given ordinary permissions, then renamed over the target with
:func:`os.replace`. A reader never sees half a file; on any error (a full disk, a read-only
folder, a signal) the temporary file is removed and the target is exactly as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes_atomically(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step, or leave it untouched."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(path: str | Path, text: str) -> None:
    """:func:`write_bytes_atomically` for text, as UTF-8 with the line endings given."""
    write_bytes_atomically(path, text.encode("utf-8"))
