"""The risk-factor explorer rendered: one card per chosen factor, a count figure, a filterable table.

Every card says where its statement comes from ("Source, paragraph 2"). The figure counts the
student's own selection per category (or per region) and says in its caption and alt text that these
are not risk numbers: the source gives none. That sentence, and what "Not stated" means, are the
data's (``teaching_text.csv``), carried by the results; this module only frames them.
"""

from __future__ import annotations

from functools import lru_cache

from spasm_lib.html import Html, esc, join, tag
from spasm_lib.views import svg
from spasm_lib.risk_factors import (
    CATEGORY_LABELS,
    REGION_FILTER_MEANING,
    REGION_LABELS,
    UNKNOWN_CAUSE,
    ProfileResult,
    TableResult,
)

_NUMBER_WORDS = ("none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten", "eleven", "twelve")


def number_word(n: int) -> str:
    """A count in words ("none", "one", ...), digits beyond twelve."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def clause(sentence: str) -> str:
    """A data sentence set inside one of ours: its first letter lower-cased, its full stop dropped."""
    return sentence[:1].lower() + sentence[1:].rstrip(".")


def _note(result: ProfileResult) -> str:
    total = len(result.factors)
    chosen = f"{number_word(total).capitalize()} risk factor{'' if total == 1 else 's'} selected"
    return (
        f'<p class="spasm-note">{esc(chosen)}. These counts describe your selection only: '
        f"{esc(clause(result.no_numbers))}.</p>"
    )


def _contradiction(result: ProfileResult) -> str:
    known = result.known_causes_with_no_known_cause
    unknown = next(f.name for f in result.factors if f.category == UNKNOWN_CAUSE)
    listed = "; ".join(known)
    return (
        f'<p class="spasm-warning" role="note"><strong>Check this:</strong> you '
        f"selected \u201c{esc(unknown)}\u201d together with {esc(number_word(len(known)))} known "
        f"cause{'' if len(known) == 1 else 's'} ({esc(listed)}). {esc(result.contradiction_reason.rstrip('.'))}"
        '<span class="spasm-live-only">: untick it, or untick the known causes</span>.</p>'
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
            '<p>No risk factors selected yet.<span class="spasm-live-only"> Tick a risk factor or choose a '
            "sport to see what the source says about it.</span></p>"
        )
        parts.append(f'<p class="spasm-note">{esc(result.no_numbers)}</p></section>')
        return join(parts, label="risk profile")
    parts.append(_note(result))
    if result.known_causes_with_no_known_cause:
        parts.append(_contradiction(result))
    for category, members in result.by_category:
        parts.append(tag("h4", CATEGORY_LABELS[category]))
        parts.append('<ul class="spasm-cards">')
        for f in members:
            via, live = "", ""  # live: how to undo it in the explorer (a handout leaves it out)
            if f.via_sport and f.ticked:
                via = f"ticked by you; your sport, {f.via_sport}, is one of these"
            elif f.via_sport:
                via = f"added by the sport: {f.via_sport}"
                live = ". Its box is ticked because of the sport; untick it, or choose \u201cNo sport\u201d, to remove it"
            if via:
                live = f'<span class="spasm-live-only">{esc(live)}</span>' if live else ""
                via = f' <span class="spasm-via">({esc(via)}{live})</span>'
            parts.append(
                '<li class="spasm-card">'
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


def count_alt(by: str, labels: tuple[str, ...], counts: tuple[int, ...], available: tuple[int, ...],
              no_numbers: str) -> str:
    """The figure in words: every bar's count, and what the counts are not."""
    total = sum(counts)
    bars = "; ".join(f"{label}: {number_word(n)} of {a}" for label, n, a in zip(labels, counts, available))
    return (
        f"Horizontal bar chart of the {number_word(total)} selected risk "
        f"factor{'' if total == 1 else 's'} per {by}. {bars}. "
        f"The bars count your selection only; {clause(no_numbers)}."
    )


@lru_cache(maxsize=256)
def count_figure(by: str, labels: tuple[str, ...], counts: tuple[int, ...], available: tuple[int, ...],
                 no_numbers: str) -> Html:
    """The bar chart of one selection, drawn as SVG in the callback (well under a millisecond).

    No thread draws ahead. A pure function of four tuples and the data's no-numbers sentence, so a small LRU cache makes a state seen
    before a lookup: the callback stays short, and a short callback is rarely interrupted on a busy
    machine.

    One row per category (or region): its name on a line of its own (so long names never clip at
    phone width), a dashed outline as long as the factors the source names there, a hatched bar as
    long as the ones selected, and the count in words of digits ("2 of 3") beside every row, so the
    chart reads without colour and in greyscale.
    """
    if not (len(labels) == len(counts) == len(available)) or not labels:
        raise ValueError("a count chart needs one label, count and available count per row")
    left, count_column = 8.0, 72.0
    unit = (svg.WIDTH - left - count_column) / max(1, max(available))
    top, row_height = 64.0, 56.0
    defs, body = [], [
        svg.text(left, 22, f"Your selection per {by}", font_weight="bold"),
        svg.text(left, 44, "a count, not a risk measure", size=svg.SMALL_TEXT, font_style="italic"),
    ]
    for i, (label, n, a) in enumerate(zip(labels, counts, available)):
        y = top + i * row_height
        fill = f"bar{i}"
        defs.append(svg.pattern(fill, svg.CHART_COLOURS[i % len(svg.CHART_COLOURS)], svg.HATCHES[i % len(svg.HATCHES)]))
        body.append(svg.text(left, y + 16, label))
        body.append(svg.rect(left, y + 24, a * unit, 22, fill="none", stroke=svg.INK, stroke_width="1",
                             stroke_dasharray="4 3"))
        if n:
            body.append(svg.rect(left, y + 24, n * unit, 22, fill=f"url(#{fill})", stroke=svg.INK,
                                 stroke_width="1.5"))
        body.append(svg.text(left + max(available) * unit + 10, y + 41, f"{n} of {a}"))
    height = top + len(labels) * row_height + 4
    title = f"Selected risk factors per {by}"
    document = svg.svg_document(height, title, count_alt(by, labels, counts, available, no_numbers), body, defs)
    caption = (
        f"Your selected risk factors per {by} (\"n of m\": n selected of the m the source names; the "
        f"dashed outline is m, the hatched bar n). Counts of your selection only: {clause(no_numbers)}."
    )
    return svg.svg_figure(document, count_alt(by, labels, counts, available, no_numbers), caption, label="risk factor counts")


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
        result.no_numbers,
    )


TABLE_HEADINGS = ("Risk factor", "Category", "Region of the back", "Mechanism", "What the source says",
                  "Source paragraph")


def table_view(table: TableResult) -> Html:
    """The risk-factor table: one row per factor that passes the filters, prose left-aligned.

    The caption says how many of the source's factors are shown and which filters chose them (a region
    filter in words: "Upper back" includes the factors of both upper and lower back). Other names
    (synonyms) sit under each name, so a row found through one shows why. Written by hand rather than
    with pandas: the notebook then never imports pandas. Shown through ``styled``, whose table rules
    left-align every cell (JupyterLab right-aligns table cells by default).
    """
    shown = len(table.rows)
    caption = f"Risk factors the source names: {shown} of {table.total} shown"
    if table.filters_in_words:
        caption += f" ({'; '.join(table.filters_in_words)})"
    caption += f". {table.no_numbers}"
    if shown == 0:
        return Html(
            f'<p class="spasm-table-empty">{esc(caption)} No risk factor matches these filters.</p>',
            "risk factor table",
        )
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in TABLE_HEADINGS)
    body = []
    for r in table.rows:
        name = f"<strong>{esc(r.name)}</strong>"
        if r.synonyms:
            name += f'<br><span class="spasm-also-called">also called: {esc(", ".join(r.synonyms))}</span>'
        paragraph = r.source_paragraph if r.source_paragraph is not None else "beyond the source"
        cells = (name, esc(CATEGORY_LABELS[r.category]), esc(REGION_LABELS[r.region]), esc(r.mechanism),
                 esc(r.source_says), esc(paragraph))
        body.append("<tr>" + "".join(f'<td data-label="{esc(h)}">{c}</td>'
                                     for h, c in zip(TABLE_HEADINGS, cells)) + "</tr>")
    note = ""
    if any(r.region == "not-stated" for r in table.rows):
        note = (f'<p class="spasm-note">\u201c{esc(REGION_LABELS["not-stated"])}\u201d in the region column: '
                f"{esc(clause(table.not_stated))}.</p>")
    return Html(
        '<table class="spasm-table">'
        f"{tag('caption', caption)}"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{note}",
        "risk factor table",
    )


def region_filter_note(region: str) -> Html:
    """What the region filter keeps, in words; with no region chosen (""), what each choice means."""
    if region:
        text = f"Region filter \u201c{REGION_LABELS[region]}\u201d shows {REGION_FILTER_MEANING[region]}."
    else:
        text = (
            "Region filter: \u201cUpper back\u201d and \u201cLower back\u201d each include the factors the "
            "source ties to both the upper and the lower back."
        )
    return Html(f'<p class="spasm-note">{esc(text)}</p>', "region filter")
