"""The benchmark's machinery: target evaluation, the JSON it writes, and one real row group (quick).

The whole ``make bench`` takes minutes; here only the exam-simulator rows run, at small sizes.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"
KEYS = {"name", "value", "unit", "reference", "ratio", "target", "meets"}


def _load_run():
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    return _load_run()


@pytest.mark.parametrize(
    ("target", "value", "reference", "expected"),
    [
        ("< 10 ms", 9.99, 0.02, True),
        ("< 10 ms", 10.0, 0.02, False),  # strict: equal misses
        ("<= 1.5x floor", 3.0, 2.0, True),  # exactly 1.5x meets
        ("<= 1.5x floor", 3.01, 2.0, False),
        ("< 1x serial", 20.0, 30.0, True),
        ("< 1x serial", 30.0, 30.0, False),
        ("<= 0.4x nbconvert", 50_000, 100_000, False),
        ("< 3 s", 2.5, 1.2, True),  # absolute: the reference does not enter
        ("report", 1.0, None, None),
    ],
)
def test_meets_evaluates_the_target(bench, target, value, reference, expected):
    assert bench.meets(target, value, reference) is expected


def test_row_ratio_and_meets_come_from_value_and_reference(bench):
    r = bench.row("x", 6.0, "s", 4.0, "<= 1.5x floor")
    assert set(r) == KEYS
    assert r["ratio"] == 1.5 and r["meets"] is True
    assert bench.row("x", 7.0, "s", 4.0, "<= 1.5x floor")["meets"] is False


def test_write_rows_replaces_the_file_whole(bench, tmp_path):
    path = tmp_path / "nested" / "bench.json"
    bench.write_rows([bench.row("a", 1.0, "s", 2.0, "< 1x peer")], path)
    bench.write_rows([bench.row("b", 3.0, "s", 2.0, "< 1x peer")], path)
    rows = json.loads(path.read_text(encoding="utf-8"))
    assert [r["name"] for r in rows] == ["b"] and rows[0]["meets"] is False
    assert [p.name for p in path.parent.iterdir()] == ["bench.json"]  # no temporary file left behind


def test_quick_simulator_run_writes_rows_whose_meets_match_their_targets(bench, tmp_path):
    out = tmp_path / "bench.json"
    run = subprocess.run([sys.executable, str(RUN), "--quick", "--only", "simulator", "--json", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert len(rows) == 2
    for r in rows:
        assert set(r) == KEYS
        assert isinstance(r["value"], float) and r["value"] > 0
        assert r["meets"] is bench.meets(r["target"], r["value"], r["reference"])
        assert r["name"] in run.stdout  # the printed table has every row
    drawn, export = rows
    # Drawing patients has an absolute target and no peer; the export is measured against drawing
    # the same patients alone, in the same run.
    assert drawn["reference"] is None and drawn["ratio"] is None and drawn["target"] == "< 5 s"
    assert drawn["name"].startswith("virtual patients: 2,000 drawn")
    assert export["reference"] > 0 and export["ratio"] == pytest.approx(export["value"] / export["reference"], rel=1e-2)
    assert export["target"] == "<= 5x drawn alone"


def test_quick_trace_run_measures_recording_beside_the_callback(bench, tmp_path):
    """The 'trace' rows (issue 20): what recording adds to an exam callback, beside the callback alone."""
    out = tmp_path / "bench.json"
    run = subprocess.run([sys.executable, str(RUN), "--quick", "--only", "trace", "--json", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    added, one = json.loads(out.read_text(encoding="utf-8"))
    assert added["name"].startswith("trace: time recording adds to an exam simulator callback")
    assert added["unit"] == "ms" and added["reference"] > 0 and added["target"] == "<= 1 ms"
    assert one["target"] == "<= 1 ms" and one["value"] > 0
    for r in (added, one):
        assert r["meets"] is bench.meets(r["target"], r["value"], r["reference"])
    assert not list(bench.ROOT.glob("spasm-trace_*")) and not list((bench.ROOT / "notebooks").glob("spasm-trace_*"))
