"""The case study (notebook 04): one patient from history to plan, with questions and model answers.

It joins what the earlier notebooks taught: the history and every examination step (the exam
simulator's rules in :mod:`spasm_lib.exam_findings`), the interpretation the findings support, and
the treatment journey (:mod:`spasm_lib.treatment_pathway`). The questions are generated from the case
itself, so an instructor's own case or a seeded virtual patient gets questions that fit it, and
every model answer says where it comes from.

Decision: the plan follows the journey of a patient who is **not** improving at reassessment, because
that path shows the source's referral step (paragraph 5); the study also carries the improving path,
and the view shows both endings.
"""

from __future__ import annotations

from dataclasses import dataclass

from spasm_lib import records as R
from spasm_lib.evidence import provenance_label, verdict_label
from spasm_lib.exam_findings import ExamState, RevealedFinding, examine, exam_steps, step_needs_site
from spasm_lib.facts import Facts
from spasm_lib.treatment_pathway import (
    ROUTE_PROMPT,
    ROUTE_URGENT,
    SPECIALIST_REFERRAL,
    WEAK_ALONE_REFERENCE,
    journey,
    outcome,
    route,
)
from spasm_lib.virtual_patients import case_for


@dataclass(frozen=True)
class CaseQuestion:
    """A question about the case, its model answer, and where the answer comes from."""

    id: str
    prompt: str
    answer: str
    provenance: str


@dataclass(frozen=True)
class PlanStep:
    """One step of the patient's journey with the names of its treatments."""

    step: R.PathwayStep
    treatments: tuple[str, ...]


@dataclass(frozen=True)
class CaseStudy:
    """Everything the case-study view shows; no facts needed to render it."""

    case: R.Case
    seed: int
    findings: tuple[RevealedFinding, ...]
    interpretation: R.Interpretation
    interpretation_provenance: str
    interpretation_choices: tuple[str, ...]
    """Names of every interpretation, for the student to choose from."""
    route: str
    journey: tuple[str, ...]
    """Step ids when not improving at reassessment (the path shown as the plan)."""
    journey_if_improving: tuple[str, ...]
    plan: tuple[PlanStep, ...]
    outcome: R.Treatment
    outcome_if_improving: R.Treatment
    questions: tuple[CaseQuestion, ...]


def full_examination(facts: Facts, case: R.Case) -> ExamState:
    """Every examination step in order, palpating where this patient's spasm is."""
    return ExamState(
        case.id,
        tuple((s.id, case.spasm_site if step_needs_site(facts, s.id) else None) for s in exam_steps(facts)),
    )


def finding_provenance(finding: RevealedFinding) -> str:
    """Where a revealed finding comes from, in the words the views print."""
    parts = [f"Source, paragraph {finding.source_paragraph}"] if finding.source_paragraph else []
    return "; ".join(parts + list(finding.references))


def _join(labels: list[str]) -> str:
    """Several provenance labels as one, each source paragraph or reference named once."""
    items = (item.strip() for label in labels for item in label.split(";"))
    return "; ".join(dict.fromkeys(item for item in items if item))


# --------------------------------------------------------------------------- the questions

_FINDING_PROMPTS = {
    "nerve-root-irritation": "Which finding points to nerve-root involvement?",
    "back-spasm-with-tissue-injury": "Which finding points to injury of the surrounding tissues?",
    "serious-cause-suspected": "Which finding changes the plan before anything else?",
}
_DEFAULT_FINDING_PROMPT = "Which findings support an uncomplicated back spasm?"


def _first_question(facts: Facts, case: R.Case, chosen_route: str) -> CaseQuestion:
    flags = [facts.by_id("red_flags")[f] for f in case.red_flag_ids]
    screen = next(s for s in facts.pathway_steps if s.kind == "screen")
    names = "; ".join(f.name for f in flags)
    provenance = _join([provenance_label(facts, screen)] + [provenance_label(facts, f) for f in flags])
    if chosen_route == ROUTE_URGENT:
        answer = (
            f"Screen for warning signs first. This patient has emergency warning signs ({names}), so "
            "the next step is same-day emergency referral: ice, rest, compression and medication are "
            "not started."
        )
    elif chosen_route == ROUTE_PROMPT:
        refs = facts.by_id("references")
        weak = refs[WEAK_ALONE_REFERENCE].short if WEAK_ALONE_REFERENCE in refs else ""
        provenance = _join([provenance, weak])
        answer = (
            f"Screen for warning signs first. This patient has warning signs that need prompt "
            f"assessment ({names}) before the conservative plan is relied on. One red flag alone is "
            "weak evidence: it calls for further assessment, it does not make a diagnosis."
        )
    else:
        answer = (
            "Screen for warning signs first. None come up for this patient, so the conservative "
            "pathway can begin, and the warning-sign questions are asked again at each review."
        )
    return CaseQuestion("first-step", "What should happen first, before any treatment?", answer, provenance)


def _finding_question(case: R.Case, findings: tuple[RevealedFinding, ...]) -> CaseQuestion:
    target = case.interpretation_id
    pointing = [f for f in findings if f.points_to == target]
    prompt = _FINDING_PROMPTS.get(target, _DEFAULT_FINDING_PROMPT)
    answer = " ".join(f"{f.step_name}: {f.full_text}" for f in pointing)
    return CaseQuestion("key-finding", prompt, answer, _join([finding_provenance(f) for f in pointing]))


def _risk_question(facts: Facts, case: R.Case) -> CaseQuestion:
    factors = [facts.by_id("risk_factors")[r] for r in case.risk_factor_ids]
    answer = " ".join(f"{r.name}: {r.source_says}" for r in factors)
    if case.sport_id:
        sport = facts.by_id("sports")[case.sport_id]
        answer += f" The patient plays {sport.name.lower()}, a sport with {', '.join(sport.movements)}."
    return CaseQuestion(
        "risk-factors",
        "Which risk factors in the history could explain this spasm, according to the source?",
        answer,
        _join([provenance_label(facts, r) for r in factors]),
    )


def _guidance_question(facts: Facts, chosen_route: str) -> CaseQuestion:
    checks = facts.by_id("evidence_checks")
    if chosen_route == ROUTE_URGENT:
        referral = next(c for c in facts.evidence_checks if c.treatment_id == SPECIALIST_REFERRAL)
        return CaseQuestion(
            "why-not-conservative",
            "Why are ice, rest and compression not started for this patient?",
            f"{referral.guidance_says} The source refers only after conventional treatment fails "
            f"(verdict: {verdict_label(referral)}).",
            provenance_label(facts, referral),
        )
    step = next(s for s in facts.pathway_steps if s.kind == "non-drug")
    differing = [checks[c] for c in step.evidence_check_ids if checks[c].verdict == "differs"]
    answer = " ".join(f"{c.topic}: {c.guidance_says}" for c in differing)
    return CaseQuestion(
        "source-and-guidance",
        "The source advises ice, rest and compression. What does current guidance advise instead?",
        answer,
        _join([provenance_label(facts, c) for c in differing]),
    )


def _referral_question(facts: Facts) -> CaseQuestion:
    referral = facts.by_id("treatments")[SPECIALIST_REFERRAL]
    reassess = next(s for s in facts.pathway_steps if s.kind == "reassess")
    return CaseQuestion(
        "not-improving",
        "At reassessment the treatment has not worked. What happens next, and to whom?",
        f"{referral.what_it_does} {referral.why} At each review the warning-sign questions are asked again.",
        _join([provenance_label(facts, referral), provenance_label(facts, reassess)]),
    )


def case_questions(
    facts: Facts, case: R.Case, findings: tuple[RevealedFinding, ...]
) -> tuple[CaseQuestion, ...]:
    """Four or five questions that fit this case, each with a model answer and its provenance."""
    chosen_route = route(facts, case)
    qs = [
        _first_question(facts, case, chosen_route),
        _finding_question(case, findings),
        _risk_question(facts, case),
        _guidance_question(facts, chosen_route),
    ]
    if chosen_route != ROUTE_URGENT:
        qs.append(_referral_question(facts))
    return tuple(qs)


# --------------------------------------------------------------------------- the study


def study_of(facts: Facts, case: R.Case, seed: int = 0) -> CaseStudy:
    """The case study of any patient (a data case, an instructor's case or a virtual patient)."""
    findings = examine(facts, full_examination(facts, case), case).findings
    interpretation = facts.by_id("interpretations")[case.interpretation_id]
    steps = facts.by_id("pathway_steps")
    treatments = facts.by_id("treatments")
    path = journey(facts, case, improving=False)
    return CaseStudy(
        case=case,
        seed=seed,
        findings=findings,
        interpretation=interpretation,
        interpretation_provenance=provenance_label(facts, interpretation),
        interpretation_choices=tuple(i.name for i in facts.interpretations),
        route=route(facts, case),
        journey=path,
        journey_if_improving=journey(facts, case, improving=True),
        plan=tuple(
            PlanStep(steps[s], tuple(treatments[t].name for t in steps[s].treatment_ids)) for s in path
        ),
        outcome=outcome(facts, case, improving=False),
        outcome_if_improving=outcome(facts, case, improving=True),
        questions=case_questions(facts, case, findings),
    )


def case_study(facts: Facts, case_id: str, seed: int = 0) -> CaseStudy:
    """The case study of a data case, or of the seeded virtual patient when ``case_id`` is "random"."""
    return study_of(facts, case_for(facts, case_id, seed), seed)
