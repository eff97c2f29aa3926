"""Shared fixtures: a writable copy of the teaching data, and helpers to break it."""

from __future__ import annotations

import configparser
import csv
import io
import re
import shutil
from pathlib import Path

import pytest

from spasm_lib.facts import default_data_dir

ROOT = Path(__file__).resolve().parents[1]
SOURCE_TEXT = Path(__file__).parent / "fixtures" / "source_text.txt"


def nbval_sanitized(text: str) -> str:
    """``text`` as strict nbval compares it: every rule of ``tests/nbval_sanitize.cfg`` applied in
    order, as nbval applies them to the stored and to the fresh output alike."""
    config = configparser.ConfigParser()
    config.read(ROOT / "tests" / "nbval_sanitize.cfg", encoding="utf-8")
    for section in config.sections():
        text = re.sub(config[section]["regex"], config[section]["replace"], text)
    return text


class DataCopy:
    """A copy of data/ in a temporary folder, with edits that know each row's physical line."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, table: str) -> Path:
        return self.folder / f"{table}.csv"

    def read(self, table: str) -> list[list[str]]:
        with self.path(table).open(encoding="utf-8", newline="") as fh:
            return list(csv.reader(fh))

    def write(self, table: str, rows: list[list[str]]) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        self.path(table).write_text(buffer.getvalue(), encoding="utf-8")

    @staticmethod
    def line_of(rows: list[list[str]], index: int) -> int:
        """The physical line (1-based) on which rows[index] starts, as csv.writer lays them out."""
        line = 1
        for row in rows[:index]:
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerow(row)
            line += buffer.getvalue().count("\n")
        return line

    def set_cell(self, table: str, row_index: int, column: str, value: str) -> int:
        """Set one cell of data row ``row_index`` (0 = first row after the header); return its line."""
        rows = self.read(table)
        rows[row_index + 1][rows[0].index(column)] = value
        self.write(table, rows)
        return self.line_of(rows, row_index + 1)


@pytest.fixture
def data_copy(tmp_path: Path) -> DataCopy:
    folder = tmp_path / "data"
    shutil.copytree(str(default_data_dir()), folder, ignore=shutil.ignore_patterns("__*"))
    return DataCopy(folder)


@pytest.fixture(scope="session")
def _jupyter_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("jupyter-data")


@pytest.fixture(autouse=True)
def _no_write_into_the_users_jupyter_data(_jupyter_data: Path, monkeypatch: pytest.MonkeyPatch):
    """`spasm-teach start` trusts the notebooks it copies (a signature in the Jupyter data folder):
    in a test, and in the processes a test starts, that folder is a temporary one."""
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(_jupyter_data))


_SLOW_KINDS = ("subprocess", "kernel", "e2e")  # the marks `make check` leaves out (Makefile)


@pytest.fixture(autouse=True)
def _a_test_that_starts_a_process_says_so(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """`make check` leaves out the tests marked subprocess, kernel or e2e; a test that starts another
    process without one of those marks would slow the content author's loop unseen, so it fails here
    (the mark is the fix)."""
    if any(request.node.get_closest_marker(kind) for kind in _SLOW_KINDS):
        yield
        return
    import subprocess

    started: list[str] = []
    real_init = subprocess.Popen.__init__

    def noting_init(self, args, *rest, **kwargs):
        started.append(str(args)[:120])
        return real_init(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", noting_init)
    yield
    if started:
        pytest.fail(f"this test starts a process ({started[0]}): mark it @pytest.mark.subprocess "
                    "(or kernel), so that `make check` stays fast", pytrace=False)
