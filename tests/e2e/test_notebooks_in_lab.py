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

from spasm_lib.exam_findings import ExamState, examine, exam_steps, record_step, step_needs_site
from spasm_lib.exam_findings import feedback as feedback_fn
from spasm_lib.facts import load_facts
from spasm_lib.params import defaults
from spasm_lib.quiz import grade, questions
from spasm_lib.risk_factors import RiskProfile
from spasm_lib.treatment_pathway import PathwayState, advance, answer_review, journey, walk
from spasm_lib.views.exam import COMMIT_MESSAGES, button_label, feedback_view, findings_view
from spasm_lib.views.style import styled
from spasm_lib.views.quiz import answer_feedback
from spasm_lib.virtual_patients import case_for
from spasm_lib.widgets.pathway import walk_html
from spasm_lib.widgets.risk_factors import profile_html

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
WIDGET_NOTEBOOKS = {p.name for p in committed_notebooks() if "spasm_lib.widgets" in _code(p)}


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
    params = defaults("01_risk_factors")
    state = RiskProfile(tuple(params["risk_factors"]), params["sport"])
    expect_view(view, profile_html(FACTS, state).markup)

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
    expect_view(view, profile_html(FACTS, state).markup)
    expect(view).to_contain_text(factor.source_says)

    # Choose another sport: its name and movements appear (sports.csv), and its box stays ticked.
    sport = next(s for s in FACTS.sports if s.id != state.sport)
    menu = dropdown(cell, "Sport the patient plays")
    choose(menu, sport.name)
    state = state.with_sport(sport.id)
    expect_view(view, profile_html(FACTS, state).markup)
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
    expect_view(view, profile_html(FACTS, state).markup)

    # Untick the factor again: its card goes.
    box.uncheck()
    state = state.toggled(factor.id, False)
    expect_view(view, profile_html(FACTS, state).markup)
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
    expect(feedback).to_have_text(COMMIT_MESSAGES["red-flags-first"])
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
    score = cell.locator(".widget-html", has_text="answered correctly")
    expect(score).to_have_text(f"{len(qs)} of {len(qs)} answered correctly")
