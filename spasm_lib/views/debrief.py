"""The debrief drawn: the student's path beside the expert's, and the reasoning errors named.

A table (what, you, the expert, why they differ), the working hypothesis and whether the
examination tested it, then each reasoning error with its name, what in the path showed it and the
short explanation from ``reasoning_errors.csv``. Differences are marked in words ("Differs"), never
by colour alone. :func:`worked_debrief_view` puts an expert and a deliberately careless path side by
side for the handouts' static runs.
"""

from __future__ import annotations

from spasm_lib.debrief import Debrief, PathwayDebrief
from spasm_lib.evidence import paragraph_label
from spasm_lib.html import Html, esc, join, tag

GENERAL_POINT = "a general teaching point"


def _errors_markup(db: Debrief, level: int) -> str:
    h = f"h{level}"
    if not db.errors:
        return (f"<{h}>Reasoning errors</{h}>"
                "<p>None of the reasoning errors this debrief looks for happened on this path.</p>")
    items = []
    for named in db.errors:
        row = named.error
        basis = (f" ({GENERAL_POINT}; {paragraph_label(row.source_paragraph)})"
                 if row.basis == "general" and row.source_paragraph else "")
        items.append(f"<li><strong>{esc(row.name)}.</strong> {esc(named.evidence)} "
                     f"<em>Why it matters:</em> {esc(row.explanation)}{esc(basis)}</li>")
    return f"<{h}>Reasoning errors named</{h}><ul class=\"spasm-errors\">" + "".join(items) + "</ul>"


def _hypothesis_markup(db: Debrief, whose: str) -> str:
    if db.hypothesis_name is None:
        return "<p><strong>Working hypothesis:</strong> none given. After the history, say what you think is going on, then choose the examination that tests it.</p>"
    if db.hypothesis_tested_by:
        tested = f"{whose} examination tested it: {esc(', '.join(db.hypothesis_tested_by))}."
    elif db.hypothesis_testers:
        tested = f"{whose} examination did not test it; these steps could have: {esc(', '.join(db.hypothesis_testers))}."
    else:
        tested = "No step of this examination can test it directly."
    return f"<p><strong>Working hypothesis:</strong> {esc(db.hypothesis_name)}. {tested}</p>"


def _rows_markup(db: Debrief, caption: str, column: str) -> str:
    body = []
    for r in db.rows:
        mark = "" if r.same is None else f"<strong>{'Same' if r.same else 'Differs'}.</strong> "
        body.append(f"<tr><th scope=\"row\">{esc(r.what)}</th><td>{esc(r.student)}</td><td>{esc(r.expert)}</td>"
                    f"<td>{mark}{esc(r.explanation)}</td></tr>")
    return (f'<table class="spasm-debrief-path"><caption>{esc(caption)}</caption><thead><tr>'
            '<th scope="col">Step or decision</th>' + tag("th", column, scope="col") + '<th scope="col">Expert</th>'
            f'<th scope="col">Why</th></tr></thead><tbody>{"".join(body)}</tbody></table>')


def debrief_view(db: Debrief, level: int = 4, who: str = "you", table: bool = True) -> Html:
    """One path's debrief (``who`` names the path in the caption: "you", "a careless student")."""
    h = f"h{level}"
    subject = "You" if who == "you" else esc(who[0].upper() + who[1:])
    conf = f" {subject} said: \u201c{esc(db.confidence_label)}\u201d." if db.confidence_label else ""
    verdict = ("" if db.correct is None else
               f"<p><strong>{'Right' if db.correct else 'Not right'}:</strong> committed "
               f"\u201c{esc(db.committed_name)}\u201d; the findings and triage support \u201c{esc(db.expected_name)}\u201d.{conf}</p>")
    parts = [
        '<section class="spasm-debrief">',
        f"<{h}>Debrief: {esc('your path' if who == 'you' else who + chr(39) + 's path')}"
        f"{' beside an expert' + chr(39) + 's' if table else ''}</{h}>",
        verdict,
        _hypothesis_markup(db, "Your" if who == "you" else "The"),
        _rows_markup(db, f"Step by step: {who} beside an expert, for this patient", who[0].upper() + who[1:])
        if table else "",
        _errors_markup(db, level + 1),
        "</section>",
    ]
    return join(parts, label="debrief")


def worked_debrief_view(expert: Debrief, careless: Debrief, level: int = 4) -> Html:
    """The worked example for handouts: a careless path's debrief, then the expert's own (no errors)."""
    parts = [
        '<section class="spasm-worked-debrief">',
        tag(f"h{level}", "Worked example: a careful and a careless examination of this patient"),
        "<p>The same patient examined twice: first by a deliberately careless student, then by an expert. "
        "Each difference is explained; each reasoning error is named.</p>",
        debrief_view(careless, level + 1, who="a careless student").markup,
        debrief_view(expert, level + 1, who="the expert", table=False).markup,
        "</section>",
    ]
    return join(parts, label="worked debrief")


def pathway_debrief_view(db: PathwayDebrief, level: int = 4) -> Html:
    """The end of the pathway walk: each prediction beside the step that came, each miss explained."""
    body = "".join(
        f"<tr><th scope=\"row\">{r.number}</th><td>{esc(r.predicted)}</td><td>{esc(r.actual)}</td>"
        f"<td><strong>{'Same' if r.correct else 'Differs'}.</strong> {esc(r.explanation)}</td></tr>"
        for r in db.rows
    )
    return join([
        '<section class="spasm-debrief spasm-pathway-debrief">',
        tag(f"h{level}", "Debrief: your predictions beside the path"),
        f"<p>{db.correct} of {db.total} predictions right. Triage: {esc(db.triage.level.name)}.</p>" if db.total else
        "<p>No predictions were made on this walk.</p>",
        '<table><caption>Each step: what you predicted and what came</caption><thead><tr><th scope="col">Step</th>'
        '<th scope="col">You predicted</th><th scope="col">The path</th><th scope="col">Why</th></tr></thead>'
        f"<tbody>{body}</tbody></table>" if db.rows else "",
        "</section>",
    ], label="pathway debrief")
