"""`spasm-teach` as an instructor types it."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

from spasm_lib import __version__
from spasm_lib.cli import main
from spasm_lib.facts import load_facts


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "spasm_lib", *args], capture_output=True, text=True)


def test_version():
    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"spasm-teach {__version__}"


def test_facts_prints_every_risk_factor(capsys):
    assert main(["facts", "risk-factors", "--width", "200"]) == 0
    printed = capsys.readouterr().out
    for factor in load_facts().risk_factors:
        assert factor.id in printed and factor.name in printed


def test_facts_as_csv_round_trips(capsys):
    assert main(["facts", "sports", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["id"] for r in rows] == [s.id for s in load_facts().sports]


def test_unknown_table_exits_2_and_says_what_is_allowed():
    out = run("facts", "risk")
    assert out.returncode == 2
    assert "unknown table 'risk'" in out.stderr and "risk-factors" in out.stderr
    assert out.stdout == ""


def test_unknown_column_exits_2(capsys):
    assert main(["facts", "sports", "--columns", "id", "colour"]) == 2
    err = capsys.readouterr().err
    assert "unknown column colour" in err and "risk_factor_id" in err
