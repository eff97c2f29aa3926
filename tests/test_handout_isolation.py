"""Every student isolated, nothing leaked, every run bounded (issue 19, items 1, 4, 5 and 9).

Each test builds the fixture notebook (tests/fixtures/notebooks), whose set is two handouts
(student and instructor), with one extra cell that does the harm:

* a cell that changes module state (a monkeypatch of ``spasm_lib``, a counter kept in a module) must
  not reach the next handout, and ``--jobs 1`` and ``--jobs 2`` give the same bytes (item 4);
* a worker killed mid-build does not wipe an earlier set, and the handouts it had not built are
  built in a new pool (item 1);
* a kernel's connection file lives in the build's own folder, which is gone after the build, also
  after two SIGTERMs; one left by a killed build is removed by the next (item 5);
* an endless cell and a flood of output fail their handout with one line (item 9).

Expected values are written by hand; child builds run with a time bound and a marker in their
environment, so that nothing is left running.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.kernel  # every test here builds handouts in real kernels (make test, not make check)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
sys.path.insert(0, str(FIXTURES))
from handout_checks import KILL_THE_WORKER, fixture_registered, kill_all, processes_with  # noqa: E402,F401

from spasm_lib import handout_limits, handout_pool, handouts, render  # noqa: E402

TIME_BOUND = 240


def fixture_with(folder: Path, cell: str, at: int | None = None) -> Path:
    """The fixture notebook in ``folder`` with ``cell`` inserted at ``at`` (default: before the last)."""
    import fixture_notebooks
    import nbformat
    from nbformat.v4 import new_code_cell

    paths = fixture_notebooks.write(folder)
    paths["11_broken"].unlink()
    nb = nbformat.read(paths["10_fixture"], as_version=4)
    nb.cells.insert(len(nb.cells) - 1 if at is None else at, new_code_cell(cell, id="extra-cell"))
    nbformat.write(nb, paths["10_fixture"])
    return paths["10_fixture"]


# --------------------------------------------------------------------------- item 4: a fresh kernel per handout

MODULE_STATE = (  # a counter in a module of spasm_lib, and a monkeypatch of what the case view escapes with
    "import spasm_lib.html as _h, fixture_spec as _f\n"
    "_h.spasm_test_runs = getattr(_h, 'spasm_test_runs', 0) + 1\n"
    "_seen = _h.spasm_test_runs\n"
    "_f.esc = lambda text: 'PATCHED BY AN EARLIER NOTEBOOK'\n"
    "from IPython.display import HTML\n"
    "HTML(f'<p id=\"runs\">notebooks run in this kernel: {_seen}</p>')"
)


def test_a_notebook_that_changes_modules_reaches_no_other_handout(fixture_registered, tmp_path):
    folder = tmp_path / "notebooks"
    fixture_with(folder, MODULE_STATE)  # after the case view: it could only change a later handout
    sets = {}
    for jobs in (1, 2):
        report = handouts.build(tmp_path / f"set-{jobs}", notebooks=handouts.discover(folder), jobs=jobs)
        assert report.failed == []
        assert len(report.kernels) == 2  # one kernel per handout
        built = tmp_path / f"set-{jobs}"
        sets[jobs] = {p.relative_to(built).as_posix(): p.read_bytes() for p in built.rglob("*") if p.is_file()}
    assert sets[1] == sets[2]
    for audience in ("student", "instructor"):
        folder_of = {"student": "students", "instructor": "instructor"}[audience]
        page = sets[1][f"{folder_of}/10_fixture.{audience}.html"].decode("utf-8")
        assert '<p id="runs">notebooks run in this kernel: 1</p>' in page
        assert "PATCHED BY AN EARLIER NOTEBOOK" not in page


# --------------------------------------------------------------------------- items 1 and 5: in a child process

BUILD = """
import json, sys
sys.path.insert(0, {fixtures!r})
import fixture_spec
from spasm_lib import handout_pool, handouts, params
params.NOTEBOOK_PARAMETERS.update(fixture_spec.SPECS)
try:
    report = handouts.build({out!r}, notebooks=handouts.discover({folder!r}), jobs=1)
except handout_pool.BuildInterrupted as stop:
    sys.exit(stop.exit_code)
print(json.dumps({{"built": [j.output for j in report.built], "failed": [[j.output, m] for j, m in report.failed],
                   "removed": report.removed}}))
"""

KILL_THE_TEMPLATE = ("import os, signal, time\nif audience == 'student':\n    os.kill(os.getppid(), signal.SIGKILL)\n"
                     "    time.sleep(30)")


def child_build(folder: Path, out: Path, tmp_path: Path, *, signals: list[float] | None = None,
                signum: int = signal.SIGTERM, to_worker: bool = False):
    """Build in a child process (its own temporary and runtime folders); with ``signals``, send it
    SIGTERM at each of those seconds after the first kernel started. Returns (run, temp, runtime, left)."""
    temp, runtime = tmp_path / "tmp", tmp_path / "runtime"
    temp.mkdir(exist_ok=True)
    runtime.mkdir(exist_ok=True)
    value = uuid.uuid4().hex
    marker = f"SPASM_TEACH_TEST_ISOLATION={value}".encode()
    env = {**os.environ, "SPASM_TEACH_TEST_ISOLATION": value, "JUPYTER_RUNTIME_DIR": str(runtime), "TMPDIR": str(temp)}
    code = BUILD.format(fixtures=str(FIXTURES), out=str(out), folder=str(folder))
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, start_new_session=True)
    try:
        if signals:
            deadline = time.monotonic() + TIME_BOUND
            while not list(temp.rglob("*.json")) and not list(runtime.rglob("*.json")):  # a kernel's connection file
                assert time.monotonic() < deadline and process.poll() is None, "no kernel started"
                time.sleep(0.05)
            began = time.monotonic()
            for at in signals:
                time.sleep(max(0.0, began + at - time.monotonic()))
                if to_worker:  # the pool's worker(s): the build's children that are not kernels
                    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
                    for pid in children:
                        if b"ipykernel" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                            os.kill(int(pid), signum)
                            os.kill(int(pid), signum)  # twice, at once: the second lands inside the first's handler
                else:
                    process.send_signal(signum)
        out_text, err_text = process.communicate(timeout=TIME_BOUND)
    except subprocess.TimeoutExpired:
        kill_all(marker)
        pytest.fail(f"the build did not end within {TIME_BOUND} s")
    deadline = time.monotonic() + 5
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = processes_with(marker)
    kill_all(marker)
    return (process.returncode, out_text, err_text), temp, runtime, left


def test_a_dead_worker_never_removes_the_earlier_set_and_the_rest_is_retried(tmp_path):
    folder, out = tmp_path / "notebooks", tmp_path / "set"
    fixture_with(folder, "None")
    (code, stdout, stderr), *_ = child_build(folder, out, tmp_path)
    assert code == 0, stderr
    earlier = (out / "students/10_fixture.student.html").read_bytes()

    fixture_with(folder, KILL_THE_WORKER)  # the rebuild: the student handout kills its worker, every time
    (code, stdout, stderr), temp, runtime, left = child_build(folder, out, tmp_path)
    assert code == 0, stderr
    report = json.loads(stdout.strip().splitlines()[-1])
    assert report["built"] == ["instructor/10_fixture.instructor.html"]  # retried in a new pool
    assert report["failed"] == [["students/10_fixture.student.html",
                                 "not built: its worker process stopped while building it, twice"]]
    assert report["removed"] == []
    assert (out / "students/10_fixture.student.html").read_bytes() == earlier  # the earlier handout is kept
    manifest = json.loads((out / ".spasm-teach-set.json").read_text(encoding="utf-8"))["files"]
    assert "students/10_fixture.student.html" in manifest  # and still the build's own
    assert left == [] and list(runtime.iterdir()) == [] and list(temp.iterdir()) == []


def test_a_cell_that_kills_its_kernels_template_fails_only_its_handout(tmp_path):
    """The template is the kernel's parent: killing it ends that kernel (a failed handout, one
    line); the worker starts a new template for the next handout and nothing is left running."""
    folder, out = tmp_path / "notebooks", tmp_path / "set"
    fixture_with(folder, KILL_THE_TEMPLATE)
    (code, stdout, stderr), temp, runtime, left = child_build(folder, out, tmp_path)
    assert code == 0, stderr
    report = json.loads(stdout.strip().splitlines()[-1])
    assert report["built"] == ["instructor/10_fixture.instructor.html"]
    assert report["failed"] == [["students/10_fixture.student.html",
                                 "cell 12 (code cell 8) failed: the kernel died (a crash, os._exit or out of memory)"]]
    assert left == [] and list(runtime.iterdir()) == [] and list(temp.iterdir()) == []


def test_connection_files_live_in_the_builds_folder_and_go_with_it(tmp_path):
    folder, out = tmp_path / "notebooks", tmp_path / "set"
    fixture_with(folder, "from ipykernel import get_connection_file\nfrom IPython.display import HTML\n"
                         "HTML('<p id=\"connection\">' + get_connection_file() + '</p>')")
    (code, stdout, stderr), temp, runtime, left = child_build(folder, out, tmp_path)
    assert code == 0, stderr
    page = (out / "students/10_fixture.student.html").read_text(encoding="utf-8")
    shown = page.split('<p id="connection">')[1].split("</p>")[0]
    assert Path(shown).parent.name == "kernels" and Path(shown).parent.parent.parent == temp, shown
    assert Path(shown).parent.parent.name.startswith(f"spasm-teach-build-")
    assert left == [] and list(runtime.iterdir()) == [] and list(temp.iterdir()) == []


def test_two_sigterms_leave_no_key_no_folder_no_process(tmp_path):
    folder, out = tmp_path / "notebooks", tmp_path / "set"
    fixture_with(folder, "import time\ntime.sleep(2)")
    (code, stdout, stderr), temp, runtime, left = child_build(folder, out, tmp_path, signals=[0.5, 0.55])
    assert code == 143, stderr
    assert left == [] and list(runtime.iterdir()) == [] and list(temp.iterdir()) == []


def test_two_sigterms_to_a_worker_leave_no_key_and_the_build_goes_on(tmp_path):
    folder, out = tmp_path / "notebooks", tmp_path / "set"
    fixture_with(folder, "import time\ntime.sleep(2)")
    (code, stdout, stderr), temp, runtime, left = child_build(folder, out, tmp_path, signals=[0.5], to_worker=True)
    assert code == 0, stderr
    assert list(runtime.rglob("*.json")) == [] and list(temp.rglob("*.json")) == []  # no kernel's key left
    assert left == [] and list(runtime.rglob("*")) == [] and list(temp.rglob("*")) == []
    assert json.loads(stdout.strip().splitlines()[-1])["built"] == [
        "students/10_fixture.student.html", "instructor/10_fixture.instructor.html"]  # retried in a new pool


def test_a_build_killed_outright_leaves_nothing_a_rerun_trips_over(tmp_path):
    """SIGKILL of the command: its workers stop their kernels (they die with it); its build folder
    is left, and the next build removes it, then builds into the same set folder."""
    folder, out = tmp_path / "notebooks", tmp_path / "set"
    fixture_with(folder, "import time\ntime.sleep(2)")
    (code, _, _), temp, runtime, left = child_build(folder, out, tmp_path, signals=[0.5], signum=signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert left == [] and list(runtime.iterdir()) == []
    assert [p.name.split("-")[2] for p in temp.iterdir()] == ["build"]  # what a SIGKILL cannot clean up
    fixture_with(folder, "None")
    (code, stdout, stderr), temp, runtime, left = child_build(folder, out, tmp_path)
    assert code == 0, stderr
    assert json.loads(stdout.strip().splitlines()[-1])["failed"] == []
    assert left == [] and list(runtime.iterdir()) == [] and list(temp.iterdir()) == []


def test_the_next_build_removes_what_a_killed_build_left(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = tmp_path / f"spasm-teach-build-{dead.stdout.strip()}-abc"
    (left / "kernels").mkdir(parents=True)
    (left / "kernels" / "kernel-1.json").write_text("{\"key\": \"secret\"}", encoding="utf-8")
    alive = tmp_path / f"spasm-teach-build-{os.getpid()}-xyz"
    alive.mkdir()
    handout_pool.remove_stale_build_folders()
    assert not left.exists() and alive.exists()


# --------------------------------------------------------------------------- item 9: bounds


def test_an_endless_cell_fails_its_handout_with_one_line(fixture_registered, tmp_path):
    folder = tmp_path / "notebooks"
    fixture_with(folder, "while True:\n    pass")
    started = time.monotonic()
    report = handouts.build(tmp_path / "set", notebooks=handouts.discover(folder), jobs=2,
                            limits=handout_limits.Limits(cell_seconds=10, handout_seconds=120))
    assert time.monotonic() - started < 100
    assert report.built == []
    assert [m for _, m in report.failed] == [
        "cell 12 (code cell 8) ran longer than 10 s (the time a cell may take; --cell-timeout changes it)"] * 2


def test_a_handout_over_its_time_fails_with_one_line(fixture_registered, tmp_path):
    folder = tmp_path / "notebooks"
    notebook = fixture_with(folder, "import time\ntime.sleep(60)")
    with pytest.raises(handout_limits.RenderError, match=r"^cell 12 \(code cell 8\) the handout ran longer than 15 s"):
        render.render_page(notebook, {"audience": "student", "interactive": False, "case": "golfer-twist",
                                      "seed": 0, "cases_file": "", "fail": False},
                           limits=handout_limits.Limits(cell_seconds=120, handout_seconds=15))


def test_a_flood_of_output_fails_its_handout_clearly(fixture_registered, tmp_path):
    folder = tmp_path / "notebooks"
    notebook = fixture_with(folder, "for _ in range(200):\n    print('x' * 100_000)")  # 20 MB
    started = time.monotonic()
    with pytest.raises(handout_limits.RenderError, match=r"^cell 12 \(code cell 8\) printed or displayed more than 1 MB"):
        render.render_page(notebook, {"audience": "student", "interactive": False, "case": "golfer-twist",
                                      "seed": 0, "cases_file": "", "fail": False},
                           limits=handout_limits.Limits(output_bytes=1_000_000))
    assert time.monotonic() - started < 60
