"""Where a student's typed case-study answers are kept, so they survive saving and reopening.

Why a store of our own: JupyterLab does not save what a student typed into a widget's text box
with the notebook (widget state is not saved by default, and a restarted kernel builds new
widgets), so a worksheet filled in on Monday would be empty on Tuesday. The answers are written to a
small JSON file on the student's own machine, next to the rest of the student's trace, each time
an answer changes, and read back when the worksheet is built again.

The interface is two methods (:class:`AnswerStore`), so the student's trace store (the "reasoning
recorded" work) can back it without the widget changing: anything with ``load(key)`` and
``save(key, answers)`` will do. :class:`FolderAnswerStore` is the plain one: one file per
notebook and patient in a folder (by default ``.spasm-trace`` in the notebook's folder, which a
file browser hides; ``SPASM_TRACE_DIR`` moves it). Nothing leaves the machine; the files hold no
name, only the answers.

When the answers cannot be kept (a read-only folder, a full disk, a damaged file), the store raises
:class:`AnswersNotKept` with a sentence a student can read, and the worksheet shows it as a visible
warning instead of losing the answers silently.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from spasm_lib.files import write_atomically
from spasm_lib.trace import TRACE_DIR_ENV

DEFAULT_FOLDER = ".spasm-trace"
MAX_BYTES = 1_000_000
"""A bound on a stored answers file (a worksheet's answers are a few kilobytes)."""


class AnswersNotKept(Exception):
    """The answers cannot be read or written; the message says why, in a student's words."""


class AnswerStore(Protocol):
    """Keeps a worksheet's answers (question id -> text) under a key."""

    def load(self, key: str) -> dict[str, str]:
        """The answers kept under ``key`` (empty when there are none yet); AnswersNotKept if unreadable."""
        ...

    def save(self, key: str, answers: Mapping[str, str]) -> None:
        """Keep ``answers`` under ``key``, replacing what was kept; AnswersNotKept if it cannot."""
        ...


def worksheet_key(notebook: str, case_id: str, seed: int | None = None) -> str:
    """The key of one worksheet: the notebook and the patient (a virtual patient's seed included)."""
    return _safe(f"{notebook}.{case_id}" + (f".{seed}" if seed is not None else ""))


def _safe(name: str) -> str:
    """A file-name-safe spelling of a key (no folder separators, no leading dot)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).lstrip(".") or "answers"


class FolderAnswerStore:
    """One JSON file per key in a folder, written atomically (a crash leaves the previous answers)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        return self.folder / f"{_safe(key)}.answers.json"

    def load(self, key: str) -> dict[str, str]:
        path = self.path(key)
        try:
            if not path.exists():
                return {}
            if path.stat().st_size > MAX_BYTES:
                raise AnswersNotKept(f"{path} is larger than {MAX_BYTES} bytes, so it is not a saved worksheet")
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            if isinstance(error, AnswersNotKept):
                raise
            raise AnswersNotKept(f"the saved answers in {path} could not be read ({error})") from error
        if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
            raise AnswersNotKept(f"{path} does not hold saved answers (question id -> text)")
        return data

    def save(self, key: str, answers: Mapping[str, str]) -> None:
        path = self.path(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(path, json.dumps(dict(answers), ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        except OSError as error:
            raise AnswersNotKept(f"they cannot be written to {path} ({error.strerror or error})") from error


def default_store() -> FolderAnswerStore:
    """The store a live worksheet uses: ``$SPASM_TRACE_DIR``, or ``.spasm-trace`` in the working folder."""
    return FolderAnswerStore(os.environ.get(TRACE_DIR_ENV) or Path.cwd() / DEFAULT_FOLDER)


class TraceAnswerStore:
    """The answers kept in the student's trace (:mod:`spasm_lib.trace`): each changed answer is one
    xAPI "answered" statement (:class:`spasm_lib.recording.CaseStudyRecording`), and reopening reads
    the latest response to each question back (:func:`spasm_lib.trace.latest_responses`).

    The key is the worksheet's; the trace already names the notebook, the student and the patient, so
    the key only guards against a worksheet asking for another's answers.
    """

    def __init__(self, recording, prompts: Mapping[str, str]):
        self.recording = recording
        self.prompts = dict(prompts)
        self._kept: dict[str, str] = {}

    def _prefix(self) -> str:
        from spasm_lib import xapi
        from spasm_lib.recording import patient_key

        return xapi.activity_id("case-study", patient_key(self.recording.case)) + "/"

    def load(self, key: str) -> dict[str, str]:
        from spasm_lib.trace import latest_responses

        rec = self.recording.rec
        prefix = self._prefix()
        try:
            latest = latest_responses(rec.statements(), prefix)
        except OSError as error:
            raise AnswersNotKept(f"your saved work could not be read ({error.strerror or error})") from error
        self._kept = {oid[len(prefix):]: text for oid, text in latest.items() if oid[len(prefix):] in self.prompts}
        return {qid: text for qid, text in self._kept.items() if text}

    def save(self, key: str, answers: Mapping[str, str]) -> None:
        rec = self.recording.rec
        for qid in self.prompts:
            text = answers.get(qid, "")
            if text != self._kept.get(qid, ""):
                self.recording.answered(qid, self.prompts[qid], text)
                self._kept[qid] = text
        if rec.store.broken:
            raise AnswersNotKept(rec.store.notice or "your work cannot be saved here")
