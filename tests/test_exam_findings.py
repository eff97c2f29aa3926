"""The exam simulator's rules and views (notebook 02), checked against the data tables.

Expectations come from the tables (findings.csv triggers, cases.csv answers, red_flags.csv names)
or are written here by hand; none is produced by the code under test.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from spasm_lib.exam_findings import (
    ExamState,
    examine,
    exam_steps,
    feedback,
    find_case,
    most_specific,
    perform,
    record_step,
    step_needs_site,
)
from spasm_lib.facts import Facts, load_facts
from spasm_lib.views.exam import case_view, exam_view, feedback_view, findings_view

# Written by hand from the rule the simulator teaches: red flags, then nerve root, then tissue injury.
MOST_SPECIFIC_FIRST = (
    "serious-cause-suspected",
    "nerve-root-irritation",
    "back-spasm-with-tissue-injury",
    "back-spasm",
)
OTHER_SITE = {"lower-back": "upper-back", "upper-back": "lower-back"}


@pytest.fixture(scope="module")
def facts() -> Facts:
    return load_facts()


def case(facts: Facts, case_id: str):
    return facts.by_id("cases")[case_id]


def finding_with(facts: Facts, step_id: str, trigger: str):
    (found,) = [f for f in facts.findings if f.step_id == step_id and f.trigger == trigger]
    return found


def every_step(facts: Facts, c) -> ExamState:
    state = ExamState(c.id)
    for step in facts.exam_steps:
        state = record_step(facts, state, step.id, c.spasm_site)
    return state


# --------------------------------------------------------------------------- perform / examine


@pytest.mark.parametrize("case_id", [c.id for c in load_facts().cases])
def test_all_steps_point_to_the_cases_interpretation(facts, case_id):
    c = case(facts, case_id)
    pointed = {f.points_to for step in facts.exam_steps
               for f in perform(facts, c, step.id, c.spasm_site if step.id == "palpation" else None)}
    first_present = next(i for i in MOST_SPECIFIC_FIRST if i in pointed)
    assert first_present == c.interpretation_id
    result = examine(facts, every_step(facts, c))
    assert result.supported_interpretation == c.interpretation_id


@pytest.mark.parametrize("case_id", [c.id for c in load_facts().cases])
def test_palpation_is_tender_only_at_the_spasm(facts, case_id):
    c = case(facts, case_id)
    (right,) = perform(facts, c, "palpation", c.spasm_site)
    (wrong,) = perform(facts, c, "palpation", OTHER_SITE[c.spasm_site])
    assert right.finding_id == finding_with(facts, "palpation", "site-match").id
    assert wrong.finding_id == finding_with(facts, "palpation", "site-other").id
    assert "not tender" in wrong.text
    assert wrong.site == OTHER_SITE[c.spasm_site] and wrong.points_to is None


def test_red_flag_case_shows_its_red_flags_by_name(facts):
    c = case(facts, "red-flag-saddle-numbness")
    (shown,) = perform(facts, c, "red-flag-questions")
    names = tuple(facts.by_id("red_flags")[f].name for f in c.red_flag_ids)
    assert names == ("Saddle anaesthesia", "New bladder dysfunction")
    assert shown.details == names and shown.red_flag
    assert shown.finding_id == finding_with(facts, "red-flag-questions", "red-flags").id
    assert shown.points_to == "serious-cause-suspected"
    markup = findings_view(examine(facts, ExamState(c.id, (("red-flag-questions", None),)))).markup
    assert "Red flag:" in markup
    assert all(n in markup for n in names)


def test_case_without_red_flags_says_none_came_up(facts):
    (shown,) = perform(facts, case(facts, "golfer-twist"), "red-flag-questions")
    assert shown.finding_id == finding_with(facts, "red-flag-questions", "no-red-flags").id
    assert not shown.red_flag and shown.details == ()
    assert "Red flag:" not in findings_view(
        examine(facts, ExamState("golfer-twist", (("red-flag-questions", None),)))).markup


def test_risk_factor_history_names_the_factors_and_the_sport(facts):
    c = case(facts, "golfer-twist")
    (shown,) = perform(facts, c, "history-risk-factors")
    factor_names = tuple(facts.by_id("risk_factors")[r].name for r in c.risk_factor_ids)
    assert shown.details == factor_names + ("plays golf",)
    assert shown.full_text.startswith(finding_with(facts, "history-risk-factors", "always").text)
    assert shown.full_text.endswith(f"{factor_names[0]}; plays golf.")


def test_inspection_and_straight_leg_raise_follow_the_hidden_facts(facts):
    injured, disc, plain = (case(facts, i) for i in ("weekend-footballer", "ruptured-disc", "golfer-twist"))
    assert injured.tissue_injury and disc.radicular and not (plain.tissue_injury or plain.radicular)
    assert [f.finding_id for f in perform(facts, injured, "inspection")] == ["inspection-signs"]
    assert [f.finding_id for f in perform(facts, plain, "inspection")] == ["inspection-clear"]
    assert [f.finding_id for f in perform(facts, disc, "straight-leg-raise")] == ["slr-radicular"]
    assert [f.finding_id for f in perform(facts, plain, "straight-leg-raise")] == ["slr-back-pain-only"]


def test_steps_beyond_the_source_are_labelled_with_their_references(facts):
    c = case(facts, "ruptured-disc")
    (slr,) = perform(facts, c, "straight-leg-raise")
    refs = facts.by_id("references")
    step = facts.by_id("exam_steps")["straight-leg-raise"]
    assert step.source_paragraph is None
    assert slr.beyond_source
    assert slr.references == tuple(refs[r].short for r in step.reference_ids)
    (onset,) = perform(facts, c, "history-onset")
    assert not onset.beyond_source and onset.references == () and onset.source_paragraph == 1
    markup = findings_view(examine(facts, ExamState(c.id, (("straight-leg-raise", None),)))).markup
    assert f"Beyond the source: {', '.join(slr.references)}" in markup


def test_examine_keeps_the_order_steps_were_performed(facts):
    c = case(facts, "weekend-footballer")
    state = ExamState(c.id)
    for step_id in ("lean-forward", "history-onset", "inspection"):
        state = record_step(facts, state, step_id)
    state = record_step(facts, state, "palpation", "upper-back")
    state = record_step(facts, state, "palpation", "lower-back")
    result = examine(facts, state)
    assert [f.finding_id for f in result.findings] == [
        "lean-forward-pain", "onset-history", "inspection-signs", "palpation-not-tender", "palpation-tender"]
    assert result.supported_interpretation == "back-spasm-with-tissue-injury"


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
    assert "'x-ray'" in str(err.value) and all(s.id in str(err.value) for s in facts.exam_steps)
    with pytest.raises(ValueError) as err:
        find_case(facts, "nobody")
    assert "'nobody'" in str(err.value) and all(k.id in str(err.value) for k in facts.cases)
    with pytest.raises(ValueError) as err:
        feedback(facts, c, examine(facts, ExamState(c.id)), "sciatica")
    assert "'sciatica'" in str(err.value) and all(i.id in str(err.value) for i in facts.interpretations)
    with pytest.raises(ValueError, match="unknown interpretation 'flu'"):
        examine(facts, ExamState(c.id, (), "flu"))


def test_a_virtual_case_id_is_found(facts):
    assert find_case(facts, "virtual-12").id == "virtual-12"
    assert examine(facts, ExamState("virtual-12", (("history-onset", None),))).case_id == "virtual-12"


def test_most_specific_follows_the_rule():
    assert most_specific(["back-spasm", None, "nerve-root-irritation"]) == "nerve-root-irritation"
    assert most_specific(["back-spasm-with-tissue-injury", "serious-cause-suspected"]) == "serious-cause-suspected"
    assert most_specific([None]) is None


def test_exam_steps_come_in_teaching_order(facts):
    assert [s.order for s in exam_steps(facts)] == sorted(s.order for s in facts.exam_steps)


# --------------------------------------------------------------------------- feedback


def test_feedback_right_and_wrong(facts):
    c = case(facts, "ruptured-disc")
    result = examine(facts, every_step(facts, c))
    right = feedback(facts, c, result, "nerve-root-irritation")
    wrong = feedback(facts, c, result, "back-spasm")
    assert right.correct and not wrong.correct
    assert right.expected_id == wrong.expected_id == c.interpretation_id
    assert wrong.chosen_name == facts.by_id("interpretations")["back-spasm"].name
    assert right.teaching_point == c.teaching_point
    assert right.missed == () and not right.red_flags_skipped


def test_feedback_groups_findings_by_where_they_point(facts):
    c = case(facts, "ruptured-disc")
    result = examine(facts, every_step(facts, c))
    fb = feedback(facts, c, result, "back-spasm")
    groups = {target: [f.finding_id for f in members] for target, _name, members in fb.reasoning}
    for f in result.findings:
        assert f.finding_id in groups[f.points_to]
    assert [t for t, _, _ in fb.reasoning][0] == "nerve-root-irritation"  # most specific first
    assert groups["nerve-root-irritation"] == ["slr-radicular"]


def test_feedback_always_warns_when_red_flag_questions_were_skipped(facts):
    c = case(facts, "golfer-twist")  # no red flags, yet skipping the questions is still a gap
    state = ExamState(c.id, (("history-onset", None), ("palpation", "lower-back")))
    fb = feedback(facts, c, examine(facts, state), "back-spasm")
    assert fb.correct and fb.red_flags_skipped
    assert "red-flag-questions" in [m.step_id for m in fb.missed]
    markup = feedback_view(fb).markup
    assert "you did not ask the warning-sign (red flag) questions" in markup
    done = record_step(facts, state, "red-flag-questions")
    assert not feedback(facts, c, examine(facts, done), "back-spasm").red_flags_skipped


def test_feedback_lists_a_skipped_straight_leg_raise_and_what_it_would_show(facts):
    c = case(facts, "ruptured-disc")
    state = ExamState(c.id, (("history-onset", None), ("red-flag-questions", None)))
    fb = feedback(facts, c, examine(facts, state), "back-spasm")
    missed = {m.step_id: m for m in fb.missed}
    assert "straight-leg-raise" in missed
    assert [f.finding_id for f in missed["straight-leg-raise"].would_show] == ["slr-radicular"]
    assert fb.supported_id == "back-spasm" and fb.expected_id == "nerve-root-irritation"
    assert "the steps listed below would have shown more" in feedback_view(fb).markup


def test_feedback_names_palpation_done_only_at_the_wrong_site(facts):
    c = case(facts, "office-worker-weak-core")
    assert c.spasm_site == "upper-back"
    state = ExamState(c.id, (("palpation", "lower-back"),))
    missed = {m.step_id: m for m in feedback(facts, c, examine(facts, state), "back-spasm").missed}
    assert "only at: lower back" in missed["palpation"].reason
    assert [f.finding_id for f in missed["palpation"].would_show] == ["palpation-tender"]


def test_feedback_without_a_commit_explains_only(facts):
    c = case(facts, "golfer-twist")
    fb = feedback(facts, c, examine(facts, ExamState(c.id)), None)
    assert fb.correct is None and fb.chosen_id is None and fb.steps_performed == 0
    markup = feedback_view(fb, "instructor").markup
    assert "No interpretation committed yet" in markup and "For the instructor" in markup
    assert "an interpretation needs findings" in markup
    assert "For the instructor" not in feedback_view(fb, "student").markup


# --------------------------------------------------------------------------- views


def test_case_view_escapes_the_title_and_story(facts):
    c = replace(case(facts, "golfer-twist"), title="<script>alert('x')</script>", story="a < b & c")
    markup = case_view(c).markup
    assert "<script>" not in markup
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in markup
    assert "a &lt; b &amp; c" in markup


@pytest.mark.parametrize("case_id", [c.id for c in load_facts().cases])
def test_case_view_never_shows_the_answer(facts, case_id):
    c = case(facts, case_id)
    markup = case_view(c).markup
    answer = facts.by_id("interpretations")[c.interpretation_id]
    assert answer.name not in markup and c.teaching_point not in markup
    assert c.title in markup.replace("&#x27;", "'") and f"<strong>Age:</strong> {c.age}" in markup


def test_findings_view_before_any_step(facts):
    markup = findings_view(examine(facts, ExamState("golfer-twist"))).markup
    assert "No examination steps performed yet" in markup and "<ol>" not in markup


def test_feedback_view_says_right_or_wrong_in_words(facts):
    c = case(facts, "weekend-footballer")
    result = examine(facts, every_step(facts, c))
    right = feedback_view(feedback(facts, c, result, "back-spasm-with-tissue-injury")).markup
    wrong = feedback_view(feedback(facts, c, result, "back-spasm")).markup
    assert "<strong>Correct.</strong>" in right and "Not this time" not in right
    assert "<strong>Not this time.</strong>" in wrong
    assert "Teaching point" in right and c.teaching_point.split(",")[0] in right


def test_exam_view_shows_feedback_only_when_given(facts):
    c = case(facts, "golfer-twist")
    result = examine(facts, ExamState(c.id, (("history-onset", None),)))
    assert "spasm-feedback" not in exam_view(c, result).markup
    fb = feedback(facts, c, result, "back-spasm")
    assert exam_view(c, result, fb).markup == (case_view(c) + findings_view(result) + feedback_view(fb)).markup
