"""The validation cell of every notebook (``use_parameters``): declared parameters only, one-line errors.

A student's own variable is never taken for a parameter; a misspelt name in a parameters cell (the
notebook's defaults cell, or papermill's injected cell) is; and the error shows in a notebook as one
line, with no traceback frames. The last test runs a real kernel, as JupyterLab and papermill do.
"""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from spasm_lib.params import NotebookParameterError, ParameterError, defaults, use_parameters

DEFAULTS_CELL = '# Parameters (papermill). Defaults.\nrisk_factors = ["tender-muscles"]\nsport = "golf"\n'


def test_a_students_own_variable_is_not_a_parameter():
    namespace = {**defaults("01_risk_factors"), "my_guess": "golf", "count": 3, "In": ["", DEFAULTS_CELL]}
    params = use_parameters("01_risk_factors", namespace)
    assert params.sport == "golf" and not hasattr(params, "my_guess")
    assert params.notebook == "01_risk_factors"  # the name typed once, in the notebook's imports cell


def test_a_typo_in_papermills_injected_cell_is_unknown():
    injected = '# Parameters\nsprot = "golf"\n'
    namespace = {**defaults("01_risk_factors"), "sprot": "golf", "In": ["", DEFAULTS_CELL, injected]}
    with pytest.raises(NotebookParameterError, match="^parameter 'sprot' of 01_risk_factors: unknown parameter"):
        use_parameters("01_risk_factors", namespace)


def test_a_typo_in_the_defaults_cell_is_unknown_until_corrected():
    typo = DEFAULTS_CELL.replace("sport =", "sprot =")
    namespace = {**defaults("01_risk_factors"), "sprot": "golf", "In": ["", typo]}
    with pytest.raises(ParameterError, match="'sprot'"):
        use_parameters("01_risk_factors", namespace)
    # Corrected and re-run: the latest version of the cell counts (the old variable still exists).
    namespace["In"].append(DEFAULTS_CELL)
    assert use_parameters("01_risk_factors", namespace).sport == "golf"


def test_a_declared_parameter_with_a_bad_value_is_reported():
    namespace = {**defaults("01_risk_factors"), "sport": "tennis"}
    with pytest.raises(NotebookParameterError) as err:
        use_parameters("01_risk_factors", namespace)
    assert err.value.name == "sport" and "'tennis' is not allowed" in str(err.value)


def test_the_error_renders_as_one_line():
    with pytest.raises(NotebookParameterError) as err:
        use_parameters("01_risk_factors", {**defaults("01_risk_factors"), "interactive": "maybe"})
    assert err.value._render_traceback_() == [f"ParameterError: {err.value}"]
    assert "\n" not in str(err.value)


@pytest.mark.kernel
def test_in_a_kernel_the_error_is_one_line_and_a_students_variable_passes():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(DEFAULTS_CELL + "interactive = False\naudience = 'student'\n"),
        nbformat.v4.new_code_cell("my_guess = 'golf'"),
        nbformat.v4.new_code_cell(
            "from spasm_lib.params import use_parameters\n"
            "print(use_parameters('01_risk_factors', globals()).sport)"),
        nbformat.v4.new_code_cell("# Parameters\nsprot = 'golf'\n"),
        nbformat.v4.new_code_cell("use_parameters('01_risk_factors', globals())"),
    ]
    NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=True).execute()
    assert [o.get("text") for o in nb.cells[2].outputs] == ["golf\n"]
    (error,) = nb.cells[4].outputs
    assert error.output_type == "error" and error.ename == "NotebookParameterError"
    assert error.traceback == [
        "ParameterError: parameter 'sprot' of 01_risk_factors: unknown parameter; expected one of: "
        "risk_factors, sport, interactive, audience, student"]
