"""The class set's own pages, beside the handouts: the index of each folder, the front page, the
answer key and the self-check answers page.

This module chooses what each page shows (which rows, links, patients and answers, from the set's
jobs and the facts); the markup is in ``spasm_lib/templates/pages`` (:mod:`spasm_lib.page_templates`),
every page extending ``base.html.j2``, the one skeleton with the handouts' look. Wording, links and
folders: :mod:`spasm_lib.handout_pages`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from typing import Any

from spasm_lib.handout_pages import (
    ANSWER_KEY,
    INDEX,
    INSTRUCTOR_INDEX,
    SET_FOLDERS,
    SET_TITLE,
    STUDENT_INDEX,
    TITLE_SEPARATOR,
    href,
    in_set,
    student_patient_name,
)
from spasm_lib.html import Html
from spasm_lib.page_markup import label_cells, rewritten
from spasm_lib.page_templates import render_template
from spasm_lib.paper import SELF_CHECK_ANSWERS
from spasm_lib.treatment_pathway import CONDITIONAL_NOTE, CONDITIONAL_NOTE_SHORT
from spasm_lib.views.style import CSS
from spasm_lib.vocabulary import AUDIENCES

GROUPS = {"notebook": "Notebooks", "case": "Case studies", "student": "One patient per student"}
STUDENT_GROUPS = {"notebook": "The course, in order", "case": "Case studies", "student": "Your own patient"}
GROUP_IDS = {"notebook": "notebooks", "case": "case-studies", "student": "students"}


def self_check_answers_page(facts: Any, notebooks: Sequence[tuple[str, str]]) -> str:
    """``students/self-check-answers.html`` (``--paper-answers separate``): every notebook's
    self-check answers (:func:`spasm_lib.paper.answer_items`), one section per notebook that has
    a quiz; ``notebooks`` are ``(notebook key, title)`` pairs in the set's order."""
    from spasm_lib.paper import ANSWERS_TITLE, answer_items

    sections = [{"key": key, "title": title, "answers": items}
                for key, title in notebooks if (items := answer_items(facts, key))]
    return render_template("self_check_answers.html.j2", title=ANSWERS_TITLE, audience="student",
                           kicker=f"{SET_TITLE} \u00b7 Self-check answers", sections=sections)


def _rows(built: Sequence[Any], group: str) -> dict[tuple[str, str], dict[str, Any]]:
    """One row per notebook, case or student (two cases may share a title: keyed by file stem too,
    without the audience's folder, so that both versions share the row)."""
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

    ``built`` are the set's jobs (:class:`spasm_lib.handout_pool.Job`), whose ``output`` is the file's
    path in the set; the template escapes their text.
    """
    instructor = audience == "instructor"
    here = INSTRUCTOR_INDEX if instructor else STUDENT_INDEX
    groups = []
    for group, heading in (GROUPS if instructor else STUDENT_GROUPS).items():
        rows = _rows(built, group)
        if not instructor:
            rows = {k: v for k, v in rows.items() if "student" in v}
        if not rows and not (instructor and group == "student" and answer_key):
            continue
        shown: dict[str, Any] = {"id": GROUP_IDS[group], "heading": heading}
        if not instructor:  # a plain list: what to open, by its title
            shown.update(kind="list", by_number=group == "student", rows=[
                {"href": href(here, v["student"].output),
                 "text": f"{row}: {v['student'].title}" if group == "student" else row}
                for (row, _), v in rows.items()])
        elif group == "student":  # each student's handout, and the answer key
            shown.update(kind="students", class_seed=class_seed,
                         answer_key=href(here, ANSWER_KEY) if answer_key else None,
                         rows=[{"row": row, "href": href(here, v["student"].output), "title": v["student"].title}
                               for (row, _), v in rows.items()])
        else:  # both versions in one row, or "not built"
            shown.update(kind="versions", first="Notebook" if group == "notebook" else "Case", rows=[
                {"row": row, "cells": [
                    {"href": href(here, v[a].output), "label": f"{a.capitalize()} version", "title": v[a].title}
                    if a in v else None for a in AUDIENCES]}
                for (row, _), v in rows.items()])
        groups.append(shown)
    return render_template(
        "index.html.j2",
        title=f"{SET_TITLE}{TITLE_SEPARATOR}handouts for {'instructors' if instructor else 'students'}",
        kicker=f"{SET_TITLE} \u00b7 {'Instructor' if instructor else 'Student'} index",
        audience=audience,
        instructor=instructor,
        folders=SET_FOLDERS,
        student_index={"href": href(here, STUDENT_INDEX), "text": STUDENT_INDEX},
        groups=groups,
        self_check=href(here, in_set("student", SELF_CHECK_ANSWERS)) if self_check_answers else None,
        failed=[(job.output, message) for job, message in failed] if instructor else [],
    )


def front_page(*, answer_key: bool = False) -> str:
    """The set's top ``index.html``: which folder is which, and nothing else (no handout, no answer).

    Why a page and not nothing: an instructor who opens the set's folder in a browser lands here,
    and it says the one rule that matters, publish ``students/`` only."""
    return render_template(
        "front.html.j2",
        title=f"{SET_TITLE}{TITLE_SEPARATOR}class set",
        kicker=f"{SET_TITLE} \u00b7 Class set",
        audience="instructor",
        folders=SET_FOLDERS,
        student_index={"href": href(INDEX, STUDENT_INDEX), "text": STUDENT_INDEX},
        instructor_index={"href": href(INDEX, INSTRUCTOR_INDEX), "text": INSTRUCTOR_INDEX},
        answer_key=href(INDEX, ANSWER_KEY) if answer_key else None,
    )


def _student(facts: Any, student: Any, page: str) -> dict[str, Any]:
    """What the answer key shows of one student: the summary row's cells and the section's facts
    (the patient, warning signs, triage, interpretation, plan, teaching point, the full case study)."""
    from spasm_lib.case_study import case_study
    from spasm_lib.patient_codes import MAX_CODE_SEED, encode
    from spasm_lib.views.case_study import case_study_view

    case = student.case
    study = case_study(facts, case, student.seed)
    presentation = facts.by_id("presentations").get(case.presentation_id) if case.presentation_id else None
    flags = facts.by_id("red_flags")
    return {
        "id": f"student-{student.number}",
        "number": student.number,
        "seed": student.seed,
        "code": encode(student.seed) if 0 <= student.seed <= MAX_CODE_SEED else "(none)",
        "patient": student_patient_name(student.number),
        "age": case.age,
        "site": case.spasm_site.replace("-", " "),
        "story": case.story,
        "presentation": presentation.name if presentation else "(none)",
        "signs": "; ".join(flags[f].name for f in case.red_flag_ids) or "none",
        "triage": study.triage.level.name,
        "action": study.triage.level.action,
        "interpretation": study.interpretation.name,
        "plan": [{"title": step.title, "conditional": step.conditional} for step in study.plan.steps],
        "teaching_point": case.teaching_point,
        "handout": {"href": href(page, student.output), "text": student.output},
        "case_study": case_study_view(study, "instructor"),
    }


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
    from spasm_lib.class_mix import DEFAULT_MIX, MIX_HELP

    mix = mix or DEFAULT_MIX
    return rewritten(render_template(
        "answer_key.html.j2",
        title=f"Answer key{TITLE_SEPARATOR}one patient per student",
        kicker=f"{SET_TITLE} \u00b7 Answer key \u00b7 for the instructor",
        audience="instructor",
        students=[_student(facts, s, page) for s in students],
        count=len(students),
        class_seed=class_seed,
        mix=mix,
        mix_help=MIX_HELP.get(mix, ""),
        separator=TITLE_SEPARATOR,
        conditional=CONDITIONAL_NOTE,
        conditional_short=CONDITIONAL_NOTE_SHORT,
        view_css=Html(CSS, "the views' stylesheet"),  # its look: tick boxes without bullets
    ), label_cells)
