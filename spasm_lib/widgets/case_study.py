"""Notebook 04's one call: the case study for the run's parameters.

Live (``interactive = True``, student audience): a box for the student's patient code (their own
virtual patient, from their handout), the case record, then each question with a text box
to type the answer in (the dashed boxes of a printed handout cannot be typed into). The answers stay
in the running notebook only; they are not graded. The instructor audience, and every static run,
show the static view: the same as the handout, with the model answers for the instructor.
"""

from __future__ import annotations

from types import SimpleNamespace

import ipywidgets as W

from spasm_lib.case_study import CaseStudy, case_study
from spasm_lib.facts import RANDOM_CASE, Facts, load_facts
from spasm_lib.html import Html
from spasm_lib.params import facts_for
from spasm_lib.recording import CaseStudyRecording, recorder_for
from spasm_lib.trace import Recorder
from spasm_lib.views.case_study import case_record_view, case_study_view, worksheet_prompts
from spasm_lib.views.style import styled
from spasm_lib.widgets import Described
from spasm_lib.widgets.base import StaticView
from spasm_lib.widgets.notice import notice_line

STEM = "04_case_study"
from spasm_lib.widgets.patient_code import PatientCodeBox


class CaseStudyWorksheet(StaticView, Described, W.VBox):
    """The case record, then one labelled text box per question."""

    description_text = "Case study worksheet"

    def __init__(self, study: CaseStudy, audience: str, recorder: Recorder | None = None,
                 facts: Facts | None = None):
        self.facts = facts
        self.audience = audience
        self.recorder = recorder
        self.notice = notice_line(recorder)
        self.patient_code = PatientCodeBox(self.use_seed)
        super().__init__([])
        self.show(study)

    def use_seed(self, seed: int) -> None:
        """The case study of the virtual patient of ``seed`` (a student's patient code names it)."""
        self.show(case_study(self.facts or load_facts(), RANDOM_CASE, seed))

    def show(self, study: CaseStudy) -> None:
        """The case record of ``study``, then one empty answer box per question (a new encounter)."""
        self.study = study
        self.recording = CaseStudyRecording(self.recorder, study.case)
        self.answers: dict[str, W.Textarea] = {}
        children: list[W.Widget] = [self.patient_code, W.HTML(styled(case_record_view(study, self.audience)).markup)]
        # Each text box follows its prompt and is labelled by its number ("Your answer to part 3").
        for number, (key, prompt, lines) in enumerate(worksheet_prompts(study), 1):
            label = f"Your answer to part {number}"
            box = W.Textarea(placeholder="Type your answer here", rows=max(2, lines), description=label,
                             tooltip=label, style={"description_width": "initial"},
                             layout=W.Layout(width="100%", max_width="48em"))
            box.continuous_update = False  # the answer is recorded when the student leaves the box
            box.observe(lambda change, key=key, prompt=prompt: self.recording.answered(key, prompt, change["new"]),
                        names="value")
            self.answers[key] = box
            children += [W.HTML(styled(Html(prompt)).markup), box]
        self.children = [*children, self.notice]

    def static_html(self) -> Html:
        return styled(case_study_view(self.study, self.audience))


def case_study_for(params: SimpleNamespace) -> CaseStudyWorksheet | Html:
    """The case chosen by ``params.case`` (or a seeded virtual patient), for ``params.audience``."""
    facts = facts_for(params)
    study = case_study(facts, params.case, params.seed)
    if getattr(params, "interactive", False) and params.audience == "student":
        return CaseStudyWorksheet(study, params.audience, recorder_for(params, STEM), facts)
    return styled(case_study_view(study, params.audience))
