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


@pytest.mark.parametrize("make", [_exam, _walk, _study], ids=["exam", "pathway", "case-study"])
def test_a_code_typed_once_gives_the_students_own_patient(make):
    widget = make()
    box = widget.patient_code
    assert widget.children[0] is box, "the code box comes first, above the patient"
    assert box.code.description == LABEL and box.code.tooltip == LABEL
    assert _patient(widget).id == "golfer-twist"
    box.code.value = CODE  # what typing and pressing Enter does
    assert _patient(widget) == virtual_patient(FACTS, SEED)
    assert "15N-M7S" in box.status.value


@pytest.mark.parametrize("make", [_exam, _walk, _study], ids=["exam", "pathway", "case-study"])
def test_a_mistyped_code_says_so_and_keeps_the_patient(make):
    widget = make()
    widget.patient_code.code.value = "15N-M7T"  # last symbol wrong
    assert _patient(widget).id == "golfer-twist"
    assert "typing mistake" in widget.patient_code.status.value
    widget.patient_code.code.value = "15N-M7"
    assert "six letters and digits" in widget.patient_code.status.value
    assert _patient(widget).id == "golfer-twist"


def test_the_case_study_starts_with_empty_answer_boxes_for_the_new_patient():
    widget = _study()
    widget.answers["decisive-findings"].value = "something"
    widget.patient_code.code.value = CODE
    assert all(box.value in ("", None) for box in widget.answers.values())
    assert widget.children[0] is widget.patient_code
