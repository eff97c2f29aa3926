"""Scripted students in each widget: the trace holds the expected statements in order, each valid by
ralph's xAPI models, byte-identical across runs (clock and ids injected); an untouched widget writes nothing."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from spasm_lib import identity, trace
from spasm_lib.recorder import Recorder, fixed_clock, seeded_ids, use_student
from spasm_lib.facts import load_facts
from spasm_lib.virtual_patients import case_for
from spasm_lib.widgets.case_study import CaseStudyWorksheet
from spasm_lib.widgets.exam import ExamSimulator
from spasm_lib.widgets.pathway import TreatmentPathwayWalk
from spasm_lib.widgets.progress import MyWork, download_name
from spasm_lib.widgets.quiz import CheckYourself
from spasm_lib.widgets.risk_factors import RiskFactorExplorer
from tests.xapi_validator import xapi_problems

VP = "https://w3id.org/xapi/medbiq/verbs/"
ADL = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture(scope="module")
def facts():
    return load_facts()


def rec(folder: Path, stem: str, student: str = "s017") -> Recorder:
    return Recorder(stem, student, folder=folder, clock=fixed_clock(), ids=seeded_ids(7), enabled=True)


def lines(folder: Path, stem: str, student: str = "s017") -> list[str]:
    path = trace.trace_path(folder, student, stem)
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def statements(folder: Path, stem: str, student: str = "s017") -> list[dict]:
    out = [json.loads(x) for x in lines(folder, stem, student)]
    for s in out:
        assert xapi_problems(s) is None, xapi_problems(s)
    return out


def verbs(stmts: list[dict]) -> list[str]:
    return [s["verb"]["id"] for s in stmts]


def scripted_exam(facts, folder: Path) -> ExamSimulator:
    sim = ExamSimulator(facts, "golfer-twist", 0, "student", rec(folder, "02_exam_simulator"))
    sim.step_buttons["history-onset"].click()
    sim.step_buttons["red-flag-questions"].click()
    sim.hypothesis.value = "back-spasm"
    sim.site.value = "lower-back"
    sim.step_buttons["palpation"].click()
    sim.confidence.value = "fairly-sure"
    sim.interpretation.value = "back-spasm"
    sim.commit.click()
    return sim


def test_untouched_widgets_write_nothing(facts, tmp_path):
    ExamSimulator(facts, "golfer-twist", 0, "student", rec(tmp_path, "02_exam_simulator"))
    TreatmentPathwayWalk(facts, "golfer-twist", 0, "student", rec(tmp_path, "03_treatment_pathway"))
    CheckYourself(facts, "00_start_here", "student", rec(tmp_path, "00_start_here"))
    assert list(tmp_path.iterdir()) == []


def test_scripted_exam_statements_in_order_valid_and_byte_identical(facts, tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        scripted_exam(facts, tmp_path / name)
    first, second = lines(tmp_path / "a", "02_exam_simulator"), lines(tmp_path / "b", "02_exam_simulator")
    assert first == second
    stmts = statements(tmp_path / "a", "02_exam_simulator")
    ignored = ["history-risk-factors", "history-yellow-flags", "history-pattern", "inspection", "lean-forward",
               "straight-leg-raise"]
    assert verbs(stmts) == (
        [ADL + "initialized", VP + "arrived", VP + "arrived", ADL + "responded", VP + "arrived", ADL + "responded",
         ADL + "responded"] + [VP + "ignored"] * len(ignored) + [ADL + "experienced", ADL + "experienced", ADL + "completed"]
    )
    base = "urn:spasm-teach:patient/golfer-twist"
    assert [s["object"]["id"] for s in stmts] == (
        [base, base + "/step/history-onset", base + "/step/red-flag-questions", base + "/hypothesis",
         base + "/step/palpation", base + "/confidence", base + "/interpretation"]
        + [f"{base}/step/{s}" for s in ignored] + [base + "/feedback", base + "/debrief", base]
    )
    assert len({s["context"]["registration"] for s in stmts}) == 1
    assert all(s["actor"]["account"]["name"] == "s017" for s in stmts)
    palpation = stmts[4]
    assert palpation["result"]["extensions"]["urn:spasm-teach:extension:finding"] == ["palpation-tender"]
    assert palpation["result"]["extensions"]["urn:spasm-teach:extension:site"] == "lower-back"
    interp = stmts[6]
    assert interp["object"]["definition"]["correctResponsesPattern"] == ["back-spasm"]
    assert interp["result"]["response"] == "back-spasm" and interp["result"]["success"] is True
    assert stmts[5]["object"]["definition"]["interactionType"] == "likert"
    assert [c["id"] for c in stmts[5]["object"]["definition"]["scale"]] == ["guessing", "unsure", "fairly-sure", "sure"]
    done = stmts[-1]["result"]
    # 3 of the 9 needed steps plus the right interpretation, out of 10
    assert done["score"] == {"scaled": round(4 / 10, 4), "raw": 4, "min": 0, "max": 10}
    assert done["extensions"]["urn:spasm-teach:extension:verdict"] == "right-but-incomplete"


def test_hypothesis_revision_is_updated_and_another_patient_terminates(facts, tmp_path):
    sim = ExamSimulator(facts, "golfer-twist", 0, "student", rec(tmp_path, "02_exam_simulator"))
    sim.hypothesis.value = "nerve-root-irritation"
    sim.hypothesis.value = "back-spasm"
    sim.picker.case.value = "ruptured-disc"  # leaves the encounter; the new one stays unwritten until used
    stmts = statements(tmp_path, "02_exam_simulator")
    assert verbs(stmts) == [ADL + "initialized", ADL + "responded", VP + "updated", ADL + "terminated"]
    assert stmts[2]["result"]["response"] == "back-spasm"


def test_debrief_after_commit_names_the_path(facts, tmp_path):
    sim = scripted_exam(facts, tmp_path)
    assert "Debrief: your path beside an expert" in sim.debrief.value
    assert "Your examination tested it: History: onset and course, Palpation." in sim.debrief.value
    assert "Debrief" in sim.static_html().markup


def test_pathway_walk_predictions_with_the_menu_as_shown(facts, tmp_path):
    walk = TreatmentPathwayWalk(facts, "golfer-twist", 0, "student", rec(tmp_path, "03_treatment_pathway"))
    shown_menu = [(v, label) for label, v in walk.prediction.options if v]
    walk.prediction.value = shown_menu[0][0]
    walk.show_next.click()
    walk.show_next.click()  # no prediction
    stmts = statements(tmp_path, "03_treatment_pathway")
    assert verbs(stmts) == [ADL + "initialized", ADL + "responded", ADL + "responded"]
    first = stmts[1]
    assert [(c["id"], c["description"]["en"]) for c in first["object"]["definition"]["choices"]] == shown_menu
    assert first["result"]["response"] == shown_menu[0][0]
    assert stmts[2]["result"] == {"success": False}  # no prediction: no response (xAPI allows no empty value)


def test_pathway_walk_to_the_end_shows_a_debrief_and_completes(facts, tmp_path):
    walk = TreatmentPathwayWalk(facts, "golfer-twist", 0, "student", rec(tmp_path, "03_treatment_pathway"))
    for _ in range(30):
        result = walk.result()
        if result.finished:
            break
        if result.awaiting_review_answer:
            walk.review.value = True
        else:
            walk.show_next.click()
    assert walk.result().finished
    assert "Debrief: your predictions beside the path" in walk.debrief.value
    stmts = statements(tmp_path, "03_treatment_pathway")
    assert stmts[-1]["verb"]["id"] == ADL + "completed" and stmts[-1]["result"]["completion"] is True


def test_quiz_answer_with_options_in_display_order(facts, tmp_path):
    quiz = CheckYourself(facts, "00_start_here", "student", rec(tmp_path, "00_start_here"))
    qid, radio = next(iter(quiz.radios.items()))
    wrong = next(v for _label, v in radio.options if not facts.by_id("quiz_options")[v].correct)
    radio.value = wrong
    stmts = statements(tmp_path, "00_start_here")
    assert verbs(stmts) == [ADL + "initialized", ADL + "answered"]
    item = stmts[1]["object"]
    assert item["id"] == f"urn:spasm-teach:quiz/00_start_here/{qid}"
    assert [c["id"] for c in item["definition"]["choices"]] == [v for _label, v in radio.options]
    right = next(o.id for o in facts.quiz_options if o.question_id == qid and o.correct)
    assert item["definition"]["correctResponsesPattern"] == [right]
    assert stmts[1]["result"]["success"] is False and stmts[1]["result"]["response"] == wrong


def test_case_study_answers_read_back(facts, tmp_path):
    from spasm_lib.case_study import case_study

    sheet = CaseStudyWorksheet(case_study(facts, "golfer-twist", 0), "student", rec(tmp_path, "04_case_study"))
    key, box = next(iter(sheet.answers.items()))
    box.value = "first thought"
    box.value = "a back spasm"
    other_key, other_box = list(sheet.answers.items())[1]
    other_box.value = "something"
    other_box.value = ""
    read = trace.read_student(tmp_path, "s017", "04_case_study")
    assert trace.latest_responses(read.statements, "urn:spasm-teach:case-study/golfer-twist/") == {
        f"urn:spasm-teach:case-study/golfer-twist/{key}": "a back spasm",
        f"urn:spasm-teach:case-study/golfer-twist/{other_key}": ""}
    statements(tmp_path, "04_case_study")


def test_risk_explorer_choices(facts, tmp_path):
    from spasm_lib.risk_factors import RiskProfile

    explorer = RiskFactorExplorer(facts, RiskProfile((), "golf"), rec(tmp_path, "01_risk_factors"))
    explorer.checkboxes["idiopathic"].value = True
    stmts = statements(tmp_path, "01_risk_factors")
    assert verbs(stmts) == [ADL + "interacted"]
    assert stmts[0]["result"]["extensions"]["urn:spasm-teach:extension:choices"] == {
        "risk_factors": ["idiopathic"], "sport": "golf"}


def test_my_work_saves_the_number_shows_progress_and_downloads(facts, tmp_path):
    scripted_exam(facts, tmp_path)
    work = MyWork(facts, trace.ANONYMOUS, folder=str(tmp_path))
    assert "No work recorded yet" in work.view.value and work.download.value == ""
    work.number.value = "not a number!"
    work.save.click()
    assert "Not saved: a student number is 1 to 64 letters" in work.status.value
    work.number.value = "s017"
    work.save.click()
    assert identity.stored_student(tmp_path) == "s017"
    assert "My progress (student s017)" in work.view.value
    assert "A twist on the golf course" in work.view.value and "finished, score 4 of 10" in work.view.value
    href = re.search(r'href="data:application/x-ndjson;base64,([^"]+)"', work.download.value).group(1)
    saved = base64.b64decode(href).decode("utf-8").splitlines()
    assert saved == lines(tmp_path, "02_exam_simulator")
    assert f'download="{download_name("s017")}"' in work.download.value
    assert work.static_html().markup.startswith("<p>Your student number")  # never the progress itself


def test_a_number_typed_later_applies_to_open_widgets(facts, tmp_path):
    sim = ExamSimulator(facts, "golfer-twist", 0, "student", rec(tmp_path, "02_exam_simulator", trace.ANONYMOUS))
    use_student("s042")
    sim.step_buttons["history-onset"].click()
    assert lines(tmp_path, "02_exam_simulator", trace.ANONYMOUS) == []
    stmts = statements(tmp_path, "02_exam_simulator", "s042")
    assert [s["actor"]["account"]["name"] for s in stmts] == ["s042", "s042"]


def test_student_for_prefers_the_parameter(tmp_path):
    assert identity.student_for(SimpleNamespace(student="s9"), tmp_path) == "s9"
    assert identity.student_for(SimpleNamespace(student=""), tmp_path) == trace.ANONYMOUS
    identity.save_student("s5", tmp_path)
    assert identity.student_for(SimpleNamespace(student=""), tmp_path) == "s5"
    (tmp_path / identity.IDENTITY_FILE).write_text("{not json", encoding="utf-8")
    assert identity.student_for(SimpleNamespace(), tmp_path) == trace.ANONYMOUS


def test_virtual_patient_records_its_seed(facts, tmp_path):
    sim = ExamSimulator(facts, "random", 12, "student", rec(tmp_path, "02_exam_simulator"))
    assert sim.patient.id == case_for(facts, "random", 12).id
    sim.step_buttons["history-onset"].click()
    stmts = statements(tmp_path, "02_exam_simulator")
    assert stmts[0]["context"]["extensions"]["urn:spasm-teach:extension:seed"] == 12


def test_the_simulator_keeps_working_over_a_bad_trace_file(facts, tmp_path):
    """A folder where the trace file should be: one line in the widget, the work goes to a fresh file."""
    blocked = trace.trace_path(tmp_path, "s017", "02_exam_simulator")
    blocked.mkdir()
    sim = ExamSimulator(facts, "golfer-twist", 0, "student", rec(tmp_path, "02_exam_simulator"))
    sim.step_buttons["history-onset"].click()
    assert "Done: History: onset and course." in sim.status.value
    assert ("is a folder; it is kept as it is, and your work now goes to "
            "spasm-trace_s017_02_exam_simulator.1.jsonl.") in sim.notice.value
    assert blocked.is_dir() and list(blocked.iterdir()) == []
    fresh = trace.trace_path(tmp_path, "s017", "02_exam_simulator", 1)
    assert len(fresh.read_text(encoding="utf-8").splitlines()) == 2  # initialized, arrived


def test_a_fifo_is_never_opened_for_writing(tmp_path):
    import os

    fifo = trace.trace_path(tmp_path, "s017", "02_exam_simulator")
    os.mkfifo(fifo)
    r = rec(tmp_path, "02_exam_simulator")
    notices: list[str] = []
    r.on_notice = notices.append
    from spasm_lib import xapi

    r.record("interacted", xapi.course_activity())  # must not hang
    assert notices == [f"Your work file {fifo.name} is not an ordinary file; it is kept as it is, and your work "
                       "now goes to spasm-trace_s017_02_exam_simulator.1.jsonl."]


def test_course_home_page_from_the_environment(monkeypatch):
    monkeypatch.setenv("SPASM_COURSE_HOME_PAGE", "https://lms.example.org/course/7")
    assert identity.course_home_page() == "https://lms.example.org/course/7"
    monkeypatch.setenv("SPASM_COURSE_HOME_PAGE", "not a url")
    assert identity.course_home_page() == "https://spasm-teach.invalid/course"


def test_stored_notebooks_hold_no_trace_and_the_tree_no_trace_file():
    """The trace is never in stored outputs, and no test run leaves a trace file in notebooks/."""
    root = Path(__file__).resolve().parents[1]
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        outputs = json.dumps([c.get("outputs", []) for c in nb["cells"]])
        assert "urn:spasm-teach" not in outputs and "spasm-trace_" not in outputs, path.name
    assert not list((root / "notebooks").glob("spasm-trace_*")) and not list((root / "notebooks").glob("spasm-student*"))
