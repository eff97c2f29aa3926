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

from spasm_lib import vocabulary as V
from spasm_lib.facts import load_facts
from spasm_lib.html import Html
from spasm_lib.params import validate
from spasm_lib.quiz import check, grade
from spasm_lib.pathway_walk import PathwayState
from spasm_lib.views.quiz import answer_feedback, quiz_view
from spasm_lib.views.style import styled
from spasm_lib.virtual_patients import virtual_patient
from spasm_lib.widgets.pathway import treatment_pathway_walkthrough, walk_html
from spasm_lib.widgets.quiz import CHOICES_CLASS, check_yourself

from clinical_expectations import PLAN_TITLES  # noqa: E402

FACTS = load_facts()
PATHWAY_TITLES = PLAN_TITLES


def params(**values):
    return SimpleNamespace(**validate("03_treatment_pathway", values))


def patient(case_id):
    return FACTS.by_id("cases")[case_id]


def expected(state, case, audience="student"):
    """The view of a state built by hand (the widget must show exactly this)."""
    return walk_html(FACTS, state, case, audience).markup


def walk_tree(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk_tree(child)


@pytest.fixture
def walkthrough():
    return treatment_pathway_walkthrough(params(case="golfer-twist", improving=False))


def show_next(w, predicted=""):
    w.prediction.value = predicted
    w.show_next.click()


def test_controls_are_labelled_and_nothing_prints(walkthrough, capsys):
    w = walkthrough
    assert w.picker.case.description == "Patient"
    assert w.picker.seed.description == "Virtual patient number (seed)"
    assert w.prediction.description == "What comes next?"
    assert w.show_next.description == "Show next step"
    assert w.review.description == "At the review, is the treatment working?"
    assert w.restart.description == "Start again"
    assert [label for label, _ in w.review.options] == ["Yes: improving", "No: not improving"]
    assert not any(isinstance(x, W.Output) for x in walk_tree(w))
    assert w.view in list(walk_tree(w))
    show_next(w, "self-management")
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_the_walk_starts_at_the_screen_with_the_next_step_hidden(walkthrough):
    w = walkthrough
    assert w.state == PathwayState("golfer-twist")
    assert w.view.value == expected(PathwayState("golfer-twist"), patient("golfer-twist"))
    assert esc(PATHWAY_TITLES["red-flag-screen"]) in w.view.value
    assert esc(PATHWAY_TITLES["self-management"]) not in w.view.value
    # every step can be predicted, the one shown included (no elimination), after the "choose" entry
    assert [v for _, v in w.prediction.options] == ["", *list(PATHWAY_TITLES)]
    assert w.prediction.value == "" and not w.show_next.disabled
    assert w.review.layout.display == "none"


def test_predicting_and_showing_the_next_step(walkthrough):
    w = walkthrough
    show_next(w, "risk-stratification")
    state = PathwayState("golfer-twist", 2, None, (("risk-stratification", "risk-stratification"),))
    assert w.state == state
    assert w.view.value == expected(state, patient("golfer-twist"))
    assert "\u2713 Right:" in w.view.value
    assert esc(PATHWAY_TITLES["self-management"]) not in w.view.value
    assert "risk-stratification" in [v for _, v in w.prediction.options]  # shown, and still offered
    assert w.prediction.value == ""  # the menu is cleared for the next prediction
    show_next(w, "drug")
    assert w.state.predictions[-1] == ("drug", "self-management")
    assert "Not this time" in w.view.value


def walk_to_review(w):
    for _ in range(5):  # routine path: screen, risk stratification, self-management, heat, NSAID, then the review
        assert w.review.layout.display == "none"
        show_next(w)


def test_improving_is_asked_only_at_the_review_then_the_walk_ends_with_a_summary(walkthrough):
    w = walkthrough
    walk_to_review(w)
    assert w.state.shown == 6 and w.state.improving is None
    assert w.review.layout.display == "" and not w.review.disabled
    assert w.show_next.disabled and w.prediction.disabled
    assert "is the treatment working?" in w.view.value
    w.review.value = True
    assert w.state.improving is True and w.review.disabled
    assert not w.show_next.disabled
    show_next(w, "safety-net")
    state = PathwayState("golfer-twist", 7, True, (("", "risk-stratification"), ("", "self-management"),
                                                    ("", "non-drug"), ("", "drug"), ("", "review"),
                                                    ("safety-net", "safety-net")))
    assert w.state == state
    assert w.view.value == expected(state, patient("golfer-twist"))
    assert "<h4>Summary</h4>" in w.view.value
    assert w.show_next.disabled and w.prediction.disabled


def test_not_improving_goes_on_to_the_specialist(walkthrough):
    w = walkthrough
    walk_to_review(w)
    w.review.value = False
    assert w.state.improving is False
    show_next(w, "programme")
    show_next(w, "specialist-referral")
    assert w.state.predictions[-1] == ("specialist-referral", "specialist-referral")
    assert esc(PATHWAY_TITLES["specialist-referral"]) in w.view.value
    show_next(w)
    assert w.state.shown == 9 and w.show_next.disabled
    assert "<h4>Summary</h4>" in w.view.value


def test_start_again_and_a_new_patient_reset_the_walk(walkthrough):
    w = walkthrough
    walk_to_review(w)
    w.review.value = True
    w.restart.click()
    assert w.state == PathwayState("golfer-twist") and w.review.value is None
    assert w.review.layout.display == "none" and not w.show_next.disabled
    w.picker.case.value = "red-flag-saddle-numbness"
    assert w.state == PathwayState("red-flag-saddle-numbness")
    show_next(w, "emergency-referral")
    show_next(w, "pain-relief-while-waiting")
    show_next(w, "safety-net")
    state = PathwayState("red-flag-saddle-numbness", 4, None,
                         (("emergency-referral", "emergency-referral"),
                          ("pain-relief-while-waiting", "pain-relief-while-waiting"), ("safety-net", "safety-net")))
    assert w.state == state and w.show_next.disabled
    assert w.review.layout.display == "none"  # an emergency has no review
    assert w.view.value == expected(state, patient("red-flag-saddle-numbness"))


def test_a_random_patient_follows_the_seed():
    w = treatment_pathway_walkthrough(params(case="golfer-twist"))
    assert w.picker.seed.layout.display == "none"
    w.picker.case.value = "random"
    assert w.picker.seed.layout.display == ""
    w.picker.seed.value = 9
    assert w.view.value == expected(PathwayState("random"), virtual_patient(FACTS, 9))
    assert ("Random virtual patient", "random") in list(w.picker.case.options)


def test_instructor_audience_reaches_the_view():
    w = treatment_pathway_walkthrough(params(audience="instructor"))
    assert w.view.value == expected(PathwayState("golfer-twist"), patient("golfer-twist"), "instructor")
    assert "Teaching point" in w.view.value


def test_stored_output_carries_the_static_view():
    w = treatment_pathway_walkthrough(params(case="ruptured-disc"))
    show_next(w, "self-management")
    data = w._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert w.static_html().markup == w.view.value and w.view.value in data["text/html"]


@pytest.mark.parametrize("improving", [False, True])
def test_static_view_is_the_finished_walk_with_every_step(improving):
    view = treatment_pathway_walkthrough(params(case="ruptured-disc", improving=improving, interactive=False))
    assert isinstance(view, Html)
    shown = 10 if not improving else 8
    state = PathwayState("ruptured-disc", shown, improving)
    assert view.markup == expected(state, patient("ruptured-disc"))
    path = ["red-flag-screen", "risk-stratification", "self-management", "non-drug", "drug", "review", "programme",
            "specialist-referral", "neuro-safety-net", "safety-net"]
    if improving:
        path.remove("programme")
        path.remove("specialist-referral")
    positions = [view.markup.index(f"Step {k}: {esc(PATHWAY_TITLES[s])}") for k, s in enumerate(path, 1)]
    assert positions == sorted(positions)


def test_static_view_of_an_emergency_shows_its_four_steps():
    view = treatment_pathway_walkthrough(params(case="red-flag-saddle-numbness", interactive=False))
    assert view.markup == expected(PathwayState("red-flag-saddle-numbness", 4, None), patient("red-flag-saddle-numbness"))
    for k, s in enumerate(["red-flag-screen", "emergency-referral", "pain-relief-while-waiting", "safety-net"], 1):
        assert f"Step {k}: {esc(PATHWAY_TITLES[s])}" in view.markup
    assert esc(PATHWAY_TITLES["self-management"]) not in view.markup.split("<h4>Summary</h4>")[0]


# --------------------------------------------------------------------------- Check yourself


def quiz_params(notebook, audience="student", interactive=True):
    return SimpleNamespace(notebook=notebook, audience=audience, interactive=interactive)


def quiz_questions_of(notebook):
    return sorted((q for q in FACTS.quiz_questions if q.notebook == notebook), key=lambda q: q.order)


def quiz_options_of(question_id):
    return [o for o in FACTS.quiz_options if o.question_id == question_id]


def text_of(markup):
    return re.sub(r"<[^>]+>", "", markup)


@pytest.mark.parametrize("notebook", V.NOTEBOOKS)
def test_one_unanswered_radio_group_per_question_labelled_with_full_answers(notebook):
    quiz = check_yourself(quiz_params(notebook))
    mine = quiz_questions_of(notebook)
    assert list(quiz.radios) == [q.id for q in mine]
    for number, q in enumerate(mine, start=1):
        radio = quiz.radios[q.id]
        assert radio.description == f"Your answer to question {number}"
        assert radio.value is None
        assert CHOICES_CLASS in radio._dom_classes
        options = quiz_options_of(q.id)
        # each radio's label is the answer's full text (a screen reader reads it, not a letter)
        assert sorted(radio.options) == sorted((o.text, o.id) for o in options)
        heading = quiz.children[quiz.children.index(radio) - 1].value
        assert f"<h3>Question {number}</h3>" in heading and esc(q.prompt) in heading
        assert quiz.children[quiz.children.index(radio) + 1] is quiz.feedback[q.id]  # right under it
        assert quiz.feedback[q.id].value == ""
    assert text_of(quiz.score.value) == f"0 of {len(mine)} right at the first try"
    assert quiz.children[-1] is quiz.score
    assert not any(isinstance(w, W.Output) for w in walk_tree(quiz))
    shown = " ".join(w.value for w in walk_tree(quiz) if isinstance(w, W.HTML))
    assert "Check yourself" not in shown and "<h2" not in shown  # the notebook's markdown has the heading


def test_answers_are_shuffled_in_the_radios_as_written_out_by_hand():
    quiz = check_yourself(quiz_params("00_start_here"))
    assert [value for _, value in quiz.radios["q-00-1"].options] == ["q-00-1-a", "q-00-1-d", "q-00-1-c", "q-00-1-b"]


@pytest.mark.parametrize("option", FACTS.quiz_options[::5], ids=lambda o: o.id)
def test_choosing_an_option_shows_its_grade_under_its_question(option):
    question = FACTS.by_id("quiz_questions")[option.question_id]
    quiz = check_yourself(quiz_params(question.notebook))
    quiz.radios[question.id].value = option.id
    feedback = quiz.feedback[question.id].value
    assert feedback == styled(answer_feedback(grade(FACTS, question.id, option.id))).markup  # with its look
    assert ("Correct.</strong>" in feedback) is option.correct
    assert ("Incorrect.</strong>" in feedback) is not option.correct
    assert esc(option.explanation) in feedback
    others = [qid for qid in quiz.feedback if qid != question.id]
    assert all(quiz.feedback[qid].value == "" for qid in others)
    assert quiz.answers == {question.id: option.id}
    total = len(quiz_questions_of(question.notebook))
    assert text_of(quiz.score.value) == f"{1 if option.correct else 0} of {total} right at the first try"


def test_running_score_follows_the_answers():
    quiz = check_yourself(quiz_params("02_exam_simulator"))
    quiz.radios["q-02-3"].value = "q-02-3-c"  # right
    quiz.radios["q-02-2"].value = "q-02-2-c"  # wrong
    quiz.radios["q-02-4"].value = "q-02-4-c"  # right
    assert text_of(quiz.score.value) == "2 of 5 right at the first try"
    quiz.radios["q-02-2"].value = "q-02-2-b"  # changed to the right one: feedback yes, credit no
    assert text_of(quiz.score.value) == "2 of 5 right at the first try"
    assert "Correct.</strong>" in quiz.feedback["q-02-2"].value
    quiz.radios["q-02-3"].value = "q-02-3-a"  # a right first answer changed to a wrong one keeps its credit
    assert text_of(quiz.score.value) == "2 of 5 right at the first try"
    assert "Incorrect.</strong>" in quiz.feedback["q-02-3"].value
    assert quiz.first_answers == {"q-02-3": "q-02-3-c", "q-02-2": "q-02-2-c", "q-02-4": "q-02-4-c"}


def test_stored_output_carries_the_static_view_of_the_answers_so_far():
    quiz = check_yourself(quiz_params("01_risk_factors"))
    quiz.radios["q-01-4"].value = "q-01-4-b"
    expected = quiz_view(check(FACTS, "01_risk_factors", {"q-01-4": "q-01-4-b"}), "student")
    assert quiz.static_html().markup == styled(expected).markup
    data = quiz._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert quiz.static_html().markup in data["text/html"]


def test_instructor_gets_a_folded_answer_key():
    quiz = check_yourself(quiz_params("00_start_here", "instructor"))
    key = styled(quiz_view(check(FACTS, "00_start_here"), "instructor")).markup
    assert quiz.answer_key.value == f"<details><summary>Answer key (instructor)</summary>{key}</details>"
    assert check_yourself(quiz_params("00_start_here")).answer_key is None


@pytest.mark.parametrize("audience", ["student", "instructor"])
def test_static_quiz_is_the_view_for_the_audience(audience):
    view = check_yourself(quiz_params("02_exam_simulator", audience, interactive=False))
    assert isinstance(view, Html)
    assert view.markup == styled(quiz_view(check(FACTS, "02_exam_simulator"), audience)).markup
