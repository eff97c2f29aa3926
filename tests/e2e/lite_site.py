"""The offline JupyterLite site in a browser: build it, serve it on 127.0.0.1, open it with the network cut.

Used by ``test_lite.py`` (as fixtures) and by ``make bench`` (``benchmarks/lite.py``).

* The Pyodide distribution comes from ``tools/fetch_pyodide.py``, which downloads and verifies it
  once and keeps it under ``build/pyodide`` (gitignored); the widget wheels are kept under
  ``build/lite-wheels``. A second run on the same machine downloads nothing, so the site builds
  with the network cut.
* The site is built by the command an instructor types, ``spasm-teach lite -o SITE --pyodide DIR``,
  into a temporary folder (never ``build/lite``, which ``make lite-offline`` owns).
* A static server (the standard library's, in a thread of this process, so nothing is left running)
  serves it on 127.0.0.1 with the MIME types Pyodide needs.
* The browser context blocks every request that is not for that server (``NetworkGuard``) and
  records every request it saw, the kernel's web worker included, so a test can assert that none
  tried to leave. Service workers are blocked too, so no request escapes the page's routing.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .conftest import DESKTOP, UI_MS, LabPage, PageLog, expect

ROOT = Path(__file__).resolve().parents[2]
PYODIDE_CACHE = ROOT / "build" / "pyodide"
WHEEL_CACHE = ROOT / "build" / "lite-wheels"
# A kernel start in the browser (Pyodide boots, loads IPython, the widgets and this package) takes tens of
# seconds on two busy cores, several kernels at once longer: a ceiling against a hang, not a target.
LITE_RUN_MS = 300_000
BUILD_TIMEOUT_S = 900


def _run(command: list[str], what: str, timeout: float = BUILD_TIMEOUT_S) -> str:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): `{' '.join(command)}`\n{(done.stdout + done.stderr)[-4000:]}")
    return done.stdout


def offline_pyodide() -> Path:
    """The verified, trimmed Pyodide distribution (fetched on first use, then from build/)."""
    out = _run([sys.executable, str(ROOT / "tools" / "fetch_pyodide.py"), "--cache", str(PYODIDE_CACHE)],
               "fetching Pyodide")
    return Path(out.strip().splitlines()[-1])


def build_offline_site(output: Path, notebooks: Path | None = None) -> Path:
    """``spasm-teach lite -o OUTPUT --pyodide <the offline Pyodide>``: the site that needs no network."""
    command = [sys.executable, "-m", "spasm_lib", "lite", "-o", str(output), "--pyodide", str(offline_pyodide()),
               "--cache", str(WHEEL_CACHE)]
    if notebooks is not None:
        command += ["--notebooks", str(notebooks)]
    _run(command, "building the JupyterLite site")
    return output


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",  # Pyodide compiles it while it streams in only with this type
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".json": "application/json",
    }

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


class StaticSite:
    """A folder served on 127.0.0.1 by a thread of this process; ``close()`` stops it."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_Handler, directory=str(self.folder))
        )
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, name="lite-site", daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


class NetworkGuard:
    """Lets through only requests to ``allowed`` (the local site); aborts and records the rest."""

    def __init__(self, context, allowed: str):
        self.allowed = allowed
        self.seen: list[str] = []  # every request of the context, pages and workers alike
        self.blocked: list[str] = []
        self.failed: list[str] = []  # local requests the site did not answer (a 404: a file the site lacks)
        context.route("**/*", self._route)
        context.on("request", lambda request: self.seen.append(request.url))
        context.on("response", self._on_response)
        context.on("requestfailed", self._on_failed)

    def _on_response(self, response) -> None:
        if response.status >= 400 and self._local(response.url):
            self.failed.append(f"{response.status} {response.url}")

    def _on_failed(self, request) -> None:
        if self._local(request.url) and request.url.startswith(self.allowed):
            self.failed.append(f"{request.failure} {request.url}")

    def _local(self, url: str) -> bool:
        return url.startswith(self.allowed) or url.startswith(("data:", "blob:"))

    def _route(self, route) -> None:
        url = route.request.url
        if self._local(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def left(self) -> list[str]:
        """Requests that were not for the local site (blocked or, worse, not routed at all)."""
        return sorted({u for u in self.seen + self.blocked if not self._local(u)})

    def unanswered(self) -> list[str]:
        """Requests for the local site that it did not answer: what a trimmed site must never lack."""
        return sorted(set(self.failed))


def lite_context(browser, site: StaticSite, service_workers: str = "block"):
    """A fresh browser profile (empty storage, so no earlier run's notebooks) with the network cut.

    ``service_workers="allow"`` lets the site's own service worker run, as in a student's browser (it
    is what shares the browser's storage with every kernel); the guard still sees and blocks the
    page's and the kernels' requests, but not what the service worker itself fetches."""
    context = browser.new_context(viewport=DESKTOP, service_workers=service_workers)
    context.set_default_timeout(UI_MS)
    guard = NetworkGuard(context, site.url)
    return context, guard


class LitePage(LabPage):
    """The site's JupyterLab in one page, driven exactly as the JupyterLab tests drive a server's.

    Differences from a JupyterLab server: no REST API (a notebook's cells are read from the site's
    ``files/`` folder), no workspace to reset (the context is a fresh profile) and a kernel that
    boots in the browser, hence a longer ceiling.
    """

    run_ms = LITE_RUN_MS

    def __init__(self, browser, site: StaticSite, needed: list[str], service_workers: str = "block"):
        super().__init__(browser, None, needed)
        self.site = site
        self.service_workers = service_workers
        self.guard: NetworkGuard | None = None

    def start(self) -> None:
        context, self.guard = lite_context(self.browser, self.site, self.service_workers)
        self.page = context.new_page()
        self.log = PageLog(self.page)
        self.page.goto(f"{self.site.url}lab/index.html")
        if self.service_workers == "allow":  # as a student's second visit: the worker in control of the page
            self.page.evaluate("async () => { await navigator.serviceWorker.ready; }")
            self.page.reload()
        expect(self.page.locator(".jp-DirListing-item").first).to_be_visible(timeout=self.run_ms)

    def code_cell_count(self, path: str) -> int:
        nb = json.loads((self.site.folder / "files" / path).read_text(encoding="utf-8"))
        return sum(cell["cell_type"] == "code" for cell in nb["cells"])

    def trace_texts(self, path: str, stem: str) -> dict[str, str]:
        """The student's trace files of notebook ``stem`` in the file system of ``path``'s kernel
        (name -> text): asked of that kernel itself, outside the notebook (no cell, no execution count)."""
        code = ("import json\nfrom spasm_lib.trace import trace_files, trace_folder\n"
                f"print(json.dumps({{p.name: p.read_text(encoding='utf-8') for p in trace_files(trace_folder(), stem={stem!r})}}))")
        return json.loads(kernel_output(self.page, path, code))

    def _shut_down_kernels_of(self, path: str) -> None:
        """Nothing to shut down: each notebook is opened once, in a fresh profile."""


# Every resource the page and its workers fetched, from the browser's own resource timing (the
# navigation entry included). The page's buffer is raised first: JupyterLab fetches more than the
# default 250 entries; a worker (the kernel) fetches a few dozen.
_TIMING_BUFFER = "performance.setResourceTimingBufferSize(100000)"
_BYTES_FETCHED = """() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
    .reduce((total, entry) => total + (entry.transferSize || 0), 0)"""


@dataclass(frozen=True)
class FirstOutput:
    """One visit: seconds and bytes transferred until the first output matched, and requests that left."""

    seconds: float
    bytes: int
    left: list[str]
    unanswered: list[str]


def first_output(browser, site: StaticSite, notebook: str, selector: str) -> FirstOutput:
    """Open ``notebook`` in a fresh profile, Run All, and measure until ``selector`` shows in an output.

    The time runs from the request for the page to the first match; the bytes are the transfer
    sizes of every resource the page and its workers (the kernel's included) fetched by then.
    """
    context, guard = lite_context(browser, site)
    context.add_init_script(_TIMING_BUFFER)
    try:
        page = context.new_page()
        started = time.perf_counter()
        page.goto(f"{site.url}lab/index.html?path={notebook}")
        expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status=idle]")).to_have_count(1, timeout=LITE_RUN_MS)
        expect(page.locator(".jp-Toolbar-kernelName").first).to_have_text("Python (Pyodide)", timeout=LITE_RUN_MS)
        page.locator('.lm-MenuBar-itemLabel:text-is("Run")').click()
        page.locator('.lm-Menu-itemLabel:text-is("Run All Cells")').click()
        expect(page.locator(f".jp-OutputArea-output {selector}").first).to_be_visible(timeout=LITE_RUN_MS)
        seconds = time.perf_counter() - started
        fetched = page.evaluate(_BYTES_FETCHED) + sum(worker.evaluate(_BYTES_FETCHED) for worker in page.workers)
        return FirstOutput(seconds, int(fetched), guard.left(), guard.unanswered())
    finally:
        with contextlib.suppress(Exception):
            context.close()


def run_scratch_cell(page, code: str) -> str:
    """Add a code cell at the end of the notebook in front, run it, and return its output's text.

    Through JupyterLab's own application object (the site exposes it for its helper script): the
    cell is inserted, filled and run as the Run button would, without typing into the editor.
    """
    cells = page.locator(".jp-NotebookPanel:visible .jp-CodeCell")
    before = cells.count()
    page.evaluate(
        """async (code) => {
            const app = window.jupyterapp;
            const notebook = app.shell.currentWidget.content;
            notebook.activeCellIndex = notebook.widgets.length - 1;
            await app.commands.execute('notebook:insert-cell-below');
            notebook.activeCell.model.sharedModel.setSource(code);
            await app.commands.execute('notebook:run-cell');
        }""",
        code,
    )
    expect(cells).to_have_count(before + 1)
    cell = cells.nth(before)
    expect(cell.locator(".jp-InputArea-prompt")).to_have_text(re.compile(r"\[\d+\]"), timeout=LITE_RUN_MS)
    return "\n".join(cell.locator(".jp-OutputArea-output").all_text_contents())


def kernel_output(page, path: str, code: str) -> str:
    """Run ``code`` in the kernel of the open notebook ``path``, as a request of its own (not a cell:
    nothing is added to the notebook, no execution count is taken), and return what it printed."""
    return page.evaluate(
        """async ([path, code]) => {
            const app = window.jupyterapp;
            const panel = [...app.shell.widgets('main')].find(w => w.context && w.context.path === path);
            if (!panel) throw new Error('no open notebook ' + path);
            const kernel = panel.sessionContext.session.kernel;
            const future = kernel.requestExecute({code, silent: false, store_history: false});
            let out = '', error = null;
            future.onIOPub = msg => {
                if (msg.header.msg_type === 'stream') out += msg.content.text;
                if (msg.header.msg_type === 'error') error = msg.content.ename + ': ' + msg.content.evalue;
            };
            await future.done;
            if (error) throw new Error(error);
            return out;
        }""",
        [path, code],
    )
