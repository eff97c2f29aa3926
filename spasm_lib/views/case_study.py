"""The case study as a handout: History, Examination findings, Interpretation, Plan, Questions.

The student version gives the history and the findings, and leaves space for the interpretation, the
plan and each answer; it never says what a finding points to. The instructor version adds the
interpretation, the plan and the model answers, each with its provenance. Everything from the data
or a case file is escaped, because an instructor's own case file is untrusted text.
"""

from __future__ import annotations

from spasm_lib.case_study import CaseStudy, finding_provenance
from spasm_lib.html import Html, esc, join, tag
from spasm_lib.records import AUDIENCES

LINE_EM = 1.9
"""The height of one handwritten line in an answer box (about 7 mm on paper at 11 pt)."""


def answer_lines(model_answer: str) -> int:
    """How many handwritten lines an answer needs: a student writes the gist of the model answer,
    about one line for every 15 of its words, plus two, between 3 and 8 lines."""
    return max(3, min(8, len(model_answer.split()) // 15 + 2))


def _space(lines: int) -> str:
    """A box to write in, sized for the answer asked (the handout's stylesheet keeps it on one page)."""
    return (
        '<p class="spasm-answer-label"><em>Your answer:</em></p>'
        f'<div class="spasm-answer-space" data-lines="{lines}" '
        f'style="min-height:{lines * LINE_EM:g}em;border:1px dashed #999999;margin:0 0 1em 0;"></div>'
    )


def worksheet_prompts(study: CaseStudy) -> tuple[tuple[str, str, int], ...]:
    """What a student answers, in order: (key, the prompt as markup, lines its answer needs).

    The printed handout gives each a box of that many lines; the live notebook a text box.
    """
    interpretations = "".join(f"<li>{esc(name)}</li>" for name in study.interpretation_choices)
    levels = "".join(f"<li>{esc(name)}</li>" for name in study.triage_choices)
    prompts = [
        ("interpretation", f"<p>Which interpretation do the findings support? Choose one of:</p><ul>{interpretations}</ul>", 3),
        ("triage", f"<p>Which triage level fits this person? Choose one of:</p><ul>{levels}</ul>", 2),
        # a line per step of the model plan, and how it ends
        ("plan", "<p>Write the plan for today: the steps in order, and what ends it.</p>", len(study.plan.steps) + 2),
    ]
    prompts += [(q.id, f"<p>{esc(q.prompt)}</p>", answer_lines(q.answer)) for q in study.questions]
    return tuple(prompts)


def case_record_view(study: CaseStudy, audience: str = "student") -> Html:
    """The case as recorded: title, history and examination findings (no answers for a student)."""
    return join([tag("h3", f"Case study: {study.case.title}"), *_history(study),
                 *_findings(study, audience == "instructor")], label="case record")


def _history(study: CaseStudy) -> list[str]:
    case = study.case
    return [
        tag("h4", "History"),
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
        cells = f"<td>{esc(f.step_name + where)}</td><td>{flag}{esc(f.full_text)}</td>"
        if instructor:
            cells += f"<td>{esc(f.points_to_name or '-')}</td>"
        cells += f"<td>{esc(finding_provenance(f))}</td>"
        rows.append(f"<tr>{cells}</tr>")
    return [
        tag("h4", "Examination findings"),
        "<p>Every examination step performed, palpating where the patient points to the pain.</p>",
        f'<table class="spasm-findings"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>',
    ]


def _interpretation(study: CaseStudy, instructor: bool) -> list[str]:
    parts = [tag("h4", "Interpretation")]
    if instructor:
        i = study.interpretation
        parts += [
            f"<p><strong>{esc(i.name)}.</strong> {esc(i.description)}</p>",
            f"<p><strong>Next:</strong> {esc(i.next_action)}</p>",
            tag("p", f"From: {study.interpretation_provenance}", cls="spasm-provenance"),
        ]
    else:
        prompt, lines = worksheet_prompts(study)[0][1:]
        parts += [prompt, _space(lines)]
    return parts


def _plan(study: CaseStudy, instructor: bool) -> list[str]:
    parts = [tag("h4", "Triage and plan")]
    if not instructor:
        for _key, prompt, lines in worksheet_prompts(study)[1:3]:
            parts += [prompt, _space(lines)]
        return parts
    t = study.triage
    parts.append(f"<p><strong>Triage: {esc(t.level.name)}.</strong> {esc(t.level.action)}</p>")
    items = "".join(
        f"<li><strong>{esc(title)}</strong>" + (" <em>(only if not improving at the review)</em>" if p.conditional else "")
        + f": {esc(text)}</li>"
        for p, (title, text) in zip(study.plan.steps, study.plan_details)
    )
    parts.append(f"<ol>{items}</ol>")
    return parts


def _questions(study: CaseStudy, instructor: bool) -> list[str]:
    parts = [tag("h4", "Questions"), "<ol>"]
    for q in study.questions:
        parts.append(f'<li class="spasm-case-question"><p>{esc(q.prompt)}</p>')
        if instructor:
            parts.append(f'<p class="spasm-model-answer"><strong>Model answer:</strong> {esc(q.answer)}</p>')
            parts.append(tag("p", f"From: {q.provenance}", cls="spasm-provenance"))
        else:
            parts.append(_space(answer_lines(q.answer)))
        parts.append("</li>")
    parts.append("</ol>")
    return parts


def case_study_view(study: CaseStudy, audience: str = "student") -> Html:
    """The case study for a student (space to answer) or an instructor (answers and interpretation)."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience '{audience}'; expected one of: {', '.join(AUDIENCES)}")
    instructor = audience == "instructor"
    parts = [
        '<article class="spasm-case-study">',
        tag("h3", f"Case study: {study.case.title}"),
        *(_history(study)),
        *(_findings(study, instructor)),
        *(_interpretation(study, instructor)),
        *(_plan(study, instructor)),
        *(_questions(study, instructor)),
    ]
    if instructor:
        parts.append(f'<p class="spasm-teaching-point"><strong>Teaching point:</strong> {esc(study.case.teaching_point)}</p>')
    parts.append("</article>")
    return join(parts, label=f"case study: {study.case.id} ({audience})")
