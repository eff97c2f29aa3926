"""Controls for notebook 03: choose a patient, walk the pathway step by step, answer "is it working?".

Wiring only: every change builds a :class:`~spasm_lib.treatment_pathway.PathwayState`, passes it
through :func:`~spasm_lib.treatment_pathway.pathway` and renders
:func:`~spasm_lib.views.pathway.walkthrough_view` into one HTML widget. With ``interactive = False``
(papermill, handouts) the same view renders the parameters' state instead.

The step list holds only the steps on the chosen patient's path (after an emergency red flag that is
the screen alone), so Back/Next never land on a skipped step.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace

import ipywidgets as W

from spasm_lib.widgets import Described

from spasm_lib import records as R
from spasm_lib.facts import Facts
from spasm_lib.params import facts_for
from spasm_lib.html import Html
from spasm_lib.treatment_pathway import (
    ROUTE_URGENT,
    PathwayResult,
    PathwayState,
    journey,
    neighbour,
    pathway,
    shown_step,
)
from spasm_lib.views.pathway import walkthrough_view

_WIDE = {"description_width": "initial"}
RANDOM_CASE = "random"


def patient(facts: Facts, case_id: str, seed: int = 0) -> R.Case:
    """The patient a parameter names: a data case, or a seeded virtual patient for ``random``."""
    cases = facts.by_id("cases")
    if case_id in cases:
        return cases[case_id]
    from spasm_lib.virtual_patients import case_for  # only needed for virtual patients

    return case_for(facts, case_id, seed)


def walkthrough_html(facts: Facts, state: PathwayState, case: R.Case, audience: str) -> Html:
    """What the walkthrough shows for a state (the same for the live widget, handout and tests)."""
    return walkthrough_view(pathway(facts, state, case), audience)


def _step_options(facts: Facts, path: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    steps = facts.by_id("pathway_steps")
    return tuple((f"{steps[s].order}. {steps[s].title}", s) for s in path)


class TreatmentPathwayWalkthrough(Described, W.VBox):
    """Patient dropdown, Previous/Next buttons, step dropdown, improving checkbox, one HTML view."""

    description_text = "Treatment pathway walkthrough"

    def __init__(self, facts: Facts, patients: Mapping[str, R.Case], state: PathwayState, audience: str):
        self.facts = facts
        self.patients = dict(patients)
        self.audience = audience
        self._busy = False
        self.case = W.Dropdown(
            options=[(c.title, key) for key, c in self.patients.items()],
            value=state.case_id,
            description="Patient",
            layout=W.Layout(width="32em"),
        )
        path = journey(facts, self.patients[state.case_id], state.improving)
        self.step = W.Dropdown(
            options=_step_options(facts, path),
            value=shown_step(facts, path, state.step_id),
            description="Step",
            layout=W.Layout(width="26em"),
        )
        self.previous = W.Button(description="Previous step", icon="arrow-left", tooltip="Go back one step")
        self.next = W.Button(description="Next step", icon="arrow-right", tooltip="Go on one step")
        self.improving = W.Checkbox(
            value=state.improving, description="Is the treatment working?", indent=False, style=_WIDE
        )
        self.view = W.HTML()
        for control in (self.case, self.step, self.improving):
            control.observe(self._on_change, names="value")
        self.previous.on_click(lambda _b: self._move(-1))
        self.next.on_click(lambda _b: self._move(+1))
        super().__init__(
            [
                self.case,
                W.HBox([self.previous, self.step, self.next]),
                self.improving,
                self.view,
            ]
        )
        # Diagrams are drawn when first shown and cached by what they draw; drawing the whole path
        # up front would add about a second to running the notebook for a faster first Next click.
        self.refresh()

    @property
    def state(self) -> PathwayState:
        return PathwayState(self.case.value, self.step.value, bool(self.improving.value))

    def _move(self, offset: int) -> None:
        self.step.value = neighbour(self._path(), self.step.value, offset)

    def _path(self) -> tuple[str, ...]:
        return journey(self.facts, self.patients[self.case.value], bool(self.improving.value))

    def _on_change(self, _change: dict) -> None:
        if not self._busy:
            self.refresh()

    def refresh(self) -> None:
        """Bring the step list in line with the patient's path, then render the state."""
        self._busy = True
        try:
            path = self._path()
            options = _step_options(self.facts, path)
            wanted = shown_step(self.facts, path, self.step.value)
            if tuple(self.step.options) != options:
                self.step.options = options
            self.step.value = wanted
            result = self.result()
            self.improving.disabled = result.route == ROUTE_URGENT
            self.previous.disabled = path.index(wanted) == 0
            self.next.disabled = path.index(wanted) == len(path) - 1
            self.view.value = walkthrough_view(result, self.audience).markup
        finally:
            self._busy = False

    def result(self) -> PathwayResult:
        return pathway(self.facts, self.state, self.patients[self.case.value])


def _patients(facts: Facts, params: SimpleNamespace) -> dict[str, R.Case]:
    choices = {c.id: c for c in facts.cases}
    if params.case not in choices:
        choices[params.case] = patient(facts, params.case, getattr(params, "seed", 0))
    return choices


def treatment_pathway_walkthrough(
    params: SimpleNamespace, facts: Facts | None = None
) -> TreatmentPathwayWalkthrough | Html:
    """The walkthrough for notebook 03's parameters: live controls, or the static view of their state."""
    facts = facts or facts_for(params)
    case = patient(facts, params.case, getattr(params, "seed", 0))
    state = PathwayState(params.case, params.step, bool(params.improving))
    if params.interactive:
        return TreatmentPathwayWalkthrough(facts, _patients(facts, params), state, params.audience)
    return walkthrough_html(facts, state, case, params.audience)
