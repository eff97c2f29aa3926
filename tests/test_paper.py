"""Paper: a student handout carries its self-check answers for print (at the end, or on a separate
page of the set, as the lecturer chooses), and the print stylesheet keeps navigation off paper.

Expected answers are read from data/quiz_*.csv with the csv module; the browser checks of the
printed pages are in tests/e2e/test_class_on_paper.py.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from nbformat.v4 import new_markdown_cell, new_notebook

from spasm_lib import handout_export, handout_pages, packaged, paper, set_pages
from spasm_lib.facts import load_facts

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "notebooks"))
from handout_checks import csv_rows, squash, visible_text  # noqa: E402


def correct_answers(notebook: str) -> list[tuple[str, str]]:
    """(correct option text, its explanation) of each question of a notebook, in question order."""
    questions = sorted((q for q in csv_rows("quiz_questions") if q["notebook"] == notebook), key=lambda q: int(q["order"]))
    options = csv_rows("quiz_options")
    return [next((squash(o["text"]), squash(o["explanation"])) for o in options
                 if o["question_id"] == q["id"] and o["correct"] in ("yes", "true", "True", "1")) for q in questions]


def test_the_data_marks_one_correct_option_per_question():
    assert len(correct_answers("01_risk_factors")) == 5


@pytest.mark.parametrize("notebook", ["00_start_here", "01_risk_factors", "04_case_study"])
def test_the_answers_at_the_end_are_the_correct_options_in_order(notebook):
    section = paper.answers_at_the_end(load_facts(), notebook)
    assert section.startswith('<section class="paper-only paper-answers"')
    text = visible_text(section)
    assert text.startswith("Answers to Check yourself")
    at = 0
    for number, (option, why) in enumerate(correct_answers(notebook), start=1):
        found = text.find(f"Question {number}: {option}. {why}", at)
        assert found > at, (number, option)
        at = found
    assert "<h2" not in section, "a print-only heading must not enter the contents list"


def test_a_finished_student_handout_ends_with_them_before_the_next_handout_box():
    nb = packaged.notebooks_dir() / "01_risk_factors.ipynb"
    student = handout_pages.end_of_main(nb, "student")
    instructor = handout_pages.end_of_main(nb, "instructor")
    separate = handout_pages.end_of_main(nb, "student", paper.SEPARATE)
    assert student.index('class="paper-only paper-answers"') < student.index('class="next-handout"')
    assert "paper-answers" not in instructor  # the instructor's options print open, with the answers
    assert "paper-answers" not in separate and separate.startswith('<nav class="next-handout"')
    assert '<a href="02_exam_simulator.student.html">' in separate
    assert student == paper.answers_at_the_end(load_facts(), nb) + separate
    page = handout_export.handout_html(new_notebook(cells=[new_markdown_cell("## A\n\nx")]), audience="student",
                                       parameters={}, title="T", notebook=nb)
    main = page[page.index("<main>"):page.index("</main>")]
    assert main.index('class="paper-only paper-answers"') < main.index('class="next-handout"')


def test_the_separate_answer_page_has_every_notebook():
    notebooks = [("00_start_here", "Start here"), ("04_case_study", "Case study")]
    page = set_pages.self_check_answers_page(load_facts(), notebooks)
    assert re.findall(r"<h2 id=\"([^\"]+)\">", page) == ["00_start_here", "04_case_study"]
    text = visible_text(page)
    for key, _ in notebooks:
        for option, why in correct_answers(key):
            assert f"{option}. {why}" in text


def test_print_keeps_navigation_and_the_footer_off_paper():
    css = packaged.stylesheet()
    media = css[css.index("@media print"):]
    rule = re.search(r"\n\s*([^{}]*\.next-handout[^{}]*)\{([^}]*)\}", media)
    assert rule and "footer" in rule.group(1) and ".contents" in rule.group(1), rule
    assert "display: none" in rule.group(2)
    assert re.search(r"\.paper-only\s*\{\s*display:\s*block", media)
    assert re.search(r"^\.paper-only\s*\{\s*display:\s*none", css, re.M)


def test_handouts_cli_offers_the_choice(capsys):
    from spasm_lib.cli import main

    with pytest.raises(SystemExit):
        main(["handouts", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--paper-answers {end,separate}" in out and "self-check-answers.html" in out
    assert "--mix {balanced,weighted}" in out and "balanced (the default)" in out


@pytest.mark.kernel
def test_a_set_built_with_separate_answers_has_the_page_and_no_answers_in_the_handouts(tmp_path):
    from spasm_lib import handouts

    out = tmp_path / "set"
    report = handouts.build(out, notebooks=[packaged.notebooks_dir() / "00_start_here.ipynb"], jobs=1,
                            paper_answers="separate")
    assert report.ok, report.failed
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")) == [
        "index.html", "instructor/00_start_here.instructor.html", "instructor/index.html",
        "students/00_start_here.student.html", "students/index.html", "students/self-check-answers.html"]
    student = (out / "students/00_start_here.student.html").read_text(encoding="utf-8")
    assert 'class="paper-only paper-answers"' not in student
    answers = visible_text((out / "students/self-check-answers.html").read_text(encoding="utf-8"))
    for option, why in correct_answers("00_start_here"):
        assert f"{option}. {why}" in answers
    # the self-check answers are the students' (issue 22): in students/, linked from both indexes
    for index, link in (("students/index.html", "self-check-answers.html"),
                        ("instructor/index.html", "../students/self-check-answers.html")):
        assert f'href="{link}"' in (out / index).read_text(encoding="utf-8")
