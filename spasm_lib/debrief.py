"""The debrief after a commit: the student's path beside an expert's, and the reasoning errors named.

Why: feedback that judges only the last click teaches guessing. Clinical teachers debrief the path:
what was asked and examined, in which order, what the working hypothesis was and whether the
examination tested it, how sure the student was, and which reasoning error (if any) led astray.

Everything here is read from data, never written per case:

- the **expert path** comes from the steps this patient needs (:func:`exam_grading.step_needed`,
  which follows the triage level), history first, the working hypothesis the history findings point
  to (revised when a later finding points to a more specific interpretation), then the commit of the
  interpretation the patient's findings and triage support;
- a **discriminating step** for a hypothesis is a step some of whose findings point to it or rule it
  out while others do not (``findings.csv``: ``points_to``, ``rules_out``);
- the **reasoning errors** and their explanations are rows of ``reasoning_errors.csv``; this module
  holds only the rules that detect them (:func:`reasoning_errors`).

The student's path is an :class:`Encounter`: the events in the order they happened (steps, working
hypothesis and its revisions, confidence, commit attempts). The live widget, the static worked
example (expert beside a deliberately careless path, :func:`careless_path`) and the tests all build
the same :class:`Debrief` with :func:`debrief`, and :mod:`spasm_lib.views.debrief` draws it.
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
from spasm_lib.facts import Facts
from spasm_lib.triage import EMERGENCY, Triage, case_triage

HISTORY_KINDS = ("history", RED_FLAG_KIND)
"""Steps taken by asking (the history and the warning-sign questions): the working hypothesis is
asked for after these, before the physical examination."""

PREMATURE_CLOSURE = "premature-closure"
ANCHORING = "anchoring"
OVER_TESTING = "over-testing-emergency"
MISSED_DISCRIMINATING = "missed-discriminating-step"
CALIBRATION = "calibration"
ERROR_IDS = (PREMATURE_CLOSURE, ANCHORING, OVER_TESTING, MISSED_DISCRIMINATING, CALIBRATION)
"""The rows of ``reasoning_errors.csv`` this module detects (the loader's data must hold each)."""

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


# --------------------------------------------------------------------------- data lookups


def is_history_step(facts: Facts, step_id: str) -> bool:
    return facts.by_id("exam_steps")[step_id].kind in HISTORY_KINDS


def discriminating_steps(facts: Facts, interpretation_id: str) -> tuple[str, ...]:
    """Steps whose answer can differ for this interpretation: some finding of the step points to it
    or rules it out, and some other finding of the same step does neither (or the opposite); and the
    warning-sign questions for an interpretation a red flag suggests (``red_flags.csv``, ``suggests``)."""
    relation: dict[str, set[str]] = {}
    for f in facts.findings:
        rel = "for" if f.points_to == interpretation_id else "against" if f.rules_out == interpretation_id else "none"
        relation.setdefault(f.step_id, set()).add(rel)
    suggested = any(flag.suggests == interpretation_id for flag in facts.red_flags)
    return tuple(s.id for s in exam_steps(facts)
                 if (len(relation.get(s.id, set())) > 1 and relation[s.id] - {"none"})
                 or (suggested and s.kind == RED_FLAG_KIND))


def _site_for(facts: Facts, case: R.Case, step_id: str) -> str | None:
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
        site = _site_for(facts, case, step.id)
        path = path.then(STEP, step.id, site)
        revealed.extend(perform(facts, case, step.id, site))
    rank = {i.id: i.priority for i in facts.interpretations}
    held = most_specific(facts, (f.points_to for f in revealed)) or commonest(facts)
    path = path.then(HYPOTHESIS, held)
    for step in physical:
        site = _site_for(facts, case, step.id)
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


def provocative_steps(facts: Facts) -> frozenset[str]:
    """Movement and stretch tests (``exam_steps.csv``, ``provocative``): after an emergency sign they only
    delay the transfer."""
    return frozenset(s.id for s in facts.exam_steps if s.provocative)


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
            path = path.then(STEP, step.id, _site_for(facts, case, step.id))
    return path.then(CONFIDENCE, SURE_LEVELS[0]).then(COMMIT, usual)


# --------------------------------------------------------------------------- the rules


@dataclass(frozen=True)
class NamedError:
    """A reasoning error that happened, with the row that explains it and what in the path showed it."""

    error: R.ReasoningError
    evidence: str
    """What in this student's path shows the error, in a sentence built from data names."""


def _commit_index(encounter: Encounter) -> int:
    for i, e in enumerate(encounter.events):
        if e.kind == COMMIT:
            return i
    return len(encounter.events)


def reasoning_errors(facts: Facts, case: R.Case, encounter: Encounter) -> tuple[NamedError, ...]:
    """The reasoning errors in this path, in the order of ``reasoning_errors.csv``."""
    rows = facts.by_id("reasoning_errors")
    steps = facts.by_id("exam_steps")
    interpretations = facts.by_id("interpretations")
    found: dict[str, str] = {}
    events = encounter.events[: _commit_index(encounter) + 1]
    screened = False
    held: str | None = None
    contradicted: tuple[str, str] | None = None  # (hypothesis, the finding's step name) not yet revised
    emergency_seen = False
    triage = case_triage(facts, case)
    provocative = provocative_steps(facts)
    over_tests: list[str] = []
    revealed: list[tuple[str, RevealedFinding]] = []
    for e in events:
        if e.kind == STEP:
            step = steps[e.value]
            shown = perform(facts, case, e.value, e.site)
            revealed.extend((step.name, f) for f in shown)
            if emergency_seen and (e.value in provocative or not step_needed(facts, case, step)):
                over_tests.append(step.name)
            if step.kind == RED_FLAG_KIND:
                screened = True
                if triage.level.id == EMERGENCY and any(f.red_flag for f in shown):
                    emergency_seen = True
            if held and any(f.rules_out == held for f in shown) and contradicted is None:
                contradicted = (held, step.name)
        elif e.kind == HYPOTHESIS:
            held = e.value
            if contradicted and contradicted[0] != held:
                contradicted = None
            against = [name for name, f in revealed if f.rules_out == held]
            if against and contradicted is None:
                contradicted = (held, against[0])
        elif e.kind in (COMMIT_ATTEMPT, COMMIT) and not screened and PREMATURE_CLOSURE not in found:
            found[PREMATURE_CLOSURE] = (
                f"A commit to \u201c{interpretations[e.value].name}\u201d came before the {_screen_names(facts)}."
            )
        if e.kind == COMMIT and contradicted and (held == contradicted[0] or e.value == contradicted[0]):
            found[ANCHORING] = (f"{contradicted[1]} argued against \u201c{interpretations[contradicted[0]].name}\u201d, "
                                "and that hypothesis was kept to the end.")
    if over_tests:
        found[OVER_TESTING] = ("After the emergency warning sign the examination went on with: "
                               f"{', '.join(dict.fromkeys(over_tests))}.")
    if held is not None:
        tested = tested_by(facts, encounter, held)
        if not tested:
            names = [steps[s].name for s in discriminating_steps(facts, held)]
            found[MISSED_DISCRIMINATING] = (
                f"The working hypothesis was \u201c{interpretations[held].name}\u201d; none of the steps chosen "
                + (f"could test it (these could: {', '.join(names)})." if names else "could test it.")
            )
    committed, level = encounter.committed, encounter.confidence
    if committed and level:
        right = committed == case.interpretation_id
        label = dict(CONFIDENCE_LEVELS)[level]
        if level in SURE_LEVELS and not right:
            found[CALIBRATION] = f"The confidence given was \u201c{label}\u201d, and the interpretation was wrong."
        elif level in UNSURE_LEVELS and right:
            found[CALIBRATION] = f"The confidence given was \u201c{label}\u201d, and the interpretation was right."
    return tuple(NamedError(r, found[r.id]) for r in sorted(facts.reasoning_errors, key=lambda r: r.order) if r.id in found)


def _screen_names(facts: Facts) -> str:
    names = [s.name[0].lower() + s.name[1:] for s in exam_steps(facts) if s.kind == RED_FLAG_KIND]
    return " and ".join(names)


def tested_by(facts: Facts, encounter: Encounter, hypothesis: str) -> tuple[str, ...]:
    """The steps of this path (before the commit) that could test ``hypothesis``."""
    can = set(discriminating_steps(facts, hypothesis))
    events = encounter.events[: _commit_index(encounter)]
    return tuple(dict.fromkeys(e.value for e in events if e.kind == STEP and e.value in can))


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
            shown = perform(facts, case, step.id, _site_for(facts, case, step.id))
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
