"""The exam simulator's feedback on a commit: a grade that weighs the reasoning, not only the label.

The feedback weighs the steps a careful examiner takes for this patient (the working diagnosis's
expert path, ``needed_steps`` in ``interpretations.csv``, within each step's ``needed_when``),
whether the warning-sign questions were asked before committing, and the steps that were not
needed. Prompt referral is the right answer in an emergency: its expert path is short (the history
that raised the alarm, the warning-sign questions and, where nerves are at risk, the neurological
screen), and a provocative test done after an emergency flag came up is named as delaying the
transfer. Negative findings count: a finding can rule an interpretation out (``rules_out``), and
the feedback lists those beside the ones that point.

Why apart from :mod:`spasm_lib.exam_findings`: that module says what a step shows; this one judges
a finished examination against the expert's, and says when a commit is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from spasm_lib import records as R
from spasm_lib.exam_findings import (
    RED_FLAG_KIND,
    ExamResult,
    ExamState,
    RevealedFinding,
    by_priority,
    examine,
    exam_steps,
    perform,
    step_needs_site,
)
from spasm_lib.tables import Facts
from spasm_lib.triage import Triage, case_triage


@dataclass(frozen=True)
class MissedStep:
    """An informative step the student did not perform, and what it would have shown."""

    step_id: str
    step_name: str
    reason: str
    would_show: tuple[RevealedFinding, ...]
    red_flag_screen: bool
    wrong_site: bool
    """True when the step was done, but not where the spasm is (palpation elsewhere)."""


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
    reasoning: tuple[tuple[str, str, tuple[RevealedFinding, ...]], ...]
    """``(interpretation id, its name, findings pointing there)``, most specific first."""
    ruled_out: tuple[tuple[str, str, tuple[RevealedFinding, ...]], ...]
    """``(interpretation id, its name, findings arguing against it)``: the negatives that decide."""
    missed: tuple[MissedStep, ...]
    """Steps a careful examiner takes for this patient that were not done (or not done where the
    spasm is), each with why it matters and what it would have shown."""
    red_flags_skipped: bool
    steps_performed: int
    needed_steps: int
    needed_done: int
    unneeded: tuple[str, ...]
    """Names of steps performed that this patient did not need (they cannot change the answer)."""
    delaying: tuple[str, ...]
    """Names of provocative tests done after an emergency flag came up: they delayed the transfer."""
    triage: Triage
    teaching_point: str
    reasons: Mapping[str, str]
    """The feedback's teaching sentences by ``teaching_text.csv`` id (:data:`FEEDBACK_REASONS`), so
    the view frames the data's words and writes none of its own."""

    @property
    def reasoning_complete(self) -> bool:
        """Every needed step done, the warning-sign questions among them."""
        return not self.missed

    @property
    def grade(self) -> str:
        """``worked-example`` (nothing committed), ``correct`` (right, and well reasoned),
        ``right-but-incomplete`` (the right label on an incomplete examination: a guess), or
        ``incorrect``."""
        if self.correct is None:
            return "worked-example"
        if not self.correct:
            return "incorrect"
        return "correct" if self.reasoning_complete else "right-but-incomplete"


# --------------------------------------------------------------------------- feedback


def step_needed(facts: Facts, case: R.Case, step: R.ExamStep) -> bool:
    """Whether a careful examiner performs this step for this patient: it is on the expert path of
    the patient's working diagnosis (``needed_steps``) and applies to them (``needed_when``)."""
    applies = {
        "always": True,
        "lower-back": case.spasm_site == "lower-back",
        "optional": False,
    }[step.needed_when]
    return applies and step.id in facts.by_id("interpretations")[case.interpretation_id].needed_steps


def delaying_steps(facts: Facts, case: R.Case, performed: Iterable[tuple[str, str | None]]) -> tuple[str, ...]:
    """Names of provocative steps done after the warning-sign questions revealed an emergency: they
    only delay the transfer (an emergency patient needs referral, not a fuller examination)."""
    if not case_triage(facts, case).emergency:
        return ()
    steps = facts.by_id("exam_steps")
    names: dict[str, None] = {}
    asked = False
    for step_id, _site in performed:
        step = steps[step_id]
        if step.kind == RED_FLAG_KIND:
            asked = True
        elif asked and step.provocative:
            names[step.name] = None
    return tuple(names)


def _missed_steps(facts: Facts, case: R.Case, result: ExamResult) -> tuple[MissedStep, ...]:
    done: dict[str, set[str | None]] = {}
    for step_id, site in result.performed:
        done.setdefault(step_id, set()).add(site)
    missed = []
    for step in exam_steps(facts):
        if not step_needed(facts, case, step):
            continue
        needs_site = step_needs_site(facts, step.id)
        site = case.spasm_site if needs_site else None
        if step.id in done and (not needs_site or case.spasm_site in done[step.id]):
            continue
        missed.append(
            MissedStep(
                step_id=step.id,
                step_name=step.name,
                reason=step.why_it_matters,
                would_show=perform(facts, case, step.id, site),
                red_flag_screen=step.kind == RED_FLAG_KIND,
                wrong_site=step.id in done,
            )
        )
    return tuple(missed)


def _unneeded_steps(facts: Facts, case: R.Case, result: ExamResult) -> tuple[str, ...]:
    steps = facts.by_id("exam_steps")
    delaying = set(delaying_steps(facts, case, result.performed))
    names = dict.fromkeys(
        steps[s].name for s, _site in result.performed
        if steps[s].needed_when != "optional" and not step_needed(facts, case, steps[s])
        and steps[s].name not in delaying
    )
    return tuple(names)


def red_flags_asked(facts: Facts, state: ExamState) -> bool:
    """Whether the warning-sign questions were asked (a commit waits for them)."""
    steps = facts.by_id("exam_steps")
    return any(steps[s].kind == RED_FLAG_KIND for s, _site in state.performed)


FEEDBACK_REASONS = ("red-flags-every-time", "delayed-transfer", "steps-not-needed")
"""The ``teaching_text.csv`` rows the feedback shows: why to ask the warning-sign questions every
time, why tests after an emergency sign only delay the transfer, why unneeded steps change nothing."""

REFUSAL_REASONS = {"red-flags-first": "red-flags-before-commit"}
"""A refused commit whose reason is teaching: the ``teaching_text.csv`` row that says it."""


def refusal_text(facts: Facts, refusal: str) -> str | None:
    """The data's sentence for a refusal that teaches (``red-flags-first``), or None for a refusal
    whose words are the interface's (``no-interpretation``)."""
    row = REFUSAL_REASONS.get(refusal)
    return facts.by_id("teaching_text")[row].text if row else None


def commit_refusal(facts: Facts, state: ExamState, interpretation_id: str | None) -> str | None:
    """Why a commit is refused, or None: ``no-interpretation`` (nothing chosen) or
    ``red-flags-first`` (the warning-sign questions were not asked yet)."""
    if not interpretation_id:
        return "no-interpretation"
    if not red_flags_asked(facts, state):
        return "red-flags-first"
    return None


def feedback(facts: Facts, case: R.Case, result: ExamResult, interpretation_id: str | None) -> Feedback:
    """Compare the student's interpretation and reasoning with what the patient's findings support.

    ``interpretation_id`` may be None (nothing committed: the worked example's feedback). Raises
    ValueError for an unknown interpretation id, naming the allowed ids.
    """
    interpretations = facts.by_id("interpretations")
    interpretation_id = interpretation_id or None
    if interpretation_id is not None and interpretation_id not in interpretations:
        raise ValueError(
            f"unknown interpretation '{interpretation_id}'; expected one of: {', '.join(interpretations)}"
        )
    if result.case_id != case.id:
        raise ValueError(f"the result is for case '{result.case_id}', not '{case.id}'")
    expected = interpretations[case.interpretation_id]
    pointing = []
    ruling_out = []
    for target in (i.id for i in by_priority(facts)):
        members = tuple(f for f in result.findings if f.points_to == target)
        if members:
            pointing.append((target, interpretations[target].name, members))
        against = tuple(f for f in result.findings if f.rules_out == target)
        if against:
            ruling_out.append((target, interpretations[target].name, against))
    missed = _missed_steps(facts, case, result)
    supported = result.supported_interpretation
    needed = [s for s in exam_steps(facts) if step_needed(facts, case, s)]
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
        reasoning=tuple(pointing),
        ruled_out=tuple(ruling_out),
        missed=missed,
        red_flags_skipped=any(m.red_flag_screen for m in missed),
        steps_performed=len(result.performed),
        needed_steps=len(needed),
        needed_done=len(needed) - len([m for m in missed]),
        unneeded=_unneeded_steps(facts, case, result),
        delaying=delaying_steps(facts, case, result.performed),
        triage=case_triage(facts, case),
        teaching_point=case.teaching_point,
        reasons=MappingProxyType({r: facts.by_id("teaching_text")[r].text for r in FEEDBACK_REASONS}),
    )


def feedback_due(state: ExamState, audience: str, worked: bool = False) -> bool:
    """Whether the simulator shows feedback: after a commit; always in a worked example (a static
    run with nothing committed) and for the instructor, whose copy is the answer key."""
    return state.interpretation_id is not None or worked or audience == "instructor"


def exam_feedback(facts: Facts, case: R.Case, state: ExamState, audience: str,
                  worked: bool = False) -> tuple[ExamResult, Feedback | None]:
    """What the simulator shows for a state: the findings, and the feedback when it is due."""
    result = examine(facts, state, case)
    due = feedback_due(state, audience, worked)
    return result, feedback(facts, case, result, state.interpretation_id) if due else None
