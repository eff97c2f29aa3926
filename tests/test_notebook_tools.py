"""Normalising a stored notebook keeps a widget's static HTML and drops its random model id."""

from __future__ import annotations

import nbformat

from spasm_lib.notebook_tools import WIDGET_VIEW, normalise


def widget_output(model_id: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output(
        "execute_result",
        data={
            "text/plain": "Risk-factor explorer: run this cell in JupyterLab to use its controls.",
            "text/html": "<p>the static view</p>",
            WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": model_id},
        },
        execution_count=7,
    )


def test_widget_outputs_keep_their_html_and_lose_the_model_id():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("explorer", execution_count=7, outputs=[widget_output("3f2a9c")])
    nb.cells = [cell]
    normalise(nb)
    (output,) = nb.cells[0].outputs
    assert output["data"] == {
        "text/plain": "Risk-factor explorer: run this cell in JupyterLab to use its controls.",
        "text/html": "<p>the static view</p>",
    }
    assert output["execution_count"] == 1


def test_two_runs_with_different_model_ids_store_the_same_bytes():
    stored = []
    for model_id in ("3f2a9c", "b71e04"):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("explorer", execution_count=1, outputs=[widget_output(model_id)])]
        nb.cells[0].id = "explorer-cell"  # a stored cell keeps its id; new_code_cell makes a random one
        stored.append(nbformat.writes(normalise(nb)))
    assert stored[0] == stored[1] and "model_id" not in stored[0]
