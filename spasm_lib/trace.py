"""A student's trace file: xAPI statements, one JSON object per line, in a file beside the notebook.

Why a file and not a server: nothing a student does leaves their machine unless they hand the file
over (``spasm-teach collect`` reads the files an instructor is given). In JupyterLab the kernel's
working folder is the notebook's folder; in JupyterLite it is the browser's own storage, which the
notebook's "Download my work" button saves from.

Three jobs, each safe on bad input:

- **Where**: :func:`trace_path` names the file, ``spasm-trace_<student>_<notebook>.jsonl``; when that
  file cannot be appended to (a folder, read-only, larger than :data:`MAX_TRACE_BYTES`, ending in a
  half-written line, not JSON, another student's), :class:`TraceStore` leaves it exactly as it is and
  writes to the next free name (``...jsonl`` -> ``....1.jsonl`` -> ...), with one line for the student.
- **Append**: :meth:`TraceStore.append` never raises: a write that fails moves to a fresh file once,
  then gives up quietly with its one line (the notebook keeps working).
- **Read back**: :func:`read_trace` and :func:`read_student` read with bounds and skip what is not a
  statement, saying so; :func:`latest_responses` is the small read API other parts use (the case
  study's answers across a reopen, "My progress").

Who writes the statements, with which clock and ids, is :mod:`spasm_lib.recorder`'s job: this module
knows files and lines, not widgets or statements' meaning.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spasm_lib import browser_storage

TRACE_PREFIX = "spasm-trace"
TRACE_SUFFIX = ".jsonl"
ANONYMOUS = "anonymous"
"""The account name until the student gives a number (the file is then ``spasm-trace_anonymous_...``)."""

MAX_TRACE_BYTES = 20 * 1024 * 1024
"""A trace file larger than this is not read or appended to (a whole course is well under 1 MB)."""

MAX_LINE_BYTES = 256 * 1024
"""A line longer than this is not a statement of this package (the longest is a few kilobytes)."""

MAX_FRESH_FILES = 100
"""How many fresh names (``.1`` ... ``.99``) a store tries before it stops recording."""

TRACE_DIR_ENV = "SPASM_TRACE_DIR"
"""Set to a folder: traces go there instead of the notebook's folder (tests use a temporary one)."""

_NAME = re.compile(
    re.escape(TRACE_PREFIX) + r"_(?P<student>[A-Za-z0-9][A-Za-z0-9.-]{0,63})_(?P<stem>[A-Za-z0-9_-]+)(?:\.(?P<n>\d{1,2}))?"
    + re.escape(TRACE_SUFFIX)
)


def trace_folder(folder: str | Path | None = None) -> Path:
    """Where traces go: ``folder`` if given, else ``$SPASM_TRACE_DIR`` if set, else the working
    folder (the notebook's folder, in JupyterLab and in JupyterLite), except in a JupyterLite
    kernel whose working folder is memory only: there the folder kept in the browser
    (:mod:`spasm_lib.browser_storage`)."""
    if folder is not None:
        return Path(folder)
    env = os.environ.get(TRACE_DIR_ENV, "").strip()
    if env:
        return Path(env)
    return browser_storage.kept_folder() or Path.cwd()


def trace_path(folder: str | Path, student: str, stem: str, n: int = 0) -> Path:
    """``spasm-trace_<student>_<stem>.jsonl`` (n = 0), or ``...<stem>.<n>.jsonl`` for a fresh file."""
    name = f"{TRACE_PREFIX}_{student}_{stem}" + (f".{n}" if n else "") + TRACE_SUFFIX
    return Path(folder) / name


@dataclass(frozen=True)
class TraceFileName:
    """What a trace file's name says: whose, which notebook, which file of the sequence."""

    student: str
    stem: str
    n: int


def parse_trace_name(name: str) -> TraceFileName | None:
    m = _NAME.fullmatch(name)
    if not m:
        return None
    return TraceFileName(m["student"], m["stem"], int(m["n"] or 0))


def trace_files(folder: str | Path, student: str | None = None, stem: str | None = None) -> list[Path]:
    """The trace files in ``folder`` (not below it), optionally one student's or one notebook's,
    sorted by student, notebook and sequence number. A folder that cannot be listed gives []."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    found: list[tuple[str, str, int, Path]] = []
    for entry in entries:
        parsed = parse_trace_name(entry.name)
        if parsed is None or (student is not None and parsed.student != student) or (stem is not None and parsed.stem != stem):
            continue
        found.append((parsed.student, parsed.stem, parsed.n, Path(entry.path)))
    return [p for *_key, p in sorted(found)]


# ---------------------------------------------------------------- reading

@dataclass
class TraceRead:
    """Statements read from one or more files, and one line per problem met (never an exception)."""

    statements: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _problem_with(path: Path, reason: str) -> str:
    return f"{path.name}: {reason}"


def read_trace(path: str | Path, student: str | None = None, max_bytes: int = MAX_TRACE_BYTES) -> TraceRead:
    """Every statement of one trace file, in order, read with bounds.

    A line that is not a JSON object with an actor, verb and object is skipped; a statement by another
    account than ``student`` (when given) is skipped; each kind of problem is reported once.
    """
    path = Path(path)
    out = TraceRead()
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return out
    except OSError as exc:
        out.problems.append(_problem_with(path, f"cannot be read ({exc.strerror or 'error'})"))
        return out
    if not stat.S_ISREG(st.st_mode):
        out.problems.append(_problem_with(path, "is not a file (a folder or a device); nothing read from it"))
        return out
    if st.st_size > max_bytes:
        out.problems.append(_problem_with(path, f"is larger than {max_bytes // (1024 * 1024)} MB; not read"))
        return out
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        out.problems.append(_problem_with(path, f"cannot be read ({exc.strerror or 'error'})"))
        return out
    seen: set[str] = set()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    elif lines:
        seen.add("half")
        out.problems.append(_problem_with(path, "its last line is half-written; that line is skipped"))
        lines.pop()
    for raw in lines:
        stmt = _statement_from(raw)
        if stmt is None:
            if "bad" not in seen:
                seen.add("bad")
                out.problems.append(_problem_with(path, "has lines that are not statements; they are skipped"))
            continue
        if student is not None and account_name(stmt) != student:
            if "other" not in seen:
                seen.add("other")
                out.problems.append(_problem_with(path, "has another student's statements; they are skipped"))
            continue
        out.statements.append(stmt)
    return out


def _statement_from(raw: bytes) -> dict[str, Any] | None:
    if not raw.strip() or len(raw) > MAX_LINE_BYTES:
        return None
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or not all(isinstance(value.get(k), dict) for k in ("actor", "verb", "object")):
        return None
    return value


def account_name(stmt: Mapping[str, Any]) -> str | None:
    """The actor's account name (the student's number), or None."""
    actor = stmt.get("actor")
    account = actor.get("account") if isinstance(actor, Mapping) else None
    name = account.get("name") if isinstance(account, Mapping) else None
    return name if isinstance(name, str) else None


def read_student(folder: str | Path, student: str, stem: str | None = None) -> TraceRead:
    """All of one student's statements in ``folder`` (every notebook, or one), file by file in order."""
    out = TraceRead()
    for path in trace_files(folder, student, stem):
        part = read_trace(path, student)
        out.statements.extend(part.statements)
        out.problems.extend(part.problems)
    return out


def object_id(stmt: Mapping[str, Any]) -> str | None:
    obj = stmt.get("object")
    value = obj.get("id") if isinstance(obj, Mapping) else None
    return value if isinstance(value, str) else None


def latest_responses(statements: Iterable[Mapping[str, Any]], prefix: str = "") -> dict[str, str]:
    """The last ``result.response`` given to each activity whose id starts with ``prefix``.

    This is how answers come back across a reopen: the case study reads its written answers with
    ``latest_responses(read_student(folder, student, stem).statements, xapi.activity_id("case-study", case))``.
    Statements are taken in file order (the order they were written). An answer the student cleared
    is recorded with ``result.completion`` false and no response, and reads back as ``""``.
    """
    latest: dict[str, str] = {}
    for stmt in statements:
        oid = object_id(stmt)
        res = stmt.get("result")
        if oid is None or not oid.startswith(prefix) or not isinstance(res, Mapping):
            continue
        response = res.get("response")
        if isinstance(response, str):
            latest[oid] = response
        elif response is None and res.get("completion") is False:
            latest[oid] = ""  # an answer cleared (xAPI allows no empty response)
    return latest


# ---------------------------------------------------------------- appending

def _unusable_reason(path: Path, student: str) -> str | None:
    """Why ``path`` must not be appended to, or None (absent files are fine)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be checked ({exc.strerror or 'error'})"
    if stat.S_ISDIR(st.st_mode):
        return "is a folder"
    if not stat.S_ISREG(st.st_mode):
        return "is not an ordinary file"
    if st.st_size > MAX_TRACE_BYTES:
        return f"is larger than {MAX_TRACE_BYTES // (1024 * 1024)} MB"
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        return "is read-only"  # by its mode too: root may write anything, but a file marked read-only stays so
    if st.st_size == 0:
        return None
    try:
        with open(path, "rb") as fh:
            head = fh.read(MAX_LINE_BYTES)
            fh.seek(max(0, st.st_size - MAX_LINE_BYTES))
            tail = fh.read(MAX_LINE_BYTES)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or 'error'})"
    if not tail.endswith(b"\n"):
        return "ends in a half-written line"
    first = _statement_from(head.split(b"\n", 1)[0])
    last = _statement_from(tail[:-1].rsplit(b"\n", 1)[-1])
    if first is None or last is None:
        return "is not a trace of statements (not JSON)"
    if account_name(first) != student or account_name(last) != student:
        return "holds another student's work"
    return None


class TraceStore:
    """Appends statements to one student's trace file for one notebook; never raises.

    The file is chosen at the first append (so a notebook that is only opened, or run by papermill,
    writes nothing). ``notice`` then holds the one line to show the student, if the usual file could
    not be used.
    """

    def __init__(self, folder: str | Path, student: str, stem: str):
        self.folder = Path(folder)
        self.student = student
        self.stem = stem
        self.path: Path | None = None
        self.notice: str | None = None
        self.broken = False

    def _choose(self) -> Path | None:
        first = trace_path(self.folder, self.student, self.stem)
        reason_first = None
        for n in range(MAX_FRESH_FILES):
            candidate = trace_path(self.folder, self.student, self.stem, n)
            reason = _unusable_reason(candidate, self.student)
            if reason is None:
                if reason_first:
                    self.notice = (f"Your work file {first.name} {reason_first}; it is kept as it is, "
                                   f"and your work now goes to {candidate.name}.")
                return candidate
            if n == 0:
                reason_first = reason
        self.notice = f"Your work cannot be saved in {self.folder} ({reason_first}); the notebook works, but nothing is recorded."
        return None

    def append(self, line: str) -> bool:
        """Append serialised statements (``xapi.to_line``, one or more whole lines). True if written."""
        if self.broken:
            return False
        if self.path is None:
            self.path = self._choose()
            if self.path is None:
                self.broken = True
                return False
        for _attempt in range(2):
            try:
                _append_line(self.path, line.encode("utf-8"))
                browser_storage.persist()  # kept in the browser too, where the kernel's files are in memory
                return True
            except OSError as exc:
                failed = self.path
                self.path = None
                self.path = self._choose() if _attempt == 0 else None
                if self.path is None or self.path == failed:
                    self.notice = (f"Your work could not be saved to {failed.name} ({exc.strerror or 'error'}); "
                                   "the notebook works, but nothing more is recorded.")
                    self.broken = True
                    return False
        return False


_UNSUPPORTED = {getattr(errno, name) for name in ("EINVAL", "ENOTSUP", "EOPNOTSUPP", "ENOSYS") if hasattr(errno, name)}


def _append_line(path: Path, data: bytes) -> None:
    """One ``write`` of whole lines with O_APPEND, to a regular file only (never a FIFO or device).

    O_NONBLOCK (a FIFO must not hang the notebook) and O_NOFOLLOW are asked for where the file system
    knows them; one that refuses them (a browser's file system, in JupyterLite) gets plain append."""
    base = os.O_WRONLY | os.O_APPEND | os.O_CREAT
    try:
        fd = os.open(path, base | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as exc:
        if exc.errno not in _UNSUPPORTED:
            raise
        fd = os.open(path, base, 0o644)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not an ordinary file")
        os.write(fd, data)
    finally:
        os.close(fd)
