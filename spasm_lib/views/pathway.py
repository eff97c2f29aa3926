"""Views of the treatment pathway: the triage, the path diagram, each step, and the model plan.

The diagram draws only the patient's own path, top to bottom. The step shown now is marked three
ways (a thick border, a hatched fill and the words "you are here"), steps already passed by a
tick and "done", and a step still to come as a box with a question mark, so that the diagram
never gives the next step away before the student predicts it. It reads in greyscale and to a
screen reader (the alt text lists the boxes in order).
"""

from __future__ import annotations

from collections.abc import Iterable

from spasm_lib.vocabulary import AUDIENCES
from spasm_lib import records as R
from spasm_lib.evidence import CheckedEvidence, provenance_text
from spasm_lib.html import Html, esc, join, rows_table, tag
from spasm_lib.pathway_walk import WalkResult
from spasm_lib.treatment_pathway import (
    CONDITIONAL_NOTE,
    CONDITIONAL_NOTE_SHORT,
    HOW_SOON,
    TREATMENT_TABLE_HEADINGS,
    Plan,
    StepDetail,
    TriageLevelRow,
)
from spasm_lib.triage import Triage
from spasm_lib.views import svg
from spasm_lib.views.evidence import card_list
from spasm_lib.views.style import styled

YOU_ARE_HERE = "you are here"
DONE = "\u2713 done"
NEXT_HIDDEN = "? next step: predict it"

_BOX_X = 10
_BOX_WIDTH = svg.WIDTH - 20
_LINE = 19
_GAP = 18


def _box(y: float, title: str, status: str) -> tuple[list[str], float]:
    """One box: its markup and its height (title lines plus the status line)."""
    lines = svg.wrap(title, _BOX_WIDTH - 16)
    height = 12 + _LINE * (len(lines) + 1)
    style = {
        YOU_ARE_HERE: {"fill": "url(#here)", "stroke": "#000", "stroke_width": 4},
        DONE: {"fill": "#fff", "stroke": "#0072B2", "stroke_width": 1.5},
        NEXT_HIDDEN: {"fill": "#fff", "stroke": "#555", "stroke_width": 1.5, "stroke_dasharray": "6 4"},
    }.get(status, {"fill": "#fff", "stroke": "#000", "stroke_width": 1.5})
    parts = [svg.rect(_BOX_X, y, _BOX_WIDTH, height, rx=6, **style)]
    for k, text_line in enumerate(lines):
        parts.append(svg.text(_BOX_X + 8, y + 4 + _LINE * (k + 1), text_line, font_weight="bold"))
    parts.append(svg.text(_BOX_X + 8, y + 4 + _LINE * (len(lines) + 1), status, size=svg.SMALL_TEXT))
    return parts, height


def path_diagram(boxes: Iterable[tuple[str, str]], patient: str) -> Html:
    """The path as boxes joined by arrows; ``boxes`` are (title, status word) in order."""
    body: list[str] = []
    y = 8.0
    items = tuple(boxes)
    for k, (title, status) in enumerate(items):
        parts, height = _box(y, title, status)
        body.extend(parts)
        y += height
        if k < len(items) - 1:
            mid = svg.WIDTH / 2
            body.append(svg.line(mid, y + 2, mid, y + _GAP - 4, stroke="#000", stroke_width=2))
            body.append(f'<path d="M{mid - 6},{y + _GAP - 9} L{mid},{y + _GAP - 2} L{mid + 6},{y + _GAP - 9}" fill="none" stroke="#000" stroke-width="2"/>')
            y += _GAP
    alt = f"The treatment path for {patient}, top to bottom: " + "; ".join(
        f"{k}. {title} ({status})" for k, (title, status) in enumerate(items, 1)
    ) + "."
    document = svg.svg_document(
        y + 8, f"Treatment path: {patient}", alt, body,
        defs=[svg.pattern("here", "orange", "diagonal", tint=0.45)],
    )
    return svg.svg_figure(document, alt, "The patient's path through the pathway, one box per step.", "pathway diagram")


# --------------------------------------------------------------------------- parts


def _provenance(record: R.Provenance, references: Iterable[R.Reference]) -> str:
    return f'<span class="spasm-provenance">({esc(provenance_text(record, references))})</span>'


def _cards(items: Iterable[CheckedEvidence], level: int) -> str:
    return card_list(items, level).markup


def _timeframes(items: Iterable[tuple[str, str]]) -> str:
    """How soon, for this person's concern: one line per flag that set the level."""
    lines = "".join(f"<li><strong>{esc(name)}:</strong> {esc(when)}</li>" for name, when in items)
    return f'<div class="spasm-timeframe"><p><strong>{HOW_SOON}:</strong></p><ul>{lines}</ul></div>' if lines else ""


def triage_view(triage: Triage, level: int = 3) -> Html:
    """The triage level, what it means for the plan and why, the flags that set it, and how soon."""
    lv = triage.level
    box = "spasm-alert" if triage.serious else "spasm-box"
    flags = "".join(
        f"<li><strong>{esc(f.name)}</strong> (sets {esc(f.urgency)} on its own): {esc(f.why_this_urgency)}</li>"
        for f in triage.flags
    )
    listed = f"<p>Warning signs found:</p><ul>{flags}</ul>" if flags else "<p>No warning sign came up.</p>"
    return Html(
        f'<div class="{box}" role="note">{tag(f"h{level}", f"Triage: {lv.name} ({lv.id})")}'
        f"{listed}<p><strong>What to do:</strong> {esc(lv.action)}</p>{_timeframes(triage.actions)}"
        f"<p><strong>Why:</strong> {esc(lv.why)} {_provenance(lv, triage.references)}</p></div>",
        "triage",
    )


def _treatment_block(detail, level: int) -> str:
    t = detail.treatment
    examples = f"<p>Examples: {esc(', '.join(t.examples))}</p>" if t.examples else ""
    cards = _cards(detail.evidence, level + 1)
    return (
        f'<div class="spasm-treatment">{tag(f"h{level}", t.name)}'
        f"<p><strong>What it does:</strong> {esc(t.what_it_does)}</p>"
        f"<p><strong>Why:</strong> {esc(t.why)} {_provenance(t, detail.references)}</p>{examples}{cards}</div>"
    )


def step_view(detail: StepDetail, number: int, status: str = "", level: int = 3) -> Html:
    """One step: what happens and why, its treatments, and the source's advice beside it."""
    step = detail.step
    suffix = f" ({status})" if status else ""
    parts = [
        f'<section class="spasm-step" id="step-{esc(step.id)}">',
        tag(f"h{level}", f"Step {number}: {step.title}{suffix}"),
        f"<p>{esc(step.summary)} {_provenance(step, detail.references)}</p>",
    ]
    parts.append(_timeframes(detail.timeframes))
    if detail.note:
        parts.append(f'<p class="spasm-box"><strong>Yellow flags:</strong> {esc(detail.note)}</p>')
    parts.extend(_treatment_block(d, level + 1) for d in detail.treatments)
    if detail.other_evidence:
        parts.append(tag(f"h{level + 1}", "The source says / guidance says"))
        parts.append(_cards(detail.other_evidence, level + 2))
    parts.append("</section>")
    return join(parts, label=f"pathway step: {step.id}")


def plan_view(plan: Plan, level: int = 3) -> Html:
    """The model plan as an ordered list, conditional steps marked, and the improving variant."""
    items = "".join(
        f"<li>{esc(p.title)}" + (f" <em>({CONDITIONAL_NOTE})</em>" if p.conditional else "") + "</li>"
        for p in plan.steps
    )
    skipped = plan.skipped_if_improving
    note = ""
    if skipped:
        note = f"<p>{esc(plan.if_improving_note)} {esc('; '.join(skipped))}.</p>"
    return Html(f'<section class="spasm-plan">{tag(f"h{level}", "The plan")}<ol>{items}</ol>'
                f"{_timeframes(plan.timeframes)}{note}</section>", "plan")


# --------------------------------------------------------------------------- the walk


def _prediction(result: WalkResult) -> str:
    last = result.last_prediction
    if last is None:
        return ""
    if last.correct:
        return (f'<p class="spasm-ok" role="status"><strong>\u2713 Right:</strong> the next step is '
                f"{esc(last.actual.title)}.</p>")
    if not last.made:  # going on without a prediction is allowed, and not scored as wrong
        return (f'<p class="spasm-box" role="status"><strong>No prediction made.</strong> '
                f"The next step for this patient is {esc(last.actual.title)}.</p>")
    return (f'<p class="spasm-alert" role="status"><strong>\u2717 Not this time.</strong> '
            f"You predicted {esc(last.predicted.title)}; "
            f"the next step for this patient is {esc(last.actual.title)}.</p>")


def walk_view(result: WalkResult, audience: str = "student") -> Html:
    """The walk: patient, triage (once the screen is shown), the diagram, the step shown now,
    the feedback on the last prediction, and the summary when the walk is finished.

    The same view prints a finished walk in a handout (every step, in order).
    """
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience '{audience}'; expected one of: {', '.join(AUDIENCES)}")
    case = result.case
    count = len(result.shown)
    if result.finished:
        boxes = [(d.step.title, f"step {k}" + (f" ({CONDITIONAL_NOTE_SHORT})" if d.conditional else ""))
                 for k, d in enumerate(result.shown, 1)]
    else:
        boxes = [(d.step.title, DONE) for d in result.shown[:-1]] + [(result.current.step.title, YOU_ARE_HERE),
                                                                     ("?", NEXT_HIDDEN)]
    context = [
        tag("h3", f"Patient: {case.title}"),
        tag("p", case.story, cls="spasm-story"),
        triage_view(result.triage, level=4).markup,
        path_diagram(boxes, case.title).markup,
    ]
    parts = [_prediction(result)]
    if result.finished:
        parts.extend(context)
        parts.extend(step_view(d, k, level=4).markup for k, d in enumerate(result.shown, 1))
        if result.review_answer is not None:
            word = "improving" if result.review_answer else "not improving"
            parts.append(f"<p><strong>At the review:</strong> the person is {word}.</p>")
        parts.append(tag("h4", "Summary"))
        parts.append(plan_view(result.plan, level=5).markup)
        if result.predictions_made:
            unpredicted = len(result.state.predictions) - result.predictions_made
            skipped = f" Steps shown without a prediction (not counted): {unpredicted}." if unpredicted else ""
            parts.append(tag("p", f"Next steps predicted correctly: {result.correct_predictions} of "
                                  f"{result.predictions_made} predicted.{skipped}"))
    else:
        # In the live walk the step just shown comes first, right under the buttons; the patient,
        # the triage and the diagram follow.
        if result.awaiting_review_answer:
            parts.append('<p class="spasm-box"><strong>At the review:</strong> is the treatment working? '
                         "Answer above to see where the path goes.</p>")
        parts.append(step_view(result.current, count, YOU_ARE_HERE, level=3).markup)
        parts.extend(context)
    if audience == "instructor":
        parts.append(f'<p class="spasm-teaching-point"><strong>Teaching point:</strong> {esc(case.teaching_point)}</p>')
    return join(parts, label=f"treatment pathway: {case.id}, step {count}")


def treatment_table_view(rows) -> Html:
    """The treatments table (from :func:`spasm_lib.treatment_pathway.treatment_table`) in full, escaped:
    each row gives what the source says and the verdict of current guidance."""
    caption = ("Treatments in this course: the source's first, each with the verdict of current guidance, "
               "then those current guidance adds.")
    values = ((f"{r.treatment} ({r.kind})", r.what_it_does, r.why, f"{r.verdict}: {r.guidance}" if r.verdict else "-",
               r.where_from) for r in rows)
    return styled(rows_table(TREATMENT_TABLE_HEADINGS, values, caption, "treatment table"))


def triage_levels_view(levels: Iterable[TriageLevelRow]) -> Html:
    """The triage levels in the order given (most urgent first from
    :func:`~spasm_lib.treatment_pathway.triage_levels`): when each applies, what to do, and why."""
    rows = "".join(
        f"<tr><th scope='row'>{esc(r.level.name)} ({esc(r.level.id)})</th>"
        f"<td data-label='When'>{esc(r.level.applies_when)}</td>"
        f"<td data-label='What to do'>{esc(r.level.action)}</td>"
        f"<td data-label='Why'>{esc(r.level.why)} {_provenance(r.level, r.references)}</td></tr>"
        for r in levels
    )
    return styled(Html(
        '<table class="spasm-table"><caption>The four triage levels, most urgent first.</caption>'
        "<thead><tr><th scope='col'>Level</th><th scope='col'>When</th><th scope='col'>What to do</th>"
        f"<th scope='col'>Why</th></tr></thead><tbody>{rows}</tbody></table>",
        "triage levels",
    ))
