"""Who is recording: the student's number, from a notebook parameter or typed once in notebook 00.

Why a file: a student types their number once (the field at the top of notebook 00) and every other
notebook, opened later in the same folder (or the same JupyterLite site), records under it. The file
``spasm-student.json`` sits beside the trace files; it holds the number and nothing else. A per-student
run passes the ``student`` parameter instead, which wins. Without either, statements are recorded
under ``anonymous``. Never a name or an e-mail.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from spasm_lib import browser_storage, recorder, trace, xapi
from spasm_lib.files import write_atomically

IDENTITY_FILE = "spasm-student.json"
COURSE_ENV = "SPASM_COURSE_HOME_PAGE"
"""An instructor's course address for the actor's ``account.homePage`` (an http(s) address)."""
MAX_IDENTITY_BYTES = 4096


def identity_path(folder: str | Path | None = None) -> Path:
    return trace.trace_folder(folder) / IDENTITY_FILE


def stored_student(folder: str | Path | None = None) -> str | None:
    """The number saved in notebook 00, or None (missing, unreadable or not a valid number)."""
    path = identity_path(folder)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_IDENTITY_BYTES:
            return None
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    name = value.get("student") if isinstance(value, dict) else None
    return name if isinstance(name, str) and xapi.valid_student(name) else None


def save_student(name: str, folder: str | Path | None = None) -> str | None:
    """Save the number for every notebook; returns None, or one line saying why it was not saved."""
    name = name.strip()
    if not xapi.valid_student(name):
        return f"Not saved: a student number is {xapi.STUDENT_RULE}."
    path = identity_path(folder)
    if path.exists() and not path.is_file():
        return f"Not saved: {path.name} here is not a file."
    try:
        write_atomically(path, json.dumps({"student": name}) + "\n")
    except OSError as exc:
        return f"Not saved: {path.name} cannot be written ({exc.strerror or 'error'})."
    browser_storage.persist()  # kept in the browser too, where the kernel's files are in memory
    return None


def student_for(params: Any, folder: str | Path | None = None) -> str:
    """The account name to record under: the ``student`` parameter, else the saved number, else anonymous."""
    given = getattr(params, "student", "") or ""
    if given and xapi.valid_student(given):
        return given
    return stored_student(folder) or trace.ANONYMOUS


def _use_restored_student() -> None:
    """After a JupyterLite kernel reads back the files kept in the browser: the number saved before the
    restart, for the recorders made meanwhile too."""
    student = stored_student()
    if student:
        recorder.use_student(student)


browser_storage.after_read_back(_use_restored_student)


def course_home_page() -> str:
    """The course named in every statement: ``$SPASM_COURSE_HOME_PAGE`` if it is a valid address, else
    the package's placeholder (``https://spasm-teach.invalid/course``)."""
    value = os.environ.get(COURSE_ENV, "").strip()
    try:
        return xapi.Actor(trace.ANONYMOUS, value).home_page if value else xapi.DEFAULT_HOME_PAGE
    except xapi.XapiInputError:
        return xapi.DEFAULT_HOME_PAGE
