"""The treatment pathway: model plans by triage level, the walk (notebook 03), and the views.

Plans, levels and titles are written by hand (tests/clinical_expectations.py, pathway_steps.csv
read by eye); nothing is recomputed with the code under test.
"""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from clinical_expectations import (
    PLAN_TITLES,
    CASE_TRIAGE,
    PLAN_KINDS,
    PLANS,
    PLANS_IF_IMPROVING,
    SOURCE_ONLY_TREATMENTS,
    expected_level,
)
from spasm_lib.facts import load_facts
from spasm_lib.html import esc
from spasm_lib.treatment_pathway import (
    PathwayState,
    advance,
    answer_review,
    complete_walk,
    journey,
    model_plan,
    step_detail,
    walk,
)
from spasm_lib.triage import case_interpretation
from spasm_lib.views.pathway import NEXT_HIDDEN, YOU_ARE_HERE, plan_view, step_view, triage_view, walk_view
from spasm_lib.virtual_patients import case_for, virtual_patient

FACTS = load_facts()
CASES = FACTS.by_id("cases")
STEPS = FACTS.by_id("pathway_steps")
TITLE = PLAN_TITLES
ALL_STEPS_IN_ORDER = list(TITLE)


def plan_ids(case, improving=None):
    if improving is None:
        return [s.step_id for s in model_plan(FACTS, case).steps]
    return list(journey(FACTS, case, improving))


# --------------------------------------------------------------------------- the plan


def test_golfer_twist_routine_plan_written_out():
    case = CASES["golfer-twist"]
    plan = model_plan(FACTS, case)
    assert plan.triage.id == "routine"
    assert [s.step_id for s in plan.steps] == [
        "red-flag-screen", "self-management", "non-drug", "drug", "review", "specialist-referral", "safety-net"]
    assert [s.title for s in plan.steps] == [
        TITLE[s] for s in ("red-flag-screen", "self-management", "non-drug", "drug", "review",
                           "specialist-referral", "safety-net")]
    assert [s.kind for s in plan.steps] == [
        "screen", "self-management", "non-drug", "drug", "reassess", "referral", "safety-net"]
    assert [s.conditional for s in plan.steps] == [False, False, False, False, False, True, False]
    assert list(plan.if_improving) == [
        "red-flag-screen", "self-management", "non-drug", "drug", "review", "safety-net"]


def test_saddle_numbness_is_an_emergency_with_nothing_conservative():
    plan = model_plan(FACTS, CASES["red-flag-saddle-numbness"])
    assert plan.triage.id == "emergency"
    assert [s.step_id for s in plan.steps] == ["red-flag-screen", "emergency-referral", "safety-net"]
    assert not any(s.conditional for s in plan.steps)


def test_older_lifter_with_thin_bones_is_urgent():
    plan = model_plan(FACTS, CASES["older-lifter-osteoporosis"])
    assert plan.triage.id == "urgent"
    assert [s.step_id for s in plan.steps] == ["red-flag-screen", "urgent-referral", "safety-net"]
    assert case_interpretation(FACTS, CASES["older-lifter-osteoporosis"]) == "serious-cause-suspected"


def test_one_weak_flag_at_58_is_watchful_and_keeps_the_spasm_interpretation():
    case = CASES["arthritis-older-adult"]
    assert case.age == 58 and case.red_flag_ids == ("age-over-50-or-under-20",)
    plan = model_plan(FACTS, case)
    assert plan.triage.id == "watchful" and not plan.triage.serious
    assert case_interpretation(FACTS, case) == "back-spasm" == case.interpretation_id
    assert [s.step_id for s in plan.steps] == [
        "red-flag-screen", "self-management", "non-drug", "drug", "watchful-review", "specialist-referral",
        "safety-net"]


@pytest.mark.parametrize("case_id", list(CASE_TRIAGE))
def test_plan_and_journeys_of_every_data_case(case_id):
    level, interpretation = CASE_TRIAGE[case_id]
    case = CASES[case_id]
    assert model_plan(FACTS, case).triage.id == level
    assert case_interpretation(FACTS, case) == interpretation == case.interpretation_id
    assert plan_ids(case) == PLANS[level]
    assert plan_ids(case, improving=False) == PLANS[level]
    assert plan_ids(case, improving=True) == PLANS_IF_IMPROVING[level]
    assert list(model_plan(FACTS, case).if_improving) == PLANS_IF_IMPROVING[level]


@pytest.fixture(scope="module")
def virtual_plans():
    patients = [virtual_patient(FACTS, seed) for seed in range(300)]
    return [(p, model_plan(FACTS, p)) for p in patients]


def test_every_plan_follows_the_patients_triage(virtual_plans):
    for patient, plan in [*virtual_plans, *((c, model_plan(FACTS, c)) for c in FACTS.cases)]:
        level = expected_level(patient.red_flag_ids)
        ids = [s.step_id for s in plan.steps]
        assert plan.triage.id == level and ids == PLANS[level], patient.id
        assert ids[0] == "red-flag-screen" and ids[-1] == "safety-net", patient.id
        assert plan.steps[-1].kind == "safety-net"
        assert {s.kind for s in plan.steps} <= PLAN_KINDS


def test_no_plan_without_flags_refers_urgently_or_as_an_emergency(virtual_plans):
    no_flags = [(p, plan) for p, plan in virtual_plans if not p.red_flag_ids]
    assert len(no_flags) > 100
    for patient, plan in no_flags:
        kinds = {s.kind for s in plan.steps}
        assert not kinds & {"urgent-referral", "emergency-referral"}, patient.id
        assert {"urgent-referral", "emergency-referral"}.isdisjoint(s.step_id for s in plan.steps)


def test_a_serious_plan_starts_nothing_conservative(virtual_plans):
    serious = [(p, plan) for p, plan in virtual_plans if expected_level(p.red_flag_ids) in ("urgent", "emergency")]
    assert serious
    for patient, plan in serious:
        assert {s.kind for s in plan.steps}.isdisjoint({"self-management", "non-drug", "drug", "reassess", "referral"})


def test_every_pathway_step_has_a_known_kind_and_the_order_of_the_data():
    assert [s.id for s in sorted(FACTS.pathway_steps, key=lambda s: s.order)] == ALL_STEPS_IN_ORDER
    assert {s.kind for s in FACTS.pathway_steps} <= PLAN_KINDS
    assert {s.id: s.title for s in FACTS.pathway_steps} == TITLE


def test_the_sources_ice_rest_compression_and_relaxants_are_evidence_checks_never_the_plan():
    for step in FACTS.pathway_steps:
        assert not set(step.treatment_ids) & set(SOURCE_ONLY_TREATMENTS), step.id
    # ... but each stands beside a step of the routine plan, as a check (pathway_steps.csv):
    beside = {"rest": "self-management", "ice": "non-drug", "compression": "non-drug", "muscle-relaxants": "drug"}
    for check_id, step_id in beside.items():
        assert check_id in STEPS[step_id].evidence_check_ids
        detail = step_detail(FACTS, STEPS[step_id], CASES["golfer-twist"])
        assert check_id in [e.check.id for e in detail.other_evidence]
        assert check_id not in [t.treatment.id for t in detail.treatments]


def test_plan_treatments_are_those_guidance_recommends():
    treatments = {s.id: s.treatment_ids for s in FACTS.pathway_steps}
    assert treatments["self-management"] == ("staying-active",)
    assert treatments["non-drug"] == ("superficial-heat",)
    assert treatments["drug"] == ("anti-inflammatories",)
    assert treatments["specialist-referral"] == ("specialist-referral",)


def test_step_detail_shows_every_check_once_and_the_yellow_flag_note_only_with_yellow_flags():
    worried = CASES["office-worker-weak-core"]
    assert worried.yellow_flag_ids == ("fear-avoidance",)
    for step in FACTS.pathway_steps:
        detail = step_detail(FACTS, step, CASES["golfer-twist"])
        assert tuple(t.treatment.id for t in detail.treatments) == step.treatment_ids
        shown = [e.check.id for t in detail.treatments for e in t.evidence] + [e.check.id for e in detail.other_evidence]
        assert sorted(shown) == sorted(step.evidence_check_ids)
        assert detail.note is None
    note = step_detail(FACTS, STEPS["self-management"], worried).note
    assert note and "STarT Back" in note
    assert step_detail(FACTS, STEPS["drug"], worried).note is None  # no note on that step in the data


# --------------------------------------------------------------------------- the walk


def start(case_id="golfer-twist"):
    return PathwayState(case_id), CASES[case_id]


def test_a_walk_starts_at_the_screen_with_every_other_step_to_predict():
    state, case = start()
    result = walk(FACTS, state, case)
    assert [d.id for d in result.shown] == ["red-flag-screen"]
    assert not result.finished and not result.awaiting_review_answer
    assert [s.id for s in result.choices] == ALL_STEPS_IN_ORDER  # the step shown stays: no elimination
    assert result.last_prediction is None and result.correct_predictions == 0


def test_the_next_step_stays_hidden_until_advanced():
    state, case = start()
    markup = walk_view(walk(FACTS, state, case)).markup
    assert esc(TITLE["red-flag-screen"]) in markup and YOU_ARE_HERE in markup
    assert NEXT_HIDDEN in markup
    assert esc(TITLE["self-management"]) not in markup
    after = advance(FACTS, state, case, "self-management")
    markup = walk_view(walk(FACTS, after, case)).markup
    assert esc(TITLE["self-management"]) in markup and esc(TITLE["non-drug"]) not in markup


def test_predictions_are_checked_and_counted():
    state, case = start()
    right = advance(FACTS, state, case, "self-management")
    result = walk(FACTS, right, case)
    assert right.shown == 2 and right.predictions == (("self-management", "self-management"),)
    assert result.last_prediction.correct and result.correct_predictions == 1
    assert "\u2713 Right:" in walk_view(result).markup
    wrong = advance(FACTS, right, case, "drug")
    result = walk(FACTS, wrong, case)
    assert not result.last_prediction.correct and result.correct_predictions == 1
    markup = walk_view(result).markup
    assert "Not this time" in markup and f"the next step for this patient is {esc(TITLE['non-drug'])}" in markup
    none = advance(FACTS, wrong, case, None)
    result = walk(FACTS, none, case)
    assert result.last_prediction.predicted is None and not result.last_prediction.made
    assert (result.correct_predictions, result.predictions_made) == (1, 2)  # not scored as wrong
    markup = walk_view(result).markup
    assert "<strong>No prediction made.</strong>" in markup and "Not this time" not in markup
    assert [s.id for s in result.choices] == ALL_STEPS_IN_ORDER  # shown steps still offered


def walk_to_review(case_id="golfer-twist"):
    state, case = start(case_id)
    seen = []
    while True:
        result = walk(FACTS, state, case)
        seen.append((result.current.id, result.awaiting_review_answer))
        if result.awaiting_review_answer:
            return state, case, seen
        state = advance(FACTS, state, case, None)


def test_improving_is_asked_only_at_the_review():
    state, case, seen = walk_to_review()
    assert seen == [("red-flag-screen", False), ("self-management", False), ("non-drug", False),
                    ("drug", False), ("review", True)]
    assert "is the treatment working?" in walk_view(walk(FACTS, state, case)).markup
    with pytest.raises(ValueError, match="answer whether the treatment is working before going on"):
        advance(FACTS, state, case, "safety-net")


def test_improving_at_the_review_ends_with_the_safety_net_and_a_summary():
    state, case, _ = walk_to_review()
    state = answer_review(state, True)
    assert not walk(FACTS, state, case).awaiting_review_answer
    state = advance(FACTS, state, case, "safety-net")
    result = walk(FACTS, state, case)
    assert [d.id for d in result.shown] == PLANS_IF_IMPROVING["routine"]
    assert result.finished and result.correct_predictions == 1
    markup = walk_view(result).markup
    assert "<h4>Summary</h4>" in markup and NEXT_HIDDEN not in markup
    assert "the person is improving" in markup
    # four steps went by without a prediction: one prediction made, and it was right
    assert "Next steps predicted correctly: 1 of 1 predicted. Steps shown without a prediction (not counted): 4." in markup
    with pytest.raises(ValueError, match="the walk is finished"):
        advance(FACTS, state, case, None)


def test_not_improving_goes_on_to_the_specialist_then_the_safety_net():
    state, case, _ = walk_to_review()
    state = answer_review(state, False)
    state = advance(FACTS, state, case, "specialist-referral")
    assert walk(FACTS, state, case).current.id == "specialist-referral"
    assert not walk(FACTS, state, case).finished
    state = advance(FACTS, state, case, "safety-net")
    result = walk(FACTS, state, case)
    assert [d.id for d in result.shown] == PLANS["routine"] and result.finished
    assert "the person is not improving" in walk_view(result).markup


def test_a_watchful_walk_reviews_sooner():
    _, _, seen = walk_to_review("arthritis-older-adult")
    assert seen[-1] == ("watchful-review", True)


@pytest.mark.parametrize("case_id", ["red-flag-saddle-numbness", "older-lifter-osteoporosis"])
def test_serious_walks_have_no_review_question(case_id):
    state, case = start(case_id)
    level = CASE_TRIAGE[case_id][0]
    for _ in range(2):
        assert not walk(FACTS, state, case).awaiting_review_answer
        state = advance(FACTS, state, case, None)
    result = walk(FACTS, state, case)
    assert result.finished and [d.id for d in result.shown] == PLANS[level]
    assert "is the treatment working?" not in walk_view(result).markup


def test_walk_refuses_a_state_out_of_range_or_for_another_case():
    case = CASES["golfer-twist"]
    with pytest.raises(ValueError, match="shown must be from 1 to 7 for this patient; got 8"):
        walk(FACTS, PathwayState("golfer-twist", 8), case)
    with pytest.raises(ValueError, match="shown must be from 1 to 7"):
        walk(FACTS, PathwayState("golfer-twist", 0), case)
    with pytest.raises(ValueError, match="the state is for case 'ruptured-disc'"):
        walk(FACTS, PathwayState("ruptured-disc"), case)


def test_a_random_patient_walks_its_own_path():
    patient = case_for(FACTS, "random", 0)
    result = walk(FACTS, PathwayState("random"), patient)
    assert result.case == patient
    assert list(result.plan.if_improving) == PLANS_IF_IMPROVING[expected_level(patient.red_flag_ids)]


def test_state_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        PathwayState("golfer-twist").improving = True


# --------------------------------------------------------------------------- the finished walk (handouts)


@pytest.mark.parametrize("improving", [False, True])
def test_complete_walk_shows_every_step_of_the_path_in_order(improving):
    case = CASES["golfer-twist"]
    state = complete_walk(FACTS, case, improving)
    assert state == PathwayState("golfer-twist", 7 if not improving else 6, improving)
    result = walk(FACTS, state, case)
    assert result.finished and not result.awaiting_review_answer
    path = (PLANS if not improving else PLANS_IF_IMPROVING)["routine"]
    markup = walk_view(result).markup
    positions = [markup.index(f"Step {k}: {esc(TITLE[s])}") for k, s in enumerate(path, 1)]
    assert positions == sorted(positions)
    assert NEXT_HIDDEN not in markup and "<h4>Summary</h4>" in markup


def test_complete_walk_of_an_emergency_has_no_review_answer():
    case = CASES["red-flag-saddle-numbness"]
    state = complete_walk(FACTS, case, True)
    assert state == PathwayState("red-flag-saddle-numbness", 3, None)
    markup = walk_view(walk(FACTS, state, case)).markup
    for k, s in enumerate(PLANS["emergency"], 1):
        assert f"Step {k}: {esc(TITLE[s])}" in markup
    for s in ("self-management", "non-drug", "drug", "review"):
        assert f": {esc(TITLE[s])}</h4>" not in markup


# --------------------------------------------------------------------------- views


def test_triage_view_for_each_level():
    emergency = triage_view(model_plan(FACTS, CASES["red-flag-saddle-numbness"]).triage).markup
    assert 'class="spasm-alert"' in emergency and "Triage: Emergency (emergency)" in emergency
    assert "Saddle anaesthesia" in emergency and "New bladder dysfunction" in emergency
    watchful = triage_view(model_plan(FACTS, CASES["arthritis-older-adult"]).triage).markup
    assert 'class="spasm-box"' in watchful and "Triage: Treat and watch (watchful)" in watchful
    assert "One weak flag alone" in watchful and "Age over 50 or under 20" in watchful
    routine = triage_view(model_plan(FACTS, CASES["golfer-twist"]).triage).markup
    assert "No warning sign came up." in routine and "Triage: Routine care (routine)" in routine


def test_a_watchful_walk_says_why_one_flag_is_weak_evidence_and_cites_it():
    state, case = start("arthritis-older-adult")
    markup = walk_view(walk(FACTS, state, case)).markup
    assert "Triage: Treat and watch (watchful)" in markup
    assert "One weak flag alone (such as age) barely changes the chance of a serious cause" in markup
    assert "Henschke 2009" in markup  # the screen step's reference for weak flags
    routine = walk_view(walk(FACTS, *start("golfer-twist"))).markup
    assert "One weak flag alone" not in routine


def test_the_drug_step_shows_nsaid_cautions_and_the_relaxant_evidence_beside_it():
    detail = step_detail(FACTS, STEPS["drug"], CASES["golfer-twist"])
    markup = step_view(detail, 4).markup
    checks = FACTS.by_id("evidence_checks")
    assert "lowest effective dose" in markup and "kidneys" in markup and "heart" in markup
    assert "drowsiness" in markup  # the relaxants' harms, from their evidence check
    assert "van Tulder 2003 (Cochrane)" in markup
    assert "Step 4: An NSAID, if a medicine is wanted" in markup
    beside = markup.index("The source says / guidance says")
    assert markup.index(esc(checks["muscle-relaxants"].guidance_says)) > beside
    assert markup.index(esc(checks["anti-inflammatories"].guidance_says)) < beside  # the NSAID's own card
    assert "NICE NG59" in markup
    assert "(Source, paragraph 5" in markup


def test_the_heat_step_shows_ice_and_compression_as_the_sources_advice_beside_it():
    markup = step_view(step_detail(FACTS, STEPS["non-drug"], CASES["golfer-twist"]), 3).markup
    beside = markup.index("The source says / guidance says")
    assert markup.index("Evidence check: Ice or heat") > beside
    assert markup.index("Evidence check: Compression band, belt or back support") > beside
    assert "<h4>Superficial heat</h4>" in markup


def test_plan_view_marks_the_conditional_step():
    markup = plan_view(model_plan(FACTS, CASES["golfer-twist"])).markup
    items = re.findall(r"<li>(.*?)</li>", markup)
    assert len(items) == 7
    assert items[5] == f"{esc(TITLE['specialist-referral'])} <em>(only if not improving at the review)</em>"
    assert "If the person is improving at the review, the path ends without: " \
           f"{esc(TITLE['specialist-referral'])}." in markup
    urgent = plan_view(model_plan(FACTS, CASES["older-lifter-osteoporosis"])).markup
    assert "only if not improving" not in urgent and "If the person is improving" not in urgent


def test_walk_view_escapes_the_patient_and_keeps_the_teaching_point_for_instructors():
    case = dataclasses.replace(CASES["golfer-twist"], title="<script>alert(1)</script>", story="a < b & c")
    result = walk(FACTS, PathwayState("golfer-twist"), case)
    student = walk_view(result, "student").markup
    assert "<script>" not in student and "&lt;script&gt;alert(1)&lt;/script&gt;" in student
    assert "a &lt; b &amp; c" in student
    assert "Teaching point" not in student
    assert html.escape(case.teaching_point) in walk_view(result, "instructor").markup
    with pytest.raises(ValueError, match="unknown audience 'everyone'"):
        walk_view(result, "everyone")


def test_the_diagram_alt_text_names_the_steps_shown_and_not_the_next():
    state, case = start()
    state = advance(FACTS, state, case, None)
    markup = walk_view(walk(FACTS, state, case)).markup
    alt = html.unescape(re.search(r'alt="([^"]*)"', markup).group(1))
    assert TITLE["red-flag-screen"] in alt and TITLE["self-management"] in alt
    assert alt.index(TITLE["red-flag-screen"]) < alt.index(TITLE["self-management"])
    assert TITLE["non-drug"] not in alt and YOU_ARE_HERE in alt


def test_treatment_table_lists_every_treatment_source_first():
    from spasm_lib.treatment_pathway import treatment_table

    table = treatment_table(FACTS)
    # treatments.csv by hand: the source's six (paragraphs 4 and 5) first, in file order, then guidance's.
    assert [r.treatment for r in table] == [
        "Ice", "Rest", "Compression", "Anti-inflammatory medicines", "Muscle relaxants", "Referral to a specialist",
        "Superficial heat", "Staying active", "Same-day emergency care", "Urgent assessment",
    ]
    # each row's verdict: evidence_checks.csv by hand (rest, ice, compression, anti-inflammatories,
    # muscle-relaxants, referral-timing), then the treatments beyond the source
    assert [r.verdict for r in table] == ["Differs", "Differs", "Differs", "Partly agrees", "Partly agrees", "Differs",
                                          *["Beyond the source"] * 4]
    compression = next(r for r in table if r.treatment == "Compression")
    assert compression.guidance.startswith("NICE advises against offering belts or corsets for low back pain.")
    assert compression.why == "The source says doctors often recommend one to limit movement and give support."
    assert compression.where_from.startswith("Source, paragraph 4; NICE NG59")
    assert table[6].why == "Nothing: the source does not name it."
    assert table[6].guidance.startswith("Heat wraps reduced pain in the short term")
    assert table[6].where_from == "ACP 2017; French 2006 (Cochrane)"
    ice = next(r for r in table if r.treatment == "Ice")
    assert ice.what_it_does == "Ice packs on the painful area reduce swelling and may help stop further contractions and spasms."


def test_treatment_table_view_shows_whole_cells_escaped():
    from dataclasses import replace

    from spasm_lib.treatment_pathway import treatment_table
    from spasm_lib.views.pathway import treatment_table_view

    rows = list(treatment_table(FACTS))
    rows[0] = replace(rows[0], why="<script>alert(1)</script>")
    markup = treatment_table_view(rows).markup
    assert "<script>alert" not in markup and "&lt;script&gt;" in markup
    longest = max(FACTS.treatments, key=lambda t: len(t.what_it_does)).what_it_does
    assert len(longest) > 50 and esc(longest).replace("&#x27;", "'") in markup.replace("&#x27;", "'")
    assert ("<td style=\"text-align:left;vertical-align:top\" data-label=\"verdict: what current guidance says\">"
            "Partly agrees: The ACP guideline lists skeletal muscle relaxants") in markup
    assert markup.startswith('<div class="spasm-view"><style>')  # the one stylesheet
