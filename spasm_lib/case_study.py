"""The case study (notebook 04): one patient from history to triage, interpretation and plan.

It joins what the earlier notebooks taught: the history and every examination step (the exam
simulator's rules in :mod:`spasm_lib.exam_findings`), the triage (:mod:`spasm_lib.triage`), the
interpretation the findings support, and the model plan (:mod:`spasm_lib.treatment_pathway`): what
a clinician should do today, with the source's advice beside it, never as the plan.

The questions are data (``case_questions.csv``: a prompt, the triage levels it is asked for, and
what its model answer is made of). Their prompts never name the answer (no "which findings support
an uncomplicated spasm?"), so a student handout gives nothing away. The model answers are composed
here from the patient's own findings and the data's sentences, so an instructor's own case or a
virtual patient gets answers that fit it, each with where it comes from. The few fixed sentences of
the answers are data too (``teaching_text.csv``); this module adds only labels ("Flags found:").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spasm_lib import records as R
from spasm_lib import vocabulary as V
from spasm_lib.evidence import provenance_label, provenance_words
from spasm_lib.exam_findings import ExamState, RevealedFinding, examine, exam_steps, step_needs_site
from spasm_lib.tables import Facts
from spasm_lib.treatment_pathway import HOW_SOON, TIMED_KINDS, Plan, model_plan
from spasm_lib.triage import Triage, case_triage
from spasm_lib.virtual_patients import case_for


FIRST_STEP = "first-step-answer"
"""The ``teaching_text.csv`` row that opens the answer to the warning-sign question."""
NO_RISK_FACTORS = "no-risk-factors-answer"
"""The ``teaching_text.csv`` row that answers the risk-factor question for a patient with none."""
FULL_EXAMINATION = "full-examination"
"""The ``teaching_text.csv`` row that says how the case study's examination was done."""


@dataclass(frozen=True)
class CaseQuestion:
    """A question about the case, its model answer, and where the answer comes from.

    A closed question (``choices`` not empty) is answered by choosing: its ``answer`` is the
    patient's own choice, and ``why`` the reasoning that leads there. An open question is written:
    its ``answer`` is the model answer, reasoning included, and ``why`` is empty.
    """

    id: str
    prompt: str
    answer: str
    provenance: str
    part: str = "history"
    """Which part of the case study asks it (``vocabulary.CASE_PARTS``, in clinical order)."""
    choices: tuple[str, ...] = ()
    why: str = ""

    @property
    def closed(self) -> bool:
        return bool(self.choices)


@dataclass(frozen=True)
class PartCheck:
    """What "Check" shows for one answer: nothing until something is written, then the model answer."""

    question: CaseQuestion
    response: str
    written: bool
    """The student has written (or chosen) something: only then is the model answer revealed."""
    correct: bool | None
    """For a closed question, whether the choice is the patient's; None for a written answer."""


def check_answer(question: CaseQuestion, response: str | None) -> PartCheck:
    """Check one answer. A blank answer reveals nothing: the student writes first, then compares.

    A written answer is not graded (a model answer is compared by the student, not by string
    matching); a closed question's choice is right or wrong.
    """
    text = (response or "").strip()
    if not text:
        return PartCheck(question, "", False, None)
    correct = (text == question.answer) if question.closed else None
    if question.closed and text not in question.choices:
        raise ValueError(f"'{text}' is not one of the choices of '{question.id}': {'; '.join(question.choices)}")
    return PartCheck(question, text, True, correct)


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
    triage: Triage
    triage_choices: tuple[str, ...]
    """Names of every triage level, for the student to choose from."""
    plan: Plan
    plan_details: tuple[tuple[str, str], ...]
    """Each plan step's title and what it says (the step's summary, and its yellow-flag note)."""
    questions: tuple[CaseQuestion, ...]
    """Every question, in clinical order (see ``vocabulary.CASE_PARTS``)."""
    examination_note: str = ""
    """How the examination was done (``teaching_text.csv``), shown above the findings."""

    def questions_in(self, part: str) -> tuple[CaseQuestion, ...]:
        """The questions of one part of the case study, in order."""
        return tuple(q for q in self.questions if q.part == part)

    def question(self, question_id: str) -> CaseQuestion:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise ValueError(f"no question '{question_id}' in this case study; expected one of: "
                         + ", ".join(q.id for q in self.questions))


def full_examination(facts: Facts, case: R.Case) -> ExamState:
    """Every examination step in order, palpating where this patient's spasm is."""
    return ExamState(
        case.id,
        tuple((s.id, case.spasm_site if step_needs_site(facts, s.id) else None) for s in exam_steps(facts)),
    )


def finding_provenance(finding: RevealedFinding) -> str:
    """Where a revealed finding comes from, in the words the views print."""
    return provenance_words(finding.source_paragraph, finding.references)


def how_soon(items: tuple[tuple[str, str], ...]) -> str:
    """The timeframe of each concern that set the level, as one sentence (empty when none)."""
    if not items:
        return ""
    return f"{HOW_SOON}: " + "; ".join(f"{name}: {when.rstrip('.')}" for name, when in items) + "."


def _join(labels: list[str]) -> str:
    """Several provenance labels as one, each source paragraph or reference named once."""
    items = (item.strip() for label in labels for item in label.split(";"))
    return "; ".join(dict.fromkeys(item for item in items if item))


# --------------------------------------------------------------------------- model answers


def _triage_answer(facts: Facts, case: R.Case, study: _Parts) -> tuple[str, str]:
    t = study.triage
    flags = "; ".join(f.name for f in t.flags) or "none"
    opening = facts.by_id("teaching_text")[FIRST_STEP]
    answer = f"{opening.text} Flags found: {flags}. Triage: {t.level.name}. {t.level.action}"
    if t.weak_flags_alone:
        answer += f" {t.level.why}"
    if study.plan.timeframes:
        answer += f" {how_soon(study.plan.timeframes)}"
    return answer, _join([provenance_label(facts, opening), provenance_label(facts, t.level)]
                         + [provenance_label(facts, f) for f in t.flags])


def _findings_answer(facts: Facts, case: R.Case, study: _Parts) -> tuple[str, str]:
    target = case.interpretation_id
    name = facts.by_id("interpretations")[target].name
    towards = [f for f in study.findings if f.points_to == target]
    against = [f for f in study.findings if f.rules_out and f.rules_out != target]
    parts = [f"{name}."]
    if towards:
        parts.append("Towards it: " + " ".join(f"{f.step_name}: {f.full_text}" for f in towards))
    if against:
        parts.append("Ruling the others out: " + " ".join(f"{f.step_name}: {f.full_text}" for f in against))
    return " ".join(parts), _join([finding_provenance(f) for f in towards + against])


def _risk_answer(facts: Facts, case: R.Case, study: _Parts) -> tuple[str, str]:
    factors = [facts.by_id("risk_factors")[r] for r in case.risk_factor_ids]
    if not factors:
        none = facts.by_id("teaching_text")[NO_RISK_FACTORS]
        return none.text, provenance_label(facts, none)
    answer = " ".join(f"{r.name}: {r.source_says}" for r in factors)
    return answer, _join([provenance_label(facts, r) for r in factors])


def _deciding_history_answer(facts: Facts, case: R.Case, study: _Parts) -> tuple[str, str]:
    """For a serious patient: the flags that set the level, why each matters, and how soon."""
    t = study.triage
    answer = " ".join(f"{f.name}: {f.why_this_urgency}" for f in t.flags)
    if study.plan.timeframes:
        answer += f" {how_soon(study.plan.timeframes)}"
    return answer.strip(), _join([provenance_label(facts, f) for f in t.flags])


def _plan_answer(facts: Facts, case: R.Case, study: _Parts) -> tuple[str, str]:
    steps = facts.by_id("pathway_steps")
    answer = " ".join(f"{k}. {title}: {text}" for k, (title, text) in enumerate(study.plan_details, 1))
    return answer, _join([provenance_label(facts, steps[p.step_id]) for p in study.plan.steps])


def _differences(facts: Facts, study: _Parts) -> list[R.EvidenceCheck]:
    steps = facts.by_id("pathway_steps")
    checks = facts.by_id("evidence_checks")
    seen = dict.fromkeys(c for p in study.plan.steps for c in steps[p.step_id].evidence_check_ids)
    return [checks[c] for c in seen if checks[c].verdict in ("differs", "partly-agrees")]


def _source_answer(facts: Facts, case: R.Case, study: _Parts) -> tuple[str, str]:
    if study.triage.serious:
        return _why_not_answer(facts, case, study)
    differing = _differences(facts, study)
    answer = " ".join(f"{c.topic}: the source says {c.source_says} Guidance: {c.guidance_says}" for c in differing)
    return answer, _join([provenance_label(facts, c) for c in differing])


def _why_not_answer(facts: Facts, case: R.Case, study: _Parts) -> tuple[str, str]:
    t = study.triage
    referral = facts.by_id("evidence_checks").get("referral-timing")
    answer = f"{t.level.why} {t.level.action}"
    if study.plan.timeframes:
        answer += f" {how_soon(study.plan.timeframes)}"
    labels = [provenance_label(facts, t.level)]
    if referral is not None:
        answer += f" {referral.guidance_says}"
        labels.append(provenance_label(facts, referral))
    return answer, _join(labels)


def _safety_answer(facts: Facts, case: R.Case, study: _Parts) -> tuple[str, str]:
    nets = [facts.by_id("pathway_steps")[p.step_id] for p in study.plan.steps if p.kind == "safety-net"]
    return " ".join(s.summary for s in nets), _join([provenance_label(facts, s) for s in nets])


def _step_text(step: R.PathwayStep, case: R.Case, plan: Plan) -> str:
    """What a plan step says for this patient: its summary, how soon (a referral step), and its
    yellow-flag note (a patient with yellow flags)."""
    parts = [step.summary]
    if step.kind in TIMED_KINDS and plan.timeframes:
        parts.append(how_soon(plan.timeframes))
    if case.yellow_flag_ids and step.yellow_flag_note:
        parts.append(step.yellow_flag_note)
    return " ".join(parts)


@dataclass(frozen=True)
class _Parts:
    findings: tuple[RevealedFinding, ...]
    triage: Triage
    plan: Plan
    plan_details: tuple[tuple[str, str], ...]


def _triage_level_name(level: R.TriageLevel) -> str:
    return f"{level.name} ({level.id})"


def _closed(facts: Facts, case: R.Case, study: _Parts, answer_from: str) -> tuple[str, str, tuple[str, ...], str]:
    """A closed question's (answer, why, choices, provenance): the patient's own choice, and the reasoning."""
    if answer_from == "triage-level":
        levels = sorted(facts.triage_levels, key=lambda lv: lv.order)
        why, provenance = _triage_answer(facts, case, study)
        return _triage_level_name(study.triage.level), why, tuple(map(_triage_level_name, levels)), provenance
    interpretation = facts.by_id("interpretations")[case.interpretation_id]
    why, provenance = _findings_answer(facts, case, study)
    why = f"{why} {interpretation.description}".strip()
    return (interpretation.name, why, tuple(i.name for i in facts.interpretations),
            _join([provenance, provenance_label(facts, interpretation)]))


def _question(facts: Facts, case: R.Case, study: _Parts, q: R.CaseQuestion) -> CaseQuestion:
    if q.answer_from in CLOSED_ANSWERS:
        answer, why, choices, provenance = _closed(facts, case, study, q.answer_from)
        return CaseQuestion(q.id, q.prompt, answer, provenance, q.part, choices, why)
    return CaseQuestion(q.id, q.prompt, *_ANSWERS[q.answer_from](facts, case, study), part=q.part)


CLOSED_ANSWERS = ("triage-level", "interpretation")
"""The ``answer_from`` values of closed questions: answered by choosing one of a list."""

_ANSWERS: dict[str, Callable[[Facts, R.Case, _Parts], tuple[str, str]]] = {
    "triage": _triage_answer,
    "findings": _findings_answer,
    "risk-factors": _risk_answer,
    "plan": _plan_answer,
    "source-vs-guidance": _source_answer,
    "why-not-conservative": _why_not_answer,
    "safety-net": _safety_answer,
    "deciding-history": _deciding_history_answer,
}


# --------------------------------------------------------------------------- the study


def case_study(facts: Facts, case: R.Case | str, seed: int = 0) -> CaseStudy:
    """The case study of any patient: a Case (a data case, an instructor's case or a virtual
    patient), or a case id, "random" meaning the virtual patient of ``seed``."""
    if isinstance(case, str):
        case = case_for(facts, case, seed)
    findings = examine(facts, full_examination(facts, case), case).findings
    interpretation = facts.by_id("interpretations")[case.interpretation_id]
    triage = case_triage(facts, case)
    plan = model_plan(facts, case)
    steps = facts.by_id("pathway_steps")
    details = tuple((p.title, _step_text(steps[p.step_id], case, plan)) for p in plan.steps)
    parts = _Parts(findings, triage, plan, details)
    # In clinical order: the parts in vocabulary.CASE_PARTS order, the data's order within a part.
    questions = tuple(
        _question(facts, case, parts, q)
        for q in sorted(facts.case_questions, key=lambda q: (V.CASE_PARTS.index(q.part), q.order))
        if triage.id in q.triage_levels
    )
    return CaseStudy(
        case=case,
        seed=seed,
        findings=findings,
        interpretation=interpretation,
        interpretation_provenance=provenance_label(facts, interpretation),
        interpretation_choices=tuple(i.name for i in facts.interpretations),
        triage=triage,
        triage_choices=tuple(map(_triage_level_name, sorted(facts.triage_levels, key=lambda lv: lv.order))),
        plan=plan,
        plan_details=details,
        questions=questions,
        examination_note=facts.by_id("teaching_text")[FULL_EXAMINATION].text,
    )
