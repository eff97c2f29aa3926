"""Widget wiring for notebooks 01 and 02, without a kernel.

Each test builds the widget from validated parameters, changes a control or clicks a button, and
checks that the HTML widget shows exactly the view of the state worked out here by hand.
"""

from __future__ import annotations

import time

import ipywidgets as W
import pytest

from spasm_lib.exam_findings import ExamState, examine, feedback
from spasm_lib.facts import Facts, load_facts
from spasm_lib.params import use_parameters
from spasm_lib.views.exam import case_view, exam_view, feedback_view, findings_view
from spasm_lib.virtual_patients import virtual_patient
from spasm_lib.widgets.exam import ExamSimulator, exam_simulator
from spasm_lib.widgets.risk_factors import risk_factor_explorer


@pytest.fixture(scope="module")
def facts() -> Facts:
    return load_facts()


def risk_params(**values):
    return use_parameters("01_risk_factors", {"interactive": True, "audience": "student", **values})


def exam_params(**values):
    return use_parameters("02_exam_simulator", {"interactive": True, "audience": "student", **values})


def controls(widget: W.Widget):
    """Every descendant widget (depth first)."""
    for child in getattr(widget, "children", ()):
        yield child
        yield from controls(child)


# Notebook 01's widgets (the risk explorer and the table): tests/test_widgets_risk.py.


# --------------------------------------------------------------------------- notebook 02


def exam_markup(facts, case, performed, interpretation=None, audience="student"):
    state = ExamState(case.id, tuple(performed), interpretation)
    result = examine(facts, state, case)
    fb = None
    if interpretation is not None or audience == "instructor":
        fb = feedback(facts, case, result, interpretation)
    return exam_view(case, result, fb, audience).markup


def test_simulator_starts_from_the_parameters(facts):
    params = exam_params(case="weekend-footballer", steps=["history-onset", "palpation"], palpation_site="upper-back")
    sim = exam_simulator(params, facts)
    assert isinstance(sim, ExamSimulator)
    c = facts.by_id("cases")["weekend-footballer"]
    assert sim.view.value == exam_markup(facts, c, [("history-onset", None), ("palpation", "upper-back")])
    assert "Pressing here is not tender" in sim.view.value
    assert sim.case.value == "weekend-footballer" and sim.interpretation.value == ""


def test_clicking_steps_committing_and_starting_again(facts):
    sim = exam_simulator(exam_params(case="ruptured-disc", steps=[]), facts)
    c = facts.by_id("cases")["ruptured-disc"]
    assert sim.view.value == (case_view(c) + findings_view(examine(facts, ExamState(c.id)))).markup
    sim.step_buttons["history-onset"].click()
    sim.site.value = "lower-back"
    sim.step_buttons["palpation"].click()
    sim.step_buttons["straight-leg-raise"].click()
    performed = [("history-onset", None), ("palpation", "lower-back"), ("straight-leg-raise", None)]
    assert sim.view.value == exam_markup(facts, c, performed)
    assert "below the knee" in sim.view.value and "spasm-feedback" not in sim.view.value
    sim.interpretation.value = "nerve-root-irritation"
    assert sim.view.value == exam_markup(facts, c, performed)  # choosing is not committing
    sim.commit.click()
    assert sim.view.value == exam_markup(facts, c, performed, "nerve-root-irritation")
    assert "<strong>Correct.</strong>" in sim.view.value
    assert "you did not ask the warning-sign (red flag) questions" in sim.view.value
    sim.restart.click()
    assert sim.view.value == exam_markup(facts, c, [])
    assert sim.interpretation.value == ""


def test_palpation_uses_the_chosen_site(facts):
    sim = exam_simulator(exam_params(case="golfer-twist", steps=[]), facts)
    c = facts.by_id("cases")["golfer-twist"]
    sim.site.value = "upper-back"
    sim.step_buttons["palpation"].click()
    assert sim.view.value == exam_markup(facts, c, [("palpation", "upper-back")])
    assert "Pressing here is not tender" in sim.view.value
    sim.site.value = "lower-back"
    sim.step_buttons["palpation"].click()
    assert sim.view.value == exam_markup(facts, c, [("palpation", "upper-back"), ("palpation", "lower-back")])


def test_a_random_patient_follows_the_seed(facts):
    sim = exam_simulator(exam_params(case="golfer-twist", steps=["history-onset"]), facts)
    assert sim.seed.layout.display == "none"
    sim.case.value = "random"
    assert sim.seed.layout.display == ""
    sim.seed.value = 5
    patient = virtual_patient(facts, 5)
    assert sim.view.value == exam_markup(facts, patient, [])
    sim.step_buttons["red-flag-questions"].click()
    assert sim.view.value == exam_markup(facts, patient, [("red-flag-questions", None)])
    names = [facts.by_id("red_flags")[f].name for f in patient.red_flag_ids]
    assert all(n in sim.view.value for n in names)
    sim.seed.value = 6
    assert sim.view.value == exam_markup(facts, virtual_patient(facts, 6), [])


def test_static_simulator_for_a_student(facts):
    params = exam_params(
        case="red-flag-saddle-numbness", steps=["red-flag-questions", "lean-forward"], interactive=False)
    c = facts.by_id("cases")["red-flag-saddle-numbness"]
    shown = exam_simulator(params, facts)
    assert shown.markup == exam_markup(facts, c, [("red-flag-questions", None), ("lean-forward", None)])
    assert "Red flag:" in shown.markup and "Saddle anaesthesia" in shown.markup
    assert "spasm-feedback" not in shown.markup


def test_static_simulator_with_a_committed_interpretation(facts):
    params = exam_params(case="golfer-twist", steps=["palpation"], palpation_site="lower-back",
                         interpretation="back-spasm-with-tissue-injury", interactive=False)
    c = facts.by_id("cases")["golfer-twist"]
    shown = exam_simulator(params, facts).markup
    assert shown == exam_markup(facts, c, [("palpation", "lower-back")], "back-spasm-with-tissue-injury")
    assert "<strong>Not this time.</strong>" in shown


def test_static_simulator_for_the_instructor_shows_the_answer(facts):
    params = exam_params(case="golfer-twist", steps=["history-onset"], interactive=False, audience="instructor")
    c = facts.by_id("cases")["golfer-twist"]
    shown = exam_simulator(params, facts).markup
    result = examine(facts, ExamState(c.id, (("history-onset", None),)))
    fb = feedback(facts, c, result, None)
    assert shown == (case_view(c) + findings_view(result) + feedback_view(fb, "instructor")).markup
    assert "For the instructor" in shown and facts.by_id("interpretations")["back-spasm"].name in shown


def test_every_control_has_a_label(facts):
    sim = exam_simulator(exam_params(), facts)
    assert (sim.case.description, sim.seed.description, sim.site.description, sim.interpretation.description) == (
        "Patient", "Seed", "Palpate at", "Your interpretation")
    assert (sim.commit.description, sim.restart.description) == ("Commit", "Start again")
    steps = {s.id: s for s in facts.exam_steps}
    for step_id, button in sim.step_buttons.items():
        assert button.description == steps[step_id].name and button.tooltip == steps[step_id].how
    explorer = risk_factor_explorer(risk_params(), facts)
    for widget in (*controls(sim), *controls(explorer)):
        if isinstance(widget, (W.Button, W.Dropdown, W.Checkbox, W.Text, W.IntText, W.BoundedIntText)):
            assert widget.description.strip(), f"{type(widget).__name__} without a label"


def test_widgets_print_nothing(facts, capsys):
    sim = exam_simulator(exam_params(), facts)
    for button in sim.step_buttons.values():
        button.click()
    sim.commit.click()
    explorer = risk_factor_explorer(risk_params(), facts)
    explorer.checkboxes["idiopathic"].value = True
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
