"""A class's trace files, read with bounds: folders, zips (as an LMS or nbgrader's ``zip_collect``
hands them over) and single files, for :mod:`spasm_lib.collect`.

Why so careful: the files come from students, by way of an LMS, and are not trusted. Folders are
walked without following links; a zip is read member by member, never extracted: a member whose path
is absolute or climbs out (``../``), a zip inside a zip, a member or archive larger than the limits
(the sizes a zip declares are not trusted: each member is read to at most its limit) is refused with
one line. Files that are not ``.jsonl`` are ignored (counted). Nothing in the input is ever written.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 20 * 1024 * 1024
"""One trace file (the same bound as :data:`spasm_lib.trace.MAX_TRACE_BYTES`)."""
MAX_ZIP_BYTES = 512 * 1024 * 1024
"""All members of one zip together, uncompressed (a class of 1,000 is well under 100 MB)."""
MAX_ZIP_MEMBERS = 20_000
MAX_FILES = 50_000
"""Trace files in one collect (1,000 students x 5 notebooks x a few fresh files each)."""
MAX_DEPTH = 12
"""Folder levels walked below a PATH (nbgrader's layout is three deep)."""


@dataclass(frozen=True)
class Source:
    """One trace file's bytes and where they came from (``folder/file`` or ``class.zip:member``)."""

    label: str
    data: bytes
    name: str


@dataclass
class Gathered:
    """What the paths held: the trace files read, those refused (label, why), the others counted."""

    sources: list[Source] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    ignored: int = 0


def _read_file(path: Path, gathered: Gathered) -> None:
    label = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        gathered.refused.append((label, f"cannot be read ({exc.strerror or 'error'})"))
        return
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            gathered.refused.append((label, "is not a regular file"))
            return
        if info.st_size > MAX_FILE_BYTES:
            gathered.refused.append((label, f"is {info.st_size} bytes; a trace file is at most {MAX_FILE_BYTES}"))
            return
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_FILE_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > MAX_FILE_BYTES:
        gathered.refused.append((label, f"is more than {MAX_FILE_BYTES} bytes; a trace file is at most that"))
        return
    if path.suffix.lower() == ".zip":
        _read_zip(label, b"".join(chunks), gathered)
    else:
        gathered.sources.append(Source(label, b"".join(chunks), path.name))


def _unsafe_member(name: str) -> str | None:
    if "\\" in name or "\0" in name:
        return "its path has a backslash or NUL character"
    pure = PurePosixPath(name)
    if pure.is_absolute() or re.match(r"[A-Za-z]:", name):
        return "its path is absolute (it would escape the folder)"
    if ".." in pure.parts:
        return "its path climbs out of the archive (..)"
    return None


def _read_zip(label: str, data: bytes, gathered: Gathered) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        gathered.refused.append((label, f"is not a readable zip ({exc})"))
        return
    if len(members) > MAX_ZIP_MEMBERS:
        gathered.refused.append((label, f"holds {len(members)} files; at most {MAX_ZIP_MEMBERS} are read"))
        return
    total = 0
    for member in members:
        where = f"{label}:{member.filename}"
        if member.is_dir():
            continue
        lower = member.filename.lower()
        problem = _unsafe_member(member.filename)
        if problem:
            gathered.refused.append((where, problem))
            continue
        if lower.endswith(".zip"):
            gathered.refused.append((where, "a zip inside a zip is not opened; hand in the files or one zip"))
            continue
        if not lower.endswith(".jsonl"):
            gathered.ignored += 1
            continue
        if member.file_size > MAX_FILE_BYTES:
            gathered.refused.append((where, f"unpacks to {member.file_size} bytes (a zip bomb?); a trace file is at most {MAX_FILE_BYTES}"))
            continue
        try:
            with archive.open(member) as fh:
                content = fh.read(MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as exc:
            gathered.refused.append((where, f"cannot be unpacked ({exc})"))
            continue
        if len(content) > MAX_FILE_BYTES:
            gathered.refused.append((where, f"unpacks to more than {MAX_FILE_BYTES} bytes (a zip bomb?); not read"))
            continue
        total += len(content)
        if total > MAX_ZIP_BYTES:
            gathered.refused.append((label, f"unpacks to more than {MAX_ZIP_BYTES} bytes; the rest is not read"))
            return
        gathered.sources.append(Source(where, content, PurePosixPath(member.filename).name))


def _walk(folder: Path, gathered: Gathered, depth: int = 0) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        gathered.refused.append((str(folder), f"cannot be listed ({exc.strerror or 'error'})"))
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.is_symlink():
            if entry.name.lower().endswith((".jsonl", ".zip")):
                gathered.refused.append((str(path), "is a symbolic link; links are not followed"))
            continue
        if entry.is_dir(follow_symlinks=False):
            if depth < MAX_DEPTH:
                _walk(path, gathered, depth + 1)
            continue
        if entry.name.lower().endswith((".jsonl", ".zip")):
            if len(gathered.sources) >= MAX_FILES:
                gathered.refused.append((str(path), f"more than {MAX_FILES} trace files; the rest are not read"))
                return
            _read_file(path, gathered)
        else:
            gathered.ignored += 1


def gather(paths: Sequence[str | Path]) -> Gathered:
    """The trace files under ``paths`` (folders, zips, files), read with bounds, in a stable order."""
    gathered = Gathered()
    for raw in paths:
        path = Path(raw)
        try:
            mode = os.lstat(path).st_mode
        except OSError as exc:
            gathered.refused.append((str(path), f"cannot be read ({exc.strerror or 'error'})"))
            continue
        if stat.S_ISDIR(mode):
            _walk(path, gathered)
        elif stat.S_ISLNK(mode) and os.path.isdir(path):
            _walk(path, gathered)  # a link named on the command line is the user's choice
        else:
            _read_file(path, gathered)
    return gathered
