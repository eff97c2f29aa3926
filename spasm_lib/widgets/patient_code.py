"""The box where a student types the patient code printed on their handout.

The exam simulator (02), the pathway walk (03) and the case study (04) each put one above their
patient: typed once (Enter, or leaving the box), a valid code gives the student's own virtual
patient (:func:`spasm_lib.patient_codes.decode` names its seed); a mistyped one says what is wrong
and changes nothing. The code is read on the student's machine; nothing is sent anywhere.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as W

from spasm_lib.html import esc
from spasm_lib.patient_codes import EXAMPLE, PatientCodeError, decode, encode

LABEL = "Your patient code (on your handout)"


class PatientCodeBox(W.VBox):
    """A labelled text box and a status line; calls ``on_seed(seed)`` for each valid code."""

    def __init__(self, on_seed: Callable[[int], None]):
        self.on_seed = on_seed
        self.code = W.Text(value="", placeholder=f"such as {EXAMPLE}", description=LABEL,
                           tooltip=LABEL, continuous_update=False, style={"description_width": "initial"},
                           layout=W.Layout(width="100%", max_width="30em"))
        self.status = W.HTML()
        self.code.observe(lambda change: self.enter(change["new"]), names="value")
        super().__init__([self.code, self.status])

    def enter(self, text: str) -> int | None:
        """Read a typed code: the seed it names (and ``on_seed`` called), or ``None`` with a message."""
        if not text.strip():
            self.status.value = ""
            return None
        try:
            seed = decode(text)
        except PatientCodeError as exc:
            self.status.value = f'<p class="spasm-alert" role="status">{esc(str(exc).capitalize())}.</p>'
            return None
        self.status.value = f'<p role="status">Your patient: code <strong>{esc(encode(seed))}</strong>.</p>'
        self.on_seed(seed)
        return seed
