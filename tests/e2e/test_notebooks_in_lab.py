"""The notebooks as a class meets them: JupyterLab in Chromium, Run All, then the widgets by hand.

Each test drives the controls a student would use (ticks a box, picks from a list, clicks a button)
and then waits for the page to show exactly what the library computes for the resulting state:
the visible text of the widget's HTML view must equal the text of ``view(logic(state))`` computed
here, in the test process, and the images must carry the view's alt text. That proves the whole
chain browser -> widget model -> kernel -> logic -> view -> browser. Key phrases taken straight from
data/*.csv are checked as well, so the page is also held to the data, not only to the view code.

The notebooks run in a copy (the committed files are never touched), as tabs of one JupyterLab
page in a fresh workspace, each with a fresh kernel of its own, and each is opened (double-click in
the file browser) and run (Edit > Clear Outputs, Run > Run All Cells) once per test run; see
``LabPage`` in conftest.py.
"""

from __future__ import annotations

import json
import re

import pytest

from spasm_lib import course
from spasm_lib.exam_findings import ExamState, examine, exam_steps, record_step, step_needs_site
from spasm_lib.exam_grading import feedback as feedback_fn, refusal_text
from spasm_lib.facts import load_facts
from spasm_lib.params import defaults
from spasm_lib.quiz import grade, questions
from spasm_lib.risk_factors import RiskProfile
from spasm_lib.pathway_walk import PathwayState, advance, answer_review, walk
from spasm_lib.treatment_pathway import journey
from spasm_lib.views.exam import button_label, feedback_view, findings_view
from spasm_lib.views.style import styled
from spasm_lib.views.quiz import SCORE_WORDS, answer_feedback
from spasm_lib.virtual_patients import case_for
from spasm_lib.widgets.pathway import walk_html
from spasm_lib.risk_factors import risk_profile
from spasm_lib.views.risk_factors import profile_figure, profile_view
from spasm_lib.widgets.risk_factors import CHART_CLASS

from .conftest import DESKTOP, NOTEBOOKS_DIR, SCREENSHOTS, alts_of, committed_notebooks, expect, text_of

pytestmark = pytest.mark.e2e

FACTS = load_facts()
NOTEBOOKS = [p.name for p in committed_notebooks()]


def _code(path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def _calls(path, name: str) -> bool:
    return f"{name}(" in _code(path)


QUIZ_NOTEBOOKS = [p.name for p in committed_notebooks() if _calls(p, "check_yourself")]
# The notebooks that call a widget (spasm_lib.course names each call; a notebook imports them all).
WIDGET_CALLS = [name for name in course.__all__ if getattr(course, name).__module__.startswith("spasm_lib.widgets.")]
WIDGET_NOTEBOOKS = {p.name for p in committed_notebooks() if any(_calls(p, name) for name in WIDGET_CALLS)}


def exactly(text: str) -> re.Pattern:
    """Text equal to ``text``, give or take whitespace (ipywidgets puts a zero-width space in hidden labels)."""
    return re.compile(rf"^[\s\u200b]*{re.escape(text)}[\s\u200b]*$")


def words(text: str) -> str:
    """Whitespace collapsed; ipywidgets writes option labels with no-break spaces."""
    return " ".join(text.replace("\u200b", "").split())


def dropdown(scope, label: str):
    """The <select> of the ipywidgets Dropdown whose description is ``label``."""
    return scope.locator(".widget-dropdown").filter(
        has=scope.page.locator("label.widget-label", has_text=exactly(label))
    ).locator("select")


def checkbox(scope, label: str):
    return scope.locator(".widget-checkbox").filter(has_text=exactly(label)).locator("input")


def expect_view(view, markup: str) -> None:
    """The HTML widget shows this markup: the same text (whitespace aside) and the same image alts."""
    expect(view).to_have_text(text_of(markup))
    assert view.locator("img").evaluate_all("imgs => imgs.map(i => i.alt)") == alts_of(markup)


def selected_label(select) -> str:
    return words(select.evaluate("s => s.selectedOptions[0] ? s.selectedOptions[0].textContent : ''"))


def choose(select, label: str) -> None:
    """Pick the option a student reads as ``label`` (its text, whatever spaces ipywidgets used)."""
    options = [words(t) for t in select.locator("option").all_text_contents()]
    assert label in options, f"no option '{label}' in {options}"
    select.select_option(index=options.index(label))


# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_run_all_cells_without_an_error(lab_notebook, notebook):
    """Run All in a fresh kernel reaches every code cell in order, with no error, stderr or traceback."""
    nb = lab_notebook(notebook)
    code_cells = sum(
        c["cell_type"] == "code"
        for c in json.loads((NOTEBOOKS_DIR / notebook).read_text(encoding="utf-8"))["cells"]
    )
    assert nb.execution_numbers() == list(range(1, code_cells + 1))
    assert nb.problems() == []
    uncaught = [line for line in nb.log.errors if line.startswith("[pageerror]")]
    assert uncaught == [], "JavaScript errors in JupyterLab while the notebook ran"
    if notebook in WIDGET_NOTEBOOKS:
        expect(nb.root.locator(".jp-OutputArea-output .jupyter-widgets").first).to_be_visible()
    expect(nb.root.get_by_text(re.compile("Error displaying widget|Loading widget"))).to_have_count(0)


@pytest.mark.parametrize("notebook", ["01_risk_factors.ipynb"])
def test_risk_factor_explorer_follows_the_ticks_and_the_sport(lab_notebook, notebook):
    nb = lab_notebook(notebook)
    cell = nb.cell_with("risk_factor_explorer(")
    view = cell.locator(".spasm-risk-view .widget-html-content")
    chart = cell.locator(f".{CHART_CLASS} .widget-html-content")
    params = defaults("01_risk_factors")
    state = RiskProfile(tuple(params["risk_factors"]), params["sport"])

    def expect_profile(state):
        """The chart beside the ticks and the cards under them, as the library draws them."""
        result = risk_profile(FACTS, state.risk_factor_ids, state.sport)
        expect(chart.locator("img")).to_have_attribute("alt", alts_of(profile_figure(result).markup)[0])
        expect_view(chart, profile_figure(result).markup)
        expect_view(view, profile_view(result).markup)

    expect_profile(state)

    # Tick a factor that is not ticked yet, that no sport adds by itself, and whose statement is its own.
    sport_factors = {s.risk_factor_id for s in FACTS.sports}
    says = [r.source_says for r in FACTS.risk_factors]
    factor = next(
        r for r in FACTS.risk_factors
        if r.id not in state.risk_factor_ids and r.id not in sport_factors and says.count(r.source_says) == 1
    )
    box = checkbox(cell, factor.name)
    expect(box).not_to_be_checked()
    box.check()
    state = state.toggled(factor.id, True)
    expect_profile(state)
    expect(view).to_contain_text(factor.source_says)

    # Choose another sport: its name and movements appear (sports.csv), and its box stays ticked.
    sport = next(s for s in FACTS.sports if s.id != state.sport)
    menu = dropdown(cell, "Sport the patient plays")
    choose(menu, sport.name)
    state = state.with_sport(sport.id)
    expect_profile(state)
    expect(view).to_contain_text(f"Sport: {sport.name} ({', '.join(sport.movements)})")
    sports_box = checkbox(cell, FACTS.by_id("risk_factors")[sport.risk_factor_id].name)
    expect(sports_box).to_be_checked()

    # The menu sits in the Sport group, under the box it ticks, its label flush with the box's.
    box_left = sports_box.locator("xpath=ancestor::div[contains(@class,'widget-checkbox')]").bounding_box()["x"]
    menu_left = menu.locator("xpath=ancestor::div[contains(@class,'widget-dropdown')]").bounding_box()["x"]
    assert abs(menu_left - box_left) <= 2, (box_left, menu_left)

    # Untick the sports box: the sport goes too, and the menu says so.
    sports_box.uncheck()
    state = state.with_sport("none")
    expect(menu).to_have_value(re.compile(r"^No\s+sport\s*$"))  # ipywidgets: the option's label
    expect_profile(state)

    # Untick the factor again: its card goes.
    box.uncheck()
    state = state.toggled(factor.id, False)
    expect_profile(state)
    expect(view).not_to_contain_text(factor.source_says)


@pytest.mark.parametrize("notebook", ["02_exam_simulator.ipynb"])
def test_exam_simulator_starts_empty_answers_every_click_and_grades_the_reasoning(lab_notebook, notebook):
    nb = lab_notebook(notebook)
    cell = nb.cell_with("exam_simulator(")
    html = cell.locator(".widget-html-content")
    findings = html.filter(has_text="Findings so far")
    status = html.filter(has=cell.page.locator("[role=status]")).first
    feedback = cell.locator(".spasm-exam-feedback .widget-html-content")
    params = defaults("02_exam_simulator")
    audience = params["audience"]
    assert params["steps"], "the static run performs steps, the live simulator must not"
    case = case_for(FACTS, params["case"], params["seed"])
    state = ExamState(case.id)
    # Live mode starts with nothing examined, whatever the static run's steps say.
    expect(findings).to_have_text(text_of(styled(findings_view(examine(FACTS, state, case))).markup))
    expect(cell.get_by_role("button", name=re.compile("^\u2713"))).to_have_count(0)

    # Commit before the warning-sign questions is refused, next to the button, in view.
    cell.get_by_role("button", name="Palpation", exact=True).click()
    state = record_step(FACTS, state, "palpation", "lower-back")
    expect(cell.get_by_role("button", name="\u2713 Palpation")).to_have_count(1)
    choose(dropdown(cell, "Your interpretation"), FACTS.by_id("interpretations")[case.interpretation_id].name)
    cell.get_by_role("button", name="Commit", exact=True).click()
    expect(feedback).to_have_text(refusal_text(FACTS, "red-flags-first"))
    expect(feedback).to_be_in_viewport()

    # Doing a step twice says so; every step performed shows its finding.
    cell.get_by_role("button", name="\u2713 Palpation").click()
    expect(status).to_contain_text("already done")
    for step in exam_steps(FACTS):
        if step.id == "palpation":
            continue
        cell.get_by_role("button", name=button_label(step), exact=True).click()
        site = case.spasm_site if step_needs_site(FACTS, step.id) else None
        state = record_step(FACTS, state, step.id, site)
        expect(findings).to_have_text(text_of(styled(findings_view(examine(FACTS, state, case))).markup))

    # Commit: the feedback appears under the button, in view, as the library grades it.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    cell.page.screenshot(path=str(SCREENSHOTS / "exam-simulator-before-commit.png"))
    cell.get_by_role("radio", name="Sure", exact=True).check()  # how sure, before committing
    cell.get_by_role("button", name="Commit", exact=True).click()
    state = state.committed(case.interpretation_id)
    fb = feedback_fn(FACTS, case, examine(FACTS, state, case), case.interpretation_id)
    assert fb.grade == "correct"
    expect(feedback).to_have_text(text_of(styled(feedback_view(fb, audience)).markup))
    expect(feedback.get_by_text("Correct, and well reasoned")).to_be_in_viewport()
    cell.page.screenshot(path=str(SCREENSHOTS / "exam-simulator-after-commit.png"))

    # Headings in the feedback are at least as large as its body text.
    sizes = feedback.evaluate(
        "el => ({p: parseFloat(getComputedStyle(el.querySelector('p')).fontSize),"
        " h: [...el.querySelectorAll('h4,h5')].map(h => parseFloat(getComputedStyle(h).fontSize))})"
    )
    assert sizes["h"] and min(sizes["h"]) >= sizes["p"]


@pytest.mark.parametrize("notebook", ["03_treatment_pathway.ipynb"])
def test_treatment_pathway_walk_asks_for_a_prediction_then_shows_the_step(lab_notebook, notebook):
    nb = lab_notebook(notebook)
    cell = nb.cell_with("treatment_pathway_walkthrough(")
    view = cell.locator(".spasm-walk-view .widget-html-content")
    params = defaults("03_treatment_pathway")
    audience = params["audience"]
    case = FACTS.by_id("cases")[params["case"]]
    steps = FACTS.by_id("pathway_steps")
    state = PathwayState(case.id)
    expect_view(view, walk_html(FACTS, state, case, audience).markup)
    path = journey(FACTS, case, improving=False)
    assert len(path) >= 5, "the default patient's path is long enough to walk"
    # The next step is not shown before the student predicts it.
    expect(view).not_to_contain_text(steps[path[1]].title)

    review = cell.locator(".widget-toggle-buttons")
    while not walk(FACTS, state, case).finished:
        if walk(FACTS, state, case).awaiting_review_answer:
            expect(review).to_be_visible()
            review.get_by_role("button", name="No: not improving").click()
            state = answer_review(state, False)
        else:
            if state.improving is None:
                expect(review).to_be_hidden()  # asked at the review only
            else:
                expect(review.get_by_role("button", name="No: not improving")).to_be_disabled()  # the answer stays shown
            nxt = path[state.shown]
            choose(dropdown(cell, "What comes next?"), steps[nxt].title)
            cell.get_by_role("button", name="Show next step").click()
            state = advance(FACTS, state, case, nxt)
        expect_view(view, walk_html(FACTS, state, case, audience).markup)
    expect(view).to_contain_text("Summary")
    expect(cell.get_by_role("button", name="Show next step")).to_be_disabled()

    # Nothing is wider than its column on a 960 px projector.
    nb.root.page.set_viewport_size({"width": 960, "height": 900})
    try:
        clipped = view.evaluate("el => [...el.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1"
                                " && getComputedStyle(e).overflowX !== 'visible').length")
        wider = view.evaluate("el => el.scrollWidth > el.clientWidth + 1")
    finally:
        nb.root.page.set_viewport_size(DESKTOP)
    assert (clipped, wider) == (0, False)


@pytest.mark.parametrize("notebook", QUIZ_NOTEBOOKS)
def test_check_yourself_gives_feedback_on_each_answer(lab_notebook, notebook):
    """Every question answers back; the first is answered wrongly, then rightly, as students do."""
    nb = lab_notebook(notebook)
    cell = nb.cell_with("check_yourself(")
    qs = questions(FACTS, notebook)
    assert qs, f"{notebook} calls check_yourself but has no questions in data/quiz_questions.csv"
    for q in qs:
        radios = cell.locator(".widget-radio").filter(
            has=nb.page.locator("label.widget-label", has_text=exactly(f"Your answer to question {q.number}"))
        )
        feedback = radios.locator("xpath=following-sibling::div[contains(@class, 'widget-html')][1]")
        expect(feedback).to_have_text("")
        wrong = next(o for o in q.options if not o.correct)
        for option in (wrong, q.correct_option) if q.number == 1 else (q.correct_option,):
            # each radio is named by the answer's full text, as a screen reader announces it
            radios.get_by_role("radio", name=option.text, exact=True).check()
            expect_view(feedback.locator(".widget-html-content"), answer_feedback(grade(FACTS, q.id, option.id)).markup)
            expect(feedback).to_contain_text(option.explanation)  # quiz_options.csv
            if q.number == 1 and notebook.startswith("02"):
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                feedback.scroll_into_view_if_needed()
                cell.page.screenshot(path=str(SCREENSHOTS / f"quiz-{'wrong' if option is wrong else 'right'}-answer.png"))
        if q.number == 1:  # long answers wrap inside their own row: no label overlaps the next
            boxes = [label.bounding_box() for label in radios.locator(".widget-radio-box label").all()]
            assert len(boxes) == len(q.options)
            for above, below in zip(boxes, boxes[1:]):
                assert below["y"] >= above["y"] + above["height"] - 1, (above, below)
    # The first question was answered wrongly first: its feedback now says "Correct", but the score
    # counts first tries, so clicking through to the right answers cannot reach full marks.
    score = cell.locator(".widget-html", has_text=SCORE_WORDS)
    expect(score).to_have_text(f"{len(qs) - 1} of {len(qs)} {SCORE_WORDS}")
    if notebook.startswith("02"):
        score.scroll_into_view_if_needed()
        cell.page.screenshot(path=str(SCREENSHOTS / "quiz-score-counts-first-tries.png"))


# --------------------------------------------------------------------------------------------------
# The case study: Check per question, and answers that survive a new kernel


@pytest.mark.parametrize("notebook", ["04_case_study.ipynb"])
def test_case_study_checks_each_answer_and_keeps_the_answers_through_a_restart(lab_notebook, notebook):
    from spasm_lib.case_study import case_study, check_answer
    from spasm_lib.views.case_study import CHECK_FIRST, check_view, numbered_questions

    nb = lab_notebook(notebook)
    params = defaults("04_case_study")
    study = case_study(FACTS, params["case"], params["seed"])
    number = {q.id: n for n, q in numbered_questions(study)}
    written = next(q for q in study.questions if not q.closed and q.part == "plan")
    closed = next(q for q in study.questions if q.closed and q.part == "triage")
    cell = nb.cell_with("case_study_for(")
    box = cell.get_by_role("textbox", name=f"Your answer to question {number[written.id]}")
    feedback = cell.get_by_role("button", name=f"Check question {number[written.id]}").locator(
        "xpath=following-sibling::div[contains(@class, 'widget-html')][1]")

    # Check before writing anything: the model answer stays hidden and the student is asked to write first.
    cell.get_by_role("button", name=f"Check question {number[written.id]}").click()
    expect(feedback).to_have_text(CHECK_FIRST)
    expect(cell).not_to_contain_text(written.answer[:60])

    typed = "Ask the warning-sign questions first, then heat, staying active and an NSAID; review in a week."
    box.fill(typed)
    cell.get_by_role("button", name=f"Check question {number[written.id]}").click()
    expect(feedback).to_have_text(text_of(check_view(check_answer(written, typed)).markup))
    expect(feedback).to_contain_text(written.answer[:60])
    feedback.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    cell.page.screenshot(path=str(SCREENSHOTS / "case-study-check-written-answer.png"))

    # A closed question is answered by choosing; Check says right or not, then why.
    choices = cell.locator(".widget-radio").filter(
        has=nb.page.locator("label.widget-label", has_text=exactly(f"Your answer to question {number[closed.id]}")))
    choices.get_by_role("radio", name=closed.answer, exact=True).check()
    cell.get_by_role("button", name=f"Check question {number[closed.id]}").click()
    closed_feedback = cell.get_by_role("button", name=f"Check question {number[closed.id]}").locator(
        "xpath=following-sibling::div[contains(@class, 'widget-html')][1]")
    expect(closed_feedback).to_have_text(text_of(check_view(check_answer(closed, closed.answer)).markup))
    expect(closed_feedback).to_contain_text("\u2713 Right.")
    closed_feedback.scroll_into_view_if_needed()
    cell.page.screenshot(path=str(SCREENSHOTS / "case-study-check-choice.png"))

    # The answers are in the student's trace (beside the notebook, or $SPASM_TRACE_DIR), where the
    # next kernel finds them: read where the kernel writes it (this machine's disk for a JupyterLab
    # server, the kernel's own file system in JupyterLite), line by line with json.
    from spasm_lib import xapi
    from spasm_lib.recording import patient_key

    prefix = xapi.activity_id("case-study", patient_key(study.case)) + "/"

    def kept() -> dict[str, str]:
        found: dict[str, str] = {}
        for text in nb.lab_page.trace_texts(notebook, "04_case_study").values():
            for line in text.splitlines():
                statement = json.loads(line)
                oid = statement["object"]["id"]
                if oid.startswith(prefix) and "response" in statement.get("result", {}):
                    found[oid[len(prefix):]] = statement["result"]["response"]
        return found

    expect_stored = {written.id: typed, closed.id: closed.answer}
    for _ in range(50):
        if kept() == expect_stored:
            break
        nb.page.wait_for_timeout(100)
    assert kept() == expect_stored

    # Save, restart the kernel and run everything again: a new kernel, new widgets, the same answers.
    nb.lab_page.menu("File", "Save Notebook")
    nb.restart_and_run_all()
    cell = nb.cell_with("case_study_for(")
    expect(cell.get_by_role("textbox", name=f"Your answer to question {number[written.id]}")).to_have_value(typed)
    choices = cell.locator(".widget-radio").filter(
        has=nb.page.locator("label.widget-label", has_text=exactly(f"Your answer to question {number[closed.id]}")))
    expect(choices.get_by_role("radio", name=closed.answer, exact=True)).to_be_checked()
    expect(cell).to_contain_text("Your answers are kept on this computer")
    cell.get_by_role("textbox", name=f"Your answer to question {number[written.id]}").scroll_into_view_if_needed()
    cell.page.screenshot(path=str(SCREENSHOTS / "case-study-answers-after-restart.png"))


# --------------------------------------------------------------------------------------------------
# 960 px with the file browser open: nothing clipped, no word broken inside


# Words of letters only: a word split across two lines shows as a range with two line boxes.
BROKEN_WORDS_JS = r"""
(root) => {
  const broken = [];
  const scopes = root.querySelectorAll('.jp-OutputArea-output, .jp-MarkdownOutput');
  for (const scope of scopes) {
    const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest('style, script, select, option, svg')) continue;
      for (const m of node.textContent.matchAll(/[A-Za-z]{3,}/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}
"""

# Controls and labels whose text is cut (ellipsis or hidden overflow), and outputs wider than their column.
CLIPPED_JS = r"""
(root) => {
  const found = [];
  const cut = (e) => e.scrollWidth > e.clientWidth + 1;
  for (const e of root.querySelectorAll('.jp-OutputArea-output button, .jp-OutputArea-output label')) {
    if (e.offsetParent === null) continue;
    if (cut(e)) found.push(`${e.tagName.toLowerCase()}: ${e.textContent.trim().slice(0, 60)}`);
  }
  for (const e of root.querySelectorAll('.jp-OutputArea-output')) {
    if (e.offsetParent === null || !cut(e)) continue;
    const edge = e.getBoundingClientRect().right + 1;
    const wide = [...e.querySelectorAll('*')].filter(d => d.getBoundingClientRect().right > edge);
    const deepest = wide.filter(d => !wide.some(o => o !== d && d.contains(o)))[0] || e;
    found.push(`wider than its column: ${deepest.tagName.toLowerCase()}.${deepest.className}: ${deepest.textContent.trim().slice(0, 60)}`);
  }
  for (const e of root.querySelectorAll('.jp-OutputArea-output *')) {
    const style = getComputedStyle(e);
    if (e.offsetParent === null || style.overflowX === 'visible' || e.tagName === 'SELECT') continue;
    if (e.getBoundingClientRect().width <= 1) continue;  // visually hidden on purpose (a table's headings as cards)
    if (!cut(e) || !e.textContent.trim()) continue;
    const edge = e.getBoundingClientRect().right + 1;
    const wide = [...e.querySelectorAll('*')].filter(d => d.getBoundingClientRect().right > edge);
    const d = wide.filter(w => !wide.some(o => o !== w && w.contains(o)))[0] || e;
    found.push(`clipped in ${e.className.slice(0, 40)}: ${d.tagName.toLowerCase()}.${d.className}: ${d.textContent.trim().slice(0, 60)}`);
  }
  return found;
}
"""

# Cells of the static tables whose text is not aligned left.
NOT_LEFT_JS = r"""
(root) => [...root.querySelectorAll('.jp-OutputArea-output table td, .jp-OutputArea-output table th')]
  .filter(c => !['left', 'start'].includes(getComputedStyle(c).textAlign))
  .map(c => c.textContent.trim().slice(0, 40))
"""

PROJECTOR = {"width": 960, "height": 900}


def open_file_browser(page) -> None:
    """The left sidebar with the file browser, as a student usually keeps it."""
    browser_panel = page.locator("#filebrowser")
    if not browser_panel.is_visible():
        page.locator('.jp-SideBar.jp-mod-left [data-id="filebrowser"]').click()
    expect(browser_panel).to_be_visible()


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_readable_at_960_px_with_the_file_browser_open(lab_notebook, notebook):
    nb = lab_notebook(notebook)
    page = nb.page
    page.set_viewport_size(PROJECTOR)
    try:
        open_file_browser(page)
        expect(page.locator(".jp-DirListing-item", has_text="__init__.py")).to_have_count(0)
        page.wait_for_timeout(300)  # the notebook panel re-lays out at the new width
        handle = nb.root.element_handle()
        broken = page.evaluate(BROKEN_WORDS_JS, handle)
        clipped = page.evaluate(CLIPPED_JS, handle)
        not_left = page.evaluate(NOT_LEFT_JS, handle)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        widget = nb.root.locator(".jp-OutputArea-output .jupyter-widgets").first
        target = widget if widget.count() else nb.root.locator(".jp-OutputArea-output table").first
        if target.count():
            target.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"960px-{notebook.removesuffix('.ipynb')}.png"))
        table = nb.root.locator(".jp-OutputArea-output table").first
        if table.count():
            table.scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENSHOTS / f"960px-{notebook.removesuffix('.ipynb')}-table.png"))
    finally:
        page.set_viewport_size(DESKTOP)
    assert broken == [], f"words broken inside at 960 px: {broken[:20]}"
    assert clipped == [], f"clipped text at 960 px: {clipped[:20]}"
    assert not_left == [], f"table cells not aligned left: {not_left[:20]}"


# --------------------------------------------------------------------------------------------------
# The risk explorer: a tick visibly changes the chart


@pytest.mark.parametrize("notebook", ["01_risk_factors.ipynb"])
@pytest.mark.parametrize("viewport", [DESKTOP, PROJECTOR], ids=["1280px", "960px"])
def test_risk_chart_is_in_view_after_a_tick(lab_notebook, notebook, viewport):
    nb = lab_notebook(notebook)
    page = nb.page
    page.set_viewport_size(viewport)
    try:
        if viewport == PROJECTOR:
            open_file_browser(page)
        cell = nb.cell_with("risk_factor_explorer(")
        groups = cell.locator(".widget-hbox").first
        chart = cell.locator(f".{CHART_CLASS} figure.spasm-figure img")
        # The student reads the ticks from the top of the explorer, ticks the last box of the
        # groups (the farthest from the chart), and must see the chart change without scrolling.
        groups.evaluate("el => el.scrollIntoView({block: 'start'})")
        boxes = cell.locator(".widget-checkbox input")
        before = chart.get_attribute("alt")
        last = boxes.last
        last.evaluate("el => el.click()")  # a click where it stands: no scrolling on the way
        expect(chart).not_to_have_attribute("alt", before)
        expect(chart).to_be_in_viewport(ratio=0.5)
        page.screenshot(path=str(SCREENSHOTS / f"risk-chart-after-a-tick-{viewport['width']}px.png"))
        last.evaluate("el => el.click()")  # untick: back as it was
        expect(chart).to_have_attribute("alt", before)
    finally:
        page.set_viewport_size(DESKTOP)


# --------------------------------------------------------------------------------------------------
# No empty cell boxes: a handout's own wording is not a cell of its own (docs/handout-wording.md)

EMPTY_CELLS_JS = """panel => [...panel.querySelectorAll('.jp-Notebook .jp-Cell')].flatMap((cell, index) => {
    // What a student sees in the cell: its rendered markdown, its code, its outputs (hidden parts,
    // such as a rendered markdown cell's editor, do not count: their text is there but not shown).
    const shown = [...cell.querySelectorAll('.jp-RenderedMarkdown, .jp-InputArea-editor, .jp-OutputArea-output')]
        .filter(el => el.checkVisibility());
    const text = shown.map(el => el.innerText).join('').trim();
    const media = shown.some(el => el.querySelector('img, svg, canvas, input, select, button, table'));
    const box = cell.getBoundingClientRect();
    return text || media || !cell.checkVisibility() ? []
        : [`cell ${index + 1} (${cell.classList.contains('jp-MarkdownCell') ? 'markdown' : 'code'}), ${Math.round(box.height)} px high`];
})"""


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_no_empty_cell_box_in_jupyterlab(lab_notebook, notebook):
    """Every cell a student sees shows something: a handout's wording lives in the metadata of its
    live-only cell, so no cell is an empty box with a prompt (what an HTML-comment cell looked like)."""
    nb = lab_notebook(notebook)
    stored = json.loads((NOTEBOOKS_DIR / notebook).read_text(encoding="utf-8"))["cells"]
    cells = nb.root.locator(".jp-Notebook .jp-Cell")
    expect(cells).to_have_count(len(stored))  # every stored cell is on the page, none left out unseen
    empty = nb.page.evaluate(EMPTY_CELLS_JS, nb.root.element_handle())
    # Where the old handout-only twin of "What next" stood: right after the live "What next" cell.
    what_next = nb.root.locator(".jp-MarkdownCell .jp-RenderedMarkdown h2", has_text="What next")
    expect(what_next).to_have_count(1)
    what_next.evaluate("el => el.scrollIntoView({block: 'center'})")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    nb.page.screenshot(path=str(SCREENSHOTS / f"no-empty-cells-{notebook.removesuffix('.ipynb')}.png"))
    assert empty == [], f"{notebook}: empty cell boxes in JupyterLab: {empty}"
