"""The JupyterLite rows of ``make bench``: the offline site's size, and what opening a notebook costs.

* **Site size**: the offline site (``spasm-teach lite --pyodide DIR``) in MB, beside the Pyodide
  distribution it carries. Target: at most 30 MB (a class downloading it on poor Wi-Fi).
* **Time to first widget**, for notebooks 01, 02 and 03: from asking a newly started Chromium for
  ``lab/index.html?path=NOTEBOOK`` (a student's first visit), through the kernel starting in the
  browser and Run All, to the first widget drawn in an output. Its floor, measured in the same site
  and the same way, is the **empty notebook**: one ``1+1`` cell, until its ``2`` shows, i.e.
  JupyterLite and Pyodide's own start. Target: at most 1.3x the floor.
* **Bytes before the first widget**: the transfer sizes the browser's resource timing gives for
  every resource the page and its workers (the kernel's included) fetched by then, beside the
  empty notebook's. Target: at most 1.3x the floor's.

The site is built from a copy of the notebooks with the empty notebook beside them, in a temporary
folder. A new Chromium for every visit (Chromium keeps compiled WebAssembly across the contexts of
one browser; a student's first visit has none), the visits alternating between the floor and the
notebooks so a busy moment hits all alike. The browser blocks every request that is not for
127.0.0.1 (as the browser test does) and a row fails loudly if any request tried to leave, or
asked the site for a file it does not have.
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
WIDGET_NOTEBOOKS = ("01_risk_factors.ipynb", "02_exam_simulator.ipynb", "03_treatment_pathway.ipynb")
FLOOR_NOTEBOOK = "zz_empty_floor.ipynb"
FLOOR_CELL = "1+1"
FLOOR_SELECTOR = "pre"  # the text/plain output `2`
WIDGET_SELECTOR = ".jupyter-widgets"
SITE_TARGET = "<= 30 MB"
RATIO_TARGET = "<= 1.3x floor"


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
    from tests.e2e.lite_site import StaticSite, build_offline_site, first_output

    from spasm_lib.lite import folder_size

    problem = _missing_browser()
    if problem:
        raise RuntimeError(f"the lite rows need Chromium and playwright: {problem}")
    from playwright.sync_api import sync_playwright

    repeat = 1 if quick else 3
    visits = [(FLOOR_NOTEBOOK, FLOOR_SELECTOR)] + [(name, WIDGET_SELECTOR) for name in WIDGET_NOTEBOOKS]
    seconds: dict[str, list[float]] = {name: [] for name, _ in visits}
    fetched: dict[str, list[int]] = {name: [] for name, _ in visits}
    with tempfile.TemporaryDirectory(prefix="bench-lite-") as tmp:
        notebooks = Path(tmp) / "notebooks"
        notebooks.mkdir()
        for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
            shutil.copyfile(path, notebooks / path.name)
        floor = _floor_notebook(notebooks / WIDGET_NOTEBOOKS[0])
        (notebooks / FLOOR_NOTEBOOK).write_text(json.dumps(floor), encoding="utf-8")
        site = build_offline_site(Path(tmp) / "site", notebooks=notebooks)
        size_mb = folder_size(site) / 1e6
        pyodide_mb = folder_size(site / "static" / "pyodide") / 1e6
        server = StaticSite(site)
        try:
            with sync_playwright() as playwright:
                for _ in range(repeat):
                    for notebook, selector in visits:
                        browser = playwright.chromium.launch(
                            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
                        )
                        try:
                            visit = first_output(browser, server, notebook, selector)
                        finally:
                            browser.close()
                        if visit.left:
                            raise RuntimeError(f"{notebook}: requests tried to leave 127.0.0.1: {visit.left[:5]}")
                        if visit.unanswered:
                            raise RuntimeError(f"{notebook}: the site did not answer {visit.unanswered[:5]}")
                        seconds[notebook].append(visit.seconds)
                        fetched[notebook].append(visit.bytes)
        finally:
            server.close()
    floor_s = statistics.median(seconds[FLOOR_NOTEBOOK])
    floor_mb = statistics.median(fetched[FLOOR_NOTEBOOK]) / 1e6
    table = [row("lite: offline site size (reference: its Pyodide)", size_mb, "MB", pyodide_mb, SITE_TARGET)]
    for name in WIDGET_NOTEBOOKS:
        short = name[:2]
        table.append(row(f"lite: open {short} to first widget (floor: empty notebook, 1+1)",
                         statistics.median(seconds[name]), "s", floor_s, RATIO_TARGET))
        table.append(row(f"lite: MB fetched before {short}'s first widget (floor: empty notebook's)",
                         statistics.median(fetched[name]) / 1e6, "MB", floor_mb, RATIO_TARGET))
    return table
