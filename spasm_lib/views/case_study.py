"""The case study in clinical order: History, Examination findings, Warning signs and triage,
Interpretation, Plan, each part with its questions (``data/case_questions.csv``).

The student version gives the history and the findings, leaves space for each written answer and
lists the choices of each closed question; it never says what a finding points to. The instructor version adds the
interpretation, the plan and the model answers, each with its provenance. Everything from the data
or a case file is escaped, because an instructor's own case file is untrusted text.
"""

from __future__ import annotations

from spasm_lib.case_study import CaseQuestion, CaseStudy, PartCheck, finding_provenance
from spasm_lib.html import Html, esc, join, tag
from spasm_lib.vocabulary import AUDIENCES, CASE_PARTS
from spasm_lib.treatment_pathway import CONDITIONAL_NOTE
from spasm_lib.views.style import FEWEST_LINES, MOST_LINES


def answer_lines(model_answer: str) -> int:
    """How many handwritten lines an answer needs: a student writes the gist of the model answer,
    about one line for every 15 of its words, plus two, between 3 and 8 lines (the box's height per
    count of lines is the stylesheet's)."""
    return max(FEWEST_LINES, min(MOST_LINES, len(model_answer.split()) // 15 + 2))


def _space(lines: int) -> str:
    """A box to write in, sized for the answer asked (the handout's stylesheet keeps it on one page)."""
    return (
        '<p class="spasm-answer-label"><em>Your answer:</em></p>'
        f'<div class="spasm-answer-space" data-lines="{lines}"></div>'
    )


PART_HEADINGS = {
    "history": "History",
    "triage": "Warning signs and triage",
    "interpretation": "Interpretation",
    "plan": "Plan",
}
"""Each part's heading (interface wording; the parts and their order are ``vocabulary.CASE_PARTS``)."""

CHECK_FIRST = "Write your answer first (or choose one): the model answer appears once you have."


def question_prompt(number: int, q: CaseQuestion) -> str:
    """A question's number and prompt, as the worksheet and the handout show it."""
    return f'<p class="spasm-case-prompt"><strong>{number}.</strong> {esc(q.prompt)}</p>'


def _choices_list(q: CaseQuestion) -> str:
    """A closed question on paper: its choices, each with a box to tick."""
    items = "".join(f'<li><span aria-hidden="true">\u2610</span> {esc(c)}</li>' for c in q.choices)
    return f'<ul class="spasm-case-choices">{items}</ul>'


def model_answer_view(q: CaseQuestion) -> str:
    """The model answer, the reasoning behind it (closed questions) and where it comes from."""
    parts = [f'<p class="spasm-model-answer"><strong>Model answer:</strong> {esc(q.answer)}</p>']
    if q.why:
        parts.append(f'<p class="spasm-model-why"><strong>Why:</strong> {esc(q.why)}</p>')
    parts.append(tag("p", f"From: {q.provenance}", cls="spasm-provenance"))
    return "".join(parts)


def check_view(check: PartCheck) -> Html:
    """What "Check" shows: a request to write first, or the verdict (closed questions) and the model answer."""
    if not check.written:
        return Html(f'<p class="spasm-alert" role="status">{esc(CHECK_FIRST)}</p>', "check: nothing written")
    verdict = ""
    if check.correct is not None:
        word = "\u2713 Right." if check.correct else "\u2717 Not this one."
        verdict = f"<strong>{word}</strong> "
    elif check.question.closed is False:
        verdict = "<strong>Compare your answer with the model answer.</strong> "
    kind = "spasm-ok" if check.correct else ("spasm-alert" if check.correct is False else "spasm-box")
    return Html(f'<div class="{kind}" role="status"><p>{verdict}</p>{model_answer_view(check.question)}</div>',
                "check")


def part_intro(study: CaseStudy, part: str, audience: str = "student") -> Html:
    """What a part shows before its questions: its heading and the record it asks about.

    History: the age, where it hurts and the story. Warning signs and triage: the examination
    findings first (the warning-sign answers are among them). The instructor also sees, under
    Interpretation and Plan, the patient's interpretation and the model plan.
    """
    instructor = audience == "instructor"
    parts = [tag("h4", PART_HEADINGS[part])]
    if part == "history":
        parts += _history(study)
    elif part == "triage":
        parts = _findings(study, instructor) + parts
        if instructor:
            t = study.triage
            parts.append(f"<p><strong>Triage: {esc(t.level.name)}.</strong> {esc(t.level.action)}</p>")
    elif part == "interpretation" and instructor:
        i = study.interpretation
        parts += [
            f"<p><strong>{esc(i.name)}.</strong> {esc(i.description)}</p>",
            f"<p><strong>Next:</strong> {esc(i.next_action)}</p>",
            tag("p", f"From: {study.interpretation_provenance}", cls="spasm-provenance"),
        ]
    elif part == "plan" and instructor:
        items = "".join(
            f"<li><strong>{esc(title)}</strong>"
            + (f" <em>({CONDITIONAL_NOTE})</em>" if p.conditional else "")
            + f": {esc(text)}</li>"
            for p, (title, text) in zip(study.plan.steps, study.plan_details)
        )
        parts.append(f"<ol>{items}</ol>")
    return join(parts, label=f"case study part: {part}")


def numbered_questions(study: CaseStudy) -> tuple[tuple[int, CaseQuestion], ...]:
    """Every question with its number, in clinical order (numbers run across the parts)."""
    return tuple(enumerate(study.questions, 1))


def _history(study: CaseStudy) -> list[str]:
    case = study.case
    return [
        f"<p><strong>Age:</strong> {esc(case.age)}. "
        f"<strong>Where it hurts:</strong> {esc(case.spasm_site.replace('-', ' '))}.</p>",
        f'<blockquote class="spasm-story">{esc(case.story)}</blockquote>',
    ]


def _findings(study: CaseStudy, instructor: bool) -> list[str]:
    head = "<tr><th scope='col'>Examination step</th><th scope='col'>Finding</th>"
    head += "<th scope='col'>Points to</th>" if instructor else ""
    head += "<th scope='col'>Source</th></tr>"
    rows = []
    for f in study.findings:
        where = f" ({f.site.replace('-', ' ')})" if f.site else ""
        flag = "<strong>Warning sign:</strong> " if f.red_flag else ""
        cells = f"<td data-label='Examination step'>{esc(f.step_name + where)}</td><td data-label='Finding'>{flag}{esc(f.full_text)}</td>"
        if instructor:
            cells += f"<td data-label='Points to'>{esc(f.points_to_name or '-')}</td>"
        cells += f"<td data-label='Source'>{esc(finding_provenance(f))}</td>"
        rows.append(f"<tr>{cells}</tr>")
    return [
        tag("h4", "Examination findings"),
        tag("p", study.examination_note),
        f'<table class="spasm-findings spasm-table"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>',
    ]


def _question(number: int, q: CaseQuestion, instructor: bool) -> str:
    parts = [f'<div class="spasm-case-question" id="case-q-{esc(q.id)}">', question_prompt(number, q)]
    if q.closed:
        parts.append(_choices_list(q))
    if instructor:
        parts.append(model_answer_view(q))
    elif not q.closed:
        parts.append(_space(answer_lines(q.answer)))
    parts.append("</div>")
    return "".join(parts)


def case_study_view(study: CaseStudy, audience: str = "student") -> Html:
    """The case study in clinical order: History, Examination findings, Warning signs and triage,
    Interpretation, Plan; each part with its questions. A student gets space to write (or choices to
    tick); an instructor the model answers, the interpretation and the plan."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience '{audience}'; expected one of: {', '.join(AUDIENCES)}")
    instructor = audience == "instructor"
    numbers = {q.id: n for n, q in numbered_questions(study)}
    parts = ['<article class="spasm-case-study">', tag("h3", f"Case study: {study.case.title}")]
    for part in CASE_PARTS:
        parts.append(part_intro(study, part, audience).markup)
        parts.extend(_question(numbers[q.id], q, instructor) for q in study.questions_in(part))
    if instructor:
        parts.append(f'<p class="spasm-teaching-point"><strong>Teaching point:</strong> {esc(study.case.teaching_point)}</p>')
    parts.append("</article>")
    return join(parts, label=f"case study: {study.case.id} ({audience})")
