"""The class set's own pages, beside the handouts: the index of each folder, the front page, the
answer key and the self-check answers page, each a :func:`standalone_page` with the handouts' look
(wording, links and folders: :mod:`spasm_lib.handout_pages`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spasm_lib.handout_pages import (
    ANSWER_KEY,
    INDEX,
    INSTRUCTOR,
    INSTRUCTOR_INDEX,
    SET_TITLE,
    STUDENT_INDEX,
    STUDENTS,
    TITLE_SEPARATOR,
    disclaimer_html,
    handout_footer,
    href,
    in_set,
    student_patient_name,
)
from spasm_lib.html import esc
from spasm_lib.page_markup import label_cells, rewritten
from spasm_lib.vocabulary import AUDIENCES
from spasm_lib.treatment_pathway import CONDITIONAL_NOTE, CONDITIONAL_NOTE_SHORT


def self_check_answers_page(facts: Any, notebooks: Sequence[tuple[str, str]]) -> str:
    """``students/self-check-answers.html`` (``--paper-answers separate``): every notebook's
    self-check answers (:func:`spasm_lib.paper.answer_sections`) on a page of the set."""
    from spasm_lib.paper import ANSWERS_TITLE, answer_sections

    return standalone_page(ANSWERS_TITLE, answer_sections(facts, notebooks),
                           kicker=f"{SET_TITLE} \u00b7 Self-check answers", audience="student")


def standalone_page(title: str, body: str, *, kicker: str, audience: str) -> str:
    """A page of the set that is not a notebook (an index, the answer key): same look, same rules."""
    from spasm_lib.packaged import stylesheet

    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{stylesheet()}</style>\n</head>\n"
        f'<body class="audience-{esc(audience)}">\n<header class="handout-header">'
        f'<p class="kicker">{esc(kicker)}</p><h1>{esc(title)}</h1>{disclaimer_html()}</header>\n'
        f"<main>\n{body}\n</main>\n{handout_footer().markup}\n</body>\n</html>\n"
    )


def _link(href: str, text: str) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'


GROUPS = {"notebook": "Notebooks", "case": "Case studies", "student": "One patient per student"}
STUDENT_GROUPS = {"notebook": "The course, in order", "case": "Case studies", "student": "Your own patient"}
GROUP_IDS = {"notebook": "notebooks", "case": "case-studies", "student": "students"}


def _rows(built: Sequence[Any], group: str) -> dict[tuple[str, str], dict[str, Any]]:
    """One row per notebook, case or student (two cases may share a title: keyed by file stem too,
    without the audience's folder, so that both versions share the row)."""
    import posixpath

    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for job in built:
        if job.group == group:
            rows.setdefault((job.row, posixpath.basename(job.output).rsplit(".", 2)[0]), {})[job.audience] = job
    return rows


def index_page(
    built: Sequence[Any],
    failed: Sequence[tuple[Any, str]] = (),
    *,
    audience: str,
    answer_key: bool = False,
    class_seed: int | None = None,
    self_check_answers: bool = False,
) -> str:
    """``students/index.html`` (``audience`` student: student handouts only, no answer key, no
    failures, every link inside ``students/``) or ``instructor/index.html`` (everything, both
    versions, the answer key, what failed).

    ``built`` are the set's jobs (:class:`spasm_lib.handouts.Job`), whose ``output`` is the file's
    path in the set; their text is escaped here.
    """
    instructor = audience == "instructor"
    here = INSTRUCTOR_INDEX if instructor else STUDENT_INDEX

    def link(target: str, text: str) -> str:
        return _link(href(here, target), text)

    parts: list[str] = []
    if instructor:
        parts.append(f"<p>For the instructor: keep the <code>{INSTRUCTOR}/</code> folder to yourself. The students' "
                     f"own list is {link(STUDENT_INDEX, STUDENT_INDEX)}: it links only student handouts, and the "
                     f"<code>{STUDENTS}/</code> folder can be published as it is.</p>")
    for group, heading in (GROUPS if instructor else STUDENT_GROUPS).items():
        rows = _rows(built, group)
        if not instructor:
            rows = {k: v for k, v in rows.items() if "student" in v}
        if not rows and not (instructor and group == "student" and answer_key):
            continue
        parts.append(f'<h2 id="{GROUP_IDS[group]}">{esc(heading)}</h2>')
        if not instructor:  # a plain list: what to open, by its title
            if group == "student":
                parts.append("<p>Open the handout with your number.</p>")
            parts.append("<ul>")
            for (row, _), by_audience in rows.items():
                job = by_audience["student"]
                label = f"{row}: {job.title}" if group == "student" else row
                parts.append(f"<li>{link(job.output, label)}</li>")
            parts.append("</ul>")
        elif group == "student":
            if class_seed is not None:
                parts.append(f"<p>Each student meets a different virtual patient (class seed {esc(class_seed)}).</p>")
            if answer_key:
                parts.append(f"<p>{link(ANSWER_KEY, 'Answer key')}: every student’s patient with the answers.</p>")
            parts.append('<table><thead><tr><th scope="col">Student</th>'
                         '<th scope="col">Handout</th></tr></thead><tbody>')
            for (row, _), by_audience in rows.items():
                job = by_audience["student"]
                parts.append(f'<tr><th scope="row">{esc(row)}</th><td>{link(job.output, job.title)}</td></tr>')
            parts.append("</tbody></table>")
        else:
            first = "Notebook" if group == "notebook" else "Case"
            parts.append(f'<table><thead><tr><th scope="col">{first}</th>'
                         '<th scope="col">Student version</th><th scope="col">Instructor version</th></tr></thead><tbody>')
            for (row, _), by_audience in rows.items():
                cells = "".join(
                    f"<td>{link(by_audience[a].output, a.capitalize() + ' version') if a in by_audience else 'not built'}</td>"
                    for a in AUDIENCES
                )
                parts.append(f'<tr><th scope="row">{esc(row)}</th>{cells}</tr>')
            parts.append("</tbody></table>")
    if self_check_answers:
        from spasm_lib.paper import SELF_CHECK_ANSWERS

        parts.append('<h2 id="self-check-answers">Self-check answers</h2>'
                     f"<p>{link(in_set('student', SELF_CHECK_ANSWERS), 'The answers to every Check yourself')}, "
                     "with why: for after trying the questions, on screen or on paper.</p>")
    if instructor and failed:
        parts.append('<h2 id="not-built">Not built</h2><ul>')
        for job, message in failed:
            parts.append(f"<li><strong>{esc(job.output)}</strong>: {esc(message)}</li>")
        parts.append("</ul>")
    title = f"{SET_TITLE}{TITLE_SEPARATOR}handouts for {'instructors' if instructor else 'students'}"
    kicker = f"{SET_TITLE} \u00b7 {'Instructor' if instructor else 'Student'} index"
    return rewritten(standalone_page(title, "".join(parts), kicker=kicker, audience=audience), label_cells)


def front_page(*, answer_key: bool = False) -> str:
    """The set's top ``index.html``: which folder is which, and nothing else (no handout, no answer).

    Why a page and not nothing: an instructor who opens the set's folder in a browser lands here,
    and it says the one rule that matters, publish ``students/`` only."""
    key = f", and the {_link(href(INDEX, ANSWER_KEY), 'answer key')}" if answer_key else ""
    body = (
        '<h2 id="students">For students</h2>'
        f"<p>Open {_link(href(INDEX, STUDENT_INDEX), STUDENT_INDEX)}. The <code>{STUDENTS}/</code> folder holds "
        "everything a student may see: the student handouts and their index. It can be published, shared or "
        "copied as it is: nothing in it shows an answer key or links outside it.</p>"
        '<h2 id="instructor">For you</h2>'
        f"<p>Open {_link(href(INDEX, INSTRUCTOR_INDEX), INSTRUCTOR_INDEX)}. The <code>{INSTRUCTOR}/</code> folder "
        f"holds the instructor versions, which show the answers{key}. Keep it to yourself; its index links both "
        "versions of every handout.</p>"
    )
    return standalone_page(f"{SET_TITLE}{TITLE_SEPARATOR}class set", body,
                           kicker=f"{SET_TITLE} \u00b7 Class set", audience="instructor")


def triage_of(study: Any) -> str:
    """The answer key's "Triage" column: the patient's triage level by name (the case study's
    :class:`spasm_lib.triage.Triage`)."""
    return str(study.triage.level.name)


def student_section_id(number: int) -> str:
    return f"student-{number}"


def _plan_list(study: Any) -> str:
    """The model plan as a short ordered list of step titles (the if-not-improving ones marked)."""
    items = "".join(
        f"<li>{esc(step.title)}{f' <em>({CONDITIONAL_NOTE})</em>' if step.conditional else ''}</li>"
        for step in study.plan.steps
    )
    return f'<ol class="answer-key-plan">{items}</ol>'


def _plan_line(study: Any) -> str:
    """The model plan in one line for the summary table: the step titles in order, numbered."""
    return "; ".join(
        f"{n}. {esc(step.title)}{f' ({CONDITIONAL_NOTE_SHORT})' if step.conditional else ''}"
        for n, step in enumerate(study.plan.steps, start=1)
    )


def _key_facts(facts: Any, student: Any, study: Any) -> str:
    """What a marker needs at a glance: the patient, the warning signs, triage, interpretation, plan."""
    case = student.case
    presentation = facts.by_id("presentations").get(case.presentation_id) if case.presentation_id else None
    flags = facts.by_id("red_flags")
    signs = "; ".join(flags[f].name for f in case.red_flag_ids) or "none"
    rows = [
        ("Presentation", esc(presentation.name) if presentation else "(none)"),
        ("Patient", f"{esc(case.age)} years, {esc(case.spasm_site.replace('-', ' '))}: "
                    f"“{esc(case.story)}”"),
        ("Warning signs", esc(signs)),
        ("Triage", f"<strong>{esc(triage_of(study))}</strong>: {esc(study.triage.level.action)}"),
        ("Interpretation", f"<strong>{esc(study.interpretation.name)}</strong>"),
        ("Plan", _plan_list(study)),
        ("Teaching point", esc(case.teaching_point)),
    ]
    return '<dl class="answer-key-facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def answer_key_page(facts: Any, students: Sequence[Any], class_seed: int, mix: str | None = None,
                    page: str = ANSWER_KEY) -> str:
    """Every student's virtual patient with the model answers, short enough to mark from.

    It opens with a summary table (student, patient code, patient, triage, expected
    interpretation, plan), each row linking to the student's section; a section is one printed
    page at most: the patient, warning signs, triage, interpretation, plan and teaching point, with
    the full instructor case study folded underneath (``<details>``, closed on paper too).
    ``page`` is where it sits in the set: each student's handout (``students[i].output``, a set
    path) is linked relative to it.
    """
    from spasm_lib.case_study import case_study
    from spasm_lib.class_mix import DEFAULT_MIX, MIX_HELP
    from spasm_lib.patient_codes import MAX_CODE_SEED, encode
    from spasm_lib.views.case_study import case_study_view

    mix = mix or DEFAULT_MIX
    studies = [(s, case_study(facts, s.case, s.seed)) for s in students]

    def code(seed: int) -> str:
        return encode(seed) if 0 <= seed <= MAX_CODE_SEED else "(none)"

    rows = "".join(
        f'<tr><th scope="row"><a href="#{student_section_id(s.number)}">Student {esc(s.number)}</a></th>'
        f'<td class="answer-key-code">{esc(code(s.seed))}</td>'
        f"<td>{esc(student_patient_name(s.number))}: {esc(s.case.age)}, {esc(s.case.spasm_site.replace('-', ' '))}</td>"
        f"<td>{esc(triage_of(study))}</td><td>{esc(study.interpretation.name)}</td>"
        f'<td class="answer-key-plan-line">{_plan_line(study)}</td></tr>'
        for s, study in studies
    )
    parts = [
        f"<p>{esc(len(students))} students, class seed {esc(class_seed)}, mix <strong>{esc(mix)}</strong> "
        f"({esc(MIX_HELP.get(mix, ''))}). The table is the summary to mark from; each student's section "
        "below fits on one printed page, with the full model answers folded under it. Each student types "
        "the code on their handout into the exam simulator, the pathway walk and the case study to meet "
        "the same patient.</p>",
        '<h2 id="summary">Summary</h2>',
        '<table class="answer-key-summary"><thead><tr><th scope="col">Student</th><th scope="col">Code</th>'
        '<th scope="col">Patient</th><th scope="col">Triage</th><th scope="col">Expected interpretation</th>'
        f'<th scope="col">Plan</th></tr></thead><tbody>{rows}</tbody></table>',
    ]
    for s, study in studies:
        parts.append(
            f'<section class="answer-key-student" id="{student_section_id(s.number)}">'
            f"<h2>Student {esc(s.number)}{TITLE_SEPARATOR}{esc(student_patient_name(s.number))}</h2>"
            f"<p>Code <strong>{esc(code(s.seed))}</strong>; handout: {_link(href(page, s.output), s.output)}; seed {esc(s.seed)}. "
            f'<a href="#summary">Back to the summary</a></p>'
            f"{_key_facts(facts, s, study)}"
            '<details class="answer-key-details"><summary>The full model answers: findings, reasoning and '
            f'every question</summary><div class="out">{case_study_view(study, "instructor").markup}</div></details>'
            "</section>"
        )
    return rewritten(standalone_page(
        f"Answer key{TITLE_SEPARATOR}one patient per student",
        "".join(parts),
        kicker=f"{SET_TITLE} \u00b7 Answer key \u00b7 for the instructor",
        audience="instructor",
    ), label_cells)
