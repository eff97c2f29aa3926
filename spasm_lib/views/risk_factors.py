"""The risk-factor explorer rendered: one card per chosen factor, a count figure, a filterable table.

Every card says where its statement comes from ("Source, paragraph 2"). The figure counts the
student's own selection per category (or per region) and says in its caption and alt text that these
are not risk numbers: the source gives none.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import TYPE_CHECKING

from spasm_lib.html import table_html, HATCHES, PALETTE, Html, esc, figure_html, join, new_figure, tag
from spasm_lib.risk_factors import CATEGORY_LABELS, NO_NUMBERS_NOTE, REGION_LABELS, ProfileResult

if TYPE_CHECKING:  # pragma: no cover
    import pandas

_BAR_COLOURS = ("orange", "sky", "green", "yellow", "blue", "vermillion", "purple", "grey")
_NUMBER_WORDS = ("none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten", "eleven", "twelve")
_CARD = "border:1px solid #999;border-radius:4px;padding:0.4em 0.8em;margin:0.4em 0;list-style:none;"


def number_word(n: int) -> str:
    """A count in words ("none", "one", ...), digits beyond twelve."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def _note(result: ProfileResult) -> str:
    total = len(result.factors)
    chosen = f"{number_word(total).capitalize()} risk factor{'' if total == 1 else 's'} selected"
    return (
        f'<p class="spasm-note">{esc(chosen)}. These counts describe your selection only: '
        f"{esc(NO_NUMBERS_NOTE)}.</p>"
    )


def profile_view(result: ProfileResult) -> Html:
    """A card per chosen factor, grouped by category, each with its mechanism and its source."""
    parts = ['<section class="spasm-risk-profile">', tag("h3", "Your risk profile")]
    if result.sport_name:
        movements = ", ".join(result.sport_movements)
        parts.append(
            f"<p><strong>Sport:</strong> {esc(result.sport_name)}"
            + (f" ({esc(movements)})" if movements else "")
            + "</p>"
        )
    if result.empty:
        parts.append(
            "<p>No risk factors selected yet. Tick a risk factor or choose a sport to see what the "
            "source says about it.</p>"
        )
        parts.append(f'<p class="spasm-note">{esc(NO_NUMBERS_NOTE.capitalize())}.</p></section>')
        return join(parts, label="risk profile")
    parts.append(_note(result))
    for category, members in result.by_category:
        parts.append(tag("h4", CATEGORY_LABELS[category]))
        parts.append('<ul class="spasm-cards" style="padding-left:0">')
        for f in members:
            via = ""
            if f.via_sport:
                via = f' <span class="spasm-via">(added by the sport: {esc(f.via_sport)})</span>'
            parts.append(
                f'<li class="spasm-card" style="{_CARD}">'
                f"<p><strong>{esc(f.name)}</strong>{via}</p>"
                "<dl>"
                f"<dt>Category</dt><dd>{esc(f.category_label)}</dd>"
                f"<dt>Region of the back</dt><dd>{esc(f.region_label)}</dd>"
                f"<dt>Mechanism</dt><dd>{esc(f.mechanism)}</dd>"
                f"<dt>What the source says</dt><dd>{esc(f.source_says)}</dd>"
                "</dl>"
                f'<p class="spasm-provenance">{esc(f.citation)}</p>'
                "</li>"
            )
        parts.append("</ul>")
    parts.append("</section>")
    return join(parts, label="risk profile")


def profile_figure(result: ProfileResult, by: str = "category") -> Html:
    """Horizontal bars: how many of the chosen factors fall in each category (or region)."""
    return count_figure(*figure_key(result, by))


def count_alt(by: str, labels: tuple[str, ...], counts: tuple[int, ...], available: tuple[int, ...]) -> str:
    """The figure in words: every bar's count, and what the counts are not."""
    total = sum(counts)
    bars = "; ".join(f"{label}: {number_word(n)} of {a}" for label, n, a in zip(labels, counts, available))
    return (
        f"Horizontal bar chart of the {number_word(total)} selected risk "
        f"factor{'' if total == 1 else 's'} per {by}. {bars}. "
        f"The bars count your selection only; {NO_NUMBERS_NOTE}."
    )


_FIGURES: dict[tuple, Html] = {}
_RENDER_LOCK = threading.Lock()
_foreground_waiting = 0  # changed only by callers of count_figure (the kernel's main thread)


def count_figure(by: str, labels: tuple[str, ...], counts: tuple[int, ...], available: tuple[int, ...]) -> Html:
    """The bar chart, cached by what it shows.

    Rendering a PNG takes tens of milliseconds, far over a widget callback's budget, while the
    charts a class can ask for are few (a few hundred count combinations), so each is drawn once.
    A lock keeps the cache consistent when the explorer warms it from a background thread
    (:func:`draw_in_background`), and a chart asked for here goes before any background drawing.
    """
    global _foreground_waiting
    key = (by, labels, counts, available)
    found = _FIGURES.get(key)
    if found is None:
        _foreground_waiting += 1
        try:
            with _RENDER_LOCK:
                found = _FIGURES.get(key)
                if found is None:
                    found = _FIGURES[key] = _draw_count_figure(*key)
        finally:
            _foreground_waiting -= 1
    return found


def draw_in_background(key: tuple) -> None:
    """Draw the chart of a :func:`figure_key` into the cache unless it is there, yielding to
    any chart a callback is waiting for."""
    while _foreground_waiting:
        time.sleep(0.002)
    if key in _FIGURES:
        return
    with _RENDER_LOCK:
        if key not in _FIGURES:
            _FIGURES[key] = _draw_count_figure(*key)


def keys_nearby(key: tuple, radius: int = 2) -> tuple[tuple, ...]:
    """The charts a few clicks away from a :func:`figure_key`, nearest first.

    One click (a checkbox, or the sport) changes one count by one, so the charts ``radius`` clicks
    away are those whose counts differ by at most ``radius`` in all, within what is available.
    """
    by, labels, counts, available = key
    ranges = [range(max(0, c - radius), min(a, c + radius) + 1) for c, a in zip(counts, available)]

    def distance(other: tuple[int, ...]) -> int:
        return sum(abs(x - c) for x, c in zip(other, counts))

    near = [v for v in itertools.product(*ranges) if 0 < distance(v) <= radius]
    near.sort(key=distance)
    return tuple((by, labels, v, available) for v in near)


def is_drawn(key: tuple) -> bool:
    """Whether the chart of a :func:`figure_key` is in the cache."""
    return key in _FIGURES


def clear_figure_cache() -> None:
    with _RENDER_LOCK:
        _FIGURES.clear()


def figure_key(result: ProfileResult, by: str = "category") -> tuple:
    """The arguments :func:`profile_figure` passes to :func:`count_figure` for a result."""
    if by == "category":
        counts, available, labels = result.category_counts, result.category_available, CATEGORY_LABELS
    elif by == "region":
        counts, available, labels = result.region_counts, result.region_available, REGION_LABELS
    else:
        raise ValueError(f"unknown grouping '{by}'; expected one of: category, region")
    return (
        by,
        tuple(labels[key] for key, _ in counts),
        tuple(n for _, n in counts),
        tuple(n for _, n in available),
    )


def _draw_count_figure(by: str, labels: tuple[str, ...], counts: tuple[int, ...], available: tuple[int, ...]) -> Html:
    height = 0.42 * len(labels) + 0.9
    fig = new_figure(5.2, height)
    # Fixed margins rather than constrained layout (less work per drawing); the PNG is cropped tight.
    fig.set_layout_engine("none")
    ax = fig.add_axes((0.4, 0.65 / height, 0.56, 1 - 0.8 / height))
    positions = range(len(labels))
    bars = ax.barh(positions, counts, height=0.6, edgecolor="black", linewidth=0.8)
    for i, bar in enumerate(bars):
        bar.set_facecolor(PALETTE[_BAR_COLOURS[i % len(_BAR_COLOURS)]])
        bar.set_hatch(HATCHES[1 + i % (len(HATCHES) - 1)])
    for i, (n, a) in enumerate(zip(counts, available)):
        ax.text(n + 0.08, i, f"{n} of {a}", va="center", fontsize=9)
    ax.set_yticks(list(positions), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, max(available) + 0.9)
    ax.set_xticks(range(max(available) + 1))  # whole numbers only: these are counts
    ax.set_xlabel("Number of selected risk factors (not a risk measure)")
    ax.set_ylabel("Risk category" if by == "category" else "Region of the back")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    caption = (
        f"Your selected risk factors per {by} (\"n of m\": n selected of the m the source names). "
        f"Counts of your selection only: {NO_NUMBERS_NOTE}."
    )
    return figure_html(fig, count_alt(by, labels, counts, available), caption, label="risk factor counts")


def table_view(frame: pandas.DataFrame, caption: str | None = None) -> Html:
    """A risk-factor table (from :func:`spasm_lib.risk_factors.risk_factor_table`), escaped, captioned."""
    shown = len(frame)
    text = caption or (
        f"Risk factors the source names: {shown} shown. {NO_NUMBERS_NOTE.capitalize()}."
    )
    if shown == 0:
        return Html(
            f'<p class="spasm-table-empty">{esc(text)} No risk factor matches these filters.</p>',
            "risk factor table",
        )
    frame = frame.rename(
        columns={
            "name": "Risk factor",
            "category": "Category",
            "region": "Region of the back",
            "mechanism": "Mechanism",
            "source_says": "What the source says",
            "source_paragraph": "Source paragraph",
        }
    )
    return table_html(frame, text, "risk factor table")
