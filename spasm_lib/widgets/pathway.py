"""Controls for notebook 03: choose a patient, predict each next step, then see it; answer at review.

Wiring only: every click builds a :class:`~spasm_lib.pathway_walk.PathwayState` (with
:func:`~spasm_lib.pathway_walk.advance` or :func:`~spasm_lib.pathway_walk.answer_review`),
passes it through :func:`~spasm_lib.pathway_walk.walk` and renders
:func:`~spasm_lib.views.pathway.walk_view` into one HTML widget, right under the buttons. With
``interactive = False`` (papermill, handouts) the same view prints the finished walk.
"""

from __future__ import annotations

from types import SimpleNamespace

import ipywidgets as W

from spasm_lib import records as R
from spasm_lib.tables import Facts
from spasm_lib.html import Html
from spasm_lib.params import facts_for
from spasm_lib.pathway_walk import PathwayState, WalkResult, advance, answer_review, complete_walk, walk
from spasm_lib.debrief import pathway_debrief
from spasm_lib.recording import PathwayRecording, recorder_for
from spasm_lib.recorder import Recorder
from spasm_lib.views.debrief import pathway_debrief_view
from spasm_lib.views.pathway import walk_view
from spasm_lib.views.style import styled
from spasm_lib.virtual_patients import case_for
from spasm_lib.widgets import Described
from spasm_lib.widgets.base import StaticView
from spasm_lib.widgets.notice import notice_line
from spasm_lib.widgets.patient_code import PatientPicker

STEM = "03_treatment_pathway"

_WIDE = {"description_width": "initial"}
_KEEPS_ITS_TEXT = W.Layout(width="auto", flex="0 0 auto")
"""A button as wide as its text: in a row beside a wide menu it would otherwise shrink to "Show ne..."."""
NO_PREDICTION = "(choose the step you expect next)"
IMPROVING_CHOICES = (("Yes: improving", True), ("No: not improving", False))


def walk_html(facts: Facts, state: PathwayState, case: R.Case, audience: str) -> Html:
    """What the walk shows for a state (the same for the live widget, the handout and the tests)."""
    return styled(walk_view(walk(facts, state, case), audience))


class TreatmentPathwayWalk(StaticView, Described, W.VBox):
    """Patient and seed, a prediction menu with "Show next step", the review question, one view."""

    description_text = "Treatment pathway walk"

    def __init__(self, facts: Facts, case_id: str, seed: int, audience: str, recorder: Recorder | None = None):
        self.facts = facts
        self.audience = audience
        self.recording = PathwayRecording(recorder)
        self.notice = notice_line(recorder)
        self.debrief = W.HTML()
        self.picker = PatientPicker(facts, case_id, seed, self._new_patient)
        self.prediction = W.Dropdown(description="What comes next?", style=_WIDE,
                                     layout=W.Layout(width="100%", max_width="36em"))
        self.show_next = W.Button(description="Show next step", icon="arrow-down", button_style="primary",
                                  tooltip="Show the next step of this patient's path and check your prediction",
                                  layout=_KEEPS_ITS_TEXT)
        self.review = W.ToggleButtons(options=IMPROVING_CHOICES, value=None,
                                      description="At the review, is the treatment working?", style=_WIDE)
        self.restart = W.Button(description="Start again", icon="refresh", tooltip="Back to the first step")
        self.view = W.HTML()
        self.view.add_class("spasm-walk-view")
        self.debrief.add_class("spasm-walk-debrief")
        self.show_next.on_click(lambda _b: self._advance())
        self.restart.on_click(lambda _b: self._new_patient())
        self.review.observe(self._on_review, names="value")
        super().__init__([self.picker,
                          W.HBox([self.prediction, self.show_next], layout=W.Layout(flex_flow="row wrap")), self.review,
                          self.restart, self.view, self.debrief, self.notice])
        self._new_patient()

    @property
    def patient(self) -> R.Case:
        return self.picker.patient

    def _new_patient(self) -> None:
        self.state = PathwayState(self.patient.id)
        self.recording.opened(self.patient, self.picker.seed.value)
        self.refresh()

    def _advance(self) -> None:
        choice = self.prediction.value or None
        menu = [(value, label) for label, value in self.prediction.options if value]
        self.state = advance(self.facts, self.state, self.patient, choice)
        self.recording.predicted(menu, choice, self.facts.by_id("pathway_steps")[self.state.predictions[-1][1]])
        self.refresh()
        self._record_end()

    def _record_end(self) -> None:
        result = self.result()
        if result.finished:
            # out of the predictions made: going on without one is not scored as wrong
            self.recording.finished(result.correct_predictions, result.predictions_made)

    def _on_review(self, change: dict) -> None:
        if change["new"] is not None and self.state.improving is None:
            self.state = answer_review(self.state, change["new"])
            self.recording.review(change["new"])
            self.refresh()
            self._record_end()

    def result(self) -> WalkResult:
        return walk(self.facts, self.state, self.patient)

    def refresh(self) -> None:
        result = self.result()
        waiting = result.awaiting_review_answer
        self.prediction.options = [(NO_PREDICTION, "")] + [(s.title, s.id) for s in result.choices]
        self.prediction.value = ""
        self.prediction.disabled = self.show_next.disabled = result.finished or waiting
        self.review.layout.display = "" if waiting or self.state.improving is not None else "none"
        self.review.disabled = not waiting
        if self.state.improving is None:
            self.review.value = None
        self.view.value = self.static_html().markup
        self.debrief.value = styled(pathway_debrief_view(
            pathway_debrief(self.facts, self.patient, self.state.predictions))).markup if result.finished else ""

    def static_html(self) -> Html:
        return walk_html(self.facts, self.state, self.patient, self.audience)


def treatment_pathway_walkthrough(params: SimpleNamespace, facts: Facts | None = None) -> TreatmentPathwayWalk | Html:
    """The walk for notebook 03's parameters: live controls, or the finished walk of the patient."""
    facts = facts or facts_for(params)
    seed = getattr(params, "seed", 0)
    if params.interactive:
        return TreatmentPathwayWalk(facts, params.case, seed, params.audience, recorder_for(params, STEM))
    case = case_for(facts, params.case, seed)
    return walk_html(facts, complete_walk(facts, case, bool(params.improving)), case, params.audience)
