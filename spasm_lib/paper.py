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

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from spasm_lib.html import esc

if TYPE_CHECKING:
    from spasm_lib.tables import Facts

END = "end"
SEPARATE = "separate"
PAPER_ANSWERS = (END, SEPARATE)
DEFAULT_PAPER_ANSWERS = END
SELF_CHECK_ANSWERS = "self-check-answers.html"
SECTION_CLASS = "paper-answers"
ANSWERS_TITLE = "Answers to Check yourself"


def _answers(facts: Facts, notebook: str | Path) -> str:
    """The correct answer of each question of a notebook, with why: a list whose items say their number."""
    from spasm_lib.quiz import questions

    items = []
    for q in questions(facts, notebook):
        right = q.correct_option
        items.append(
            f"<li><strong>Question {esc(q.number)}:</strong> {esc(right.text)}. "
            f'<span class="paper-answer-why">{esc(right.explanation)}</span></li>'
        )
    return f'<ul class="paper-answer-list">{"".join(items)}</ul>' if items else ""


def answers_at_the_end(facts: Facts, notebook: str | Path) -> str:
    """The print-only section at the end of a student handout ("" for a notebook without a quiz).

    A heading by role, not an ``h2``: the section is absent from the screen and its contents list."""
    answers = _answers(facts, notebook)
    if not answers:
        return ""
    return (
        f'<section class="paper-only {SECTION_CLASS}" aria-label="{ANSWERS_TITLE}">'
        f'<p class="paper-answers-title" role="heading" aria-level="2"><strong>{ANSWERS_TITLE}</strong></p>'
        f"{answers}</section>\n"
    )


def answer_sections(facts: Facts, notebooks: Sequence[tuple[str, str]]) -> str:
    """The body of ``self-check-answers.html`` (:func:`spasm_lib.set_pages.self_check_answers_page`):
    every notebook's self-check answers, one section each.

    ``notebooks`` are ``(notebook key, title)`` pairs in the set's order."""
    parts = ["<p>The answers to each handout's \u201cCheck yourself\u201d questions, with why. Try the "
             "questions first.</p>"]
    for key, title in notebooks:
        answers = _answers(facts, key)
        if answers:
            parts.append(f'<h2 id="{esc(key)}">{esc(title)}</h2>{answers}')
    return "".join(parts)
