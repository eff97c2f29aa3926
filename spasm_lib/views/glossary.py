"""The glossary as a definition list (``<dl>``), which screen readers announce as term and definition."""

from __future__ import annotations

from collections.abc import Iterable

from spasm_lib.evidence import provenance_label, references_for
from spasm_lib.facts import Facts
from spasm_lib.glossary import glossary_terms
from spasm_lib.html import Html, esc, join


def _where_from(facts: Facts, term) -> str:
    """A general definition is not the source's claim: it says so, and where the source uses the term."""
    if term.definition_from == "general":
        refs = "".join(f"; {r.short}" for r in references_for(facts, term))
        return f"general definition; the source uses the term in paragraph {term.source_paragraph}{refs}"
    return provenance_label(facts, term)


def glossary_view(facts: Facts, terms: Iterable[str] | None = None) -> Html:
    """Terms and definitions, each definition followed by where it comes from."""
    parts = ['<dl class="spasm-glossary">']
    for t in glossary_terms(facts, terms):
        parts.append(f'<dt id="{esc("term-" + t.id)}"><strong>{esc(t.term)}</strong></dt>')
        parts.append(
            f"<dd>{esc(t.definition)} "
            f'<span class="spasm-provenance">({esc(_where_from(facts, t))})</span></dd>'
        )
    parts.append("</dl>")
    return join(parts, label="glossary")
