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
from spasm_lib.views.style import styled
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

# exam_steps.csv's step names, copied by hand.
EXAM_STEP_NAMES = {
    "history-onset": "History: onset and course",
    "history-risk-factors": "History: risk factors",
    "red-flag-questions": "Warning-sign (red flag) questions",
    "history-yellow-flags": "History: how the person sees their pain (yellow flags)",
    "inspection": "Inspection of the painful area",
    "palpation": "Palpation",
    "lean-forward": "Bending forward",
    "twisting": "Turning the trunk",
    "straight-leg-raise": "Straight leg raise",
    "neuro-screen": "Neurological screen of the legs",
}
TICK = "\u2713 "
# The buttons of steps beyond the source (no source paragraph in exam_steps.csv) say so.
BUTTON_LABELS = {
    step_id: name + (" (beyond the source)" if step_id in (
        "red-flag-questions", "history-yellow-flags", "straight-leg-raise", "neuro-screen") else "")
    for step_id, name in EXAM_STEP_NAMES.items()
}


def findings_markup(facts, case, performed):
    return styled(findings_view(examine(facts, ExamState(case.id, tuple(performed)), case))).markup


def feedback_markup(facts, case, performed, interpretation, audience="student"):
    result = examine(facts, ExamState(case.id, tuple(performed), interpretation), case)
    return styled(feedback_view(feedback(facts, case, result, interpretation), audience)).markup


def static_markup(facts, case, performed, interpretation=None, audience="student", worked=False):
    result = examine(facts, ExamState(case.id, tuple(performed), interpretation), case)
    fb = None
    if interpretation is not None or worked or audience == "instructor":
        fb = feedback(facts, case, result, interpretation)
    return styled(exam_view(case, result, fb, audience)).markup


def test_live_simulator_starts_with_nothing_examined_whatever_the_steps_parameter(facts):
    params = exam_params(case="weekend-footballer", steps=["history-onset", "palpation"], palpation_site="upper-back")
    assert list(params.steps) == ["history-onset", "palpation"]
    sim = exam_simulator(params, facts)
    assert isinstance(sim, ExamSimulator)
    c = facts.by_id("cases")["weekend-footballer"]
    assert sim.state == ExamState("weekend-footballer")
    assert sim.findings.value == findings_markup(facts, c, [])
    assert "No examination steps performed yet" in sim.findings.value
    assert sim.feedback.value == ""
    assert sim.patient_view.value == styled(case_view(c)).markup
    assert all(not b.description.startswith(TICK) for b in sim.step_buttons.values())
    assert sim.case.value == "weekend-footballer" and sim.interpretation.value == ""
    assert sim.static_html().markup == static_markup(facts, c, [])


def test_clicking_a_step_says_what_happened_and_ticks_its_button(facts):
    sim = exam_simulator(exam_params(case="ruptured-disc", steps=[]), facts)
    c = facts.by_id("cases")["ruptured-disc"]
    sim.step_buttons["history-onset"].click()
    assert sim.status.value == ('<p role="status"><strong>Done: History: onset and course. Its finding is added '
                                "at the end of the list below.</strong></p>")
    sim.site.value = "lower-back"
    sim.step_buttons["palpation"].click()
    assert "Done: Palpation at the lower back." in sim.status.value
    sim.step_buttons["straight-leg-raise"].click()
    performed = [("history-onset", None), ("palpation", "lower-back"), ("straight-leg-raise", None)]
    assert sim.state.performed == tuple(performed)
    assert sim.findings.value == findings_markup(facts, c, performed)
    assert "below the knee" in sim.findings.value
    for step_id, button in sim.step_buttons.items():
        done = step_id in ("history-onset", "palpation", "straight-leg-raise")
        assert button.description == (TICK if done else "") + BUTTON_LABELS[step_id], step_id
        assert button.icon == ("check" if done else "")


def test_repeating_a_step_says_already_done_and_changes_nothing(facts):
    sim = exam_simulator(exam_params(case="golfer-twist", steps=[]), facts)
    sim.step_buttons["inspection"].click()
    before, findings = sim.state, sim.findings.value
    sim.step_buttons["inspection"].click()
    assert sim.state == before and sim.findings.value == findings
    assert sim.status.value == ('<p role="status"><strong>Inspection of the painful area was already done: its '
                                "finding is in the list below.</strong></p>")


def test_palpation_uses_the_chosen_site_and_another_site_is_a_new_step(facts):
    sim = exam_simulator(exam_params(case="golfer-twist", steps=[]), facts)
    c = facts.by_id("cases")["golfer-twist"]
    sim.site.value = "upper-back"
    sim.step_buttons["palpation"].click()
    assert sim.findings.value == findings_markup(facts, c, [("palpation", "upper-back")])
    assert "Pressing here is not tender" in sim.findings.value
    sim.site.value = "lower-back"
    sim.step_buttons["palpation"].click()
    assert "Done: Palpation at the lower back." in sim.status.value
    assert sim.findings.value == findings_markup(facts, c, [("palpation", "upper-back"), ("palpation", "lower-back")])
    sim.step_buttons["palpation"].click()
    assert "Palpation at the lower back was already done" in sim.status.value


def test_commit_without_an_interpretation_is_refused_and_changes_nothing(facts):
    sim = exam_simulator(exam_params(case="golfer-twist", steps=[]), facts)
    sim.step_buttons["red-flag-questions"].click()
    before, findings = sim.state, sim.findings.value
    sim.commit.click()
    assert sim.state == before and sim.state.interpretation_id is None and sim.findings.value == findings
    assert "Choose an interpretation from the list before committing." in sim.feedback.value
    assert "spasm-feedback" not in sim.feedback.value


def test_commit_before_the_red_flag_questions_is_refused_and_changes_nothing(facts):
    sim = exam_simulator(exam_params(case="golfer-twist", steps=[]), facts)
    sim.site.value = "lower-back"
    sim.step_buttons["palpation"].click()
    sim.interpretation.value = "back-spasm"
    before = sim.state
    sim.commit.click()
    assert sim.state == before and sim.state.interpretation_id is None
    assert "ask the warning-sign (red flag) questions" in sim.feedback.value
    assert "spasm-feedback" not in sim.feedback.value
    assert sim.static_html().markup == static_markup(facts, facts.by_id("cases")["golfer-twist"],
                                                     [("palpation", "lower-back")])


def test_one_palpation_and_the_red_flags_then_commit_is_right_but_incomplete(facts):
    sim = exam_simulator(exam_params(case="golfer-twist", steps=[]), facts)
    c = facts.by_id("cases")["golfer-twist"]
    sim.site.value = "lower-back"
    sim.step_buttons["palpation"].click()
    sim.step_buttons["red-flag-questions"].click()
    sim.interpretation.value = "back-spasm"
    assert sim.feedback.value == ""  # choosing is not committing
    sim.commit.click()
    performed = [("palpation", "lower-back"), ("red-flag-questions", None)]
    assert sim.state == ExamState("golfer-twist", tuple(performed), "back-spasm")
    assert sim.feedback.value == feedback_markup(facts, c, performed, "back-spasm")
    assert "Right interpretation, incomplete examination." in sim.feedback.value
    assert "Correct, and well reasoned" not in sim.feedback.value


def test_every_needed_step_then_commit_is_correct_and_start_again_clears(facts):
    sim = exam_simulator(exam_params(case="golfer-twist", steps=[]), facts)
    sim.site.value = "lower-back"
    needed = ["history-onset", "history-risk-factors", "red-flag-questions", "history-yellow-flags", "inspection",
              "palpation", "lean-forward", "straight-leg-raise"]
    for step_id in needed:
        sim.step_buttons[step_id].click()
    sim.interpretation.value = "back-spasm"
    sim.commit.click()
    assert "Correct, and well reasoned." in sim.feedback.value
    sim.restart.click()
    assert sim.state == ExamState("golfer-twist") and sim.interpretation.value == ""
    assert sim.feedback.value == "" and "Nothing examined yet" in sim.status.value
    assert all(b.description == BUTTON_LABELS[s] and b.icon == "" for s, b in sim.step_buttons.items())


def test_a_wrong_answer_is_not_this_time(facts):
    sim = exam_simulator(exam_params(case="ruptured-disc", steps=[]), facts)
    sim.step_buttons["red-flag-questions"].click()
    sim.step_buttons["straight-leg-raise"].click()
    sim.interpretation.value = "back-spasm"
    sim.commit.click()
    assert "Not this time." in sim.feedback.value and "Possible nerve-root irritation" in sim.feedback.value


def test_a_random_patient_follows_the_seed(facts):
    sim = exam_simulator(exam_params(case="golfer-twist"), facts)
    assert sim.seed.layout.display == "none"
    sim.case.value = "random"
    assert sim.seed.layout.display == ""
    sim.seed.value = 5
    patient = virtual_patient(facts, 5)
    assert sim.patient is not None and sim.patient == patient
    assert sim.state == ExamState("virtual-5") and sim.findings.value == findings_markup(facts, patient, [])
    sim.step_buttons["red-flag-questions"].click()
    assert sim.findings.value == findings_markup(facts, patient, [("red-flag-questions", None)])
    names = [facts.by_id("red_flags")[f].name for f in patient.red_flag_ids]
    assert all(n in sim.findings.value for n in names)
    sim.seed.value = 6
    assert sim.patient == virtual_patient(facts, 6) and sim.state.performed == ()


def test_static_default_is_a_complete_worked_example(facts):
    shown = exam_simulator(exam_params(case="golfer-twist", interactive=False), facts)
    c = facts.by_id("cases")["golfer-twist"]
    every = [(s, "lower-back" if s == "palpation" else None) for s in EXAM_STEP_NAMES]
    assert shown.markup == static_markup(facts, c, every, worked=True)
    assert "Worked example." in shown.markup


def test_static_simulator_for_a_student(facts):
    params = exam_params(
        case="red-flag-saddle-numbness", steps=["red-flag-questions", "lean-forward"], interactive=False)
    c = facts.by_id("cases")["red-flag-saddle-numbness"]
    shown = exam_simulator(params, facts)
    performed = [("red-flag-questions", None), ("lean-forward", None)]
    assert shown.markup == static_markup(facts, c, performed, worked=True)
    assert "Red flag:" in shown.markup and "Saddle anaesthesia" in shown.markup


def test_static_simulator_with_a_committed_interpretation(facts):
    params = exam_params(case="golfer-twist", steps=["palpation"], palpation_site="lower-back",
                         interpretation="back-spasm-with-tissue-injury", interactive=False)
    c = facts.by_id("cases")["golfer-twist"]
    shown = exam_simulator(params, facts).markup
    assert shown == static_markup(facts, c, [("palpation", "lower-back")], "back-spasm-with-tissue-injury")
    assert "Not this time." in shown


def test_static_simulator_for_the_instructor_shows_the_answer(facts):
    params = exam_params(case="golfer-twist", steps=["history-onset"], interactive=False, audience="instructor")
    c = facts.by_id("cases")["golfer-twist"]
    shown = exam_simulator(params, facts).markup
    assert shown == static_markup(facts, c, [("history-onset", None)], audience="instructor")
    assert "For the instructor" in shown and "Back muscle spasm (uncomplicated)" in shown


def test_every_control_has_a_label(facts):
    sim = exam_simulator(exam_params(), facts)
    assert (sim.case.description, sim.seed.description, sim.site.description, sim.interpretation.description) == (
        "Patient", "Virtual patient number (seed)", "Palpate at", "Your interpretation")
    assert (sim.commit.description, sim.restart.description) == ("Commit", "Start again")
    steps = {s.id: s for s in facts.exam_steps}
    assert list(sim.step_buttons) == list(BUTTON_LABELS)
    for step_id, button in sim.step_buttons.items():
        assert button.description == BUTTON_LABELS[step_id] and button.tooltip == steps[step_id].how
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
