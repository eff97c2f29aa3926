"""The JupyterLite rows of ``make bench``: the offline site's size, and time to the first widget.

* **Site size**: the offline site (``spasm-teach lite --pyodide DIR``) in MB, beside the Pyodide
  distribution it carries (the part no site can do without).
* **Time to first widget**: from asking a newly started Chromium for
  ``lab/index.html?path=01_risk_factors.ipynb`` (a student's first visit), through the kernel starting in the browser and Run All, to the first widget
  drawn in an output. Its floor, measured in the same site and the same way, is a one-cell
  notebook that imports pandas and shows a DataFrame: what any notebook of a Pyodide site costs
  before this package does anything (Pyodide boots, numpy and pandas load).

The site and a copy of the notebooks with the floor notebook beside them are built in a temporary
folder; the browser blocks every request that is not for 127.0.0.1 (as the browser test does) and
a row fails loudly if any request tried to leave.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WIDGET_NOTEBOOK = "01_risk_factors.ipynb"
FLOOR_NOTEBOOK = "zz_pandas_floor.ipynb"
FLOOR_CELL = 'import pandas\npandas.DataFrame({"region": ["lower back", "neck"], "cases": [3, 1]})'


def _floor_notebook(like: Path) -> dict:
    """One code cell, with the notebook-level metadata of ``like`` (so the same kernel is chosen)."""
    metadata = json.loads(like.read_text(encoding="utf-8"))["metadata"]
    return {
        "cells": [{"cell_type": "code", "execution_count": None, "id": "floor", "metadata": {},
                   "outputs": [], "source": FLOOR_CELL}],
        "metadata": {key: metadata[key] for key in ("kernelspec", "language_info") if key in metadata},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def rows(quick: bool, row: Callable[..., dict[str, Any]]) -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT))
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, _missing_browser
    from tests.e2e.lite_site import StaticSite, build_offline_site, seconds_to_first_output

    from spasm_lib.lite import folder_size

    problem = _missing_browser()
    if problem:
        raise RuntimeError(f"the lite rows need Chromium and playwright: {problem}")
    from playwright.sync_api import sync_playwright

    repeat = 1 if quick else 3
    with tempfile.TemporaryDirectory(prefix="bench-lite-") as tmp:
        notebooks = Path(tmp) / "notebooks"
        shutil.copytree(ROOT / "notebooks", notebooks, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
        floor = _floor_notebook(notebooks / WIDGET_NOTEBOOK)
        (notebooks / FLOOR_NOTEBOOK).write_text(json.dumps(floor), encoding="utf-8")
        site = build_offline_site(Path(tmp) / "site", notebooks=notebooks)
        size_mb = folder_size(site) / 1e6
        pyodide_mb = folder_size(site / "static" / "pyodide") / 1e6
        server = StaticSite(site)
        widget_s: list[float] = []
        floor_s: list[float] = []
        try:
            with sync_playwright() as playwright:
                for _ in range(repeat):  # alternate, so a busy moment hits both alike
                    for samples, notebook, selector in (
                        (floor_s, FLOOR_NOTEBOOK, "table"),
                        (widget_s, WIDGET_NOTEBOOK, ".jupyter-widgets"),
                    ):
                        # A new browser each time: Chromium keeps compiled WebAssembly across the
                        # contexts of one browser, and a student's first visit has none.
                        browser = playwright.chromium.launch(
                            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
                        )
                        try:
                            seconds, left = seconds_to_first_output(browser, server, notebook, selector)
                        finally:
                            browser.close()
                        if left:
                            raise RuntimeError(f"{notebook}: requests tried to leave 127.0.0.1: {left[:5]}")
                        samples.append(seconds)
        finally:
            server.close()
    return [
        row("lite: offline site size (reference: its Pyodide)", size_mb, "MB", pyodide_mb, "report"),
        row("lite: open 01 to first widget (floor: pandas one-cell)", statistics.median(widget_s), "s",
            statistics.median(floor_s), "report"),
    ]
