"""The treatment pathway: which steps a patient goes through, and where they stand now.

Why the red-flag screen decides the route: the source refers to a specialist only after
conventional treatment fails (paragraph 5), but guidance refers at once when a warning sign suggests
serious disease (ahcpr1994). So the pathway first reads the case's red flags (``red_flags.csv``
urgency):

* an **emergency** flag (possible cauda equina syndrome) sends the patient straight to urgent referral
  (treatment ``urgent-referral``); every conservative step is skipped;
* only **prompt-assessment** flags: the patient is flagged for prompt assessment before the
  conservative plan is relied on (one flag alone is weak evidence, henschke2009);
* no flags: the conservative steps in order, then reassessment. Improving ends in self-care (staying
  active); not improving leads to specialist referral (orthopedics or neurology, paragraph 5).

Everything here is a pure function of the facts, the case and a :class:`PathwayState`.
"""

from __future__ import annotations

from dataclasses import dataclass

from spasm_lib import records as R
from spasm_lib.evidence import references_for
from spasm_lib.facts import Facts

STATUSES = ("done", "current", "upcoming", "skipped")

ROUTE_URGENT = "urgent-referral"
ROUTE_PROMPT = "prompt-assessment"
ROUTE_CONSERVATIVE = "conservative"
ROUTES = (ROUTE_URGENT, ROUTE_PROMPT, ROUTE_CONSERVATIVE)

URGENT_REFERRAL = "urgent-referral"
"""The treatment the red-flag screen leads to when a flag is an emergency."""
SPECIALIST_REFERRAL = "specialist-referral"
"""The treatment that follows a reassessment without improvement (source paragraph 5)."""
WEAK_ALONE_REFERENCE = "henschke2009"
"""The study behind "one red flag alone is weak evidence"."""


@dataclass(frozen=True)
class PathwayState:
    """What the student has chosen: the patient, the step shown, and whether treatment is working."""

    case_id: str
    step_id: str
    improving: bool = False


@dataclass(frozen=True)
class CheckedEvidence:
    """An evidence check with its references resolved, so a view needs no facts."""

    check: R.EvidenceCheck
    references: tuple[R.Reference, ...]


@dataclass(frozen=True)
class TreatmentDetail:
    """A treatment of a step: what it does and why (from the data), and the checks about it."""

    treatment: R.Treatment
    evidence: tuple[CheckedEvidence, ...]
    references: tuple[R.Reference, ...]
    """The treatment row's own references (its provenance)."""


@dataclass(frozen=True)
class StepDetail:
    """One pathway step with its status for this patient, its treatments and its evidence checks."""

    step: R.PathwayStep
    status: str
    treatments: tuple[TreatmentDetail, ...]
    other_evidence: tuple[CheckedEvidence, ...]
    """Checks of the step that are about no treatment of it (for example paracetamol alone)."""
    references: tuple[R.Reference, ...]
    """The step row's own references (its provenance)."""

    @property
    def id(self) -> str:
        return self.step.id


@dataclass(frozen=True)
class Branch:
    """An exit from the main line: urgent referral from the screen, or self-care after reassessment."""

    treatment: R.Treatment
    from_step_id: str
    condition: str
    taken: bool


@dataclass(frozen=True)
class PathwayResult:
    """The whole pathway for one patient and state, ready for a view."""

    state: PathwayState
    case: R.Case
    route: str
    emergency_flags: tuple[R.RedFlag, ...]
    prompt_flags: tuple[R.RedFlag, ...]
    steps: tuple[StepDetail, ...]
    journey: tuple[str, ...]
    current: StepDetail
    branches: tuple[Branch, ...]
    outcome: R.Treatment
    """Where this patient's path ends: urgent referral, specialist referral or self-care."""
    outcome_references: tuple[R.Reference, ...]
    note: str | None
    """Set when the requested step is not on this patient's path and another step is shown."""
    flag_references: tuple[R.Reference, ...]
    """References behind the red-flag screen (the flags' own and the weak-alone study)."""

    def step(self, step_id: str) -> StepDetail:
        return next(s for s in self.steps if s.id == step_id)

    @property
    def statuses(self) -> dict[str, str]:
        return {s.id: s.status for s in self.steps}


# --------------------------------------------------------------------------- the route


def ordered_steps(facts: Facts) -> tuple[R.PathwayStep, ...]:
    return tuple(sorted(facts.pathway_steps, key=lambda s: s.order))


def _step_of_kind(facts: Facts, kind: str) -> R.PathwayStep:
    for step in ordered_steps(facts):
        if step.kind == kind:
            return step
    raise ValueError(f"data/pathway_steps.csv has no step of kind '{kind}'")


def _referral_step(facts: Facts) -> R.PathwayStep:
    for step in ordered_steps(facts):
        if SPECIALIST_REFERRAL in step.treatment_ids:
            return step
    raise ValueError(f"data/pathway_steps.csv has no step with treatment '{SPECIALIST_REFERRAL}'")


def case_red_flags(facts: Facts, case: R.Case) -> tuple[tuple[R.RedFlag, ...], tuple[R.RedFlag, ...]]:
    """The case's red flags split by urgency: (emergency, prompt assessment)."""
    flags = facts.by_id("red_flags")
    mine = tuple(flags[i] for i in case.red_flag_ids)
    return (
        tuple(f for f in mine if f.urgency == "emergency"),
        tuple(f for f in mine if f.urgency == "prompt-assessment"),
    )


def route(facts: Facts, case: R.Case) -> str:
    """The route the red-flag screen chooses: urgent referral, prompt assessment or conservative."""
    emergency, prompt = case_red_flags(facts, case)
    if emergency:
        return ROUTE_URGENT
    if prompt:
        return ROUTE_PROMPT
    return ROUTE_CONSERVATIVE


def self_care_treatment(facts: Facts) -> R.Treatment:
    """The treatment an improving patient continues with (the first of kind ``self-care``)."""
    for t in facts.treatments:
        if t.kind == "self-care":
            return t
    raise ValueError("data/treatments.csv has no treatment of kind 'self-care'")


def journey(facts: Facts, case: R.Case, improving: bool) -> tuple[str, ...]:
    """The step ids this patient passes through, in order.

    Emergency red flag: the screen only (it leads to urgent referral). Otherwise every step up to
    reassessment, then specialist referral when not improving; an improving patient ends at
    reassessment and continues with self-care.
    """
    screen = _step_of_kind(facts, "screen")
    if route(facts, case) == ROUTE_URGENT:
        return (screen.id,)
    referral = _referral_step(facts)
    reassess = _step_of_kind(facts, "reassess")
    path = [s.id for s in ordered_steps(facts) if s.order <= reassess.order]
    if not improving:
        path.append(referral.id)
    return tuple(path)


def outcome(facts: Facts, case: R.Case, improving: bool) -> R.Treatment:
    """Where the path ends: urgent referral, specialist referral or self-care."""
    treatments = facts.by_id("treatments")
    if route(facts, case) == ROUTE_URGENT:
        return treatments[URGENT_REFERRAL]
    if not improving:
        return treatments[SPECIALIST_REFERRAL]
    return self_care_treatment(facts)


# --------------------------------------------------------------------------- one state


def _checked(facts: Facts, check: R.EvidenceCheck) -> CheckedEvidence:
    return CheckedEvidence(check, references_for(facts, check))


def _detail(facts: Facts, step: R.PathwayStep, status: str) -> StepDetail:
    treatments = facts.by_id("treatments")
    checks = [facts.by_id("evidence_checks")[i] for i in step.evidence_check_ids]
    details = tuple(
        TreatmentDetail(
            treatments[tid],
            tuple(_checked(facts, c) for c in checks if c.treatment_id == tid),
            references_for(facts, treatments[tid]),
        )
        for tid in step.treatment_ids
    )
    others = tuple(_checked(facts, c) for c in checks if c.treatment_id not in step.treatment_ids)
    return StepDetail(step, status, details, others, references_for(facts, step))


def shown_step(facts: Facts, path: tuple[str, ...], step_id: str) -> str:
    """The step to show for a request: itself when on the path, else the last path step before it."""
    by_id = facts.by_id("pathway_steps")
    if step_id not in by_id:
        raise ValueError(
            f"unknown pathway step '{step_id}'; expected one of: {', '.join(s.id for s in ordered_steps(facts))}"
        )
    if step_id in path:
        return step_id
    wanted = by_id[step_id].order
    before = [sid for sid in path if by_id[sid].order <= wanted]
    return before[-1] if before else path[0]


def pathway(facts: Facts, state: PathwayState, case: R.Case) -> PathwayResult:
    """Every step with its status (done / current / upcoming / skipped) for this patient and state.

    ``case`` is the patient (a data case or a virtual patient); ``state.case_id`` names it as the
    student chose it (an id, or ``random``). A requested step that is not on this patient's path
    (for example "Medication" after an emergency red flag) shows the last step before it, with a note.
    """
    if state.case_id not in (case.id, "random"):
        raise ValueError(f"the state is for case '{state.case_id}' but the case given is '{case.id}'")
    path = journey(facts, case, state.improving)
    current_id = shown_step(facts, path, state.step_id)
    position = path.index(current_id)
    by_id = facts.by_id("pathway_steps")
    note = None
    if current_id != state.step_id:
        note = (
            f"'{by_id[state.step_id].title}' is not on this patient's path, so "
            f"'{by_id[current_id].title}' is shown."
        )

    def status(step_id: str) -> str:
        if step_id not in path:
            return "skipped"
        index = path.index(step_id)
        return "done" if index < position else "current" if index == position else "upcoming"

    steps = tuple(_detail(facts, s, status(s.id)) for s in ordered_steps(facts))
    emergency, prompt = case_red_flags(facts, case)
    chosen_route = route(facts, case)
    treatments = facts.by_id("treatments")
    branches = (
        Branch(treatments[URGENT_REFERRAL], _step_of_kind(facts, "screen").id, "emergency red flag",
               chosen_route == ROUTE_URGENT),
        Branch(self_care_treatment(facts), _step_of_kind(facts, "reassess").id, "improving",
               chosen_route != ROUTE_URGENT and state.improving),
    )
    end = outcome(facts, case, state.improving)
    refs = facts.by_id("references")
    flag_ref_ids = dict.fromkeys(
        [rid for f in emergency + prompt for rid in f.reference_ids]
        + ([WEAK_ALONE_REFERENCE] if prompt and WEAK_ALONE_REFERENCE in refs else [])
    )
    return PathwayResult(
        state=state,
        case=case,
        route=chosen_route,
        emergency_flags=emergency,
        prompt_flags=prompt,
        steps=steps,
        journey=path,
        current=next(s for s in steps if s.id == current_id),
        branches=branches,
        outcome=end,
        outcome_references=references_for(facts, end),
        note=note,
        flag_references=tuple(refs[i] for i in flag_ref_ids),
    )


def neighbour(path: tuple[str, ...], step_id: str, offset: int) -> str:
    """The step ``offset`` places along the path from ``step_id``, kept within the path."""
    index = path.index(step_id) + offset
    return path[max(0, min(len(path) - 1, index))]


def treatment_table(facts: Facts):
    """Every treatment in the course as a table: what it does, why, and where that comes from.

    The source's treatments (paragraphs 4 and 5) come first, then those current guidance adds,
    so a student reads the source and the evidence beyond it in one place.
    """
    import pandas

    rows = sorted(facts.treatments, key=lambda t: (t.beyond_source, t.source_paragraph or 0))
    return pandas.DataFrame(
        [
            (
                t.name,
                t.kind,
                t.what_it_does,
                t.why,
                f"Source, paragraph {t.source_paragraph}" if t.source_paragraph else "Beyond the source",
                "; ".join(r.short for r in references_for(facts, t)),
            )
            for t in rows
        ],
        columns=["treatment", "kind", "what it does", "why", "where from", "references"],
    )
