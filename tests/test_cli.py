"""`spasm-teach` as an instructor types it."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

from spasm_lib import __version__
from spasm_lib.cli import main
from spasm_lib.facts import load_facts


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "spasm_lib", *args], capture_output=True, text=True)


@pytest.mark.subprocess
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


@pytest.mark.subprocess
def test_unknown_table_exits_2_and_says_what_is_allowed():
    out = run("facts", "risk")
    assert out.returncode == 2
    assert "unknown table 'risk'" in out.stderr and "risk-factors" in out.stderr
    assert out.stdout == ""


def test_unknown_column_exits_2(capsys):
    assert main(["facts", "sports", "--columns", "id", "colour"]) == 2
    err = capsys.readouterr().err
    assert "unknown column colour" in err and "risk_factor_id" in err


# --------------------------------------------------------------------------- issue 12: one line, exit codes


@pytest.mark.subprocess
def test_a_usage_error_is_one_line_naming_the_help():
    out = run("facts")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == "spasm-teach facts: the following arguments are required: table; see spasm-teach facts --help\n"


@pytest.mark.subprocess
def test_a_missing_command_is_one_line():
    out = run()
    assert out.returncode == 2
    assert out.stderr.splitlines() == [
        "spasm-teach: the following arguments are required: COMMAND; see spasm-teach --help"]


@pytest.mark.subprocess
def test_help_states_the_exit_codes_and_debug():
    out = run("--help")
    assert out.returncode == 0
    text = " ".join(out.stdout.split())
    assert "2 bad input" in text and "1 a failed run" in text and "130/143 interrupted" in text
    assert "--debug" in run("facts", "--help").stdout


def test_debug_switch_is_accepted_everywhere_and_changes_nothing_on_success(capsys):
    assert main(["--debug", "facts", "sports", "--format", "csv"]) == 0
    first = capsys.readouterr().out
    assert main(["facts", "sports", "--format", "csv", "--debug"]) == 0
    assert capsys.readouterr().out == first and first.startswith("id,")


@pytest.mark.parametrize("width, code", [("1", 0), ("10000", 0), ("0", 2), ("10001", 2), ("-5", 2), ("5.0", 2)])
def test_facts_width_is_bounded(width, code, capsys):
    if code == 2:
        with pytest.raises(SystemExit) as exit_:
            main(["facts", "sports", "--width", width])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--width" in err and "from 1 to 10000" in err
    else:
        assert main(["facts", "sports", "--width", width]) == 0


def test_a_data_error_with_many_problems_is_one_line(monkeypatch, capsys):
    import spasm_lib.facts as facts
    from spasm_lib.table_reader import Problem

    problems = [Problem("data/x.csv", n, "id", f"problem {n}") for n in range(1, 5)]

    def broken(*args, **kwargs):
        raise facts.DataError(problems)

    monkeypatch.setattr(facts, "load_facts", broken)
    assert main(["facts", "sports"]) == 2
    err = capsys.readouterr().err
    assert err == ("spasm-teach facts: invalid teaching data: data/x.csv, line 1, column 'id': problem 1 "
                   "(and 3 more problems; --debug lists them all)\n")


@pytest.mark.parametrize("error, code, err", [
    ("LiteError", 2, "spasm-teach lite: pip could not install the wheels\n"),  # the boundary's one line
    ("LiteBuildFailed", 1, "spasm-teach lite: pip could not install\nthe wheels\n"),  # the tool's output as it was
])
def test_a_lite_refusal_is_bad_input_and_a_failed_build_a_failed_run(error, code, err, monkeypatch, tmp_path, capsys):
    from spasm_lib import lite

    def fails(*args, **kwargs):
        raise getattr(lite, error)("pip could not install\nthe wheels")

    monkeypatch.setattr(lite, "build_site", fails)
    assert main(["lite", "-o", str(tmp_path / "site")]) == code
    assert capsys.readouterr().err == err
