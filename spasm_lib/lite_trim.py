"""What a built JupyterLite site leaves out: code and files no student's browser ever asks for.

``jupyter lite build`` copies the whole prebuilt JupyterLab app. Three of its extensions can never
serve this course's site, so the site disables them (``UNUSED_LAB_EXTENSIONS``, JupyterLab's own
``disabledExtensions``) and then drops the code only they load (``UNUSED_CHUNKS``):

* terminals: a JupyterLite site has no terminal to open; xterm.js loads only when one opens;
* Mermaid diagrams (a ```` ```mermaid ```` block in Markdown): none in the notebooks; with the
  extension off, such a block shows as code;
* Vega charts (the ``application/vnd.vega*`` outputs of Altair): the site carries no Altair.

Two older font formats are dropped where a WOFF2 of the same font sits beside them (every browser
that runs Pyodide's WebAssembly reads WOFF2), and the kernel is kept from installing Python's
``ssl`` module (with OpenSSL, 2 MB) at every start: nothing it runs imports it, and a site with no
network has no use for it (``KERNEL_SKIPS``).

Each cut is checked as it is made: a file or a line that is not where this version of
JupyterLite puts it stops the build (``LiteBuildFailed``) instead of leaving a broken site.
``tests/e2e/test_lite.py`` runs every notebook in the trimmed site and fails on any request the
site cannot answer (a 404), and ``tests/test_lite_trim.py`` checks, on the installed JupyterLite,
that only these extensions' imports reach the dropped chunks.
"""

from __future__ import annotations

import json
from pathlib import Path

from spasm_lib.lite_pyodide import LiteBuildFailed

# Whole JupyterLab extensions (package names) the site turns off: nothing a student does reaches them.
UNUSED_LAB_EXTENSIONS = (
    "@jupyterlab/mermaid-extension",
    "@jupyterlab/terminal-extension",
    "@jupyterlab/vega5-extension",
)
# The prebuilt app's chunks (jupyterlite-core 0.5.1, the pinned `lite` extra) that only those
# extensions load: Mermaid and the diagram types, layouts (ELK, dagre, Cytoscape) and the code it
# shares with Vega; Vega, Vega-Lite and vega-embed; xterm.js and its add-ons. 4.3 MB.
# How the list was made, and checked again by tests/test_lite_trim.py: every place in the app that
# loads one of these chunks is inside one of these chunks, or loads Mermaid (``@jupyterlab/mermaid``),
# xterm.js (``@jupyterlab/terminal``) or Vega (the shared ``vega``, ``vega-lite``, ``vega-embed``).
UNUSED_CHUNKS = (
    "142.6e89fb8.js", "214.300dbf1.js", "261.431b309.js", "644.4e5594c.js", "1261.3da9a56.js",
    "1388.0f22ef8.js", "1495.671bdd4.js", "1846.ed084ce.js", "2241.91c6cce.js", "2324.aff3939.js",
    "2520.5c65366.js", "3154.5d8f80d.js", "3462.a328105.js", "3488.2a37e26.js", "4035.88e3670.js",
    "4430.067d30e.js", "4499.7b7aa96.js", "4630.0f54ef0.js", "4708.58dae1c.js", "4780.f7ebd53.js",
    "5343.c65eb48.js", "6281.5e07f7a.js", "6417.8b8e9f1.js", "6521.ee3d4f9.js", "6607.4ee069b.js",
    "6640.bf24711.js", "6667.60cb1d2.js", "7010.979a827.js", "7097.d4214d0.js", "7153.ef3506b.js",
    "7259.75b1096.js", "7427.368a8bc.js", "7495.3c478a0.js", "7884.6f6767f.js", "8443.32841be.js",
    "8768.cd685a6.js", "8801.7946caf.js", "9244.a95e8aa.js", "9847.20223dd.js", "9866.ea3fe7f.js",
    "9992.91ff665.js",
)
APP_BUILD = Path("build")

# What the pyodide kernel's worker installs as it starts (jupyterlite-pyodide-kernel 0.5.2), and the
# same list without ``ssl``. IPython needs sqlite3 (its history imports it); nothing imports ssl
# unguarded (asyncio, http.client and urllib take ``ImportError`` as "no TLS").
KERNEL_INSTALLS = '["ssl","sqlite3","ipykernel","comm","pyodide_kernel","ipython"]'
KERNEL_SKIPS = ("ssl",)
# The kernel worker's folder (jupyterlite-pyodide-kernel 0.5): Pyodide's loadPackage resolves a
# relative wheel URL against the worker's own script, served from here.
WORKER_DIR = Path("extensions", "@jupyterlite", "pyodide-kernel-extension", "static")

# Font files that only a browser without WOFF2 fetches (each ``@font-face`` lists WOFF2 first).
LEGACY_FONT_SUFFIXES = (".eot", ".ttf", ".woff", ".svg")


def trim_site(site: Path) -> list[Path]:
    """Every cut above, on a freshly built site; the files removed, sorted."""
    removed = drop_legacy_fonts(site) + drop_unused_chunks(site)
    skip_kernel_installs(site)
    return sorted(removed)


def drop_unused_chunks(site: Path) -> list[Path]:
    """Remove ``UNUSED_CHUNKS`` (and their license notes) from the app; all must be there."""
    build = Path(site) / APP_BUILD
    absent = [name for name in UNUSED_CHUNKS if not (build / name).is_file()]
    if absent:
        raise LiteBuildFailed(f"the JupyterLite app has no {', '.join(absent[:3])}: not the app of jupyterlite-core "
                              "0.5.1 whose unused chunks spasm_lib/lite_trim.py lists; review that list")
    removed = []
    for name in UNUSED_CHUNKS:
        for path in (build / name, build / f"{name}.LICENSE.txt"):
            if path.is_file():
                path.unlink()
                removed.append(path)
    return removed


def skip_kernel_installs(site: Path) -> int:
    """Take ``KERNEL_SKIPS`` out of the list of packages the kernel worker installs as it starts;
    how many copies of the list were changed (the worker's code is in more than one bundle)."""
    kept = json.dumps([name for name in json.loads(KERNEL_INSTALLS) if name not in KERNEL_SKIPS], separators=(",", ":"))
    changed = 0
    for path in sorted((Path(site) / WORKER_DIR).glob("*.js")):
        text = path.read_text(encoding="utf-8")
        if KERNEL_INSTALLS in text:
            changed += text.count(KERNEL_INSTALLS)
            path.write_text(text.replace(KERNEL_INSTALLS, kept), encoding="utf-8")
    if not changed:
        raise LiteBuildFailed(f"the pyodide kernel in {WORKER_DIR} does not install {KERNEL_INSTALLS}: not "
                              "jupyterlite-pyodide-kernel 0.5.2; review spasm_lib/lite_trim.py's KERNEL_INSTALLS")
    return changed


def drop_legacy_fonts(site: Path) -> list[Path]:
    """Remove the older formats of every font the built site also carries as WOFF2 (about 2.8 MB of
    Font Awesome: EOT, TTF, WOFF and SVG); the files removed, sorted. A font without a WOFF2 keeps
    all its files."""
    removed = []
    for woff2 in sorted(Path(site).rglob("*.woff2")):
        for suffix in LEGACY_FONT_SUFFIXES:
            older = woff2.with_suffix(suffix)
            if older.is_file() and not older.is_symlink():
                older.unlink()
                removed.append(older)
    return sorted(removed)
