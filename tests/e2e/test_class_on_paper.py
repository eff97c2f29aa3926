"""Issue 22, items 9 and 10, in Chromium: the class set on paper (A4, printed to PDF, read by pypdf).

* No printed page holds only navigation (the footer, the "next handout" box): before this, 15 of 31
  handouts ended with a page of the footer alone.
* No "Next handout" box on paper; a student's "Check yourself" prints as choices, with the answers
  (each question's correct option, from data/quiz_options.csv) at the end of the handout.
* The answer key of a class of 30 marks from one page per student: each student's section starts
  on a page of its own and ends on it, and the summary table lists the plan.

Expected text comes from data/ (csv module) and hand-written phrases, not from the page builders.
"""

from __future__ import annotations

import io
import re
import sys
import unicodedata
from pathlib import Path

import pytest

from .conftest import DESKTOP, expected_handouts

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures" / "notebooks"))
from handout_checks import csv_rows, squash  # noqa: E402

pytestmark = pytest.mark.e2e

EXPECTED = [h for h in expected_handouts() if h.notebook is not None]
FOOTER = re.compile(r"Made with spasm-teach \S+\. Educational material, not medical advice: see the note at the top\.")
NEXT = re.compile(r"Next handout:.*$")


def _printed(page) -> list[str]:
    """The page printed to A4 by Chromium; each PDF page's text, whitespace squashed."""
    from pypdf import PdfReader

    page.emulate_media(media="print")
    reader = PdfReader(io.BytesIO(page.pdf(format="A4")))
    # NFKC: the PDF's ligatures ("ﬁ") read as the letters they are
    return [" ".join(unicodedata.normalize("NFKC", p.extract_text() or "").split()) for p in reader.pages]


def _correct_options(notebook: str) -> list[str]:
    questions = sorted((q for q in csv_rows("quiz_questions") if q["notebook"] == notebook), key=lambda q: int(q["order"]))
    options = csv_rows("quiz_options")
    return [squash(next(o["text"] for o in options if o["question_id"] == q["id"] and o["correct"] == "yes"))
            for q in questions]


@pytest.mark.parametrize("handout", EXPECTED, ids=str)
def test_on_paper_no_page_of_navigation_only_and_the_answers_at_the_end(open_offline, handout_set, handout):
    page = open_offline(handout_set / handout.file, DESKTOP).page
    pages = _printed(page)
    only_navigation = [n for n, text in enumerate(pages, start=1)
                       if not FOOTER.sub("", NEXT.sub("", text)).strip()]
    assert only_navigation == [], f"{handout.file}: pages with nothing but navigation: {only_navigation} of {len(pages)}"
    whole = " ".join(pages)
    assert "Next handout" not in whole, f"{handout.file}: the next-handout box is printed"
    assert not FOOTER.search(whole), f"{handout.file}: the footer is printed"
    if handout.audience != "student":
        assert "Answers to Check yourself" not in whole  # the instructor's options print open, marked
        return
    assert whole.count("Answers to Check yourself") == 1, f"{handout.file}: no printed answers"
    answers = whole[whole.index("Answers to Check yourself"):]
    at = 0
    for number, option in enumerate(_correct_options(handout.notebook), start=1):
        found = answers.find(f"Question {number}: {option}", at)
        assert found >= at, f"{handout.file}: question {number}'s answer is not printed in order: {option!r}"
        at = found
    assert any("Answers to Check yourself" in text for text in pages[-2:]), f"{handout.file}: not at the end"
    # on screen the section is hidden, and the contents list does not name it
    page.emulate_media(media="screen")
    assert page.locator(".paper-answers").is_hidden()
    assert "Answers to Check yourself" not in page.locator("nav.contents").inner_text()


def test_the_answer_key_of_a_class_of_30_marks_from_one_page_per_student(open_offline, tmp_path):
    from spasm_lib import handouts, set_pages
    from spasm_lib.facts import load_facts

    facts = load_facts()
    students = handouts.student_cases(facts, 30, 7)
    key = tmp_path / "answer-key.html"
    key.write_text(set_pages.answer_key_page(facts, students, 7), encoding="utf-8")
    page = open_offline(key, DESKTOP).page
    pages = _printed(page)
    headings = {n: re.findall(r"Student (\d+) \u2014 Patient \d+", text) for n, text in enumerate(pages, start=1)}
    first = {int(found[0]): n for n, found in headings.items() if found}
    assert sorted(first) == list(range(1, 31)), headings
    for number, n in first.items():
        assert headings[n] == [str(number)], f"page {n} holds more than student {number}: {headings[n]}"
        following = pages[n] if n < len(pages) else ""
        assert number == 30 or re.match(rf"Student {number + 1} \u2014", following), (
            f"student {number}'s section runs onto page {n + 1}: {following[:80]!r}")
    summary_pages = min(first.values()) - 1
    assert summary_pages <= 5, f"{summary_pages} pages before the first student's section"
    assert len(pages) == summary_pages + 30
    steps = {r["id"]: squash(r["title"]) for r in csv_rows("pathway_steps")}
    summary = " ".join(pages[:summary_pages])
    assert summary.count(f"1. {steps['red-flag-screen']}") == 30, "the summary lists each student's plan"
    # the details are folded on paper: their summary line prints, the instructor case study does not
    assert "The full model answers" in pages[-1]
    assert "Triage and plan" not in " ".join(pages[summary_pages:])
