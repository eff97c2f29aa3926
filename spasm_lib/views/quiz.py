"""The "Check yourself" section: questions, answers that reveal their feedback, a running score.

Views take :class:`spasm_lib.quiz.QuizResults` (or one of its parts) and render escaped HTML; they
never grade. The section's heading is the notebook's own markdown ("## Check yourself"), so nothing
here repeats it; questions are ``<h3>`` under it.

Static view (stored notebooks, handouts): each option is a ``<details>`` whose ``<summary>`` is the
option's full text; opening it shows whether it is correct and why. No script is needed, so a student
can check themselves in a handout on paper-like HTML. The instructor version opens every option and
marks the correct one in words. What to do is said once, by the notebook's markdown (its
``live-only`` cells and their handout wording), so the views add no instructions of their own.

Feedback says right or wrong three ways, so it survives colour blindness and greyscale printing: a
word ("Correct" / "Incorrect"), an icon (a tick or a cross, hidden from screen readers since the word
says it), and a border that is solid blue for correct and dashed vermillion for incorrect (an
Okabe-Ito pair that stays distinct with the common colour-vision deficiencies). The look is the
classes' in :mod:`spasm_lib.views.style`; whoever shows a view here wraps it in ``styled``.
"""

from __future__ import annotations

from spasm_lib.html import Html, esc, join, tag
from spasm_lib.quiz import Grade, Question, QuizResults, Score
from spasm_lib.vocabulary import AUDIENCES

CORRECT_MARK = "Correct answer"
INSTRUCTOR_HINT = "Instructor version: every answer is open, and the correct one is marked."

_VERDICTS = {True: ("\u2714", "Correct"), False: ("\u2718", "Incorrect")}


def _verdict(correct: bool) -> str:
    icon, word = _VERDICTS[correct]
    return f'<strong class="spasm-verdict"><span aria-hidden="true">{icon}</span> {word}.</strong>'


def _feedback_box(correct: bool, explanation: str, live: bool = False) -> str:
    kind = "correct" if correct else "incorrect"
    role = ' role="status"' if live else ""
    return (
        f'<div class="spasm-feedback spasm-feedback-{kind}"{role}>'
        f"{_verdict(correct)} {esc(explanation)}</div>"
    )


def answer_feedback(result: Grade | None) -> Html:
    """Feedback on the chosen answer: the verdict in a word and an icon, then why. Empty before any answer."""
    if result is None:
        return Html("", "no answer yet")
    return Html(_feedback_box(result.correct, result.explanation, live=True), "feedback")


SCORE_WORDS = "right at the first try"
"""What the score counts (the first answer to each question; see :mod:`spasm_lib.quiz`)."""


def score_line(score: Score) -> Html:
    """The score in words, announced politely to screen readers when it changes."""
    return Html(
        f'<p class="spasm-score" aria-live="polite"><strong>{score.correct} of {score.total}</strong> '
        f"{SCORE_WORDS}</p>",
        "score",
    )


def question_heading(q: Question) -> Html:
    """A question's number, prompt and provenance (shown above its answers)."""
    return Html(
        tag("h3", f"Question {q.number}")
        + tag("p", q.prompt, cls="spasm-prompt")
        + tag("p", f"From: {q.provenance}", cls="spasm-provenance"),
        f"question {q.number}",
    )


def _objectives_line(q: Question) -> str:
    numbers = ", ".join(str(o.order) for o in q.objectives)
    noun = "objective" if len(q.objectives) == 1 else "objectives"
    return tag("p", f"Tests learning {noun} {numbers}.", cls="spasm-objectives-tested")


def _option(q: Question, option_id: str, instructor: bool, chosen: bool) -> str:
    option = q.option(option_id)
    summary = esc(option.text)
    if instructor and option.correct:
        summary += f' <strong class="spasm-correct-mark">(<span aria-hidden="true">\u2714</span> {CORRECT_MARK})</strong>'
    if chosen:
        summary += ' <em class="spasm-your-answer">(your answer)</em>'
    opened = " open" if instructor or chosen else ""
    return (
        f'<li><details class="spasm-option"{opened}><summary>{summary}</summary>'
        f"{_feedback_box(option.correct, option.explanation)}</details></li>"
    )


def quiz_view(results: QuizResults, audience: str = "student") -> Html:
    """The static quiz: every question with answers that open to their feedback.

    Students: every answer closed, except an answer already chosen (open, marked "your answer"),
    and the score once something is answered. Instructors: every answer open, the correct one marked
    "Correct answer", and the learning objectives each question tests.
    """
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience '{audience}'; expected one of: {', '.join(AUDIENCES)}")
    instructor = audience == "instructor"
    parts = ['<section class="spasm-quiz">']
    if instructor:
        parts.append(tag("p", INSTRUCTOR_HINT, cls="spasm-audience"))
    for q in results.questions:
        grade = results.grade_for(q.id)
        parts.append(f'<div class="spasm-question" id="{esc(q.id)}">')
        parts.append(question_heading(q).markup)
        if instructor:
            parts.append(_objectives_line(q))
        parts.append('<ul class="spasm-options">')
        for option in q.options:
            parts.append(_option(q, option.id, instructor, grade is not None and grade.chosen.id == option.id))
        parts.append("</ul></div>")
    if results.grades:
        parts.append(score_line(results.score).markup)
    parts.append("</section>")
    return join(parts, label=f"check yourself ({audience})")
