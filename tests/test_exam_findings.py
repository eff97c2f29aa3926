"""The exam simulator's rules and views (notebook 02), checked against expectations written by hand.

Finding ids, needed steps, grades and names come from tests/clinical_expectations.py or are written
here from the CSVs (findings.csv triggers, exam_steps.csv needed_when, cases.csv facts); none is
produced by the code under test.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from clinical_expectations import (
    STEP_NAMES,
    CASE_TRIAGE,
    EXAM_STEPS,
    FULL_EXAM_FINDINGS,
    EXPERT_PATH,
    FULL_NON_SPECIFIC,
    expected_finding_ids,
    expected_interpretation,
)
from spasm_lib.exam_findings import (
    ExamState,
    examine,
    exam_steps,
    most_specific,
    perform,
    record_step,
    state_from,
    step_needs_site,
)
from spasm_lib.exam_grading import commit_refusal, feedback, refusal_text, step_needed
from spasm_lib.facts import load_facts
from spasm_lib.tables import Facts
from spasm_lib.views.exam import COMMIT_MESSAGES, case_view, exam_view, feedback_view, findings_view
from spasm_lib.virtual_patients import case_for, virtual_patient

OTHER_SITE = {"lower-back": "upper-back", "upper-back": "lower-back"}


@pytest.fixture(scope="module")
def facts() -> Facts:
    return load_facts()


def case(facts: Facts, case_id: str):
    return facts.by_id("cases")[case_id]


def ids(findings) -> list[str]:
    return [f.finding_id for f in findings]


def state_of(c, *steps) -> ExamState:
    """A state with these steps performed in order, palpating at the spasm."""
    return ExamState(c.id, tuple((s, c.spasm_site if s == "palpation" else None) for s in steps))


def every_step(c) -> ExamState:
    return state_of(c, *EXAM_STEPS)


# --------------------------------------------------------------------------- perform / examine


@pytest.mark.parametrize("case_id", list(FULL_EXAM_FINDINGS))
def test_full_examination_of_every_data_case(facts, case_id):
    c = case(facts, case_id)
    result = examine(facts, every_step(c), c)
    assert ids(result.findings) == FULL_EXAM_FINDINGS[case_id]
    assert result.supported_interpretation == CASE_TRIAGE[case_id][1]


def test_full_examination_of_virtual_patients_follows_the_triggers(facts):
    for seed in range(150):
        p = virtual_patient(facts, seed)
        result = examine(facts, every_step(p), p)
        assert ids(result.findings) == expected_finding_ids(facts, p), p.id
        assert result.supported_interpretation == expected_interpretation(p) == p.interpretation_id, p.id


@pytest.mark.parametrize("case_id", list(FULL_EXAM_FINDINGS))
def test_palpation_is_tender_only_at_the_spasm(facts, case_id):
    c = case(facts, case_id)
    (right,) = perform(facts, c, "palpation", c.spasm_site)
    (wrong,) = perform(facts, c, "palpation", OTHER_SITE[c.spasm_site])
    assert (right.finding_id, wrong.finding_id) == (FULL_EXAM_FINDINGS[case_id][7], "palpation-not-tender")
    assert "not tender" in wrong.text
    assert wrong.site == OTHER_SITE[c.spasm_site] and wrong.points_to is None


def test_emergency_flags_are_named_with_their_level_and_point_to_a_serious_cause(facts):
    c = case(facts, "red-flag-saddle-numbness")
    (shown,) = perform(facts, c, "red-flag-questions")
    assert shown.finding_id == "red-flags-present" and shown.red_flag
    assert shown.details == ("Pain, numbness or pins and needles in both legs (on its own: emergency)",
                             "Altered feeling in the saddle area (on its own: emergency)",
                             "New bladder change (on its own: emergency)")
    assert shown.points_to == "suspected-cauda-equina"
    markup = findings_view(examine(facts, state_of(c, "red-flag-questions"), c)).markup
    assert "Red flag:" in markup and "Altered feeling in the saddle area (on its own: emergency)" in markup


def test_flags_are_listed_most_urgent_first(facts):
    c = case(facts, "older-lifter-osteoporosis")
    (shown,) = perform(facts, c, "red-flag-questions")
    assert shown.details == (
        "Minor trauma or strenuous lifting in an older or osteoporotic person (on its own: urgent assessment)",
        "Age over 50 or under 20 (on its own: treat and watch)")
    assert shown.points_to == "suspected-fracture"


def test_one_weak_flag_is_shown_but_does_not_point_to_a_serious_cause(facts):
    c = case(facts, "arthritis-older-adult")
    (shown,) = perform(facts, c, "red-flag-questions")
    assert shown.finding_id == "red-flags-present" and shown.red_flag
    assert shown.details == ("Age over 50 or under 20 (on its own: treat and watch)",)
    assert shown.points_to is None
    assert examine(facts, every_step(c), c).supported_interpretation == "back-spasm"


def test_no_flags_say_none_came_up_and_rule_out_a_serious_cause(facts):
    c = case(facts, "golfer-twist")
    (shown,) = perform(facts, c, "red-flag-questions")
    assert shown.finding_id == "red-flags-absent" and not shown.red_flag and shown.details == ()
    assert shown.rules_out == "suspected-cauda-equina"
    assert "Red flag:" not in findings_view(examine(facts, state_of(c, "red-flag-questions"), c)).markup


def test_risk_factor_history_names_the_factors_and_the_sport(facts):
    c = case(facts, "golfer-twist")
    (shown,) = perform(facts, c, "history-risk-factors")
    assert shown.finding_id == "risk-factors-history"
    assert shown.details == ("Sports with sudden twists, jerks and pulls", "plays golf")
    assert shown.full_text.endswith("the source names: Sports with sudden twists, jerks and pulls; plays golf.")
    nothing = replace(c, risk_factor_ids=(), sport_id=None)
    assert ids(perform(facts, nothing, "history-risk-factors")) == ["risk-factors-none"]


def test_onset_tells_a_spasm_from_pain_that_never_eased(facts):
    assert ids(perform(facts, case(facts, "golfer-twist"), "history-onset")) == ["onset-history"]
    (unremitting,) = perform(facts, case(facts, "older-lifter-osteoporosis"), "history-onset")
    assert unremitting.finding_id == "onset-unremitting" and unremitting.points_to is None
    assert "has not eased at any point" in unremitting.text


def test_yellow_flags_are_heard_in_the_patients_words(facts):
    worried = case(facts, "office-worker-weak-core")
    (shown,) = perform(facts, worried, "history-yellow-flags")
    assert shown.finding_id == "yellow-flags-present"
    assert shown.details == ("\u201cI've stopped doing almost everything, because every time I move I'm afraid "
                             "I'll make it worse.\u201d (fear of movement and reduced activity)",)
    assert shown.beyond_source and shown.references == ("Kendall 1997 (yellow flags)", "Nicholas 2011",
                                                        "NICE NG59")
    assert ids(perform(facts, case(facts, "golfer-twist"), "history-yellow-flags")) == ["yellow-flags-absent"]


def test_inspection_straight_leg_raise_and_neuro_screen_follow_the_hidden_facts(facts):
    injured, disc, plain, saddle, upper = (case(facts, i) for i in (
        "weekend-footballer", "ruptured-disc", "golfer-twist", "red-flag-saddle-numbness", "office-worker-weak-core"))
    assert ids(perform(facts, injured, "inspection")) == ["inspection-signs"]
    assert ids(perform(facts, plain, "inspection")) == ["inspection-clear"]
    assert ids(perform(facts, disc, "straight-leg-raise")) == ["slr-radicular"]
    assert ids(perform(facts, plain, "straight-leg-raise")) == ["slr-back-pain-only"]
    assert ids(perform(facts, upper, "straight-leg-raise")) == ["slr-upper-back"]
    assert ids(perform(facts, disc, "neuro-screen")) == ["neuro-root"]
    assert ids(perform(facts, saddle, "neuro-screen")) == ["neuro-ces-early"]
    assert ids(perform(facts, plain, "neuro-screen")) == ["neuro-normal"]
    (root,) = perform(facts, disc, "neuro-screen")
    assert root.points_to == "nerve-root-irritation" and "top of the foot" in root.text


def test_steps_beyond_the_source_are_labelled_with_their_references(facts):
    c = case(facts, "ruptured-disc")
    (slr,) = perform(facts, c, "straight-leg-raise")
    assert slr.beyond_source and slr.references == ("bpac NZ 2009", "Devill\u00e9 2000")
    (neuro,) = perform(facts, c, "neuro-screen")
    assert neuro.beyond_source and neuro.references[:2] == ("Harrison's (radiculopathy table)", "Iversen 2013")
    (onset,) = perform(facts, c, "history-onset")
    assert not onset.beyond_source and onset.references == () and onset.source_paragraph == 1
    markup = findings_view(examine(facts, state_of(c, "straight-leg-raise"), c)).markup
    assert "Beyond the source: bpac NZ 2009, Devill\u00e9 2000" in markup


def test_examine_keeps_the_order_steps_were_performed(facts):
    c = case(facts, "weekend-footballer")
    state = ExamState(c.id)
    for step_id in ("lean-forward", "history-onset", "inspection"):
        state = record_step(facts, state, step_id)
    state = record_step(facts, state, "palpation", "upper-back")
    state = record_step(facts, state, "palpation", "lower-back")
    result = examine(facts, state, c)
    assert ids(result.findings) == [
        "lean-forward-pain", "onset-history", "inspection-signs", "palpation-not-tender", "palpation-injury"]
    assert result.supported_interpretation == "back-spasm-with-tissue-injury"


def test_examine_needs_the_states_patient(facts):
    with pytest.raises(ValueError, match="the state is for case 'ruptured-disc', not 'golfer-twist'"):
        examine(facts, ExamState("ruptured-disc"), case(facts, "golfer-twist"))
    patient = case_for(facts, "virtual-12")
    assert examine(facts, ExamState("virtual-12", (("history-onset", None),)), patient).case_id == "virtual-12"
    assert examine(facts, ExamState("random"), virtual_patient(facts, 3)).case_id == "virtual-3"


def test_record_step_ignores_repeats_and_sites_of_other_steps(facts):
    state = record_step(facts, ExamState("golfer-twist"), "inspection", "upper-back")
    assert state.performed == (("inspection", None),)
    assert record_step(facts, state, "inspection") is state
    state = record_step(facts, state, "palpation", "lower-back")
    assert record_step(facts, state, "palpation", "lower-back") is state
    assert record_step(facts, state, "palpation", "upper-back").performed[-1] == ("palpation", "upper-back")


def test_only_palpation_needs_a_site(facts):
    assert [s.id for s in facts.exam_steps if step_needs_site(facts, s.id)] == ["palpation"]
    with pytest.raises(ValueError, match="needs a site.*lower-back, upper-back"):
        perform(facts, case(facts, "golfer-twist"), "palpation")
    with pytest.raises(ValueError, match="'shoulder'.*lower-back, upper-back"):
        record_step(facts, ExamState("golfer-twist"), "palpation", "shoulder")


def test_unknown_ids_are_named_with_what_is_allowed(facts):
    c = case(facts, "golfer-twist")
    with pytest.raises(ValueError) as err:
        perform(facts, c, "x-ray")
    assert "'x-ray'" in str(err.value) and all(s in str(err.value) for s in EXAM_STEPS)
    with pytest.raises(ValueError) as err:
        feedback(facts, c, examine(facts, ExamState(c.id), c), "sciatica")
    assert "'sciatica'" in str(err.value) and all(i.id in str(err.value) for i in facts.interpretations)
    with pytest.raises(ValueError, match="unknown interpretation 'flu'"):
        examine(facts, ExamState(c.id, (), "flu"), c)
    with pytest.raises(ValueError, match="unknown exam step 'x-ray'"):
        record_step(facts, ExamState(c.id), "x-ray")


def test_most_specific_follows_the_rule(facts):
    assert most_specific(facts, ["back-spasm", None, "nerve-root-irritation"]) == "nerve-root-irritation"
    assert most_specific(facts, ["back-spasm-with-tissue-injury", "suspected-fracture"]) == "suspected-fracture"
    assert most_specific(facts, ["back-spasm", "back-spasm-with-tissue-injury"]) == "back-spasm-with-tissue-injury"
    assert most_specific(facts, ["suspected-fracture", "suspected-cauda-equina"]) == "suspected-cauda-equina"
    assert most_specific(facts, [None]) is None


def test_exam_steps_come_in_teaching_order_with_their_names(facts):
    assert [s.id for s in exam_steps(facts)] == EXAM_STEPS
    assert {s.id: s.name for s in facts.exam_steps} == STEP_NAMES


@pytest.mark.parametrize("case_id, needed", [
    ("golfer-twist", FULL_NON_SPECIFIC),
    ("office-worker-weak-core", [s for s in FULL_NON_SPECIFIC if s != "straight-leg-raise"]),  # upper back
    ("ruptured-disc", EXPERT_PATH["nerve-root-irritation"]),  # nerve-root signs: the neurological screen
    # a cauda equina warning sign: the alarm, the questions, the neurological screen, then go
    ("red-flag-saddle-numbness", ["history-onset", "red-flag-questions", "neuro-screen"]),
    ("older-lifter-osteoporosis", ["history-onset", "red-flag-questions", "palpation", "neuro-screen"]),
    ("arthritis-older-adult", FULL_NON_SPECIFIC),
])
def test_the_steps_a_careful_examiner_needs(facts, case_id, needed):
    c = case(facts, case_id)
    assert [s.id for s in exam_steps(facts) if step_needed(facts, c, s)] == needed


# --------------------------------------------------------------------------- commit and feedback


def test_commit_is_refused_without_an_interpretation_or_before_the_red_flag_questions(facts):
    c = case(facts, "golfer-twist")
    state = state_of(c, "history-onset", "palpation")
    assert commit_refusal(facts, state, None) == "no-interpretation"
    assert commit_refusal(facts, state, "") == "no-interpretation"
    assert commit_refusal(facts, state, "back-spasm") == "red-flags-first"
    asked = record_step(facts, state, "red-flag-questions")
    assert commit_refusal(facts, asked, "back-spasm") is None
    assert commit_refusal(facts, asked, "") == "no-interpretation"
    assert set(COMMIT_MESSAGES) == {"no-interpretation"}  # the interface's words
    assert refusal_text(facts, "no-interpretation") is None
    # The refusal that teaches says the data's sentence (teaching_text.csv), not one written in Python.
    assert refusal_text(facts, "red-flags-first") == (
        "Before committing, ask the warning-sign (red flag) questions: they decide how urgent everything else is.")


def test_one_palpation_and_the_red_flags_is_right_but_incomplete(facts):
    c = case(facts, "golfer-twist")
    state = state_of(c, "palpation", "red-flag-questions")
    fb = feedback(facts, c, examine(facts, state, c), "back-spasm")
    assert fb.correct is True
    assert fb.grade == "right-but-incomplete" and fb.grade != "correct"
    assert (fb.needed_done, fb.needed_steps, fb.steps_performed) == (2, 9, 2)
    assert [m.step_id for m in fb.missed] == [
        "history-onset", "history-risk-factors", "history-yellow-flags", "history-pattern", "inspection",
        "lean-forward", "straight-leg-raise"]
    assert [m.reason for m in fb.missed][3] == (  # exam_steps.csv's why_it_matters, copied by hand
        "The pattern separates mechanical pain (worse with movement, eased by rest) from inflammatory pain (worse "
        "after rest, eased by exercise), from leg pain brought on by walking and eased by sitting, and from pain "
        "that no position changes.")
    assert not fb.red_flags_skipped and not fb.reasoning_complete
    markup = feedback_view(fb).markup
    assert "Right interpretation, incomplete examination." in markup
    assert "after 2 of the 9 steps this patient needed" in markup
    assert "Steps this patient needed that you did not take" in markup


def test_every_needed_step_and_the_right_answer_is_correct(facts):
    c = case(facts, "golfer-twist")
    state = state_of(c, *FULL_NON_SPECIFIC)
    fb = feedback(facts, c, examine(facts, state, c), "back-spasm")
    assert fb.grade == "correct" and fb.missed == () and fb.unneeded == ()
    assert (fb.needed_done, fb.needed_steps) == (9, 9)
    assert "Correct, and well reasoned." in feedback_view(fb).markup


def test_wrong_answer_and_no_answer(facts):
    c = case(facts, "ruptured-disc")
    result = examine(facts, every_step(c), c)
    wrong = feedback(facts, c, result, "back-spasm")
    assert wrong.grade == "incorrect" and wrong.correct is False
    assert wrong.expected_id == "nerve-root-irritation"
    assert (wrong.chosen_name, wrong.expected_name) == ("Non-specific back pain with muscle spasm",
                                                        "Sciatica (nerve-root pain), stable, in one leg")
    assert "<strong>\u2717 Not this time.</strong>" in feedback_view(wrong).markup
    worked = feedback(facts, c, result, None)
    assert worked.grade == "worked-example" and worked.correct is None and worked.chosen_id is None
    assert "Worked example." in feedback_view(worked).markup


def test_feedback_lists_what_points_and_what_rules_out(facts):
    c = case(facts, "golfer-twist")
    fb = feedback(facts, c, examine(facts, every_step(c), c), "back-spasm")
    pointing = {target: ids(members) for target, _name, members in fb.reasoning}
    assert pointing == {"back-spasm": ["onset-history", "palpation-tender", "lean-forward-pain"]}
    ruled_out = [(target, ids(members)) for target, _name, members in fb.ruled_out]
    assert ruled_out == [  # the most dangerous to miss first
        ("suspected-cauda-equina", ["red-flags-absent"]),
        ("suspected-infection", ["general-normal"]),
        ("suspected-aortic-aneurysm", ["abdomen-normal"]),
        ("axial-spondyloarthritis", ["pattern-mechanical"]),
        ("nerve-root-irritation", ["slr-back-pain-only", "neuro-normal"]),
        ("back-spasm-with-tissue-injury", ["inspection-clear"]),
    ]
    markup = feedback_view(fb).markup
    assert "Rule out Sciatica (nerve-root pain), stable, in one leg" in markup


def test_feedback_groups_a_nerve_root_case_most_specific_first(facts):
    c = case(facts, "ruptured-disc")
    fb = feedback(facts, c, examine(facts, every_step(c), c), "nerve-root-irritation")
    assert fb.reasoning[0][0] == "nerve-root-irritation"
    assert ids(fb.reasoning[0][2]) == ["slr-radicular", "neuro-root"]
    assert fb.grade == "correct"


def test_feedback_warns_when_the_red_flag_questions_were_skipped(facts):
    c = case(facts, "golfer-twist")  # no red flags, yet skipping the questions is still a gap
    fb = feedback(facts, c, examine(facts, state_of(c, "history-onset", "palpation"), c), "back-spasm")
    assert fb.red_flags_skipped and "red-flag-questions" in [m.step_id for m in fb.missed]
    assert ("the warning-sign (red flag) questions were not asked. "
            "Ask them every time, before settling on a muscle problem.</div>") in feedback_view(fb).markup
    asked = state_of(c, "history-onset", "palpation", "red-flag-questions")
    assert not feedback(facts, c, examine(facts, asked, c), "back-spasm").red_flags_skipped


def test_feedback_shows_what_a_skipped_step_would_have_shown(facts):
    c = case(facts, "ruptured-disc")
    fb = feedback(facts, c, examine(facts, state_of(c, "history-onset", "red-flag-questions"), c), "back-spasm")
    missed = {m.step_id: m for m in fb.missed}
    assert ids(missed["straight-leg-raise"].would_show) == ["slr-radicular"]
    assert ids(missed["neuro-screen"].would_show) == ["neuro-root"]
    assert fb.supported_id == "back-spasm" and fb.expected_id == "nerve-root-irritation"
    assert "It would have shown:" in feedback_view(fb).markup


def test_feedback_names_palpation_done_only_at_the_wrong_site(facts):
    c = case(facts, "office-worker-weak-core")
    assert c.spasm_site == "upper-back"
    state = ExamState(c.id, (("palpation", "lower-back"), ("red-flag-questions", None)))
    fb = feedback(facts, c, examine(facts, state, c), "back-spasm")
    missed = {m.step_id: m for m in fb.missed}
    assert missed["palpation"].wrong_site
    assert ids(missed["palpation"].would_show) == ["palpation-tender"]
    assert "(you did it, but not where the pain is)" in feedback_view(fb).markup


def test_steps_this_patient_did_not_need_are_named_but_optional_ones_are_not(facts):
    c = case(facts, "office-worker-weak-core")
    state = state_of(c, *[s for s in FULL_NON_SPECIFIC if s != "straight-leg-raise"], "twisting", "straight-leg-raise")
    fb = feedback(facts, c, examine(facts, state, c), "back-spasm")
    assert fb.unneeded == ("Straight leg raise",) and fb.grade == "correct"
    assert ("<strong>Not needed for this patient:</strong> Straight leg raise. "
            "They could not change the interpretation here.</p>") in feedback_view(fb).markup


def test_a_watchful_patients_feedback_says_treat_and_watch(facts):
    c = case(facts, "arthritis-older-adult")
    fb = feedback(facts, c, examine(facts, every_step(c), c), "suspected-cancer-or-cord-compression")
    assert fb.grade == "incorrect" and fb.expected_id == "back-spasm" and fb.triage.id == "watchful"
    markup = feedback_view(fb).markup
    assert "Triage: Treat and watch (watchful)" in markup


def test_instructor_feedback_names_answer_and_triage(facts):
    c = case(facts, "older-lifter-osteoporosis")
    fb = feedback(facts, c, examine(facts, ExamState(c.id), c), None)
    assert fb.steps_performed == 0 and fb.needed_done == 0
    markup = feedback_view(fb, "instructor").markup
    assert ("expected interpretation: Suspected vertebral fracture; triage: Urgent assessment."
            in markup)
    assert "For the instructor" not in feedback_view(fb, "student").markup


# --------------------------------------------------------------------------- views


def test_case_view_escapes_the_title_and_story(facts):
    c = replace(case(facts, "golfer-twist"), title="<script>alert('x')</script>", story="a < b & c")
    markup = case_view(c).markup
    assert "<script>" not in markup
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in markup
    assert "a &lt; b &amp; c" in markup


VIRTUAL_NOTE = "A virtual patient, composed from the teaching data for practice."


def test_case_view_says_virtual_only_when_told(facts):
    c = case(facts, "golfer-twist")
    assert VIRTUAL_NOTE in case_view(c, virtual=True).markup
    assert VIRTUAL_NOTE not in case_view(c).markup


def test_examine_says_whether_the_patient_is_virtual(facts):
    assert examine(facts, ExamState("random"), virtual_patient(facts, 7)).virtual is True
    assert examine(facts, ExamState("golfer-twist"), case(facts, "golfer-twist")).virtual is False


def test_state_from_a_static_runs_parameters(facts):
    c = case(facts, "golfer-twist")
    state = state_from(facts, c, ["palpation", "history-onset", "palpation"], "upper-back", "back-spasm")
    assert state == ExamState("golfer-twist", (("palpation", "upper-back"), ("history-onset", None)), "back-spasm")
    assert state_from(facts, c, [], "lower-back", "").interpretation_id is None


@pytest.mark.parametrize("case_id", list(FULL_EXAM_FINDINGS))
def test_case_view_never_shows_the_answer(facts, case_id):
    c = case(facts, case_id)
    markup = case_view(c).markup
    answer = facts.by_id("interpretations")[c.interpretation_id]
    assert answer.name not in markup and c.teaching_point not in markup
    assert c.title in markup.replace("&#x27;", "'") and f"<strong>Age:</strong> {c.age}" in markup


def test_findings_view_before_any_step(facts):
    c = case(facts, "golfer-twist")
    markup = findings_view(examine(facts, ExamState(c.id), c)).markup
    assert "No examination steps performed yet" in markup and "<ol>" not in markup


def test_exam_view_shows_feedback_only_when_given(facts):
    c = case(facts, "golfer-twist")
    result = examine(facts, state_of(c, "history-onset"), c)
    assert "spasm-feedback" not in exam_view(c, result).markup
    fb = feedback(facts, c, result, "back-spasm")
    assert exam_view(c, result, fb).markup == (case_view(c) + findings_view(result) + feedback_view(fb)).markup
