"""`-o` as a careless or hostile user gives it: only regular files are written, nothing is lost.

Refusals happen before any kernel starts (a kernel start fails the test). A full disk is the real
thing: the temporary file's descriptor is swapped for one on ``/dev/full``, so the write fails with
the system's own ENOSPC. A read-only folder is a read-only tmpfs (as root, where permissions do not
stop writes) or a folder without write permission.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from spasm_lib import kernels
from spasm_lib.cli import main

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "notebooks"))
from handout_checks import fixture_notebooks_dir, fixture_registered  # noqa: E402,F401 - fixtures

# Every test here runs notebooks in a Jupyter kernel (or builds with them): `make test`, not `make check`.
pytestmark = pytest.mark.kernel


def cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def no_kernel(monkeypatch):
    monkeypatch.setattr(kernels.HandoutKernel, "launch", lambda *a, **k: pytest.fail("a kernel started for a refused -o"))


@pytest.fixture
def notebook(fixture_notebooks_dir, fixture_registered) -> Path:
    return fixture_notebooks_dir / "10_fixture.ipynb"


def a_device(tmp_path: Path) -> Path:
    """A character device to write to: a fresh node of the null device as root (never /dev/full
    itself: the old code replaced it); elsewhere /dev/null, which a non-root user cannot replace."""
    if os.geteuid() == 0:
        node = tmp_path / "device"
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        return node
    return Path("/dev/null")


@pytest.mark.parametrize("kind", ["folder", "fifo", "device", "symlink"])
def test_render_refuses_an_output_that_is_not_a_new_or_regular_file(kind, notebook, tmp_path, no_kernel, capsys):
    target = tmp_path / "out.html"
    words = {"folder": "is a folder", "fifo": "is a FIFO", "device": "is a device", "symlink": "is a symbolic link"}
    if kind == "folder":
        target.mkdir()
        (target / "kept.txt").write_text("inside")
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "device":
        target = a_device(tmp_path)
    else:
        (tmp_path / "real.html").write_text("the link's target")
        target.symlink_to(tmp_path / "real.html")
    before = os.lstat(target)
    code, stdout, stderr = cli(["render", str(notebook), "-o", str(target)], capsys)
    assert code == 2 and stdout == ""
    assert len(stderr.strip().splitlines()) == 1 and str(target) in stderr and words[kind] in stderr
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino, before.st_rdev)
    if kind == "folder":
        assert [p.name for p in target.iterdir()] == ["kept.txt"]
    if kind == "symlink":
        assert (tmp_path / "real.html").read_text() == "the link's target"


def test_render_refuses_the_input_notebook_under_any_name(notebook, tmp_path, no_kernel, capsys, monkeypatch):
    original = notebook.read_bytes()
    link = tmp_path / "hard-link.ipynb"
    os.link(notebook, link)
    monkeypatch.chdir(notebook.parent)
    for output in (str(notebook), notebook.name, f"./{notebook.name}", str(link)):
        code, _, stderr = cli(["render", str(notebook), "-o", output], capsys)
        assert code == 2, output
        assert "is an input of this run" in stderr and len(stderr.strip().splitlines()) == 1
    assert notebook.read_bytes() == original


def test_render_refuses_its_parameters_file_as_the_output(notebook, tmp_path, no_kernel, capsys):
    params = tmp_path / "p.yaml"
    params.write_text("seed: 3\n")
    code, _, stderr = cli(["render", str(notebook), "-f", str(params), "-o", str(params)], capsys)
    assert code == 2 and "is an input of this run" in stderr
    assert params.read_text() == "seed: 3\n"


@pytest.fixture
def full_disk(monkeypatch):
    """Every temporary file of an atomic write gets a descriptor on /dev/full: writing it fails with
    ENOSPC, as on a full disk. The temporary file itself is real, so a leftover would show."""
    real = tempfile.mkstemp
    state = {"allow": 0}

    def mkstemp(*args, **kwargs):
        fd, name = real(*args, **kwargs)
        if state["allow"] > 0:
            state["allow"] -= 1
            return fd, name
        os.close(fd)
        return os.open("/dev/full", os.O_WRONLY), name

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    return state


def test_a_full_disk_gives_one_line_and_leaves_the_earlier_file_as_it_was(notebook, tmp_path, full_disk, capsys):
    out = tmp_path / "out.html"
    out.write_text("an earlier handout")
    code, stdout, stderr = cli(["render", str(notebook), "-o", str(out)], capsys)
    assert code == 1 and stdout == ""
    assert stderr.strip().splitlines() == [
        f"spasm-teach render: cannot write {out}: No space left on device; no handout written"]
    assert out.read_text() == "an earlier handout"
    assert [p.name for p in tmp_path.iterdir()] == ["out.html"]  # no temporary file left


def test_a_full_disk_during_a_set_stops_it_with_one_line_and_no_partial_file(
        fixture_notebooks_dir, fixture_registered, tmp_path, full_disk, capsys):
    import hashlib
    import json

    out = tmp_path / "set"
    full_disk["allow"] = 2  # the manifest's claims and the first handout are written; the next write fails
    code, _, stderr = cli(["handouts", "-o", str(out), "--notebooks", str(fixture_notebooks_dir), "--jobs", "1"],
                          capsys)
    assert code == 1
    last = stderr.strip().splitlines()[-1]
    assert last.startswith(f"spasm-teach handouts: cannot write {out}/") and "No space left on device" in last
    assert last.endswith("; 1 of 4 handouts written")
    assert "Traceback" not in stderr
    htmls = sorted(out.rglob("*.html"))  # in students/ or instructor/
    assert len(htmls) == 1 and htmls[0].read_text(encoding="utf-8").endswith("</html>\n")
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    # The disk was still full for the final record: the name stays claimed (null) or carries its digest.
    files = json.loads((out / ".spasm-teach-set.json").read_text())["files"]
    assert files[htmls[0].relative_to(out).as_posix()] in (None, hashlib.sha256(htmls[0].read_bytes()).hexdigest())
    full_disk["allow"] = 10**6  # space again: the next build owns what the stopped one wrote
    code, stdout, _ = cli(["handouts", "-o", str(out), "--notebooks", str(fixture_notebooks_dir)], capsys)
    assert code == 1 and "2 of 4 handouts built" in stdout  # 11_broken fails, as always


@pytest.fixture
def read_only_folder(tmp_path, monkeypatch):
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
                             capture_output=True).returncode == 0
    if not mounted:  # root without the right to mount: the system's own refusal, raised where it would be
        def refuse(*_a, **_k):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    yield folder
    if mounted:
        subprocess.run(["umount", str(folder)], check=True)


def test_render_into_a_read_only_folder_gives_one_line_and_writes_nothing(notebook, read_only_folder, capsys):
    out = read_only_folder / "out.html"
    code, stdout, stderr = cli(["render", str(notebook), "-o", str(out)], capsys)
    assert code != 0 and stdout == ""
    assert len(stderr.strip().splitlines()) == 1 and str(read_only_folder) in stderr
    assert list(read_only_folder.iterdir()) == []


def test_handouts_into_a_read_only_folder_gives_one_line_and_writes_nothing(
        fixture_notebooks_dir, fixture_registered, read_only_folder, capsys):
    code, stdout, stderr = cli(["handouts", "-o", str(read_only_folder), "--notebooks", str(fixture_notebooks_dir)],
                               capsys)
    assert code != 0 and stdout == ""
    assert len(stderr.strip().splitlines()) == 1 and str(read_only_folder) in stderr
    assert list(read_only_folder.iterdir()) == []
