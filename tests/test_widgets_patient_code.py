"""The patient code box of the exam simulator (02), the pathway walk (03) and the case study (04):
the code printed on a student's handout gives that student's virtual patient; a mistyped code says
so and changes nothing. Codes here are worked by hand (see tests/test_patient_codes.py)."""

from __future__ import annotations

import ipywidgets as W
import pytest

from spasm_lib.facts import load_facts
from spasm_lib.params import use_parameters
from spasm_lib.virtual_patients import virtual_patient
from spasm_lib.widgets.case_study import case_study_for
from spasm_lib.widgets.exam import exam_simulator
from spasm_lib.widgets.pathway import treatment_pathway_walkthrough
from spasm_lib.widgets.patient_code import PatientCodeBox, PatientPicker

FACTS = load_facts()
CODE, SEED = "15n-m7s", 1234567  # 1234567 is 15NM7 in Crockford's Base32, check symbol S (1234567 mod 37 = 25)
LABEL = "Your patient code (on your handout)"


def _exam():
    return exam_simulator(use_parameters("02_exam_simulator", {"interactive": True, "audience": "student",
                                                               "case": "golfer-twist", "steps": []}), FACTS)


def _walk():
    return treatment_pathway_walkthrough(use_parameters("03_treatment_pathway", {
        "interactive": True, "audience": "student", "case": "golfer-twist"}))


def _study():
    return case_study_for(use_parameters("04_case_study", {"interactive": True, "audience": "student",
                                                            "case": "golfer-twist"}))


def _patient(widget):
    return widget.study.case if hasattr(widget, "study") else widget.patient


def _box(widget):
    """The code box, first above the patient: the case study's own, or the first part of the patient picker."""
    first = widget.children[0]
    return first if hasattr(widget, "study") else first.children[0]


@pytest.mark.parametrize("make", [_exam, _walk, _study], ids=["exam", "pathway", "case-study"])
def test_a_code_typed_once_gives_the_students_own_patient(make):
    widget = make()
    box = _box(widget)
    assert isinstance(box, PatientCodeBox), "the code box comes first, above the patient"
    assert box.code.description == LABEL and box.code.tooltip == LABEL
    assert _patient(widget).id == "golfer-twist"
    box.code.value = CODE  # what typing and pressing Enter does
    assert _patient(widget) == virtual_patient(FACTS, SEED)
    assert "15N-M7S" in box.status.value


@pytest.mark.parametrize("make", [_exam, _walk, _study], ids=["exam", "pathway", "case-study"])
def test_a_mistyped_code_says_so_and_keeps_the_patient(make):
    widget = make()
    _box(widget).code.value = "15N-M7T"  # last symbol wrong
    assert _patient(widget).id == "golfer-twist"
    assert "typing mistake" in _box(widget).status.value
    _box(widget).code.value = "15N-M7"
    assert "six letters and digits" in _box(widget).status.value
    assert _patient(widget).id == "golfer-twist"


def test_the_case_study_starts_with_empty_answer_boxes_for_the_new_patient():
    widget = _study()
    widget.answers["decisive-findings"].value = "something"
    widget.patient_code.code.value = CODE
    assert all(box.value in ("", None) for box in widget.answers.values())
    assert widget.children[0] is widget.patient_code  # the case study keeps its code box alone


@pytest.mark.parametrize("make", [_exam, _walk], ids=["exam", "pathway"])
def test_the_exam_and_the_walk_choose_their_patient_with_the_one_picker(make):
    picker = make().children[0]
    assert isinstance(picker, PatientPicker)
    assert [c.description for c in picker.children[1].children] == ["Patient", "Virtual patient number (seed)"]
    assert picker.case.options[-1] == ("Random virtual patient", "random")


def test_the_picker_calls_back_once_per_new_patient():
    calls = []
    picker = PatientPicker(FACTS, "golfer-twist", 0, lambda: calls.append(picker.patient.id))
    assert picker.seed.layout.display == "none" and calls == []
    picker.seed.value = 3  # the seed of a data case changes nobody
    assert calls == [] and picker.patient.id == "golfer-twist"
    picker.patient_code.code.value = CODE  # the seed and the menu change: one new patient
    assert calls == [f"virtual-{SEED}"] and picker.seed.layout.display == ""
    picker.patient_code.code.value = ""
    picker.patient_code.code.value = CODE  # the same patient again: nothing new
    assert calls == [f"virtual-{SEED}"]
    picker.case.value = "ruptured-disc"
    assert calls == [f"virtual-{SEED}", "ruptured-disc"] and picker.patient == FACTS.by_id("cases")["ruptured-disc"]
