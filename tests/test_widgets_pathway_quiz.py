"""Widget wiring of notebook 03's walkthrough and of every "Check yourself" section (no kernel needed).

Each test sets controls or clicks buttons and compares the HTML widget's value with the view of a
state built by hand, so the widget is shown to hold no logic of its own.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import ipywidgets as W
import pytest

from spasm_lib.html import esc

from spasm_lib import records as R
from spasm_lib.facts import load_facts
from spasm_lib.html import Html
from spasm_lib.params import validate
from spasm_lib.quiz import check, grade
from spasm_lib.treatment_pathway import PathwayState, pathway
from spasm_lib.views.pathway import walkthrough_view
from spasm_lib.views.quiz import answer_feedback, quiz_view
from spasm_lib.virtual_patients import case_for
from spasm_lib.widgets.pathway import treatment_pathway_walkthrough
from spasm_lib.widgets.quiz import CHOICES_CLASS, check_yourself

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


def quiz_questions_of(notebook):
    return sorted((q for q in FACTS.quiz_questions if q.notebook == notebook), key=lambda q: q.order)


def quiz_options_of(question_id):
    return [o for o in FACTS.quiz_options if o.question_id == question_id]


def text_of(markup):
    return re.sub(r"<[^>]+>", "", markup)


@pytest.mark.parametrize("notebook", R.NOTEBOOKS)
def test_one_unanswered_radio_group_per_question_labelled_with_full_answers(notebook):
    quiz = check_yourself(notebook, quiz_params())
    mine = quiz_questions_of(notebook)
    assert list(quiz.radios) == [q.id for q in mine]
    for number, q in enumerate(mine, start=1):
        radio = quiz.radios[q.id]
        assert radio.description == f"Question {number}"
        assert radio.value is None
        assert CHOICES_CLASS in radio._dom_classes
        options = quiz_options_of(q.id)
        # each radio's label is the answer's full text (a screen reader reads it, not a letter)
        assert sorted(radio.options) == sorted((o.text, o.id) for o in options)
        heading = quiz.children[quiz.children.index(radio) - 1].value
        assert f"<h3>Question {number}</h3>" in heading and esc(q.prompt) in heading
        assert quiz.children[quiz.children.index(radio) + 1] is quiz.feedback[q.id]  # right under it
        assert quiz.feedback[q.id].value == ""
    assert text_of(quiz.score.value) == f"0 of {len(mine)} answered correctly"
    assert quiz.children[-1] is quiz.score
    assert not any(isinstance(w, W.Output) for w in walk_tree(quiz))
    shown = " ".join(w.value for w in walk_tree(quiz) if isinstance(w, W.HTML))
    assert "Check yourself" not in shown and "<h2" not in shown  # the notebook's markdown has the heading


def test_answers_are_shuffled_in_the_radios_as_written_out_by_hand():
    quiz = check_yourself("00-start-here", quiz_params())
    assert [value for _, value in quiz.radios["q-00-1"].options] == ["q-00-1-a", "q-00-1-d", "q-00-1-c", "q-00-1-b"]


@pytest.mark.parametrize("option", FACTS.quiz_options[::5], ids=lambda o: o.id)
def test_choosing_an_option_shows_its_grade_under_its_question(option):
    question = FACTS.by_id("quiz_questions")[option.question_id]
    quiz = check_yourself(question.notebook, quiz_params())
    quiz.radios[question.id].value = option.id
    feedback = quiz.feedback[question.id].value
    assert feedback == answer_feedback(grade(FACTS, question.id, option.id)).markup
    assert ("Correct.</strong>" in feedback) is option.correct
    assert ("Incorrect.</strong>" in feedback) is not option.correct
    assert esc(option.explanation) in feedback
    others = [qid for qid in quiz.feedback if qid != question.id]
    assert all(quiz.feedback[qid].value == "" for qid in others)
    assert quiz.answers == {question.id: option.id}
    total = len(quiz_questions_of(question.notebook))
    assert text_of(quiz.score.value) == f"{1 if option.correct else 0} of {total} answered correctly"


def test_running_score_follows_the_answers():
    quiz = check_yourself("02-exam-simulator", quiz_params())
    quiz.radios["q-02-3"].value = "q-02-3-c"  # right
    quiz.radios["q-02-2"].value = "q-02-2-c"  # wrong
    quiz.radios["q-02-4"].value = "q-02-4-c"  # right
    assert text_of(quiz.score.value) == "2 of 5 answered correctly"
    quiz.radios["q-02-2"].value = "q-02-2-b"  # changed to the right one
    assert text_of(quiz.score.value) == "3 of 5 answered correctly"
    assert "Correct.</strong>" in quiz.feedback["q-02-2"].value


def test_stored_output_carries_the_static_view_of_the_answers_so_far():
    quiz = check_yourself("01-risk-factors", quiz_params())
    quiz.radios["q-01-4"].value = "q-01-4-b"
    assert quiz.static_html().markup == quiz_view(check(FACTS, "01-risk-factors", {"q-01-4": "q-01-4-b"}), "student").markup
    data = quiz._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert quiz.static_html().markup in data["text/html"]


def test_instructor_gets_a_folded_answer_key():
    quiz = check_yourself("00_start_here", quiz_params("instructor"))
    key = quiz_view(check(FACTS, "00-start-here"), "instructor").markup
    assert quiz.answer_key.value == f"<details><summary>Answer key (instructor)</summary>{key}</details>"
    assert check_yourself("00_start_here", quiz_params()).answer_key is None


@pytest.mark.parametrize("audience", ["student", "instructor"])
def test_static_quiz_is_the_view_for_the_audience(audience):
    view = check_yourself("02_exam_simulator", quiz_params(audience, interactive=False))
    assert isinstance(view, Html)
    assert view.markup == quiz_view(check(FACTS, "02-exam-simulator"), audience).markup
