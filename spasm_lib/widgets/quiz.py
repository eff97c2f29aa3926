"""The live "Check yourself" section: one set of radio buttons per question, feedback on each choice.

Wiring only: a choice goes through :func:`spasm_lib.quiz.grade` and
:func:`spasm_lib.views.quiz.answer_feedback` into that question's HTML widget. With
``interactive = False`` the notebook shows :func:`spasm_lib.views.quiz.quiz_view` for the audience
(questions only for students; answers and explanations for instructors).
"""

from __future__ import annotations

from types import SimpleNamespace

import ipywidgets as W

from spasm_lib.widgets import Described

from spasm_lib.facts import Facts, load_facts
from spasm_lib.html import Html, tag
from spasm_lib.quiz import notebook_name, questions
from spasm_lib.quiz import grade as grade_answer
from spasm_lib.views.quiz import answer_feedback, option_list, question_heading, quiz_view

_WIDE = {"description_width": "initial"}


class CheckYourself(Described, W.VBox):
    """A heading, then per question: its prompt, radio buttons (no choice at first) and feedback."""

    description_text = "Check yourself quiz"

    def __init__(self, facts: Facts, notebook: str, audience: str):
        self.facts = facts
        self.notebook = notebook_name(notebook)
        self.radios: dict[str, W.RadioButtons] = {}
        self.feedback: dict[str, W.HTML] = {}
        children: list[W.Widget] = [W.HTML(tag("h3", "Check yourself"))]
        for q in questions(facts, self.notebook):
            radio = W.RadioButtons(
                options=[(q.letter(o.id), o.id) for o in q.options],
                value=None,
                description=f"Question {q.number}",
                style=_WIDE,
                layout=W.Layout(width="auto"),
            )
            feedback = W.HTML(answer_feedback(None).markup)
            radio.observe(self._on_choice(q.id), names="value")
            self.radios[q.id] = radio
            self.feedback[q.id] = feedback
            children += [W.HTML((question_heading(facts, q) + option_list(q)).markup), radio, feedback]
        self.answer_key = None
        if audience == "instructor":
            self.answer_key = W.HTML(quiz_view(facts, self.notebook, "instructor").markup)
            children.append(self.answer_key)
        super().__init__(children)

    def _on_choice(self, question_id: str):
        def update(change: dict) -> None:
            chosen = change["new"]
            result = None if chosen is None else grade_answer(self.facts, question_id, chosen)
            self.feedback[question_id].value = answer_feedback(result).markup

        return update

    @property
    def answers(self) -> dict[str, str]:
        """The options chosen so far, by question id."""
        return {qid: r.value for qid, r in self.radios.items() if r.value is not None}


def check_yourself(notebook: str, params: SimpleNamespace, facts: Facts | None = None) -> CheckYourself | Html:
    """A notebook's self-check: live radio buttons, or the static view for ``params.audience``."""
    facts = facts or load_facts()
    if params.interactive:
        return CheckYourself(facts, notebook, params.audience)
    return quiz_view(facts, notebook, params.audience)
