"""Views of the treatment pathway: the flow diagram, the current step, and a patient's whole journey.

The diagram marks the current step three ways (a thick border, an orange fill and the words "You are
here"), done steps with a tick and the word "done", and skipped steps with a dashed border and the
word "skipped", so the state reads in greyscale and by screen reader (the alt text narrates it).
The figure is cached by exactly the data it draws, so stepping back and forth in the live widget
re-uses PNGs instead of re-rendering them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from functools import lru_cache

from spasm_lib import records as R
from spasm_lib.evidence import provenance_text
from spasm_lib.facts import Facts
from spasm_lib.html import table_html, PALETTE, Html, esc, figure_html, join, new_figure, tag
from spasm_lib.treatment_pathway import (
    ROUTE_CONSERVATIVE,
    ROUTE_PROMPT,
    ROUTE_URGENT,
    CheckedEvidence,
    PathwayResult,
    StepDetail,
    ordered_steps,
    outcome,
    route,
)
from spasm_lib.views.evidence import evidence_card_for

YOU_ARE_HERE = "You are here"
STATUS_WORDS = {"done": "\u2713 done", "current": "current", "upcoming": "upcoming", "skipped": "skipped"}
ROUTE_WORDS = {
    ROUTE_URGENT: "Emergency red flag: straight to urgent referral; the conservative steps are skipped.",
    ROUTE_PROMPT: "Red flags that need prompt assessment: assess promptly before relying on the conservative plan.",
    ROUTE_CONSERVATIVE: "No red flags: the conservative pathway, then reassessment.",
}


def _tint(colour: str, amount: float) -> str:
    """The colour mixed with white (``amount`` 0 = white, 1 = the colour): pale fills keep text legible."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(255 - (255 - c) * amount) for c in rgb]
    return "#" + "".join(f"{c:02X}" for c in mixed)


# Each status has its own border style and width as well as a fill, and a word in the box.
_BOX_STYLE = {
    "done": {"fill": _tint(PALETTE["sky"], 0.35), "edge": PALETTE["blue"], "lw": 1.5, "ls": "solid"},
    "current": {"fill": _tint(PALETTE["orange"], 0.45), "edge": PALETTE["black"], "lw": 4.0, "ls": "solid"},
    "upcoming": {"fill": "#FFFFFF", "edge": PALETTE["black"], "lw": 1.5, "ls": "solid"},
    "skipped": {"fill": "#FFFFFF", "edge": PALETTE["grey"], "lw": 1.5, "ls": "dashed"},
}

# A node of the figure: (key, label, status word, style key). Branch outcomes use "outcome" or "skipped".
_Node = tuple[str, str, str, str]


def diagram_data(result: PathwayResult) -> tuple[tuple[_Node, ...], tuple[tuple[str, str, str, bool], ...]]:
    """Exactly what the diagram draws, as hashable tuples (the cache key of the figure).

    Main nodes are the pathway steps; branches are (treatment name, from step id, condition, taken).
    """
    nodes = tuple(
        (s.id, f"{s.step.order}. {s.step.title}", s.status, s.status) for s in result.steps
    )
    branches = tuple((b.treatment.name, b.from_step_id, b.condition, b.taken) for b in result.branches)
    return nodes, branches


def diagram_alt(nodes: tuple[_Node, ...], branches: tuple[tuple[str, str, str, bool], ...]) -> str:
    """The diagram in words: each step with its status, each branch, and where the student is."""
    titles = {key: label for key, label, _, _ in nodes}
    steps = "; ".join(f"{label} ({status})" for _, label, status, _ in nodes)
    exits = "; ".join(
        f"from {titles[origin]}, if {condition}: {name} "
        f"({'this patient' + chr(39) + 's path' if taken else 'not taken'})"
        for name, origin, condition, taken in branches
    )
    here = next((label for _, label, status, _ in nodes if status == "current"), "none")
    return (
        f"Flow diagram of the treatment pathway. Steps in order: {steps}. "
        f"Branches: {exits}. {YOU_ARE_HERE}: {here}."
    )


def _box(ax, x: float, y: float, w: float, h: float, label: str, status_word: str, style: str) -> None:
    from matplotlib.patches import FancyBboxPatch

    st = _BOX_STYLE[style]
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.06",
            facecolor=st["fill"], edgecolor=st["edge"], linewidth=st["lw"], linestyle=st["ls"],
        )
    )
    colour = PALETTE["black"] if style != "skipped" else "#555555"
    ax.text(x, y + 0.08, textwrap.fill(label, 15), ha="center", va="center", fontsize=7.5, color=colour)
    ax.text(x, y - h / 2 + 0.09, status_word, ha="center", va="bottom", fontsize=7.5, color=colour,
            fontweight="bold", style="italic" if style == "skipped" else "normal")


def _arrow(ax, start: tuple[float, float], end: tuple[float, float], live: bool, label: str = "") -> None:
    ax.annotate(
        "", xy=end, xytext=start,
        arrowprops={
            "arrowstyle": "-|>", "color": PALETTE["black"] if live else PALETTE["grey"],
            "linewidth": 1.8 if live else 1.0, "linestyle": "solid" if live else "dashed",
            "shrinkA": 0, "shrinkB": 0,
        },
    )
    if not label:
        return
    if start[1] == end[1]:  # a horizontal arrow: the label goes under it, one word per line
        ax.text((start[0] + end[0]) / 2, start[1] - 0.08, label.replace(" ", "\n"), fontsize=7,
                ha="center", va="top", style="italic", color=PALETTE["black"])
    else:
        ax.text(start[0] + 0.05, (start[1] + end[1]) / 2, label, fontsize=7,
                ha="left", va="center", style="italic", color=PALETTE["black"])


@lru_cache(maxsize=128)
def _diagram(nodes: tuple[_Node, ...], branches: tuple[tuple[str, str, str, bool], ...]) -> Html:
    w, h, gap, top, low = 1.25, 0.95, 1.72, 1.75, 0.3
    xs = {key: i * gap for i, (key, *_rest) in enumerate(nodes)}
    status = {key: st for key, _, st, _ in nodes}
    fig = new_figure(7.6, 3.0)
    ax = fig.add_subplot()
    ax.set_xlim(-w / 2 - 0.1, xs[nodes[-1][0]] + w / 2 + 0.1)
    ax.set_ylim(low - h / 2 - 0.1, top + h / 2 + 0.35)
    ax.set_axis_off()
    for key, label, st, style in nodes:
        word = STATUS_WORDS[st]
        _box(ax, xs[key], top, w, h, label, word, style)
        if st == "current":
            ax.text(xs[key], top + h / 2 + 0.08, f"{YOU_ARE_HERE} \u25bc", ha="center", va="bottom",
                    fontsize=8.5, fontweight="bold")
    on_path = {key for key, st in status.items() if st != "skipped"}
    for (a, *_), (b, *_) in zip(nodes, nodes[1:]):
        label = "not improving" if any(o == a and c == "improving" for _, o, c, _ in branches) else ""
        _arrow(ax, (xs[a] + w / 2, top), (xs[b] - w / 2, top), a in on_path and b in on_path, label)
    for name, origin, condition, taken in branches:
        x = xs[origin]
        _box(ax, x, low, w, h * 0.8, name, "this patient's path" if taken else "skipped",
             "upcoming" if taken else "skipped")
        _arrow(ax, (x, top - h / 2), (x, low + h * 0.4), taken, condition)
    return figure_html(
        fig, diagram_alt(nodes, branches),
        "The treatment pathway (steps from the source, paragraphs 4 and 5, with the red-flag screen "
        "that current guidance puts first). Thick border and 'You are here': the current step; "
        "tick: done; dashed border: skipped for this patient.",
        label="treatment pathway diagram",
    )


def pathway_diagram(result: PathwayResult) -> Html:
    """The flow diagram for a pathway result (cached by the data it draws)."""
    return _diagram(*diagram_data(result))


# --------------------------------------------------------------------------- the current step


def _provenance(record: R.Provenance, references: Iterable[R.Reference]) -> str:
    return f'<span class="spasm-provenance">({esc(provenance_text(record, references))})</span>'


def _cards(items: Iterable[CheckedEvidence]) -> str:
    return "".join(evidence_card_for(item.check, item.references, level=5).markup for item in items)


def _flags_list(flags: Iterable[R.RedFlag]) -> str:
    return "<ul>" + "".join(f"<li>{esc(f.name)} (concern: {esc(f.concern.replace('-', ' '))})</li>" for f in flags) + "</ul>"


def _screen_section(result: PathwayResult) -> str:
    shorts = "; ".join(r.short for r in result.flag_references)
    cite = f" ({esc(shorts)})" if shorts else ""
    if result.route == ROUTE_URGENT:
        return (
            '<div class="spasm-screen-result" role="note"><p><strong>Red-flag screen: emergency.</strong> '
            f"This patient has an emergency warning sign{cite}:</p>{_flags_list(result.emergency_flags)}"
            "<p>Same-day emergency referral. Ice, rest, compression and medication are <strong>skipped"
            "</strong>: they are not started while a serious cause is suspected.</p></div>"
        )
    if result.route == ROUTE_PROMPT:
        return (
            '<div class="spasm-screen-result" role="note"><p><strong>Red-flag screen: prompt assessment.'
            f"</strong> This patient has warning signs that need prompt assessment{cite}:</p>"
            f"{_flags_list(result.prompt_flags)}"
            "<p>Arrange prompt assessment before relying on the conservative plan. One red flag alone is "
            "weak evidence: red flags are common and serious causes are rare, so a flag guides who needs "
            "further assessment; it does not make a diagnosis.</p></div>"
        )
    return (
        '<div class="spasm-screen-result" role="note"><p><strong>Red-flag screen: no warning signs.'
        "</strong> The conservative pathway follows; ask the warning-sign questions again at each review.</p></div>"
    )


def _reassess_section(result: PathwayResult) -> str:
    end = result.outcome
    if result.state.improving:
        head = "Is the treatment working? Yes, improving."
        then = f"Continue: {end.name}. {end.what_it_does}"
    else:
        head = "Is the treatment working? No, not improving."
        then = f"Next: {end.name}. {end.what_it_does}"
    return (
        f'<div class="spasm-reassess-result" role="note"><p><strong>{esc(head)}</strong> {esc(then)} '
        f"{_provenance(end, result.outcome_references)}</p></div>"
    )


def _treatment_block(detail) -> str:
    t = detail.treatment
    examples = f"<p>Examples: {esc(', '.join(t.examples))}</p>" if t.examples else ""
    left = (
        '<div class="spasm-treatment" style="flex:1 1 14em;min-width:13em;">'
        f"{tag('h5', t.name)}<p><em>Kind:</em> {esc(t.kind)}</p>"
        f"<p><strong>What it does:</strong> {esc(t.what_it_does)}</p>"
        f"<p><strong>Why:</strong> {esc(t.why)}</p>{examples}"
        f"<p>{_provenance(t, detail.references)}</p></div>"
    )
    cards = _cards(detail.evidence) or "<p>No evidence check for this treatment.</p>"
    right = f'<div class="spasm-treatment-evidence" style="flex:2 1 26em;min-width:18em;">{cards}</div>'
    return f'<div class="spasm-treatment-row" style="display:flex;flex-wrap:wrap;gap:1em;">{left}{right}</div>'


def step_view(result: PathwayResult) -> Html:
    """The current step: what happens and why, its treatments each beside its evidence checks."""
    cur: StepDetail = result.current
    step = cur.step
    parts = [
        '<section class="spasm-step">',
        tag("h3", f"Step {step.order}: {step.title} ({YOU_ARE_HERE})"),
    ]
    if result.note:
        parts.append(tag("p", result.note, cls="spasm-note"))
    parts.append(f"<p>{esc(step.summary)} {_provenance(step, cur.references)}</p>")
    if step.kind == "screen":
        parts.append(_screen_section(result))
    if step.kind == "reassess":
        parts.append(_reassess_section(result))
    if cur.treatments:
        parts.append(tag("h4", "Treatments at this step"))
        parts.extend(_treatment_block(d) for d in cur.treatments)
    if cur.other_evidence:
        parts.append(tag("h4", "Also checked at this step"))
        parts.append(_cards(cur.other_evidence))
    parts.append("</section>")
    return join(parts, label=f"pathway step: {step.id}")


def walkthrough_view(result: PathwayResult, audience: str = "student") -> Html:
    """What the walkthrough widget shows: the patient, the route, the diagram and the current step.

    The instructor audience also sees the case's teaching point.
    """
    if audience not in ("student", "instructor"):
        raise ValueError(f"unknown audience '{audience}'; expected student or instructor")
    case = result.case
    parts = [
        '<div class="spasm-walkthrough">',
        tag("h3", f"Patient: {case.title} (age {case.age})"),
        tag("p", case.story, cls="spasm-story"),
        f"<p><strong>Route:</strong> {esc(ROUTE_WORDS[result.route])}</p>",
        pathway_diagram(result).markup,
        step_view(result).markup,
    ]
    if audience == "instructor":
        parts.append(f'<p class="spasm-teaching-point"><strong>Teaching point:</strong> {esc(case.teaching_point)}</p>')
    parts.append("</div>")
    return join(parts, label=f"treatment pathway: {case.id} at {result.current.id}")


# --------------------------------------------------------------------------- the whole journey


def journey_view(facts: Facts, case: R.Case, journey: Iterable[str]) -> Html:
    """A patient's path as a numbered list: each step with its treatments, then where it ends."""
    path = tuple(journey)
    by_id = facts.by_id("pathway_steps")
    unknown = [s for s in path if s not in by_id]
    if unknown:
        raise ValueError(f"unknown pathway step(s): {', '.join(unknown)}")
    treatments = facts.by_id("treatments")
    improving = not any(by_id[s].kind == "referral" for s in path)
    end = outcome(facts, case, improving)
    parts = [
        '<section class="spasm-journey">',
        tag("h4", f"The path for: {case.title}"),
        f"<p>{esc(ROUTE_WORDS[route(facts, case)])}</p>",
        "<ol>",
    ]
    for sid in path:
        step = by_id[sid]
        names = ", ".join(treatments[t].name for t in step.treatment_ids)
        parts.append(f"<li><strong>{esc(step.title)}</strong>" + (f": {esc(names)}" if names else "") + "</li>")
    parts.append("</ol>")
    parts.append(f"<p><strong>Where it ends:</strong> {esc(end.name)}. {esc(end.what_it_does)}</p>")
    skipped = [s.title for s in ordered_steps(facts) if s.id not in path]
    if skipped:
        parts.append(f"<p><strong>Skipped for this patient:</strong> {esc('; '.join(skipped))}</p>")
    parts.append("</section>")
    return join(parts, label=f"journey: {case.id}")


def treatment_table_view(frame) -> Html:
    """The treatments table (from :func:`spasm_lib.treatment_pathway.treatment_table`) in full, escaped."""
    caption = "Treatments in this course: the source's first, then those current guidance adds."
    return table_html(frame, caption, "treatment table")
