"""`make lab` trusts the package's own notebooks before it opens JupyterLab (`jupyter trust`): a
trusted notebook's stored outputs keep their <style>, so a view is framed before any cell runs.
Untrusted, JupyterLab's sanitiser drops the <style> and the same output shows unframed: both are
checked, so the test sees the difference the Makefile line makes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from .conftest import DESKTOP, NOTEBOOKS_DIR, UI_MS, _stop_lab, expect, start_lab

pytestmark = pytest.mark.e2e

NOTEBOOK = "00_start_here.ipynb"
FRAME_JS = "el => getComputedStyle(el).borderTopStyle"


def _disclaimer_border(browser, tmp_path, trusted: bool) -> str:
    root = tmp_path / "notebooks"
    root.mkdir(parents=True)
    shutil.copyfile(NOTEBOOKS_DIR / NOTEBOOK, root / NOTEBOOK)
    home = tmp_path / "home"
    if trusted:  # what `make lab` runs, into the server's own Jupyter data folder
        env = dict(os.environ, JUPYTER_DATA_DIR=str(home / "data"))
        subprocess.run([sys.executable, "-m", "jupyter", "trust", str(root / NOTEBOOK)], env=env, check=True,
                       capture_output=True)
    lab = start_lab(root, home)
    context = browser.new_context(viewport=DESKTOP, service_workers="block")
    context.set_default_timeout(UI_MS)
    try:
        page = context.new_page()
        page.goto(f"{lab.url}lab/tree/{NOTEBOOK}?reset&token={lab.token}")
        frame = page.locator(".jp-OutputArea-output .spasm-disclaimer").first
        expect(frame).to_be_visible()
        return frame.evaluate(FRAME_JS)
    finally:
        context.close()
        _stop_lab(lab)


def test_a_trusted_notebook_shows_its_views_framed_before_any_cell_runs(browser, tmp_path):
    assert _disclaimer_border(browser, tmp_path / "trusted", trusted=True) == "solid"
    assert _disclaimer_border(browser, tmp_path / "untrusted", trusted=False) == "none"
