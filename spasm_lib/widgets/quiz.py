"""The live "Check yourself" section: per question, radio buttons with the answers' full text and feedback.

Wiring only: a choice goes through :func:`spasm_lib.quiz.check` and the views of
:mod:`spasm_lib.views.quiz` into the HTML widget right under that question and into the score line.
With ``interactive = False`` the notebook shows :func:`spasm_lib.views.quiz.quiz_view` for the
audience instead; the live widget stores the same static view in its output for readers without a
kernel.

Each answer is a radio button labelled with its full text, so a screen reader reads the answer, not a
letter. ipywidgets gives radio labels a fixed one-line height, so a long answer would overlap the next
one; the small stylesheet below (scoped to this widget's class) lets labels wrap to their full height.
"""

from __future__ import annotations

from types import SimpleNamespace

import ipywidgets as W

from spasm_lib.facts import load_facts
from spasm_lib.tables import Facts
from spasm_lib.html import Html
from spasm_lib.quiz import Grade, Question, QuizResults, check, notebook_name
from spasm_lib.recording import QuizRecording, recorder_for
from spasm_lib.recorder import Recorder
from spasm_lib.views.quiz import answer_feedback, question_heading, quiz_view, score_line
from spasm_lib.views.style import styled
from spasm_lib.widgets import Described
from spasm_lib.widgets.base import StaticView
from spasm_lib.widgets.notice import notice_line

CHOICES_CLASS = "spasm-quiz-choices"
CHOICES_STYLE = (
    "<style>"
    f".{CHOICES_CLASS} .widget-radio-box label, .{CHOICES_CLASS} .jupyter-widget-radio-box label"
    "{height:auto;min-height:var(--jp-widgets-radio-item-height);line-height:1.4;white-space:normal;"
    "display:flex;align-items:flex-start;gap:.45em;padding:.2em 0}"
    f".{CHOICES_CLASS} .widget-radio-box input, .{CHOICES_CLASS} .jupyter-widget-radio-box input"
    "{height:auto;float:none;flex:none;order:-1;margin:.25em 0 0 1px}"
    "</style>"
)
"""Lets each radio label wrap over as many lines as its answer needs (scoped to the quiz's radios)."""


def _feedback_html(grade: Grade | None) -> str:
    """A question's feedback box with the stylesheet (nothing before an answer)."""
    feedback = answer_feedback(grade)
    return styled(feedback).markup if feedback.markup else ""


class CheckYourself(StaticView, Described, W.VBox):
    """Per question: its heading, its answers as radio buttons (none chosen at first), its feedback;
    then the score of the first answers. An instructor also gets the answer key, folded."""

    description_text = "Check yourself quiz"

    def __init__(self, facts: Facts, notebook: str, audience: str, recorder: Recorder | None = None):
        self.facts = facts
        self.notebook = notebook_name(notebook)
        self.audience = audience
        self.recording = QuizRecording(recorder, self.notebook)
        self.radios: dict[str, W.RadioButtons] = {}
        self.first_answers: dict[str, str] = {}
        """The first option chosen for each question: what the score counts."""
        self.feedback: dict[str, W.HTML] = {}
        results = check(facts, self.notebook)
        children: list[W.Widget] = [W.HTML(CHOICES_STYLE), notice_line(recorder)]
        for q in results.questions:
            radio = W.RadioButtons(
                options=[(o.text, o.id) for o in q.options],
                value=None,
                description=f"Your answer to question {q.number}",
                style={"description_width": "initial"},
                layout=W.Layout(width="auto"),
            )
            radio.add_class(CHOICES_CLASS)
            radio.observe(self._on_choice, names="value")
            radio.observe(lambda change, q=q: self._record(q, change["new"]), names="value")
            self.radios[q.id] = radio
            self.feedback[q.id] = W.HTML(_feedback_html(None))
            children += [W.HTML(question_heading(q).markup), radio, self.feedback[q.id]]
        self.score = W.HTML(score_line(results.score).markup)
        children.append(self.score)
        self.answer_key = None
        if audience == "instructor":
            key = styled(quiz_view(results, "instructor")).markup
            self.answer_key = W.HTML(f"<details><summary>Answer key (instructor)</summary>{key}</details>")
            children.append(self.answer_key)
        super().__init__(children)

    @property
    def answers(self) -> dict[str, str]:
        """The options chosen so far, by question id."""
        return {qid: r.value for qid, r in self.radios.items() if r.value is not None}

    @property
    def results(self) -> QuizResults:
        answers = self.answers
        first = {qid: self.first_answers.get(qid, option) for qid, option in answers.items()}
        return check(self.facts, self.notebook, answers, first)

    def _on_choice(self, change: dict) -> None:
        for qid, option in self.answers.items():
            self.first_answers.setdefault(qid, option)
        results = self.results
        for qid, box in self.feedback.items():
            box.value = _feedback_html(results.grade_for(qid))
        self.score.value = score_line(results.score).markup

    def _record(self, q: Question, option_id: str | None) -> None:
        if option_id is not None:
            results = self.results
            grade = results.grade_for(q.id)
            self.recording.answered(q, option_id, bool(grade and grade.correct),
                                    (results.score.correct, results.score.total))

    def static_html(self) -> Html:
        """What a reader without a kernel sees: the static quiz for this audience, answers so far included."""
        return styled(quiz_view(self.results, self.audience))


def check_yourself(params: SimpleNamespace, facts: Facts | None = None) -> CheckYourself | Html:
    """The self-check of the notebook ``params`` belong to (``params.notebook``, set by
    :func:`~spasm_lib.params.use_parameters`): live radio buttons, or the static view for ``params.audience``."""
    facts = facts or load_facts()
    notebook = params.notebook
    if params.interactive:
        return CheckYourself(facts, notebook, params.audience, recorder_for(params, notebook_name(notebook)))
    return styled(quiz_view(check(facts, notebook), params.audience))
