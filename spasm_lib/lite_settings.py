"""What a JupyterLite site tells its pages: JupyterLite's build settings, the page settings (which
wheels the kernel loads as it starts, which extensions are off), JupyterLab's overrides, and the
site's own small script (``static/spasm-teach/lite-helpers.js``, loaded by the lab page) and the views'
stylesheet (``static/spasm-teach/spasm-view.css``, linked by the lab page)."""

from __future__ import annotations

from pathlib import Path

from spasm_lib.lite_pyodide import LiteBuildFailed
from spasm_lib.lite_trim import UNUSED_LAB_EXTENSIONS, WORKER_DIR
from spasm_lib.lite_wheels import KERNEL_WIDGET_DISTRIBUTIONS

SITE_NAME = "spasm-teach"
# The JupyterLite apps the site keeps (``LiteBuildConfig.apps``): the lab, where every notebook runs.
# The others (notebooks, tree, edit, repl, consoles) are pages no link of the site opens.
SITE_APPS = ("lab",)
_KERNEL_SETTINGS = "@jupyterlite/pyodide-kernel-extension:kernel"

START_AGAIN_COMMAND = "spasm-teach:start-again"
HELPERS_FOLDER = Path("static", "spasm-teach")
HELPERS_SCRIPT = "lite-helpers.js"
VIEW_STYLESHEET = "spasm-view.css"
# About how long Python takes to start in a student's browser on a first visit, in seconds: the
# empty-notebook floor of `make bench` was 11 s on an idle machine and 29 to 40 s on two busy cores.
# The page then shows the last real start time on that computer instead.
KERNEL_START_SECONDS = 20


def lite_config(wheels: list[Path], pyodide_url: str) -> tuple[dict, dict, dict]:
    """``jupyter_lite_config.json``, ``jupyter-lite.json`` and ``overrides.json`` of the site."""
    # What the kernel loads as it starts (ours and the kernel side of the widgets), by a URL relative
    # to the kernel worker's folder (Pyodide resolves it against the worker's own script).
    loaded = ("spasm_teach", *(d.replace("-", "_") for d in KERNEL_WIDGET_DISTRIBUTIONS))  # as wheel names write them
    up = "../" * len(WORKER_DIR.parts)
    build_config = {
        "LiteBuildConfig": {
            # Only the JupyterLab app: students open lab/index.html (the site's root goes there);
            # with it, no_unused_shared_packages drops the code only the other apps use.
            "apps": list(SITE_APPS),
            "contents": ["content"],
            "no_sourcemaps": True,
            "no_unused_shared_packages": True,
            # A student's trace (one JSON object a line) is text: without this JupyterLite takes a
            # ``.jsonl`` file for one JSON document, and a kernel's second append to it through the
            # service worker's shared storage fails to parse and leaves the kernel busy.
            "extra_file_types": {
                "jsonl": {"name": "jsonl", "extensions": [".jsonl"], "mimeTypes": ["text/plain"], "fileFormat": "text"},
            },
        },
        "PipliteAddon": {"piplite_urls": [f"wheels/{w.name}" for w in wheels]},
    }
    page_config = {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": f"{SITE_NAME} (JupyterLite)",
            "disabledExtensions": ["@jupyterlab/apputils-extension:announcements", *UNUSED_LAB_EXTENSIONS],
            # lite-helpers.js registers its command on the app (JupyterLite's own option for this).
            "exposeAppInBrowser": True,
            "litePluginSettings": {
                _KERNEL_SETTINGS: {
                    "pyodideUrl": pyodide_url,
                    "disablePyPIFallback": True,
                    "loadPyodideOptions": {
                        "packages": [f"{up}pypi/{w.name}" for w in wheels if w.name.split("-")[0] in loaded],
                    },
                }
            },
        },
    }
    # Every cell rendered (JupyterLab's default windowing resizes cells as they scroll into view,
    # so a control near the end of a long notebook moves under the pointer).
    overrides = {
        "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
        # The site's own command (lite-helpers.js), in the File menu beside JupyterLab's "Revert".
        "@jupyterlab/mainmenu-extension:plugin": {
            "menus": [{"id": "jp-mainmenu-file", "items": [{"command": START_AGAIN_COMMAND, "rank": 5}]}]
        },
    }
    return build_config, page_config, overrides


def add_site_helpers(site: Path) -> None:
    """Copy ``lite-helpers.js`` into the built site and load it from the lab page (once); write the
    views' stylesheet beside it and link it from the lab page (once).

    Why the stylesheet too: every view carries it in a ``<style>`` inside its output
    (:func:`spasm_lib.views.style.styled`), but a notebook opened from the site is not trusted, so
    JupyterLab's sanitizer drops ``<style>`` from its stored outputs (and keeps the classes): until a
    cell runs, its stored view would show without its boxes, borders and answer spaces. Linked from
    the page, the same rules (scoped to ``.spasm-view``) apply to the stored outputs as to fresh ones.
    """
    from importlib import resources

    from spasm_lib.views.style import CSS

    script = resources.files("spasm_lib").joinpath(HELPERS_SCRIPT).read_text(encoding="utf-8")
    script = script.replace("__KERNEL_START_SECONDS__", str(KERNEL_START_SECONDS))
    script = script.replace("__START_AGAIN_COMMAND__", START_AGAIN_COMMAND)
    folder = site / HELPERS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    (folder / HELPERS_SCRIPT).write_text(script, encoding="utf-8")
    (folder / VIEW_STYLESHEET).write_text(CSS + "\n", encoding="utf-8")
    page = site / "lab" / "index.html"
    html = page.read_text(encoding="utf-8")
    href = f"../{HELPERS_FOLDER.as_posix()}"
    tags = (f'<link rel="stylesheet" href="{href}/{VIEW_STYLESHEET}">', f'<script src="{href}/{HELPERS_SCRIPT}" defer></script>')
    if "</head>" not in html:
        raise LiteBuildFailed(f"{page} has no </head>; the site's helpers could not be added")
    page.write_text(html.replace("</head>", "".join(f"  {tag}\n" for tag in tags) + "  </head>", 1),
                    encoding="utf-8")
