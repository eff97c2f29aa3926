"""A class's virtual patients as data, for an instructor's gradebook, LMS or spreadsheet.

``spasm-teach patients --count N --seed S`` exports exactly the patients that
``spasm-teach handouts --students N --seed S`` puts in the students' handouts
(:func:`spasm_lib.class_mix.class_patients`), one record each, with the answers: the
findings of a full examination, the interpretation, the triage level and the model plan.

The format (documented in the README, "Exporting a class's patients"):

* JSON: an array of objects, keys in a fixed order, two-space indent, UTF-8, one newline at the end;
* CSV: one row per patient with the same fields; lists joined with ``;``, findings as
  ``step_id:finding_id`` and the plan as step ids, in order; ``how_soon`` as ``concern: timeframe``
  entries joined with `` | `` (the timeframes are sentences that may hold a ``;``); a cell a
  spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return at the start) starts with an apostrophe
  (:func:`spasm_lib.files.spreadsheet_cell`).

Same count and seed, same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from spasm_lib.case_study import full_examination
from spasm_lib.exam_findings import examine
from spasm_lib.tables import Facts
from spasm_lib.files import spreadsheet_cell
from spasm_lib.patient_codes import encode
from spasm_lib.treatment_pathway import model_plan
from spasm_lib.class_mix import DEFAULT_MIX, ClassPatient, class_patients

FORMATS = ("json", "csv")
CSV_COLUMNS = (
    "id", "number", "seed", "code", "age", "story", "region", "presentation", "risk_factor_ids", "red_flag_ids",
    "yellow_flag_ids", "tissue_injury", "radicular", "findings", "interpretation_id", "interpretation_group",
    "triage", "how_soon", "plan",
)


def patient_record(facts: Facts, patient: ClassPatient, width: int = 2) -> dict[str, Any]:
    """One patient as plain data (the JSON object; the CSV row flattens it)."""
    case = patient.case
    findings = examine(facts, full_examination(facts, case), case).findings
    plan = model_plan(facts, case)
    return {
        "id": f"patient-{patient.number:0{width}d}",
        "number": patient.number,
        "seed": patient.seed,
        "code": encode(patient.seed),
        "age": case.age,
        "story": case.story,
        "region": case.spasm_site,
        "presentation": case.presentation_id,
        "risk_factor_ids": list(case.risk_factor_ids),
        "red_flag_ids": list(case.red_flag_ids),
        "yellow_flag_ids": list(case.yellow_flag_ids),
        "tissue_injury": case.tissue_injury,
        "radicular": case.radicular,
        "findings": [{"step_id": f.step_id, "finding_id": f.finding_id, "text": f.full_text} for f in findings],
        "interpretation_id": case.interpretation_id,
        "interpretation_group": facts.by_id("interpretations")[case.interpretation_id].group,
        "triage": plan.triage.id,
        "how_soon": [{"concern": what, "timeframe": when} for what, when in plan.triage.actions],
        "plan": [{"step_id": p.step_id, "title": p.title, "kind": p.kind} for p in plan.steps],
    }


def patient_records(facts: Facts, count: int, seed: int, mix: str = DEFAULT_MIX) -> list[dict[str, Any]]:
    width = max(2, len(str(count)))
    return [patient_record(facts, p, width) for p in class_patients(facts, count, seed, mix)]


def _flat(value: Any, key: str) -> str:
    if key == "findings":
        return ";".join(f"{f['step_id']}:{f['finding_id']}" for f in value)
    if key == "plan":
        return ";".join(p["step_id"] for p in value)
    if key == "how_soon":
        return " | ".join(f"{a['concern']}: {a['timeframe']}" for a in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def export(facts: Facts, count: int, seed: int, fmt: str = "json", mix: str = DEFAULT_MIX) -> str:
    """The class's patients as JSON or CSV text."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format '{fmt}'; expected one of: {', '.join(FORMATS)}")
    records = patient_records(facts, count, seed, mix)
    if fmt == "json":
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in records:
        writer.writerow([spreadsheet_cell(_flat(r[k], k)) for k in CSV_COLUMNS])
    return out.getvalue()
