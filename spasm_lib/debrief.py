"""The debrief after a commit or a walk: the student's path beside an expert's, each difference explained.

Why: clinical teachers debrief the path, not the last click: what was asked and examined, in which
order, what the working hypothesis was and whether the examination tested it, how sure the student
was, and which reasoning error (if any) led astray. The paths are :mod:`spasm_lib.encounter`'s, the
errors :mod:`spasm_lib.reasoning_errors`'; everything shown is read from data, never written per case.

The live widget, the static worked example (expert beside a deliberately careless path) and the tests
all build the same :class:`Debrief` with :func:`debrief`, and :mod:`spasm_lib.views.debrief` draws it;
the pathway walk's predictions get theirs from :func:`pathway_debrief`.
"""

from __future__ import annotations

from dataclasses import dataclass

from spasm_lib import records as R
from spasm_lib.encounter import CONFIDENCE_LEVELS, HYPOTHESIS, STEP, Encounter, expert_path, site_for
from spasm_lib.exam_findings import exam_steps, perform
from spasm_lib.tables import Facts
from spasm_lib.reasoning_errors import OVER_TESTING, NamedError, discriminating_steps, reasoning_errors, tested_by
from spasm_lib.triage import Triage, case_triage


# --------------------------------------------------------------------------- the comparison


@dataclass(frozen=True)
class PathRow:
    """One line of the side-by-side: what the student did and what the expert did, and why they differ."""

    what: str
    """The step or decision, by name."""
    student: str
    expert: str
    same: bool | None
    """None for a line only the expert has (what happens next)."""
    explanation: str


@dataclass(frozen=True)
class Debrief:
    """Everything the debrief view shows, in data names."""

    case_id: str
    triage: Triage
    rows: tuple[PathRow, ...]
    errors: tuple[NamedError, ...]
    hypothesis: str | None
    hypothesis_name: str | None
    hypothesis_tested_by: tuple[str, ...]
    """Names of the performed steps that tested the working hypothesis."""
    hypothesis_testers: tuple[str, ...]
    """Names of every step that could have tested it."""
    committed_name: str | None
    expected_name: str
    confidence_label: str | None
    correct: bool | None


def _position(encounter: Encounter, step_id: str) -> int | None:
    order = [e.value for e in encounter.events if e.kind == STEP]
    order = list(dict.fromkeys(order))
    return order.index(step_id) + 1 if step_id in order else None


def debrief(facts: Facts, case: R.Case, encounter: Encounter, expert: Encounter | None = None) -> Debrief:
    """The student's path beside the expert's for this patient, each difference explained.

    ``expert``: the patient's :func:`expert_path`, when the caller keeps it (the widget computes it once
    per patient)."""
    steps = facts.by_id("exam_steps")
    interpretations = facts.by_id("interpretations")
    expert = expert or expert_path(facts, case)
    triage = case_triage(facts, case)
    errors = reasoning_errors(facts, case, encounter)
    over = {e.error.id for e in errors} & {OVER_TESTING}
    rows: list[PathRow] = []
    for step in exam_steps(facts):
        mine, theirs = _position(encounter, step.id), _position(expert, step.id)
        if mine is None and theirs is None:
            continue
        if mine and theirs:
            why = "Both did this step."
        elif theirs:
            shown = perform(facts, case, step.id, site_for(facts, case, step.id))
            would = " ".join(f.full_text for f in shown)
            why = f"{step.why_it_matters} Here it would have shown: {would}" if would else step.why_it_matters
        else:
            if over and step.provocative:
                why = "Not needed for this patient: after an emergency warning sign it only delays the transfer."
            else:
                why = "Not needed for this patient: whatever it shows cannot change the interpretation or the plan."
        rows.append(PathRow(step.name, f"step {mine}" if mine else "not done", f"step {theirs}" if theirs else "not done",
                            bool(mine) == bool(theirs), why))
    first_mine = next((e.value for e in encounter.events if e.kind == HYPOTHESIS), None)
    first_expert = next(e.value for e in expert.events if e.kind == HYPOTHESIS)
    name = lambda i: interpretations[i].name if i else "none given"  # noqa: E731
    rows.append(PathRow(
        "Working hypothesis after the history", name(first_mine), name(first_expert), first_mine == first_expert,
        "The same starting hypothesis." if first_mine == first_expert else
        "The expert's starting hypothesis is the most specific interpretation the history's findings point to.",
    ))
    revisions = lambda enc: [name(e.value) for e in enc.events if e.kind == HYPOTHESIS][1:]  # noqa: E731
    mine_rev, expert_rev = revisions(encounter), revisions(expert)
    if mine_rev or expert_rev:
        rows.append(PathRow(
            "Hypothesis revised", ", then ".join(mine_rev) or "never", ", then ".join(expert_rev) or "never",
            mine_rev == expert_rev,
            "The same revisions." if mine_rev == expert_rev else
            "The expert revises when a finding points to a more specific interpretation, and only then.",
        ))
    committed = encounter.committed
    expected = interpretations[case.interpretation_id]
    rows.append(PathRow(
        "Interpretation committed", name(committed), expected.name, committed == expected.id,
        "The same interpretation." if committed == expected.id else f"{expected.description} Next: {expected.next_action}",
    ))
    rows.append(PathRow(
        "Triage and what happens next", "", f"{triage.level.name}: {triage.level.action}", None, triage.level.why,
    ))
    held = encounter.hypothesis
    levels = dict(CONFIDENCE_LEVELS)
    return Debrief(
        case_id=case.id,
        triage=triage,
        rows=tuple(rows),
        errors=errors,
        hypothesis=held,
        hypothesis_name=interpretations[held].name if held else None,
        hypothesis_tested_by=tuple(steps[s].name for s in tested_by(facts, encounter, held)) if held else (),
        hypothesis_testers=tuple(steps[s].name for s in discriminating_steps(facts, held)) if held else (),
        committed_name=interpretations[committed].name if committed else None,
        expected_name=expected.name,
        confidence_label=levels.get(encounter.confidence or ""),
        correct=None if committed is None else committed == expected.id,
    )


# --------------------------------------------------------------------------- the pathway walk's debrief


@dataclass(frozen=True)
class PredictionRow:
    """One prediction of the walk beside the step that came (the expert's answer), and why."""

    number: int
    predicted: str
    actual: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class PathwayDebrief:
    triage: Triage
    rows: tuple[PredictionRow, ...]
    correct: int
    total: int


def pathway_debrief(facts: Facts, case: R.Case, predictions: tuple[tuple[str, str], ...]) -> PathwayDebrief:
    """The walk's predictions (predicted id or "", the step that came) beside the path, each miss explained
    from data: the step that came and its summary, and whether the predicted step is on this patient's
    path at all at this triage level."""
    steps = facts.by_id("pathway_steps")
    triage = case_triage(facts, case)
    rows = []
    for number, (predicted, actual) in enumerate(predictions, start=2):
        came = steps[actual]
        if predicted == actual:
            why = "Right."
        elif not predicted:
            why = f"No prediction. What came: {came.summary}"
        else:
            guess = steps[predicted]
            where = ("it comes later on this path" if triage.level.id in guess.triage_levels
                     else f"it is not on the path of a patient at the {triage.level.name.lower()} level")
            why = f"\u201c{guess.title}\u201d: {where}. What came first: {came.summary}"
        rows.append(PredictionRow(number, steps[predicted].title if predicted else "no prediction", came.title,
                                  predicted == actual, why))
    correct = sum(r.correct for r in rows)
    return PathwayDebrief(triage, tuple(rows), correct, len(rows))
