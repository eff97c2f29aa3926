"""Formula injection: every CSV the package writes shows a formula-looking cell as text."""

from __future__ import annotations

import csv
import io

from spasm_lib import patients
from spasm_lib.facts import load_facts


def test_patients_csv_neutralises_formula_cells(monkeypatch):
    facts = load_facts()
    records = patients.patient_records(facts, 2, 7)
    records[0]["story"] = '=HYPERLINK("http://evil.invalid","x")'
    records[1]["story"] = "+1"
    monkeypatch.setattr(patients, "patient_records", lambda *_: records)
    rows = list(csv.DictReader(io.StringIO(patients.export(facts, 2, 7, "csv"))))
    assert rows[0]["story"] == "'=HYPERLINK(\"http://evil.invalid\",\"x\")"
    assert rows[1]["story"] == "'+1"
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row.values())
