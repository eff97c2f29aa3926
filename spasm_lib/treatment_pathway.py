"""The treatment pathway: the steps a patient goes through, chosen by their triage level and,
where the plan depends on it, their working diagnosis.

Why the triage decides the route: the source refers to a specialist only after conventional
treatment fails (paragraph 5), but guidance acts on a warning sign at once, with an urgency that
depends on the concern (guidelines-2 section 3). Each step of ``pathway_steps.csv`` names the
triage levels whose path passes through it, and may name the patients it is only for (``only_for``)
or never for (``not_for``): an interpretation id (the working diagnosis, ``case.interpretation_id``),
an interpretation group, or a patient feature (``tissue-injury``, ``radicular``, ``yellow-flags``).
So the route is data, and no diagnosis has an ``if`` here:

* ``emergency``: the screen, same-day emergency care, pain relief that never delays the transfer,
  the safety net in writing;
* ``urgent``: the screen, assessment within the time the concern needs, pain relief while waiting,
  the safety net;
* ``watchful`` and ``routine``: the screen, risk stratification for the new episode, reassurance and
  staying active, heat (never on a hot, red, swollen back), an NSAID with its cautions if a medicine
  is wanted, a review that measures progress (sooner, with the flags asked again, when watchful);
  without improvement, reassessment and a programme, and a specialist opinion only on stated
  criteria; a neurological safety net for nerve-root pain; the safety net last.

How soon, for an urgent or emergency patient, comes from the triage (``Triage.actions``: the flags
that set the level and the timeframe of each, from ``red_flags.csv``) and is shown with the
referral step, in the plan and in the case study's answer.

The source's own advice (ice, rest, compression, muscle relaxants, referral to orthopedics or
neurology) is never a step: it stands beside the steps as evidence checks ("the source says /
guidance says").

The predicting walk along this path (notebook 03) is :mod:`spasm_lib.pathway_walk`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from spasm_lib import records as R
from spasm_lib.evidence import CheckedEvidence, references_for
from spasm_lib.tables import Facts
from spasm_lib.triage import Triage, case_triage

REVIEW_KIND = "reassess"
"""Steps of this kind ask whether the treatment is working."""
REFERRAL_KIND = "referral"
SELF_MANAGEMENT_KIND = "self-management"
NOT_IMPROVING = "not-improving"
TIMED_KINDS = ("emergency-referral", "urgent-referral")
"""Steps of these kinds show how soon the patient's concern must be seen (``Triage.actions``)."""
HOW_SOON = "How soon, for this concern"
"""The one heading of the timeframes, in the triage box, the referral step, the plan and the answers."""

CONDITIONAL_NOTE = "only if not improving at the review"
"""How a plan step taken only without improvement is marked wherever a plan is listed."""
CONDITIONAL_NOTE_SHORT = "only if not improving"
"""The same mark where space is short: the walk's diagram boxes and the answer key's one-line plan."""


@dataclass(frozen=True)
class TreatmentDetail:
    """A treatment of a step: what it does and why (from the data), and the checks about it."""

    treatment: R.Treatment
    evidence: tuple[CheckedEvidence, ...]
    references: tuple[R.Reference, ...]


@dataclass(frozen=True)
class StepDetail:
    """One pathway step with everything a view shows about it."""

    step: R.PathwayStep
    treatments: tuple[TreatmentDetail, ...]
    other_evidence: tuple[CheckedEvidence, ...]
    """Checks of the step about no treatment of it (the source's ice or rest, paracetamol...)."""
    references: tuple[R.Reference, ...]
    note: str | None
    """The step's yellow-flag note, for a patient with yellow flags."""
    timeframes: tuple[tuple[str, str], ...] = ()
    """For a referral step: (concern, what to do and how soon) of the flags that set the level."""

    @property
    def id(self) -> str:
        return self.step.id

    @property
    def conditional(self) -> bool:
        """True for a step taken only if the patient is not improving at the review."""
        return self.step.when == NOT_IMPROVING


# --------------------------------------------------------------------------- the route


def ordered_steps(facts: Facts) -> tuple[R.PathwayStep, ...]:
    return tuple(sorted(facts.pathway_steps, key=lambda s: s.order))


def timeframes(triage: Triage) -> tuple[tuple[str, str], ...]:
    """(what raised it, what to do and how soon): the flags that set the level, most urgent first,
    or the working diagnosis when no flag sets it (``Triage.actions``, from the data's timeframes)."""
    return triage.actions


def patient_tags(facts: Facts, case: R.Case) -> frozenset[str]:
    """What a step's ``only_for`` / ``not_for`` can match for this patient: the working diagnosis,
    its group, and the patient's own features (:data:`spasm_lib.vocabulary.PATIENT_FEATURES`)."""
    interpretation = facts.by_id("interpretations").get(case.interpretation_id)
    group = interpretation.group if interpretation else None
    features = {
        "tissue-injury": case.tissue_injury,
        "radicular": case.radicular,
        "yellow-flags": bool(case.yellow_flag_ids),
    }
    return frozenset({case.interpretation_id, *([group] if group else []),
                      *(name for name, holds in features.items() if holds)})


def step_applies(step: R.PathwayStep, level: str, tags: frozenset[str], improving: bool) -> bool:
    """Whether this step is on the path of a patient of this level, with these tags."""
    return (
        level in step.triage_levels
        and not (improving and step.when == NOT_IMPROVING)
        and (not step.only_for or bool(tags & set(step.only_for)))
        and not tags & set(step.not_for)
    )


def journey(facts: Facts, case: R.Case, improving: bool) -> tuple[str, ...]:
    """The step ids this patient passes through, in order.

    ``improving`` is the answer at the review: an improving patient skips the steps marked
    ``not-improving`` (reassessment, a programme, a specialist opinion). Emergency and urgent
    patients have no review.
    """
    level = case_triage(facts, case).id
    tags = patient_tags(facts, case)
    return tuple(s.id for s in ordered_steps(facts) if step_applies(s, level, tags, improving))


def step_detail(facts: Facts, step: R.PathwayStep, case: R.Case) -> StepDetail:
    treatments = facts.by_id("treatments")
    checks = [facts.by_id("evidence_checks")[i] for i in step.evidence_check_ids]

    def checked(c: R.EvidenceCheck) -> CheckedEvidence:
        return CheckedEvidence(c, references_for(facts, c))

    details = tuple(
        TreatmentDetail(
            treatments[tid],
            tuple(checked(c) for c in checks if c.treatment_id == tid),
            references_for(facts, treatments[tid]),
        )
        for tid in step.treatment_ids
    )
    others = tuple(checked(c) for c in checks if c.treatment_id not in step.treatment_ids)
    note = step.yellow_flag_note if case.yellow_flag_ids else None
    timed = timeframes(case_triage(facts, case)) if step.kind in TIMED_KINDS else ()
    return StepDetail(step, details, others, references_for(facts, step), note, timed)


# --------------------------------------------------------------------------- a plan


@dataclass(frozen=True)
class PlanStep:
    """One step of a patient's model plan."""

    step_id: str
    title: str
    kind: str
    conditional: bool
    """True for a step taken only if the patient is not improving at the review."""


@dataclass(frozen=True)
class Plan:
    """A patient's model plan: what a clinician should do today, in order, by triage level."""

    triage: Triage
    steps: tuple[PlanStep, ...]
    if_improving: tuple[str, ...]
    """The step ids of the path when the patient improves at the review."""
    timeframes: tuple[tuple[str, str], ...] = ()
    """How soon, for an urgent or emergency patient: (flag, what to do and how soon), most urgent first."""
    if_improving_note: str = ""
    """What changes when the person improves at the review (``teaching_text.csv``, row
    ``plan-if-improving``), said before the steps then left out."""

    @property
    def skipped_if_improving(self) -> tuple[str, ...]:
        """The titles of the plan's steps a person improving at the review does without, in order."""
        return tuple(p.title for p in self.steps if p.step_id not in self.if_improving)


def model_plan(facts: Facts, case: R.Case) -> Plan:
    """The plan for this patient: the path of a patient not (yet) improving, with the steps that
    happen only without improvement marked conditional. It always ends with safety-net advice."""
    steps = facts.by_id("pathway_steps")
    path = journey(facts, case, improving=False)
    triage = case_triage(facts, case)
    timed = any(steps[s].kind in TIMED_KINDS for s in path)
    return Plan(
        triage,
        tuple(
            PlanStep(s, steps[s].title, steps[s].kind, steps[s].when == NOT_IMPROVING) for s in path
        ),
        journey(facts, case, improving=True),
        timeframes(triage) if timed else (),
        facts.by_id("teaching_text")["plan-if-improving"].text,
    )


# --------------------------------------------------------------------------- the notebook's tables


@dataclass(frozen=True)
class TriageLevelRow:
    """A triage level with the references its reason cites (a row of the levels table)."""

    level: R.TriageLevel
    references: tuple[R.Reference, ...]


def triage_levels(facts: Facts) -> tuple[TriageLevelRow, ...]:
    """The four triage levels, most urgent first, each with its references resolved."""
    return tuple(TriageLevelRow(lv, references_for(facts, lv))
                 for lv in sorted(facts.triage_levels, key=lambda lv: lv.order))


@dataclass(frozen=True)
class TreatmentRow:
    """One treatment as the course's table shows it, with its verdict against current guidance."""

    treatment: str
    kind: str
    what_it_does: str
    why: str
    """What the source says about it (or, for a treatment beyond the source, why guidance adds it)."""
    where_from: str
    verdict: str = ""
    """The evidence check's verdict in words (Differs, Partly agrees...), or "Beyond the source"."""
    guidance: str = ""
    """What current guidance says about it (the evidence check's words)."""


TREATMENT_TABLE_HEADINGS = ("treatment (kind)", "what it does", "what the source says",
                            "verdict: what current guidance says", "where from")
NOT_IN_SOURCE = "Nothing: the source does not name it."


def treatment_table(facts: Facts) -> tuple[TreatmentRow, ...]:
    """Every treatment in the course: what it does, what the source says, the verdict of current
    guidance, and where each comes from.

    The source's treatments (paragraphs 4 and 5) come first, each with the evidence check on it
    (``evidence_checks.csv``, joined by ``treatment_id``), then those current guidance adds, so a
    student reads the source and its verdict in one row. Plain rows, not a DataFrame: the notebook
    then never imports pandas for one table.
    """
    from spasm_lib.evidence import VERDICT_LABELS, provenance_label, verdict_label

    checks = {c.treatment_id: c for c in reversed(facts.evidence_checks) if c.treatment_id}  # the first per treatment
    rows = sorted(facts.treatments, key=lambda t: (t.beyond_source, t.source_paragraph or 0))
    table = []
    for t in rows:
        check = checks.get(t.id)
        if check is not None:
            says, verdict, guidance = t.why, verdict_label(check), check.guidance_says
            labels = [provenance_label(facts, t), provenance_label(facts, check)]
        elif t.beyond_source:
            says, verdict, guidance = NOT_IN_SOURCE, VERDICT_LABELS["beyond-source"], t.why
            labels = [provenance_label(facts, t)]
        else:
            says, verdict, guidance = t.why, "", ""
            labels = [provenance_label(facts, t)]
        where = "; ".join(dict.fromkeys(i.strip() for label in labels for i in label.split(";") if i.strip()))
        table.append(TreatmentRow(t.name, t.kind, t.what_it_does, says, where, verdict, guidance))
    return tuple(table)
