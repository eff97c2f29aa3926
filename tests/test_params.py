"""Parameter validation: the same one-line errors for `render` and inside every notebook."""

from __future__ import annotations

import csv
import io
import types

import pytest

from spasm_lib.facts import load_facts
from spasm_lib.params import (NOTEBOOK_PARAMETERS, ParameterError, defaults, notebook_key,
                              use_parameters, validate)


def error(notebook, values) -> str:
    with pytest.raises(ParameterError) as caught:
        validate(notebook, values)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_defaults_are_valid_for_every_notebook():
    for notebook in NOTEBOOK_PARAMETERS:
        assert validate(notebook, {}) == defaults(notebook)


def test_unknown_name_lists_the_known_ones():
    message = error("01_risk_factors", {"sprot": "golf"})
    assert "'sprot'" in message and "risk_factors, sport, interactive, audience" in message


def test_value_outside_the_allowed_set():
    message = error("01_risk_factors", {"sport": "chess"})
    assert "'sport'" in message and "'chess' is not allowed" in message
    assert "baseball, football, golf, none" in message


def test_list_items_are_checked_one_by_one():
    message = error("01_risk_factors", {"risk_factors": "arthritis, luck"})
    assert "'risk_factors'" in message and "'luck'" in message and "tender-muscles" in message


def test_lists_from_papermill_text():
    got = validate("01_risk_factors", {"risk_factors": "arthritis; idiopathic"})
    assert got["risk_factors"] == ["arthritis", "idiopathic"]


@pytest.mark.parametrize("value", ["five", 5.5, True])
def test_whole_number_required(value):
    assert "expected a whole number" in error("02_exam_simulator", {"seed": value})


def test_bool_from_text_and_bad_bool():
    assert validate("00_start_here", {"interactive": "False"})["interactive"] is False
    assert "expected True or False" in error("00_start_here", {"interactive": "maybe"})


def test_audience():
    assert "student, instructor" in error("04_case_study", {"audience": "teacher"})


def test_unknown_notebook():
    with pytest.raises(ParameterError, match="unknown notebook; expected one of: 00_start_here"):
        notebook_key("notebooks/99_nothing.ipynb")


def test_notebook_names_in_any_spelling():
    assert notebook_key("notebooks/02_exam_simulator.ipynb") == notebook_key("02-exam-simulator") == "02_exam_simulator"


def test_use_parameters_catches_an_injected_typo():
    injected = '# Parameters\nsprot = "golf"\n'  # papermill's injected cell, in IPython's input history
    namespace = {**defaults("01_risk_factors"), "sprot": "golf", "In": ["", injected], "_i1": "x", "types": types}
    with pytest.raises(ParameterError, match="'sprot'"):
        use_parameters("01_risk_factors", namespace)


def test_use_parameters_ignores_objects_the_notebook_made():
    namespace = {**defaults("03_treatment_pathway"), "facts": load_facts(), "load_facts": load_facts,
                 "params": types.SimpleNamespace(x=1)}
    params = use_parameters("03_treatment_pathway", namespace)
    assert params.step == "red-flag-screen" and params.improving is False


def test_cases_file_adds_cases(tmp_path):
    facts = load_facts()
    frame = facts.frame("cases")
    row = frame.iloc[0].to_dict()
    row.update(id="my-own-case", title="<script>alert(1)</script>")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(frame.columns), lineterminator="\n")
    writer.writeheader()
    writer.writerow({k: ("yes" if v is True else "no" if v is False else v) for k, v in row.items()})
    path = tmp_path / "cases.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    got = validate("04_case_study", {"case": "my-own-case", "cases_file": str(path)})
    assert got["case"] == "my-own-case"
    assert "'my-own-case' is not allowed" in error("04_case_study", {"case": "my-own-case"})


def test_cases_file_that_does_not_exist():
    assert "no such file" in error("04_case_study", {"cases_file": "/nowhere/cases.csv"})
