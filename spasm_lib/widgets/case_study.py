"""Notebook 04's one call: the case study for the run's parameters.

Live (``interactive = True``, student audience): a box for the student's patient code (their own
virtual patient, from their handout), then the case in clinical order (history, warning signs
and triage, interpretation, plan). Each question has a text box, or radio buttons where the answer
is a choice, and a "Check" button that reveals the model answer and the reasoning once the student
has written or chosen something (:func:`spasm_lib.case_study.check_answer`). Written answers are not
graded; choices are. Every answer is kept as it changes through an
:class:`~spasm_lib.case_answers.AnswerStore` (the student's trace when the notebook records, see
docs/trace.md; else a file of its own) and comes back when the notebook is opened again; when it
cannot be kept, a warning says so at the top of the worksheet.

The instructor audience, and every static run, show the static view: the same as the handout, with
the model answers for the instructor.
"""

from __future__ import annotations

from types import SimpleNamespace

import ipywidgets as W

from spasm_lib import browser_storage
from spasm_lib.case_answers import AnswersNotKept, AnswerStore, TraceAnswerStore, default_store, worksheet_key
from spasm_lib.case_study import CaseStudy, case_study, check_answer
from spasm_lib.facts import RANDOM_CASE, load_facts
from spasm_lib.tables import Facts
from spasm_lib.html import Html, esc, tag
from spasm_lib.params import facts_for
from spasm_lib.recording import CaseStudyRecording, recorder_for
from spasm_lib.vocabulary import CASE_PARTS
from spasm_lib.recorder import Recorder
from spasm_lib.views.case_study import case_study_view, check_view, numbered_questions, part_intro, question_prompt
from spasm_lib.views.style import styled
from spasm_lib.widgets import Described
from spasm_lib.widgets.base import StaticView
from spasm_lib.widgets.notice import notice_line
from spasm_lib.widgets.quiz import CHOICES_CLASS, CHOICES_STYLE

from spasm_lib.widgets.patient_code import PatientCodeBox

NOTEBOOK = "04_case_study"
NOT_KEPT = ("Your answers are not being kept: {reason}. They stay on this page while it is open; "
            "copy them somewhere safe before you close the notebook.")
KEPT_NOTE = "Your answers are kept on this computer as you type, and come back when you reopen the notebook."


def not_kept_warning(reason: str) -> str:
    """The visible warning shown when the answers cannot be kept."""
    return f'<p class="spasm-alert" role="alert"><strong>Warning:</strong> {esc(NOT_KEPT.format(reason=reason))}</p>'


class CaseStudyWorksheet(StaticView, Described, W.VBox):
    """The case part by part; per question an answer box (or choices), "Check" and its feedback."""

    description_text = "Case study worksheet"

    def __init__(self, study: CaseStudy, audience: str, recorder: Recorder | None = None,
                 store: AnswerStore | None = None, facts: Facts | None = None):
        self.facts = facts
        self.audience = audience
        self.recorder = recorder
        self.given_store = store
        self._filling = False
        self.patient_code = PatientCodeBox(self.use_seed)
        super().__init__([])
        self.show(study)

    def use_seed(self, seed: int) -> None:
        """The case study of the virtual patient of ``seed`` (a student's patient code names it)."""
        self.show(case_study(self.facts or load_facts(), RANDOM_CASE, seed))

    def show(self, study: CaseStudy) -> None:
        """The worksheet of ``study`` (a new encounter), with any answers kept for this patient."""
        recorder, store = self.recorder, self.given_store
        self.study = study
        self.recording = CaseStudyRecording(recorder, study.case)
        if store is None:  # the student's trace when it records; else a file of its own
            prompts = {q.id: q.prompt for q in study.questions}
            store = TraceAnswerStore(self.recording, prompts) if recorder is not None else default_store()
        self.store = store
        self.key = worksheet_key(NOTEBOOK, study.case.id, study.seed)
        self.answers: dict[str, W.Textarea | W.RadioButtons] = {}
        self.checks: dict[str, W.Button] = {}
        self.feedback: dict[str, W.HTML] = {}
        self.status = W.HTML()
        saved = self._load()
        title = W.HTML(styled(Html(tag("h3", f"Case study: {study.case.title}"))).markup)  # headings in order
        children: list[W.Widget] = [self.patient_code, W.HTML(CHOICES_STYLE), title, self.status,
                                    notice_line(recorder)]
        numbers = {q.id: n for n, q in numbered_questions(study)}
        for part in CASE_PARTS:
            children.append(W.HTML(styled(part_intro(study, part, self.audience)).markup))
            for q in study.questions_in(part):
                n = numbers[q.id]
                label = f"Your answer to question {n}"
                if q.closed:
                    box = W.RadioButtons(options=list(q.choices), value=saved.get(q.id) if saved.get(q.id) in q.choices else None,
                                         description=label, style={"description_width": "initial"},
                                         layout=W.Layout(width="auto"))
                    box.add_class(CHOICES_CLASS)  # long choices wrap instead of running off the page
                else:
                    box = W.Textarea(value=saved.get(q.id, ""), placeholder="Type your answer here",
                                     rows=4, description=label, tooltip=label,
                                     continuous_update=False, style={"description_width": "initial"},
                                     layout=W.Layout(width="calc(100% - 1em)", max_width="48em"))
                box.observe(lambda _c: self._save(), names="value")
                button = W.Button(description=f"Check question {n}", icon="check",
                                  tooltip="Show the model answer and the reasoning after you have answered",
                                  layout=W.Layout(width="auto", align_self="flex-start"))
                button.on_click(lambda _b, qid=q.id: self.check(qid))
                self.answers[q.id], self.checks[q.id] = box, button
                self.feedback[q.id] = W.HTML()
                children += [W.HTML(styled(Html(question_prompt(n, q))).markup), box, button, self.feedback[q.id]]
        self.children = children
        # In a JupyterLite kernel that keeps its files in the browser, they may still be on their way
        # back as the worksheet is built: its answers are filled in when they arrive.
        if not browser_storage.restored():
            browser_storage.when_restored(lambda: self._fill_in(study))

    def _fill_in(self, study: CaseStudy) -> None:
        """Answers kept for ``study`` put into the boxes still empty (after a late read back)."""
        if study is not self.study:
            return
        saved = self._load()
        self._filling = True  # the kept answers, put back one box at a time, are not new answers
        try:
            for qid, box in self.answers.items():
                text = saved.get(qid)
                if text and not box.value and (not isinstance(box, W.RadioButtons) or text in box.options):
                    box.value = text
        finally:
            self._filling = False

    def _load(self) -> dict[str, str]:
        try:
            saved = self.store.load(self.key)
        except AnswersNotKept as problem:
            self.status.value = not_kept_warning(str(problem))
            return {}
        self.status.value = f'<p class="spasm-case-kept"><em>{esc(KEPT_NOTE)}</em></p>'
        return saved

    def values(self) -> dict[str, str]:
        """What the student has written or chosen so far, by question id (blank answers left out)."""
        return {qid: box.value for qid, box in self.answers.items() if box.value and box.value.strip()}

    def _save(self) -> None:
        if self._filling:
            return
        try:
            self.store.save(self.key, self.values())
        except AnswersNotKept as problem:
            self.status.value = not_kept_warning(str(problem))

    def check(self, question_id: str) -> None:
        """Show the model answer under the question, or ask the student to answer first."""
        self._save()  # a Check is a moment to keep the answer, even if the box has not lost focus
        result = check_answer(self.study.question(question_id), self.answers[question_id].value)
        self.feedback[question_id].value = styled(check_view(result)).markup

    def static_html(self) -> Html:
        return styled(case_study_view(self.study, self.audience))


def case_study_for(params: SimpleNamespace, store: AnswerStore | None = None) -> CaseStudyWorksheet | Html:
    """The case chosen by ``params.case`` (or a seeded virtual patient), for ``params.audience``."""
    facts = facts_for(params)
    study = case_study(facts, params.case, params.seed)
    if getattr(params, "interactive", False) and params.audience == "student":
        return CaseStudyWorksheet(study, params.audience, None if store is not None else recorder_for(params, NOTEBOOK),
                                  store, facts)
    return styled(case_study_view(study, params.audience))
