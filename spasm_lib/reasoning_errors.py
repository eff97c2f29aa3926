"""The reasoning errors a debrief names in a student's path, each detected by a rule (issue 20).

The errors and their explanations are rows of ``reasoning_errors.csv``; this module holds only the
rules that detect them (:func:`reasoning_errors`) and what they read from data: a **discriminating
step** for a hypothesis is a step some of whose findings point to it or rule it out while others do
not (``findings.csv``: ``points_to``, ``rules_out``).

Why apart from :mod:`spasm_lib.debrief`: the rules are the teaching judgement (premature closure,
anchoring, over-testing, a hypothesis never tested, calibration); the debrief only lays the two
paths side by side and shows what these rules found.
"""

from __future__ import annotations

from dataclasses import dataclass

from spasm_lib import records as R
from spasm_lib.encounter import (
    COMMIT,
    COMMIT_ATTEMPT,
    CONFIDENCE_LEVELS,
    HYPOTHESIS,
    STEP,
    SURE_LEVELS,
    UNSURE_LEVELS,
    Encounter,
)
from spasm_lib.exam_findings import RED_FLAG_KIND, RevealedFinding, exam_steps, perform
from spasm_lib.exam_grading import step_needed
from spasm_lib.tables import Facts
from spasm_lib.triage import EMERGENCY, case_triage

PREMATURE_CLOSURE = "premature-closure"
ANCHORING = "anchoring"
OVER_TESTING = "over-testing-emergency"
MISSED_DISCRIMINATING = "missed-discriminating-step"
CALIBRATION = "calibration"
ERROR_IDS = (PREMATURE_CLOSURE, ANCHORING, OVER_TESTING, MISSED_DISCRIMINATING, CALIBRATION)
"""The rows of ``reasoning_errors.csv`` this module detects (the loader's data must hold each)."""


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


def provocative_steps(facts: Facts) -> frozenset[str]:
    """Movement and stretch tests (``exam_steps.csv``, ``provocative``): after an emergency sign they only
    delay the transfer."""
    return frozenset(s.id for s in facts.exam_steps if s.provocative)


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
