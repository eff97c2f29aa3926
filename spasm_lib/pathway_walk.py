"""The predicting walk along a patient's pathway (notebook 03): the student's state and its rules.

A walk is a :class:`PathwayState`: how many steps of the patient's path are shown, the student's
answer at the review ("is it working?", asked there and nowhere else), and the student's prediction
of each next step before it is shown. Everything here is a pure function of the facts, the patient
and the state; the widget only keeps the state and renders :func:`walk`'s result.

Why apart from :mod:`spasm_lib.treatment_pathway`: that module says which steps a patient's path
holds and what the plan is (the case study, the handouts and the answer key read it too); this one
holds the rules of the exercise: one step revealed at a time, a prediction before each, the review
answered before going on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spasm_lib import records as R
from spasm_lib.facts import RANDOM_CASE
from spasm_lib.tables import Facts
from spasm_lib.treatment_pathway import REVIEW_KIND, Plan, StepDetail, journey, model_plan, ordered_steps, step_detail
from spasm_lib.triage import Triage, case_triage


@dataclass(frozen=True)
class PathwayState:
    """A walk along one patient's path.

    ``shown`` steps of the path are on screen; ``improving`` is the student's answer at the review
    (None until asked); ``predictions`` pairs the step the student predicted with the step that
    came, one pair per step revealed after the first.
    """

    case_id: str
    shown: int = 1
    improving: bool | None = None
    predictions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Prediction:
    predicted: R.PathwayStep | None
    actual: R.PathwayStep

    @property
    def correct(self) -> bool:
        return self.predicted is not None and self.predicted.id == self.actual.id

    @property
    def made(self) -> bool:
        """False when the student went on without predicting: that is not a wrong prediction."""
        return self.predicted is not None


@dataclass(frozen=True)
class WalkResult:
    """Where a walk stands, ready for a view."""

    state: PathwayState
    case: R.Case
    triage: Triage
    shown: tuple[StepDetail, ...]
    awaiting_review_answer: bool
    """The last step shown is the review and the student has not said whether it is working."""
    finished: bool
    choices: tuple[R.PathwayStep, ...]
    """Steps the student may predict as next: every step, in pathway order. Steps already shown stay
    in the menu, so the next step cannot be found by elimination."""
    last_prediction: Prediction | None
    correct_predictions: int
    predictions_made: int
    """Steps revealed after a prediction; going on without one is not counted as wrong."""
    plan: Plan
    review_answer: bool | None = None
    """Whether the person is improving, as answered at a review step already shown (else None)."""

    @property
    def current(self) -> StepDetail:
        return self.shown[-1]


def _path_for(facts: Facts, case: R.Case, state: PathwayState) -> tuple[str, ...]:
    return journey(facts, case, improving=bool(state.improving))


def walk(facts: Facts, state: PathwayState, case: R.Case) -> WalkResult:
    """The walk's view of the state: the steps shown, what is asked next, the summary when done."""
    if state.case_id not in (case.id, RANDOM_CASE):
        raise ValueError(f"the state is for case '{state.case_id}' but the case given is '{case.id}'")
    path = _path_for(facts, case, state)
    if not 1 <= state.shown <= len(path):
        raise ValueError(f"shown must be from 1 to {len(path)} for this patient; got {state.shown}")
    steps = facts.by_id("pathway_steps")
    if state.improving is not None and not any(steps[s].kind == REVIEW_KIND for s in path[: state.shown]):
        raise ValueError("whether the treatment is working is answered at the review, not before it")
    shown = tuple(step_detail(facts, steps[s], case) for s in path[: state.shown])
    awaiting = shown[-1].step.kind == REVIEW_KIND and state.improving is None
    finished = state.shown == len(path) and not awaiting
    last = None
    if state.predictions:
        predicted, actual = state.predictions[-1]
        last = Prediction(steps.get(predicted), steps[actual])
    return WalkResult(
        state=state,
        case=case,
        triage=case_triage(facts, case),
        shown=shown,
        awaiting_review_answer=awaiting,
        finished=finished,
        choices=tuple(ordered_steps(facts)),
        last_prediction=last,
        correct_predictions=sum(p == a for p, a in state.predictions),
        predictions_made=sum(bool(p) for p, _ in state.predictions),
        plan=model_plan(facts, case),
        review_answer=state.improving if any(d.step.kind == REVIEW_KIND for d in shown) else None,
    )


def advance(facts: Facts, state: PathwayState, case: R.Case, predicted_step_id: str | None) -> PathwayState:
    """Show the next step of the path, recording which step the student predicted.

    Refused (ValueError) while the review question is unanswered or when the walk is finished.
    """
    result = walk(facts, state, case)
    if result.awaiting_review_answer:
        raise ValueError("answer whether the treatment is working before going on")
    if result.finished:
        raise ValueError("the walk is finished: this patient's path has no further step")
    actual = _path_for(facts, case, state)[state.shown]
    return replace(state, shown=state.shown + 1,
                   predictions=state.predictions + ((predicted_step_id or "", actual),))


def answer_review(state: PathwayState, improving: bool) -> PathwayState:
    """The student's answer at the review: is the treatment working?"""
    return replace(state, improving=improving)


def complete_walk(facts: Facts, case: R.Case, improving: bool = False) -> PathwayState:
    """The state of a finished walk (every step shown): what a handout prints."""
    path = journey(facts, case, improving)
    has_review = any(facts.by_id("pathway_steps")[s].kind == REVIEW_KIND for s in path)
    return PathwayState(case.id, len(path), improving if has_review else None)
