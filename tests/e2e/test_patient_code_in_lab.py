"""Issue 22, item 7, in JupyterLab: a student types the code printed on their handout into the
exam simulator (02) and the case study (04) and meets their own patient; a typo is refused.

The code is worked by hand: 1234567 is 15NM7 in Crockford's Base32 with check symbol S
(1234567 = 37 * 33366 + 25); typed in lower case, as a student might.
"""

from __future__ import annotations

import pytest

from spasm_lib.facts import load_facts
from spasm_lib.virtual_patients import virtual_patient

from .conftest import SCREENSHOTS, expect

pytestmark = pytest.mark.e2e

FACTS = load_facts()
LABEL = "Your patient code (on your handout)"
PATIENT = virtual_patient(FACTS, 1234567)
CALLS = {"02_exam_simulator.ipynb": "exam_simulator(", "04_case_study.ipynb": "case_study_for("}


@pytest.mark.parametrize("notebook", list(CALLS))
def test_the_code_on_the_handout_brings_the_students_patient(lab_notebook, notebook):
    nb = lab_notebook(notebook)
    cell = nb.cell_with(CALLS[notebook])
    box = cell.get_by_role("textbox", name=LABEL)
    expect(box).to_have_count(1)
    story = " ".join(PATIENT.story.split()[:12])
    expect(cell).not_to_contain_text(story)

    box.fill("15n-m7t")  # the last character mistyped
    box.press("Enter")
    expect(cell.get_by_role("status").filter(has_text="typing mistake")).to_have_count(1)
    expect(cell).not_to_contain_text(story)

    box.fill("15n-m7s")
    box.press("Enter")
    expect(cell.get_by_role("status").filter(has_text="Your patient: code 15N-M7S")).to_have_count(1)
    expect(cell).to_contain_text(story)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    box.scroll_into_view_if_needed()
    cell.page.screenshot(path=str(SCREENSHOTS / f"patient-code-{notebook.split('_')[0]}.png"))
