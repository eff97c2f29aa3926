"""Parameter validation: the same one-line errors for `render` and inside every notebook."""

from __future__ import annotations

import csv
import io
import time
import types

import pytest

from spasm_lib.facts import load_facts
from spasm_lib.params import (NOTEBOOK_PARAMETERS, ParameterError, ParametersFileError, defaults, notebook_key,
                              read_parameters_file, use_parameters, validate)


def error(notebook, values) -> str:
    with pytest.raises(ParameterError) as caught:
        validate(notebook, values)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_each_classroom_notebook_and_no_other_has_its_parameters():
    """records names the notebooks (the classroom's, then the lecturer's); the parameters are declared
    for exactly those."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "notebooks"))
    from fixture_spec import SPECS  # the test fixtures register their own notebooks' parameters

    from spasm_lib.vocabulary import INSTRUCTOR_NOTEBOOKS, NOTEBOOKS

    declared = tuple(k for k in NOTEBOOK_PARAMETERS if k not in SPECS)
    assert declared == NOTEBOOKS + INSTRUCTOR_NOTEBOOKS == (
        "00_start_here", "01_risk_factors", "02_exam_simulator", "03_treatment_pathway", "04_case_study",
        "05_class_debrief")


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
    assert params.case == "golfer-twist" and params.improving is False and not hasattr(params, "step")


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


# --------------------------------------------------------------------------- issue 12: bounded, shortened


@pytest.mark.parametrize("value", ["²", "٣", "-1", "4294967296", "+5", "1e3", "9" * 5000])
def test_seed_is_plain_digits_in_range(value):
    message = error("04_case_study", {"seed": value})
    assert "parameter 'seed'" in message and "from 0 to 4294967295" in message
    assert len(message) < 250


def test_seed_range_ends_are_allowed():
    assert validate("04_case_study", {"seed": "4294967295"})["seed"] == 4294967295
    assert validate("04_case_study", {"seed": 0})["seed"] == 0


def test_a_long_value_is_shortened_in_the_message():
    message = error("04_case_study", {"case": "x" * 100_000})
    assert "'" + "x" * 60 + "…' (100000 characters) is not allowed" in message
    assert len(message) < 600


def test_a_long_unknown_name_is_shortened():
    message = error("04_case_study", {"n" * 5000: 1})
    assert message.startswith("parameter '" + "n" * 60 + "…' (5000 characters) of 04_case_study: unknown parameter")


@pytest.mark.parametrize("value, words", [
    ("a" * 5000, ["too long", "(5000 characters)"]),
    ("a\x00b.csv", ["NUL"]),
    ("/dev/zero", ["is a device"]),
    (".", ["is a folder"]),
    (["x.csv"], ["got ['x.csv']", "expected a path to a CSV file"]),
])
def test_cases_file_checked_before_it_is_opened(value, words):
    message = error("04_case_study", {"cases_file": value})
    assert "parameter 'cases_file'" in message
    for word in words:
        assert word in message


def read_yaml(tmp_path, text: str | bytes):
    path = tmp_path / "p.yaml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return read_parameters_file(path)


def yaml_error(tmp_path, text: str | bytes) -> str:
    with pytest.raises(ParametersFileError) as caught:
        read_yaml(tmp_path, text)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 400
    return message


def test_parameters_file_as_before(tmp_path):
    assert read_yaml(tmp_path, "case: golfer-twist\nseed: 3\n") == {"case": "golfer-twist", "seed": 3}
    assert read_yaml(tmp_path, "") == {}
    assert read_yaml(tmp_path, "base: &b {x: 1}\nother:\n  <<: *b\n  x: 2\n") == {"base": {"x": 1}, "other": {"x": 2}}


def test_duplicate_keys_are_refused(tmp_path):
    message = yaml_error(tmp_path, "seed: 1\ncase: golfer-twist\nseed: 2\n")
    assert "line 3" in message and "the key 'seed' is written twice (first on line 1)" in message


def test_an_alias_bomb_is_refused_quickly(tmp_path):
    bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi")
    ) + "seed: *i\n"
    start = time.monotonic()
    message = yaml_error(tmp_path, bomb)
    assert time.monotonic() - start < 2
    assert "expand (through aliases such as *name) to more than 10000" in message


def test_a_few_aliases_are_fine(tmp_path):
    got = read_yaml(tmp_path, "steps: &s [palpation, inspection]\nsteps_again: *s\n")
    assert got["steps_again"] == ["palpation", "inspection"]


@pytest.mark.parametrize("text, words", [
    ("a: &a [*a]\n", ["refers to a value that contains it"]),
    ("[" * 3000, ["nested"]),
    ("x: !!python/object/apply:os.system ['true']\n", ["not valid YAML", "line 1"]),
    (b"case: \xff\n", ["not UTF-8 (byte 7)"]),
    ("- a\n- b\n", ["expected a mapping", "got a list"]),
    ("seed: " + "7" * 5000 + "\n", ["more than 4300 digits"]),
    ("case: x" + "y" * 70_000 + "\n", ["at most 65536 bytes"]),
])
def test_parameters_files_refused(tmp_path, text, words):
    message = yaml_error(tmp_path, text)
    assert message.startswith(f"parameters file {tmp_path / 'p.yaml'}")
    for word in words:
        assert word in message


def test_student_number_parameter_is_checked():
    from spasm_lib.params import ParameterError, validate

    assert validate("02_exam_simulator", {"student": "s017"})["student"] == "s017"
    assert validate("02_exam_simulator", {})["student"] == ""
    with pytest.raises(ParameterError) as err:
        validate("02_exam_simulator", {"student": "Ann Smith <ann@example.org>"})
    assert str(err.value).startswith("parameter 'student' of 02_exam_simulator: got ")
    assert str(err.value).endswith("expected 1 to 64 letters, digits, '.' or '-', starting with a letter or digit")
