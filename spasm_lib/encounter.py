"""A student's path through one patient (:class:`Encounter`), and the two paths it is set beside.

Why: feedback that judges only the last click teaches guessing; a debrief compares paths. The
student's path is an :class:`Encounter`: the events in the order they happened (steps, working
hypothesis and its revisions, confidence, commit attempts). The **expert path** is read from data,
never written per case: the steps this patient needs (:func:`spasm_lib.exam_grading.step_needed`,
which follows the triage level), history first, the working hypothesis the history findings point
to (revised when a later finding points to a more specific interpretation), then the commit of the
interpretation the patient's findings and triage support. The **careless path** is the worked
example's deliberately careless student.

Why apart from :mod:`spasm_lib.reasoning_errors` (the rules that name what went wrong in a path)
and :mod:`spasm_lib.debrief` (the side-by-side): both read an encounter; this module only says what
one is and what the model paths are.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spasm_lib import records as R
from spasm_lib.exam_findings import (
    RED_FLAG_KIND,
    ExamState,
    RevealedFinding,
    by_priority,
    exam_steps,
    most_specific,
    perform,
    record_step,
    step_needs_site,
)
from spasm_lib.exam_grading import step_needed
from spasm_lib.tables import Facts
from spasm_lib.triage import EMERGENCY, case_triage

HISTORY_KINDS = ("history", RED_FLAG_KIND)
"""Steps taken by asking (the history and the warning-sign questions): the working hypothesis is
asked for after these, before the physical examination."""

CONFIDENCE_LEVELS: tuple[tuple[str, str], ...] = (
    ("guessing", "A guess: I am not sure at all"),
    ("unsure", "Unsure: it could well be something else"),
    ("fairly-sure", "Fairly sure"),
    ("sure", "Sure"),
)
"""The four confidence levels (id, the label the student reads), least to most sure. Interface
wording: the scale of the question, not a clinical claim."""
CONFIDENCE_IDS = tuple(i for i, _ in CONFIDENCE_LEVELS)
SURE_LEVELS = ("sure",)
"""Sure enough that a wrong answer is a calibration error (sure and wrong)."""
UNSURE_LEVELS = ("guessing",)
"""Unsure enough that a right answer is a calibration error (unsure and right)."""

STEP, HYPOTHESIS, CONFIDENCE, COMMIT_ATTEMPT, COMMIT = "step", "hypothesis", "confidence", "commit-attempt", "commit"
EVENT_KINDS = (STEP, HYPOTHESIS, CONFIDENCE, COMMIT_ATTEMPT, COMMIT)


@dataclass(frozen=True)
class Event:
    """One thing the student did: a step (with the site where needed), a working hypothesis (the
    first is the hypothesis, later ones are revisions), a confidence level, a refused commit
    attempt, or the commit."""

    kind: str
    value: str
    site: str | None = None


@dataclass(frozen=True)
class Encounter:
    """A student's path through one patient: the events in the order they happened."""

    case_id: str
    events: tuple[Event, ...] = ()

    def then(self, kind: str, value: str, site: str | None = None) -> Encounter:
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind '{kind}'; expected one of: {', '.join(EVENT_KINDS)}")
        return replace(self, events=self.events + (Event(kind, value, site),))

    @property
    def hypothesis(self) -> str | None:
        """The working hypothesis held now (the latest given)."""
        held = [e.value for e in self.events if e.kind == HYPOTHESIS]
        return held[-1] if held else None

    @property
    def confidence(self) -> str | None:
        levels = [e.value for e in self.events if e.kind == CONFIDENCE]
        return levels[-1] if levels else None

    @property
    def committed(self) -> str | None:
        commits = [e.value for e in self.events if e.kind == COMMIT]
        return commits[-1] if commits else None

    def exam_state(self, facts: Facts) -> ExamState:
        """The simulator's state for this path (steps in order, the commit)."""
        state = ExamState(self.case_id)
        for e in self.events:
            if e.kind == STEP:
                state = record_step(facts, state, e.value, e.site)
        return state.committed(self.committed)


def is_history_step(facts: Facts, step_id: str) -> bool:
    return facts.by_id("exam_steps")[step_id].kind in HISTORY_KINDS


def site_for(facts: Facts, case: R.Case, step_id: str) -> str | None:
    """Where a step is done on a model path: at the spasm for a step that needs a site, else nowhere."""
    return case.spasm_site if step_needs_site(facts, step_id) else None


# --------------------------------------------------------------------------- the expert path


def expert_path(facts: Facts, case: R.Case) -> Encounter:
    """What a careful examiner does for this patient, from data and the triage level.

    The needed history steps first (teaching order), then the working hypothesis the history points
    to (the most specific interpretation its findings name, or the commonest when they name none),
    then the needed examination steps, revising the hypothesis whenever the findings so far point to
    a more specific interpretation; then a confident commit of the interpretation the patient's
    findings and triage support.
    """
    needed = [s for s in exam_steps(facts) if step_needed(facts, case, s)]
    if case_triage(facts, case).level.id == EMERGENCY:  # no provocative test delays the transfer
        needed = [s for s in needed if not s.provocative]
    history = [s for s in needed if s.kind in HISTORY_KINDS]
    physical = [s for s in needed if s.kind not in HISTORY_KINDS]
    path = Encounter(case.id)
    revealed: list[RevealedFinding] = []
    for step in history:
        site = site_for(facts, case, step.id)
        path = path.then(STEP, step.id, site)
        revealed.extend(perform(facts, case, step.id, site))
    rank = {i.id: i.priority for i in facts.interpretations}
    held = most_specific(facts, (f.points_to for f in revealed)) or commonest(facts)
    path = path.then(HYPOTHESIS, held)
    for step in physical:
        site = site_for(facts, case, step.id)
        path = path.then(STEP, step.id, site)
        revealed.extend(perform(facts, case, step.id, site))
        now = most_specific(facts, (f.points_to for f in revealed))
        if now and now != held and rank[now] < rank[held]:
            held = now
            path = path.then(HYPOTHESIS, held)
    if held != case.interpretation_id:
        path = path.then(HYPOTHESIS, case.interpretation_id)
    return path.then(CONFIDENCE, SURE_LEVELS[0]).then(COMMIT, case.interpretation_id)


def commonest(facts: Facts) -> str:
    """The working diagnosis of most people (the least specific, ``priority`` highest): non-specific
    back pain; a hypothesis held before any finding names one."""
    return by_priority(facts)[-1].id


def careless_path(facts: Facts, case: R.Case) -> Encounter:
    """A deliberately careless student, for the worked example: one history question, a hypothesis
    of the commonest interpretation straight away, an attempt to commit before the warning-sign
    questions, then the questions (because the simulator insists), every movement test, and a sure
    commit of the first hypothesis."""
    steps = exam_steps(facts)
    first_history = next(s for s in steps if s.kind == "history")
    usual = commonest(facts)
    path = (Encounter(case.id).then(STEP, first_history.id).then(HYPOTHESIS, usual)
            .then(COMMIT_ATTEMPT, usual))
    for step in steps:
        if step.kind == RED_FLAG_KIND:
            path = path.then(STEP, step.id)
    for step in steps:
        if step.kind == "movement":
            path = path.then(STEP, step.id, site_for(facts, case, step.id))
    return path.then(CONFIDENCE, SURE_LEVELS[0]).then(COMMIT, usual)
