"""Stopping a real build: Ctrl-C (SIGINT to the process group, as a terminal sends it), SIGINT, SIGTERM
or SIGHUP to the command alone.

Each test starts ``spasm-teach handouts`` as its own process with a marker in its environment, which
every process it starts inherits (workers and kernels alike), waits until three handouts are
written, sends the signal, and then checks: the exit code, one line saying how many handouts were
written, no traceback, only whole handouts (each recorded in the manifest), no temporary file, no
kernel connection file, and no process carrying the marker.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from spasm_lib.params import for_students

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "notebooks"))
from handout_checks import ROOT, csv_rows, kill_all, processes_with  # noqa: E402

# Every test here runs notebooks in a Jupyter kernel (or builds with them): `make test`, not `make check`.
pytestmark = pytest.mark.kernel

BIN = Path(sys.executable).parent / "spasm-teach"
STUDENTS = 40
# Two versions of each notebook but the case study, two of the case study per case, one per student.
TOTAL = 2 * (len([p for p in (ROOT / "notebooks").glob("*.ipynb") if for_students(p)]) - 1) \
    + 2 * len(csv_rows("cases")) + STUDENTS


STOPS = [
    ("SIGINT", "group", 130),  # Ctrl-C at a terminal: every process of the foreground group gets it
    ("SIGINT", "command", 130),
    ("SIGTERM", "command", 143),
    ("SIGHUP", "command", 129),
]


@pytest.mark.parametrize("name, target, exit_code", STOPS, ids=[f"{s[0]}-{s[1]}" for s in STOPS])
def test_a_stopped_build_leaves_whole_handouts_and_nothing_running(name, target, exit_code, tmp_path):
    import threading

    value = uuid.uuid4().hex
    marker = f"SPASM_TEACH_TEST_BUILD={value}".encode()
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    out = tmp_path / "set"
    env = {**os.environ, "SPASM_TEACH_TEST_BUILD": value, "JUPYTER_RUNTIME_DIR": str(runtime)}
    proc = subprocess.Popen([str(BIN), "handouts", "-o", str(out), "--students", str(STUDENTS), "--jobs", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    lines: list[str] = []
    third = threading.Event()

    def read_stderr() -> None:  # in a thread, so that no read can block the test for good
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("[3/"):
                third.set()
        third.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        assert third.wait(timeout=180), f"no third handout: {''.join(lines)}"
        assert proc.poll() is None, f"the build ended before it could be stopped: {''.join(lines)}"
        running = processes_with(marker)
        assert len(running) >= 3, running  # the command and what it started: workers, kernels
        sent_at = len(lines)
        sig = getattr(signal, name)
        sent = time.monotonic()
        if target == "group":
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        proc.wait(timeout=60)
        took = time.monotonic() - sent
        reader.join(timeout=10)
        rest = "".join(lines[sent_at:])
    finally:
        if proc.poll() is None:  # only when the test fails
            kill_all(marker)
            proc.wait(timeout=10)
    assert proc.returncode == exit_code
    assert took < 10, f"stopping took {took:.1f} s"
    assert "Traceback" not in rest and "KeyboardInterrupt" not in rest
    lines = rest.strip().splitlines()
    handouts = sorted(out.rglob("*.html"))  # in students/ and instructor/
    assert lines[-1] == f"spasm-teach handouts: interrupted: {len(handouts)} of {TOTAL} handouts written"
    assert [line for line in lines if "interrupted" in line] == [lines[-1]]
    assert 3 <= len(handouts) < TOTAL
    for path in handouts:  # whole pages only
        assert path.read_text(encoding="utf-8").endswith("</html>\n"), path.name
    assert sorted(p.name for p in out.rglob(".*")) == [".spasm-teach-set.json"]  # no temporary file anywhere
    files = json.loads((out / ".spasm-teach-set.json").read_text(encoding="utf-8"))["files"]
    for path in handouts:
        assert files[path.relative_to(out).as_posix()] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert list(runtime.iterdir()) == []  # no kernel connection file
    deadline = time.monotonic() + 3
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = processes_with(marker)
    kill_all(marker)  # a failing test leaves nothing running either
    assert survivors == []
    snapshot = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    time.sleep(1)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == snapshot  # nobody writes after the exit
