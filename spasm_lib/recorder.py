"""The recorder each widget holds: it builds a notebook's statements and appends them to the trace.

Why apart from :mod:`spasm_lib.trace` (the file: names, appending, reading back): the recorder is
the live side, one per notebook in a kernel, with the student's number (which may change when it is
typed in notebook 00), statements held until the first action, and writes batched. The clock and
the id source are injected (:data:`Clock`, :data:`IdSource`), so a scripted run gives byte-identical
statements (:func:`fixed_clock`, :func:`seeded_ids`).
"""

from __future__ import annotations

import os
import random
import uuid
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from spasm_lib import browser_storage, xapi
from spasm_lib.trace import ANONYMOUS, TraceStore, read_student, trace_folder

Clock = Callable[[], datetime]
IdSource = Callable[[], uuid.UUID]

TRACE_OFF_ENV = "SPASM_TRACE"
"""Set to ``off``: nothing is recorded (papermill and handout runs set it)."""


def system_clock() -> datetime:
    """The real time, in UTC (what a live notebook records)."""
    return datetime.now(timezone.utc)


def random_ids() -> uuid.UUID:
    """A fresh random UUID (version 4)."""
    return uuid.uuid4()


def fixed_clock(start: datetime | None = None, step_seconds: float = 1.0) -> Clock:
    """A clock for tests and scripted runs: ``start``, then one ``step_seconds`` later at each call."""
    now = [start or datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)]

    def tick() -> datetime:
        current = now[0]
        now[0] = current + timedelta(seconds=step_seconds)
        return current

    return tick


def seeded_ids(seed: int = 0) -> IdSource:
    """Version-4 UUIDs from a seeded generator: the same seed gives the same ids in the same order."""
    rng = random.Random(seed)
    return lambda: uuid.UUID(int=rng.getrandbits(128), version=4)


def recording_enabled() -> bool:
    return os.environ.get(TRACE_OFF_ENV, "").strip().lower() not in ("off", "0", "no", "false")


# ---------------------------------------------------------------- the recorder the widgets hold

LIVE_RECORDERS: weakref.WeakSet[Recorder] = weakref.WeakSet()
"""Every recorder of this kernel, so a student number typed in notebook 00 applies at once (:func:`use_student`)."""


def use_student(student: str) -> None:
    """From now on, every recorder of this kernel records under ``student`` (a valid number)."""
    for rec in list(LIVE_RECORDERS):
        rec.set_student(student)


class Recorder:
    """Builds statements (via :mod:`spasm_lib.xapi`) for one notebook and appends them to its store.

    Widgets call :meth:`record`; ``deferred=True`` keeps a statement (built with the time it happened)
    until the student's first action (:meth:`flush`), so a notebook that is run but never touched
    (papermill, nbval, handouts) writes no file.
    """

    def __init__(
        self,
        stem: str,
        student: str = ANONYMOUS,
        *,
        folder: str | Path | None = None,
        home_page: str = xapi.DEFAULT_HOME_PAGE,
        clock: Clock = system_clock,
        ids: IdSource = random_ids,
        enabled: bool | None = None,
        notebook_title: str | None = None,
    ):
        self.stem = stem
        self.actor = xapi.Actor(student if xapi.valid_student(student) else ANONYMOUS, home_page)
        self.clock = clock
        self.ids = ids
        self.enabled = recording_enabled() if enabled is None else enabled
        self.folder = trace_folder(folder)
        self.store = TraceStore(self.folder, self.actor.name, stem)
        self.notebook = xapi.notebook_activity(stem, notebook_title)
        self.pending: list[dict[str, Any]] = []
        self.on_notice: Callable[[str], None] | None = None
        self._batch: list[str] | None = None
        LIVE_RECORDERS.add(self)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Statements recorded inside are appended together, in one write (a commit records a dozen)."""
        if self._batch is not None:
            yield
            return
        self._batch = []
        try:
            yield
        finally:
            lines, self._batch = self._batch, None
            if lines:
                self._write("".join(lines))

    def set_student(self, student: str) -> None:
        """Record under another student number from now on (typed in notebook 00), in that student's file.
        Statements kept for the first action are re-addressed; nothing already written changes."""
        if not xapi.valid_student(student) or student == self.actor.name:
            return
        self.actor = xapi.Actor(student, self.actor.home_page)
        self.store = TraceStore(self.folder, student, self.stem)
        self.pending = [{**stmt, "actor": self.actor.as_json()} for stmt in self.pending]

    @property
    def notice(self) -> str | None:
        """Why the work is not saved where it usually is: the store's reason, or the browser's."""
        return self.store.notice or browser_storage.problem()

    def new_registration(self) -> uuid.UUID:
        return self.ids()

    def build(
        self,
        verb: str,
        obj: Mapping[str, Any],
        *,
        registration: uuid.UUID | None = None,
        parent: Mapping[str, Any] | None = None,
        result: Mapping[str, Any] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        ext = {xapi.EXT["notebook"]: self.stem, **(extensions or {})}
        return xapi.statement(
            statement_id=self.ids(), when=self.clock(), actor=self.actor, verb=verb, obj=obj,
            registration=registration, parent=parent, notebook=self.notebook, result_=result,
            context_extensions=ext,
        )

    def record(self, verb: str, obj: Mapping[str, Any], *, deferred: bool = False, **kwargs: Any) -> dict[str, Any] | None:
        """Build a statement and append it (or keep it until :meth:`flush` when ``deferred``)."""
        if not self.enabled:
            return None
        stmt = self.build(verb, obj, **kwargs)
        if deferred:
            self.pending.append(stmt)
        else:
            self.flush()
            self._write(xapi.to_line(stmt))
        return stmt

    def flush(self) -> None:
        """Write the statements kept for the student's first action."""
        if self.pending:
            pending, self.pending = self.pending, []
            for stmt in pending:
                self._write(xapi.to_line(stmt))

    def _write(self, line: str) -> None:
        if self._batch is not None:
            self._batch.append(line)
            return
        had_notice = self.notice
        self.store.append(line)
        if self.notice and self.notice != had_notice and self.on_notice is not None:
            self.on_notice(self.notice)

    def statements(self) -> Iterator[dict[str, Any]]:
        """What this student has recorded for this notebook so far (every file of the sequence)."""
        yield from read_student(self.store.folder, self.actor.name, self.stem).statements
