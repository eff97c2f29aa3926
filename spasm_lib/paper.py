"""What a student handout shows on paper where the screen has something to click.

On screen, "Check yourself" is a list of answers that open to their feedback. A closed box means
nothing on paper, so a printed student handout shows the options as a list of choices and the
answers, with why, either **at the end** of the handout (a section shown only in print) or on a
**separate** answer page of the set (``self-check-answers.html``), as the lecturer chooses
(``spasm-teach handouts --paper-answers end|separate``). The answers come from ``data/``
(:func:`spasm_lib.quiz.questions`), the very questions the handout shows; the answer page
carries them for every notebook of the set.

The print stylesheet hides the contents list, the "next handout" box and the footer, and shows
``.paper-only`` (see ``templates/spasm_handout/handout.css``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spasm_lib.tables import Facts

END = "end"
SEPARATE = "separate"
PAPER_ANSWERS = (END, SEPARATE)
DEFAULT_PAPER_ANSWERS = END
SELF_CHECK_ANSWERS = "self-check-answers.html"
SECTION_CLASS = "paper-answers"
ANSWERS_TITLE = "Answers to Check yourself"


def answer_items(facts: Facts, notebook: str | Path) -> list[tuple[int, str, str]]:
    """The right answer of each question of a notebook, with why: ``(number, answer, why)``, in the
    questions' order (none for a notebook without a quiz). ``pages/_answers.html.j2`` lists them, at
    the end of a handout and on the separate answer page alike."""
    from spasm_lib.quiz import questions

    return [(q.number, q.correct_option.text, q.correct_option.explanation) for q in questions(facts, notebook)]


def answers_at_the_end(facts: Facts, notebook: str | Path) -> str:
    """The print-only section at the end of a student handout ("" for a notebook without a quiz)."""
    from spasm_lib.page_templates import render_template

    items = answer_items(facts, notebook)
    if not items:
        return ""
    return render_template("paper_answers.html.j2", title=ANSWERS_TITLE, section_class=SECTION_CLASS, items=items)
