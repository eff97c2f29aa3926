"""The condition explained (definition, mechanism, symptoms, time course) and the schematic pain curve.

Every statement carries "Source, paragraph N" so a student can go back to the text. The pain curve
has no numeric pain axis: the source gives a shape (manageable at first, worse after a few hours, then
keeping still), not numbers, so the figure says "Illustrative" in the plot, the caption and the alt text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from spasm_lib.condition import ConditionSection, PainCourse
from spasm_lib.html import PALETTE, Html, esc, join, tag
from spasm_lib.views import svg
from spasm_lib.views.style import styled

Y_LABEL = "relative pain (illustrative)"
X_LABEL = "hours after the spasm starts (schematic)"
_PHASE_FILLS = ("sky", "orange", "green", "purple", "yellow", "grey")


def condition_view(sections: Iterable[ConditionSection]) -> Html:
    """The condition (:func:`spasm_lib.condition.condition`) section by section, each statement with
    where it comes from."""
    parts = ['<section class="spasm-condition">']
    for section in sections:
        parts.append(tag("h3", section.title))
        parts.append("<ul>")
        parts.extend(
            f"<li>{esc(row.text)} "
            f'<span class="spasm-provenance">({esc(row.where_from)})</span></li>'
            for row in section.statements
        )
        parts.append("</ul>")
    parts.append("</section>")
    return join(parts, label="the condition")


def _trend(before: float, after: float) -> str:
    if after > before:
        return "rises"
    if after < before:
        return "falls"
    return "stays level"


def _hours(value: float) -> str:
    return f"{value:g}"


def pain_course_alt(course: PainCourse) -> str:
    """The curve's shape in words, phase by phase, for screen readers and text-only handouts."""
    pts, peak = course.points, course.peak
    sentences = [
        f"Schematic line of relative pain over {_hours(pts[0].hour)} to {_hours(pts[-1].hour)} hours "
        "after the spasm starts, with no pain values on the vertical axis."
    ]
    previous = pts[0].relative_pain
    for name, start, end in course.phases:
        inside = [p for p in pts if start <= p.hour <= end and p.phase == name]
        last = inside[-1].relative_pain
        trend = _trend(previous, last)
        span = f"hour {_hours(start)}" if start == end else f"hours {_hours(start)} to {_hours(end)}"
        sentences.append(f"{name.capitalize()} ({span}): the pain {trend}.")
        previous = last
    sentences.append(f"The pain is highest at hour {_hours(peak.hour)} ({peak.phase}).")
    sentences.append(course.note)
    return " ".join(sentences)


def _nudged(centres: Sequence[float], gap: float) -> tuple[float, ...]:
    """Label positions at least ``gap`` apart, each as near its centre as the one before allows."""
    placed: list[float] = []
    for c in centres:
        placed.append(max(c, placed[-1] + gap) if placed else c)
    return tuple(placed)


def pain_course_svg(course: PainCourse) -> str:
    """The SVG document of :func:`pain_course_figure` (a string, for inspection in tests).

    Each phase is a shaded band with its own colour *and* hatch and a number above it; the key below
    the plot names the numbered phases in words, so the phases read in greyscale and without colour,
    even when a band is too narrow for its name. The vertical axis says only "less" and "more".
    """
    pts, runs = course.points, course.phases
    hours = [p.hour for p in pts]
    pain = [p.relative_pain for p in pts]
    first, last = min(hours), max(max(hours), runs[-1][2])
    span = (last - first) or 1.0
    # The first phase ("before the movement") lasts a moment in the data: drawn from its point to the
    # next phase it would be a sliver. It gets a visible width (a 24th of the plot) before hour 0.
    first_width = (runs[1][1] - runs[0][1]) if len(runs) > 1 else span
    lead = max(0.0, span / 24 - first_width)
    origin = first - lead
    plotted = last - origin
    top = max(pain) * 1.15 if max(pain) > 0 else 1.0
    x0, x1, y0, y1 = 52.0, svg.WIDTH - 8.0, 96.0, 246.0

    def x(hour: float) -> float:
        return x0 + (hour - origin) / plotted * (x1 - x0)

    def y(value: float) -> float:
        return y1 - value / top * (y1 - y0)

    small = svg.SMALL_TEXT
    body: list[str] = []
    defs: list[str] = []
    baseline = 20.0
    for row in svg.wrap(course.note.rstrip("."), svg.WIDTH - 16, small):
        body.append(svg.text(8, baseline, row, size=small, font_style="italic", font_weight="bold"))
        baseline += 20
    body.append(svg.text(8, 68, Y_LABEL, size=small))
    bands = []
    for i, (name, start, end) in enumerate(runs):
        start = origin if i == 0 else start
        right = runs[i + 1][1] if i + 1 < len(runs) else end
        if right == start:
            right = start + span / 24
        bands.append((start, right))
        fill = f"phase{i}"
        defs.append(svg.pattern(fill, _PHASE_FILLS[i % len(_PHASE_FILLS)], svg.HATCHES[i % len(svg.HATCHES)],
                                tint=0.35))
        body.append(svg.rect(x(start), y0, x(min(right, last)) - x(start), y1 - y0, fill=f"url(#{fill})",
                             fill_opacity="0.45"))
        if i:
            body.append(svg.line(x(start), y0, x(start), y1, stroke=svg.INK, stroke_dasharray="2 3"))
    for i, centre in enumerate(_nudged([(x(a) + x(min(b, last))) / 2 for a, b in bands], 14.0)):
        body.append(svg.text(centre, 88, str(i + 1), size=small, anchor="middle", font_weight="bold"))
    body.append(svg.line(x0, y0, x0, y1, stroke=svg.INK, stroke_width="1.5"))
    body.append(svg.line(x0, y1, x1, y1, stroke=svg.INK, stroke_width="1.5"))
    body.append(svg.text(x0 - 6, y0 + 12, "more", size=small, anchor="end"))
    body.append(svg.text(x0 - 6, y1, "less", size=small, anchor="end"))
    step = 3.0 if span > 6 else 1.0
    tick = first
    while tick <= last + 1e-9:
        body.append(svg.line(x(tick), y1, x(tick), y1 + 5, stroke=svg.INK))
        body.append(svg.text(x(tick), y1 + 22, _hours(tick), size=small, anchor="middle"))
        tick += step
    baseline = y1 + 44
    for row in svg.wrap(X_LABEL, svg.WIDTH - 16, small):
        body.append(svg.text(svg.WIDTH / 2, baseline, row, size=small, anchor="middle"))
        baseline += 20
    lead_in = [(origin, pts[0].relative_pain)] if lead else []  # the line starts where the first phase does
    coordinates = " ".join(f"{svg.num(x(h))},{svg.num(y(v))}" for h, v in lead_in + [(p.hour, p.relative_pain) for p in pts])
    body.append(f'<polyline points="{coordinates}" fill="none" stroke="{PALETTE["blue"]}" stroke-width="3"'
                ' stroke-linejoin="round"/>')
    for p in pts:
        body.append(f'<circle cx="{svg.num(x(p.hour))}" cy="{svg.num(y(p.relative_pain))}" r="4"'
                    f' fill="{PALETTE["blue"]}" stroke="#fff" stroke-width="1"/>')
    baseline += 10
    body.append(svg.text(8, baseline, "Phases", size=small, font_weight="bold"))
    baseline += 22
    for i, (name, _, _) in enumerate(runs):
        body.append(svg.rect(8, baseline - 13, 16, 16, fill=f"url(#phase{i})", stroke=svg.INK))
        for j, row in enumerate(svg.wrap(f"{i + 1} {name}", svg.WIDTH - 40, small)):
            body.append(svg.text(32, baseline, row, size=small))
            baseline += 20
        baseline += 4
    return svg.svg_document(baseline, "Schematic pain course (illustrative)", pain_course_alt(course), body, defs)


def pain_course_figure(course: PainCourse) -> Html:
    """A schematic line of relative pain over hours, phases annotated in text, no numeric pain axis
    (with the stylesheet, which sizes the figure)."""
    document = pain_course_svg(course)
    where = ", ".join(str(n) for n in course.paragraphs)
    caption = (
        f"How back-spasm pain typically unfolds over hours, as the source describes it"
        f"{f' (paragraph {where})' if where else ''}. {course.note.rstrip('.')}: "
        "the curve shows only the shape the text describes, not measured pain."
    )
    return styled(svg.svg_figure(document, pain_course_alt(course), caption, label="pain course (illustrative)"))
