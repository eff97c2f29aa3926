"""Views of a collected class (:mod:`spasm_lib.collect`): the class debrief, a student's page, charts.

Views only: they take :class:`~spasm_lib.collect_results.ClassResults` and render escaped HTML or SVG figures
(:mod:`spasm_lib.views.svg`: alt text, Okabe-Ito colours each with a hatch pattern and a direct
text label, so nothing rests on colour and a greyscale print reads). The same functions serve
``spasm-teach collect`` (files), notebook 05 (live) and the tests. A page is one offline file: the
handouts' stylesheet inlined, no script, no external address.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from spasm_lib.html import Html, esc, join, tag
from spasm_lib.html import tag as _tag
from spasm_lib.views import svg
from spasm_lib.views.style import styled

if TYPE_CHECKING:  # pragma: no cover
    from spasm_lib.collect_results import ClassResults, Column, Report, ReportNames, StudentResults

_ROW_TEXT = 16
_BAR = 18


def page(title: str, kicker: str, body: Sequence[Html | str], audience: str = "instructor") -> Html:
    """A standalone, offline HTML page in the handouts' style (phone-ready, prints on A4): the one
    skeleton, ``pages/base.html.j2``, through ``pages/report.html.j2``. ``body`` is the views'
    escaped markup (a string in it is markup too, as :func:`spasm_lib.html.join` takes it), inside one
    styled block, so its charts and tables look as they do in notebook 05."""
    from spasm_lib.page_templates import render_template

    return Html(render_template("report.html.j2", title=title, kicker=kicker, audience=audience,
                                body=styled(join(body, "page body"))), "page")


def cards_table(headings: Sequence[str], rows: Sequence[Sequence[object]], caption: str) -> Html:
    """A table whose cells carry their column's name (``data-label``): on a phone the handouts'
    stylesheet shows each row as a card, each value after its column's name."""
    labels = [esc(h) for h in headings]  # (escaped once, not once per cell)
    head = "".join(f'<th scope="col">{h}</th>' for h in labels)
    body = "".join(
        "<tr>" + "".join(f'<td data-label="{h}">{esc(v)}</td>' for h, v in zip(labels, row)) + "</tr>"
        for row in rows)
    return Html(f'<div class="table-wrap"><table>{tag("caption", caption)}<thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table></div>", "table")


def _label(text: str) -> str:
    return text.replace("-", " ").capitalize()


# --------------------------------------------------------------------------- charts


def bar_chart(title: str, items: Sequence[tuple[str, int]], caption: str, unit: str, *,
              styles: Sequence[tuple[str, str]] | None = None) -> Html:
    """Horizontal bars, one per (label, count): the label above its bar, the count at the bar's end.

    ``styles`` gives (colour, hatch) per bar; by default every bar has the first chart style.
    """
    if not items:
        return Html(f"<p>{esc(title)}: none in this class.</p>", "chart")
    top = max(1, max(n for _, n in items))
    room = svg.WIDTH - 125  # the count and its unit go after the longest bar
    body, defs, y = [], [], 8.0
    used: dict[tuple[str, str], str] = {}
    for i, (label, n) in enumerate(items):
        colour, hatch = (styles[i] if styles else (svg.CHART_COLOURS[1], svg.HATCHES[0]))
        if (colour, hatch) not in used:
            used[(colour, hatch)] = f"fill{len(used)}"
            defs.append(svg.pattern(used[(colour, hatch)], colour, hatch))
        for line in svg.wrap(label, svg.WIDTH - 8, _ROW_TEXT):
            y += 18
            body.append(svg.text(4, y, line, _ROW_TEXT))
        y += 6
        width = max(2.0, room * n / top)
        body.append(svg.rect(4, y, width, _BAR, fill=f"url(#{used[(colour, hatch)]})", stroke="#000", stroke_width=1))
        body.append(svg.text(4 + width + 6, y + 14, f"{n} {unit}", svg.SMALL_TEXT))
        y += _BAR + 8
    alt = f"{title}: " + "; ".join(f"{label}, {n} {unit}" for label, n in items) + "."
    return svg.svg_figure(svg.svg_document(y + 6, title, alt, body, defs), alt, caption, "chart")


def matrix_figure(title: str, row_name: str, col_name: str, labels: Sequence[str],
                  counts: dict[tuple[str, str], int], caption: str) -> Html:
    """A confusion matrix: rows the true answer, columns the answer chosen, each cell its count.

    The diagonal (right) is green with dots, a wrong cell with any count vermillion with diagonal
    lines, and every cell carries its number; the key under the grid names each row and column.
    """
    if not counts:
        return Html(f"<p>{esc(title)}: no answers in this class.</p>", "chart")
    k = len(labels)
    left, top = 34.0, 30.0
    cell = min(44.0, (svg.WIDTH - left - 6) / max(k, 1))
    defs = [svg.pattern("right", "green", "dots", tint=0.5), svg.pattern("wrong", "vermillion", "diagonal", tint=0.5)]
    body = [svg.text(left, 18, f"columns: {col_name}", svg.SMALL_TEXT)]
    for j in range(k):
        body.append(svg.text(left + cell * j + cell / 2, top + 0, str(j + 1), svg.SMALL_TEXT, "middle"))
    for i, row in enumerate(labels):
        y = top + 6 + cell * i
        body.append(svg.text(left - 6, y + cell / 2 + 5, str(i + 1), svg.SMALL_TEXT, "end"))
        for j, col in enumerate(labels):
            n = counts.get((row, col), 0)
            fill = "url(#right)" if i == j else ("url(#wrong)" if n else "#fff")
            body.append(svg.rect(left + cell * j, y, cell, cell, fill=fill, stroke="#000", stroke_width=1))
            if fill != "#fff":  # the number on a white patch, readable over the hatching
                width = 9.5 * len(str(n)) + 6
                body.append(svg.rect(left + cell * j + cell / 2 - width / 2, y + cell / 2 - 9, width, 18, fill="#fff"))
            body.append(svg.text(left + cell * j + cell / 2, y + cell / 2 + 5, str(n), svg.SMALL_TEXT, "middle",
                                 font_weight="bold" if n else None))
    y = top + 6 + cell * k + 20
    body.append(svg.text(4, y, f"rows: {row_name}", svg.SMALL_TEXT))
    for i, name in enumerate(labels):
        for line in svg.wrap(f"{i + 1} = {name}", svg.WIDTH - 8, svg.SMALL_TEXT):
            y += 18
            body.append(svg.text(4, y, line, svg.SMALL_TEXT))
    y += 22
    body.append(svg.rect(4, y - 13, 16, 16, fill="url(#right)", stroke="#000"))
    body.append(svg.text(24, y, "right (dots)", svg.SMALL_TEXT))
    body.append(svg.rect(150, y - 13, 16, 16, fill="url(#wrong)", stroke="#000"))
    body.append(svg.text(170, y, "wrong (lines)", svg.SMALL_TEXT))
    cells = [f"{row} chosen as {col}: {n}" for (row, col), n in sorted(counts.items()) if n]
    right = sum(n for (r, c), n in counts.items() if r == c)
    alt = (f"{title}. {right} of {sum(counts.values())} right. Rows are the {row_name}, columns the {col_name}. "
           + "; ".join(cells) + ".")
    return svg.svg_figure(svg.svg_document(y + 10, title, alt, body, defs), alt, caption, "matrix")


def matrix_table(caption: str, labels: Sequence[str], counts: dict[tuple[str, str], int], names: dict[str, str]) -> Html:
    headings = ["True \\ chosen", *(names.get(c, c) for c in labels)]
    rows = [[names.get(r, r), *(counts.get((r, c), 0) for c in labels)] for r in labels]
    return cards_table(headings, rows, caption)


TIME_BINS = ((60, "under 1 minute"), (180, "1 to 3 minutes"), (600, "3 to 10 minutes"), (None, "10 minutes or more"))


def time_bins(seconds: Sequence[float]) -> list[tuple[str, int]]:
    out = []
    low = 0.0
    for high, label in TIME_BINS:
        out.append((label, sum(1 for s in seconds if s >= low and (high is None or s < high))))
        low = high or low
    return out


# --------------------------------------------------------------------------- the class page


def class_page(names: ReportNames, results: ClassResults, report: Report | None = None) -> Html:
    """The class debrief: counts, the six figures, three prompts for the next class, the gradebook."""
    return page("Class debrief", "spasm-teach: for the lecturer", class_sections(names, results, report))


def class_sections(names: ReportNames, results: ClassResults, report: Report | None = None, top: int = 2) -> list[Html | str]:
    """The debrief's sections; ``top`` is the level of their headings (2 on a page, 3 in notebook 05)."""

    def tag(name: str, text: object = "", cls: str | None = None) -> str:
        if name in ("h2", "h3"):
            name = f"h{int(name[1]) + top - 2}"
        return _tag(name, text, cls)

    steps, levels, interps, errors = names.steps, names.levels, names.interpretations, names.errors
    out: list[Html | str] = []
    encounters = sum(len(s.encounters) for s in results.students)
    out.append(tag("h2", "The class at a glance"))
    summary = [f"{len(results.students)} students", f"{encounters} exam-simulator encounters"]
    if report is not None:
        summary += [f"{report.files} trace files read", f"{len(report.refused)} refused"]
    out.append("<ul>" + "".join(tag("li", s) for s in summary) + "</ul>")
    if report is not None and report.refused:
        out.append(tag("h3", "Files refused (not counted)"))
        out.append("<ul>" + "".join(tag("li", line) for line in report.refused_lines()) + "</ul>")
    out.append(tag("h2", "Three questions for the next class"))
    if results.prompts:
        out.append("<ol>" + "".join(
            f"<li>{esc(text)} <small>({esc(errors.get(trigger, _label(trigger)))}: {n} times)</small></li>"
            for trigger, text, n in results.prompts) + "</ol>")
    else:
        out.append(tag("p", "No error was common enough in this class to open the next class with."))
    out.append(tag("h2", "Warning-sign questions most often skipped"))
    out.append(bar_chart("Warning-sign questions skipped",
                         [(steps.get(s, s), n) for s, n in results.skipped_warning_signs[:8]],
                         "Encounters that ended without this warning-sign question, most often skipped first.",
                         "encounters", styles=[("vermillion", "diagonal")] * 8))
    matrices = [  # (heading, figure title, row and column names, caption, table caption, labels, counts, names)
        ("Triage: true level and level chosen", "Triage confusion matrix", "true level", "level chosen",
         "Each cell counts the encounters with that true level (row) and level chosen (column).",
         "Triage: rows the true level, columns the level chosen",
         results.triage_levels, results.triage_matrix, levels),
        ("Interpretation: expected and chosen", "Interpretation confusion matrix", "expected interpretation",
         "interpretation chosen",
         "Each cell counts the committed encounters with that expected (row) and chosen (column) interpretation.",
         "Interpretation: rows expected, columns chosen",
         results.interpretations, results.interpretation_matrix, interps),
    ]
    for heading, title, row_name, col_name, caption, table_caption, labels, counts, names in matrices:
        out.append(tag("h2", heading))
        out.append(matrix_figure(title, row_name, col_name, [names.get(x, x) for x in labels],
                                 {(names.get(a, a), names.get(b, b)): n for (a, b), n in counts.items()}, caption))
        out.append(matrix_table(table_caption, labels, counts, names))
    out.append(tag("h2", "Confidence against correctness"))
    conf_items, conf_styles = [], []
    for level, right, wrong in results.confidence:
        conf_items += [(f"{_label(level)}: right", right), (f"{_label(level)}: wrong", wrong)]
        conf_styles += [("green", "dots"), ("vermillion", "diagonal")]
    out.append(bar_chart("Confidence against correctness", conf_items,
                         "For each confidence level given before committing: encounters right (dots) and wrong (lines).",
                         "encounters", styles=conf_styles))
    out.append(tag("h2", "Reasoning errors by frequency"))
    out.append(bar_chart("Reasoning errors named in the debriefs",
                         [(errors.get(e, _label(e)), n) for e, n in results.reasoning_errors],
                         "How many encounters the debrief named each reasoning error in.", "encounters",
                         styles=[(svg.CHART_COLOURS[i % len(svg.CHART_COLOURS)], svg.HATCHES[i % len(svg.HATCHES)])
                                 for i in range(len(results.reasoning_errors))]))
    out.append(tag("h2", "Time to triage"))
    out.append(bar_chart("Time from opening the patient to choosing a triage level", time_bins(results.triage_times),
                         "Encounters by the time taken to choose a triage level.", "encounters",
                         styles=[("blue", "horizontal")] * len(TIME_BINS)))
    out.append(tag("h2", "Gradebook"))
    out.append(gradebook_table(results))
    return out


def _grade(value: float | None) -> str:
    return "not attempted" if value is None else f"{value:g}%"


def gradebook_table(results: ClassResults) -> Html:
    headings = ["Student", *(c.heading for c in results.columns)]
    rows = [[s.student, *(_grade(results.grades[s.student][c.key]) for c in results.columns)] for s in results.students]
    return cards_table(headings, rows, "Each student, each activity")


# --------------------------------------------------------------------------- a student's page


def student_page(names: ReportNames, student: StudentResults, results: ClassResults) -> Html:
    return student_page_of(names, student, results.grades[student.student], results.columns)


def student_page_of(names: ReportNames, student: StudentResults, grades: Mapping[str, float | None],
                    columns: Sequence[Column]) -> Html:
    """A student's feedback page from their own results alone (collect draws them where the
    student was checked, see spasm_lib.collect_merge.check_part)."""
    steps, levels, interps = names.steps, names.levels, names.interpretations
    body: list[Html | str] = [tag("h2", "Your scores")]
    body.append("<ul>" + "".join(tag("li", f"{c.heading}: {_grade(grades[c.key])}") for c in columns) + "</ul>")
    body.append(tag("h2", "Your patients in the exam simulator"))
    if not student.encounters:
        body.append(tag("p", "No encounter recorded."))
    for n, e in enumerate(sorted(student.encounters, key=lambda e: e.start), start=1):
        body.append(tag("h3", f"Patient {n}: {e.case_id}"))
        items = [
            f"Steps performed, in order: {', '.join(steps.get(s, s) for s in e.steps) or 'none'}",
            f"Working hypothesis: {interps.get(e.hypothesis, e.hypothesis) if e.hypothesis else 'not given'}",
            f"Confidence: {_label(e.confidence) if e.confidence else 'not given'}",
            f"Interpretation chosen: {interps.get(e.chosen, e.chosen) if e.chosen else 'not committed'}"
            + (f" ({'right' if e.correct else 'not right: expected ' + interps.get(e.expected, e.expected or '')})"
               if e.correct is not None else ""),
        ]
        if e.triage_chosen:
            items.append(f"Triage level chosen: {levels.get(e.triage_chosen, e.triage_chosen)}"
                         + (f" (right)" if e.triage_chosen == e.triage_true
                            else f" (the patient's level: {levels.get(e.triage_true, e.triage_true)})" if e.triage_true else ""))
        skipped = [steps.get(s, s) for s in dict.fromkeys(e.ignored)]
        if skipped:
            items.append(f"Steps this patient needed that were not done: {', '.join(skipped)}")
        if e.errors:
            items.append("Reasoning errors named in the debrief: "
                         f"{', '.join(names.errors.get(x, _label(x)) for x in e.errors)}")
        body.append("<ul>" + "".join(tag("li", i) for i in items) + "</ul>")
    body.append(tag("h2", "Quizzes"))
    quiz_items = [f"{nb}: {sum(student.quiz.get(nb, {}).values())} of {total} right"
                  + ("" if nb in student.quiz else " (not attempted)") for nb, total in names.quiz_totals.items()]
    body.append("<ul>" + "".join(tag("li", i) for i in quiz_items) + "</ul>")
    body.append(tag("h2", "Pathway walk and case study"))
    body.append("<ul>" + tag("li", f"Pathway predictions right: {student.pathway_right} of {student.pathway_shown}")
                + tag("li", f"Case study: {_grade(grades.get('case_study'))} of the questions answered") + "</ul>")
    if student.case_answers:
        questions = {qid: prompt for qid, (_order, prompt) in names.case_questions.items()}
        order = {qid: n for qid, (n, _prompt) in names.case_questions.items()}
        body.append(tag("h3", "Your case study answers"))
        body.append("".join(f"<p><strong>{esc(case)}: {esc(questions.get(qid, qid))}</strong><br>{esc(text)}</p>"
                            for (case, qid), text in sorted(student.case_answers.items(),
                                                            key=lambda kv: (kv[0][0], order.get(kv[0][1], 0), kv[0][1]))))
    return page(f"Feedback for {student.student}", "spasm-teach: your work in the course", body, audience="student")
