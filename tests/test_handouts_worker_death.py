"""A kernel or a worker that dies in the middle of a handout: a failed handout, not a hang, not a handout.

How the build handles it (spasm_lib/handout_pool.py, spasm_lib/render.py): a kernel that dies while a cell
runs makes render raise "the kernel died", the worker reports the handout failed and starts a new
kernel for its next handout; a worker process that dies breaks the pool: the handouts not yet
returned are built again in a new pool, and one whose worker died twice while building it is
reported "not built" (issue 19). Either way the build ends, writes the indexes, and exits with the
failures listed.

Each test runs a real build of the fixture notebook (tests/fixtures/notebooks) in a child process,
with a time bound (a hang fails the test instead of blocking it) and a marker in its environment
that every process it starts inherits, so the test can check that nothing is left running.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
sys.path.insert(0, str(FIXTURES))
import fixture_notebooks  # noqa: E402
from handout_checks import KILL_THE_WORKER, kill_all, processes_with, set_files  # noqa: E402

# Every test here runs notebooks in a Jupyter kernel (or builds with them): `make test`, not `make check`.
pytestmark = pytest.mark.kernel

TIME_BOUND = 240  # seconds: two handouts of the fixture take a few seconds; a hang takes forever

BUILD = """
import json, sys
sys.path.insert(0, {fixtures!r})
import fixture_spec
from spasm_lib import handouts, params
params.NOTEBOOK_PARAMETERS.update(fixture_spec.SPECS)
report = handouts.build({out!r}, notebooks=handouts.discover({folder!r}), jobs=1)
print(json.dumps({{"built": [j.output for j in report.built], "failed": [[j.output, m] for j, m in report.failed],
                   "kernels": len(report.kernels)}}))
"""

# The fixture's parameters cell sets `audience`; papermill injects the handout's value after it.
KILL_THE_KERNEL = "import os, signal\nif audience == 'student':\n    os.kill(os.getpid(), signal.SIGKILL)"


def build_with(extra_cell: str, tmp_path: Path) -> tuple[dict, Path, Path, list]:
    """Build the set of the fixture notebook with ``extra_cell`` before its last cell; return the
    report (as JSON), the output folder, the kernels' runtime folder, and what was left running."""
    import nbformat
    from nbformat.v4 import new_code_cell

    folder = tmp_path / "notebooks"
    paths = fixture_notebooks.write(folder)
    paths["11_broken"].unlink()
    nb = nbformat.read(paths["10_fixture"], as_version=4)
    nb.cells.insert(len(nb.cells) - 1, new_code_cell(extra_cell, id="extra-cell"))
    nbformat.write(nb, paths["10_fixture"])

    out, runtime = tmp_path / "set", tmp_path / "runtime"
    runtime.mkdir()
    value = uuid.uuid4().hex
    marker = f"SPASM_TEACH_TEST_DEATH={value}".encode()
    env = {**os.environ, "SPASM_TEACH_TEST_DEATH": value, "JUPYTER_RUNTIME_DIR": str(runtime)}
    code = BUILD.format(fixtures=str(FIXTURES), out=str(out), folder=str(folder))
    try:
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                             timeout=TIME_BOUND, start_new_session=True)
    except subprocess.TimeoutExpired:
        kill_all(marker)
        pytest.fail(f"the build did not end within {TIME_BOUND} s")
    deadline = time.monotonic() + 5  # an orphaned kernel notices its parent is gone within a second or so
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = processes_with(marker)
    kill_all(marker)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1]), out, runtime, survivors


def test_a_kernel_killed_mid_handout_fails_that_handout_and_the_next_gets_a_new_kernel(tmp_path):
    report, out, runtime, survivors = build_with(KILL_THE_KERNEL, tmp_path)
    assert report["built"] == ["instructor/10_fixture.instructor.html"]
    [(name, message)] = report["failed"]
    assert name == "students/10_fixture.student.html"
    assert message.startswith("cell 12 (code cell 8) failed: the kernel died"), message
    assert report["kernels"] == 2  # a kernel per handout: the dead one, then the instructor's
    assert set_files(out) == [".spasm-teach-set.json", "index.html", "instructor/10_fixture.instructor.html",
                              "instructor/index.html", "students/index.html"]
    assert json.loads((out / ".spasm-teach-set.json").read_text(encoding="utf-8"))["files"].keys() == {
        "instructor/10_fixture.instructor.html", "index.html", "instructor/index.html", "students/index.html"}
    assert (out / "instructor/10_fixture.instructor.html").read_text(encoding="utf-8").endswith("</html>\n")
    assert "10_fixture.student.html" in (out / "instructor/index.html").read_text(encoding="utf-8")  # as failed
    assert survivors == [] and list(runtime.iterdir()) == []


def test_a_worker_killed_mid_handout_fails_that_handout_and_the_rest_is_built_in_a_new_pool(tmp_path):
    """The pool breaks; the handout the worker was building is tried once more, then failed; the one
    it had not begun is built by a new pool (issue 19: a broken pool fails nothing by itself)."""
    report, out, runtime, survivors = build_with(KILL_THE_WORKER, tmp_path)
    assert report["built"] == ["instructor/10_fixture.instructor.html"]
    assert report["failed"] == [
        ["students/10_fixture.student.html", "not built: its worker process stopped while building it, twice"],
    ]
    assert set_files(out) == [".spasm-teach-set.json", "index.html", "instructor/10_fixture.instructor.html",
                              "instructor/index.html", "students/index.html"]
    assert survivors == [], survivors  # the dead worker's kernels do not outlive the build
    assert list(runtime.iterdir()) == []
