"""The trace format (spasm_lib.xapi) and store (spasm_lib.trace): valid by ralph, exact, and safe on bad files.

Expected IRIs are written out by hand from ADL's xAPI 1.0.3 and the MedBiquitous Virtual Patient
profile (docs/trace.md), not read from the module under test.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

from spasm_lib import trace, xapi
from spasm_lib.recorder import Recorder, fixed_clock, seeded_ids
from tests.xapi_validator import xapi_problems

STEM = "02_exam_simulator"


def recorder(folder: Path, student: str = "s017", seed: int = 1) -> Recorder:
    return Recorder(STEM, student, folder=folder, clock=fixed_clock(), ids=seeded_ids(seed), enabled=True)


def scripted_run(folder: Path) -> list[str]:
    """A small encounter: open a patient, one step, a confidence, a committed interpretation."""
    folder.mkdir()
    rec = recorder(folder)
    patient = xapi.patient_activity("golfer-twist", "A golfer's twist")
    reg = rec.new_registration()
    rec.record("initialized", patient, registration=reg, deferred=True)
    step = xapi.activity(xapi.activity_id("patient", "golfer-twist", "step", "palpation"), "node", "Palpation")
    rec.record("arrived", step, registration=reg, parent=patient, result=xapi.result(response="Tight, tender muscle"))
    conf = xapi.activity(xapi.activity_id("patient", "golfer-twist", "confidence"), "cmi.interaction", "How sure are you?",
                         interaction_type="likert", scale=[("unsure", "Unsure"), ("fairly-unsure", "Fairly unsure"),
                                                           ("fairly-sure", "Fairly sure"), ("sure", "Sure")])
    rec.record("responded", conf, registration=reg, parent=patient, result=xapi.result(response="sure"))
    item = xapi.activity(xapi.activity_id("patient", "golfer-twist", "interpretation"), "cmi.interaction", "Interpretation",
                         interaction_type="choice", choices=[("a", "A"), ("b", "B")], correct=["a"])
    rec.record("responded", item, registration=reg, parent=patient, result=xapi.result(response="a", success=True))
    rec.record("completed", patient, registration=reg, result=xapi.result(completion=True, success=True, score=(9, 10), seconds=95.5))
    return trace.trace_path(folder, "s017", STEM).read_text(encoding="utf-8").splitlines()


def test_scripted_run_is_byte_identical_and_every_statement_valid(tmp_path: Path) -> None:
    first = scripted_run(tmp_path / "a")
    second = scripted_run(tmp_path / "b")
    assert first == second and len(first) == 5
    for line in first:
        stmt = json.loads(line)
        assert xapi_problems(stmt) is None, xapi_problems(stmt)
    stmts = [json.loads(line) for line in first]
    assert [s["verb"]["id"] for s in stmts] == [
        "http://adlnet.gov/expapi/verbs/initialized",
        "https://w3id.org/xapi/medbiq/verbs/arrived",
        "http://adlnet.gov/expapi/verbs/responded",
        "http://adlnet.gov/expapi/verbs/responded",
        "http://adlnet.gov/expapi/verbs/completed",
    ]
    assert [s["timestamp"] for s in stmts][:2] == ["2026-01-01T09:00:00.000Z", "2026-01-01T09:00:01.000Z"]
    assert stmts[0]["actor"] == {"objectType": "Agent", "account": {"homePage": "https://spasm-teach.invalid/course", "name": "s017"}}
    assert stmts[0]["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/simulation"
    assert stmts[1]["context"]["contextActivities"]["parent"][0]["id"] == "urn:spasm-teach:patient/golfer-twist"
    assert stmts[1]["context"]["contextActivities"]["category"][0]["id"] == "https://w3id.org/xapi/virtual-patient"
    assert len({s["context"]["registration"] for s in stmts}) == 1
    assert stmts[3]["object"]["definition"]["correctResponsesPattern"] == ["a"]
    assert stmts[4]["result"] == {"completion": True, "success": True, "duration": "PT95.50S",
                                  "score": {"scaled": 0.9, "raw": 9, "min": 0, "max": 10}}


def test_another_seed_gives_other_ids(tmp_path: Path) -> None:
    a = recorder(tmp_path, seed=1).build("initialized", xapi.course_activity())
    b = recorder(tmp_path, seed=2).build("initialized", xapi.course_activity())
    assert a["id"] != b["id"] and uuid.UUID(a["id"]).version == 4


def test_validator_rejects_a_broken_statement(tmp_path: Path) -> None:
    """The validator can fail: a statement with its registration not a UUID, or no actor, is refused."""
    good = recorder(tmp_path).build("initialized", xapi.course_activity(), registration=uuid.UUID(int=5))
    assert xapi_problems(good) is None
    broken = json.loads(json.dumps(good))
    broken["context"]["registration"] = "encounter-1"
    assert xapi_problems(broken) is not None
    del broken["actor"]
    assert xapi_problems(broken) is not None


@pytest.mark.parametrize("name", ["", "a b", "x" * 65, "-s1", "s1/..", "s_1", "name@example.org", 17])
def test_student_numbers_refused(name: object) -> None:
    with pytest.raises(xapi.XapiInputError, match="student number"):
        xapi.Actor(name)  # type: ignore[arg-type]


def test_builders_refuse_unknown_verbs_and_types() -> None:
    with pytest.raises(xapi.XapiInputError, match="verb 'clicked'"):
        xapi.statement(statement_id=uuid.UUID(int=1), when=datetime(2026, 1, 1, tzinfo=timezone.utc),
                       actor=xapi.Actor("s1"), verb="clicked", obj=xapi.course_activity())
    with pytest.raises(xapi.XapiInputError, match="interaction type 'essay'"):
        xapi.activity("urn:spasm-teach:x", "cmi.interaction", "X", interaction_type="essay")
    with pytest.raises(xapi.XapiInputError, match="time zone"):
        xapi.timestamp(datetime(2026, 1, 1))


def test_activity_ids_are_percent_encoded() -> None:
    assert xapi.activity_id("patient", "random-7", "step", "a b/c") == "urn:spasm-teach:patient/random-7/step/a%20b%2Fc"


def test_deferred_statements_write_nothing_until_the_first_action(tmp_path: Path) -> None:
    rec = recorder(tmp_path)
    rec.record("initialized", xapi.course_activity(), deferred=True)
    assert list(tmp_path.iterdir()) == []
    rec.record("interacted", xapi.course_activity())
    lines = trace.trace_path(tmp_path, "s017", STEM).read_text().splitlines()
    assert [json.loads(x)["verb"]["display"]["en"] for x in lines] == ["initialized", "interacted"]


def test_disabled_recorder_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPASM_TRACE", "off")
    rec = Recorder(STEM, "s017", folder=tmp_path)
    assert rec.record("interacted", xapi.course_activity()) is None
    assert list(tmp_path.iterdir()) == []


def test_trace_dir_environment_redirects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPASM_TRACE_DIR", str(tmp_path / "elsewhere"))
    (tmp_path / "elsewhere").mkdir()
    rec = Recorder(STEM, "s017", enabled=True)
    rec.record("interacted", xapi.course_activity())
    assert [p.name for p in (tmp_path / "elsewhere").iterdir()] == ["spasm-trace_s017_02_exam_simulator.jsonl"]


# ------------------------------------------------------------------ bad trace files

def _one_statement(tmp_path: Path, student: str = "s017") -> str:
    return xapi.to_line(recorder(tmp_path, student).build("interacted", xapi.course_activity()))


def _record_once(folder: Path) -> Recorder:
    rec = recorder(folder)
    notices: list[str] = []
    rec.on_notice = notices.append
    rec.record("interacted", xapi.course_activity())
    rec.notices = notices  # type: ignore[attr-defined]
    return rec


def _setup_truncated(p: Path, tmp: Path) -> None:
    p.write_text(_one_statement(tmp) + _one_statement(tmp)[:40], encoding="utf-8")


def _setup_not_json(p: Path, tmp: Path) -> None:
    p.write_text("hello, this is my essay\n", encoding="utf-8")


def _setup_huge(p: Path, tmp: Path) -> None:
    with p.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)


def _setup_folder(p: Path, tmp: Path) -> None:
    p.mkdir()
    (p / "inside.txt").write_text("mine", encoding="utf-8")


def _setup_read_only(p: Path, tmp: Path) -> None:
    p.write_text(_one_statement(tmp), encoding="utf-8")
    p.chmod(0o444)


def _setup_other_student(p: Path, tmp: Path) -> None:
    p.write_text(_one_statement(tmp, "s999"), encoding="utf-8")


BAD_FILES = {
    "truncated": (_setup_truncated, "ends in a half-written line"),
    "not JSON": (_setup_not_json, "is not a trace of statements (not JSON)"),
    "50 MB": (_setup_huge, "is larger than 20 MB"),
    "a folder": (_setup_folder, "is a folder"),
    "read-only": (_setup_read_only, "is read-only"),
    "another student's": (_setup_other_student, "holds another student's work"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_trace_file_one_line_fresh_file_old_kept(tmp_path: Path, kind: str) -> None:
    setup, reason = BAD_FILES[kind]
    folder = tmp_path / "nb"
    folder.mkdir()
    old = trace.trace_path(folder, "s017", STEM)
    setup(old, tmp_path / "scratch")
    before = _snapshot(old)
    rec = _record_once(folder)
    assert rec.notices == [  # type: ignore[attr-defined]
        f"Your work file {old.name} {reason}; it is kept as it is, and your work now goes to "
        "spasm-trace_s017_02_exam_simulator.1.jsonl."
    ]
    assert _snapshot(old) == before
    fresh = trace.trace_path(folder, "s017", STEM, 1)
    assert len(fresh.read_text(encoding="utf-8").splitlines()) == 1
    # reading never raises, and says what it skipped
    read = trace.read_student(folder, "s017", STEM)
    assert len(read.statements) >= 1 and all(trace.account_name(s) == "s017" for s in read.statements)


def _snapshot(p: Path) -> object:
    if p.is_dir():
        return sorted((c.name, c.read_bytes()) for c in p.iterdir())
    st = p.stat()
    return (st.st_size, st.st_mode, p.read_bytes()[:1000] if st.st_size < 1_000_000 else st.st_size)


def test_reading_skips_bad_lines_and_says_so_once(tmp_path: Path) -> None:
    p = trace.trace_path(tmp_path, "s017", STEM)
    good = _one_statement(tmp_path)
    p.write_text(good + "not json\n[1,2]\n" + _one_statement(tmp_path, "s999") + good + '{"actor": {', encoding="utf-8")
    read = trace.read_trace(p, "s017")
    assert len(read.statements) == 2
    assert read.problems == [
        f"{p.name}: its last line is half-written; that line is skipped",
        f"{p.name}: has lines that are not statements; they are skipped",
        f"{p.name}: has another student's statements; they are skipped",
    ]


def test_reading_a_folder_or_a_huge_file_reports_one_line(tmp_path: Path) -> None:
    folder = trace.trace_path(tmp_path, "s017", STEM)
    folder.mkdir()
    assert trace.read_trace(folder).problems == [f"{folder.name}: is not a file (a folder or a device); nothing read from it"]
    huge = trace.trace_path(tmp_path, "s017", STEM, 1)
    with huge.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    assert trace.read_trace(huge).problems == [f"{huge.name}: is larger than 20 MB; not read"]


def test_unwritable_folder_stops_recording_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "gone"
    rec = Recorder(STEM, "s017", folder=missing, enabled=True)
    notices: list[str] = []
    rec.on_notice = notices.append
    rec.record("interacted", xapi.course_activity())
    rec.record("interacted", xapi.course_activity())
    assert len(notices) == 1 and "nothing more is recorded" in notices[0]
    assert not missing.exists()


def test_latest_responses_and_file_listing(tmp_path: Path) -> None:
    rec = recorder(tmp_path)
    q = lambda n: xapi.activity(xapi.activity_id("case-study", "c1", n), "cmi.interaction", n, interaction_type="long-fill-in")  # noqa: E731
    rec.record("answered", q("q1"), result=xapi.result(response="first try"))
    rec.record("answered", q("q2"), result=xapi.result(response="two"))
    rec.record("answered", q("q1"), result=xapi.result(response="second try"))
    rec.record("answered", xapi.activity(xapi.activity_id("quiz", "x"), "cmi.interaction", "x", interaction_type="choice"),
               result=xapi.result(response="a"))
    statements = trace.read_student(tmp_path, "s017").statements
    assert trace.latest_responses(statements, "urn:spasm-teach:case-study/c1/") == {
        "urn:spasm-teach:case-study/c1/q1": "second try",
        "urn:spasm-teach:case-study/c1/q2": "two",
    }
    (tmp_path / "spasm-trace_s017_02_exam_simulator.1.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "spasm-trace_s2_01_risk_factors.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "notes.jsonl").write_text("", encoding="utf-8")
    assert [p.name for p in trace.trace_files(tmp_path)] == [
        "spasm-trace_s017_02_exam_simulator.jsonl",
        "spasm-trace_s017_02_exam_simulator.1.jsonl",
        "spasm-trace_s2_01_risk_factors.jsonl",
    ]
    assert trace.parse_trace_name("spasm-trace_s2_01_risk_factors.3.jsonl") == trace.TraceFileName("s2", "01_risk_factors", 3)
