"""The coherence check: every rule can fail (a hand-made broken case for each), every data case
passes, and 20,000 generated patients pass."""

from __future__ import annotations

from dataclasses import replace

import pytest

from spasm_lib.coherence import incoherences
from spasm_lib.facts import load_facts
from spasm_lib.virtual_patients import virtual_patient


@pytest.fixture(scope="module")
def facts():
    return load_facts()


@pytest.fixture(scope="module")
def golfer(facts):
    return facts.by_id("cases")["golfer-twist"]


def rules(facts, case):
    return {b.rule for b in incoherences(facts, case)}


def test_every_data_case_is_coherent(facts):
    broken = {c.id: incoherences(facts, c) for c in facts.cases}
    assert not {k: v for k, v in broken.items() if v}


@pytest.mark.cohort
def test_twenty_thousand_virtual_patients_are_coherent(facts):
    # virtual_patient raises if its own check fails; check again here so the test says which rule.
    bad = []
    for seed in range(20_000):
        case = virtual_patient(facts, seed)
        if incoherences(facts, case):
            bad.append((seed, incoherences(facts, case)[0]))
    assert not bad[:5]


@pytest.mark.cohort
def test_every_presentation_turns_up_in_20000_seeds(facts):
    seen = {virtual_patient(facts, seed).presentation_id for seed in range(20_000)}
    assert seen == {p.id for p in facts.presentations}


def test_the_under_20_age_flag_is_generated(facts):
    ages = [virtual_patient(facts, s) for s in range(3000)]
    assert any(c.age < 20 and "age-over-50-or-under-20" in c.red_flag_ids for c in ages)


@pytest.mark.parametrize(
    "change, rule",
    [
        ({"age": 24, "red_flag_ids": ("age-over-50-or-under-20",), "interpretation_id": "back-spasm"}, "age-flag"),
        ({"age": 71}, "age-flag"),
        ({"age": 12}, "age-range"),
        ({"red_flag_ids": ("minor-trauma-older-or-osteoporotic",), "onset": "unremitting",
          "interpretation_id": "suspected-fracture"}, "older-fracture-flag"),
        ({"sport_id": None}, "sport"),
        ({"risk_factor_ids": ("twisting-sport", "idiopathic")}, "idiopathic-alone"),
        ({"sport_id": None, "risk_factor_ids": ("arthritis",), "tissue_injury": True,
          "interpretation_id": "back-spasm-with-tissue-injury"}, "injury-needs-force"),
        ({"risk_factor_ids": ("twisting-sport", "swollen-muscles")}, "swollen-shows"),
        ({"spasm_site": "upper-back"}, "factor-region"),
        ({"radicular": True, "interpretation_id": "nerve-root-irritation", "spasm_site": "upper-back",
          "sport_id": None, "risk_factor_ids": ("weak-spinal-muscles",)}, "lumbar-signs"),
        ({"onset": "unremitting"}, "onset"),
        ({"interpretation_id": "nerve-root-irritation"}, "interpretation"),
        ({"age": 60, "red_flag_ids": ("age-over-50-or-under-20",)}, "presentation"),
        # the new rules (issue 18), each broken by hand
        ({"onset": "sudden-severe"}, "onset"),  # a sudden, severe onset with no sign of a cause outside the spine
        ({"onset": "insidious"}, "onset"),      # pain that crept on, in a plain spasm
        ({"red_flag_ids": ("fainting-or-collapse",), "interpretation_id": "suspected-aortic-aneurysm"}, "onset"),
        ({"age": 60, "red_flag_ids": ("age-over-50-or-under-20", "cancer-with-neurological-symptoms"),
          "onset": "unremitting", "interpretation_id": "suspected-cancer-or-cord-compression",
          "presentation_id": None}, "cord-needs-cancer"),
        ({"red_flag_ids": ("both-legs",)}, "interpretation"),  # a cauda equina sign taught as a spasm
        ({"presentation_id": "axial-spa"}, "presentation"),
    ],
)
def test_each_rule_fails_on_a_case_that_breaks_it(facts, golfer, change, rule):
    assert rule in rules(facts, replace(golfer, **change))


def test_a_single_weak_flag_is_not_a_serious_cause(facts):
    arthritis = facts.by_id("cases")["arthritis-older-adult"]
    assert arthritis.red_flag_ids == ("age-over-50-or-under-20",)
    assert arthritis.interpretation_id == "back-spasm"
    wrong = replace(arthritis, interpretation_id="serious-cause-suspected")
    assert "interpretation" in rules(facts, wrong)


def test_an_instructor_case_that_contradicts_itself_is_refused_with_its_line(tmp_path):
    import csv

    from spasm_lib.facts import DataError

    source = load_facts().by_id("cases")["golfer-twist"]
    path = tmp_path / "cases.csv"
    header = open(load_facts.__globals__["default_data_dir"]().joinpath("cases.csv"), encoding="utf-8").readline()
    columns = header.strip().split(",")
    row = {c: "" for c in columns}
    row.update(id="young-with-age-flag", title="A young golfer", age="24", story=source.story, sport_id="golf",
               risk_factor_ids="twisting-sport", spasm_site="lower-back", tissue_injury="no", radicular="no",
               red_flag_ids="age-over-50-or-under-20", interpretation_id="back-spasm", teaching_point="x",
               presentation_id="", onset="typical", yellow_flag_ids="", source_paragraph="2", reference_ids="")
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerow(row)
    with pytest.raises(DataError) as info:
        load_facts(cases_file=path)
    message = str(info.value)
    assert f"{path}, line 2, column 'red_flag_ids'" in message
    assert "at 24 the patient cannot carry the flag 'age-over-50-or-under-20'" in message
