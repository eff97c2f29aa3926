"""The triage: a test per level and per red flag, expected values written from the guidance by hand.

The grades and timeframes below are read off ``../shared/content/guidelines.md`` and
``guidelines-2.md`` (ahcpr1994's flags, finucane2020's levels, henschke2009 on one flag alone, and
guidelines-2 sections 1 to 3 and 5 for each concern's timeframe), not from the code or the CSV: if the
data's grade of a flag drifts, these tests say so.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from spasm_lib.facts import load_facts
from spasm_lib.triage import expected_interpretation, level_for, triage
from tests.clinical_expectations import CAUDA_EQUINA_FLAGS

ROOT = Path(__file__).resolve().parents[1]

FLAG_GRADE = {
    # cauda equina syndrome in all six areas (guidelines-2 item 1), and late retention: emergency
    "saddle-anaesthesia": "emergency",
    "bladder-dysfunction": "emergency",
    "urinary-retention": "emergency",
    "bowel-dysfunction": "emergency",
    "sexual-dysfunction": "emergency",
    "both-legs": "emergency",
    "weakness-both-legs": "emergency",
    # major trauma (item 29), cord compression (item 23), a leaking aneurysm (45), dissection (50)
    "major-trauma": "emergency",
    "cancer-with-neurological-symptoms": "emergency",
    "fainting-or-collapse": "emergency",
    "tearing-or-chest-pain": "emergency",
    # fracture, infection, cancer without neurology, a foot drop, a kidney cause: urgent, each in its time
    "minor-trauma-older-or-osteoporotic": "urgent",
    "history-of-cancer": "urgent",
    "unexplained-weight-loss": "urgent",
    "fever-or-chills": "urgent",
    "spinal-infection-risk": "urgent",
    "weakness-one-leg": "urgent",
    "loin-pain-fever-or-urine": "urgent",
    # weak on their own
    "age-over-50-or-under-20": "watchful",
    "pain-lying-down-or-night": "watchful",
}

# What to do and how soon, per concern (guidelines-2 section 3): words the timeframe must contain.
TIMEFRAME_WORDS = {
    "fever-or-chills": ["same day"],                                    # item 22
    "spinal-infection-risk": ["same day"],                              # item 22
    "cancer-with-neurological-symptoms": ["immediately", "24 hours"],   # item 23
    "history-of-cancer": ["within one week"],                           # item 24
    "minor-trauma-older-or-osteoporotic": ["X-ray", "primary care", "pain relief"],  # item 28
    "major-trauma": ["emergency"],                                      # item 29
    "weakness-one-leg": ["same day"],                                   # item 19
    "loin-pain-fever-or-urine": ["same day", "24 hours"],               # item 48
    "fainting-or-collapse": ["emergency", "vascular"],                  # item 45
    "saddle-anaesthesia": ["emergency department", "same day"],         # item 7
    "both-legs": ["emergency department"],                              # items 7 and 21
}

@pytest.fixture(scope="module")
def facts():
    return load_facts()


def test_every_flag_of_the_data_is_graded_here():
    with open(ROOT / "data" / "red_flags.csv", encoding="utf-8") as f:
        ids = {row["id"] for row in csv.DictReader(f)}
    assert ids == set(FLAG_GRADE)


@pytest.mark.parametrize("flag, grade", sorted(FLAG_GRADE.items()))
def test_each_flag_alone_sets_its_level(facts, flag, grade):
    assert triage(facts, [flag]).id == grade


@pytest.mark.parametrize("flag", sorted(FLAG_GRADE))
def test_each_flag_cites_a_reference_that_exists(facts, flag):
    record = facts.by_id("red_flags")[flag]
    assert record.reference_ids, flag
    assert set(record.reference_ids) <= set(facts.by_id("references"))
    assert record.why_this_urgency.strip()


def test_no_flag_is_routine(facts):
    assert triage(facts, []).id == "routine"
    assert not triage(facts, []).serious


def test_one_weak_flag_is_watchful_not_serious(facts):
    t = triage(facts, ["age-over-50-or-under-20"])
    assert (t.id, t.serious, t.weak_flags_alone) == ("watchful", False, True)


def test_two_weak_flags_together_stay_watchful(facts):
    """The two-weak-flags rule is dropped (issue 18 item 9): weak flags alone never make it serious."""
    assert triage(facts, ["age-over-50-or-under-20", "pain-lying-down-or-night"]).id == "watchful"


@pytest.mark.parametrize("flag, words", sorted(TIMEFRAME_WORDS.items()))
def test_each_concern_has_its_timeframe(facts, flag, words):
    t = triage(facts, [flag])
    assert t.id == FLAG_GRADE[flag]
    (what, when), = t.actions
    for word in words:
        assert word.lower() in when.lower(), (flag, word, when)


def test_cancer_with_neurological_symptoms_is_cord_compression_now_not_a_scan_in_a_week(facts):
    t = triage(facts, ["history-of-cancer", "cancer-with-neurological-symptoms"])
    assert t.id == "emergency"
    assert [w for _, w in t.actions] and all("one week" not in w for _, w in t.actions)


def test_weak_flags_have_no_timeframe_of_their_own(facts):
    assert triage(facts, ["age-over-50-or-under-20"]).actions == ()
    assert triage(facts, []).actions == ()


def test_a_diagnosis_without_a_flag_sets_its_own_level(facts):
    """A presentation's own diagnosis counts: axial spondyloarthritis is not urgent (NG65)."""
    assert triage(facts, [], "axial-spondyloarthritis").id == "routine"
    assert triage(facts, [], "suspected-kidney-cause").id == "urgent"


def test_cauda_equina_questions_cover_the_six_areas(facts):
    """Bladder, saddle, bowel, sexual function, both legs, weakness in both legs (guidelines-2 item 1)."""
    questions = " ".join(facts.by_id("red_flags")[f].question.lower() for f in CAUDA_EQUINA_FLAGS)
    for area in ("bladder", "back passage", "bowels", "during sex", "both legs", "both of your legs"):
        assert area in questions, area


def test_an_emergency_flag_outranks_everything(facts):
    assert triage(facts, ["age-over-50-or-under-20", "history-of-cancer", "bladder-dysfunction"]).id == "emergency"


def test_flags_are_listed_most_urgent_first(facts):
    t = triage(facts, ["age-over-50-or-under-20", "saddle-anaesthesia", "history-of-cancer"])
    assert [f.id for f in t.flags] == ["saddle-anaesthesia", "history-of-cancer", "age-over-50-or-under-20"]


@pytest.mark.parametrize(
    "grades, level",
    [
        ((), "routine"),
        (("watchful",), "watchful"),
        (("watchful", "watchful"), "watchful"),
        (("urgent",), "urgent"),
        (("watchful", "urgent"), "urgent"),
        (("emergency",), "emergency"),
        (("urgent", "emergency", "watchful"), "emergency"),
    ],
)
def test_the_rule_on_grades(grades, level):
    assert level_for(grades) == level


def test_an_unknown_grade_is_refused():
    with pytest.raises(ValueError, match="unknown flag urgency 'prompt-assessment'"):
        level_for(["prompt-assessment"])


def test_an_unknown_flag_is_refused(facts):
    with pytest.raises(ValueError, match="unknown red flag 'broken-leg'"):
        triage(facts, ["broken-leg"])


@pytest.mark.parametrize(
    "flags, radicular, tissue, presentation, expected",
    [
        ((), False, False, None, "back-spasm"),
        ((), False, True, None, "back-spasm-with-tissue-injury"),
        ((), True, False, None, "nerve-root-irritation"),
        ((), True, True, None, "nerve-root-irritation"),
        (("age-over-50-or-under-20",), True, False, None, "nerve-root-irritation"),
        (("weakness-one-leg",), True, False, None, "progressive-motor-deficit"),
        (("weakness-one-leg", "both-legs"), True, False, None, "suspected-cauda-equina"),
        (("major-trauma",), False, True, None, "suspected-fracture"),
        (("history-of-cancer", "fever-or-chills"), False, False, None, "suspected-cancer-or-cord-compression"),
        (("fever-or-chills", "spinal-infection-risk"), False, False, None, "suspected-infection"),
        (("fainting-or-collapse", "age-over-50-or-under-20"), False, False, None, "suspected-aortic-aneurysm"),
        ((), False, False, "axial-spa", "axial-spondyloarthritis"),
        (("age-over-50-or-under-20",), False, False, "spinal-stenosis", "lumbar-spinal-stenosis"),
    ],
)
def test_expected_interpretation(facts, flags, radicular, tissue, presentation, expected):
    assert expected_interpretation(facts, flags, radicular, tissue, presentation) == expected


def test_the_notebooks_say_what_the_code_does():
    """The treatment notebook names the four levels, and what each one does, as the data does."""
    text = (ROOT / "notebooks" / "03_treatment_pathway.ipynb").read_text(encoding="utf-8").lower()
    for word in ("emergency", "urgent", "watchful", "routine"):
        assert re.search(rf"\b{word}\b", text), word
