"""The course in the browser with no server: the offline JupyterLite site, run as a student runs it.

The site is built the way an instructor builds it (``spasm-teach lite -o SITE --pyodide DIR``, with
the Pyodide distribution ``tools/fetch_pyodide.py`` verified and cached under build/), served on
127.0.0.1 and opened in Debian's Chromium with every other request blocked. Every notebook the
site holds is opened from the file browser and run (Edit > Clear Outputs, Run > Run All Cells) in
its own in-browser kernel.

The checks are the JupyterLab tests' own (``test_notebooks_in_lab``), called on the Lite page:
each explorer is driven by hand and must show exactly ``view(logic(state))`` computed here, and
every quiz must answer. Nothing about a notebook's cells is written here; the site is checked
against the notebooks in notebooks/ and the data.
"""

from __future__ import annotations

import csv
import datetime
import functools
import inspect
import json
import re
from pathlib import Path

import pytest

from . import test_notebooks_in_lab as lab_tests
from . import test_trace_in_lab as trace_tests
from spasm_lib.lite import notebooks_of_site
from spasm_lib.lite_trim import UNUSED_CHUNKS

from .conftest import NOTEBOOKS_DIR, committed_notebooks, expect, require_browser
from .lite_site import LITE_RUN_MS, LitePage, StaticSite, build_offline_site, lite_context, run_scratch_cell

pytestmark = pytest.mark.e2e

# The student site's notebooks, as the site builder chooses them (every test here runs these only).
NOTEBOOKS = [p.name for p in notebooks_of_site(NOTEBOOKS_DIR, "student")]


@pytest.fixture(scope="session")
def lite_site(tmp_path_factory) -> Path:
    """The offline site, built once per run from the running source tree."""
    require_browser()
    return build_offline_site(tmp_path_factory.mktemp("lite") / "site")


@pytest.fixture(scope="session")
def lite_server(lite_site):
    site = StaticSite(lite_site)
    try:
        yield site
    finally:
        site.close()


def _lite_notebooks_needed(items) -> list[str]:
    needed: dict[str, None] = {}
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "lite_notebook" in getattr(item, "fixturenames", ()) and "notebook" in params:
            needed[params["notebook"]] = None
    return list(needed)


@pytest.fixture(scope="session")
def lite_page(request, browser, lite_server):
    page = LitePage(browser, lite_server, _lite_notebooks_needed(request.session.items))
    try:
        yield page
    finally:
        page.close()


@pytest.fixture
def lite_notebook(lite_page, page_record):
    """``lite_notebook("01_risk_factors.ipynb")``: opened in the Lite site, run, and in front."""

    def get(path: str):
        return lite_page.notebook(path, page_record)

    return get


# --------------------------------------------------------------------------------------------------
# The site itself (no browser needed beyond the build)


def test_site_holds_every_notebook_unchanged_and_pyodide_locally(lite_site):
    """A student site's notebooks are byte-for-byte the stored ones; Pyodide is the site's own copy."""
    files = lite_site / "files"
    # Every committed notebook but the lecturer's class debrief (written here by hand).
    assert NOTEBOOKS == [p.name for p in committed_notebooks() if p.name != "05_class_debrief.ipynb"]
    assert sorted(p.name for p in files.glob("*.ipynb")) == NOTEBOOKS
    for name in NOTEBOOKS:
        assert (files / name).read_bytes() == (NOTEBOOKS_DIR / name).read_bytes(), name
    settings = json.loads((lite_site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = settings["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.js"
    assert kernel["disablePyPIFallback"] is True
    assert (lite_site / "static" / "pyodide" / "pyodide.asm.wasm").is_file()
    # A trace (JSON Lines) is stored as text in the browser's storage, never parsed as one JSON document.
    assert settings["fileTypes"]["jsonl"]["fileFormat"] == "text"
    for url in kernel["loadPyodideOptions"]["packages"]:
        if url.endswith(".whl"):  # resolved against the kernel worker's folder, as Pyodide does
            worker_dir = lite_site / "extensions" / "@jupyterlite" / "pyodide-kernel-extension" / "static"
            assert (worker_dir / url).resolve().is_file(), url
    # Trimmed: pandas (and numpy) for a student who asks for a DataFrame; nothing the notebooks do not use.
    shipped = {p.name.split("-")[0] for p in (lite_site / "static" / "pyodide").glob("*.whl")}
    assert {"numpy", "pandas"} <= shipped
    assert not shipped & {"matplotlib", "scipy", "scikit_learn", "pyarrow"}
    # ... and the kernel loads none of them as it starts: only our wheel and the widgets' kernel side.
    preloaded = [u.rsplit("/", 1)[-1].split("-")[0] for u in kernel["loadPyodideOptions"]["packages"]]
    assert sorted(preloaded) == ["comm", "ipywidgets", "spasm_teach"]


# JupyterLite's own files in the site (all but Pyodide under static/pyodide): 19.0 MB before the
# site kept only the lab and dropped the older font formats (2026-12-02), 15.7 MB after, 11.8 MB
# once the code of the turned-off extensions (Mermaid, Vega, terminals) went (spasm_lib.lite_trim).
JUPYTERLITE_CEILING_BYTES = 12_300_000


def test_site_carries_no_source_maps_no_unused_apps_and_no_older_font_formats(lite_site):
    """What the site leaves out stays out: source maps, the apps no link opens, fonts no browser
    that runs Pyodide fetches; and JupyterLite's share of the site does not grow back."""
    assert [p.name for p in lite_site.rglob("*.map")] == []
    for app in ("notebooks", "tree", "edit", "repl", "consoles"):
        assert not (lite_site / app).exists(), app
        assert not (lite_site / "build" / app).exists(), app
    assert (lite_site / "lab" / "index.html").is_file()
    assert [name for name in UNUSED_CHUNKS if (lite_site / "build" / name).exists()] == []
    settings = json.loads((lite_site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    assert {"@jupyterlab/mermaid-extension", "@jupyterlab/terminal-extension", "@jupyterlab/vega5-extension"} <= set(
        settings["disabledExtensions"])
    fonts = sorted(p.name for p in (lite_site / "build").glob("fa-*"))
    assert fonts == ["fa-brands-400.woff2", "fa-regular-400.woff2", "fa-solid-900.woff2"]
    pyodide = lite_site / "static" / "pyodide"
    others = sum(p.stat().st_size for p in lite_site.rglob("*") if p.is_file() and pyodide not in p.parents)
    assert others <= JUPYTERLITE_CEILING_BYTES, others


def test_the_file_browser_lists_the_notebooks_only_dated_when_they_last_changed(lite_site):
    """No __init__.py or other package file for students to see, and no "46 years ago" (1980) dates:
    each notebook carries the time the newest of the site's notebooks last changed (the lecturer's
    debrief, not in the site, does not date it)."""
    listing = json.loads((lite_site / "api" / "contents" / "all.json").read_text())["content"]
    assert sorted(item["name"] for item in listing) == NOTEBOOKS
    assert sorted(p.name for p in (lite_site / "files").iterdir()) == NOTEBOOKS
    newest = max(int((NOTEBOOKS_DIR / name).stat().st_mtime) for name in NOTEBOOKS)
    expected = datetime.datetime.fromtimestamp(newest, tz=datetime.timezone.utc)
    for item in listing:
        shown = datetime.datetime.fromisoformat(item["last_modified"].replace("Z", "+00:00"))
        assert shown == expected, (item["name"], item["last_modified"])


# --------------------------------------------------------------------------------------------------
# Every notebook, run in the browser (the JupyterLab tests' checks, on the Lite page)


def _notebook_of(value) -> str:
    """The notebook a ``notebook`` parameter value names (a name, or a tuple or pytest.param of one)."""
    values = getattr(value, "values", None)
    if values is not None:  # pytest.param(...)
        value = values[0]
    return value if isinstance(value, str) else value[0]


def _in_the_site(marks: list) -> list | None:
    """``marks`` with each ``notebook`` parametrization cut to the notebooks the student site holds
    (a JupyterLab server runs the lecturer's debrief too; the site leaves it out); None when one is
    left with none, so no Lite test stands for a check of the lecturer's notebook alone."""
    kept = []
    for mark in marks:
        if mark.name == "parametrize" and mark.args[0] == "notebook":
            values = [v for v in mark.args[1] if _notebook_of(v) in NOTEBOOKS]
            if not values:
                return None
            mark = pytest.mark.parametrize("notebook", values, *mark.args[2:], **mark.kwargs).mark
        kept.append(mark)
    return kept


def _on_the_lite_page(test):
    """The JupyterLab test ``test``, run on the Lite page: same body, same parameters (cut to the
    site's notebooks), ``lite_notebook``; None when it checks only notebooks the site leaves out.

    Generated for every test of ``test_notebooks_in_lab`` that drives a notebook, so a check added
    there (a new explorer, a new quiz) is made in the browser-only site too, with no copy here.
    """
    marks = _in_the_site(list(getattr(test, "pytestmark", [])))
    if marks is None:
        return None

    @functools.wraps(test)
    def run(lite_notebook, **kwargs):
        return test(lite_notebook, **kwargs)

    run.pytestmark = marks  # its own list (wraps copied the JupyterLab test's)

    signature = inspect.signature(test)
    run.__signature__ = signature.replace(parameters=[
        p.replace(name="lite_notebook") if p.name == "lab_notebook" else p for p in signature.parameters.values()
    ])
    run.__name__ = run.__qualname__ = test.__name__.replace("test_", "test_lite_", 1)
    return run


LAB_TESTS = {
    name: test for name, test in vars(lab_tests).items()
    if name.startswith("test_") and callable(test) and "lab_notebook" in inspect.signature(test).parameters
}
for _test in LAB_TESTS.values():
    _lite = _on_the_lite_page(_test)
    if _lite is not None:
        globals()[_lite.__name__] = _lite
del _test, _lite


def test_every_notebook_is_run_and_every_widget_notebook_is_used_in_the_site():
    """The generated tests cover the site: Run All on every notebook, and each explorer and quiz used."""
    run_all = [t for t in LAB_TESTS.values() if "run_all" in t.__name__]
    assert run_all, "test_notebooks_in_lab has no Run All test to run on the Lite page"
    driven = {
        mark.args[1][i] if isinstance(mark.args[1][i], str) else mark.args[1][i][0]
        for test in LAB_TESTS.values() if test not in run_all
        for mark in getattr(test, "pytestmark", []) if mark.name == "parametrize" and mark.args[0] == "notebook"
        for i in range(len(mark.args[1]))
    }
    assert set(lab_tests.WIDGET_NOTEBOOKS) <= driven | set(lab_tests.QUIZ_NOTEBOOKS), "a widget notebook no test drives"


# --------------------------------------------------------------------------------------------------
# What a student's first visit to notebook 01 costs and shows (its own fresh profile)


NOTICE_MS = 60_000


@pytest.fixture(scope="module")
def first_visit(browser, lite_server):
    """Notebook 01 opened in a fresh profile and run: the page, and what the notice said while Python started."""
    context, guard = lite_context(browser, lite_server)
    try:
        page = context.new_page()
        page.goto(f"{lite_server.url}lab/index.html?path=01_risk_factors.ipynb")
        notice = page.locator("#spasm-teach-kernel-notice")
        said = role = None
        try:  # the page shows it within seconds; Python takes far longer to start
            expect(notice).to_be_visible(timeout=NOTICE_MS)
            said, role = notice.text_content(), notice.get_attribute("role")
        except AssertionError:
            pass  # recorded as None: test_a_notice_says_python_is_starting... fails, the others still run
        expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status=idle]")).to_have_count(1, timeout=LITE_RUN_MS)
        expect(page.locator(".jp-Toolbar-kernelName").first).to_have_text("Python (Pyodide)", timeout=LITE_RUN_MS)
        expect(notice).to_be_hidden(timeout=LITE_RUN_MS)
        page.locator('.lm-MenuBar-itemLabel:text-is("Run")').click()
        page.locator('.lm-Menu-itemLabel:text-is("Run All Cells")').click()
        expect(page.locator(".jp-OutputArea-output .jupyter-widgets").first).to_be_visible(timeout=LITE_RUN_MS)
        expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status=idle]")).to_have_count(1, timeout=LITE_RUN_MS)
        yield {"page": page, "guard": guard, "notice": said, "notice_role": role}
    finally:
        context.close()


def test_a_notice_says_python_is_starting_until_the_kernel_is_ready(first_visit):
    assert first_visit["notice"] is not None, "no notice while Python started"
    assert re.fullmatch(r"Python is starting in your browser \(about \d+ s\)\..*", first_visit["notice"]), first_visit["notice"]
    assert first_visit["notice_role"] == "status"  # read out by a screen reader


def _risk_factor_rows() -> int:
    """Counted from the CSV with the csv module, not with the loader under test."""
    from spasm_lib.facts import default_data_dir

    with (default_data_dir() / "risk_factors.csv").open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_opening_01_loads_no_pandas_numpy_or_matplotlib_and_a_dataframe_still_comes(first_visit):
    page = first_visit["page"]
    # Neither imported (sys.modules) nor even installed in the kernel's file system (what Pyodide's
    # loadPackage does with a package it is told to load at start, without importing it).
    heavy = '("pandas", "numpy", "matplotlib")'
    imported = run_scratch_cell(page, f'import sys; print(sorted(m for m in {heavy} if m in sys.modules))')
    assert imported.strip() == "[]"
    installed = run_scratch_cell(
        page, f'import importlib.util; print(sorted(m for m in {heavy} if importlib.util.find_spec(m) is not None))'
    )
    assert installed.strip() == "[]"
    frame = run_scratch_cell(
        page,
        'from spasm_lib.facts import load_facts; f = load_facts().frame("risk_factors"); '
        'print(type(f).__module__.split(".")[0], type(f).__name__, len(f), f.columns[0])',
    )
    assert frame.strip() == f"pandas DataFrame {_risk_factor_rows()} id"
    assert first_visit["guard"].left() == []
    # Everything asked for was there (the trimmed site lacks nothing the kernel or pandas needs).
    assert first_visit["guard"].unanswered() == []
    assert any("pandas-" in u for u in first_visit["guard"].seen), "pandas was not fetched from the site"


def test_start_again_from_the_original_asks_first_then_brings_the_stored_notebook_back(first_visit):
    page = first_visit["page"]
    run_scratch_cell(page, 'print("my own work")')
    page.keyboard.press("Control+s")
    cells = page.locator(".jp-NotebookPanel:visible .jp-CodeCell")
    expect(page.locator(".jp-NotebookPanel:visible .jp-OutputArea-output", has_text="my own work")).to_have_count(1)
    with_mine = cells.count()
    stored = json.loads((NOTEBOOKS_DIR / "01_risk_factors.ipynb").read_text(encoding="utf-8"))
    original = sum(cell["cell_type"] == "code" for cell in stored["cells"])
    assert with_mine > original  # the scratch cells this page added
    questions: list[str] = []

    def answer(dialog, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    # Declined: nothing changes.
    page.once("dialog", lambda dialog: answer(dialog, False))
    page.locator('.lm-MenuBar-itemLabel:text-is("File")').click()
    page.locator('.lm-Menu-itemLabel:text-is("Start This Notebook Again from the Original…")').click()
    expect(cells).to_have_count(with_mine)
    # Accepted: the stored notebook, its outputs as stored, a new kernel.
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.locator('.lm-MenuBar-itemLabel:text-is("File")').click()
    page.locator('.lm-Menu-itemLabel:text-is("Start This Notebook Again from the Original…")').click()
    expect(cells).to_have_count(original, timeout=LITE_RUN_MS)
    expect(page.locator(".jp-NotebookPanel:visible .jp-OutputArea-output", has_text="my own work")).to_have_count(0)
    assert len(questions) == 2 and all('Start "01_risk_factors.ipynb" again from the original?' in q for q in questions)
    # The student's copy is gone from the browser's storage: the file the site serves is the stored one.
    served = page.evaluate(
        "async (path) => (await window.jupyterapp.serviceManager.contents.get(path, {content: true})).content.cells.map(c => Array.isArray(c.source) ? c.source.join('') : c.source)",
        "01_risk_factors.ipynb",
    )
    assert served == ["".join(cell["source"]) for cell in stored["cells"]]


def test_the_guard_reports_a_file_the_site_lacks(browser, lite_server):
    """The check the trimmed site is held to can fail: a request for a file the site lacks is reported."""
    context, guard = lite_context(browser, lite_server)
    try:
        page = context.new_page()
        page.goto(f"{lite_server.url}lab/index.html")
        page.evaluate("async () => { await fetch('../build/4630.0f54ef0.js'); }")  # a dropped Mermaid chunk
        expect(page.locator(".jp-DirListing-item").first).to_be_visible(timeout=LITE_RUN_MS)
        assert f"404 {lite_server.url}build/4630.0f54ef0.js" in guard.unanswered()
    finally:
        context.close()


def test_lite_kernel_is_pyodide(lite_notebook):
    nb = lite_notebook(NOTEBOOKS[0])
    expect(nb.root.locator(".jp-Toolbar-kernelName").first).to_have_text(re.compile("Pyodide"))


def test_no_request_left_127_0_0_1(lite_page, lite_notebook):
    """Last: after every notebook ran and every widget was used, nothing tried to reach the network."""
    for name in NOTEBOOKS:
        lite_notebook(name)
    assert lite_page.guard is not None
    assert lite_page.guard.seen, "the guard saw no request at all: it is not watching"
    assert any(u.endswith("pyodide.asm.wasm") for u in lite_page.guard.seen), "the kernel's requests are not watched"
    assert lite_page.guard.left() == []
    # The trimmed site (spasm_lib.lite_trim) lacks nothing a notebook, a widget or the kernel asked for.
    assert lite_page.guard.unanswered() == []


# --------------------------------------------------------------------------------------------------
# A student's own record in the browser-only site (issue 20): the trace lives in the browser's storage.
# This page blocks service workers (NetworkGuard), and JupyterLite shares files between kernels through
# one, so here each notebook's kernel keeps its own files: the test stays within notebook 00's kernel.


@pytest.mark.parametrize("notebook", ["00_start_here.ipynb"])
def test_lite_my_work_number_progress_and_download(lite_notebook, notebook, tmp_path):
    """Type a number once, answer a question, see it in My progress, and Download my work saves the
    statements (valid by ralph's xAPI models) that the Pyodide kernel appended to its trace file."""
    from spasm_lib.quiz import questions
    from tests.xapi_validator import xapi_problems

    nb = lite_notebook(notebook)
    # A fresh kernel first, so the answer below is a new one whatever ran before: other tests of this
    # session answer notebook 00's quiz in this same page. A restarted Lite kernel starts with new
    # widgets (no answer chosen) and, with no service worker here, empty files (no trace yet).
    nb.restart_and_run_all()
    work = nb.cell_with("my_work(")
    number = work.get_by_role("textbox", name="Your student number")
    number.fill("s0lite")
    number.press("Enter")
    work.get_by_role("button", name="Save my number").click()
    expect(work).to_contain_text("Saved: your work is recorded as student s0lite", timeout=60_000)
    quiz = nb.cell_with("check_yourself(")
    q = questions(lab_tests.FACTS, "00_start_here")[0]
    radios = quiz.locator(".widget-radio").filter(
        has=nb.page.locator("label.widget-label", has_text=lab_tests.exactly(f"Your answer to question {q.number}")))
    right = radios.get_by_role("radio", name=q.correct_option.text, exact=True)
    expect(right).not_to_be_checked()  # a new answer, recorded now under the number just saved
    right.check()
    work.get_by_role("button", name="Show my progress").click()
    expect(work.locator("table")).to_contain_text("1 of 1 right", timeout=60_000)
    with nb.page.expect_download() as info:
        work.get_by_role("button", name="Download my work").click()
    download = info.value
    assert download.suggested_filename == "spasm-trace_s0lite_all-notebooks.jsonl"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    lines = [json.loads(x) for x in saved.read_text(encoding="utf-8").splitlines()]
    assert lines and all(xapi_problems(s) is None for s in lines)
    assert {s["actor"]["account"]["name"] for s in lines} == {"s0lite"}
    assert lines[-1]["object"]["id"] == f"urn:spasm-teach:quiz/00_start_here/{q.id}"
    assert lines[-1]["result"]["success"] is True
    # two appends (the quiz's deferred opening, then the answer): the kernel's file system appends
    assert [s["verb"]["display"]["en"] for s in lines] == ["initialized", "answered"]


# --------------------------------------------------------------------------------------------------
# The scripted student of test_trace_in_lab, in the browser-only site (issue 20): the same scripts and
# the same checks against the page; only where the trace is read differs. The file is read back in the
# notebook's own Pyodide kernel (a scratch cell), raw, line by line, from the kernel's working folder,
# where the notebook wrote it: without a service worker each kernel keeps its own files.


def lite_trace(page, stem: str) -> list[dict]:
    """Every statement in the trace files for ``stem`` in the trace folder of the kernel of the
    notebook in front, in file order, parsed here (not by the library's reader)."""
    out = run_scratch_cell(  # the folder is the library's answer (the working folder, or the one the
        page,                # browser keeps when no service worker shares the site's storage)
        "import glob, json, os; from spasm_lib.trace import trace_folder as _tf; _d = str(_tf()); "
        "print('TRACE-FILES', json.dumps({p: open(p, encoding='utf-8').read() for p in "
        f"sorted(glob.glob(os.path.join(_d, 'spasm-trace_*_{stem}.jsonl')) + "
        f"glob.glob(os.path.join(_d, 'spasm-trace_*_{stem}.*.jsonl')))}}))",
    )
    files = json.loads(out.split("TRACE-FILES", 1)[1])
    assert files, f"no trace file for {stem} in the kernel's trace folder"
    return [json.loads(line) for name in files for line in files[name].splitlines()]


@pytest.mark.parametrize("notebook", ["02_exam_simulator.ipynb"])
def test_lite_scripted_student_examines_commits_answers_and_the_trace_follows_the_page(lite_notebook, notebook):
    nb = lite_notebook(notebook)
    cell = nb.cell_with("exam_simulator(")
    case = trace_tests.script_exam(cell)
    stmts = trace_tests.encounter_of(lite_trace(nb.page, "02_exam_simulator"), f"urn:spasm-teach:patient/{case.id}")
    trace_tests.check_exam_statements(stmts, cell, case)
    q, shown = trace_tests.script_quiz(nb, "02_exam_simulator")
    item = trace_tests.quiz_item("02_exam_simulator", q)
    trace_tests.check_quiz_answer([s for s in lite_trace(nb.page, "02_exam_simulator") if s["object"]["id"] == item], q, shown)


@pytest.mark.parametrize("notebook", ["03_treatment_pathway.ipynb"])
def test_lite_scripted_student_walks_the_pathway_and_the_trace_follows(lite_notebook, notebook):
    nb = lite_notebook(notebook)
    # A fresh kernel first: the JupyterLab walk tests, run on this same page before, leave the walk's
    # widgets answered (a restarted kernel brings new ones), as the progress test above does for 00.
    nb.restart_and_run_all()
    cell = nb.cell_with("treatment_pathway_walkthrough(")
    case, path, predicted = trace_tests.script_walk(cell)
    stmts = trace_tests.encounter_of(lite_trace(nb.page, "03_treatment_pathway"), f"urn:spasm-teach:pathway/{case.id}")
    trace_tests.check_walk_statements(stmts, case, path, predicted)


# With the site's service worker running, as in a student's browser, the kernels share the browser's
# storage: the work of notebook 02 is in the file notebook 00's "Download my work" saves.


@pytest.fixture(scope="module")
def shared_storage_page(browser, lite_server):
    page = LitePage(browser, lite_server, [], service_workers="allow")  # each notebook run when first asked for
    try:
        yield page
    finally:
        page.close()


def kernel_idle(page) -> None:
    """Wait for the status bar's "Idle": with the service worker running, JupyterLab's execution
    indicator can say idle while Run All is still going (its console shows "reading 'isRunning'")."""
    expect(page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"Python \(Pyodide\) \| Idle"))).to_have_count(
        1, timeout=LITE_RUN_MS)


def test_lite_with_its_service_worker_download_my_work_in_00_saves_the_work_done_in_02_and_03(
        shared_storage_page, page_record, tmp_path):
    """The whole scripted student in one browser profile with the site's service worker: examine and
    answer a quiz question in 02, walk the pathway in 03, then 00's "Download my work" holds it all."""
    nb = shared_storage_page.notebook("02_exam_simulator.ipynb", page_record)
    kernel_idle(nb.page)
    cell = nb.cell_with("exam_simulator(")
    case = trace_tests.script_exam(cell)
    exam = trace_tests.encounter_of(lite_trace(nb.page, "02_exam_simulator"), f"urn:spasm-teach:patient/{case.id}")
    trace_tests.check_exam_statements(exam, cell, case)
    q, shown = trace_tests.script_quiz(nb, "02_exam_simulator")
    item = trace_tests.quiz_item("02_exam_simulator", q)
    answers = [s for s in lite_trace(nb.page, "02_exam_simulator") if s["object"]["id"] == item]
    trace_tests.check_quiz_answer(answers, q, shown)
    walk_nb = shared_storage_page.notebook("03_treatment_pathway.ipynb", page_record)
    kernel_idle(walk_nb.page)
    walk_case, path, predicted = trace_tests.script_walk(walk_nb.cell_with("treatment_pathway_walkthrough("))
    walked = trace_tests.encounter_of(lite_trace(walk_nb.page, "03_treatment_pathway"),
                                      f"urn:spasm-teach:pathway/{walk_case.id}")
    trace_tests.check_walk_statements(walked, walk_case, path, predicted)
    home = shared_storage_page.notebook("00_start_here.ipynb", page_record)
    kernel_idle(home.page)
    with home.page.expect_download() as info:
        home.cell_with("my_work(").get_by_role("button", name="Download my work").click()
    download = info.value
    assert download.suggested_filename == "spasm-trace_anonymous_all-notebooks.jsonl"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    lines = [json.loads(x) for x in saved.read_text(encoding="utf-8").splitlines()]
    assert trace_tests.encounter_of(lines, f"urn:spasm-teach:patient/{case.id}") == exam
    assert [s for s in lines if s["object"]["id"] == item][-1] == answers[-1]
    assert trace_tests.encounter_of(lines, f"urn:spasm-teach:pathway/{walk_case.id}") == walked
    assert shared_storage_page.guard is not None and shared_storage_page.guard.left() == []
