"""Self-check quizzes: questions in order, grading from quiz_options.csv, student and instructor views."""

from __future__ import annotations

import dataclasses
import html

import pytest

from spasm_lib import records as R
from spasm_lib.facts import load_facts
from spasm_lib.quiz import grade, questions
from spasm_lib.views.quiz import quiz_view

FACTS = load_facts()


def options_of(question_id):
    return [o for o in FACTS.quiz_options if o.question_id == question_id]


def provenance_words(record):
    refs = FACTS.by_id("references")
    words = [f"Source, paragraph {record.source_paragraph}"] if record.source_paragraph else []
    return words + [refs[r].short for r in record.reference_ids]


@pytest.mark.parametrize("notebook", R.NOTEBOOKS)
def test_questions_in_order_with_their_options(notebook):
    expected = sorted((q for q in FACTS.quiz_questions if q.notebook == notebook), key=lambda q: q.order)
    got = questions(FACTS, notebook)
    assert [q.record for q in got] == expected
    assert [q.number for q in got] == list(range(1, len(expected) + 1))
    for q in got:
        assert list(q.options) == options_of(q.id)


def test_notebook_names_in_either_spelling():
    assert questions(FACTS, "03_treatment_pathway") == questions(FACTS, "03-treatment-pathway")
    assert questions(FACTS, "notebooks/03_treatment_pathway.ipynb") == questions(FACTS, "03-treatment-pathway")
    with pytest.raises(ValueError, match="unknown notebook"):
        questions(FACTS, "99_nowhere")


@pytest.mark.parametrize("option", FACTS.quiz_options, ids=lambda o: o.id)
def test_grade_follows_quiz_options_csv(option):
    result = grade(FACTS, option.question_id, option.id)
    assert result.correct is option.correct
    assert result.explanation == option.explanation
    right = [o for o in options_of(option.question_id) if o.correct]
    assert result.correct_option == right[0]


def test_an_option_of_another_question_is_an_error():
    a, b = FACTS.quiz_questions[:2]
    with pytest.raises(ValueError, match="does not belong to question"):
        grade(FACTS, a.id, options_of(b.id)[0].id)
    with pytest.raises(ValueError, match="unknown question"):
        grade(FACTS, "q-none", "x")


@pytest.mark.parametrize("notebook", R.NOTEBOOKS)
def test_student_view_shows_questions_but_no_answers(notebook):
    markup = quiz_view(FACTS, notebook, "student").markup
    mine = [q for q in FACTS.quiz_questions if q.notebook == notebook]
    for q in mine:
        assert html.escape(q.prompt) in markup
        for words in provenance_words(q):
            assert html.escape(words) in markup
        for o in options_of(q.id):
            assert html.escape(o.text) in markup
            assert html.escape(o.explanation) not in markup
    assert "Correct answer" not in markup
    assert "<strong>A.</strong>" in markup and "<strong>B.</strong>" in markup
    assert "<h1" not in markup and "<h2" not in markup


@pytest.mark.parametrize("notebook", R.NOTEBOOKS)
def test_instructor_view_marks_the_correct_option_and_every_explanation(notebook):
    markup = quiz_view(FACTS, notebook, "instructor").markup
    mine = [q for q in FACTS.quiz_questions if q.notebook == notebook]
    assert markup.count("Correct answer") == len(mine)
    for q in mine:
        begin = markup.index(f'id="q-{q.id}"')
        block = markup[begin : markup.index("</div>", begin)]
        for o in options_of(q.id):
            assert html.escape(o.explanation) in block
            start = block.index(f"</strong> {html.escape(o.text)}")
            item = block[start : block.index("</li>", start)]
            assert ("Correct answer" in item) is o.correct


def test_student_view_with_an_answer_shows_only_that_feedback():
    q1, q2 = sorted((q for q in FACTS.quiz_questions if q.notebook == "00-start-here"), key=lambda q: q.order)[:2]
    wrong = next(o for o in options_of(q1.id) if not o.correct)
    markup = quiz_view(FACTS, "00-start-here", "student", {q1.id: wrong.id}).markup
    assert html.escape(wrong.explanation) in markup
    assert "Not quite." in markup
    others = [o for o in FACTS.quiz_options if o.id != wrong.id and o.question_id in (q1.id, q2.id)]
    for o in others:
        assert html.escape(o.explanation) not in markup
    assert "Correct answer" not in markup
    right = next(o for o in options_of(q2.id) if o.correct)
    assert "Right." in quiz_view(FACTS, "00-start-here", "student", {q2.id: right.id}).markup


def test_answers_to_questions_of_another_notebook_are_an_error():
    other = next(q for q in FACTS.quiz_questions if q.notebook == "01-risk-factors")
    with pytest.raises(ValueError, match="not in 00-start-here"):
        quiz_view(FACTS, "00-start-here", "student", {other.id: options_of(other.id)[0].id})
    with pytest.raises(ValueError, match="unknown audience"):
        quiz_view(FACTS, "00-start-here", "teacher")


def test_quiz_view_escapes_data():
    q = next(q for q in FACTS.quiz_questions if q.notebook == "00-start-here")
    evil = dataclasses.replace(q, prompt="<script>alert(1)</script>")
    facts = dataclasses.replace(
        FACTS, _index={}, quiz_questions=tuple(evil if x.id == q.id else x for x in FACTS.quiz_questions)
    )
    markup = quiz_view(facts, "00-start-here", "student").markup
    assert "<script>" not in markup and "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
