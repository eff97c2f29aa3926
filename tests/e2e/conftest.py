"""Fixtures for the browser tests: a private JupyterLab server, Debian's Chromium, evidence on failure.

Why this much isolation: a student's own Jupyter settings, workspaces or kernels must not change
what the tests see, and the tests must never touch the committed notebooks. So JupyterLab runs on
127.0.0.1 with its own config, data, runtime, IPython and workspace folders in a temporary folder,
serves a *copy* of notebooks/, and is stopped by its own process id (its kernels with it).
Chromium is the system's (``/usr/bin/chromium``), driven by the ``playwright`` package;
``playwright install`` is never needed (it downloads a browser and fails offline).

Speed on a two-core machine: one server, one browser and one JupyterLab page (in a fresh
workspace) serve the whole run; the notebooks open there as tabs, each with a fresh kernel, and
are run side by side once; the handout set builds in the background meanwhile. Tests then read
the executed notebooks and the opened handouts (see ``LabPage`` and ``OpenedHandouts``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # no test gets this far: the fixtures skip first (or fail, in CI)
    expect = None

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("SPASM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NOTEBOOKS_DIR = ROOT / "notebooks"
ARTIFACTS = ROOT / "artifacts" / "e2e"
SCREENSHOTS = ARTIFACTS / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ANNOUNCEMENTS = "@jupyterlab/apputils-extension:announcements"

# Generous ceilings: they bound a hang, they are not how long things take (see the report timings).
LAB_START_S = 60
NOTEBOOK_RUN_MS = 60_000
UI_MS = 15_000


# --------------------------------------------------------------------------------------------------
# Is there a browser?


def _missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    problems = []
    if not CHROMIUM.is_file():
        problems.append(f"no Chromium at {CHROMIUM} (Debian/Ubuntu: `apt-get install chromium`)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the Python package `playwright` is not installed (`pip install -e .[test]`)")
    return "; ".join(problems) or None


def require_browser() -> None:
    """Skip (on a laptop) or fail (in CI) when Chromium or playwright is missing."""
    problem = _missing_browser()
    if problem is None:
        return
    message = f"browser tests need Chromium and playwright: {problem}. Never run `playwright install`."
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


# --------------------------------------------------------------------------------------------------
# JupyterLab


@dataclass
class LabServer:
    """A running JupyterLab: where it is, what it serves, and how to reach it."""

    process: subprocess.Popen
    url: str  # http://127.0.0.1:PORT/
    token: str
    root: Path  # the folder it serves (a copy of notebooks/)
    log: Path

    def api(self, method: str, path: str, timeout: float = 5) -> bytes:
        request = urllib.request.Request(
            self.url + path.lstrip("/"), method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()


def _configure_lab(config_dir: Path) -> None:
    """No news and no announcements (nothing fetched from the network, no toast covering widgets),
    and every cell rendered.

    JupyterLab's default windowing ("contentVisibility") lets the browser skip off-screen cells and
    resizes them as they scroll into view, so a control near the end of a long notebook keeps moving
    while Playwright waits for it to be still. Rendering every cell ("none") changes nothing a student
    sees once scrolled there, and keeps the page still.
    """
    labconfig = config_dir / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    (labconfig / "page_config.json").write_text(json.dumps({"disabledExtensions": {ANNOUNCEMENTS: True}}))
    tracker = config_dir / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True, exist_ok=True)
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))


def _children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (kernels run in their own session, so they need naming)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _stop_lab(lab: LabServer) -> None:
    """Shut the server down by its own process id, kernels included.

    First politely (the REST shutdown stops every kernel it started); then SIGTERM to the server
    and to the kernels it had started, each by its own pid.
    """
    process = lab.process
    kernels = _children(process.pid) if Path("/proc").is_dir() else []
    with contextlib.suppress(OSError, urllib.error.URLError):
        lab.api("POST", "api/shutdown")
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    for pid in kernels:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)


@pytest.fixture(scope="session")
def notebook_copy(tmp_path_factory) -> Path:
    """A copy of notebooks/ that the server may execute and save freely."""
    folder = tmp_path_factory.mktemp("lab") / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, folder, ignore=shutil.ignore_patterns("__*", ".ipynb_checkpoints"))
    return folder


def start_lab(root: Path, home: Path) -> LabServer:
    """Start JupyterLab headless on 127.0.0.1, on a port the OS picks, serving ``root``."""
    for name in ("config", "data", "runtime", "ipython", "workspaces"):
        (home / name).mkdir(parents=True, exist_ok=True)
    _configure_lab(home / "config")
    token = uuid.uuid4().hex
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("JUPYTER_TOKEN", None)
    log = home / "lab.log"
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=0",  # the OS assigns a free port; the runtime file says which
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--ServerApp.terminals_enabled=False",
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=sink, stderr=subprocess.STDOUT)
    runtime_file = home / "runtime" / f"jpserver-{process.pid}.json"
    deadline = time.monotonic() + LAB_START_S
    url = None
    while time.monotonic() < deadline and process.poll() is None:
        if runtime_file.is_file():
            with contextlib.suppress(ValueError):
                url = f"http://127.0.0.1:{json.loads(runtime_file.read_text())['port']}/"
                break
        time.sleep(0.1)
    if url is None:
        process.kill()
        process.wait()
        raise RuntimeError(f"JupyterLab did not start within {LAB_START_S} s; its log:\n{log.read_text()[-4000:]}")
    lab = LabServer(process=process, url=url, token=token, root=root, log=log)
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, urllib.error.URLError):
            json.loads(lab.api("GET", "api/status"))
            return lab
        time.sleep(0.1)
    _stop_lab(lab)
    raise RuntimeError(f"JupyterLab did not answer within {LAB_START_S} s; its log:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def lab_server(notebook_copy, tmp_path_factory) -> Iterator[LabServer]:
    """One JupyterLab for the whole run, stopped by its own process id at the end."""
    require_browser()
    lab = start_lab(notebook_copy, tmp_path_factory.mktemp("jupyter-home"))
    try:
        yield lab
    finally:
        _stop_lab(lab)


# --------------------------------------------------------------------------------------------------
# The browser


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, with no background network traffic of its own."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


class PageLog:
    """Everything a page printed to its console, and its uncaught errors, as it happened."""

    def __init__(self, page):
        self.page = page
        self.lines: list[str] = []
        self.errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_console(self, message) -> None:
        line = f"[{message.type}] {message.text}"
        self.lines.append(line)
        if message.type == "error":
            self.errors.append(line)

    def _on_page_error(self, error) -> None:
        line = f"[pageerror] {error}"
        self.lines.append(line)
        self.errors.append(line)


@dataclass
class PageRecord:
    """The pages a test used, kept for the failure report (screenshot and console of each)."""

    logs: list[PageLog] = field(default_factory=list)

    def add(self, log: PageLog) -> PageLog:
        if log not in self.logs:
            self.logs.append(log)
        return log


@pytest.fixture
def page_record(request) -> PageRecord:
    record = PageRecord()
    request.node._e2e_record = record
    return record


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1] if "::" in nodeid else nodeid)[:150]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failing test: a screenshot of each page it used and their console log, in artifacts/e2e/."""
    report = yield
    record = getattr(item, "_e2e_record", None)
    if report.failed and record is not None and report.when in ("setup", "call"):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        stem = _artifact_name(f"{Path(str(item.fspath)).stem}::{item.name}")
        saved = []
        for i, log in enumerate(record.logs):
            with contextlib.suppress(Exception):
                shot = ARTIFACTS / f"{stem}-{i}.png"
                log.page.screenshot(path=str(shot), full_page=True, timeout=5000)
                saved.append(shot)
            console = ARTIFACTS / f"{stem}-{i}.console.log"
            console.write_text(f"{log.page.url}\n" + "\n".join(log.lines) + "\n", encoding="utf-8")
            saved.append(console)
        report.sections.append(("e2e artifacts", "\n".join(str(p.relative_to(ROOT)) for p in saved)))
    return report


# --------------------------------------------------------------------------------------------------
# Driving JupyterLab as a student would


class Notebook:
    """One notebook open in a tab of JupyterLab, driven through its menus and widgets.

    Everything is looked up inside the notebook's own panel (``root``), so other open notebooks
    never match a selector. Opening and running happen in stages (:meth:`open`,
    :meth:`wait_ready`, :meth:`start_run_all`, :meth:`wait_run_all`) so that several notebooks can
    run side by side.
    """

    CODE_CELLS = ".jp-CodeCell"
    PROMPTS = ".jp-CodeCell .jp-InputArea-prompt"
    STDERR = '[data-mime-type="application/vnd.jupyter.stderr"]'
    ERROR = '[data-mime-type="application/vnd.jupyter.error"]'

    def __init__(self, lab_page: LabPage, path: str):
        self.lab_page, self.path = lab_page, path
        self.page, self.log = lab_page.page, lab_page.log
        self.panel_id = ""
        self.code_cells = 0

    @property
    def root(self):
        return self.page.locator(f'[id="{self.panel_id}"]')

    @property
    def tab(self):
        return self.page.locator(f'.lm-DockPanel-tabBar .lm-TabBar-tab[data-id="{self.panel_id}"]')

    def open(self) -> None:
        """Double-click the notebook in the file browser, as a student does; remember its panel."""
        name = self.path.rsplit("/", 1)[-1]
        item = self.page.locator(".jp-DirListing-item").filter(
            has=self.page.locator(".jp-DirListing-itemText", has_text=re.compile(rf"^{re.escape(name)}$"))
        )
        item.dblclick()
        tab = self.page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current").filter(
            has=self.page.locator(".lm-TabBar-tabLabel", has_text=re.compile(rf"^{re.escape(name)}$"))
        )
        expect(tab).to_have_count(1)
        self.panel_id = tab.get_attribute("data-id")

    def activate(self) -> None:
        """Bring the notebook's tab to the front (menus act on it; hidden panels cannot be clicked)."""
        if "lm-mod-current" not in (self.tab.get_attribute("class") or ""):
            self.tab.click()
        expect(self.root).to_be_visible()

    def wait_ready(self) -> None:
        """Wait for the notebook and its kernel.

        The race: the execution indicator can read idle while the toolbar still says "No Kernel",
        and Run All then opens a kernel dialog. So wait for both, and for every code cell of the
        file to be on the page (Lab adds them as it renders).
        """
        self.activate()  # a hidden tab does not update its toolbar
        expect(self.root.locator(".jp-Notebook-ExecutionIndicator[data-status=idle]")).to_have_count(
            1, timeout=self.lab_page.run_ms
        )
        expect(self.root.locator(".jp-Toolbar-kernelName").first).to_have_text(
            re.compile(r"Python", re.I), timeout=self.lab_page.run_ms
        )
        self.code_cells = self.lab_page.code_cell_count(self.path)
        expect(self.root.locator(self.CODE_CELLS)).to_have_count(self.code_cells)

    def start_run_all(self) -> None:
        """Edit > Clear Outputs of All Cells, then Run > Run All Cells.

        The notebooks are stored executed, so their prompts are numbered before anything runs:
        clearing first makes "every prompt numbered" mean "this run reached every cell".
        """
        self.activate()
        self.lab_page.menu("Edit", "Clear Outputs of All Cells")
        expect(self.root.locator(self.PROMPTS, has_text=re.compile(r"\[\d+\]"))).to_have_count(0)
        self.lab_page.menu("Run", "Run All Cells")

    def restart_and_run_all(self) -> None:
        """A fresh kernel, then every cell run again (new widgets): a test that must not meet what an
        earlier test of the session left in this notebook's widgets starts here."""
        self.lab_page.menu("Kernel", "Restart Kernel and Run All Cells\u2026")
        self.page.get_by_role("button", name="Confirm Kernel Restart").or_(
            self.page.locator(".jp-Dialog-button.jp-mod-accept")).first.click()
        self.wait_run_all()

    def wait_run_all(self) -> None:
        """Wait until the kernel is idle and every code cell is numbered (or a cell failed)."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.activate()
        try:
            self.page.wait_for_function(
                """([root, total]) => {
                    const panel = document.getElementById(root);
                    const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
                    const numbered = prompts.filter(p => /\\[\\d+\\]/.test(p.textContent)).length;
                    const idle = panel.querySelector('.jp-Notebook-ExecutionIndicator[data-status=idle]');
                    const failed = panel.querySelector('[data-mime-type="application/vnd.jupyter.error"]');
                    return idle !== null && (failed !== null || (prompts.length === total && numbered === total));
                }""",
                arg=[self.panel_id, self.code_cells],
                timeout=self.lab_page.run_ms,
                polling=100,  # not "raf": animation frames can stall in a page that repaints nothing
            )
        except PlaywrightTimeout:
            prompts = self.root.locator(self.PROMPTS).all_text_contents()
            status = self.root.locator(".jp-Notebook-ExecutionIndicator").evaluate_all(
                "els => els.map(e => e.dataset.status)"
            )
            raise AssertionError(
                f"Run All did not finish within {self.lab_page.run_ms / 1000:.0f} s: {self.code_cells} code cells, "
                f"prompts {prompts}, execution indicator {status}"
            ) from None

    def execution_numbers(self) -> list[int]:
        texts = self.root.locator(self.PROMPTS).all_text_contents()
        return [int(m.group(1)) for t in texts if (m := re.search(r"\[(\d+)\]", t))]

    def problems(self) -> list[str]:
        """Error or stderr outputs, and tracebacks, anywhere in the notebook (text of each)."""
        found = self.root.locator(f"{self.STDERR}, {self.ERROR}").all_text_contents()
        found += self.root.locator(".jp-OutputArea-output", has_text="Traceback").all_text_contents()
        return found

    def cell_with(self, code: str):
        """The one code cell whose source contains ``code`` (its widgets live in its output area)."""
        cell = self.root.locator(self.CODE_CELLS).filter(
            has=self.page.locator(".jp-InputArea-editor", has_text=code)
        )
        expect(cell).to_have_count(1)
        return cell


class LabPage:
    """One JupyterLab page in a fresh workspace, in which the notebooks open as tabs.

    Loading JupyterLab costs about five seconds of this machine's two cores; opening a notebook
    in a loaded Lab costs a fraction of one. So one page serves every notebook, each in its own
    tab with its own fresh kernel, and the tests look at the notebook after one Run All instead of
    paying again. The workspace is new (``?reset``) so no saved layout comes back.
    """

    STAGES = ("open", "wait_ready", "start_run_all", "wait_run_all")
    run_ms = NOTEBOOK_RUN_MS  # a kernel start plus Run All (JupyterLite's in-browser kernel needs longer)

    def __init__(self, browser, lab: LabServer, needed: list[str]):
        self.browser, self.lab, self.needed = browser, lab, needed
        self.page = None
        self.log: PageLog | None = None
        self._notebooks: dict[str, Notebook] = {}
        self._failed: dict[str, BaseException] = {}
        self._broken: BaseException | None = None

    def start(self) -> None:
        context = self.browser.new_context(viewport=DESKTOP, service_workers="block")
        context.set_default_timeout(UI_MS)
        self.page = context.new_page()
        self.log = PageLog(self.page)
        name = "e2e-" + uuid.uuid4().hex[:12]
        self.page.goto(f"{self.lab.url}lab/workspaces/{name}?reset&token={self.lab.token}")
        expect(self.page.locator(".jp-DirListing-item").first).to_be_visible(timeout=NOTEBOOK_RUN_MS)

    def menu(self, menu: str, item: str) -> None:
        self.page.locator(f'.lm-MenuBar-itemLabel:text-is("{menu}")').click()
        self.page.locator(f'.lm-Menu-itemLabel:text-is("{item}")').click()

    def code_cell_count(self, path: str) -> int:
        """How many code cells the notebook file has (from the server, not from what is rendered yet)."""
        model = json.loads(self.lab.api("GET", f"api/contents/{path}?content=1"))
        return sum(cell["cell_type"] == "code" for cell in model["content"]["cells"])

    def notebook(self, path: str, record: PageRecord | None = None) -> Notebook:
        """The notebook, opened and run (with every other needed notebook the first time), in front."""
        if self.page is None:
            try:
                self.start()
            except Exception as error:  # every later test fails at once with the same reason
                self._broken = error
                raise
        if self._broken is not None:
            raise AssertionError(f"JupyterLab did not load: {self._broken}") from self._broken
        if record is not None:
            record.add(self.log)
        if path not in self._notebooks:
            self._run([path] + [p for p in self.needed if p != path and p not in self._notebooks])
        if path in self._failed:
            error = self._failed[path]
            raise AssertionError(f"{path} could not be opened and run in JupyterLab: {error}") from error
        notebook = self._notebooks[path]
        notebook.activate()
        return notebook

    def _run(self, paths: list[str]) -> None:
        """Take every notebook of ``paths`` through the stages, stage by stage, so their kernels overlap."""
        for path in paths:
            self._shut_down_kernels_of(path)
            self._notebooks[path] = Notebook(self, path)
        for stage in self.STAGES:
            for path in paths:
                if path in self._failed:
                    continue
                try:
                    getattr(self._notebooks[path], stage)()
                except Exception as error:  # every test of that notebook reports it
                    self._failed[path] = error

    def trace_texts(self, path: str, stem: str) -> dict[str, str]:
        """The student's trace files of notebook ``stem`` that the kernel of ``path`` writes (name -> text):
        here on this machine, in the session's trace folder (``$SPASM_TRACE_DIR``, else the server's root)."""
        from spasm_lib.trace import trace_files

        folder = os.environ.get("SPASM_TRACE_DIR") or self.lab.root
        return {p.name: p.read_text(encoding="utf-8") for p in trace_files(folder, stem=stem)}

    def _shut_down_kernels_of(self, path: str) -> None:
        """A fresh kernel: JupyterLab reuses the running session of a path."""
        for session in json.loads(self.lab.api("GET", "api/sessions")):
            if session.get("path") == path:
                self.lab.api("DELETE", f"api/sessions/{session['id']}")

    def close(self) -> None:
        if self.page is not None:
            with contextlib.suppress(Exception):
                self.page.context.close()


def _notebooks_needed(items) -> list[str]:
    """The notebooks the selected tests open: the ``notebook`` parameter of every test using Lab."""
    needed: dict[str, None] = {}
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "lab_notebook" in getattr(item, "fixturenames", ()) and "notebook" in params:
            needed[params["notebook"]] = None
    return list(needed)


@pytest.fixture(scope="session")
def lab_page(request, browser, lab_server) -> Iterator[LabPage]:
    page = LabPage(browser, lab_server, _notebooks_needed(request.session.items))
    try:
        yield page
    finally:
        page.close()


@pytest.fixture
def lab_notebook(lab_page, page_record):
    """``lab_notebook("01_risk_factors.ipynb")``: that notebook, opened in Lab, run, and in front.

    Tests that use it take the notebook as a parameter named ``notebook``, so that the fixture
    knows which notebooks to open and run side by side.
    """

    def get(path: str) -> Notebook:
        return lab_page.notebook(path, page_record)

    return get


# --------------------------------------------------------------------------------------------------
# What a view shows as text


class _TextOf(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.alts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        if tag == "img":
            self.alts.append(dict(attrs).get("alt") or "")

    def handle_endtag(self, tag):
        if tag in ("style", "script") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def text_of(markup: str) -> str:
    """The text content of an HTML fragment, whitespace collapsed (as Playwright compares text)."""
    parser = _TextOf()
    parser.feed(markup)
    parser.close()
    return " ".join("".join(parser.parts).split())


def alts_of(markup: str) -> list[str]:
    """The alt text of every image of an HTML fragment, in order."""
    parser = _TextOf()
    parser.feed(markup)
    parser.close()
    return parser.alts


# --------------------------------------------------------------------------------------------------
# Offline pages (the handouts)


@dataclass
class OfflinePage:
    """A page opened from a file with every request outside file:// blocked, and what it tried."""

    page: object
    log: PageLog
    blocked: list[str]  # requests that tried to leave the file (aborted)
    failed: list[str]  # requests that failed for any other reason (a missing local file, say)


def offline_context(browser, viewport: dict | None = None):
    """A browser context with the network switched off (requests are also blocked per page)."""
    context = browser.new_context(viewport=viewport or DESKTOP, service_workers="block", offline=True)
    context.set_default_timeout(UI_MS)
    return context


def open_offline_page(context, path: Path) -> OfflinePage:
    """Open a local HTML file with the network cut off: requests outside file:// are aborted and kept.

    Pages of static files share a context (a new context costs a new renderer process, several
    times the cost of the page); each page keeps its own console log and request record.
    """
    page = context.new_page()
    log = PageLog(page)
    blocked: list[str] = []
    failed: list[str] = []

    def route(route) -> None:
        url = route.request.url
        if url.startswith(("file://", "data:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort("blockedbyclient")

    page.route("**/*", route)
    page.on(
        "requestfailed",
        lambda request: request.url in blocked or failed.append(f"{request.url}: {request.failure}"),
    )
    page.goto(path.resolve().as_uri(), wait_until="load")
    return OfflinePage(page, log, blocked, failed)


@pytest.fixture(scope="session")
def offline_contexts(browser) -> Iterator[dict]:
    """One offline context per viewport size, shared by the whole run."""
    contexts: dict = {}
    try:
        yield contexts
    finally:
        for context in contexts.values():
            with contextlib.suppress(Exception):
                context.close()


@pytest.fixture
def open_offline(browser, offline_contexts, page_record):
    """``open_offline(path, viewport)``: a new page on a local file, network blocked and recorded."""
    opened: list[OfflinePage] = []

    def open_file(path: Path, viewport: dict | None = None) -> OfflinePage:
        viewport = viewport or DESKTOP
        key = (viewport["width"], viewport["height"])
        if key not in offline_contexts:
            offline_contexts[key] = offline_context(browser, viewport)
        offline = open_offline_page(offline_contexts[key], path)
        page_record.add(offline.log)
        opened.append(offline)
        return offline

    yield open_file
    for offline in opened:
        with contextlib.suppress(Exception):
            offline.page.close()


STUDENTS = 2
CLASS_SEED = 7


def _handouts_command(out_dir: Path) -> list[str]:
    return [sys.executable, "-m", "spasm_lib", "handouts", "-o", str(out_dir), "--jobs", "2",
            "--students", str(STUDENTS), "--seed", str(CLASS_SEED)]


@contextlib.contextmanager
def _exclusive(lock_file: Path):
    """One builder at a time across pytest-xdist workers (POSIX lock; a no-op elsewhere)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: each worker builds its own set
        yield
        return
    with lock_file.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class HandoutBuild:
    """``spasm-teach handouts -o DIR --jobs 2`` as a process of its own, started early, waited for late.

    Building the set takes a while and mostly waits on kernels, so it runs while JupyterLab loads
    and the notebooks run; the first handout test waits for it.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.out_dir = folder / "handouts"
        self.log = folder / "handouts.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if self.process is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            with self.log.open("wb") as sink:
                self.process = subprocess.Popen(
                    _handouts_command(self.out_dir), cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT
                )

    def wait(self) -> Path:
        self.start()
        assert self.process is not None
        try:
            code = self.process.wait(timeout=600)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = "killed after 600 s"
        if code != 0:
            pytest.fail(
                f"`spasm-teach handouts -o {self.out_dir} --jobs 2` failed ({code}):\n"
                f"{self.log.read_text(errors='replace')[-4000:]}",
                pytrace=False,
            )
        return self.out_dir

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)


def _needs_handouts(items) -> bool:
    return any("handout_set" in getattr(item, "fixturenames", ()) for item in items)


@pytest.fixture(scope="session")
def _handout_build(tmp_path_factory) -> Iterator[HandoutBuild]:
    build = HandoutBuild(tmp_path_factory.mktemp("handout-set"))
    try:
        yield build
    finally:
        build.stop()


@pytest.fixture(scope="session", autouse=True)
def _start_handout_build_early(request):
    """Start the handout build at the first e2e test, in the background, when a selected test needs it.

    Not under pytest-xdist: there the workers share one build, made under a lock (``handout_set``).
    """
    if (
        not os.environ.get("PYTEST_XDIST_WORKER")
        and _missing_browser() is None
        and _needs_handouts(request.session.items)
    ):
        request.getfixturevalue("_handout_build").start()


@pytest.fixture(scope="session")
def handout_set(request, tmp_path_factory) -> Path:
    """The class set, built once per run with ``spasm-teach handouts -o DIR --jobs 2``.

    Under pytest-xdist the workers share one build (the folder above each worker's temp folder is
    per run), made by whichever worker comes first while the others wait on a lock; a failing
    build fails every handout test with the command's own output.
    """
    require_browser()
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return request.getfixturevalue("_handout_build").wait()
    shared = tmp_path_factory.getbasetemp().parent
    build = HandoutBuild(shared / "handout-set")
    done = shared / "handout-set.built"
    with _exclusive(shared / "handout-set.lock"):
        if not done.exists():
            build.wait()
            done.touch()
    return build.out_dir


class OpenedHandouts:
    """Each handout opened once (network blocked) and shared by the tests that only read it."""

    def __init__(self, browser, folder: Path):
        self.browser, self.folder = browser, folder
        self.context = None
        self._open: dict[str, OfflinePage] = {}

    def get(self, name: str) -> OfflinePage:
        if name not in self._open:
            path = self.folder / name
            if not path.is_file():
                pytest.fail(f"the handout set has no {name}; it holds: "
                            f"{sorted(p.relative_to(self.folder).as_posix() for p in self.folder.rglob('*.html'))}")
            if self.context is None:
                self.context = offline_context(self.browser)
            self._open[name] = open_offline_page(self.context, path)
        return self._open[name]

    def close(self) -> None:
        if self.context is not None:
            with contextlib.suppress(Exception):
                self.context.close()


@pytest.fixture(scope="session")
def opened_handouts(browser, handout_set) -> Iterator[OpenedHandouts]:
    opened = OpenedHandouts(browser, handout_set)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def handout_page(opened_handouts, page_record):
    """``handout_page("01_risk_factors.student.html")``: that handout, open in Chromium, offline."""

    def get(name: str) -> OfflinePage:
        offline = opened_handouts.get(name)
        page_record.add(offline.log)
        return offline

    return get


# --------------------------------------------------------------------------------------------------
# What the set must hold, derived from the committed notebooks and data/cases.csv (not from the builder)

AUDIENCE_NAMES = ("student", "instructor")
CASE_STUDY = "04_case_study"


@dataclass(frozen=True)
class ExpectedHandout:
    file: str
    notebook: str | None  # None for the index
    audience: str
    case_id: str | None = None  # the case of a case-study handout (it names the file)
    patient: str | None = None  # the case the handout is about: its title follows the notebook's
    student: int | None = None  # a student's own case-study handout (a virtual patient, "Patient N")

    def __str__(self) -> str:
        return self.file

    @property
    def stem(self) -> str:
        """A name for its screenshots: the set path without ``.html``, ``/`` as ``-``
        (``students-index``; the two folders both hold an ``index.html``)."""
        return self.file.removesuffix(".html").replace("/", "-")


def committed_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def expected_handouts() -> list[ExpectedHandout]:
    """Every notebook twice (student, instructor), the case study once per case and audience and once
    per student, the two indexes (students', instructor's), the answer key and the front page; each
    ``file`` is its path in the set: ``students/…`` or ``instructor/…`` (issue 22).

    A notebook with a ``case`` parameter is about one patient: its default case (spasm_lib.params),
    or for the case study each case of data/cases.csv.
    """
    from spasm_lib.facts import load_facts
    from spasm_lib.params import defaults

    from spasm_lib.params import for_students

    expected = []
    for path in committed_notebooks():
        if not for_students(path):  # the lecturer's debrief is not in the set
            continue
        if path.stem == CASE_STUDY:
            for case in load_facts().cases:
                expected += [
                    ExpectedHandout(f"{FOLDERS[a]}/{path.stem}.{case.id}.{a}.html", path.stem, a, case.id, case.id)
                    for a in AUDIENCE_NAMES
                ]
        else:
            patient = defaults(path.stem).get("case") or None
            expected += [ExpectedHandout(f"{FOLDERS[a]}/{path.stem}.{a}.html", path.stem, a, None, patient)
                         for a in AUDIENCE_NAMES]
    expected += [ExpectedHandout(f"students/{CASE_STUDY}.student-{n:02d}.html", CASE_STUDY, "student", student=n)
                 for n in range(1, STUDENTS + 1)]
    return expected + [ExpectedHandout("students/index.html", None, "student"),
                       ExpectedHandout("instructor/index.html", None, "instructor"),
                       ExpectedHandout("instructor/answer-key.html", None, "instructor"),
                       ExpectedHandout("index.html", None, "instructor")]


FOLDERS = {"student": "students", "instructor": "instructor"}
"""Where each audience's handouts sit in the set (written here by hand, not read from spasm_lib)."""
