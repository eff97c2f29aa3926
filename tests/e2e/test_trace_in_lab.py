"""A scripted student in JupyterLab, and the trace their kernel wrote (issue 20).

The student examines the default patient (two history questions, a working hypothesis, palpation),
says how sure they are, commits, reads the debrief; walks the pathway to its end; answers a quiz
question. The trace file (in ``$SPASM_TRACE_DIR``, which the test session sets and the JupyterLab
server and its kernels inherit) must then hold the expected statements in order, each checked
against what the page shows and each valid by ralph's xAPI models.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from spasm_lib import trace
from spasm_lib.exam_findings import exam_steps
from spasm_lib.facts import load_facts
from spasm_lib.params import defaults
from spasm_lib.quiz import questions
from spasm_lib.pathway_walk import PathwayState, advance, answer_review, walk
from spasm_lib.treatment_pathway import journey
from spasm_lib.views.exam import button_label
from tests.xapi_validator import xapi_problems

from .conftest import expect
from .test_notebooks_in_lab import choose, dropdown, exactly, words

pytestmark = pytest.mark.e2e

FACTS = load_facts()
ADL, VP = "http://adlnet.gov/expapi/verbs/", "https://w3id.org/xapi/medbiq/verbs/"


def trace_statements(stem: str) -> list[dict]:
    folder = Path(os.environ["SPASM_TRACE_DIR"])
    return trace.read_student(folder, trace.ANONYMOUS, stem).statements


def encounter_of(stmts: list[dict], object_prefix: str) -> list[dict]:
    """The statements of the latest registration opened on an object whose id starts with the prefix."""
    starts = [s for s in stmts if s["verb"]["id"] == ADL + "initialized" and s["object"]["id"].startswith(object_prefix)]
    if not starts:
        return []
    reg = starts[-1]["context"]["registration"]
    return [s for s in stmts if s.get("context", {}).get("registration") == reg]


def last_encounter(stem: str, object_prefix: str, until_verb: str, timeout: float = 20) -> list[dict]:
    """The statements of the latest registration whose first statement's object starts with the
    prefix, once its ``until_verb`` statement is in the file (the kernel writes after the page updates)."""
    deadline = time.monotonic() + timeout
    while True:
        stmts = trace_statements(stem)
        starts = [s for s in stmts if s["verb"]["id"] == ADL + "initialized" and s["object"]["id"].startswith(object_prefix)]
        if starts:
            reg = starts[-1]["context"]["registration"]
            mine = [s for s in stmts if s.get("context", {}).get("registration") == reg]
            if any(s["verb"]["id"] == until_verb for s in mine) or time.monotonic() > deadline:
                return mine
        elif time.monotonic() > deadline:
            return []
        time.sleep(0.3)


def valid(stmts: list[dict]) -> None:
    for s in stmts:
        assert xapi_problems(s) is None, xapi_problems(s)


def script_exam(cell) -> object:
    """The scripted student in the simulator: Start again, two history questions, a working hypothesis,
    palpation, "Fairly sure", commit the interpretation the patient's findings support. Returns the case."""
    params = defaults("02_exam_simulator")
    case = FACTS.by_id("cases")[params["case"]]
    steps = {s.id: s for s in exam_steps(FACTS)}
    interpretations = FACTS.by_id("interpretations")
    choose(dropdown(cell, "Patient"), case.title)  # another test may have left a patient code's patient
    cell.get_by_role("button", name="Start again", exact=True).click()  # a fresh encounter, whatever ran before
    for step_id in ("history-onset", "red-flag-questions"):
        cell.get_by_role("button", name=button_label(steps[step_id]), exact=True).click()
        expect(cell.get_by_role("button", name="\u2713 " + button_label(steps[step_id]))).to_have_count(1)
    choose(dropdown(cell, "Your working hypothesis"), interpretations[case.interpretation_id].name)
    cell.get_by_role("button", name=button_label(steps["palpation"]), exact=True).click()
    expect(cell.get_by_role("button", name="\u2713 " + button_label(steps["palpation"]))).to_have_count(1)
    cell.get_by_role("radio", name="Fairly sure", exact=True).check()
    choose(dropdown(cell, "Your interpretation"), interpretations[case.interpretation_id].name)
    cell.get_by_role("button", name="Commit", exact=True).click()
    expect(cell.locator(".spasm-exam-debrief .widget-html-content")).to_contain_text(
        "Debrief: your path beside an expert", timeout=60_000)
    return case


def check_exam_statements(stmts: list[dict], cell, case) -> None:
    """The encounter's statements in order, each valid, each matching what the page shows."""
    valid(stmts)
    page = words(cell.inner_text())
    verbs = [s["verb"]["id"] for s in stmts]
    n_ignored = verbs.count(VP + "ignored")
    assert verbs == ([ADL + "initialized", VP + "arrived", VP + "arrived", ADL + "responded", VP + "arrived",
                      ADL + "responded", ADL + "responded"] + [VP + "ignored"] * n_ignored
                     + [ADL + "experienced", ADL + "experienced", ADL + "completed"])
    # each step's statement says what the page showed for it
    for s in stmts:
        if s["verb"]["id"] == VP + "arrived":
            assert words(s["result"]["response"])[:60] in page
    # the needed steps left out: the same names the feedback lists on the page
    feedback = words(cell.locator(".spasm-exam-feedback .widget-html-content").inner_text())
    for s in stmts:
        if s["verb"]["id"] == VP + "ignored":
            assert s["object"]["definition"]["name"]["en"] in feedback
    assert n_ignored == len(re.findall(r"It would have shown:", feedback))
    assert stmts[3]["result"]["response"] == case.interpretation_id  # the working hypothesis chosen
    assert stmts[5]["result"]["response"] == "fairly-sure"
    assert stmts[6]["result"] == {**stmts[6]["result"], "response": case.interpretation_id, "success": True}


@pytest.mark.parametrize("notebook", ["02_exam_simulator.ipynb"])
def test_scripted_student_examines_commits_and_the_trace_follows_the_page(lab_notebook, notebook):
    nb = lab_notebook(notebook)
    cell = nb.cell_with("exam_simulator(")
    case = script_exam(cell)
    stmts = last_encounter("02_exam_simulator", f"urn:spasm-teach:patient/{case.id}", ADL + "completed")
    check_exam_statements(stmts, cell, case)
    cell.get_by_role("button", name="Start again", exact=True).click()  # leave the simulator as other tests find it


def script_walk(cell) -> tuple[object, list[str], int]:
    """The scripted student on the pathway: Start again, predict every step right, answer the review
    "not improving", to the end. Returns the case, the journey and how many predictions were made."""
    params = defaults("03_treatment_pathway")
    case = FACTS.by_id("cases")[params["case"]]
    steps = FACTS.by_id("pathway_steps")
    choose(dropdown(cell, "Patient"), case.title)  # another test may have left a patient code's patient
    cell.get_by_role("button", name="Start again").click()
    state = PathwayState(case.id)
    path = journey(FACTS, case, improving=False)
    review = cell.locator(".widget-toggle-buttons")
    # the kernel has taken the Start again (a slow Lite kernel may not have yet): the review question,
    # answered by an earlier walk, is hidden again; only then is a click on it a new answer
    expect(review).to_be_hidden(timeout=60_000)
    predicted = 0
    while not walk(FACTS, state, case).finished:
        if walk(FACTS, state, case).awaiting_review_answer:
            review.get_by_role("button", name="No: not improving").click()
            state = answer_review(state, False)
        else:
            nxt = path[state.shown]
            choose(dropdown(cell, "What comes next?"), steps[nxt].title)
            cell.get_by_role("button", name="Show next step").click()
            state = advance(FACTS, state, case, nxt)
            predicted += 1
        expect(cell.locator(".spasm-walk-view .widget-html-content")).to_contain_text(steps[path[state.shown - 1]].title)
    expect(cell.locator(".spasm-walk-debrief .widget-html-content")).to_contain_text(
        f"{predicted} of {predicted} predictions right")
    return case, path, predicted


def check_walk_statements(stmts: list[dict], case, path: list[str], predicted: int) -> None:
    """The walk's statements: each prediction right, in the page's order, the score the page gave."""
    valid(stmts)
    predictions = [s for s in stmts if s["object"]["id"].startswith(f"urn:spasm-teach:pathway/{case.id}/step/")]
    assert len(predictions) == predicted and all(s["result"]["success"] for s in predictions)
    assert [s["result"]["response"] for s in predictions] == list(path[1:predicted + 1])
    assert stmts[-1]["verb"]["id"] == ADL + "completed"
    assert stmts[-1]["result"]["score"]["raw"] == predicted


@pytest.mark.parametrize("notebook", ["03_treatment_pathway.ipynb"])
def test_scripted_student_walks_the_pathway_and_the_trace_follows(lab_notebook, notebook):
    nb = lab_notebook(notebook)
    cell = nb.cell_with("treatment_pathway_walkthrough(")
    case, path, predicted = script_walk(cell)
    stmts = last_encounter("03_treatment_pathway", f"urn:spasm-teach:pathway/{case.id}", ADL + "completed")
    check_walk_statements(stmts, case, path, predicted)
    cell.get_by_role("button", name="Start again").click()  # leave the walk as other tests find it


def script_quiz(nb, stem: str):
    """The scripted student answers the notebook's last question right. Returns the question and the
    options as the page shows them, in order."""
    cell = nb.cell_with("check_yourself(")
    q = questions(FACTS, stem)[-1]
    radios = cell.locator(".widget-radio").filter(
        has=nb.page.locator("label.widget-label", has_text=exactly(f"Your answer to question {q.number}")))
    shown = [words(t) for t in radios.locator(".widget-radio-box label").all_inner_texts()]
    radios.get_by_role("radio", name=q.correct_option.text, exact=True).check()
    return q, shown


def quiz_item(stem: str, q) -> str:
    return f"urn:spasm-teach:quiz/{stem}/{q.id}"


def check_quiz_answer(answers: list[dict], q, shown: list[str]) -> None:
    """The latest answer to the question: valid, the options as shown, right, the right pattern."""
    assert answers, "the answer was not recorded"
    last = answers[-1]
    valid([last])
    assert [words(c["description"]["en"]) for c in last["object"]["definition"]["choices"]] == shown
    assert last["result"]["response"] == q.correct_option.id and last["result"]["success"] is True
    assert json.dumps(last["object"]["definition"]["correctResponsesPattern"]) == json.dumps([q.correct_option.id])


@pytest.mark.parametrize("notebook", ["02_exam_simulator.ipynb"])
def test_a_quiz_answer_is_recorded_with_the_options_as_shown(lab_notebook, notebook):
    nb = lab_notebook(notebook)
    q, shown = script_quiz(nb, "02_exam_simulator")
    item = quiz_item("02_exam_simulator", q)
    deadline = time.monotonic() + 20
    while True:
        answers = [s for s in trace_statements("02_exam_simulator") if s["object"]["id"] == item]
        if answers or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    check_quiz_answer(answers, q, shown)


@pytest.mark.parametrize("notebook", ["00_start_here.ipynb"])
def test_my_work_number_progress_and_download(lab_notebook, notebook, tmp_path):
    """Notebook 00: type a number once, answer a question, see it in My progress, download the file."""
    nb = lab_notebook(notebook)
    # A fresh kernel first, so the answer below is a new one whatever ran before: other tests of this
    # session answer notebook 00's quiz in this same page (a restarted kernel brings new widgets).
    nb.restart_and_run_all()
    work = nb.cell_with("my_work(")
    work.get_by_role("textbox", name="Your student number").fill("s0e2e")
    work.get_by_role("textbox", name="Your student number").press("Enter")
    work.get_by_role("button", name="Save my number").click()
    expect(work).to_contain_text("Saved: your work is recorded as student s0e2e")
    quiz = nb.cell_with("check_yourself(")
    q = questions(FACTS, "00_start_here")[0]
    radios = quiz.locator(".widget-radio").filter(
        has=nb.page.locator("label.widget-label", has_text=exactly(f"Your answer to question {q.number}")))
    right = radios.get_by_role("radio", name=q.correct_option.text, exact=True)
    expect(right).not_to_be_checked()  # a new answer, recorded now under the number just saved
    right.check()
    work.get_by_role("button", name="Show my progress").click()
    expect(work).to_contain_text("My progress (student s0e2e)")
    expect(work.locator("table")).to_contain_text("1 of 1 right")
    with nb.page.expect_download() as info:
        work.get_by_role("button", name="Download my work").click()
    download = info.value
    assert download.suggested_filename == "spasm-trace_s0e2e_all-notebooks.jsonl"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    lines = [json.loads(x) for x in saved.read_text(encoding="utf-8").splitlines()]
    on_disk = trace.read_student(Path(os.environ["SPASM_TRACE_DIR"]), "s0e2e").statements
    assert lines == on_disk and lines
    valid(lines)
    assert lines[-1]["object"]["id"] == f"urn:spasm-teach:quiz/00_start_here/{q.id}"
