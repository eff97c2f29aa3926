"""Stored notebooks read without a kernel: every widget output keeps the static view of its state.

A live widget's output holds a widget view (dropped when notebooks are stored: a random model id)
and, through :class:`spasm_lib.widgets.base.StaticView`, the HTML of what it showed. These tests
read the committed notebooks as GitHub or nbviewer would: without a kernel and without a widget
manager.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spasm_lib.facts import load_facts
from spasm_lib.params import defaults
from spasm_lib.risk_factors import RiskProfile
from spasm_lib.widgets.base import STATIC_NOTE
from spasm_lib.widgets.risk_factors import profile_html

from conftest import ROOT, nbval_sanitized

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WIDGET_TEXT = "run this cell to use its controls"


def widget_outputs(path: Path):
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_TEXT in "".join(data.get("text/plain", "")):
                yield cell, data


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_stored_widget_output_has_its_static_view(path):
    missing = [cell.get("id") for cell, data in widget_outputs(path)
               if not nbval_sanitized("".join(data.get("text/html", ""))).startswith(STATIC_NOTE)]
    assert not missing, f"widget cells stored without their static HTML (re-run make notebooks): {missing}"


def test_no_stored_output_keeps_a_widget_model_id():
    for path in NOTEBOOKS:
        assert "application/vnd.jupyter.widget-view+json" not in path.read_text(encoding="utf-8"), path.name


def test_the_stored_explorer_shows_the_default_profile_and_one_table():
    path = ROOT / "notebooks" / "01_risk_factors.ipynb"
    stored = {cell["id"]: "".join(data.get("text/html", "")) for cell, data in widget_outputs(path)}
    params = defaults("01_risk_factors")
    profile = profile_html(load_facts(), RiskProfile(tuple(params["risk_factors"]), params["sport"]))
    assert nbval_sanitized(stored["1c8d56aa"]) == nbval_sanitized(STATIC_NOTE + profile.markup)
    text = path.read_text(encoding="utf-8")
    heading = '<th scope=\\"col\\">Risk factor</th>'  # JSON-escaped
    assert text.count(heading) == 1, "the risk-factor table is stored once, by the filter widget"


def test_nbconvert_html_shows_the_explorer_without_a_kernel():
    """nbviewer and course sites render stored notebooks with nbconvert: the explorer's cards show."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(ROOT / "notebooks" / "01_risk_factors.ipynb", as_version=4)
    body, _ = HTMLExporter(template_name="basic").from_notebook_node(nb)
    assert "A snapshot of this interactive view from the last run." in body
    assert "<h3>Your risk profile</h3>" in body
    assert "Ruptured disc" in body and "also called: herniated disc" in body
