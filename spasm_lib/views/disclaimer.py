"""The disclaimer at the top of every notebook, from the package's one wording (:data:`spasm_lib.DISCLAIMER`).

A notebook shows it as the output of its setup cell, so its words are written once, in the package; a
handout prints the same words in its header instead (the setup cell is ``live-only``).
"""

from __future__ import annotations

from spasm_lib import DISCLAIMER
from spasm_lib.html import Html, esc


def disclaimer_view() -> Html:
    """The disclaimer as a note: "Not medical advice." in words, then the package's wording."""
    return Html(
        '<div class="spasm-disclaimer" role="note" style="border:2px solid #000;padding:0.4em 0.8em;margin:0.4em 0;">'
        f"<p><strong>Not medical advice.</strong> {esc(DISCLAIMER)}</p></div>",
        "disclaimer",
    )
