"""The set folder: the build owns only what its manifest says it wrote, one build at a time.

The unit tests drive :class:`spasm_lib.set_folder.SetFolder` with no kernel; the CLI tests build the
fixture notebooks for real. Digests are computed here with hashlib, file names written by hand.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sys
from pathlib import Path

import pytest

from spasm_lib import handout_pool
from spasm_lib.cli import main
from spasm_lib.set_folder import SetFolder, SetFolderError

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "notebooks"))
from handout_checks import fixture_notebooks_dir, fixture_registered  # noqa: E402,F401 - fixtures
from handout_checks import assert_students_folder_publishable, set_files  # noqa: E402

MANIFEST = ".spasm-teach-set.json"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]


def build_folder(folder: Path, pages: dict[str, str]) -> list[str]:
    with SetFolder(folder).open(pages) as out:
        for name, text in pages.items():
            out.write(name, text)
        return out.finish(complete=True)


# --------------------------------------------------------------------------- the manifest, no kernel


def test_the_build_records_what_it_wrote_and_may_replace_it_next_time(tmp_path):
    build_folder(tmp_path, {"a.html": "one", "index.html": "i"})
    assert manifest(tmp_path) == {"a.html": sha(b"one"), "index.html": sha(b"i")}
    build_folder(tmp_path, {"a.html": "two", "index.html": "j"})
    assert (tmp_path / "a.html").read_text() == "two"
    assert manifest(tmp_path) == {"a.html": sha(b"two"), "index.html": sha(b"j")}


def test_stale_files_of_an_earlier_build_are_removed_and_nothing_else(tmp_path):
    build_folder(tmp_path, {"a.html": "a", "old.html": "stale", "edited.html": "ours"})
    (tmp_path / "notes.txt").write_text("the instructor's notes")
    (tmp_path / "edited.html").write_text("the instructor edited this")  # no longer ours
    removed = build_folder(tmp_path, {"a.html": "a2"})
    assert removed == ["old.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST, "a.html", "edited.html", "notes.txt"]
    assert (tmp_path / "edited.html").read_text() == "the instructor edited this"
    assert manifest(tmp_path) == {"a.html": sha(b"a2")}


@pytest.mark.parametrize("name", ["index.html", "a.html"])
def test_a_users_file_at_a_handouts_name_is_refused_and_left_alone(tmp_path, name):
    (tmp_path / name).write_text("my own page")
    with pytest.raises(SetFolderError, match=rf"{name} was not written by spasm-teach .*move it away"):
        SetFolder(tmp_path).open(["a.html", "index.html"])
    assert (tmp_path / name).read_text() == "my own page"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no manifest, nothing claimed


def test_a_file_changed_after_the_build_wrote_it_is_refused(tmp_path):
    build_folder(tmp_path, {"a.html": "ours"})
    (tmp_path / "a.html").write_text("changed by hand")
    with pytest.raises(SetFolderError, match="a.html was changed after spasm-teach wrote it"):
        SetFolder(tmp_path).open(["a.html"])
    assert (tmp_path / "a.html").read_text() == "changed by hand"


def test_a_fifo_or_folder_at_a_handouts_name_is_refused(tmp_path):
    os.mkfifo(tmp_path / "a.html")
    (tmp_path / "b.html").mkdir()
    with pytest.raises(SetFolderError, match=r"a.html is a FIFO"):
        SetFolder(tmp_path).open(["a.html"])
    with pytest.raises(SetFolderError, match=r"b.html is a folder"):
        SetFolder(tmp_path).open(["b.html"])


@pytest.mark.parametrize("files", [{"../victim.txt": None}, {"/etc/passwd": None}, {".hidden": None}, ["a"],
                                   {"students/../../victim.txt": "0" * 64}, {"students/.hidden": "0" * 64},
                                   {"a/b/c.html": "0" * 64}, {"/students/a.html": "0" * 64}])
def test_a_manifest_that_names_anything_but_plain_files_is_refused_not_trusted(tmp_path, files):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / MANIFEST).write_text(json.dumps({"files": files}))
    with pytest.raises(SetFolderError, match="not a manifest that spasm-teach wrote"):
        SetFolder(folder).open(["a.html"])
    assert victim.read_text() == "precious"


def test_an_interrupted_build_keeps_what_it_wrote_and_claims_nothing_else(tmp_path):
    """A name is claimed only by writing it, with its checksum (issue 19: a claim without one took
    the user's files)."""
    build_folder(tmp_path, {"old.html": "earlier"})
    with SetFolder(tmp_path).open(["a.html", "b.html"]) as out:
        assert manifest(tmp_path) == {"old.html": sha(b"earlier")}
        out.write("a.html", "A")
        assert manifest(tmp_path) == {"old.html": sha(b"earlier"), "a.html": sha(b"A")}  # before finish
        assert out.finish(complete=False) == []
    assert manifest(tmp_path) == {"old.html": sha(b"earlier"), "a.html": sha(b"A")}
    assert (tmp_path / "old.html").read_text() == "earlier"  # nothing removed by a stopped build


def test_a_second_build_into_a_locked_folder_is_refused(tmp_path):
    with SetFolder(tmp_path).open(["a.html"]):
        with pytest.raises(SetFolderError, match="another spasm-teach handouts build is writing into"):
            SetFolder(tmp_path).open(["a.html"])
    with SetFolder(tmp_path).open(["a.html"]):  # released with the first
        pass


def test_a_file_as_the_set_folder_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(SetFolderError, match="is not a folder"):
        SetFolder(tmp_path / "f").open(["a.html"])


# --------------------------------------------------------------------------- sub-folders (issue 22: students/, instructor/)


def test_files_one_folder_down_are_owned_by_their_path_and_the_users_beside_them_stay(tmp_path):
    build_folder(tmp_path, {"students/a.html": "A", "students/old.html": "stale", "instructor/k.html": "K"})
    assert manifest(tmp_path) == {"students/a.html": sha(b"A"), "students/old.html": sha(b"stale"),
                                  "instructor/k.html": sha(b"K")}
    (tmp_path / "students" / "notes.txt").write_text("the instructor's notes")
    removed = build_folder(tmp_path, {"students/a.html": "A2", "instructor/k.html": "K"})
    assert removed == ["students/old.html"]
    assert sorted(p.name for p in (tmp_path / "students").iterdir()) == ["a.html", "notes.txt"]
    assert (tmp_path / "students" / "a.html").read_text() == "A2"
    with pytest.raises(SetFolderError, match=r"students/notes.txt was not written by spasm-teach"):
        SetFolder(tmp_path).open(["students/notes.txt"])


@pytest.mark.parametrize("what", ["file", "link to a folder", "link to nowhere"])
def test_a_file_or_a_link_where_the_set_has_a_folder_is_refused_before_anything_is_written(tmp_path, what):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = tmp_path / "set"
    folder.mkdir()
    if what == "file":
        (folder / "students").write_text("my file")
    else:
        (folder / "students").symlink_to(elsewhere if what == "link to a folder" else tmp_path / "none")
    kind = {"file": "a file", "link to a folder": "a symbolic link", "link to nowhere": "a symbolic link"}[what]
    with pytest.raises(SetFolderError, match=rf"set/students is {kind}, where the set has its students/ folder"):
        SetFolder(folder).open(["index.html", "students/a.html"])
    assert sorted(p.name for p in folder.iterdir()) == ["students"]  # no manifest: nothing claimed
    assert list(elsewhere.iterdir()) == []


def test_a_stale_file_is_not_removed_through_a_link_that_replaced_its_folder(tmp_path):
    folder = tmp_path / "set"
    build_folder(folder, {"students/a.html": "A", "index.html": "i"})
    moved = tmp_path / "moved"
    (folder / "students").rename(moved)
    (folder / "students").symlink_to(moved)
    assert build_folder(folder, {"index.html": "j"}) == []  # students/a.html is stale, but not followed
    assert (moved / "a.html").read_text() == "A"


def test_a_set_of_the_earlier_layout_loses_nothing_of_the_users_when_built_again_in_folders(tmp_path):
    """Every file at the top (the layout before issue 22), then the same folder built in folders:
    the earlier build's files nobody changed go, its index.html becomes the front page, the user's
    notes and a page the user edited stay (and are no longer claimed)."""
    build_folder(tmp_path, {"index.html": "students' index", "instructor.html": "instructor's index",
                            "a.student.html": "A", "a.instructor.html": "AI", "answer-key.html": "key"})
    (tmp_path / "notes.txt").write_text("the instructor's notes")
    (tmp_path / "answer-key.html").write_text("the key, with my marks")
    new = {"students/a.student.html": "A", "students/index.html": "s", "instructor/a.instructor.html": "AI",
           "instructor/index.html": "t", "instructor/answer-key.html": "key2", "index.html": "front"}
    removed = build_folder(tmp_path, new)
    assert removed == ["a.instructor.html", "a.student.html", "instructor.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        MANIFEST, "answer-key.html", "index.html", "instructor", "notes.txt", "students"]
    assert (tmp_path / "answer-key.html").read_text() == "the key, with my marks"
    assert (tmp_path / "notes.txt").read_text() == "the instructor's notes"
    assert (tmp_path / "index.html").read_text() == "front"
    assert manifest(tmp_path) == {name: sha(text.encode()) for name, text in new.items()}


def test_an_interrupted_move_to_folders_removes_nothing_and_the_next_complete_build_does(tmp_path):
    build_folder(tmp_path, {"index.html": "old", "a.student.html": "A"})
    with SetFolder(tmp_path).open(["students/a.student.html", "index.html"]) as out:
        out.write("students/a.student.html", "A")
        assert out.finish(complete=False) == []
    assert manifest(tmp_path) == {"index.html": sha(b"old"), "a.student.html": sha(b"A"),
                                  "students/a.student.html": sha(b"A")}
    assert (tmp_path / "a.student.html").read_text() == "A"
    assert build_folder(tmp_path, {"students/a.student.html": "A", "index.html": "front"}) == ["a.student.html"]
    assert manifest(tmp_path) == {"students/a.student.html": sha(b"A"), "index.html": sha(b"front")}


# --------------------------------------------------------------------------- through the command


def cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def nothing_runs(monkeypatch):
    monkeypatch.setattr(handout_pool, "run_jobs", lambda *a, **k: pytest.fail("a refused build must not run"))


def test_handouts_refuses_a_users_index_html_naming_it(fixture_notebooks_dir, fixture_registered, tmp_path,
                                                       nothing_runs, capsys):
    out = tmp_path / "set"
    out.mkdir()
    (out / "index.html").write_text("the instructor's own index")
    code, stdout, stderr = cli(["handouts", "-o", str(out), "--notebooks", str(fixture_notebooks_dir)], capsys)
    assert code == 2 and stdout == ""
    assert len(stderr.strip().splitlines()) == 1 and str(out / "index.html") in stderr
    assert (out / "index.html").read_text() == "the instructor's own index"
    assert [p.name for p in out.iterdir()] == ["index.html"]


def test_handouts_while_another_build_holds_the_folder_exits_2(fixture_notebooks_dir, fixture_registered, tmp_path,
                                                               nothing_runs, capsys):
    out = tmp_path / "set"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY)  # what a running build holds: an exclusive flock on the folder
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        code, _, stderr = cli(["handouts", "-o", str(out), "--notebooks", str(fixture_notebooks_dir)], capsys)
    finally:
        os.close(fd)
    assert code == 2
    assert "another spasm-teach handouts build is writing into" in stderr and len(stderr.strip().splitlines()) == 1
    assert list(out.iterdir()) == []


@pytest.mark.kernel
def test_a_later_build_removes_its_own_stale_handouts_only(fixture_notebooks_dir, fixture_registered, tmp_path, capsys):
    """First the fixture and the broken fixture, then only the broken one: the fixture's handouts of
    the first build are stale and go; the instructor's notes stay."""
    out = tmp_path / "set"
    assert cli(["handouts", "-o", str(out), "--notebooks", str(fixture_notebooks_dir)], capsys)[0] == 1
    (out / "notes.txt").write_text("mine")
    only_broken = tmp_path / "only_broken"
    only_broken.mkdir()
    (only_broken / "11_broken.ipynb").write_bytes((fixture_notebooks_dir / "11_broken.ipynb").read_bytes())
    (only_broken / "fixture_spec.py").write_bytes((fixture_notebooks_dir / "fixture_spec.py").read_bytes())
    code, stdout, _ = cli(["handouts", "-o", str(out), "--notebooks", str(only_broken)], capsys)
    assert code == 1
    assert set_files(out) == [MANIFEST, "index.html", "instructor/index.html", "notes.txt", "students/index.html"]
    assert ("removed 2 stale files of an earlier build: instructor/10_fixture.instructor.html, "
            "students/10_fixture.student.html") in stdout
    assert manifest(out) == {name: sha((out / name).read_bytes())
                             for name in ("index.html", "instructor/index.html", "students/index.html")}


@pytest.mark.kernel
def test_a_set_built_with_every_file_at_the_top_is_built_again_in_folders_losing_nothing(
        fixture_notebooks_dir, fixture_registered, tmp_path, capsys):
    """A set as the command wrote it before issue 22 (its files and manifest written here by hand):
    built again into the same folder, its unchanged files go, the user's notes and the page the user
    edited stay, and the new set is in students/ and instructor/."""
    out = tmp_path / "set"
    out.mkdir()
    old = {"index.html": "students' index", "instructor.html": "instructor's index",
           "10_fixture.student.html": "S", "10_fixture.instructor.html": "I"}
    for name, text in old.items():
        (out / name).write_text(text)
    (out / MANIFEST).write_text(json.dumps({"files": {n: sha(t.encode()) for n, t in old.items()}}))
    (out / "10_fixture.instructor.html").write_text("I, with my notes")  # edited: the user's now
    (out / "notes.txt").write_text("mine")
    only_fixture = tmp_path / "only_fixture"
    only_fixture.mkdir()
    for name in ("10_fixture.ipynb", "fixture_spec.py"):
        (only_fixture / name).write_bytes((fixture_notebooks_dir / name).read_bytes())
    code, stdout, stderr = cli(["handouts", "-o", str(out), "--notebooks", str(only_fixture)], capsys)
    assert code == 0, stderr
    assert "removed 2 stale files of an earlier build: 10_fixture.student.html, instructor.html" in stdout
    assert set_files(out) == [MANIFEST, "10_fixture.instructor.html", "index.html", "instructor/10_fixture.instructor.html",
                              "instructor/index.html", "notes.txt", "students/10_fixture.student.html",
                              "students/index.html"]
    assert (out / "10_fixture.instructor.html").read_text() == "I, with my notes"
    assert (out / "notes.txt").read_text() == "mine"
    assert "students/index.html" in (out / "index.html").read_text(encoding="utf-8")  # the front page now
    assert sorted(manifest(out)) == ["index.html", "instructor/10_fixture.instructor.html", "instructor/index.html",
                                     "students/10_fixture.student.html", "students/index.html"]
    assert_students_folder_publishable(out)
