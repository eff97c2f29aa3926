"""`spasm-teach collect`: a scripted class of 30 with 5 hostile and 5 broken files, checked against the
script's known answers (tests/scripted_class.py), never against numbers recomputed by spasm_lib.collect."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from spasm_lib import xapi
from spasm_lib.cli import main
from spasm_lib.files import spreadsheet_cell
from spasm_lib.facts import load_facts

from scripted_class import write_class
from xapi_validator import xapi_problems

ROOT = Path(__file__).resolve().parents[1]
SEED, STUDENTS = 7, 30
PAYLOAD = '<script>alert("x")</script> =HYPERLINK("http://evil.invalid") <img src=x onerror=alert(1)> @SUM(A1)'
HEADINGS = {  # written by hand: the gradebook's activity columns
    "exam_right": "Exam simulator: right interpretation (%)",
    "exam_reasoned": "Exam simulator: right and well reasoned (%)",
    "triage_right": "Triage level right (%)",
    "pathway": "Pathway predictions right of those shown (%)",
    "quiz_00_start_here": "Quiz 00_start_here (%)",
    "quiz_01_risk_factors": "Quiz 01_risk_factors (%)",
    "quiz_02_exam_simulator": "Quiz 02_exam_simulator (%)",
    "quiz_03_treatment_pathway": "Quiz 03_treatment_pathway (%)",
    "quiz_04_case_study": "Quiz 04_case_study (%)",
    "case_study": "Case study questions answered (%)",
}


def _rows(table: str) -> list[dict[str, str]]:
    with (ROOT / "data" / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _payload_file(folder: Path) -> int:
    """s903: a valid case-study trace whose every text field carries HTML and formula payloads."""
    case = _rows("cases")[0]
    levels = {q["id"]: q["triage_levels"] for q in _rows("case_questions")}
    question = next(iter(levels))
    actor = xapi.Actor("s903", "https://spasm-teach.invalid/course")
    from datetime import datetime, timezone
    import uuid

    lines = []
    for n, text in enumerate(["=1+1", "-2+3", "\t@x", PAYLOAD]):
        stmt = xapi.statement(
            statement_id=uuid.UUID(int=1000 + n, version=4), when=datetime(2026, 3, 3, 9, n, tzinfo=timezone.utc),
            actor=actor, verb="answered",
            obj=xapi.activity(xapi.activity_id("case-study", case["id"], question), "cmi.interaction", PAYLOAD,
                              interaction_type="long-fill-in"),
            result_=xapi.result(response=text, extensions={xapi.EXT["choices"]: {PAYLOAD: PAYLOAD}}),
            context_extensions={xapi.EXT["notebook"]: "04_case_study"},
        )
        lines.append(xapi.to_line(stmt))
    (folder / "spasm-trace_s903_04_case_study.jsonl").write_text("".join(lines), encoding="utf-8")
    return len(lines)


@pytest.fixture(scope="module")
def scripted(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    inbox = base / "inbox"
    facts = load_facts()
    known = write_class(facts, inbox, STUDENTS, SEED)
    refused = {}
    # five hostile files
    huge = inbox / "spasm-trace_s900_00_start_here.jsonl"
    with huge.open("wb") as fh:
        fh.truncate(21 * 1024 * 1024)
    refused[str(huge)] = "bytes"
    deep = inbox / "spasm-trace_s901_00_start_here.jsonl"
    deep.write_text("[" * 60000 + "]" * 60000 + "\n")
    refused[str(deep)] = "nested too deeply"
    bomb = base / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("spasm-trace_s902_00_start_here.jsonl", b"\0" * (30 * 1024 * 1024))
    refused[f"{bomb}:spasm-trace_s902_00_start_here.jsonl"] = "zip bomb"
    escape = base / "escape.zip"
    some = known.files[0].read_bytes()
    with zipfile.ZipFile(escape, "w") as z:
        z.writestr("../../outside/spasm-trace_s001_00_start_here.jsonl", some)
        z.writestr("/etc/spasm-trace_s001_00_start_here.jsonl", some)
    refused[f"{escape}:../../outside/spasm-trace_s001_00_start_here.jsonl"] = "climbs out"
    refused[f"{escape}:/etc/spasm-trace_s001_00_start_here.jsonl"] = "absolute"
    payload_statements = _payload_file(inbox)  # neutralised, not refused
    # five broken files
    (inbox / "spasm-trace_s905_00_start_here.jsonl").write_text("this is not JSON\n")
    refused[str(inbox / "spasm-trace_s905_00_start_here.jsonl")] = "line 1: not JSON"
    lines = (inbox / "spasm-trace_s002_02_exam_simulator.jsonl").read_bytes().splitlines(keepends=True)
    broken = inbox / "spasm-trace_s002_02_exam_simulator.5.jsonl"
    broken.write_bytes(lines[0] + lines[1][: len(lines[1]) // 2] + b"\n" + b"".join(lines[2:]))
    refused[str(broken)] = "line 2: not JSON"
    mixed = inbox / "mixed.jsonl"
    mixed.write_bytes((inbox / "spasm-trace_s001_00_start_here.jsonl").read_bytes()
                      + (inbox / "spasm-trace_s002_00_start_here.jsonl").read_bytes())
    refused[str(mixed)] = "two students"
    quiz_file = inbox / "spasm-trace_s003_00_start_here.jsonl"
    unknown_q = inbox / "spasm-trace_s003_00_start_here.7.jsonl"
    unknown_q.write_text(quiz_file.read_text().replace("q-00-1", "q-00-99"))
    refused[str(unknown_q)] = "unknown quiz question"
    late = inbox / "late"
    late.mkdir()
    exam = (inbox / "spasm-trace_s004_02_exam_simulator.jsonl").read_text()
    case_id = json.loads(exam.splitlines()[0])["object"]["id"].rsplit("/", 1)[-1]
    (late / "spasm-trace_s004_02_exam_simulator.jsonl").write_text(exam.replace(case_id, "virtual-99999999"))
    refused[str(late / "spasm-trace_s004_02_exam_simulator.jsonl")] = "not in the class set"
    # handed in twice (counted once), and a file whose last line was cut (a note, not a refusal)
    again = base / "resubmitted.zip"
    twice = inbox / "spasm-trace_s005_00_start_here.jsonl"
    with zipfile.ZipFile(again, "w") as z:
        z.writestr("s005/" + twice.name, twice.read_bytes())
    duplicates = len(twice.read_bytes().splitlines())
    cut = base / "half" / "spasm-trace_s007_03_treatment_pathway.jsonl"
    cut.parent.mkdir()
    cut.write_bytes((inbox / cut.name).read_bytes() + b'{"id": "half')
    duplicates += len((inbox / cut.name).read_bytes().splitlines())
    (inbox / "notes.txt").write_text("=not a trace")
    return {"base": base, "inputs": [inbox, bomb, escape, again, cut.parent], "known": known, "refused": refused,
            "payload_statements": payload_statements, "duplicates": duplicates}


@pytest.fixture(scope="module")
def report(scripted, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report"
    before = {str(p): _tree_digest(p) if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
              for p in scripted["inputs"]}
    import contextlib

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["collect", *map(str, scripted["inputs"]), "-o", str(out),
                     "--class-seed", str(SEED), "--students", str(STUDENTS)])
    after = {str(p): _tree_digest(p) if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
             for p in scripted["inputs"]}
    return {"out": out, "code": code, "stderr": err.getvalue(), "before": before, "after": after}


def test_refused_files_are_one_line_each_and_the_exit_code_says_so(scripted, report):
    assert report["code"] == 3
    lines = report["stderr"].splitlines()
    assert len(lines) == len(scripted["refused"]), lines
    for label, why in scripted["refused"].items():
        assert any(line.startswith(f"{label}: ") and why in line for line in lines), (label, why, lines)
    text = (report["out"] / "report.txt").read_text()
    for line in lines:
        assert line in text


def test_the_inputs_are_untouched_and_nothing_escapes(scripted, report):
    assert report["before"] == report["after"]
    assert not (scripted["base"].parent / "outside").exists()


def gradebook(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {r["SIS User ID"]: r for r in rows}


def test_gradebook_equals_the_scripts_known_answers(scripted, report):
    book = gradebook(report["out"])
    assert set(book) == {f"s{i:03d}" for i in range(1, STUDENTS + 1)} | {"s903"}
    for student, grades in scripted["known"].grades.items():
        row = book[student]
        assert row["Student"] == row["SIS Login ID"] == student
        for key, value in grades.items():
            cell = row[HEADINGS[key]]
            assert (cell == "" if value is None else float(cell) == value), (student, key, cell, value)
    # the seeded mistakes are really there (the test can fail)
    assert {r[HEADINGS["exam_right"]] for r in book.values() if r["Student"] != "s903"} == {"0", "100"}
    assert any(r[HEADINGS["quiz_01_risk_factors"]] == "" for r in book.values())


def test_no_gradebook_cell_is_a_formula(report):
    text = (report["out"] / "gradebook.csv").read_text(encoding="utf-8")
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_the_one_formula_guard_in_the_gradebook():
    """spasm_lib.files.spreadsheet_cell (OWASP's CSV-injection advice), written out by hand: a formula
    start gets an apostrophe; a plain number is a number and stays."""
    assert [spreadsheet_cell(v) for v in ("=1+1", "-1+2", "@x", "\tx", "\rx", "ok", "+1", "-1")] == \
        ["'=1+1", "'-1+2", "'@x", "'\tx", "'\rx", "ok", "+1", "-1"]


class Tables(HTMLParser):
    """Every <table> of a page: its caption and its rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell, self._in_caption = [], None, False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag == "caption":
            self._in_caption = True

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1]["rows"][-1].append(self._cell)
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        elif self._in_caption:
            self.tables[-1]["caption"] += data


def matrix(page: str, caption_start: str, names: dict[str, str]) -> dict[tuple[str, str], int]:
    parser = Tables()
    parser.feed(page)
    table = next(t for t in parser.tables if t["caption"].startswith(caption_start))
    header, *rows = table["rows"]
    by_name = {v: k for k, v in names.items()}
    out = {}
    for row in rows:
        for col, cell in zip(header[1:], row[1:]):
            if int(cell):
                out[(by_name[row[0]], by_name[col])] = int(cell)
    return out


def test_matrices_and_counts_equal_the_known_answers(scripted, report):
    page = (report["out"] / "class.html").read_text(encoding="utf-8")
    known = scripted["known"]
    levels = {r["id"]: r["name"] for r in _rows("triage_levels")}
    interps = {r["id"]: r["name"] for r in _rows("interpretations")}
    assert matrix(page, "Triage: rows", levels) == dict(known.triage)
    assert matrix(page, "Interpretation: rows", interps) == dict(known.interpretation)
    assert sum(known.triage.values()) == STUDENTS and len(known.triage) > 1
    steps = {r["id"]: r["name"] for r in _rows("exam_steps")}
    for step, n in known.skipped.items():
        assert f"{steps[step]}, {n} encounters" in page  # the figure's alt text names each bar
    error_names = {r["id"]: r["name"] for r in _rows("reasoning_errors")}
    for error, n in known.errors.items():
        assert f"{error_names[error]}, {n} encounters" in page
    for level, (right, wrong) in known.confidence.items():
        label = level.replace("-", " ").capitalize()
        assert f"{label}: right, {right} encounters" in page and f"{label}: wrong, {wrong} encounters" in page


def test_every_prompt_trigger_is_a_reasoning_error_or_a_class_pattern():
    errors = {r["id"] for r in _rows("reasoning_errors")}
    patterns = {"skipped-warning-signs", "under-triage", "over-triage", "wrong-interpretation"}
    assert {r["trigger"] for r in _rows("discussion_prompts")} <= errors | patterns
    assert errors <= {r["trigger"] for r in _rows("discussion_prompts")}


def test_three_discussion_prompts_from_the_commonest_errors(scripted, report):
    page = (report["out"] / "class.html").read_text(encoding="utf-8")
    known = scripted["known"]
    prompts = {r["trigger"]: r["prompt"] for r in _rows("discussion_prompts")}
    levels = [r["id"] for r in sorted(_rows("triage_levels"), key=lambda r: int(r["order"]))]
    counts = dict(known.errors)
    counts["skipped-warning-signs"] = sum(1 for _ in range(STUDENTS // 5))
    counts["wrong-interpretation"] = sum(n for (a, b), n in known.interpretation.items() if a != b)
    for (true, chosen), n in known.triage.items():
        if true != chosen:
            key = "under-triage" if levels.index(chosen) > levels.index(true) else "over-triage"
            counts[key] = counts.get(key, 0) + n
    order = {r["trigger"]: int(r["order"]) for r in _rows("discussion_prompts")}
    top = sorted(counts, key=lambda t: (-counts[t], order[t]))[:3]
    section = page.split("Three questions for the next class", 1)[1].split("</ol>", 1)[0]
    import html as htmllib

    shown = [htmllib.unescape(part.split(" <small>")[0]) for part in section.split("<li>")[1:]]
    assert shown == [prompts[t] for t in top]


def test_statements_are_merged_once_and_valid_xapi(scripted, report):
    lines = (report["out"] / "statements.jsonl").read_bytes().splitlines()
    assert len(lines) == scripted["known"].statements + scripted["payload_statements"]
    statements = [json.loads(line) for line in lines]
    assert len({s["id"] for s in statements}) == len(statements)
    problems = [p for p in map(xapi_problems, statements) if p]
    assert problems == []
    summary = (report["out"] / "report.txt").read_text()
    assert f"{scripted['duplicates']} duplicate statements counted once" in summary
    assert "half-written" in summary


def test_payloads_are_text_never_markup(report):
    page = (report["out"] / "students" / "s903.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    for name in ("class.html", "students/s001.html"):
        text = (report["out"] / name).read_text(encoding="utf-8")
        assert "<script" not in text and "http://" not in text.replace("http://www.w3.org/2000/svg", "")


def test_same_inputs_same_bytes(scripted, report, tmp_path):
    import contextlib

    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        assert main(["collect", *map(str, scripted["inputs"]), "-o", str(tmp_path / "again"),
                     "--class-seed", str(SEED), "--students", str(STUDENTS)]) == 3
    for name in ("gradebook.csv", "class.html", "statements.jsonl", "report.txt", "students/s001.html"):
        assert (tmp_path / "again" / name).read_bytes() == (report["out"] / name).read_bytes(), name


def test_an_output_inside_the_input_is_refused_and_nothing_written(scripted, capsys):
    inbox = scripted["inputs"][0]
    before = _tree_digest(inbox)
    assert main(["collect", str(inbox), "-o", str(inbox / "report")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "inside the input folder" in err
    assert _tree_digest(inbox) == before and not (inbox / "report").exists()


def test_a_file_in_the_report_folder_that_collect_did_not_write_is_kept(scripted, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "class.html").write_text("my notes")
    assert main(["collect", str(scripted["known"].files[0]), "-o", str(out)]) == 2
    assert (out / "class.html").read_text() == "my notes"
    assert capsys.readouterr().err.count("\n") == 1


def test_nothing_to_collect_is_one_line(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["collect", str(tmp_path / "empty"), "-o", str(tmp_path / "out")]) == 2
    assert "no trace files" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.kernel
def test_the_debrief_notebook_renders_the_class_with_papermill(scripted, tmp_path):
    import contextlib

    out = tmp_path / "debrief.html"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["render", "05_class_debrief", "-p", "traces", str(scripted["inputs"][0]),
                     "-p", "class_seed", str(SEED), "-p", "students", str(STUDENTS), "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    levels = {r["id"]: r["name"] for r in _rows("triage_levels")}
    assert matrix(page, "Triage: rows", levels) == dict(scripted["known"].triage)
    assert "Three questions for the next class" in page and "http://" not in page.replace("http://www.w3.org", "")


def test_the_debrief_is_left_out_of_the_students_material(tmp_path):
    from spasm_lib.handouts import discover
    from spasm_lib.lite import site_notebooks
    from spasm_lib.workspace import packaged_notebooks

    debrief = "05_class_debrief.ipynb"
    assert (ROOT / "notebooks" / debrief).is_file()
    assert debrief not in [p.name for p in discover()]
    assert debrief not in [name for name, _ in packaged_notebooks()]
    assert debrief not in site_notebooks(ROOT / "notebooks", tmp_path / "student", "student")
    assert debrief in site_notebooks(ROOT / "notebooks", tmp_path / "instructor", "instructor")


def test_class_seed_and_students_go_together(scripted, tmp_path, capsys):
    assert main(["collect", str(scripted["known"].files[0]), "-o", str(tmp_path / "r"), "--class-seed", "7"]) == 2
    assert "go together" in capsys.readouterr().err and not (tmp_path / "r").exists()


def test_a_missing_input_is_refused_before_anything_is_written(tmp_path, capsys):
    assert main(["collect", str(tmp_path / "nowhere"), "-o", str(tmp_path / "out")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_traces_of_the_real_widgets_are_collected_whole(tmp_path):
    """The notebooks' own widgets (issue 20's hooks) write a student's work; collect takes all of it."""
    import contextlib

    from spasm_lib.case_study import case_study
    from spasm_lib.recorder import Recorder, fixed_clock, seeded_ids
    from spasm_lib.widgets.case_study import CaseStudyWorksheet
    from spasm_lib.widgets.exam import ExamSimulator
    from spasm_lib.widgets.pathway import TreatmentPathwayWalk
    from spasm_lib.widgets.quiz import CheckYourself

    facts = load_facts()
    inbox = tmp_path / "inbox"
    inbox.mkdir()

    def rec(stem):  # a seed per notebook: real students' ids are random UUIDs, never shared
        return Recorder(stem, "s042", folder=inbox, clock=fixed_clock(), ids=seeded_ids(int(stem[:2])), enabled=True)

    sim = ExamSimulator(facts, "golfer-twist", 0, "student", rec("02_exam_simulator"))
    for step in ("history-onset", "red-flag-questions", "palpation"):
        if step == "palpation":
            sim.site.value = "lower-back"
        sim.step_buttons[step].click()
    sim.hypothesis.value = "back-spasm"
    sim.confidence.value = sim.confidence.options[-1][1]
    sim.interpretation.value = "nerve-root-irritation"
    sim.commit.click()
    walk = TreatmentPathwayWalk(facts, "golfer-twist", 0, "student", rec("03_treatment_pathway"))
    walk.show_next.click()
    quiz = CheckYourself(facts, "00_start_here", "student", rec("00_start_here"))
    qid, radio = next(iter(quiz.radios.items()))
    radio.value = next(v for _label, v in radio.options if facts.by_id("quiz_options")[v].correct)
    sheet = CaseStudyWorksheet(case_study(facts, "golfer-twist", 0), "student", rec("04_case_study"))
    next(iter(sheet.answers.values())).value = "<b>my answer</b>"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert main(["collect", str(inbox), "-o", str(tmp_path / "report")]) == 0, err.getvalue()
    row = gradebook(tmp_path / "report")["s042"]
    assert row[HEADINGS["exam_right"]] == "0" and row[HEADINGS["quiz_00_start_here"]] == "20"
    assert row[HEADINGS["pathway"]] in ("0", "100")
    page = (tmp_path / "report" / "students" / "s042.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;my answer&lt;/b&gt;" in page


def _collect_quietly(args: list[str]) -> int:
    import contextlib

    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        return main(["collect", *args])


@pytest.mark.parametrize("with_class", [False, True], ids=["no-class-seed", "class-seed"])
def test_two_processes_write_the_bytes_of_one(scripted, tmp_path, monkeypatch, with_class):
    """On two cores the files are checked by two forked processes and merged (collect's speed);
    the report must be the one a single process writes, byte for byte: duplicates counted once
    (a student's results then made again), refusals, notes and the class set's check included."""
    from spasm_lib import collect_merge

    if with_class:  # every patient in the class set: the forked check stands (no second reading)
        args = [*map(str, scripted["known"].files), str(scripted["base"] / "resubmitted.zip"),
                str(scripted["base"] / "half"), "--class-seed", str(SEED), "--students", str(STUDENTS)]
    else:
        args = [*map(str, scripted["inputs"])]
    forked = []
    real = collect_merge._check_forked_halves
    monkeypatch.setattr(collect_merge, "fork_context", lambda: __import__("multiprocessing").get_context("fork"))
    monkeypatch.setattr(collect_merge, "_check_forked_halves", lambda *a: forked.append(1) or real(*a))
    two = _collect_quietly([*args, "-o", str(tmp_path / "two")])
    monkeypatch.setattr(collect_merge, "fork_context", lambda: None)
    one = _collect_quietly([*args, "-o", str(tmp_path / "one")])
    assert forked == [1] and two == one
    assert _tree_digest(tmp_path / "two") == _tree_digest(tmp_path / "one")
    report = (tmp_path / "two" / "report.txt").read_text(encoding="utf-8")
    assert f"{scripted['duplicates']} duplicate statements counted once" in report


def test_the_class_set_is_the_handouts_mix(scripted, tmp_path):
    """--mix names the handouts' mix: the scripted class was drawn balanced (the default), so its
    patients are the class set as given, and a weighted class of the same seed refuses most of them."""
    from spasm_lib.class_mix import class_patients

    exam = [f for f in scripted["known"].files if f.name.endswith("_02_exam_simulator.jsonl")]
    balanced = {f"virtual-{p.seed}" for p in class_patients(load_facts(), STUDENTS, SEED, "balanced")}
    weighted = {f"virtual-{p.seed}" for p in class_patients(load_facts(), STUDENTS, SEED, "weighted")}
    expected = 0
    for f in exam:  # (independent of collect: the patient each file names, against each class set)
        case = json.loads(f.read_bytes().splitlines()[0])["object"]["id"].rsplit("/", 1)[-1]
        assert case in balanced
        expected += case not in weighted
    assert expected > len(exam) // 2
    args = [*map(str, exam), "--class-seed", str(SEED), "--students", str(STUDENTS)]
    assert _collect_quietly([*args, "-o", str(tmp_path / "balanced")]) == 0
    assert _collect_quietly([*args, "--mix", "weighted", "-o", str(tmp_path / "weighted")]) == 3
    report = (tmp_path / "weighted" / "report.txt").read_text(encoding="utf-8")
    assert report.count("is not in the class set of --class-seed") == expected


@pytest.mark.parametrize("split", ["two-halves-joined-by-a-comma", "one-statement-over-two-lines"])
def test_a_line_that_is_not_one_statement_is_refused(scripted, tmp_path, split):
    """Each line of a trace is one whole statement. Two lines that are not JSON alone but read as two
    statements once joined with a comma, or one statement spread over two lines, are refused (line 1),
    never copied into statements.jsonl as lines an LRS cannot read."""
    source = next(f for f in scripted["known"].files if f.name.endswith("_02_exam_simulator.jsonl"))
    first, second = source.read_bytes().splitlines()[:2]
    if split == "two-halves-joined-by-a-comma":
        data = first[:-1] + b',"x":[{}' + b"\n" + b"{}]}," + second + b"\n"
    else:
        data = first[:-1] + b',"x":[{},' + b"\n" + b"{}]}" + b"\n"
    for line in data.splitlines():  # (the premise: no line is JSON alone)
        with pytest.raises(ValueError):
            json.loads(line)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / source.name).write_bytes(data)
    assert _collect_quietly([str(inbox), "-o", str(tmp_path / "out")]) == 3
    assert f"{inbox / source.name}: line 1: not JSON" in (tmp_path / "out" / "report.txt").read_text(encoding="utf-8")
    assert (tmp_path / "out" / "statements.jsonl").read_bytes() == b""
