"""The glossary as a definition list (``<dl>``), which screen readers announce as term and definition."""

from __future__ import annotations

from collections.abc import Iterable

from spasm_lib.glossary import GlossaryEntry
from spasm_lib.html import Html, esc, join


def glossary_view(entries: Iterable[GlossaryEntry]) -> Html:
    """Terms and definitions (:func:`spasm_lib.glossary.glossary`), each followed by where it comes from."""
    parts = ['<dl class="spasm-glossary">']
    for t in entries:
        parts.append(f'<dt id="{esc("term-" + t.id)}"><strong>{esc(t.term)}</strong></dt>')
        parts.append(
            f"<dd>{esc(t.definition)} "
            f'<span class="spasm-provenance">({esc(t.where_from)})</span></dd>'
        )
    parts.append("</dl>")
    return join(parts, label="glossary")
