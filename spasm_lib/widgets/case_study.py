"""Notebook 04's one call: the case study for the run's parameters.

Live (``interactive = True``, student audience): the case record, then each question with a text box
to type the answer in (the dashed boxes of a printed handout cannot be typed into). The answers stay
in the running notebook only; they are not graded. The instructor audience, and every static run,
show the static view: the same as the handout, with the model answers for the instructor.
"""

from __future__ import annotations

from types import SimpleNamespace

import ipywidgets as W

from spasm_lib.case_study import CaseStudy, case_study
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


class CaseStudyWorksheet(StaticView, Described, W.VBox):
    """The case record, then one labelled text box per question."""

    description_text = "Case study worksheet"

    def __init__(self, study: CaseStudy, audience: str, recorder: Recorder | None = None):
        self.study = study
        self.audience = audience
        self.recording = CaseStudyRecording(recorder, study.case)
        self.answers: dict[str, W.Textarea] = {}
        children: list[W.Widget] = [W.HTML(styled(case_record_view(study, audience)).markup)]
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
        super().__init__([notice_line(recorder), *children])

    def static_html(self) -> Html:
        return styled(case_study_view(self.study, self.audience))


def case_study_for(params: SimpleNamespace) -> CaseStudyWorksheet | Html:
    """The case chosen by ``params.case`` (or a seeded virtual patient), for ``params.audience``."""
    study = case_study(facts_for(params), params.case, params.seed)
    if getattr(params, "interactive", False) and params.audience == "student":
        return CaseStudyWorksheet(study, params.audience, recorder_for(params, STEM))
    return styled(case_study_view(study, params.audience))
