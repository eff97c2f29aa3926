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
    case_plan,
)
from spasm_lib.facts import load_facts
from spasm_lib.html import esc
from spasm_lib.pathway_walk import PathwayState, advance, answer_review, complete_walk, walk
from spasm_lib.treatment_pathway import journey, model_plan, step_detail, TriageLevelRow, triage_levels
from spasm_lib.triage import case_interpretation
from spasm_lib.views.pathway import (
    NEXT_HIDDEN,
    YOU_ARE_HERE,
    plan_view,
    step_view,
    triage_levels_view,
    triage_view,
    walk_view,
)
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
    path = ("red-flag-screen", "risk-stratification", "self-management", "non-drug", "drug", "review", "programme",
            "specialist-referral", "safety-net")
    assert [s.step_id for s in plan.steps] == list(path)
    assert [s.title for s in plan.steps] == [TITLE[s] for s in path]
    assert [s.kind for s in plan.steps] == [
        "screen", "stratify", "self-management", "non-drug", "drug", "reassess", "programme", "referral", "safety-net"]
    assert [s.conditional for s in plan.steps] == [False] * 6 + [True, True, False]
    assert list(plan.if_improving) == [
        "red-flag-screen", "risk-stratification", "self-management", "non-drug", "drug", "review", "safety-net"]
    assert plan.timeframes == ()  # nothing to hurry for a routine patient


def test_saddle_numbness_is_an_emergency_with_pain_relief_that_never_delays_the_transfer():
    plan = model_plan(FACTS, CASES["red-flag-saddle-numbness"])
    assert plan.triage.id == "emergency"
    assert [s.step_id for s in plan.steps] == [
        "red-flag-screen", "emergency-referral", "pain-relief-while-waiting", "safety-net"]
    assert not any(s.conditional for s in plan.steps)
    # guidelines-2 item 31: analgesia never delays an emergency transfer; the data says so in words
    relief = STEPS["pain-relief-while-waiting"].summary
    assert "never delays the transfer" in relief


def test_older_lifter_with_thin_bones_is_urgent_with_pain_relief_while_waiting():
    plan = model_plan(FACTS, CASES["older-lifter-osteoporosis"])
    assert plan.triage.id == "urgent"
    assert [s.step_id for s in plan.steps] == [
        "red-flag-screen", "urgent-referral", "pain-relief-while-waiting", "safety-net"]
    assert case_interpretation(FACTS, CASES["older-lifter-osteoporosis"]) == "suspected-fracture"
    # how soon, for this concern (red_flags.csv's timeframe), travels with the plan
    assert plan.timeframes and plan.timeframes[0][0] == "Minor trauma or strenuous lifting in an older or osteoporotic person"


def test_one_weak_flag_at_58_is_watchful_and_keeps_the_spasm_interpretation():
    case = CASES["arthritis-older-adult"]
    assert case.age == 58 and case.red_flag_ids == ("age-over-50-or-under-20",)
    plan = model_plan(FACTS, case)
    assert plan.triage.id == "watchful" and not plan.triage.serious
    assert case.interpretation_id == "back-spasm"
    assert [s.step_id for s in plan.steps] == [
        "red-flag-screen", "risk-stratification", "self-management", "non-drug", "drug", "watchful-review",
        "programme", "specialist-referral", "safety-net"]


@pytest.mark.parametrize("case_id", list(CASE_TRIAGE))
def test_plan_and_journeys_of_every_data_case(case_id):
    level = CASE_TRIAGE[case_id][0]
    case = CASES[case_id]
    assert model_plan(FACTS, case).triage.id == level
    assert plan_ids(case) == case_plan(case, level)
    assert plan_ids(case, improving=False) == case_plan(case, level)
    assert plan_ids(case, improving=True) == case_plan(case, level, improving=True)
    assert list(model_plan(FACTS, case).if_improving) == case_plan(case, level, improving=True)


@pytest.fixture(scope="module")
def virtual_plans():
    patients = [virtual_patient(FACTS, seed) for seed in range(300)]
    return [(p, model_plan(FACTS, p)) for p in patients]


def test_every_plan_follows_the_patients_triage(virtual_plans):
    for patient, plan in [*virtual_plans, *((c, model_plan(FACTS, c)) for c in FACTS.cases)]:
        level = plan.triage.id  # the triage is tested by hand in test_triage; here, the plan for the level
        ids = [s.step_id for s in plan.steps]
        assert ids == case_plan(patient, level), patient.id
        assert ids[0] == "red-flag-screen" and ids[-1] == "safety-net", patient.id
        assert plan.steps[-1].kind == "safety-net"
        assert {s.kind for s in plan.steps} <= PLAN_KINDS


# What each working diagnosis's plan holds beyond the common steps (guidelines-2 sections 2-5, NG65),
# written by hand: interpretation -> (level, steps that must be there, steps that must not be there).
PLAN_BY_DIAGNOSIS = {
    "suspected-cauda-equina": ("emergency", {"emergency-referral", "pain-relief-while-waiting"}, {"drug"}),
    "suspected-heart-or-aorta-cause": ("emergency", {"emergency-referral", "pain-relief-while-waiting"}, {"drug"}),
    "suspected-aortic-aneurysm": ("emergency", {"emergency-referral", "pain-relief-while-waiting"}, {"drug"}),
    "suspected-infection": ("urgent", {"urgent-referral", "pain-relief-while-waiting"}, {"non-drug"}),
    "suspected-kidney-cause": ("urgent", {"urgent-referral", "pain-relief-while-waiting"}, {"non-drug"}),
    "progressive-motor-deficit": ("urgent", {"urgent-referral", "pain-relief-while-waiting"}, {"neuro-safety-net"}),
    "axial-spondyloarthritis": ("routine", {"rheumatology-referral"}, {"risk-stratification", "programme"}),
    "lumbar-spinal-stenosis": (None, {"risk-stratification", "programme"}, {"rheumatology-referral"}),
    "nerve-root-irritation": (None, {"neuro-safety-net", "risk-stratification"}, {"rheumatology-referral"}),
    "back-spasm-with-tissue-injury": (None, {"hot-swollen-back"}, {"non-drug"}),
    "back-spasm": (None, {"risk-stratification", "non-drug", "programme"}, {"hot-swollen-back", "neuro-safety-net"}),
}


def test_each_working_diagnosis_gets_its_own_plan():
    seen = {}
    for seed in range(3000):
        patient = virtual_patient(FACTS, seed)
        seen.setdefault(patient.interpretation_id, []).append(patient)
    assert set(PLAN_BY_DIAGNOSIS) <= set(seen), set(PLAN_BY_DIAGNOSIS) - set(seen)
    for diagnosis, (level, present, absent) in PLAN_BY_DIAGNOSIS.items():
        for patient in seen[diagnosis]:
            plan = model_plan(FACTS, patient)
            ids = set(journey(FACTS, patient, improving=False))
            if level is not None:
                assert plan.triage.id == level, (diagnosis, patient.id)
            assert present <= ids and not absent & ids, (diagnosis, patient.id, sorted(ids))
            if plan.triage.id in ("urgent", "emergency"):
                assert plan.timeframes, (diagnosis, patient.id)  # how soon, always said


def test_no_plan_without_flags_refers_urgently_or_as_an_emergency(virtual_plans):
    no_flags = [(p, plan) for p, plan in virtual_plans if not p.red_flag_ids]
    assert len(no_flags) > 100
    for patient, plan in no_flags:
        kinds = {s.kind for s in plan.steps}
        assert not kinds & {"urgent-referral", "emergency-referral"}, patient.id
        assert {"urgent-referral", "emergency-referral"}.isdisjoint(s.step_id for s in plan.steps)


def test_a_serious_plan_refers_with_pain_relief_and_no_home_treatment(virtual_plans):
    """guidelines-2 items 22-31: refer in the time the concern needs, with pain relief while waiting;
    no routine self-management, heat or review stands in for the referral."""
    serious = [(p, plan) for p, plan in [*virtual_plans, *((c, model_plan(FACTS, c)) for c in FACTS.cases)]
               if plan.triage.id in ("urgent", "emergency")]
    assert serious
    for patient, plan in serious:
        kinds = [s.kind for s in plan.steps]
        assert set(kinds).isdisjoint({"self-management", "non-drug", "drug", "reassess", "referral", "programme"})
        assert "pain-relief" in kinds, patient.id
        referral = "emergency-referral" if plan.triage.id == "emergency" else "urgent-referral"
        assert kinds.index(referral) < kinds.index("pain-relief"), patient.id


def test_no_urgent_or_emergency_plan_without_pain_relief():
    """Done-when of issue 18: every urgent plan has pain relief while waiting. Checked on every data case
    and 2,000 virtual patients; the treatment, not only the step's title, is pain relief."""
    seen = set()
    for patient in [*FACTS.cases, *(virtual_patient(FACTS, seed) for seed in range(2000))]:
        plan = model_plan(FACTS, patient)
        if plan.triage.id not in ("urgent", "emergency"):
            continue
        seen.add(plan.triage.id)
        treatments = {t for s in plan.steps for t in STEPS[s.step_id].treatment_ids}
        assert "pain-relief-while-waiting" in treatments, patient.id
    assert seen == {"urgent", "emergency"}


def test_axial_spondyloarthritis_gets_a_routine_rheumatology_referral_not_nsp_steps():
    """NG65 (guidelines-2 item 40): refer to rheumatology, not urgently; NG59's risk stratification and
    programme are for non-specific pain and sciatica."""
    from spasm_lib.virtual_patients import virtual_patient as vp

    patients = [p for p in (vp(FACTS, seed) for seed in range(3000)) if p.interpretation_id == "axial-spondyloarthritis"]
    assert patients
    for patient in patients:
        plan = model_plan(FACTS, patient)
        ids = [s.step_id for s in plan.steps]
        assert plan.triage.id in ("routine", "watchful")
        assert "rheumatology-referral" in ids and ids.index("rheumatology-referral") == ids.index("self-management") + 1
        assert not {"risk-stratification", "programme", "specialist-referral", "urgent-referral"} & set(ids)
    assert "not urgent" in STEPS["rheumatology-referral"].title


def test_no_heat_on_a_hot_red_swollen_back():
    """guidelines-2 item 57: heat and redness are not a simple strain; the plan looks for the cause and
    never puts heat on it, whatever the interpretation (a nerve-root patient can have a hot back too)."""
    hot = [p for p in [*FACTS.cases, *(virtual_patient(FACTS, seed) for seed in range(2000))] if p.tissue_injury]
    level = {p.id: model_plan(FACTS, p).triage.id for p in hot}
    assert hot and any(level[p.id] in ("watchful", "routine") for p in hot)
    for patient in hot:
        for improving in (False, True):
            path = journey(FACTS, patient, improving)
            treatments = {t for s in path for t in STEPS[s].treatment_ids}
            assert "superficial-heat" not in treatments, patient.id
            assert "non-drug" not in path
            if level[patient.id] in ("watchful", "routine"):
                assert "hot-swollen-back" in path
    footballer = model_plan(FACTS, CASES["weekend-footballer"])
    assert [s.step_id for s in footballer.steps] == [
        "red-flag-screen", "risk-stratification", "hot-swollen-back", "self-management", "drug", "review", "programme",
        "specialist-referral", "safety-net"]
    assert "No heat is put on this back." in STEPS["hot-swollen-back"].summary


def test_a_nerve_root_patient_gets_the_neurological_safety_net_before_the_general_one():
    """guidelines-2 items 13, 19-21: stable one-sided radicular pain is conservative, with what to watch:
    worsening weakness, foot drop (same day), both legs or a cauda equina sign (emergency)."""
    plan = [s.step_id for s in model_plan(FACTS, CASES["ruptured-disc"]).steps]
    assert plan[-2:] == ["neuro-safety-net", "safety-net"]
    text = STEPS["neuro-safety-net"].summary
    for words in ("gets worse", "foot that drops", "same day", "both legs", "emergency department at once"):
        assert words in text
    assert "neuro-safety-net" not in [s.step_id for s in model_plan(FACTS, CASES["golfer-twist"]).steps]


def test_every_plan_ends_with_the_one_safety_net_text():
    """One owner: the safety-net wording is the safety-net step's summary, and no other step, check or
    treatment repeats the card's list; every plan, emergency included, ends with it."""
    card = STEPS["safety-net"].summary
    for patient in [*FACTS.cases, *(virtual_patient(FACTS, seed) for seed in range(300))]:
        assert [s.step_id for s in model_plan(FACTS, patient).steps][-1] == "safety-net"
    marker = "altered feeling when wiping"
    assert marker in card
    others = [s.summary for s in FACTS.pathway_steps if s.id != "safety-net"]
    others += [c.guidance_says for c in FACTS.evidence_checks] + [t.what_it_does for t in FACTS.treatments]
    assert not [t for t in others if marker in t]


def test_an_emergency_patient_is_not_sent_to_the_emergency_department_for_what_they_already_have():
    """The safety net is given when the person leaves care (or hospital, also after a normal scan):
    it never tells someone already on the way to go now for the signs that sent them."""
    card = STEPS["safety-net"].summary
    assert card.startswith("Before the person leaves your care (or leaves hospital, also after a normal scan)")
    assert "Any one of them, new or getting worse" in card


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
    assert treatments["programme"] == ("exercise-programme",)
    assert treatments["specialist-referral"] == ("specialist-opinion",)
    assert treatments["pain-relief-while-waiting"] == ("pain-relief-while-waiting",)


def test_step_detail_shows_every_check_once_and_the_yellow_flag_note_only_with_yellow_flags():
    worried = CASES["office-worker-weak-core"]
    assert worried.yellow_flag_ids == ("fear-avoidance",)
    for step in FACTS.pathway_steps:
        detail = step_detail(FACTS, step, CASES["golfer-twist"])
        assert tuple(t.treatment.id for t in detail.treatments) == step.treatment_ids
        shown = [e.check.id for t in detail.treatments for e in t.evidence] + [e.check.id for e in detail.other_evidence]
        assert sorted(shown) == sorted(step.evidence_check_ids)
        assert detail.note is None
    note = step_detail(FACTS, STEPS["risk-stratification"], worried).note
    assert note and "not for an urgent referral" in note
    assert step_detail(FACTS, STEPS["drug"], worried).note is None  # no note on that step in the data


def test_risk_stratification_for_every_new_episode_not_only_with_yellow_flags():
    """NG59 / QS155 (guidelines-2 items 32-33): at first contact, for every new episode."""
    step = STEPS["risk-stratification"]
    assert "STarT Back" in step.summary and "whether or not yellow flags came up" in step.summary
    for case_id in ("golfer-twist", "office-worker-weak-core"):  # without and with yellow flags
        assert "risk-stratification" in [s.step_id for s in model_plan(FACTS, CASES[case_id]).steps]


def test_not_improving_means_reassessment_and_a_programme_then_a_specialist_only_on_criteria():
    programme, specialist = STEPS["programme"], STEPS["specialist-referral"]
    assert programme.order < specialist.order and programme.when == specialist.when == "not-improving"
    assert "reassess" in programme.summary and "exercise programme" in programme.summary
    assert "combined physical and psychological programme" in programme.summary
    assert "stated criteria" in specialist.summary
    # the source's "orthopedics or neurology" only as what the source says, beside an evidence check
    for row in [*FACTS.pathway_steps]:
        assert "neurology" not in row.summary.replace("orthopedics or neurology is shown beside this step", "")
    assert "neurology" in FACTS.by_id("evidence_checks")["referral-timing"].source_says
    assert "referral-timing" in specialist.evidence_check_ids


def test_nsaid_cautions_opioids_and_sciatica_medicines():
    """guidelines.md and guidelines-2 items 14, 59-63, written out by hand."""
    drug = STEPS["drug"].summary
    for words in ("age", "liver", "kidneys", "heart", "protects the stomach", "65 or over",
                  "lowest effective dose", "nor for chronic pain"):
        assert words in drug, words
    sciatica = FACTS.by_id("evidence_checks")["sciatica-medicines"].guidance_says
    for words in ("gabapentinoids", "other antiepileptics", "oral corticosteroids", "benzodiazepines"):
        assert words in sciatica and words in drug
    assert "sciatica-medicines" in STEPS["drug"].evidence_check_ids
    assert "chronic low back pain" in FACTS.by_id("evidence_checks")["opioids"].guidance_says


def test_the_review_measures_progress_and_plans_the_return_to_work():
    checks = FACTS.by_id("evidence_checks")
    measures = checks["outcome-measures"].guidance_says
    # ostelo2008: about 2 points on 0-10, 5 on the Roland-Morris, or 30%
    for words in ("0 to 10", "Roland-Morris", "about 2 points", "5 on the Roland-Morris", "30%"):
        assert words in measures
    assert "ostelo2008" in checks["outcome-measures"].reference_ids
    for review in ("review", "watchful-review"):
        assert {"outcome-measures", "return-to-work"} <= set(STEPS[review].evidence_check_ids)
        assert "return to work" in STEPS[review].summary


def test_no_conservative_plan_while_the_cause_is_unknown_is_gone():
    for row in [*FACTS.pathway_steps, *FACTS.evidence_checks, *FACTS.treatments]:
        text = " ".join(str(v) for v in vars(row).values() if isinstance(v, str)).lower()
        assert "while the cause is unknown" not in text and "before any conservative plan" not in text, row.id


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
    assert esc(TITLE["risk-stratification"]) not in markup
    after = advance(FACTS, state, case, "risk-stratification")
    markup = walk_view(walk(FACTS, after, case)).markup
    assert esc(TITLE["risk-stratification"]) in markup and esc(TITLE["self-management"]) not in markup


def test_predictions_are_checked_and_counted():
    state, case = start()
    right = advance(FACTS, state, case, "risk-stratification")
    result = walk(FACTS, right, case)
    assert right.shown == 2 and right.predictions == (("risk-stratification", "risk-stratification"),)
    assert result.last_prediction.correct and result.correct_predictions == 1
    assert "\u2713 Right:" in walk_view(result).markup
    wrong = advance(FACTS, right, case, "drug")
    result = walk(FACTS, wrong, case)
    assert not result.last_prediction.correct and result.correct_predictions == 1
    markup = walk_view(result).markup
    assert "Not this time" in markup and f"the next step for this patient is {esc(TITLE['self-management'])}" in markup
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
    assert seen == [("red-flag-screen", False), ("risk-stratification", False), ("self-management", False),
                    ("non-drug", False), ("drug", False), ("review", True)]
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
    # five steps after the first went by without a prediction: one prediction made, and it was right
    assert "Next steps predicted correctly: 1 of 1 predicted. Steps shown without a prediction (not counted): 5." in markup
    with pytest.raises(ValueError, match="the walk is finished"):
        advance(FACTS, state, case, None)


def test_not_improving_goes_on_to_the_programme_the_specialist_then_the_safety_net():
    state, case, _ = walk_to_review()
    state = answer_review(state, False)
    state = advance(FACTS, state, case, "programme")
    assert walk(FACTS, state, case).current.id == "programme"
    state = advance(FACTS, state, case, "specialist-referral")
    assert walk(FACTS, state, case).current.id == "specialist-referral"
    assert not walk(FACTS, state, case).finished
    state = advance(FACTS, state, case, "safety-net")
    result = walk(FACTS, state, case)
    assert [d.id for d in result.shown] == PLANS["routine"] and result.finished
    assert "the person is not improving" in walk_view(result).markup


def test_the_walk_carries_the_review_answer_once_the_review_is_shown():
    state, case, _ = walk_to_review()
    assert walk(FACTS, state, case).review_answer is None  # shown, not answered
    assert walk(FACTS, answer_review(state, False), case).review_answer is False
    assert walk(FACTS, answer_review(state, True), case).review_answer is True
    first = start("golfer-twist")[0]
    assert walk(FACTS, first, case).review_answer is None  # the review is not reached yet


def test_the_walk_view_prints_the_review_answer_it_is_given():
    state, case, _ = walk_to_review()
    state = advance(FACTS, answer_review(state, False), case, None)
    while not walk(FACTS, state, case).finished:
        state = advance(FACTS, state, case, None)
    result = walk(FACTS, state, case)
    assert "the person is not improving" in walk_view(result).markup
    # the view decides nothing: it prints the result's answer, whatever the steps
    assert "the person is improving" in walk_view(dataclasses.replace(result, review_answer=True)).markup
    assert "At the review:" not in walk_view(dataclasses.replace(result, review_answer=None)).markup


def test_triage_levels_are_most_urgent_first_with_their_references():
    rows = triage_levels(FACTS)
    assert [r.level.id for r in rows] == ["emergency", "urgent", "watchful", "routine"]
    refs = FACTS.by_id("references")
    assert all(r.references == tuple(refs[i] for i in r.level.reference_ids) for r in rows)


def test_triage_levels_view_renders_hand_built_rows_escaped():
    level = dataclasses.replace(FACTS.triage_levels[0], id="now", name="Now <b>", applies_when="a & b",
                                action="Go", why="Because", source_paragraph=5, reference_ids=())
    reference = dataclasses.replace(FACTS.references[0], short="Ref <1>")
    markup = triage_levels_view([TriageLevelRow(level, (reference,))]).markup
    assert ("<tr><th scope='row'>Now &lt;b&gt; (now)</th><td data-label='When'>a &amp; b</td>"
            "<td data-label='What to do'>Go</td><td data-label='Why'>Because "
            '<span class="spasm-provenance">(Source, paragraph 5; Ref &lt;1&gt;)</span></td></tr>') in markup
    assert markup.count("<tr>") == 2  # the heading row and the one level given


def test_the_finished_diagram_marks_the_steps_taken_only_without_improvement():
    state = complete_walk(FACTS, CASES["golfer-twist"], improving=False)
    result = walk(FACTS, state, CASES["golfer-twist"])
    assert [d.id for d in result.shown if d.conditional] == ["programme", "specialist-referral"]
    alt = html.unescape(re.search(r'alt="([^"]*)"', walk_view(result).markup).group(1))
    assert f"{TITLE['programme']} (step 7 (only if not improving))" in alt
    assert f"{TITLE['safety-net']} (step 9)" in alt


def test_a_watchful_walk_reviews_sooner():
    _, _, seen = walk_to_review("arthritis-older-adult")
    assert seen[-1] == ("watchful-review", True)


@pytest.mark.parametrize("case_id", ["red-flag-saddle-numbness", "older-lifter-osteoporosis"])
def test_serious_walks_have_no_review_question(case_id):
    state, case = start(case_id)
    level = CASE_TRIAGE[case_id][0]
    for _ in range(3):
        assert not walk(FACTS, state, case).awaiting_review_answer
        state = advance(FACTS, state, case, None)
    result = walk(FACTS, state, case)
    assert result.finished and [d.id for d in result.shown] == PLANS[level]
    assert "is the treatment working?" not in walk_view(result).markup


def test_walk_refuses_a_state_out_of_range_or_for_another_case():
    case = CASES["golfer-twist"]
    with pytest.raises(ValueError, match="shown must be from 1 to 9 for this patient; got 10"):
        walk(FACTS, PathwayState("golfer-twist", 10), case)
    with pytest.raises(ValueError, match="shown must be from 1 to 9"):
        walk(FACTS, PathwayState("golfer-twist", 0), case)
    with pytest.raises(ValueError, match="the state is for case 'ruptured-disc'"):
        walk(FACTS, PathwayState("ruptured-disc"), case)


def test_a_random_patient_walks_its_own_path():
    patient = case_for(FACTS, "random", 0)
    result = walk(FACTS, PathwayState("random"), patient)
    assert result.case == patient
    assert list(result.plan.if_improving) == case_plan(patient, result.triage.id, improving=True)


def test_state_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        PathwayState("golfer-twist").improving = True


# --------------------------------------------------------------------------- the finished walk (handouts)


@pytest.mark.parametrize("improving", [False, True])
def test_complete_walk_shows_every_step_of_the_path_in_order(improving):
    case = CASES["golfer-twist"]
    state = complete_walk(FACTS, case, improving)
    assert state == PathwayState("golfer-twist", 9 if not improving else 7, improving)
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
    assert state == PathwayState("red-flag-saddle-numbness", 4, None)
    markup = walk_view(walk(FACTS, state, case)).markup
    for k, s in enumerate(PLANS["emergency"], 1):
        assert f"Step {k}: {esc(TITLE[s])}" in markup
    for s in ("self-management", "non-drug", "drug", "review"):
        assert f": {esc(TITLE[s])}</h4>" not in markup


# --------------------------------------------------------------------------- views


def test_triage_view_for_each_level():
    emergency = triage_view(model_plan(FACTS, CASES["red-flag-saddle-numbness"]).triage).markup
    assert 'class="spasm-alert"' in emergency and "Triage: Emergency (emergency)" in emergency
    assert "Altered feeling in the saddle area" in emergency and "New bladder change" in emergency
    # how soon, for this person: red_flags.csv's timeframe of the flags that set the level (by hand)
    assert "How soon, for this concern:" in emergency
    # the three cauda equina signs of this case share one timeframe: named together, said once
    assert ("<li><strong>Pain, numbness or pins and needles in both legs; Altered feeling in the saddle area; "
            "New bladder change:</strong> Emergency department now, for an MRI scan the same day.</li>") in emergency
    watchful = triage_view(model_plan(FACTS, CASES["arthritis-older-adult"]).triage).markup
    assert 'class="spasm-box"' in watchful and "Triage: Treat and watch (watchful)" in watchful
    assert "One weak flag (such as age or night pain)" in watchful and "Age over 50 or under 20" in watchful
    routine = triage_view(model_plan(FACTS, CASES["golfer-twist"]).triage).markup
    assert "No warning sign came up." in routine and "Triage: Routine care (routine)" in routine
    assert "How soon" not in routine and "How soon" not in watchful


def test_the_timeframe_is_shown_in_the_walk_the_plan_and_the_answer_key():
    """Issue 18 item 4: the timeframe for the patient's concern in the plan (walk), the answer key and
    the case study's model plan. red_flags.csv read by hand: the osteoporotic fracture flag's timeframe."""
    from spasm_lib.case_study import case_study

    case = CASES["older-lifter-osteoporosis"]
    flag = FACTS.by_id("red_flags")["minor-trauma-older-or-osteoporotic"]
    line = f"<li><strong>{esc(flag.name)}:</strong> {esc(flag.timeframe)}</li>"
    walk_markup = walk_view(walk(FACTS, complete_walk(FACTS, case), case)).markup
    referral = walk_markup[walk_markup.index("Step 2: "):walk_markup.index("Step 3: ")]
    assert line in referral  # with the referral step itself
    assert line in plan_view(model_plan(FACTS, case)).markup
    study = case_study(FACTS, case)
    plan_answer = [q for q in study.questions if q.id == "plan-today"][0].answer
    assert f"How soon, for this concern: {flag.name}: {flag.timeframe.rstrip('.')}." in plan_answer
    assert any(f"{flag.name}: {flag.timeframe.rstrip('.')}" in text for _, text in study.plan_details)
    # a routine patient has no timeframe anywhere
    assert model_plan(FACTS, CASES["golfer-twist"]).timeframes == ()


def test_a_watchful_walk_says_why_one_flag_is_weak_evidence_and_cites_it():
    state, case = start("arthritis-older-adult")
    markup = walk_view(walk(FACTS, state, case)).markup
    assert "Triage: Treat and watch (watchful)" in markup
    assert "One weak flag (such as age or night pain) barely changes the chance of a serious cause" in markup
    assert "Henschke 2009" in markup  # the screen step's reference for weak flags
    routine = walk_view(walk(FACTS, *start("golfer-twist"))).markup
    assert "One weak flag" not in routine


def test_the_drug_step_shows_nsaid_cautions_and_the_relaxant_evidence_beside_it():
    detail = step_detail(FACTS, STEPS["drug"], CASES["golfer-twist"])
    markup = step_view(detail, 4).markup
    checks = FACTS.by_id("evidence_checks")
    assert "lowest effective dose" in markup and "kidneys" in markup and "heart" in markup
    assert "drowsiness" in markup  # the relaxants' harms, from their evidence check
    assert "van Tulder 2003 (Cochrane)" in markup
    assert "Step 4: An NSAID, if a medicine is wanted" in markup
    assert "gabapentinoids" in markup  # the sciatica medicines NG59 advises against, beside the step
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
    assert len(items) == 9
    assert items[6] == f"{esc(TITLE['programme'])} <em>(only if not improving at the review)</em>"
    assert items[7] == f"{esc(TITLE['specialist-referral'])} <em>(only if not improving at the review)</em>"
    assert "If the person is improving at the review, the safety-net advice stays and the path ends without: " \
           f"{esc(TITLE['programme'])}; {esc(TITLE['specialist-referral'])}." in markup
    urgent = plan_view(model_plan(FACTS, CASES["older-lifter-osteoporosis"])).markup
    assert "only if not improving" not in urgent and "If the person is improving" not in urgent


def test_the_plan_names_what_an_improving_person_does_without():
    assert model_plan(FACTS, CASES["golfer-twist"]).skipped_if_improving == (TITLE["programme"],
                                                                             TITLE["specialist-referral"])
    assert model_plan(FACTS, CASES["older-lifter-osteoporosis"]).skipped_if_improving == ()


def test_plan_view_prints_the_skipped_steps_it_is_given():
    plan = model_plan(FACTS, CASES["golfer-twist"])
    only_first = dataclasses.replace(plan, if_improving=tuple(p.step_id for p in plan.steps[1:]))
    assert (f"the safety-net advice stays and the path ends without: {esc(plan.steps[0].title)}.</p>"
            in plan_view(only_first).markup)


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
    assert TITLE["red-flag-screen"] in alt and TITLE["risk-stratification"] in alt
    assert alt.index(TITLE["red-flag-screen"]) < alt.index(TITLE["risk-stratification"])
    assert TITLE["self-management"] not in alt and YOU_ARE_HERE in alt


def test_treatment_table_lists_every_treatment_source_first():
    from spasm_lib.treatment_pathway import treatment_table

    table = treatment_table(FACTS)
    # treatments.csv by hand: the source's six (paragraphs 4 and 5) first, in file order, then guidance's.
    assert [r.treatment for r in table] == [
        "Ice", "Rest", "Compression", "Anti-inflammatory medicines", "Muscle relaxants", "Referral to a specialist",
        "Superficial heat", "Staying active", "Emergency care now", "Urgent assessment",
        "Pain relief while waiting", "Exercise or combined programme", "Specialist opinion on stated criteria",
        "Referral to rheumatology",
    ]
    # each row's verdict: evidence_checks.csv by hand (rest, ice, compression, anti-inflammatories,
    # muscle-relaxants, referral-timing), then the treatments beyond the source
    assert [r.verdict for r in table] == ["Differs", "Differs", "Differs", "Partly agrees", "Partly agrees", "Differs",
                                          *["Beyond the source"] * 8]
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
    assert ("<td data-label=\"verdict: what current guidance says\">"
            "Partly agrees: The ACP guideline lists skeletal muscle relaxants") in markup
    assert markup.startswith('<div class="spasm-view"><style>')  # the one stylesheet


# --------------------------------------------------------------------------- only_for / not_for in the data


def test_a_step_naming_an_unknown_patient_is_refused_by_the_loader(data_copy):
    from spasm_lib.facts import DataError, load_facts as load

    line = data_copy.set_cell("pathway_steps", 7, "not_for", "hot-back")  # row 7: non-drug (heat)
    with pytest.raises(DataError) as caught:
        load(data_copy.folder)
    message = str(caught.value)
    assert f"pathway_steps.csv, line {line}, column 'not_for'" in message
    assert "'hot-back' is not an interpretation id, an interpretation group or a patient feature" in message
    assert "tissue-injury" in message  # the allowed values are listed
