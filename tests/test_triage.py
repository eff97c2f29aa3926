"""The triage: a test per level and per red flag, expected values written from the guidance by hand.

The grades below are read off ``../shared/content/guidelines.md`` (ahcpr1994's flags, finucane2020's
levels, henschke2009 on one flag alone), not from the code or the CSV: if the data's grade of a
flag drifts, these tests say so.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from spasm_lib.facts import load_facts
from spasm_lib.triage import expected_interpretation, level_for, triage

ROOT = Path(__file__).resolve().parents[1]

FLAG_GRADE = {
    # cauda equina syndrome and a serious accident: same-day emergency care
    "saddle-anaesthesia": "emergency",
    "bladder-dysfunction": "emergency",
    "bowel-dysfunction": "emergency",
    "leg-weakness-or-numbness": "emergency",
    "major-trauma": "emergency",
    # a flag that suggests fracture, infection or cancer: urgent assessment first
    "minor-trauma-older-or-osteoporotic": "urgent",
    "history-of-cancer": "urgent",
    "fever-chills-weight-loss": "urgent",
    "spinal-infection-risk": "urgent",
    # weak on their own
    "age-over-50-or-under-20": "watchful",
    "pain-lying-down-or-night": "watchful",
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


def test_two_weak_flags_together_are_urgent(facts):
    assert triage(facts, ["age-over-50-or-under-20", "pain-lying-down-or-night"]).id == "urgent"


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
        (("watchful", "watchful"), "urgent"),
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
    "radicular, tissue, serious, expected",
    [
        (False, False, False, "back-spasm"),
        (False, True, False, "back-spasm-with-tissue-injury"),
        (True, False, False, "nerve-root-irritation"),
        (True, True, False, "nerve-root-irritation"),
        (False, False, True, "serious-cause-suspected"),
        (True, True, True, "serious-cause-suspected"),
    ],
)
def test_expected_interpretation(radicular, tissue, serious, expected):
    assert expected_interpretation(radicular, tissue, serious) == expected


@pytest.mark.parametrize(
    "level, first, second",
    [
        ("emergency", "red-flag-screen", "emergency-referral"),
        ("urgent", "red-flag-screen", "urgent-referral"),
        ("watchful", "red-flag-screen", "self-management"),
        ("routine", "red-flag-screen", "self-management"),
    ],
)
def test_each_level_has_its_steps_in_the_pathway_data(facts, level, first, second):
    steps = sorted((s for s in facts.pathway_steps if level in s.triage_levels), key=lambda s: s.order)
    assert [s.id for s in steps[:2]] == [first, second]
    assert steps[-1].id == "safety-net"
    if level in ("emergency", "urgent"):
        assert len(steps) == 3, "nothing conservative before or beside the referral"


def test_the_notebooks_say_what_the_code_does():
    """The treatment notebook names the four levels, and what each one does, as the data does."""
    text = (ROOT / "notebooks" / "03_treatment_pathway.ipynb").read_text(encoding="utf-8").lower()
    for word in ("emergency", "urgent", "watchful", "routine"):
        assert re.search(rf"\b{word}\b", text), word
