"""The exam simulator's rules: what each examination step reveals for a patient, and the feedback.

A patient (a :class:`~spasm_lib.records.Case`) hides four facts: where the spasm is, whether the
surrounding tissue is injured, whether a nerve root is involved (radicular) and which warning signs
(red flags) are present. Each step of ``exam_steps.csv`` reveals the findings of ``findings.csv``
whose trigger holds for that patient, so the student learns the way a clinician does: by asking and
examining, one step at a time. The interpretation the findings support follows
:func:`spasm_lib.facts.expected_interpretation` (red flags, then nerve root, then tissue injury).

Steps and findings that do not restate the source (the red-flag questions, the straight leg raise)
carry ``beyond_source`` and the short names of their references, so every view can label them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from spasm_lib import records as R
from spasm_lib.facts import Facts, expected_interpretation

RISK_HISTORY_STEP = "history-risk-factors"
"""The step whose finding lists the patient's risk factors (and sport)."""

RED_FLAG_KIND = "red-flag-screen"
"""Steps of this kind ask the warning-sign questions; their positive finding names the red flags."""

SITE_TRIGGERS = ("site-match", "site-other")

INTERPRETATION_PRIORITY = (
    expected_interpretation(radicular=False, tissue_injury=False, has_red_flags=True),
    expected_interpretation(radicular=True, tissue_injury=False, has_red_flags=False),
    expected_interpretation(radicular=False, tissue_injury=True, has_red_flags=False),
    expected_interpretation(radicular=False, tissue_injury=False, has_red_flags=False),
)
"""Interpretations from most to least specific, derived from the rule itself: a more specific
finding (a red flag, pain below the knee) outranks the general picture of a spasm."""


def trigger_holds(trigger: str, case: R.Case, site: str | None) -> bool:
    """Whether a finding with this trigger shows for this patient (palpated at ``site``)."""
    rules: Mapping[str, Callable[[], bool]] = {
        "always": lambda: True,
        "site-match": lambda: site == case.spasm_site,
        "site-other": lambda: site is not None and site != case.spasm_site,
        "tissue-injury": lambda: case.tissue_injury,
        "no-tissue-injury": lambda: not case.tissue_injury,
        "radicular": lambda: case.radicular,
        "not-radicular": lambda: not case.radicular,
        "red-flags": lambda: bool(case.red_flag_ids),
        "no-red-flags": lambda: not case.red_flag_ids,
    }
    if trigger not in rules:
        raise ValueError(f"unknown trigger '{trigger}'; expected one of: {', '.join(rules)}")
    return rules[trigger]()


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


@dataclass(frozen=True)
class MissedStep:
    """An informative step the student did not perform, and what it would have shown."""

    step_id: str
    step_name: str
    reason: str
    would_show: tuple[RevealedFinding, ...]
    red_flag_screen: bool


@dataclass(frozen=True)
class Feedback:
    """How the student's interpretation compares with what the patient's findings support."""

    case_id: str
    chosen_id: str | None
    chosen_name: str | None
    expected_id: str
    expected_name: str
    expected_next_action: str
    correct: bool | None
    """None when no interpretation was committed (the instructor's view before a commit)."""
    supported_id: str | None
    supported_name: str | None
    reasoning: tuple[tuple[str | None, str | None, tuple[RevealedFinding, ...]], ...]
    """``(interpretation id, its name, findings pointing there)``, most specific first; the group
    with id None holds findings that point to no interpretation on their own."""
    missed: tuple[MissedStep, ...]
    red_flags_skipped: bool
    steps_performed: int
    teaching_point: str


# --------------------------------------------------------------------------- lookups


def _unknown(kind: str, value: object, allowed: Iterable[str]) -> ValueError:
    return ValueError(f"unknown {kind} '{value}'; expected one of: {', '.join(allowed)}")


def exam_steps(facts: Facts) -> tuple[R.ExamStep, ...]:
    """The examination steps in teaching order."""
    return tuple(sorted(facts.exam_steps, key=lambda s: s.order))


def step_needs_site(facts: Facts, step_id: str) -> bool:
    """True when a step's findings depend on where it is done (palpation): it needs a site."""
    return any(f.step_id == step_id and f.trigger in SITE_TRIGGERS for f in facts.findings)


def _step(facts: Facts, step_id: str) -> R.ExamStep:
    steps = facts.by_id("exam_steps")
    if step_id not in steps:
        raise _unknown("exam step", step_id, (s.id for s in exam_steps(facts)))
    return steps[step_id]


def _check_site(facts: Facts, step_id: str, site: str | None) -> str | None:
    if not step_needs_site(facts, step_id):
        return None
    if site not in R.SPASM_SITES:
        raise ValueError(
            f"the step '{step_id}' needs a site; got {site!r}; expected one of: {', '.join(R.SPASM_SITES)}"
        )
    return site


def _reference_shorts(facts: Facts, *records: R.Provenance) -> tuple[str, ...]:
    refs = facts.by_id("references")
    ids = dict.fromkeys(rid for r in records for rid in r.reference_ids)
    return tuple(refs[rid].short for rid in ids)


def _details(facts: Facts, case: R.Case, step: R.ExamStep, finding: R.Finding) -> tuple[str, ...]:
    if step.id == RISK_HISTORY_STEP:
        factors = facts.by_id("risk_factors")
        names = tuple(factors[rid].name for rid in case.risk_factor_ids)
        if case.sport_id:
            names += (f"plays {facts.by_id('sports')[case.sport_id].name.lower()}",)
        return names
    if step.kind == RED_FLAG_KIND and finding.trigger == "red-flags":
        flags = facts.by_id("red_flags")
        return tuple(flags[fid].name for fid in case.red_flag_ids)
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
    revealed = []
    for finding in facts.findings:
        if finding.step_id != step_id or not trigger_holds(finding.trigger, case, site):
            continue
        revealed.append(
            RevealedFinding(
                step_id=step.id,
                step_name=step.name,
                step_kind=step.kind,
                site=site,
                finding_id=finding.id,
                text=finding.text,
                details=_details(facts, case, step, finding),
                points_to=finding.points_to,
                points_to_name=interpretations[finding.points_to].name if finding.points_to else None,
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


def most_specific(interpretation_ids: Iterable[str | None]) -> str | None:
    """The most specific of the interpretations named (see ``INTERPRETATION_PRIORITY``)."""
    named = set(interpretation_ids) - {None}
    for candidate in INTERPRETATION_PRIORITY:
        if candidate in named:
            return candidate
    return None


def find_case(facts: Facts, case_id: str) -> R.Case:
    """A case by id: a data case, or ``virtual-<seed>`` for a virtual patient."""
    cases = facts.by_id("cases")
    if case_id in cases:
        return cases[case_id]
    prefix, _, seed = case_id.partition("-")
    if prefix == "virtual" and seed.lstrip("-").isdigit():
        from spasm_lib.virtual_patients import virtual_patient  # it builds on this module

        return virtual_patient(facts, int(seed))
    raise _unknown("case", case_id, (*cases, "virtual-<seed>"))


def examine(facts: Facts, state: ExamState, case: R.Case | None = None) -> ExamResult:
    """Every finding revealed by the performed steps, in order.

    ``case`` may be given when the caller already holds it (a virtual patient); otherwise it is
    looked up by ``state.case_id``.
    """
    case = case or find_case(facts, state.case_id)
    if case.id != state.case_id:
        raise ValueError(f"the state is for case '{state.case_id}', not '{case.id}'")
    if state.interpretation_id is not None and state.interpretation_id not in facts.by_id("interpretations"):
        raise _unknown("interpretation", state.interpretation_id, facts.by_id("interpretations"))
    findings = tuple(f for step_id, site in state.performed for f in perform(facts, case, step_id, site))
    return ExamResult(
        case_id=case.id,
        performed=state.performed,
        findings=findings,
        interpretation_id=state.interpretation_id,
        supported_interpretation=most_specific(f.points_to for f in findings),
    )


# --------------------------------------------------------------------------- feedback


def _discriminating_steps(facts: Facts) -> set[str]:
    """Steps whose findings differ in what they point to, so doing them can change the answer."""
    pointing: dict[str, set[str | None]] = {}
    for f in facts.findings:
        pointing.setdefault(f.step_id, set()).add(f.points_to)
    return {step for step, targets in pointing.items() if len(targets) > 1}


def _missed_steps(facts: Facts, case: R.Case, result: ExamResult) -> tuple[MissedStep, ...]:
    done: dict[str, set[str | None]] = {}
    for step_id, site in result.performed:
        done.setdefault(step_id, set()).add(site)
    informative = _discriminating_steps(facts)
    missed = []
    for step in exam_steps(facts):
        needs_site = step_needs_site(facts, step.id)
        site = case.spasm_site if needs_site else None
        red_flag_screen = step.kind == RED_FLAG_KIND
        if step.id in done:
            if not needs_site or case.spasm_site in done[step.id]:
                continue
            tried = ", ".join(sorted(s.replace("-", " ") for s in done[step.id] if s))
            reason = (
                f"You did this only at: {tried}. Done where the spasm is, it would have shown "
                "what is listed here."
            )
        elif red_flag_screen:
            reason = (
                "Always ask the warning-sign questions before settling on a muscle problem: a red "
                "flag changes everything that follows."
            )
        elif step.id in informative:
            reason = "This step can change the interpretation; here is what it would have shown."
        else:
            continue
        missed.append(
            MissedStep(
                step_id=step.id,
                step_name=step.name,
                reason=reason,
                would_show=perform(facts, case, step.id, site),
                red_flag_screen=red_flag_screen,
            )
        )
    return tuple(missed)


def feedback(facts: Facts, case: R.Case, result: ExamResult, interpretation_id: str | None) -> Feedback:
    """Compare the student's interpretation with the patient's, explain the findings, list gaps.

    ``interpretation_id`` may be None (nothing committed yet): the feedback then only explains.
    Raises ValueError for an unknown interpretation id, naming the allowed ids.
    """
    interpretations = facts.by_id("interpretations")
    interpretation_id = interpretation_id or None
    if interpretation_id is not None and interpretation_id not in interpretations:
        raise _unknown("interpretation", interpretation_id, interpretations)
    if result.case_id != case.id:
        raise ValueError(f"the result is for case '{result.case_id}', not '{case.id}'")
    expected = interpretations[case.interpretation_id]
    groups = []
    for target in (*INTERPRETATION_PRIORITY, None):
        members = tuple(f for f in result.findings if f.points_to == target)
        if members:
            groups.append((target, interpretations[target].name if target else None, members))
    missed = _missed_steps(facts, case, result)
    supported = result.supported_interpretation
    return Feedback(
        case_id=case.id,
        chosen_id=interpretation_id,
        chosen_name=interpretations[interpretation_id].name if interpretation_id else None,
        expected_id=expected.id,
        expected_name=expected.name,
        expected_next_action=expected.next_action,
        correct=None if interpretation_id is None else interpretation_id == case.interpretation_id,
        supported_id=supported,
        supported_name=interpretations[supported].name if supported else None,
        reasoning=tuple(groups),
        missed=missed,
        red_flags_skipped=any(m.red_flag_screen for m in missed),
        steps_performed=len(result.performed),
        teaching_point=case.teaching_point,
    )
