"""The "Check yourself" section: numbered questions, lettered options, feedback in words.

The student view never reveals the correct option or any explanation until the student answers a
question (then it shows the feedback for that answer only); the instructor view marks the correct
option with the words "Correct answer" and prints every option's explanation. Both cite where each
question comes from.
"""

from __future__ import annotations

from collections.abc import Mapping

from spasm_lib.evidence import provenance_label
from spasm_lib.facts import Facts
from spasm_lib.html import Html, esc, join, tag
from spasm_lib.quiz import Grade, Question, grade, questions

AUDIENCES = ("student", "instructor")
CORRECT_MARK = "Correct answer"


def answer_feedback(result: Grade | None) -> Html:
    """Feedback on one answer: right or not in words, then why. Empty before any answer."""
    if result is None:
        return Html("", "no answer yet")
    verdict = "Right." if result.correct else "Not quite."
    return Html(
        f'<p class="spasm-feedback" role="status"><strong>{verdict}</strong> '
        f"You chose: {esc(result.chosen.text)}. {esc(result.explanation)}</p>",
        "feedback",
    )


def question_heading(facts: Facts, q: Question) -> Html:
    """A question's number, prompt and provenance (shown above its options or radio buttons)."""
    return Html(
        tag("h4", f"Question {q.number}")
        + tag("p", q.prompt, cls="spasm-prompt")
        + tag("p", f"From: {provenance_label(facts, q.record)}", cls="spasm-provenance"),
        f"question {q.number}",
    )


def option_list(q: Question) -> Html:
    """A question's options, lettered, in full: the live quiz's radio buttons carry only the letters.

    Radio-button rows have a fixed height, so a long option would wrap over the next one and a
    click could land on the wrong answer; the letters keep every row one line high.
    """
    items = "".join(
        f"<li><strong>{esc(q.letter(o.id))}.</strong> {esc(o.text)}</li>" for o in q.options
    )
    return Html(f'<ul class="spasm-options" style="list-style:none;padding-left:0">{items}</ul>', "options")


def quiz_view(
    facts: Facts, notebook: str, audience: str = "student", answers: Mapping[str, str] | None = None
) -> Html:
    """A notebook's questions for a student (no answers shown) or an instructor (answers and why)."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience '{audience}'; expected one of: {', '.join(AUDIENCES)}")
    answers = dict(answers or {})
    qs = questions(facts, notebook)
    known = {q.id for q in qs}
    stray = [qid for qid in answers if qid not in known]
    if stray:
        raise ValueError(f"answers name questions that are not in {notebook}: {', '.join(stray)}")
    instructor = audience == "instructor"
    parts = ['<section class="spasm-quiz">', tag("h3", "Check yourself")]
    if instructor:
        parts.append(tag("p", "Instructor version: the correct option and every explanation are shown.",
                         cls="spasm-audience"))
    for q in qs:
        parts.append(f'<div class="spasm-question" id="{esc("q-" + q.id)}">')
        parts.append(question_heading(facts, q).markup)
        parts.append('<ul class="spasm-options" style="list-style:none;padding-left:1em;">')
        for option in q.options:
            letter = q.letter(option.id)
            line = f"<strong>{esc(letter)}.</strong> {esc(option.text)}"
            if instructor:
                if option.correct:
                    line += f' <strong class="spasm-correct">({CORRECT_MARK})</strong>'
                line += f'<br><span class="spasm-explanation">{esc(option.explanation)}</span>'
            parts.append(f"<li>{line}</li>")
        parts.append("</ul>")
        if q.id in answers:
            parts.append(answer_feedback(grade(facts, q.id, answers[q.id])).markup)
        parts.append("</div>")
    parts.append("</section>")
    return join(parts, label=f"check yourself ({audience})")
