"""Controls for notebook 02: choose a patient, examine step by step, commit an interpretation.

Wiring only: each click updates an :class:`~spasm_lib.exam_findings.ExamState`, which goes through
:func:`~spasm_lib.exam_findings.examine` (and :func:`~spasm_lib.exam_findings.feedback` once an
interpretation is committed) into :func:`~spasm_lib.views.exam.exam_view`, shown in one HTML
widget. With ``interactive = False`` the same functions render the parameters' state.

With audience "instructor" the view also shows the expected interpretation and the feedback before
anything is committed, live and static alike, so the instructor's copy is the answer key.
"""

from __future__ import annotations

from types import SimpleNamespace

import ipywidgets as W

from spasm_lib.widgets import Described

from spasm_lib import records as R
from spasm_lib.exam_findings import ExamState, examine, exam_steps, feedback, record_step, step_needs_site
from spasm_lib.facts import Facts, load_facts
from spasm_lib.html import Html
from spasm_lib.views.exam import SITE_LABELS, exam_view
from spasm_lib.virtual_patients import RANDOM_CASE, case_for

_WIDE = {"description_width": "initial"}


def exam_html(facts: Facts, case: R.Case, state: ExamState, audience: str = "student") -> Html:
    """What the simulator shows for a state (the same for the live widget and the handout)."""
    result = examine(facts, state, case)
    fb = None
    if state.interpretation_id is not None or audience == "instructor":
        fb = feedback(facts, case, result, state.interpretation_id)
    return exam_view(case, result, fb, audience)


def state_from(facts: Facts, case: R.Case, steps: list[str], site: str, interpretation: str) -> ExamState:
    """The state a list of performed steps and a committed interpretation describe."""
    state = ExamState(case.id)
    for step_id in steps:
        state = record_step(facts, state, step_id, site)
    return state.committed(interpretation)


class ExamSimulator(Described, W.VBox):
    """Patient and seed, one button per exam step, where to palpate, and the interpretation."""

    description_text = "Exam simulator"

    def __init__(self, facts: Facts, case_id: str, seed: int, state: ExamState, audience: str):
        self.facts = facts
        self.audience = audience
        self.case = W.Dropdown(
            options=[(c.title, c.id) for c in facts.cases] + [("Random virtual patient", RANDOM_CASE)],
            value=case_id,
            description="Patient",
            layout=W.Layout(width="32em"),
        )
        self.seed = W.BoundedIntText(value=seed, min=0, max=2**31 - 1, description="Seed")
        self.step_buttons: dict[str, W.Button] = {}
        for step in exam_steps(facts):
            button = W.Button(description=step.name, tooltip=step.how, layout=W.Layout(width="auto"))
            button.on_click(lambda _b, step_id=step.id: self.perform(step_id))
            self.step_buttons[step.id] = button
        self.site = W.Dropdown(
            options=[(SITE_LABELS[s].capitalize(), s) for s in R.SPASM_SITES],
            value=R.SPASM_SITES[0],
            description="Palpate at",
            style=_WIDE,
        )
        self.interpretation = W.Dropdown(
            options=[("Not decided yet", "")] + [(i.name, i.id) for i in facts.interpretations],
            value=state.interpretation_id or "",
            description="Your interpretation",
            style=_WIDE,
            layout=W.Layout(width="32em"),
        )
        self.commit = W.Button(description="Commit", tooltip="Commit to this interpretation and see feedback")
        self.restart = W.Button(description="Start again", tooltip="Forget the steps performed, same patient")
        self.view = W.HTML()
        self.patient = case_for(facts, case_id, seed)
        self.state = state
        self.case.observe(self._on_patient, names="value")
        self.seed.observe(self._on_patient, names="value")
        self.commit.on_click(lambda _b: self._commit())
        self.restart.on_click(lambda _b: self._restart())
        super().__init__(
            [
                W.HBox([self.case, self.seed]),
                W.HBox(list(self.step_buttons.values()), layout=W.Layout(flex_flow="row wrap")),
                self.site,
                W.HBox([self.interpretation, self.commit, self.restart]),
                self.view,
            ]
        )
        self._show_seed()
        self.refresh()

    def perform(self, step_id: str) -> None:
        site = self.site.value if step_needs_site(self.facts, step_id) else None
        self.state = record_step(self.facts, self.state, step_id, site)
        self.refresh()

    def _commit(self) -> None:
        self.state = self.state.committed(self.interpretation.value)
        self.refresh()

    def _restart(self) -> None:
        self.state = ExamState(self.patient.id)
        self.interpretation.value = ""
        self.refresh()

    def _on_patient(self, _change: dict) -> None:
        self._show_seed()
        self.patient = case_for(self.facts, self.case.value, self.seed.value)
        self._restart()

    def _show_seed(self) -> None:
        self.seed.layout.display = "" if self.case.value == RANDOM_CASE else "none"

    def refresh(self) -> None:
        self.view.value = exam_html(self.facts, self.patient, self.state, self.audience).markup


def exam_simulator(params: SimpleNamespace, facts: Facts | None = None) -> ExamSimulator | Html:
    """The simulator for notebook 02's parameters: live controls, or the static view of their state."""
    if facts is None:
        cases_file = getattr(params, "cases_file", "") or None
        facts = load_facts(cases_file=cases_file)
    case = case_for(facts, params.case, params.seed)
    state = state_from(facts, case, list(params.steps), params.palpation_site, params.interpretation)
    if params.interactive:
        return ExamSimulator(facts, params.case, params.seed, state, params.audience)
    return exam_html(facts, case, state, params.audience)
