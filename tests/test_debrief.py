"""The debrief: each reasoning error found on a hand-made path and never on the expert's path.

The paths are written by hand (step ids, hypotheses, confidence) for patients whose facts are known
from data/cases.csv: golfer-twist (an uncomplicated lower-back spasm), ruptured-disc (nerve-root
irritation) and red-flag-saddle-numbness (an emergency). Expected errors are the ones a teacher would
name for that path, written out here.
"""

from __future__ import annotations

import pytest

from spasm_lib.debrief import debrief
from spasm_lib.encounter import (
    COMMIT,
    COMMIT_ATTEMPT,
    CONFIDENCE,
    HYPOTHESIS,
    STEP,
    Encounter,
    careless_path,
    expert_path,
)
from spasm_lib.facts import load_facts
from spasm_lib.reasoning_errors import discriminating_steps, reasoning_errors
from spasm_lib.views.debrief import debrief_view, worked_debrief_view
from spasm_lib.virtual_patients import case_for


@pytest.fixture(scope="module")
def facts():
    return load_facts()


def path(case_id: str, *events: tuple) -> Encounter:
    enc = Encounter(case_id)
    for e in events:
        enc = enc.then(*e)
    return enc


def errors(facts, case_id: str, enc: Encounter) -> list[str]:
    return [e.error.id for e in reasoning_errors(facts, facts.by_id("cases")[case_id], enc)]


def test_premature_closure_a_commit_tried_before_the_warning_sign_questions(facts):
    enc = path("golfer-twist", (STEP, "history-onset"), (HYPOTHESIS, "back-spasm"), (COMMIT_ATTEMPT, "back-spasm"),
               (STEP, "red-flag-questions"), (STEP, "palpation", "lower-back"), (CONFIDENCE, "fairly-sure"),
               (COMMIT, "back-spasm"))
    assert errors(facts, "golfer-twist", enc) == ["premature-closure"]
    named = reasoning_errors(facts, facts.by_id("cases")["golfer-twist"], enc)[0]
    assert named.evidence == ("A commit to \u201cNon-specific back pain with muscle spasm\u201d came before the "
                              "warning-sign (red flag) questions.")


def test_anchoring_kept_a_hypothesis_the_straight_leg_raise_ruled_out(facts):
    enc = path("golfer-twist", (STEP, "history-onset"), (STEP, "red-flag-questions"),
               (HYPOTHESIS, "nerve-root-irritation"), (STEP, "straight-leg-raise"), (CONFIDENCE, "fairly-sure"),
               (COMMIT, "nerve-root-irritation"))
    assert errors(facts, "golfer-twist", enc) == ["anchoring"]
    # revising after the finding is not anchoring
    revised = path("golfer-twist", (STEP, "history-onset"), (STEP, "red-flag-questions"),
                   (HYPOTHESIS, "nerve-root-irritation"), (STEP, "straight-leg-raise"), (HYPOTHESIS, "back-spasm"),
                   (CONFIDENCE, "fairly-sure"), (COMMIT, "back-spasm"))
    assert errors(facts, "golfer-twist", revised) == []


def test_anchoring_also_when_the_ruling_out_finding_came_first(facts):
    # No warning signs come up (that rules cauda equina syndrome out), yet the student holds it to the end.
    enc = path("golfer-twist", (STEP, "red-flag-questions"), (HYPOTHESIS, "suspected-cauda-equina"),
               (CONFIDENCE, "unsure"), (COMMIT, "suspected-cauda-equina"))
    assert errors(facts, "golfer-twist", enc) == ["anchoring"]


def test_over_testing_movement_tests_after_an_emergency_flag(facts):
    enc = path("red-flag-saddle-numbness", (STEP, "history-onset"), (STEP, "red-flag-questions"),
               (HYPOTHESIS, "suspected-cauda-equina"), (STEP, "lean-forward"), (STEP, "straight-leg-raise"),
               (CONFIDENCE, "sure"), (COMMIT, "suspected-cauda-equina"))
    assert errors(facts, "red-flag-saddle-numbness", enc) == ["over-testing-emergency"]
    named = reasoning_errors(facts, facts.by_id("cases")["red-flag-saddle-numbness"], enc)[0]
    assert named.evidence == ("After the emergency warning sign the examination went on with: Bending forward, "
                              "Straight leg raise.")
    # the same tests before the warning-sign questions are not over-testing (the flag was not known yet)
    before = path("red-flag-saddle-numbness", (STEP, "history-onset"), (HYPOTHESIS, "suspected-cauda-equina"),
                  (STEP, "lean-forward"), (STEP, "red-flag-questions"), (CONFIDENCE, "sure"),
                  (COMMIT, "suspected-cauda-equina"))
    assert errors(facts, "red-flag-saddle-numbness", before) == []


def test_missed_discriminating_step_for_the_hypothesis_held(facts):
    # Tissue injury is tested by inspection (swelling, heat, redness or none); the student never looked.
    enc = path("golfer-twist", (STEP, "red-flag-questions"), (HYPOTHESIS, "back-spasm-with-tissue-injury"),
               (STEP, "lean-forward"), (CONFIDENCE, "unsure"), (COMMIT, "back-spasm"))
    assert errors(facts, "golfer-twist", enc) == ["missed-discriminating-step"]
    db = debrief(facts, facts.by_id("cases")["golfer-twist"], enc)
    assert db.hypothesis_tested_by == () and "Inspection of the painful area" in db.hypothesis_testers
    shown = debrief_view(db).markup
    assert "Your examination did not test it; these steps could have: Inspection of the painful area" in shown


def test_calibration_sure_and_wrong_and_unsure_and_right(facts):
    base = ((STEP, "history-onset"), (STEP, "red-flag-questions"), (HYPOTHESIS, "back-spasm"),
            (STEP, "palpation", "lower-back"))
    wrong_sure = path("golfer-twist", *base, (CONFIDENCE, "sure"), (COMMIT, "back-spasm-with-tissue-injury"))
    right_guess = path("golfer-twist", *base, (CONFIDENCE, "guessing"), (COMMIT, "back-spasm"))
    right_sure = path("golfer-twist", *base, (CONFIDENCE, "sure"), (COMMIT, "back-spasm"))
    assert errors(facts, "golfer-twist", wrong_sure) == ["calibration"]
    assert errors(facts, "golfer-twist", right_guess) == ["calibration"]
    assert errors(facts, "golfer-twist", right_sure) == []


def test_the_expert_path_names_no_error_for_any_data_case_or_virtual_patient(facts):
    patients = list(facts.cases) + [case_for(facts, "random", seed) for seed in range(300)]
    for case in patients:
        enc = expert_path(facts, case)
        assert reasoning_errors(facts, case, enc) == (), case.id
        assert enc.committed == case.interpretation_id


def test_expert_path_from_data_and_triage(facts):
    cases = facts.by_id("cases")
    steps = lambda enc: [e.value for e in enc.events if e.kind == STEP]  # noqa: E731
    hyps = lambda enc: [e.value for e in enc.events if e.kind == HYPOTHESIS]  # noqa: E731
    disc = expert_path(facts, cases["ruptured-disc"])
    # nerve root: the history points to a spasm; the straight leg raise revises it
    assert hyps(disc) == ["back-spasm", "nerve-root-irritation"]
    assert steps(disc)[:4] == ["history-onset", "history-risk-factors", "red-flag-questions", "history-yellow-flags"]
    emergency = expert_path(facts, cases["red-flag-saddle-numbness"])
    # an emergency: no provocative movement test delays the transfer
    assert not {"lean-forward", "twisting", "straight-leg-raise"} & set(steps(emergency))
    assert hyps(emergency) == ["suspected-cauda-equina"]


def test_discriminating_steps_read_from_findings(facts):
    # findings.csv by hand: inspection (signs or none) and palpation over the swollen area
    assert discriminating_steps(facts, "back-spasm-with-tissue-injury") == ("inspection", "palpation")
    assert discriminating_steps(facts, "nerve-root-irritation") == ("straight-leg-raise", "neuro-screen")
    # bending forward hurts in back pain and changes nothing in a cause outside the spine: it tells them
    # apart; turning the trunk points nowhere
    assert "lean-forward" in discriminating_steps(facts, "back-spasm")
    assert "twisting" not in discriminating_steps(facts, "back-spasm")
    # a red flag suggests a fracture: the warning-sign questions test that hypothesis
    assert "red-flag-questions" in discriminating_steps(facts, "suspected-fracture")


def test_debrief_rows_explain_each_difference(facts):
    case = facts.by_id("cases")["golfer-twist"]
    db = debrief(facts, case, careless_path(facts, case))
    rows = {r.what: r for r in db.rows}
    assert (rows["Inspection of the painful area"].student, rows["Inspection of the painful area"].expert) == ("not done", "step 6")
    assert rows["Inspection of the painful area"].explanation.startswith(
        facts.by_id("exam_steps")["inspection"].why_it_matters + " Here it would have shown: No swelling")
    assert (rows["Turning the trunk"].student, rows["Turning the trunk"].expert) == ("step 4", "not done")
    assert rows["Turning the trunk"].explanation.startswith("Not needed for this patient")
    assert rows["Interpretation committed"].same


def test_worked_example_shows_both_paths_escaped(facts):
    case = facts.by_id("cases")["red-flag-saddle-numbness"]
    html = worked_debrief_view(debrief(facts, case, expert_path(facts, case)),
                               debrief(facts, case, careless_path(facts, case))).markup
    assert "Debrief: a careless student&#x27;s path beside an expert" in html and "The expert said" in html
    assert html.count("<table") == 1 and "Debrief: the expert&#x27;s path</h5>" in html and "Over-testing in an emergency." in html and "Premature closure." in html
    assert "None of the reasoning errors this debrief looks for happened on this path." in html
    assert "<script" not in html


def test_unknown_event_kind_is_refused():
    with pytest.raises(ValueError, match="unknown event kind 'guess'"):
        Encounter("x").then("guess", "y")
