"""What a JupyterLite site leaves out (spasm_lib.lite_trim), checked without a browser.

The browser test (tests/e2e/test_lite.py) runs every notebook in the trimmed site and fails on a
404; these check the reasoning behind the cut on the installed JupyterLite app itself (its source
maps name what each chunk holds) and the cuts on small, hand-made sites.
"""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path

import pytest

from spasm_lib import lite_trim
from spasm_lib.lite_pyodide import LiteBuildFailed


def _app() -> dict[str, str]:
    """The prebuilt JupyterLab app of the installed jupyterlite-core: file name (under build/) -> text."""
    jupyterlite_core = pytest.importorskip("jupyterlite_core", reason="needs the lite extra")
    archive = next(Path(jupyterlite_core.__file__).parent.glob("jupyterlite-app-*.tgz"))
    files = {}
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("package/build/")
            if member.isfile() and name != member.name and name.endswith((".js", ".js.map")):
                files[name] = tar.extractfile(member).read().decode("utf-8", "replace")
    return files


# The libraries of the three extensions the site turns off, as npm names them (written by hand):
# Mermaid and its diagram layouts, Vega and its parts, xterm.js and its add-ons.
FEATURE_LIBRARIES = re.compile(r"^(mermaid|elkjs|cytoscape|dagre-d3-es|vega(-[a-z-]+)?|@xterm/.*)$")
# Where the kept app loads those libraries (written by hand from the app's code): @jupyterlab/mermaid
# asks for Mermaid's version chunk just before Mermaid; @jupyterlab/terminal picks xterm.js's WebGL
# add-on; the shared-module table registers vega, vega-lite and vega-embed by name.
FEATURE_LOADERS = ("e(1169)", "WebGLRenderingContext", '"vega')


def _packages(source_map: str) -> set[str]:
    names = set()
    for source in json.loads(source_map)["sources"]:
        found = re.search(r"node_modules/((?:@[^/]+/)?[^/]+)", source)
        names.add(found.group(1) if found else source)
    return names


def test_every_dropped_chunk_is_code_of_mermaid_vega_or_xterm_or_shared_by_them_alone():
    app = _app()
    only_d3 = []
    for name in lite_trim.UNUSED_CHUNKS:
        packages = _packages(app[f"{name}.map"])
        if not any(FEATURE_LIBRARIES.match(p) for p in packages):
            only_d3.append(name)
            assert all(p.startswith("d3-") or p == "internmap" for p in packages), (name, packages)
    # One chunk of d3 that Mermaid's and Vega's loaders both ask for (and no other loader: next test).
    assert only_d3 == ["4499.7b7aa96.js"]


def test_only_the_turned_off_extensions_load_a_dropped_chunk():
    """Every place in the kept code that loads a dropped chunk is a loader of Mermaid, Vega or xterm.js."""
    app = _app()
    dropped = {name.split(".")[0] for name in lite_trim.UNUSED_CHUNKS}
    kept = {name: text for name, text in app.items() if name.endswith(".js") and name not in lite_trim.UNUSED_CHUNKS}
    loads = 0
    for name, text in kept.items():
        for found in re.finditer(r"\b[A-Za-z_$]{1,2}\.e\((\d+)\)", text):
            if found.group(1) not in dropped:
                continue
            loads += 1
            around = text[max(0, found.start() - 400):found.end() + 200]
            assert any(marker in around for marker in FEATURE_LOADERS), (name, around)
    assert loads >= 10  # the loaders were found at all: Mermaid's, xterm.js's four, Vega's table


def test_the_site_turns_off_the_extensions_whose_code_it_drops():
    assert lite_trim.UNUSED_LAB_EXTENSIONS == (
        "@jupyterlab/mermaid-extension", "@jupyterlab/terminal-extension", "@jupyterlab/vega5-extension",
    )


def _site(tmp_path: Path, worker_text: str, chunks=lite_trim.UNUSED_CHUNKS) -> Path:
    site = tmp_path / "site"
    (site / "build").mkdir(parents=True)
    for name in (*chunks, "jlab_core.2cd76b5.js"):
        (site / "build" / name).write_text("chunk")
    (site / "build" / "2324.aff3939.js.LICENSE.txt").write_text("licence")
    worker = site / lite_trim.WORKER_DIR
    worker.mkdir(parents=True)
    (worker / "620.1f7022cb36bb0022cde6.js").write_text(worker_text)
    (worker / "154.1fa523c5695b1f902a34.js").write_text("other code")
    return site


WORKER = 'async initKernel(e){let t=[],i=["ssl","sqlite3","ipykernel","comm","pyodide_kernel","ipython"],a=[];'


def test_trimming_drops_the_chunks_and_the_kernel_installs_no_ssl(tmp_path):
    site = _site(tmp_path, WORKER + WORKER)
    removed = lite_trim.trim_site(site)
    assert len(removed) == len(lite_trim.UNUSED_CHUNKS) + 1  # and the one license note
    assert sorted(p.name for p in (site / "build").iterdir()) == ["jlab_core.2cd76b5.js"]
    worker = (site / lite_trim.WORKER_DIR / "620.1f7022cb36bb0022cde6.js").read_text()
    expected = 'async initKernel(e){let t=[],i=["sqlite3","ipykernel","comm","pyodide_kernel","ipython"],a=[];'
    assert worker == expected + expected
    assert (site / lite_trim.WORKER_DIR / "154.1fa523c5695b1f902a34.js").read_text() == "other code"


def test_an_app_that_is_not_the_one_the_list_was_made_for_stops_the_build(tmp_path):
    site = _site(tmp_path, WORKER, chunks=lite_trim.UNUSED_CHUNKS[1:])
    with pytest.raises(LiteBuildFailed, match="no 142.6e89fb8.js"):
        lite_trim.drop_unused_chunks(site)
    assert (site / "build" / "214.300dbf1.js").is_file()  # nothing removed


def test_a_kernel_that_installs_another_list_stops_the_build(tmp_path):
    site = _site(tmp_path, WORKER.replace('"ssl",', ""))
    with pytest.raises(LiteBuildFailed, match="does not install"):
        lite_trim.skip_kernel_installs(site)

