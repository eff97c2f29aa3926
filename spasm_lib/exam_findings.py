"""What each examination step shows for a patient: the exam simulator's rules and its state.

A patient (a :class:`~spasm_lib.records.Case`) hides its facts: where the spasm is, how the pain
began, whether the surrounding tissue is injured, whether a nerve root is involved, which warning
signs (red flags) and yellow flags are present. Each step of ``exam_steps.csv`` reveals the
findings of ``findings.csv`` whose trigger holds for that patient, so the student learns the way a
clinician does: by asking and examining, one step at a time. The interpretation the findings
support, and how urgent the patient is, follow :mod:`spasm_lib.triage`.

Findings depend on the cause: a finding may be limited to some working diagnoses
(``interpretations`` in ``findings.csv``), and a step's ``otherwise`` finding shows only when none
of its other findings does, so every patient gets an answer at every step.

Why apart from the grading (:mod:`spasm_lib.exam_grading`): what a step shows is the same for
every reader (the simulator, the case study, the debrief's paths, the coherence check of 20,000
drawn patients); how a commit is judged is the feedback's own question.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from spasm_lib import records as R
from spasm_lib import vocabulary as V
from spasm_lib.facts import RANDOM_CASE
from spasm_lib.tables import Facts
from spasm_lib.triage import case_triage, cauda_equina_suspected
from spasm_lib.virtual_patients import is_virtual

RISK_HISTORY_STEP = "history-risk-factors"
"""The step whose finding lists the patient's risk factors (and sport)."""

RED_FLAG_KIND = "red-flag-screen"
"""Steps of this kind ask the warning-sign questions; their positive finding names the red flags."""

YELLOW_FLAG_STEP = "history-yellow-flags"
SITE_TRIGGERS = ("site-match", "site-other")
OTHERWISE = "otherwise"
RETENTION_FLAG = "urinary-retention"
CORD_FLAG = "cancer-with-neurological-symptoms"


def triggers(facts: Facts, case: R.Case, site: str | None) -> frozenset[str]:
    """Every finding trigger that holds for this patient (palpated at ``site``); ``otherwise`` is
    decided per step by :func:`perform`."""
    ces = cauda_equina_suspected(facts, case.red_flag_ids)
    lower = case.spasm_site == "lower-back"
    holds = {
        "always": True,
        "site-match": site == case.spasm_site,
        "site-other": site is not None and site != case.spasm_site,
        "tissue-injury": case.tissue_injury,
        "no-tissue-injury": not case.tissue_injury,
        "radicular": case.radicular,
        "not-radicular": lower and not case.radicular,
        "upper-back": not lower,
        "red-flags": bool(case.red_flag_ids),
        "no-red-flags": not case.red_flag_ids,
        "typical-onset": case.onset == "typical",
        "unremitting-onset": case.onset == "unremitting",
        "insidious-onset": case.onset == "insidious",
        "sudden-severe-onset": case.onset == "sudden-severe",
        "risk-factors": bool(case.risk_factor_ids),
        "no-risk-factors": not case.risk_factor_ids,
        "yellow-flags": bool(case.yellow_flag_ids),
        "no-yellow-flags": not case.yellow_flag_ids,
        "cauda-equina": ces,
        "no-neuro-signs": not case.radicular and not ces,
        "ces-retention": RETENTION_FLAG in case.red_flag_ids,
        "no-ces-retention": RETENTION_FLAG not in case.red_flag_ids,
        "cord-signs": CORD_FLAG in case.red_flag_ids,
    }
    return frozenset(name for name, value in holds.items() if value)


def trigger_holds(facts: Facts, trigger: str, case: R.Case, site: str | None) -> bool:
    """Whether a finding with this trigger shows for this patient (palpated at ``site``)."""
    if trigger not in V.FINDING_TRIGGERS:
        raise ValueError(f"unknown trigger '{trigger}'; expected one of: {', '.join(V.FINDING_TRIGGERS)}")
    return trigger in triggers(facts, case, site)


def _shows(finding: R.Finding, case: R.Case, holding: frozenset[str]) -> bool:
    return finding.trigger in holding and (not finding.interpretations or case.interpretation_id in finding.interpretations)


# --------------------------------------------------------------------------- state and results


@dataclass(frozen=True)
class ExamState:
    """The simulator's state: which patient, the steps performed in order, the committed answer."""

    case_id: str
    performed: tuple[tuple[str, str | None], ...] = ()
    """``(step_id, site)`` pairs in the order performed; ``site`` only for site-dependent steps."""
    interpretation_id: str | None = None

    def committed(self, interpretation_id: str | None) -> ExamState:
        return replace(self, interpretation_id=interpretation_id or None)


@dataclass(frozen=True)
class RevealedFinding:
    """What one performed step showed, with everything a view needs to explain and label it."""

    step_id: str
    step_name: str
    step_kind: str
    site: str | None
    finding_id: str
    text: str
    details: tuple[str, ...]
    """Names appended to the finding: the patient's risk factors (and sport), or their red flags."""
    points_to: str | None
    points_to_name: str | None
    rules_out: str | None
    rules_out_name: str | None
    red_flag: bool
    """True for a finding that reveals warning signs: views show it as a labelled alert."""
    beyond_source: bool
    references: tuple[str, ...]
    """Short names of the references of a step or finding beyond the source (e.g. "AHCPR 1994")."""
    source_paragraph: int | None

    @property
    def full_text(self) -> str:
        """The finding with its appended names, as one sentence."""
        return f"{self.text} {'; '.join(self.details)}." if self.details else self.text


@dataclass(frozen=True)
class ExamResult:
    """The findings revealed so far, in the order the steps were performed."""

    case_id: str
    performed: tuple[tuple[str, str | None], ...]
    findings: tuple[RevealedFinding, ...]
    interpretation_id: str | None
    supported_interpretation: str | None
    """The most specific interpretation the revealed findings point to (None before any)."""
    virtual: bool = False
    """The patient was drawn from a seed (a view says so), not read from data."""


# --------------------------------------------------------------------------- lookups


def _unknown(kind: str, value: object, allowed: Iterable[str]) -> ValueError:
    return ValueError(f"unknown {kind} '{value}'; expected one of: {', '.join(allowed)}")


def exam_steps(facts: Facts) -> tuple[R.ExamStep, ...]:
    """The examination steps in teaching order."""
    return tuple(sorted(facts.exam_steps, key=lambda s: s.order))


_INDEX: dict[int, tuple[Facts, dict[str, tuple[R.Finding, ...]]]] = {}


def findings_of(facts: Facts, step_id: str) -> tuple[R.Finding, ...]:
    """The findings a step can show, in file order (indexed once per loaded facts: a simulator
    callback and a 20,000-patient check call this for every step)."""
    held = _INDEX.get(id(facts))
    if held is None or held[0] is not facts:
        index: dict[str, list[R.Finding]] = {}
        for finding in facts.findings:
            index.setdefault(finding.step_id, []).append(finding)
        held = _INDEX[id(facts)] = (facts, {k: tuple(v) for k, v in index.items()})
    return held[1].get(step_id, ())


def step_needs_site(facts: Facts, step_id: str) -> bool:
    """True when a step's findings depend on where it is done (palpation): it needs a site."""
    return any(f.trigger in SITE_TRIGGERS for f in findings_of(facts, step_id))


def _step(facts: Facts, step_id: str) -> R.ExamStep:
    steps = facts.by_id("exam_steps")
    if step_id not in steps:
        raise _unknown("exam step", step_id, (s.id for s in exam_steps(facts)))
    return steps[step_id]


def _check_site(facts: Facts, step_id: str, site: str | None) -> str | None:
    if not step_needs_site(facts, step_id):
        return None
    if site not in V.SPASM_SITES:
        raise ValueError(
            f"the step '{step_id}' needs a site; got {site!r}; expected one of: {', '.join(V.SPASM_SITES)}"
        )
    return site


def _reference_shorts(facts: Facts, *records: R.Provenance) -> tuple[str, ...]:
    refs = facts.by_id("references")
    ids = dict.fromkeys(rid for r in records for rid in r.reference_ids)
    return tuple(refs[rid].short for rid in ids)


def _details(facts: Facts, case: R.Case, step: R.ExamStep, finding: R.Finding) -> tuple[str, ...]:
    if step.id == RISK_HISTORY_STEP and finding.trigger == "risk-factors":
        factors = facts.by_id("risk_factors")
        names = tuple(factors[rid].name for rid in case.risk_factor_ids)
        if case.sport_id:
            names += (f"plays {facts.by_id('sports')[case.sport_id].name.lower()}",)
        return names
    if step.kind == RED_FLAG_KIND and finding.trigger == "red-flags":
        levels = facts.by_id("triage_levels")
        return tuple(
            f"{f.name} (on its own: {levels[f.urgency].name.lower()})" for f in case_triage(facts, case).flags
        )
    if step.id == YELLOW_FLAG_STEP and finding.trigger == "yellow-flags":
        flags = facts.by_id("yellow_flags")
        return tuple(f"\u201c{flags[y].patient_words}\u201d ({flags[y].name.lower()})" for y in case.yellow_flag_ids)
    return ()


# --------------------------------------------------------------------------- the rules


def perform(facts: Facts, case: R.Case, step_id: str, site: str | None = None) -> tuple[RevealedFinding, ...]:
    """The findings one step reveals for this patient, in file order.

    ``site`` is required for a site-dependent step (palpation) and ignored for the others. Raises
    ValueError for an unknown step or a missing or unknown site, naming what is allowed.
    """
    step = _step(facts, step_id)
    site = _check_site(facts, step_id, site)
    interpretations = facts.by_id("interpretations")
    holding = triggers(facts, case, site)
    mine = findings_of(facts, step_id)
    shown = [f for f in mine if f.trigger != OTHERWISE and _shows(f, case, holding)]
    if not shown:
        shown = [f for f in mine if f.trigger == OTHERWISE and _shows(f, case, holding | {OTHERWISE})]
    revealed = []
    for finding in shown:
        points_to = finding.points_to
        if step.kind == RED_FLAG_KIND and finding.trigger == "red-flags":
            # the answers point to the diagnosis the strong flags suggest; weak flags alone point nowhere
            points_to = case.interpretation_id if case_triage(facts, case).serious else None
        revealed.append(
            RevealedFinding(
                step_id=step.id,
                step_name=step.name,
                step_kind=step.kind,
                site=site,
                finding_id=finding.id,
                text=finding.text,
                details=_details(facts, case, step, finding),
                points_to=points_to,
                points_to_name=interpretations[points_to].name if points_to else None,
                rules_out=finding.rules_out,
                rules_out_name=interpretations[finding.rules_out].name if finding.rules_out else None,
                red_flag=step.kind == RED_FLAG_KIND and finding.trigger == "red-flags",
                beyond_source=step.beyond_source or finding.beyond_source,
                references=_reference_shorts(facts, step, finding),
                source_paragraph=finding.source_paragraph,
            )
        )
    return tuple(revealed)


def record_step(facts: Facts, state: ExamState, step_id: str, site: str | None = None) -> ExamState:
    """The state after performing a step (at ``site`` if the step needs one).

    Repeating a step at the same site adds nothing; palpating at another site is a new step.
    """
    _step(facts, step_id)
    pair = (step_id, _check_site(facts, step_id, site))
    if pair in state.performed:
        return state
    return replace(state, performed=state.performed + (pair,))


def state_from(facts: Facts, case: R.Case, steps: Iterable[str], site: str, interpretation: str) -> ExamState:
    """The state a list of performed steps and a committed interpretation describe (a static run's
    parameters: notebook 02's ``steps``, ``palpation_site`` and ``interpretation``)."""
    state = ExamState(case.id)
    for step_id in steps:
        state = record_step(facts, state, step_id, site)
    return state.committed(interpretation)


def by_priority(facts: Facts) -> tuple[R.Interpretation, ...]:
    """The working diagnoses, most specific first (``priority`` in ``interpretations.csv``)."""
    return tuple(sorted(facts.interpretations, key=lambda i: i.priority))


def most_specific(facts: Facts, interpretation_ids: Iterable[str | None]) -> str | None:
    """The most specific of the interpretations named (the lowest ``priority``)."""
    named = set(interpretation_ids) - {None}
    return next((i.id for i in by_priority(facts) if i.id in named), None)


def examine(facts: Facts, state: ExamState, case: R.Case) -> ExamResult:
    """Every finding revealed by the performed steps, in order (``case`` is the patient, found with
    :func:`spasm_lib.virtual_patients.case_for`)."""
    if case.id != state.case_id and state.case_id != RANDOM_CASE:
        raise ValueError(f"the state is for case '{state.case_id}', not '{case.id}'")
    if state.interpretation_id is not None and state.interpretation_id not in facts.by_id("interpretations"):
        raise _unknown("interpretation", state.interpretation_id, facts.by_id("interpretations"))
    findings = tuple(f for step_id, site in state.performed for f in perform(facts, case, step_id, site))
    return ExamResult(
        case_id=case.id,
        performed=state.performed,
        findings=findings,
        interpretation_id=state.interpretation_id,
        supported_interpretation=most_specific(facts, (f.points_to for f in findings)),
        virtual=is_virtual(case),
    )
