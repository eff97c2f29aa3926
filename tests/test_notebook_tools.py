"""Normalising a stored notebook keeps a widget's static HTML and drops its random model id."""

from __future__ import annotations

import nbformat
import pytest

from spasm_lib.notebook_tools import WIDGET_VIEW, html_over_lines, normalise

from conftest import ROOT, nbval_sanitized


def widget_output(model_id: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output(
        "execute_result",
        data={
            "text/plain": "Risk-factor explorer: run this cell to use its controls.",
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
        "text/plain": "Risk-factor explorer: run this cell to use its controls.",
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


def test_a_live_only_cell_keeps_its_handout_wording_and_loses_other_metadata():
    """The handout's wording lives in the cell's metadata (``spasm.handout``): a re-run must not drop it."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("Tick the box.", metadata={
        "tags": ["live-only"], "spasm": {"handout": "The box is ticked for you."},
        "jp-MarkdownHeadingCollapsed": True, "editable": False,
    })]
    normalise(nb)
    assert nb.cells[0].metadata == {"tags": ["live-only"], "spasm": {"handout": "The box is ticked for you."}}


# --------------------------------------------------------------------------- stored HTML over lines

VIEW = ('<div class="spasm-view"><h3>Your risk profile</h3><ul><li><strong>Ruptured disc</strong> '
        '<span>(paragraph 2)</span></li><li>Weak core<br>muscles</li></ul><table><tr><td>a</td><td>b</td></tr>'
        '</table><p>One <em>flag</em><img alt="x" src="data:,"></p></div>')


def test_stored_html_breaks_before_block_tags_only():
    assert html_over_lines(VIEW) == (
        '<div class="spasm-view">\n<h3>Your risk profile</h3>\n<ul>\n<li><strong>Ruptured disc</strong> '
        '<span>(paragraph 2)</span></li>\n<li>Weak core<br>muscles</li>\n</ul>\n<table>\n<tr>\n<td>a</td>\n'
        '<td>b</td>\n</tr>\n</table>\n<p>One <em>flag</em><img alt="x" src="data:,"></p>\n</div>')
    assert html_over_lines(html_over_lines(VIEW)) == html_over_lines(VIEW)


def test_nbval_compares_the_stored_lines_as_the_fresh_one_line_output():
    assert nbval_sanitized(html_over_lines(VIEW)) == nbval_sanitized(VIEW)
    tampered = html_over_lines(VIEW).replace("Ruptured", "Herniated")
    assert nbval_sanitized(tampered) != nbval_sanitized(VIEW)


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_committed_notebooks_store_html_over_lines(path):
    """`make notebooks` was run after the change: no stored HTML output is one long line."""
    nb = nbformat.read(path, as_version=4)
    html = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code"
            for o in c.outputs if "text/html" in o.get("data", {})]
    assert html and all(h == html_over_lines(h) for h in html)
    # The longest lines left are a chart (one base64 image) and the stylesheet's longest rule (the
    # stylesheet is written a rule a line, views/style.py).
    assert max(len(line) for h in html for line in h.splitlines() if "base64," not in line) < 2500


# --------------------------------------------------------------------------- a real re-run


def small_notebook(path) -> None:
    """A notebook with what changes from run to run: a widget (a new random model id each time), a
    display, stdout and an execution count; stored blank, as an author saves it."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A small notebook", id="title"),
        nbformat.v4.new_code_cell("x = 6 * 7\nprint('x is', x)", id="compute"),
        nbformat.v4.new_code_cell("import ipywidgets\nipywidgets.IntSlider(value=3, description='Pain (0-10)')",
                                  id="widget"),
        nbformat.v4.new_code_cell("from IPython.display import HTML\nHTML('<p>seven</p>')", id="html"),
    ]
    nbformat.write(nb, path)


@pytest.mark.kernel
def test_executing_a_notebook_twice_stores_the_same_bytes(tmp_path):
    from spasm_lib.notebook_tools import execute, main

    path = tmp_path / "small.ipynb"
    small_notebook(path)
    execute(path)
    first = path.read_bytes()
    assert main(["execute", str(path)]) == 0  # the command, on the notebook as stored after the first run
    second = path.read_bytes()
    assert first == second
    # It really ran: the outputs are in the file, with execution counts 1, 2, 3.
    stored = nbformat.reads(first.decode("utf-8"), as_version=4)
    code = [c for c in stored.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == [1, 2, 3]
    assert code[0].outputs[0]["text"] == "x is 42\n"
    assert code[1].outputs[0]["data"]["text/plain"].startswith("IntSlider(value=3")
    assert WIDGET_VIEW not in code[1].outputs[0]["data"]
    assert code[2].outputs[0]["data"]["text/html"] == "<p>seven</p>"
    assert stored.metadata == {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                              "name": "python3"}, "language_info": {"name": "python"}}
    assert [c.id for c in stored.cells] == ["title", "compute", "widget", "html"]
    assert first.endswith(b"}\n") and list(tmp_path.iterdir()) == [path]  # no temporary file left
