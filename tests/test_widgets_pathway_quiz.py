"""Widget wiring of notebook 03's walkthrough and of every "Check yourself" section (no kernel needed).

Each test sets controls or clicks buttons and compares the HTML widget's value with the view of a
state built by hand, so the widget is shown to hold no logic of its own.
"""

from __future__ import annotations

from types import SimpleNamespace

import ipywidgets as W
import pytest

from spasm_lib.html import esc

from spasm_lib import records as R
from spasm_lib.facts import load_facts
from spasm_lib.html import Html
from spasm_lib.params import validate
from spasm_lib.quiz import grade
from spasm_lib.treatment_pathway import PathwayState, pathway
from spasm_lib.views.pathway import walkthrough_view
from spasm_lib.views.quiz import answer_feedback, quiz_view
from spasm_lib.virtual_patients import case_for
from spasm_lib.widgets.pathway import treatment_pathway_walkthrough
from spasm_lib.widgets.quiz import check_yourself

FACTS = load_facts()
STEPS = [s.id for s in sorted(FACTS.pathway_steps, key=lambda s: s.order)]
SCREEN = next(s.id for s in FACTS.pathway_steps if s.kind == "screen")
REASSESS = next(s.id for s in FACTS.pathway_steps if s.kind == "reassess")
REFERRAL = next(s.id for s in FACTS.pathway_steps if "specialist-referral" in s.treatment_ids)
EMERGENCY_CASE = next(
    c.id for c in FACTS.cases if any(FACTS.by_id("red_flags")[f].urgency == "emergency" for f in c.red_flag_ids)
)


def params(**values):
    return SimpleNamespace(**validate("03_treatment_pathway", values))


def expected(case_id, step_id, improving, audience="student"):
    case = FACTS.by_id("cases")[case_id]
    return walkthrough_view(pathway(FACTS, PathwayState(case_id, step_id, improving), case), audience).markup


def walk_tree(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk_tree(child)


@pytest.fixture
def walkthrough():
    return treatment_pathway_walkthrough(params(case="golfer-twist", step=SCREEN, improving=False))


def test_controls_are_labelled_and_nothing_prints(walkthrough):
    assert walkthrough.case.description == "Patient"
    assert walkthrough.step.description == "Step"
    assert walkthrough.previous.description == "Previous step"
    assert walkthrough.next.description == "Next step"
    assert walkthrough.improving.description == "Is the treatment working?"
    assert not any(isinstance(w, W.Output) for w in walk_tree(walkthrough))
    assert walkthrough.view in list(walk_tree(walkthrough))


def test_initial_view_is_the_view_of_the_parameters(walkthrough):
    assert walkthrough.view.value == expected("golfer-twist", SCREEN, False)
    assert walkthrough.previous.disabled and not walkthrough.next.disabled


def test_next_walks_the_whole_path_and_stops_at_the_end(walkthrough):
    for step in STEPS[1:]:
        walkthrough.next.click()
        assert walkthrough.step.value == step
        assert walkthrough.view.value == expected("golfer-twist", step, False)
    assert walkthrough.next.disabled
    walkthrough.next.click()
    assert walkthrough.step.value == STEPS[-1]
    walkthrough.previous.click()
    assert walkthrough.view.value == expected("golfer-twist", STEPS[-2], False)


def test_improving_at_reassessment_removes_the_referral(walkthrough):
    walkthrough.step.value = REASSESS
    walkthrough.improving.value = True
    assert REFERRAL not in [v for _, v in walkthrough.step.options]
    assert walkthrough.view.value == expected("golfer-twist", REASSESS, True)
    assert walkthrough.next.disabled


def test_improving_while_at_referral_moves_back_to_reassessment(walkthrough):
    walkthrough.step.value = REFERRAL
    walkthrough.improving.value = True
    assert walkthrough.step.value == REASSESS
    assert walkthrough.view.value == expected("golfer-twist", REASSESS, True)


def test_emergency_patient_has_only_the_screen(walkthrough):
    walkthrough.step.value = REASSESS
    walkthrough.case.value = EMERGENCY_CASE
    assert [v for _, v in walkthrough.step.options] == [SCREEN]
    assert walkthrough.step.value == SCREEN
    assert walkthrough.improving.disabled
    assert walkthrough.next.disabled and walkthrough.previous.disabled
    assert walkthrough.view.value == expected(EMERGENCY_CASE, SCREEN, False)


def test_choosing_a_step_directly(walkthrough):
    walkthrough.step.value = STEPS[2]
    assert walkthrough.view.value == expected("golfer-twist", STEPS[2], False)
    assert walkthrough.state == PathwayState("golfer-twist", STEPS[2], False)


def test_instructor_audience_reaches_the_view():
    w = treatment_pathway_walkthrough(params(audience="instructor"))
    assert w.view.value == expected("golfer-twist", SCREEN, False, "instructor")


def test_static_view_for_parameters():
    view = treatment_pathway_walkthrough(params(case="ruptured-disc", step=REASSESS, improving=True, interactive=False))
    assert isinstance(view, Html)
    assert view.markup == expected("ruptured-disc", REASSESS, True)


def test_random_patient_is_offered_and_shown():
    w = treatment_pathway_walkthrough(params(case="random"))
    assert w.case.value == "random"
    case = case_for(FACTS, "random", 0)
    assert (case.title, "random") in list(w.case.options)
    state = PathwayState("random", SCREEN, False)
    assert w.view.value == walkthrough_view(pathway(FACTS, state, case), "student").markup


# --------------------------------------------------------------------------- Check yourself


def quiz_params(audience="student", interactive=True):
    return SimpleNamespace(audience=audience, interactive=interactive)


@pytest.mark.parametrize("notebook", R.NOTEBOOKS)
def test_one_unanswered_radio_group_per_question(notebook):
    quiz = check_yourself(notebook, quiz_params())
    mine = sorted((q for q in FACTS.quiz_questions if q.notebook == notebook), key=lambda q: q.order)
    assert list(quiz.radios) == [q.id for q in mine]
    for number, q in enumerate(mine, start=1):
        radio = quiz.radios[q.id]
        assert radio.description == f"Question {number}"
        assert radio.value is None
        mine = [o for o in FACTS.quiz_options if o.question_id == q.id]
        assert [label for label, _ in radio.options] == list("ABCD"[: len(mine)])  # one-line rows
        assert [value for _, value in radio.options] == [o.id for o in mine]
        shown = quiz.children[quiz.children.index(radio) - 1].value
        for letter, option in zip("ABCD", mine):
            assert f"<strong>{letter}.</strong> {esc(option.text)}" in shown
        assert quiz.feedback[q.id].value == ""
    assert isinstance(quiz, W.VBox)
    assert isinstance(quiz.children[0], W.HTML) and "<h3>Check yourself</h3>" in quiz.children[0].value
    assert not any(isinstance(w, W.Output) for w in walk_tree(quiz))


@pytest.mark.parametrize("option", FACTS.quiz_options[:12], ids=lambda o: o.id)
def test_choosing_an_option_shows_its_grade(option):
    question = FACTS.by_id("quiz_questions")[option.question_id]
    quiz = check_yourself(question.notebook, quiz_params())
    quiz.radios[question.id].value = option.id
    feedback = quiz.feedback[question.id].value
    assert feedback == answer_feedback(grade(FACTS, question.id, option.id)).markup
    assert ("Right." in feedback) is option.correct
    others = [qid for qid in quiz.feedback if qid != question.id]
    assert all(quiz.feedback[qid].value == "" for qid in others)
    assert quiz.answers == {question.id: option.id}


def test_instructor_gets_an_answer_key():
    quiz = check_yourself("00_start_here", quiz_params("instructor"))
    assert quiz.answer_key.value == quiz_view(FACTS, "00_start_here", "instructor").markup
    assert check_yourself("00_start_here", quiz_params()).answer_key is None


@pytest.mark.parametrize("audience", ["student", "instructor"])
def test_static_quiz_is_the_view_for_the_audience(audience):
    view = check_yourself("02_exam_simulator", quiz_params(audience, interactive=False))
    assert view.markup == quiz_view(FACTS, "02-exam-simulator", audience).markup
