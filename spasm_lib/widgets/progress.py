"""Notebook 00's "Your work": the student number typed once, "My progress", and "Download my work".

Wiring only. The number goes through :func:`spasm_lib.identity.save_student` (a file beside the
notebooks, read by every other notebook) and applies at once to this kernel's recorders. "Show my
progress" reads the student's trace files (:func:`spasm_lib.trace.read_student`) into
:func:`spasm_lib.progress.progress` and :func:`spasm_lib.views.progress.progress_view`. "Download my
work" is a link the browser saves (a ``data:`` address built here, so it works in JupyterLite, where
the files live in the browser's storage; nothing is sent anywhere).

The stored output (nbval, a reader without a kernel) is one fixed sentence: a student's progress is
never written into a stored notebook.
"""

from __future__ import annotations

import base64
from types import SimpleNamespace

import ipywidgets as W

from spasm_lib import identity, recorder, trace
from spasm_lib.facts import load_facts
from spasm_lib.tables import Facts
from spasm_lib.html import Html, esc
from spasm_lib.progress import progress
from spasm_lib.views.progress import progress_view
from spasm_lib.views.style import styled
from spasm_lib.widgets import Described
from spasm_lib.widgets.base import StaticView

STATIC_TEXT = ("<p>Your student number, your progress and the download of your work appear here when this "
               "notebook runs in JupyterLab or JupyterLite.</p>")
DOWNLOAD_LABEL = "Download my work"


def download_name(student: str) -> str:
    """The file the browser saves: every statement of the student, all notebooks, one per line."""
    return f"{trace.TRACE_PREFIX}_{student}_all-notebooks{trace.TRACE_SUFFIX}"


def download_link(student: str, statements: list[dict]) -> str:
    """An anchor that looks like a button (its class's look); the browser saves the student's statements
    as one JSON-lines file."""
    from spasm_lib.xapi import to_line

    data = "".join(to_line(s) for s in statements).encode("utf-8")
    href = "data:application/x-ndjson;base64," + base64.b64encode(data).decode("ascii")
    name = download_name(student)
    return (f'<a class="spasm-download" download="{esc(name)}" href="{href}" role="button">'
            f'{DOWNLOAD_LABEL}</a> '
            f"<span>({len(statements)} actions recorded; the file is {esc(name)})</span>")


class MyWork(StaticView, Described, W.VBox):
    """Student number (typed once), "Show my progress", the progress view and the download link."""

    description_text = "Your work: student number and progress"

    def __init__(self, facts: Facts, student: str, folder: str | None = None):
        self.facts = facts
        self.folder = folder
        self.student = student
        self.number = W.Text(value="" if student == trace.ANONYMOUS else student, placeholder="for example s017",
                             description="Your student number", style={"description_width": "initial"})
        self.save = W.Button(description="Save my number", tooltip="Save it for every notebook of the course")
        self.status = W.HTML()
        self.show = W.Button(description="Show my progress", button_style="primary",
                             tooltip="Read your work in the notebooks and show what you have done")
        self.view = W.HTML()
        self.download = W.HTML()
        self.save.on_click(lambda _b: self._save())
        self.show.on_click(lambda _b: self.refresh())
        super().__init__([W.HBox([self.number, self.save]), self.status, self.show, self.view, self.download])
        self.refresh()

    def _save(self) -> None:
        problem = identity.save_student(self.number.value, self.folder)
        if problem:
            self.status.value = f'<p role="status"><strong>{esc(problem)}</strong></p>'
            return
        self.student = self.number.value.strip()
        recorder.use_student(self.student)
        self.status.value = (f'<p role="status"><strong>Saved: your work is recorded as student '
                             f"{esc(self.student)} in every notebook you open from now on.</strong></p>")
        self.refresh()

    def refresh(self) -> None:
        read = trace.read_student(trace.trace_folder(self.folder), self.student)
        names = {r.id: r.name for r in self.facts.reasoning_errors}
        self.view.value = styled(progress_view(progress(self.student, read.statements, read.problems), names)).markup
        self.download.value = (styled(Html(download_link(self.student, read.statements))).markup
                               if read.statements else "")

    def static_html(self) -> Html:
        return Html(STATIC_TEXT)


def my_work(params: SimpleNamespace, facts: Facts | None = None) -> MyWork | Html:
    """Notebook 00's "Your work" cell: the live controls, or one sentence in a static run."""
    if not getattr(params, "interactive", False):
        return Html(STATIC_TEXT)
    return MyWork(facts or load_facts(), identity.student_for(params))
