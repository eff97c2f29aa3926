"""Choosing a patient: the box where a student types the patient code printed on their handout,
and :class:`PatientPicker`, the one patient chooser of the exam simulator (02) and the pathway walk (03).

The exam simulator, the pathway walk and the case study (04) each put a code box above their
patient: typed once (Enter, or leaving the box), a valid code gives the student's own virtual
patient (:func:`spasm_lib.patient_codes.decode` names its seed); a mistyped one says what is wrong
and changes nothing. The code is read on the student's machine; nothing is sent anywhere.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as W

from spasm_lib import records as R
from spasm_lib.facts import RANDOM_CASE
from spasm_lib.tables import Facts
from spasm_lib.html import esc
from spasm_lib.patient_codes import EXAMPLE, PatientCodeError, decode, encode
from spasm_lib.virtual_patients import MAX_SEED, case_for

LABEL = "Your patient code (on your handout)"
RANDOM_LABEL = "Random virtual patient"
_WIDE = {"description_width": "initial"}


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


class PatientPicker(W.VBox):
    """The code box, a menu of the course's patients and "Random virtual patient", and the virtual
    patient's number (shown only for a random patient).

    ``patient`` is the chosen patient (:func:`spasm_lib.virtual_patients.case_for`, the one lookup);
    ``on_change()`` is called once for each new patient, never when a control changes nothing (the
    number of a hidden seed, a code naming the patient already shown).
    """

    def __init__(self, facts: Facts, case_id: str, seed: int, on_change: Callable[[], None]):
        self.facts = facts
        self.on_change = on_change
        self.patient_code = PatientCodeBox(self.use_seed)
        self.case = W.Dropdown(
            options=[(c.title, c.id) for c in facts.cases] + [(RANDOM_LABEL, RANDOM_CASE)],
            value=case_id, description="Patient", style=_WIDE, layout=W.Layout(width="100%", max_width="36em"),
        )
        self.seed = W.BoundedIntText(value=seed, min=0, max=MAX_SEED, description="Virtual patient number (seed)",
                                     style=_WIDE, layout=W.Layout(width="20em"))
        self.patient: R.Case = case_for(facts, case_id, seed)
        self._show_seed()
        self.case.observe(self._changed, names="value")
        self.seed.observe(self._changed, names="value")
        super().__init__([self.patient_code, W.HBox([self.case, self.seed], layout=W.Layout(flex_flow="row wrap"))])

    def use_seed(self, seed: int) -> None:
        """The virtual patient of ``seed`` (a student's patient code names it)."""
        self.seed.value = seed
        self.case.value = RANDOM_CASE

    def _show_seed(self) -> None:
        self.seed.layout.display = "" if self.case.value == RANDOM_CASE else "none"

    def _changed(self, _change: dict) -> None:
        self._show_seed()
        patient = case_for(self.facts, self.case.value, self.seed.value)
        if patient != self.patient:
            self.patient = patient
            self.on_change()
