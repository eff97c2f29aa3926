"""A balanced class (the default mix) and the weighted one: what each promises, checked against
the data tables directly (triage levels, presentations, their stories), never against the plan.

What "any size" can guarantee, as the module's docstring writes it down, with L triage levels and
P presentations: a class of n < L students has n different levels, n >= L every level; n <= P
students have n different presentations; beyond P each presentation comes n // P or n // P + 1
times (while it has patients left who differ), no presentation and story twice until the stories
of that presentation run out, and never the same patient twice.
"""

from __future__ import annotations

from collections import Counter

import pytest

from spasm_lib.class_mix import MIXES, class_patients
from spasm_lib.facts import load_facts
from spasm_lib.patient_codes import decode, encode
from spasm_lib.triage import case_triage
from spasm_lib.virtual_patients import virtual_patient

CLASS_SEEDS = range(12)
LEVELS_TODAY = {"emergency", "urgent", "watchful", "routine"}


@pytest.fixture(scope="module")
def facts():
    return load_facts()


def _levels(facts, patients):
    return [case_triage(facts, p.case).id for p in patients]


def _story(facts, case):
    """Which story of presentation_stories.csv the patient tells (read here, not from class_mix)."""
    rows = [s for s in facts.presentation_stories if s.presentation_id == case.presentation_id and s.story in case.story]
    assert len(rows) == 1, f"{case.id}: {len(rows)} stories match"
    return rows[0].id


def test_the_levels_are_todays_four(facts):
    """The guarantee counts the levels of triage_levels.csv; today they are four (written by hand)."""
    assert {t.id for t in facts.triage_levels} == LEVELS_TODAY


@pytest.mark.parametrize("class_seed", CLASS_SEEDS)
def test_a_small_class_has_different_levels_and_four_have_them_all(facts, class_seed):
    levels = {t.id for t in facts.triage_levels}
    for n in range(1, len(levels) + 1):
        got = _levels(facts, class_patients(facts, n, class_seed))
        assert len(set(got)) == n, f"class of {n}, seed {class_seed}: {got}"
    assert set(_levels(facts, class_patients(facts, len(levels) + 2, class_seed))) == levels


@pytest.mark.parametrize("class_seed", CLASS_SEEDS)
def test_no_presentation_twice_until_all_are_used(facts, class_seed):
    p = len(facts.presentations)
    patients = class_patients(facts, p, class_seed)
    assert sorted(x.case.presentation_id for x in patients) == sorted(x.id for x in facts.presentations)


@pytest.mark.parametrize("class_seed", [0, 7, 2026])
def test_a_class_of_30(facts, class_seed):
    patients = class_patients(facts, 30, class_seed)
    assert set(_levels(facts, patients)) == LEVELS_TODAY
    counts = Counter(x.case.presentation_id for x in patients)
    p = len(facts.presentations)
    assert set(counts) == {x.id for x in facts.presentations}
    assert set(counts.values()) <= {30 // p, 30 // p + 1}, counts
    # every presentation has at least three stories, and none is used three times more than that
    pairs = [(x.case.presentation_id, _story(facts, x.case)) for x in patients]
    assert len(set(pairs)) == 30, Counter(pairs).most_common(3)


def test_beyond_the_stories_a_story_repeats_but_never_the_patient(facts):
    patients = class_patients(facts, 80, 3)
    people = {(x.case.presentation_id, x.case.age, x.case.story, x.case.risk_factor_ids, x.case.red_flag_ids,
               x.case.tissue_injury, x.case.radicular, x.case.yellow_flag_ids) for x in patients}
    assert len(people) == 80
    stories = Counter(s.presentation_id for s in facts.presentation_stories)
    pairs = Counter((x.case.presentation_id, _story(facts, x.case)) for x in patients)
    for presentation in {x.case.presentation_id for x in patients}:
        # a story is told twice only once every story of the presentation has been told
        used = [n for (pid, _s), n in pairs.items() if pid == presentation]
        if max(used) > 1:
            assert len(used) == stories[presentation], (presentation, used)


@pytest.mark.parametrize("mix", MIXES)
def test_a_late_student_changes_nobodys_patient(facts, mix):
    assert class_patients(facts, 31, 5, mix)[:30] == class_patients(facts, 30, 5, mix)


@pytest.mark.parametrize("mix", MIXES)
def test_each_code_names_the_students_own_patient(facts, mix):
    for student in class_patients(facts, 30, 9, mix):
        code = encode(student.seed)
        assert code.replace("-", "").isalnum(), code
        assert virtual_patient(facts, decode(code)) == student.case


def test_the_weighted_mix_is_another_class(facts):
    balanced, weighted = class_patients(facts, 20, 4), class_patients(facts, 20, 4, "weighted")
    assert [p.seed for p in balanced] != [p.seed for p in weighted]
    assert len({p.case.story + str(p.case.age) for p in weighted}) == 20


def test_an_unknown_mix_is_refused(facts):
    with pytest.raises(ValueError, match="unknown mix 'even'; expected one of: balanced, weighted"):
        class_patients(facts, 3, 1, "even")


def _patients_command(*args: str):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "spasm_lib", "patients", *args], capture_output=True, text=True)


@pytest.mark.subprocess
def test_the_command_line_takes_the_mix_and_refuses_an_unknown_one_in_one_line(facts):
    import json

    done = _patients_command("--count", "5", "--seed", "4", "--mix", "weighted")
    assert done.returncode == 0, done.stderr
    assert [r["seed"] for r in json.loads(done.stdout)] == [p.seed for p in class_patients(facts, 5, 4, "weighted")]
    refused = _patients_command("--count", "5", "--mix", "even")
    assert refused.returncode == 2 and refused.stdout == ""
    assert len(refused.stderr.splitlines()) == 1
    assert "invalid choice: 'even'" in refused.stderr and "'balanced', 'weighted'" in refused.stderr


def test_a_presentation_that_runs_out_of_new_patients_repeats_rather_than_losing_its_share(facts):
    """A teenager after sport has about a dozen different patients (four ages, three stories, few
    extras): a class of 300 uses them up. The presentation keeps its planned share, so a cohort keeps
    its mix (issue 18), and only such a presentation repeats a patient."""
    patients = class_patients(facts, 300, 11)
    counts = Counter(x.case.presentation_id for x in patients)
    each = 300 // len(facts.presentations)
    assert all(each <= counts[p.id] <= each + 1 for p in facts.presentations), counts
    people: dict[str, list] = {}
    for x in patients:
        people.setdefault(x.case.presentation_id, []).append(
            (x.case.age, x.case.story, x.case.risk_factor_ids, x.case.red_flag_ids, x.case.tissue_injury,
             x.case.radicular, x.case.yellow_flag_ids))
    repeating = {p for p, who in people.items() if len(set(who)) < len(who)}
    assert "teen-sport" in repeating
    assert "twisting-sport" not in repeating and "nerve-root" not in repeating
