"""The disclaimer at the top of every notebook, from the package's one wording (:data:`spasm_lib.DISCLAIMER`).

A notebook shows it as the output of its setup cell, so its words are written once, in the package; a
handout prints the same words in its header instead (the setup cell is ``live-only``).
"""

from __future__ import annotations

from spasm_lib import DISCLAIMER
from spasm_lib.html import Html, esc
from spasm_lib.views.style import styled


def disclaimer_view() -> Html:
    """The disclaimer as a framed note: "Not medical advice." in words, then the package's wording."""
    return styled(Html(
        '<div class="spasm-disclaimer" role="note">'
        f"<p><strong>Not medical advice.</strong> {esc(DISCLAIMER)}</p></div>",
        "disclaimer",
    ))
