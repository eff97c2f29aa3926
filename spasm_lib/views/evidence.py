"""Evidence cards: the source's statement and current guidance in two columns, with a verdict in words.

The card is the same wherever advice is taught (the start notebook, the pathway, the case study), so a
student learns to read one layout. The verdict is a word label with a border style, never a colour
alone (each verdict's class in :mod:`spasm_lib.views.style`), and references are printed in full (no
links: handouts work offline).
"""

from __future__ import annotations

from collections.abc import Iterable

from spasm_lib import records as R
from spasm_lib.evidence import CheckedEvidence, verdict_label
from spasm_lib.html import Html, esc, join, tag
from spasm_lib.views.style import styled


def source_heading(check: R.EvidenceCheck) -> str:
    """The heading of the source column: it names the paragraph, or says the source is silent."""
    if check.source_paragraph is None:
        return "What the source says (nothing: this is beyond the source)"
    return f"What the source says (paragraph {check.source_paragraph})"


def evidence_card(item: CheckedEvidence, level: int = 3) -> Html:
    """One evidence check as a card: source column, guidance column, verdict, references.

    ``level`` is the card's heading level (its parts are one below), so a card keeps the page's
    headings in order wherever it stands: 3 under a notebook section, deeper inside another view.
    """
    check, refs = item.check, item.references
    top, sub = f"h{level}", f"h{min(level + 1, 6)}"
    shorts = "; ".join(r.short for r in refs)
    verdict = verdict_label(check)
    parts = [
        f'<section class="spasm-evidence" aria-label="{esc("Evidence check: " + check.topic)}">',
        tag(top, f"Evidence check: {check.topic}"),
        f'<p class="spasm-verdict spasm-verdict-{esc(check.verdict)}">'
        f"<strong>Verdict: {esc(verdict)}</strong></p>",
        '<div class="spasm-columns">',
        '<div class="spasm-source-says">',
        tag(sub, source_heading(check)),
        tag("p", check.source_says),
        "</div>",
        '<div class="spasm-guidance-says">',
        tag(sub, "Evidence check: what current guidance says"),
        tag("p", check.guidance_says),
        tag("p", f"({shorts})", cls="spasm-short-citations") if shorts else "",
        "</div>",
        "</div>",
    ]
    if refs:
        parts.append(tag(sub, "References"))
        parts.append('<ul class="spasm-references">')
        parts.extend(
            f"<li><strong>{esc(r.short)}</strong>: {esc(r.citation)}</li>" for r in refs
        )
        parts.append("</ul>")
    parts.append("</section>")
    return join(parts, label=f"evidence check: {check.id}")


def card_list(items: Iterable[CheckedEvidence], level: int = 3) -> Html:
    """Several cards, in the order given, for a view that shows them inside its own (styled) page."""
    return join((evidence_card(item, level) for item in items), label="evidence checks")


def evidence_cards(items: Iterable[CheckedEvidence], level: int = 3) -> Html:
    """Several cards as a notebook cell shows them, with the stylesheet, in the order given
    (:func:`spasm_lib.evidence.checked_evidence` chooses them)."""
    return styled(card_list(items, level))
