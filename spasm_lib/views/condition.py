"""The condition explained (definition, mechanism, symptoms, time course) and the schematic pain curve.

Every statement carries "Source, paragraph N" so a student can go back to the text. The pain curve
has no numeric pain axis: the source gives a shape (manageable at first, worse after a few hours, then
keeping still), not numbers, so the figure says "Illustrative" in the plot, the caption and the alt text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from spasm_lib import records as R
from spasm_lib.condition import ASPECT_TITLES, condition_facts, phases
from spasm_lib.evidence import provenance_label
from spasm_lib.facts import Facts
from spasm_lib.html import HATCHES, PALETTE, Html, esc, figure_html, join, new_figure, tag

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

ILLUSTRATIVE_NOTE = "Illustrative: the source gives no numbers"
Y_LABEL = "relative pain (illustrative)"
X_LABEL = "hours after the spasm starts (schematic)"
_PHASE_FILLS = ("sky", "orange", "green", "purple", "yellow", "grey")


def condition_view(facts: Facts) -> Html:
    """The condition in four sections, each statement with where it comes from."""
    parts = ['<section class="spasm-condition">']
    for aspect, title in ASPECT_TITLES.items():
        rows = condition_facts(facts, aspect)
        if not rows:
            continue
        parts.append(tag("h3", title))
        parts.append("<ul>")
        for row in rows:
            parts.append(
                f"<li>{esc(row.statement)} "
                f'<span class="spasm-provenance">({esc(provenance_label(facts, row))})</span></li>'
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


def pain_course_alt(points: Sequence[R.PainCoursePoint]) -> str:
    """The curve's shape in words, phase by phase, for screen readers and text-only handouts."""
    pts = tuple(points)
    if not pts:
        raise ValueError("the pain course needs at least one point")
    runs = phases(pts)
    peak = max(pts, key=lambda p: p.relative_pain)
    sentences = [
        f"Schematic line of relative pain over {_hours(pts[0].hour)} to {_hours(pts[-1].hour)} hours "
        "after the spasm starts, with no pain values on the vertical axis."
    ]
    previous = pts[0].relative_pain
    for name, start, end in runs:
        inside = [p for p in pts if start <= p.hour <= end and p.phase == name]
        last = inside[-1].relative_pain
        trend = _trend(previous, last)
        span = f"hour {_hours(start)}" if start == end else f"hours {_hours(start)} to {_hours(end)}"
        sentences.append(f"{name.capitalize()} ({span}): the pain {trend}.")
        previous = last
    sentences.append(f"The pain is highest at hour {_hours(peak.hour)} ({peak.phase}).")
    sentences.append(ILLUSTRATIVE_NOTE + ".")
    return " ".join(sentences)


def pain_course_plot(points: Sequence[R.PainCoursePoint]) -> Figure:
    """The matplotlib figure of :func:`pain_course_figure` (a bare Figure, for inspection in tests)."""
    pts = tuple(points)
    if not pts:
        raise ValueError("the pain course needs at least one point")
    hours = [p.hour for p in pts]
    pain = [p.relative_pain for p in pts]
    runs = phases(pts)

    fig = new_figure(6.8, 4.2)
    grid = fig.add_gridspec(2, 1, height_ratios=(3.2, 1.0))
    ax = fig.add_subplot(grid[0])
    key = fig.add_subplot(grid[1])
    key.set_axis_off()
    top = max(pain) * 1.2 if max(pain) > 0 else 1.0
    # Each phase is a shaded band with its own hatch and a number; the key below the plot names the
    # numbered phases in words, so the phases read in greyscale and without colour, even when a band
    # is too narrow for its name.
    rows = (len(runs) + 1) // 2
    for i, (name, start, end) in enumerate(runs):
        right = runs[i + 1][1] if i + 1 < len(runs) else end
        if right == start:
            right = start + 0.5
        ax.axvspan(
            start, right, facecolor=PALETTE[_PHASE_FILLS[i % len(_PHASE_FILLS)]], alpha=0.18,
            hatch=HATCHES[(i + 1) % len(HATCHES)], edgecolor=PALETTE["grey"], linewidth=0,
        )
        if i:
            ax.axvline(start, color=PALETTE["black"], linestyle=":", linewidth=1)
        ax.text((start + right) / 2, top * 0.98, str(i + 1), ha="center", va="top", fontsize=8,
                fontweight="bold", color=PALETTE["black"])
        column, row = divmod(i, rows)
        key.text(0.01 + 0.5 * column, 1 - (row + 0.5) / rows, f"{i + 1}  {name}", ha="left",
                 va="center", fontsize=8, transform=key.transAxes)
    ax.plot(hours, pain, color=PALETTE["blue"], marker="o", linewidth=2.2, markersize=5)
    ax.set_xlim(min(hours), max(max(hours), runs[-1][2]))
    ax.set_ylim(0, top)
    ax.set_yticks([0, max(pain)], ["less", "more"])
    ax.set_ylabel(Y_LABEL)
    ax.set_xlabel(X_LABEL)
    ax.text(
        0.99, 0.03, ILLUSTRATIVE_NOTE, transform=ax.transAxes, ha="right", va="bottom", fontsize=9,
        style="italic", bbox={"facecolor": "white", "edgecolor": PALETTE["black"], "linewidth": 0.8},
    )
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def pain_course_figure(points: Sequence[R.PainCoursePoint]) -> Html:
    """A schematic line of relative pain over hours, phases annotated in text, no numeric pain axis."""
    pts = tuple(points)
    fig = pain_course_plot(pts)

    paragraphs = sorted({p.source_paragraph for p in pts if p.source_paragraph is not None})
    where = ", ".join(str(n) for n in paragraphs)
    caption = (
        f"How back-spasm pain typically unfolds over hours, as the source describes it"
        f"{f' (paragraph {where})' if where else ''}. {ILLUSTRATIVE_NOTE}: "
        "the curve shows only the shape the text describes, not measured pain."
    )
    return figure_html(fig, pain_course_alt(pts), caption, label="pain course (illustrative)")
