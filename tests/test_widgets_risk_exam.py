"""Widget wiring for notebooks 01 and 02, without a kernel.

Each test builds the widget from validated parameters, changes a control or clicks a button, and
checks what the HTML widgets show against what is written here by hand from data/*.csv: the findings
listed (findings.csv's texts, in the order the steps were taken), the step names (exam_steps.csv), the
patient (cases.csv) and the feedback's wording. Never against the views and logic the widget calls,
so a wrong view or a wrong rule fails here too.
"""

from __future__ import annotations

import csv
import html
import re

import ipywidgets as W
import pytest

from clinical_expectations import STEP_NAMES, FULL_EXAM_FINDINGS
from conftest import ROOT
from spasm_lib.exam_findings import ExamState
from spasm_lib.facts import load_facts
from spasm_lib.tables import Facts
from spasm_lib.params import use_parameters
from spasm_lib.widgets.exam import ExamSimulator, exam_simulator
from spasm_lib.widgets.risk_factors import risk_factor_explorer


@pytest.fixture(scope="module")
def facts() -> Facts:
    return load_facts()


def risk_params(**values):
    return use_parameters("01_risk_factors", {"interactive": True, "audience": "student", **values})


def exam_params(**values):
    return use_parameters("02_exam_simulator", {"interactive": True, "audience": "student", **values})


def csv_rows(table: str) -> list[dict[str, str]]:
    with (ROOT / "data" / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def controls(widget: W.Widget):
    """Every descendant widget (depth first)."""
    for child in getattr(widget, "children", ()):
        yield child
        yield from controls(child)


# Notebook 01's widgets (the risk explorer and the table): tests/test_widgets_risk.py.


# --------------------------------------------------------------------------- notebook 02

EXAM_STEP_NAMES = STEP_NAMES
TICK = "\u2713 "
# The buttons of steps beyond the source (no source paragraph in exam_steps.csv) say so.
BUTTON_LABELS = {
    step_id: name + (" (beyond the source)" if step_id in (
        "red-flag-questions", "history-yellow-flags", "history-pattern", "general-check", "straight-leg-raise",
        "neuro-screen", "abdomen-check") else "")
    for step_id, name in EXAM_STEP_NAMES.items()
}


# findings.csv's `text` of each finding, read from the CSV (not the loader) and escaped as a view shows
# it: a finding reworded in the data is still recognised, and the ids the tests expect stay hand-written.
FINDING_TEXTS = {row["id"]: html.escape(row["text"]) for row in csv_rows("findings")}
EMPTY_FINDINGS = "No examination steps performed yet. Choose a step to begin."


def findings_shown(markup: str) -> list[str]:
    """The findings listed under "Findings so far", in the order shown (read with the texts above)."""
    section = re.search(r'<section class="spasm-findings">.*?</section>', markup, re.S)
    assert section, "no findings section"
    text = section.group(0)
    found = sorted((text.find(t), finding) for finding, t in FINDING_TEXTS.items() if t in text)
    return [finding for _, finding in found]


def in_order(markup: str, *parts: str) -> bool:
    """Every part appears, each after the one before."""
    at = 0
    for part in parts:
        at = markup.find(part, at)
        if at == -1:
            return False
        at += len(part)
    return True


def test_live_simulator_starts_with_nothing_examined_whatever_the_steps_parameter(facts):
    params = exam_params(case="weekend-footballer", steps=["history-onset", "palpation"], palpation_site="upper-back")
    assert list(params.steps) == ["history-onset", "palpation"]
    sim = exam_simulator(params, facts)
    assert isinstance(sim, ExamSimulator)
    assert sim.state == ExamState("weekend-footballer")
    assert EMPTY_FINDINGS in sim.findings.value and findings_shown(sim.findings.value) == []
    assert sim.feedback.value == ""
    # cases.csv, weekend-footballer: title, age and the start of the story, by hand.
    assert in_order(sim.patient_view.value, "<h3>A hard tackle at Sunday football</h3>", "<strong>Age:</strong> 24",
                    "I play football with friends on Sundays. I got caught in a hard tackle")
    assert "injury to surrounding tissues" not in sim.patient_view.value  # the answer is not shown
    assert all(not b.description.startswith(TICK) for b in sim.step_buttons.values())
    assert sim.picker.case.value == "weekend-footballer" and sim.interpretation.value == ""
    static = sim.static_html().markup
    assert in_order(static, "A hard tackle at Sunday football", EMPTY_FINDINGS) and 'class="spasm-feedback"' not in static


def test_clicking_a_step_says_what_happened_and_ticks_its_button(facts):
    sim = exam_simulator(exam_params(case="ruptured-disc", steps=[]), facts)
    sim.step_buttons["history-onset"].click()
    assert sim.status.value == ('<p role="status"><strong>Done: History: onset and course. Its finding is added '
                                "at the end of the list below.</strong></p>")
    sim.site.value = "lower-back"
    sim.step_buttons["palpation"].click()
    assert "Done: Palpation at the lower back." in sim.status.value
    sim.step_buttons["straight-leg-raise"].click()
    performed = [("history-onset", None), ("palpation", "lower-back"), ("straight-leg-raise", None)]
    assert sim.state.performed == tuple(performed)
    assert findings_shown(sim.findings.value) == ["onset-history", "palpation-tender", "slr-radicular"]
    assert "<strong>Palpation</strong> at the lower back:" in sim.findings.value
    for step_id, button in sim.step_buttons.items():
        done = step_id in ("history-onset", "palpation", "straight-leg-raise")
        assert button.description == (TICK if done else "") + BUTTON_LABELS[step_id], step_id
        assert button.icon == ""  # the tick is in the text, once (an icon beside it doubled it)


def test_repeating_a_step_says_already_done_and_changes_nothing(facts):
    sim = exam_simulator(exam_params(case="golfer-twist", steps=[]), facts)
    sim.step_buttons["inspection"].click()
    before, findings = sim.state, sim.findings.value
    assert findings_shown(findings) == ["inspection-clear"]
    sim.step_buttons["inspection"].click()
    assert sim.state == before and sim.findings.value == findings
    assert sim.status.value == ('<p role="status"><strong>Inspection of the painful area was already done: its '
                                "finding is in the list below.</strong></p>")


def test_palpation_uses_the_chosen_site_and_another_site_is_a_new_step(facts):
    sim = exam_simulator(exam_params(case="golfer-twist", steps=[]), facts)
    sim.site.value = "upper-back"
    sim.step_buttons["palpation"].click()
    assert findings_shown(sim.findings.value) == ["palpation-not-tender"]
    assert "<strong>Palpation</strong> at the upper back:" in sim.findings.value
    sim.site.value = "lower-back"
    sim.step_buttons["palpation"].click()
    assert "Done: Palpation at the lower back." in sim.status.value
    assert findings_shown(sim.findings.value) == ["palpation-not-tender", "palpation-tender"]
    assert in_order(sim.findings.value, "<strong>Palpation</strong> at the upper back:",
                    "<strong>Palpation</strong> at the lower back:")
    sim.step_buttons["palpation"].click()
    assert "Palpation at the lower back was already done" in sim.status.value


def test_commit_without_an_interpretation_is_refused_and_changes_nothing(facts):
    sim = exam_simulator(exam_params(case="golfer-twist", steps=[]), facts)
    sim.step_buttons["red-flag-questions"].click()
    before, findings = sim.state, sim.findings.value
    sim.commit.click()
    assert sim.state == before and sim.state.interpretation_id is None and sim.findings.value == findings
    assert "Choose an interpretation from the list before committing." in sim.feedback.value
    assert 'class="spasm-feedback"' not in sim.feedback.value


def test_commit_before_the_red_flag_questions_is_refused_and_changes_nothing(facts):
    sim = exam_simulator(exam_params(case="golfer-twist", steps=[]), facts)
    sim.site.value = "lower-back"
    sim.step_buttons["palpation"].click()
    sim.interpretation.value = "back-spasm"
    before = sim.state
    sim.commit.click()
    assert sim.state == before and sim.state.interpretation_id is None
    assert "ask the warning-sign (red flag) questions" in sim.feedback.value
    assert 'class="spasm-feedback"' not in sim.feedback.value
    static = sim.static_html().markup
    assert findings_shown(static) == ["palpation-tender"] and 'class="spasm-feedback"' not in static


def test_commit_before_saying_how_sure_is_refused_and_changes_nothing(facts):
    sim = exam_simulator(exam_params(case="golfer-twist", steps=[]), facts)
    sim.step_buttons["red-flag-questions"].click()
    sim.interpretation.value = "back-spasm"
    before = sim.state
    sim.commit.click()
    assert sim.state == before and sim.state.interpretation_id is None
    assert "Before committing, say how sure you are" in sim.feedback.value
    assert sim.debrief.value == ""
    assert [label for label, _level in sim.confidence.options] == [
        "A guess: I am not sure at all", "Unsure: it could well be something else", "Fairly sure", "Sure"]


def test_one_palpation_and_the_red_flags_then_commit_is_right_but_incomplete(facts):
    sim = exam_simulator(exam_params(case="golfer-twist", steps=[]), facts)
    sim.site.value = "lower-back"
    sim.step_buttons["palpation"].click()
    sim.step_buttons["red-flag-questions"].click()
    sim.interpretation.value = "back-spasm"
    assert sim.feedback.value == ""  # choosing is not committing
    sim.confidence.value = "fairly-sure"
    sim.commit.click()
    performed = [("palpation", "lower-back"), ("red-flag-questions", None)]
    assert sim.state == ExamState("golfer-twist", tuple(performed), "back-spasm")
    # Golfer-twist needs 9 steps (clinical_expectations.FULL_NON_SPECIFIC); the 7 not taken, in teaching order.
    assert in_order(
        sim.feedback.value,
        "<strong>Right interpretation, incomplete examination.</strong> You chose <strong>Non-specific back pain "
        "with muscle spasm</strong>, but after 2 of the 9 steps this patient needed",
        "Steps this patient needed that you did not take",
        "<strong>History: onset and course</strong>", "<strong>History: risk factors</strong>",
        "<strong>History: how the person sees their pain (yellow flags)</strong>",
        "<strong>History: pattern through the day</strong>",
        "<strong>Inspection of the painful area</strong>", "<strong>Bending forward</strong>",
        "<strong>Straight leg raise</strong>",
    )
    assert "Correct, and well reasoned" not in sim.feedback.value


def test_every_needed_step_then_commit_is_correct_and_start_again_clears(facts):
    sim = exam_simulator(exam_params(case="golfer-twist", steps=[]), facts)
    sim.site.value = "lower-back"
    needed = ["history-onset", "history-risk-factors", "red-flag-questions", "history-yellow-flags",
              "history-pattern", "inspection", "palpation", "lean-forward", "straight-leg-raise"]
    for step_id in needed:
        sim.step_buttons[step_id].click()
    sim.interpretation.value = "back-spasm"
    sim.confidence.value = "sure"
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
    sim.confidence.value = "sure"
    sim.commit.click()
    assert "Not this time." in sim.feedback.value and "Sciatica (nerve-root pain), stable" in sim.feedback.value


def test_a_random_patient_follows_the_seed(facts):
    sim = exam_simulator(exam_params(case="golfer-twist"), facts)
    assert sim.picker.seed.layout.display == "none"
    sim.picker.case.value = "random"
    assert sim.picker.seed.layout.display == ""
    sim.picker.seed.value = 5
    assert sim.patient is not None and sim.patient.id == "virtual-5"
    assert sim.state == ExamState("virtual-5") and findings_shown(sim.findings.value) == []
    assert EMPTY_FINDINGS in sim.findings.value
    assert f"<h3>{sim.patient.title}</h3>" in sim.patient_view.value  # the view shows the widget's own patient
    sim.step_buttons["red-flag-questions"].click()
    flags = sim.patient.red_flag_ids
    assert findings_shown(sim.findings.value) == ["red-flags-present" if flags else "red-flags-absent"]
    names = {row["id"]: row["name"] for row in csv_rows("red_flags")}  # read from the CSV, not the loader
    assert all(names[f] in sim.findings.value for f in flags)
    first = sim.patient
    sim.picker.seed.value = 6
    assert sim.patient.id == "virtual-6" and sim.patient != first and sim.state.performed == ()
    sim.picker.seed.value = 5
    assert sim.patient == first  # the same seed, the same patient


def test_static_default_is_a_complete_worked_example(facts):
    shown = exam_simulator(exam_params(case="golfer-twist", interactive=False), facts).markup
    assert findings_shown(shown) == FULL_EXAM_FINDINGS["golfer-twist"]
    assert "<strong>Palpation</strong> at the lower back:" in shown
    assert in_order(shown, "A twist on the golf course", "Findings so far", "Worked example.",
                    "Non-specific back pain with muscle spasm")


def test_static_simulator_for_a_student(facts):
    params = exam_params(
        case="red-flag-saddle-numbness", steps=["red-flag-questions", "lean-forward"], interactive=False)
    shown = exam_simulator(params, facts).markup
    assert findings_shown(shown) == ["red-flags-present", "lean-forward-guarded"]
    assert "Worked example." in shown
    assert "Red flag:" in shown and "Altered feeling in the saddle area" in shown
    assert "Delayed the transfer:" in shown and "Bending forward" in shown
    assert ("Once an emergency sign has come up, movement and stretch tests cannot change what happens next; "
            "they only delay it. Refer at once.") in shown  # data/teaching_text.csv, delayed-transfer
    assert "For the instructor" not in shown


def test_static_simulator_with_a_committed_interpretation(facts):
    params = exam_params(case="golfer-twist", steps=["palpation"], palpation_site="lower-back",
                         interpretation="back-spasm-with-tissue-injury", interactive=False)
    shown = exam_simulator(params, facts).markup
    assert findings_shown(shown) == ["palpation-tender"]
    assert in_order(shown, "Not this time.", "Non-specific back pain with signs of local tissue injury")
    assert "Worked example." not in shown


def test_static_simulator_for_the_instructor_shows_the_answer(facts):
    params = exam_params(case="golfer-twist", steps=["history-onset"], interactive=False, audience="instructor")
    shown = exam_simulator(params, facts).markup
    assert findings_shown(shown) == ["onset-history"]
    assert "For the instructor" in shown and "Non-specific back pain with muscle spasm" in shown


def test_every_control_has_a_label(facts):
    sim = exam_simulator(exam_params(), facts)
    assert (sim.picker.case.description, sim.picker.seed.description, sim.site.description, sim.interpretation.description) == (
        "Patient", "Virtual patient number (seed)", "Palpate at", "Your interpretation")
    assert (sim.commit.description, sim.restart.description) == ("Commit", "Start again")
    how = {row["id"]: row["how"] for row in csv_rows("exam_steps")}  # read from the CSV, not the loader
    assert list(sim.step_buttons) == list(BUTTON_LABELS)
    for step_id, button in sim.step_buttons.items():
        assert button.description == BUTTON_LABELS[step_id] and button.tooltip == how[step_id]
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
