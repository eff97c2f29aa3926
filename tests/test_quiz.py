"""Self-check quizzes and learning objectives: the mapping between them, the quality rules of the
questions, the answer order, grading and score, and the static views.

Expected values are written by hand here (scores, verdict words, which option is right, the answer
order of two questions) or read straight from the CSV rows; nothing is recomputed with the code
under test.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import os
import re
import subprocess
import sys
from collections import Counter

import pytest

from spasm_lib import vocabulary as V
from spasm_lib.facts import load_facts
from spasm_lib.evidence import Sourced
from spasm_lib.quiz import Score, check, display_order, grade, learning_objectives, objectives, questions
from spasm_lib.risk_factors import CATEGORY_LABELS
from spasm_lib.views.objectives import objectives_view
from spasm_lib.views.quiz import CORRECT_MARK, answer_feedback, quiz_view, score_line
from spasm_lib.views.style import CSS

FACTS = load_facts()


def options_of(question_id):
    return [o for o in FACTS.quiz_options if o.question_id == question_id]


def questions_of(notebook):
    return sorted((q for q in FACTS.quiz_questions if q.notebook == notebook), key=lambda q: q.order)


def objectives_of(notebook):
    return [o for o in FACTS.learning_objectives if o.notebook == notebook]


# --------------------------------------------------------------------------- objectives <-> questions


@pytest.mark.parametrize("notebook", V.NOTEBOOKS)
def test_every_objective_is_tested_by_at_least_one_question(notebook):
    mine = objectives_of(notebook)
    assert mine, f"{notebook} has no learning objectives"
    tested = {oid for q in questions_of(notebook) for oid in q.objective_ids}
    untested = [o.id for o in mine if o.id not in tested]
    assert not untested, f"objectives no question of {notebook} tests: {untested}"


@pytest.mark.parametrize("notebook", V.NOTEBOOKS)
def test_every_question_names_objectives_of_its_own_notebook(notebook):
    by_id = FACTS.by_id("learning_objectives")
    for q in questions_of(notebook):
        assert q.objective_ids, f"{q.id} names no objective"
        for oid in q.objective_ids:
            assert by_id[oid].notebook == notebook, f"{q.id} names {oid} of {by_id[oid].notebook}"


# The topics issue 9 asks each notebook's objectives to cover, as words that must appear in them.
OBJECTIVE_TOPICS = {
    "00_start_here": ["what a back spasm is", "course of the pain", "improves"],
    "01_risk_factors": ["six groups", "mechanism", "idiopathic", "not checked against research"],
    "02_exam_simulator": ["history", "red-flag questions", "yellow flags", "neurological screen",
                          "straight leg raise", "emergency, urgent, watchful or routine", "one weak flag"],
    "03_treatment_pathway": ["for each triage level", "current care", "nsaid", "kidney", "muscle relaxants",
                             "safety-net advice", "orthopedics or neurology",
                             # issue 18: care after first contact, timeframes, NSAID cautions, sciatica medicines
                             "risk stratification for every new episode", "smallest change that matters",
                             "return to work", "exercise or combined programme", "pain relief while they wait",
                             "liver", "age", "stomach protection", "sciatica"],
    "04_case_study": ["story", "interpretation", "triage level", "plan", "safety-net",
                      "neurological deficit", "axial spondyloarthritis", "aortic aneurysm"],
}


@pytest.mark.parametrize("notebook", sorted(OBJECTIVE_TOPICS))
def test_objectives_cover_what_the_notebook_teaches(notebook):
    text = " ".join(o.text for o in objectives_of(notebook)).lower()
    for words in OBJECTIVE_TOPICS[notebook]:
        assert words in text, f"{notebook} objectives do not mention {words!r}"


def test_notebook_01_names_the_groups_as_the_table_shows_them():
    groups = ["Muscle state", "Intense force", "Sport", "Structural condition", "Muscle weakness", "No known cause"]
    assert list(CATEGORY_LABELS.values()) == groups  # the names the explorer and the table show
    text = " ".join(o.text for o in objectives_of("01_risk_factors"))
    for group in groups:
        assert group in text


def test_objectives_in_the_order_column_not_the_file_order(data_copy):
    rows = data_copy.read("learning_objectives")
    header, body = rows[0], rows[1:]
    notebook, order = header.index("notebook"), header.index("order")
    mine = [r for r in body if r[notebook] == "03_treatment_pathway"]
    data_copy.write("learning_objectives", [header] + [r for r in body if r not in mine] + mine[::-1])
    expected = [r[header.index("id")] for r in sorted(mine, key=lambda r: int(r[order]))]
    got = objectives(load_facts(data_copy.folder), "03_treatment_pathway")
    assert [o.id for o in got] == expected and expected != [r[0] for r in mine[::-1]]
    with pytest.raises(ValueError, match="unknown notebook"):
        objectives(FACTS, "99_nowhere")


# --------------------------------------------------------------------------- quality of the questions

STRAWMEN = ["chess", "darts", "billiards", "left-handed", "for everyone", "every spasm", "according to the source"]


def test_no_strawman_or_recall_wording():
    for q in FACTS.quiz_questions:
        assert not any(s in q.prompt.lower() for s in STRAWMEN), q.id
    for o in FACTS.quiz_options:
        assert not any(s in o.text.lower() for s in STRAWMEN), o.id


def test_explanations_do_not_repeat_the_verdict():
    """The view says Correct / Incorrect; an explanation opening with its own verdict would double it."""
    for o in FACTS.quiz_options:
        first = re.match(r"[A-Za-z]+", o.explanation).group(0)
        assert first not in ("Right", "Correct", "Incorrect", "Wrong", "No", "Yes"), o.id


def test_each_option_explains_itself_and_options_differ():
    for q in FACTS.quiz_questions:
        mine = options_of(q.id)
        assert len({o.explanation for o in mine}) == len(mine), f"{q.id}: two options share an explanation"
        assert len({o.text for o in mine}) == len(mine)


def test_the_right_answer_is_not_systematically_the_longest():
    longest = 0
    for q in FACTS.quiz_questions:
        mine = options_of(q.id)
        top = max(len(o.text) for o in mine)
        longest += any(o.correct and len(o.text) == top for o in mine)
    assert longest <= len(FACTS.quiz_questions) // 3, f"the right answer is the longest in {longest} questions"


def test_case_based_items_on_the_clinical_reasoning_issue_9_asks_for():
    prompts = {q.id: q.prompt for q in FACTS.quiz_questions}
    right = {o.question_id: o.text for o in FACTS.quiz_options if o.correct}
    # single-flag reasoning: age alone is watchful
    assert "only flag" in prompts["q-02-3"] and right["q-02-3"].startswith("Watchful")
    # red-flag categories and urgency, with the four levels
    assert right["q-02-2"].startswith("Possible cancer: urgent")
    assert right["q-04-3"].startswith("Possible fracture: urgent")
    assert "X-ray and pain relief" in right["q-04-3"]
    assert "emergency department" in right["q-04-2"]
    # NSAID cautions
    assert "lowest dose" in right["q-03-3"] and "kidney" in right["q-03-3"]
    # current care versus the source
    assert "ice pack" in prompts["q-03-2"] and "brace off" in right["q-03-2"]
    levels = " ".join(o.text for o in FACTS.quiz_options).lower()
    for level in ("emergency", "urgent", "watchful", "routine"):
        assert level in levels


HEDGES = re.compile(r"\b(may|might|usually|often|some|at best|probably|can|could|possibly)\b", re.IGNORECASE)


def hedges(text):
    return len(HEDGES.findall(text))


def test_the_right_answer_is_not_more_hedged_than_every_distractor():
    """Issue 18 item 9: no cue in the wording. A right answer with more hedge words than every wrong
    option gives itself away (a test-wise student picks the guarded one)."""

    for q in FACTS.quiz_questions:
        mine = options_of(q.id)
        right = [hedges(o.text) for o in mine if o.correct][0]
        assert right <= max(hedges(o.text) for o in mine if not o.correct), q.id


def test_hedge_count_can_fail():
    assert hedges("Some short-term relief at best, with a scan") == 2  # "scan" is not "can"
    assert hedges("That spasm may hurt far more") > hedges("Both will certainly hurt the same")


IMPOSSIBLE = (("serious cause", ("watchful", "routine")), ("cauda equina", ("watchful", "routine")),
              ("emergency department", ("routine",)))


def test_no_option_pairs_a_serious_cause_with_a_conservative_level():
    """A serious cause suspected is by definition urgent or emergency; "serious cause, watchful" is an
    option no student could defend, so it teaches nothing (issue 18 item 9)."""
    for o in FACTS.quiz_options:
        text = o.text.lower()
        for cause, levels in IMPOSSIBLE:
            if cause in text:
                assert not any(level in text for level in levels), o.id


def test_new_content_has_its_questions():
    """Issue 18 item 10: care after first contact, timeframes, neurological levels, mimics, NSAID cautions."""
    right = {o.question_id: o.text for o in FACTS.quiz_options if o.correct}
    prompts = {q.id: q.prompt for q in FACTS.quiz_questions}
    assert "Roland-Morris" in prompts["q-03-6"] and right["q-03-6"].startswith("Reassess")
    assert "aspirin" in prompts["q-03-7"] and "protect her stomach" in right["q-03-7"]
    assert right["q-03-8"].endswith("assessment the same day")
    assert "one leg" in right["q-04-6"] and "unchanged" in right["q-04-6"]
    assert "rheumatology" in right["q-04-7"]
    assert "aortic aneurysm" in right["q-04-8"]
    assert "scan within a week" in right["q-03-1"] and "pain relief" in right["q-03-1"]


def test_chou2007_is_cited_only_for_imaging_or_classification():
    rows = [*FACTS.quiz_questions, *FACTS.quiz_options, *FACTS.learning_objectives]
    for row in rows:
        if "chou2007" in row.reference_ids:
            words = " ".join(str(getattr(row, f, "")) for f in ("prompt", "text", "explanation")).lower()
            assert any(w in words for w in ("imaging", "scan", "x-ray", "classif")), row.id


# --------------------------------------------------------------------------- answer order


def test_answer_order_of_two_questions_written_out():
    """Pinned by hand: a change of the rule changes every stored notebook and handout."""
    assert [o.id for o in questions(FACTS, "00_start_here")[0].options] == [
        "q-00-1-a", "q-00-1-d", "q-00-1-c", "q-00-1-b"]
    assert [o.id for o in questions(FACTS, "03_treatment_pathway")[1].options] == [
        "q-03-2-d", "q-03-2-c", "q-03-2-a", "q-03-2-b"]


def test_answer_order_follows_the_documented_digest_rule():
    for q in FACTS.quiz_questions:
        digests = {o.id: hashlib.sha256(f"{q.id}:{o.id}".encode()).hexdigest() for o in options_of(q.id)}
        assert [o.id for o in display_order(q.id, options_of(q.id))] == sorted(digests, key=digests.get)


@pytest.mark.subprocess
def test_answer_order_is_the_same_in_another_process_with_another_hash_seed():
    code = ("import json; from spasm_lib.facts import load_facts; from spasm_lib.quiz import questions; "
            "f = load_facts(); print(json.dumps({q.id: [o.id for o in q.options] "
            "for n in ('00_start_here', '04_case_study') for q in questions(f, n)}))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    here = {q.id: [o.id for o in q.options] for n in ("00_start_here", "04_case_study") for q in questions(FACTS, n)}
    assert json.loads(out.stdout) == here


def test_the_right_answer_moves_around():
    positions = Counter()
    for notebook in V.NOTEBOOKS:
        for q in questions(FACTS, notebook):
            positions[[o.correct for o in q.options].index(True)] += 1
    total = sum(positions.values())
    assert len(positions) >= 3 and max(positions.values()) <= 0.4 * total, positions


@pytest.mark.parametrize("notebook", V.NOTEBOOKS)
def test_questions_in_order_with_all_their_options(notebook):
    got = questions(FACTS, notebook)
    assert [q.record for q in got] == questions_of(notebook)
    assert [q.number for q in got] == list(range(1, len(got) + 1))
    for q in got:
        assert sorted(o.id for o in q.options) == sorted(o.id for o in options_of(q.id))


def test_notebook_names_in_either_spelling():
    assert questions(FACTS, "03_treatment_pathway") == questions(FACTS, "03_treatment_pathway")
    assert questions(FACTS, "notebooks/03_treatment_pathway.ipynb") == questions(FACTS, "03_treatment_pathway")
    with pytest.raises(ValueError, match="unknown notebook"):
        questions(FACTS, "99_nowhere")


def test_question_carries_its_provenance_and_objectives():
    q = questions(FACTS, "02_exam_simulator")[2]
    assert q.id == "q-02-3"
    assert q.provenance == "Henschke 2009; Downie 2013; Finucane 2020 (red-flag framework)"
    assert [o.id for o in q.objectives] == ["lo-02-5", "lo-02-6"]


# --------------------------------------------------------------------------- grading and score


def test_grade_by_hand():
    right = grade(FACTS, "q-02-3", "q-02-3-c")
    assert right.correct and right.correct_option.id == "q-02-3-c"
    wrong = grade(FACTS, "q-02-3", "q-02-3-a")
    assert not wrong.correct and wrong.correct_option.id == "q-02-3-c"
    assert "80%" in wrong.explanation


@pytest.mark.parametrize("option", FACTS.quiz_options, ids=lambda o: o.id)
def test_grade_follows_quiz_options_csv(option):
    result = grade(FACTS, option.question_id, option.id)
    assert result.correct is option.correct
    assert result.explanation == option.explanation


def test_an_option_of_another_question_is_an_error():
    with pytest.raises(ValueError, match="does not belong to question"):
        grade(FACTS, "q-00-1", "q-00-2-a")
    with pytest.raises(ValueError, match="unknown question"):
        grade(FACTS, "q-none", "x")


def test_check_scores_current_answers():
    answers = {"q-00-1": "q-00-1-b", "q-00-2": "q-00-2-c", "q-00-3": "q-00-3-b"}  # right, wrong, right
    results = check(FACTS, "00_start_here", answers)
    assert results.score == Score(correct=2, answered=3, total=5)
    assert results.grade_for("q-00-2").correct is False
    assert results.grade_for("q-00-4") is None
    assert check(FACTS, "00_start_here").score == Score(0, 0, 5)


def test_the_score_counts_first_answers_and_the_feedback_follows_the_current_one():
    # Everything wrong first, then clicked through to the right answers: the score stays at 0.
    first = {"q-00-1": "q-00-1-a", "q-00-2": "q-00-2-c", "q-00-3": "q-00-3-a"}  # all wrong
    now = {"q-00-1": "q-00-1-b", "q-00-2": "q-00-2-a", "q-00-3": "q-00-3-b"}  # all right
    results = check(FACTS, "00_start_here", now, first)
    assert results.score == Score(correct=0, answered=3, total=5)
    assert [g.correct for g in results.grades] == [True, True, True]  # what the feedback shows
    # Right at the first try, then changed to a wrong one: the first try still counts.
    results = check(FACTS, "00_start_here", {"q-00-1": "q-00-1-a"}, {"q-00-1": "q-00-1-b"})
    assert results.score == Score(correct=1, answered=1, total=5)
    assert results.grade_for("q-00-1").correct is False
    with pytest.raises(ValueError, match="first answer"):
        check(FACTS, "00_start_here", {"q-00-1": "q-00-1-a"}, {})
    with pytest.raises(ValueError, match="does not belong to question"):
        check(FACTS, "00_start_here", {"q-00-1": "q-00-1-a"}, {"q-00-1": "q-00-2-a"})


def test_check_refuses_answers_of_another_notebook_or_question():
    with pytest.raises(ValueError, match="not in 00_start_here"):
        check(FACTS, "00_start_here", {"q-01-1": "q-01-1-a"})
    with pytest.raises(ValueError, match="does not belong to question"):
        check(FACTS, "00_start_here", {"q-00-1": "q-00-2-a"})


# --------------------------------------------------------------------------- views


def test_feedback_says_it_in_a_word_an_icon_and_a_border():
    right = answer_feedback(grade(FACTS, "q-02-3", "q-02-3-c")).markup
    assert "\u2714</span> Correct.</strong>" in right and "Incorrect" not in right
    assert 'class="spasm-feedback spasm-feedback-correct"' in right  # its border: the stylesheet's
    assert ".spasm-feedback-correct{border-left:4px solid #0072B2;" in CSS
    wrong = answer_feedback(grade(FACTS, "q-02-3", "q-02-3-a")).markup
    assert "\u2718</span> Incorrect.</strong>" in wrong
    assert 'class="spasm-feedback spasm-feedback-incorrect"' in wrong
    assert ".spasm-feedback-incorrect{border-left:4px dashed #D55E00;" in CSS
    assert 'aria-hidden="true"' in wrong  # the icon is decoration: the word says it
    assert html.escape(FACTS.by_id("quiz_options")["q-02-3-a"].explanation) in wrong
    assert answer_feedback(None).markup == ""


def test_score_line_in_words():
    assert re.sub("<[^>]+>", "", score_line(Score(2, 3, 4)).markup) == "2 of 4 right at the first try"
    assert 'aria-live="polite"' in score_line(Score(0, 0, 4)).markup


def details_blocks(markup):
    return re.findall(r"<details([^>]*)><summary>(.*?)</summary>(.*?)</details>", markup, re.S)


@pytest.mark.parametrize("notebook", V.NOTEBOOKS)
def test_student_view_every_answer_closed_and_revealing_its_feedback(notebook):
    markup = quiz_view(check(FACTS, notebook), "student").markup
    blocks = details_blocks(markup)
    mine = [o for q in questions_of(notebook) for o in options_of(q.id)]
    assert len(blocks) == len(mine)
    for option in mine:
        (attrs, summary, body), = [b for b in blocks if b[1] == html.escape(option.text)]
        assert "open" not in attrs
        assert html.escape(option.explanation) in body
        assert ("Correct.</strong>" in body) is option.correct
    assert CORRECT_MARK not in markup
    assert "<script" not in markup
    assert "Check yourself" not in markup and "<h2" not in markup
    assert markup.count("<h3>") == len(questions_of(notebook))
    for q in questions_of(notebook):
        assert html.escape(q.prompt) in markup


@pytest.mark.parametrize("notebook", V.NOTEBOOKS)
def test_instructor_view_opens_every_answer_and_marks_the_right_one(notebook):
    markup = quiz_view(check(FACTS, notebook), "instructor").markup
    blocks = details_blocks(markup)
    assert blocks and all(" open" in attrs for attrs, _, _ in blocks)
    for q in questions_of(notebook):
        block = markup[markup.index(f'id="{q.id}"'):]
        block = block[: block.index("</ul>")]
        right = next(o for o in options_of(q.id) if o.correct)
        marked = [summary for _, summary, _ in details_blocks(block) if CORRECT_MARK in summary]
        assert marked == [html.escape(right.text) + ' <strong class="spasm-correct-mark">'
                          '(<span aria-hidden="true">\u2714</span> Correct answer)</strong>']
    assert "Tests learning objective" in markup


def test_instructor_view_names_the_objectives_tested():
    markup = quiz_view(check(FACTS, "02_exam_simulator"), "instructor").markup
    block = markup[markup.index('id="q-02-3"'):]
    assert block.index("Tests learning objectives 5, 6.") < block.index("<ul")


def test_student_view_with_answers_opens_the_chosen_one_and_scores():
    answers = {"q-00-1": "q-00-1-b", "q-00-2": "q-00-2-c"}  # right, wrong
    markup = quiz_view(check(FACTS, "00_start_here", answers), "student").markup
    opened = [summary for attrs, summary, _ in details_blocks(markup) if " open" in attrs]
    option = FACTS.by_id("quiz_options")
    assert opened == [
        html.escape(option["q-00-1-b"].text) + ' <em class="spasm-your-answer">(your answer)</em>',
        html.escape(option["q-00-2-c"].text) + ' <em class="spasm-your-answer">(your answer)</em>',
    ]
    assert re.search(r"<strong>1 of 5</strong> right at the first try", markup)


def test_quiz_view_rejects_an_unknown_audience():
    with pytest.raises(ValueError, match="unknown audience"):
        quiz_view(check(FACTS, "00_start_here"), "teacher")


def test_quiz_view_escapes_data():
    q = FACTS.by_id("quiz_questions")["q-00-1"]
    evil = dataclasses.replace(q, prompt="<script>alert(1)</script>")
    facts = dataclasses.replace(
        FACTS, _index={}, quiz_questions=tuple(evil if x.id == q.id else x for x in FACTS.quiz_questions)
    )
    markup = quiz_view(check(facts, "00_start_here"), "student").markup
    assert "<script>" not in markup and "&lt;script&gt;alert(1)&lt;/script&gt;" in markup


def test_objectives_view_lists_the_objectives_in_words():
    markup = objectives_view(learning_objectives(FACTS, "02_exam_simulator")).markup
    items = re.findall(r"<li>(.*?) <span", markup)
    assert items == [html.escape(o.text) for o in objectives_of("02_exam_simulator")]
    assert "(Source, paragraph 3)" in markup
    assert "beyond the source: Kendall 1997 (yellow flags)" in markup
    assert "kendall1997" not in markup and "finucane2020" not in markup  # never raw ids
    with pytest.raises(ValueError, match="unknown notebook"):
        learning_objectives(FACTS, "99_nowhere")


def test_a_notebook_without_objectives_is_an_error():
    facts = dataclasses.replace(FACTS, _index={}, learning_objectives=())
    with pytest.raises(ValueError, match="notebook '01_risk_factors' has no learning objectives"):
        learning_objectives(facts, "01_risk_factors")


def test_objectives_view_renders_a_hand_built_list_escaped():
    items = [Sourced("Name <three> factors", "Source, paragraph 2"), Sourced("Weigh flags", "beyond the source: A & B")]
    assert objectives_view(items).markup == (
        f'<div class="spasm-view"><style>{CSS}</style>'
        '<ol class="spasm-objectives">'
        '<li>Name &lt;three&gt; factors <span class="spasm-provenance">(Source, paragraph 2)</span></li>'
        '<li>Weigh flags <span class="spasm-provenance">(beyond the source: A &amp; B)</span></li>'
        "</ol></div>"
    )
    assert ".spasm-objectives .spasm-provenance{color:#555}" in CSS  # where it comes from, muted
