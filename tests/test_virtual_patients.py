"""Seeded virtual patients: deterministic, varied, consistent with the rule, and the bulk simulator."""

from __future__ import annotations

import pandas
import pytest

from spasm_lib.exam_findings import perform
from spasm_lib.facts import Facts, expected_interpretation, load_facts
from spasm_lib.virtual_patients import case_for, simulate_findings, simulate_findings_loop, virtual_patient


@pytest.fixture(scope="module")
def facts() -> Facts:
    return load_facts()


@pytest.fixture(scope="module")
def patients(facts):
    return [virtual_patient(facts, seed) for seed in range(300)]


def test_same_seed_same_patient(facts):
    assert virtual_patient(facts, 7) == virtual_patient(facts, 7)
    assert virtual_patient(facts, 7).id == "virtual-7"


def test_different_seeds_give_varied_patients(facts):
    cases = [virtual_patient(facts, seed) for seed in range(20)]
    assert len({c.interpretation_id for c in cases}) >= 3
    assert len({c.story for c in cases}) >= 5
    assert len({c.risk_factor_ids for c in cases}) >= 5
    assert {c.spasm_site for c in cases} == {"lower-back", "upper-back"}


def test_every_interpretation_turns_up(facts, patients):
    assert {p.interpretation_id for p in patients} == {i.id for i in facts.interpretations}


def test_interpretation_follows_the_rule(patients):
    for p in patients:
        assert p.interpretation_id == expected_interpretation(p.radicular, p.tissue_injury, bool(p.red_flag_ids))


def test_patients_use_only_ids_from_the_data(facts, patients):
    for p in patients:
        assert set(p.risk_factor_ids) <= set(facts.by_id("risk_factors"))
        assert set(p.red_flag_ids) <= set(facts.by_id("red_flags"))
        assert set(p.reference_ids) <= set(facts.by_id("references"))
        assert p.sport_id is None or p.sport_id in facts.by_id("sports")
        assert p.source_paragraph == 3


def test_patients_are_clinically_coherent(facts, patients):
    sports = facts.by_id("sports")
    factors = facts.by_id("risk_factors")
    for p in patients:
        if p.sport_id:
            assert sports[p.sport_id].risk_factor_id in p.risk_factor_ids
            assert sports[p.sport_id].name.lower() in p.story
        if "idiopathic" in p.risk_factor_ids:
            assert p.risk_factor_ids == ("idiopathic",)
        if p.spasm_site == "upper-back":
            assert not p.radicular and "intense-force" not in p.risk_factor_ids
        # The age red flag reads "over 50 or under 20": age and flag must agree.
        assert (p.age > 50 or p.age < 20) == ("age-over-50-or-under-20" in p.red_flag_ids)
        assert list(p.risk_factor_ids) == [r.id for r in facts.risk_factors if r.id in p.risk_factor_ids]
        assert p.spasm_site.replace("-", " ") in p.story and str(p.age) in p.title
        assert all(factors[r] for r in p.risk_factor_ids)


def test_beyond_source_features_bring_their_references(facts, patients):
    flagged = [p for p in patients if p.red_flag_ids]
    radicular = [p for p in patients if p.radicular]
    plain = [p for p in patients if not p.red_flag_ids and not p.radicular]
    assert flagged and radicular and plain
    for p in flagged:
        for flag in p.red_flag_ids:
            assert set(facts.by_id("red_flags")[flag].reference_ids) <= set(p.reference_ids)
    for p in radicular:
        assert set(facts.by_id("interpretations")["nerve-root-irritation"].reference_ids) <= set(p.reference_ids)
    assert all(p.reference_ids == () for p in plain)


def test_story_never_names_the_answer(facts, patients):
    names = {i.name for i in facts.interpretations}
    for p in patients:
        assert not any(name in p.story or name in p.title for name in names)


def test_bad_seed_is_refused(facts):
    with pytest.raises(ValueError, match="seed must be a whole number of 0 or more"):
        virtual_patient(facts, -1)
    with pytest.raises(ValueError, match="seed"):
        virtual_patient(facts, "3")


def test_case_for(facts):
    assert case_for(facts, "golfer-twist", 99) is facts.by_id("cases")["golfer-twist"]
    assert case_for(facts, "random", 4) == virtual_patient(facts, 4)
    with pytest.raises(ValueError) as err:
        case_for(facts, "patient-zero", 0)
    assert "'patient-zero'" in str(err.value) and "random" in str(err.value)
    assert all(c.id in str(err.value) for c in facts.cases)


# --------------------------------------------------------------------------- the bulk simulator


@pytest.mark.parametrize("seed", [0, 1, 2024])
def test_vectorised_equals_the_loop(facts, seed):
    fast = simulate_findings(facts, 500, seed)
    slow = simulate_findings_loop(facts, 500, seed)
    pandas.testing.assert_frame_equal(fast, slow)


def test_simulated_columns(facts):
    frame = simulate_findings(facts, 50, 3)
    steps = [s.id for s in sorted(facts.exam_steps, key=lambda s: s.order)]
    assert list(frame.columns) == [
        "patient", "age", "spasm_site", "sport", "risk_factors", "tissue_injury", "radicular", "red_flags",
        *steps, "expected_interpretation"]
    assert len(frame) == 50 and list(frame["patient"]) == list(range(50))
    assert len(simulate_findings(facts, 0, 3)) == 0


def test_one_simulated_patient_is_the_virtual_patient_of_that_seed(facts):
    for seed in range(25):
        row = simulate_findings(facts, 1, seed).iloc[0]
        p = virtual_patient(facts, seed)
        assert (row.age, row.spasm_site, row.sport, row.tissue_injury, row.radicular) == (
            p.age, p.spasm_site, p.sport_id or "none", p.tissue_injury, p.radicular)
        assert row.risk_factors == "; ".join(p.risk_factor_ids)
        assert row.red_flags == "; ".join(p.red_flag_ids)
        assert row.expected_interpretation == p.interpretation_id
        for step in facts.exam_steps:
            site = p.spasm_site if step.id == "palpation" else None
            assert row[step.id] == "; ".join(f.finding_id for f in perform(facts, p, step.id, site))


def test_simulated_findings_follow_the_triggers(facts):
    frame = simulate_findings(facts, 2000, 11)
    assert (frame["palpation"] == "palpation-tender").all()  # palpated at the spasm site
    assert ((frame["inspection"] == "inspection-signs") == frame["tissue_injury"]).all()
    assert ((frame["straight-leg-raise"] == "slr-radicular") == frame["radicular"]).all()
    assert ((frame["red-flag-questions"] == "red-flags-present") == (frame["red_flags"] != "")).all()
    for row in frame.itertuples():
        assert row.expected_interpretation == expected_interpretation(
            row.radicular, row.tissue_injury, bool(row.red_flags))
    assert frame["expected_interpretation"].nunique() == 4
