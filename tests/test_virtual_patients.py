"""Seeded virtual patients: drawn from presentations, coherent, deterministic; classes; the export.

Expected values come from tests/clinical_expectations.py (written by hand from the spec and the
CSVs) or from the presentation rows read here; nothing is recomputed with the code under test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import base32_crockford
import pytest

from clinical_expectations import (
    EXPERT_PATH,
    PLAN_KINDS,
    expected_plan,
    expected_finding_ids,
    expected_interpretation,
    expected_level,
)
from spasm_lib.cli import main
from spasm_lib.coherence import incoherences
from spasm_lib.facts import load_facts
from spasm_lib.tables import Facts
from spasm_lib.handouts import student_cases
from spasm_lib.class_mix import class_patients
from spasm_lib.virtual_patients import MAX_SEED, case_for, virtual_patient, virtual_seed

AGE_FLAG = "age-over-50-or-under-20"
SEEDS = range(400)


@pytest.fixture(scope="module")
def facts() -> Facts:
    return load_facts()


@pytest.fixture(scope="module")
def patients(facts):
    return [virtual_patient(facts, seed) for seed in SEEDS]


def presentation_of(facts, patient):
    return facts.by_id("presentations")[patient.presentation_id]


# --------------------------------------------------------------------------- one patient


def test_same_seed_same_patient(facts):
    assert virtual_patient(facts, 7) == virtual_patient(facts, 7)
    assert virtual_patient(facts, 7).id == "virtual-7"
    assert virtual_patient(facts, 7) != virtual_patient(facts, 8)


@pytest.mark.subprocess
def test_same_seed_same_patient_in_another_process_with_another_hash_seed(facts):
    """random.Random seeded with a string hashes it with SHA-512, not Python's per-process hash."""
    seeds = (0, 1, 123456789, MAX_SEED)
    code = ("from spasm_lib.facts import load_facts\nfrom spasm_lib.virtual_patients import virtual_patient\n"
            f"F = load_facts()\nprint(repr([virtual_patient(F, s) for s in {seeds!r}]))")
    here = repr([virtual_patient(facts, s) for s in seeds])
    for hash_seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        assert out.stdout.strip() == here


@pytest.mark.subprocess
def test_no_numpy_needed_so_it_runs_the_same_in_the_browser():
    code = ("import sys\nfrom spasm_lib.facts import load_facts\nfrom spasm_lib.virtual_patients import "
            "virtual_patient\nfrom spasm_lib.class_mix import class_patients\nF = load_facts()\nvirtual_patient(F, 5)\nclass_patients(F, 3, 1)\n"
            "print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_presentation_interpretation_and_triage_level_turns_up(facts, patients):
    assert {p.presentation_id for p in patients} == {p.id for p in facts.presentations}
    assert {p.interpretation_id for p in patients} == set(EXPERT_PATH)  # all thirteen working diagnoses
    assert {expected_level(p.red_flag_ids, p.interpretation_id) for p in patients} == {
        "routine", "watchful", "urgent", "emergency"}
    assert {p.spasm_site for p in patients} == {"lower-back", "upper-back"}
    assert len({p.story for p in patients}) >= 40
    assert any(p.yellow_flag_ids for p in patients) and any(not p.yellow_flag_ids for p in patients)


def test_heavier_presentations_are_drawn_more_often(facts, patients):
    # presentations.csv: twisting-sport weighs 14, cauda-equina 4 (of 88): a setting, not a frequency.
    counts = {p.id: 0 for p in facts.presentations}
    for p in patients:
        counts[p.presentation_id] += 1
    assert counts["twisting-sport"] > 2 * counts["cauda-equina"]


def test_each_patient_follows_its_presentation(facts, patients):
    sports = facts.by_id("sports")
    for p in patients:
        pres = presentation_of(facts, p)
        assert p.spasm_site == pres.spasm_site and p.onset == pres.onset, p.id
        assert pres.age_min <= p.age <= pres.age_max, p.id
        assert p.teaching_point == pres.teaching_point
        assert set(pres.risk_factor_ids) <= set(p.risk_factor_ids), p.id
        sport_factor = {sports[p.sport_id].risk_factor_id} if p.sport_id else set()
        assert set(p.risk_factor_ids) <= set(pres.risk_factor_ids) | set(pres.optional_risk_factor_ids) | sport_factor
        assert set(pres.red_flag_ids) <= set(p.red_flag_ids), p.id
        assert set(p.red_flag_ids) <= set(pres.red_flag_ids) | set(pres.optional_red_flag_ids) | {AGE_FLAG}
        assert {"yes": [True], "no": [False], "maybe": [True, False]}[pres.tissue_injury].count(p.tissue_injury)
        assert {"yes": [True], "no": [False], "maybe": [True, False]}[pres.radicular].count(p.radicular)
        if pres.sport == "required":
            assert p.sport_id is not None, p.id
        if pres.sport == "none":
            assert p.sport_id is None, p.id
        if pres.yellow_flags == "no":
            assert p.yellow_flag_ids == (), p.id


def test_maybe_features_are_drawn_both_ways(facts, patients):
    force = [p for p in patients if p.presentation_id == "force-tissue-injury"]
    assert all(p.tissue_injury for p in force)  # "yes" in presentations.csv
    accident = [p for p in patients if p.presentation_id == "serious-accident"]  # "maybe"
    assert {p.tissue_injury for p in accident} == {True, False}


def test_the_age_flag_goes_with_the_age(patients):
    # The flag reads "over 50 or under 20": an age outside 20..50 carries it, and only such an age.
    for p in patients:
        assert (p.age > 50 or p.age < 20) == (AGE_FLAG in p.red_flag_ids), (p.id, p.age, p.red_flag_ids)


def test_interpretation_follows_triage_and_findings(patients):
    for p in patients:
        assert p.interpretation_id == expected_interpretation(p), p.id


def test_one_weak_flag_alone_keeps_the_underlying_interpretation(patients):
    watchful = [p for p in patients if expected_level(p.red_flag_ids, p.interpretation_id) == "watchful"]
    assert watchful and {p.presentation_id for p in watchful} == {"older-single-flag", "teen-sport", "spinal-stenosis"}
    assert all(p.red_flag_ids == (AGE_FLAG,) for p in watchful)
    assert {p.interpretation_id for p in watchful} == {"back-spasm", "lumbar-spinal-stenosis"}


def test_patients_are_coherent_and_use_only_ids_from_the_data(facts, patients):
    for p in patients:
        assert incoherences(facts, p) in ([], ()), p.id
        assert set(p.risk_factor_ids) <= set(facts.by_id("risk_factors"))
        assert set(p.red_flag_ids) <= set(facts.by_id("red_flags"))
        assert set(p.yellow_flag_ids) <= set(facts.by_id("yellow_flags"))
        assert set(p.reference_ids) <= set(facts.by_id("references"))
        assert p.sport_id is None or p.sport_id in facts.by_id("sports")
        # lists in the data's order, no repeats
        assert list(p.risk_factor_ids) == [r.id for r in facts.risk_factors if r.id in p.risk_factor_ids]
        assert list(p.red_flag_ids) == [f.id for f in facts.red_flags if f.id in p.red_flag_ids]


def test_the_story_is_one_of_its_presentation_with_the_yellow_flags_in_the_patients_words(facts, patients):
    yellow = facts.by_id("yellow_flags")
    for p in patients:
        stories = [s for s in facts.presentation_stories if s.presentation_id == p.presentation_id]
        (story,) = [s for s in stories if p.story.startswith(s.story)]
        assert story.sport_id == p.sport_id, p.id
        words = [yellow[y].patient_words for y in p.yellow_flag_ids]
        assert p.story == " ".join([story.story, *words]), p.id
        assert str(p.age) in p.title and p.spasm_site.replace("-", " ") in p.title


def test_every_patient_has_provenance_and_flags_bring_references(patients):
    for p in patients:
        assert p.source_paragraph is not None or p.reference_ids, p.id
        if p.red_flag_ids:  # warning signs come from guidance, not the source
            assert p.reference_ids, p.id
        if p.radicular:  # the straight leg raise's references (exam_steps.csv)
            assert {"bpac2009", "deville2000"} <= set(p.reference_ids), p.id


def test_story_and_title_never_name_the_answer(facts, patients):
    names = [i.name.lower() for i in facts.interpretations] + [lv.name.lower() for lv in facts.triage_levels]
    for p in patients:
        said = (p.story + " " + p.title).lower()
        assert not any(name in said for name in names), p.id


@pytest.mark.parametrize("bad", [-1, MAX_SEED + 1, "3x", 2.0, True, None])
def test_bad_seed_is_refused_naming_the_range(facts, bad):
    # the package's one seed rule (spasm_lib.inputs.seed), the same message as the command line's
    with pytest.raises(ValueError, match=f"expected a whole number from 0 to {MAX_SEED}"):
        virtual_patient(facts, bad)


@pytest.mark.parametrize("case_id, seed", [
    ("virtual-0", 0), ("virtual-42", 42), ("virtual-4294967295", 4294967295),
    ("virtual-4294967296", None), ("virtual-00000000042", None), ("virtual-", None), ("virtual-4a", None),
    ("virtual-\u0664\u0662", None), ("golfer-twist", None), ("random", None), ("42", None),
])
def test_a_virtual_patients_id_names_its_seed(case_id, seed):
    assert virtual_seed(case_id) == seed


def test_the_largest_seed_is_a_patient(facts):
    assert virtual_patient(facts, MAX_SEED).id == f"virtual-{MAX_SEED}"


# --------------------------------------------------------------------------- the one lookup


def test_case_for_finds_data_cases_random_and_virtual_ids(facts):
    assert case_for(facts, "golfer-twist", 99) is facts.by_id("cases")["golfer-twist"]
    assert case_for(facts, "random", 4) == virtual_patient(facts, 4)
    assert case_for(facts, "virtual-12") == virtual_patient(facts, 12)
    assert case_for(facts, "virtual-12", 3).id == "virtual-12"  # the id wins over the seed


@pytest.mark.parametrize("case_id", ["patient-zero", "virtual-", "virtual-x1", "virtual--3", "virtual-\u0661"])
def test_case_for_refuses_unknown_ids_naming_what_is_allowed(facts, case_id):
    with pytest.raises(ValueError) as err:
        case_for(facts, case_id, 0)
    message = str(err.value)
    assert f"unknown case '{case_id}'" in message and "random" in message
    assert all(c.id in message for c in facts.cases)


# --------------------------------------------------------------------------- a class


def test_class_patients_are_numbered_distinct_and_stable(facts):
    first = class_patients(facts, 30, 11)
    assert [p.number for p in first] == list(range(1, 31))
    assert first == class_patients(facts, 30, 11)
    assert all(p.case == virtual_patient(facts, p.seed) for p in first)
    people = {(p.case.presentation_id, p.case.age, p.case.story, p.case.red_flag_ids, p.case.risk_factor_ids,
               p.case.tissue_injury, p.case.radicular, p.case.yellow_flag_ids) for p in first}
    assert len(people) == 30
    # a smaller class of the same seed is the start of the larger one
    assert class_patients(facts, 5, 11) == first[:5]


def test_neighbouring_class_seeds_share_no_patient(facts):
    a = {p.seed for p in class_patients(facts, 20, 11)}
    b = {p.seed for p in class_patients(facts, 20, 12)}
    assert not a & b


def test_class_seed_is_checked(facts):
    with pytest.raises(ValueError, match="expected a whole number from 0 to"):
        class_patients(facts, 3, -5)


# --------------------------------------------------------------------------- spasm-teach patients

REQUIRED_KEYS = ("id", "seed", "age", "story", "region", "presentation", "risk_factor_ids", "red_flag_ids",
                 "tissue_injury", "radicular", "findings", "interpretation_id", "interpretation_group", "triage",
                 "how_soon", "plan")


def run_patients(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "spasm_lib", "patients", *args], capture_output=True)


@pytest.mark.subprocess
def test_export_twice_gives_the_same_bytes():
    first = run_patients("--count", "50", "--seed", "11")
    second = run_patients("--count", "50", "--seed", "11")
    assert first.returncode == 0 and first.stderr == b""
    assert first.stdout == second.stdout and len(first.stdout) > 10_000
    assert first.stdout.endswith(b"]\n")
    assert run_patients("--count", "50", "--seed", "12").stdout != first.stdout


@pytest.fixture(scope="module")
def exported(facts):
    out = subprocess.run([sys.executable, "-m", "spasm_lib", "patients", "--count", "100", "--seed", "11"],
                         capture_output=True, check=True)
    return json.loads(out.stdout.decode("utf-8"))


@pytest.mark.subprocess
def test_export_has_the_required_keys_and_allowed_values(facts, exported):
    assert len(exported) == 100
    for k, record in enumerate(exported, 1):
        assert set(REQUIRED_KEYS) <= set(record), record.keys()
        assert record["id"] == f"patient-{k:03d}"
        assert base32_crockford.decode(record["code"], checksum=True) == record["seed"]  # the handout's code
        assert record["region"] in ("lower-back", "upper-back")
        assert record["presentation"] in facts.by_id("presentations")
        assert record["triage"] in ("emergency", "urgent", "watchful", "routine")
        assert record["interpretation_id"] in facts.by_id("interpretations")
        assert isinstance(record["tissue_injury"], bool) and isinstance(record["radicular"], bool)
        assert record["findings"] and all(set(f) == {"step_id", "finding_id", "text"} for f in record["findings"])
        assert record["plan"] and all(set(p) == {"step_id", "title", "kind"} for p in record["plan"])
        assert {p["kind"] for p in record["plan"]} <= PLAN_KINDS
        assert record["interpretation_group"] in (
            "non-specific", "radicular", "serious-spinal", "inflammatory", "non-spinal")
        # how soon: a timeframe exactly when the level is serious (guidelines-2 section 3)
        assert bool(record["how_soon"]) == (record["triage"] in ("emergency", "urgent")), record["id"]
        assert all(set(a) == {"concern", "timeframe"} and a["timeframe"] for a in record["how_soon"])


@pytest.mark.subprocess
def test_exported_answers_match_the_rules_written_by_hand(facts, exported):
    titles = {s.id: s.title for s in facts.pathway_steps}
    for record in exported:
        level = expected_level(record["red_flag_ids"])
        assert record["triage"] == level, record["id"]
        assert [p["step_id"] for p in record["plan"]] == expected_plan(
            record["triage"], record["tissue_injury"], record["radicular"], record["interpretation_id"]), record["id"]
        assert all(p["title"] == titles[p["step_id"]] for p in record["plan"])
        assert record["plan"][-1]["kind"] == "safety-net"


@pytest.mark.subprocess
def test_export_has_distinct_patients(exported):
    people = {(r["age"], r["story"], tuple(r["risk_factor_ids"]), tuple(r["red_flag_ids"]), r["tissue_injury"],
               r["radicular"]) for r in exported}
    assert len(people) >= 95


@pytest.mark.subprocess
def test_exported_patients_are_the_handouts_patients(facts, exported):
    cases = student_cases(facts, 100, 11)
    assert len(cases) == len(exported)
    for record, sc in zip(exported, cases):
        case = sc.case
        assert (record["seed"], record["age"], record["story"], record["region"], record["presentation"]) == (
            sc.seed, case.age, case.story, case.spasm_site, case.presentation_id)
        assert (record["risk_factor_ids"], record["red_flag_ids"]) == (list(case.risk_factor_ids),
                                                                       list(case.red_flag_ids))
        assert (record["tissue_injury"], record["radicular"]) == (case.tissue_injury, case.radicular)
        assert record["interpretation_id"] == case.interpretation_id == expected_interpretation(case)
        assert [f["finding_id"] for f in record["findings"]] == expected_finding_ids(facts, case)


def test_export_as_csv_has_one_row_per_patient(capsys):
    import csv
    import io

    assert main(["patients", "--count", "4", "--seed", "11", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["id"] for r in rows] == ["patient-01", "patient-02", "patient-03", "patient-04"]
    for r in rows:
        assert r["plan"].split(";") == expected_plan(r["triage"], r["tissue_injury"] == "yes", r["radicular"] == "yes",
                                                     r["interpretation_id"])
        assert r["tissue_injury"] in ("yes", "no")


@pytest.mark.subprocess
@pytest.mark.parametrize("args", [["--count", "0"], ["--count", "3", "--seed", "-1"], ["--count", "x"],
                                  ["--count", "3", "--format", "xml"]])
def test_export_bad_input_is_one_line_and_nothing_written(args):
    out = run_patients(*args)
    assert out.returncode == 2 and out.stdout == b""
    err = out.stderr.decode()
    assert err.count("\n") == 1 and "Traceback" not in err
