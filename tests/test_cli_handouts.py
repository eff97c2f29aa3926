"""`spasm-teach params`, `handouts` and `start` as an instructor or a student types them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from spasm_lib.cli import main
from spasm_lib.params import NOTEBOOK_PARAMETERS, for_students
from spasm_lib.vocabulary import NOTEBOOKS as CLASSROOM_NOTEBOOKS
from spasm_lib.workspace import packaged_notebooks

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "notebooks"))
from handout_checks import (  # noqa: E402
    ROOT,
    assert_offline_handout,
    assert_students_folder_publishable,
    csv_rows,
    fixture_notebooks_dir,  # noqa: F401 - a fixture
    fixture_registered,  # noqa: F401 - a fixture
    page_links,
    set_files,
    visible_text,
)

# Every test here runs notebooks in a Jupyter kernel (or builds with them): `make test`, not `make check`.
pytestmark = pytest.mark.kernel


def cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


# --------------------------------------------------------------------------- params


@pytest.mark.parametrize("name", ["02_exam_simulator", "02-exam-simulator", "notebooks/02_exam_simulator.ipynb"])
def test_params_accepts_a_path_a_stem_or_a_name(name, capsys):
    code, out, err = cli(["params", name], capsys)
    assert code == 0 and err == ""
    assert out.splitlines()[0].startswith("Parameters of 02_exam_simulator")
    assert out.splitlines()[1].split() == ["NAME", "TYPE", "DEFAULT", "ALLOWED", "VALUES", "HELP"]


def test_params_shows_every_parameter_with_type_default_allowed_values_and_help(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")  # the table fits the terminal; fix the width the test reads
    code, out, _ = cli(["params", "02_exam_simulator"], capsys)
    assert code == 0
    rows = [line.split() for line in out.splitlines()[2:]]
    starts = [r[0] for r in rows if r and not line_is_continuation(out, r)]
    assert starts == [p.name for p in NOTEBOOK_PARAMETERS["02_exam_simulator"]]
    words = " ".join(out.split())
    for case in csv_rows("cases"):
        assert case["id"] in words  # allowed values of `case`, from data/cases.csv
    for step in csv_rows("exam_steps"):
        assert step["id"] in words
    assert "case str golfer-twist" in words and "seed int 0 a whole number" in words
    assert "palpation_site str lower-back lower-back, upper-back Where the student palpates." in words


def line_is_continuation(out: str, row: list[str]) -> bool:
    line = next(line for line in out.splitlines() if line.split() == row)
    return line.startswith(" ")


def test_params_of_an_unknown_notebook_exits_2(capsys):
    code, out, err = cli(["params", "07_nothing"], capsys)
    assert code == 2 and out == ""
    assert "unknown notebook" in err and "01_risk_factors" in err and len(err.strip().splitlines()) == 1


# --------------------------------------------------------------------------- handouts


def test_handouts_keeps_what_succeeded_lists_what_failed_and_exits_1(
    fixture_notebooks_dir, fixture_registered, tmp_path, capsys
):
    """A set of two notebooks: the fixture (builds) and the broken fixture (fails)."""
    out = tmp_path / "set"
    code, stdout, stderr = cli(["handouts", "-o", str(out), "--jobs", "2", "--notebooks", str(fixture_notebooks_dir)],
                               capsys)
    assert code == 1
    assert set_files(out) == [".spasm-teach-set.json", "index.html", "instructor/10_fixture.instructor.html",
                              "instructor/index.html", "students/10_fixture.student.html", "students/index.html"]
    assert "2 of 4 handouts built" in stdout
    assert f"for students (publish the students folder as it is): {out}/students/index.html" in stdout
    failed = [line.strip() for line in stderr.splitlines() if line.startswith("  ")]
    assert sorted(failed) == [
        f"{folder}/11_broken.{a}.html: cell 4 (code cell 3) failed: RuntimeError: this fixture always fails"
        for folder, a in (("instructor", "instructor"), ("students", "student"))
    ]
    progress = [line for line in stderr.splitlines() if line.startswith("[")]
    assert len(progress) == 4 and progress[-1].startswith("[4/4]")
    index = (out / "instructor/index.html").read_text(encoding="utf-8")
    assert_offline_handout(index)
    hrefs = sorted(page_links(index))
    assert hrefs == ["../students/10_fixture.student.html", "../students/index.html", "10_fixture.instructor.html"]
    assert "this fixture always fails" in visible_text(index)
    students_index = (out / "students/index.html").read_text(encoding="utf-8")
    assert page_links(students_index) == ["10_fixture.student.html"]
    assert "this fixture always fails" not in visible_text(students_index)
    assert sorted(page_links((out / "index.html").read_text(encoding="utf-8"))) == [
        "instructor/index.html", "students/index.html"]
    assert_students_folder_publishable(out)
    golfer = next(r for r in csv_rows("cases") if r["id"] == "golfer-twist")  # the fixture's default case
    for name in ("instructor/10_fixture.instructor.html", "students/10_fixture.student.html"):
        assert_offline_handout((out / name).read_text(encoding="utf-8"), title=f"Fixture handout \u2014 {golfer['title']}")
    # A shared kernel in a parallel build and a fresh kernel in `render` give the same page.
    code, _, _ = cli(["render", str(fixture_notebooks_dir / "10_fixture.ipynb"), "-o", str(tmp_path / "one.html")], capsys)
    assert code == 0
    assert (tmp_path / "one.html").read_bytes() == (out / "students/10_fixture.student.html").read_bytes()


def test_handouts_with_a_broken_cases_file_exits_2_before_running_anything(tmp_path, monkeypatch, capsys):
    from spasm_lib import handout_pool

    monkeypatch.setattr(handout_pool, "run_jobs", lambda *a, **k: pytest.fail("nothing may run"))
    bad = tmp_path / "cases.csv"
    rows = csv_rows("cases")
    header = list(rows[0])
    bad.write_text(",".join(header) + "\n" + ",".join("x" if h == "age" else rows[0][h].replace(",", ";")
                                                       if h != "id" else "mine" for h in header) + "\n",
                   encoding="utf-8")
    code, out, err = cli(["handouts", "-o", str(tmp_path / "set"), "--cases", str(bad)], capsys)
    assert code == 2 and out == ""
    assert str(bad) in err and "line 2" in err and "'age'" in err and "whole number" in err
    code, _, err = cli(["handouts", "-o", str(tmp_path / "set"), "--cases", str(tmp_path / "none.csv")], capsys)
    assert code == 2 and "no such file" in err
    assert not (tmp_path / "set").exists()


def test_handouts_from_a_folder_without_notebooks_exits_2(tmp_path, capsys):
    code, out, err = cli(["handouts", "-o", str(tmp_path / "set"), "--notebooks", str(tmp_path)], capsys)
    assert code == 2 and out == "" and "no notebooks" in err
    (tmp_path / "99_mine.ipynb").write_text("{}", encoding="utf-8")
    code, out, err = cli(["handouts", "-o", str(tmp_path / "set"), "--notebooks", str(tmp_path)], capsys)
    assert code == 2 and "unknown notebook" in err and "99_mine" in err
    assert not (tmp_path / "set").exists()


@pytest.mark.parametrize("args", [["--jobs", "0"], ["--students", "-1"], ["--seed", "x"]])
def test_handouts_rejects_bad_numbers(args, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["handouts", "-o", str(tmp_path), *args])
    assert exit_.value.code == 2
    assert args[0] in capsys.readouterr().err


# --------------------------------------------------------------------------- start


def test_start_copies_the_notebooks_and_says_what_next(tmp_path, capsys):
    folder = tmp_path / "workspace"
    code, out, _ = cli(["start", str(folder)], capsys)
    assert code == 0
    expected = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb") if for_students(p))  # not the debrief
    assert len(expected) == len(CLASSROOM_NOTEBOOKS)
    assert sorted(p.name for p in folder.iterdir()) == expected
    for name in expected:
        assert (folder / name).read_bytes() == (ROOT / "notebooks" / name).read_bytes()
        json.loads((folder / name).read_text(encoding="utf-8"))
    assert f"jupyter lab {folder}" in out


def test_start_trusts_the_copies_for_this_user_only(tmp_path, capsys, monkeypatch):
    """The copies are trusted (JupyterLab then keeps their stored views' <style>), in the Jupyter data
    folder of the user who ran `start`; another user's folder knows nothing of them."""
    import nbformat
    from nbformat.sign import NotebookNotary

    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(mine))
    assert cli(["start", str(tmp_path / "workspace")], capsys)[0] == 0
    copies = sorted((tmp_path / "workspace").glob("*.ipynb"))
    assert copies and all(NotebookNotary().check_signature(nbformat.read(p, as_version=4)) for p in copies)
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(theirs))
    assert not any(NotebookNotary().check_signature(nbformat.read(p, as_version=4)) for p in copies)


def test_start_refuses_to_overwrite_unless_forced(tmp_path, capsys):
    folder = tmp_path / "workspace"
    folder.mkdir()
    first = packaged_notebooks()[0][0]
    (folder / first).write_text("my own work", encoding="utf-8")
    code, out, err = cli(["start", str(folder)], capsys)
    assert code == 2 and out == ""
    assert str(folder / first) in err and "--force" in err and len(err.strip().splitlines()) == 1
    assert [p.name for p in folder.iterdir()] == [first]
    assert (folder / first).read_text(encoding="utf-8") == "my own work"
    code, out, _ = cli(["start", str(folder), "--force"], capsys)
    assert code == 0
    assert (folder / first).read_bytes() == (ROOT / "notebooks" / first).read_bytes()
    assert (folder / f"{first}.bak-1").read_text(encoding="utf-8") == "my own work"  # the student's work is kept
    assert f"Kept a copy of your {first} (it differed) as {first}.bak-1" in out


def test_start_force_keeps_every_differing_version_and_never_replaces_a_backup(tmp_path, capsys):
    folder = tmp_path / "workspace"
    assert cli(["start", str(folder)], capsys)[0] == 0
    first, second = sorted(p.name for p in folder.glob("*.ipynb"))[:2]
    (folder / first).write_text("edit one", encoding="utf-8")
    assert cli(["start", str(folder), "--force"], capsys)[0] == 0
    (folder / first).write_text("edit two", encoding="utf-8")
    code, out, _ = cli(["start", str(folder), "--force"], capsys)
    assert code == 0
    assert (folder / f"{first}.bak-1").read_text(encoding="utf-8") == "edit one"
    assert (folder / f"{first}.bak-2").read_text(encoding="utf-8") == "edit two"
    assert not (folder / f"{second}.bak-1").exists()  # an unchanged notebook needs no copy
    assert out.count("Kept a copy") == 1
    names = sorted(p.name for p in folder.iterdir())
    assert not [n for n in names if n.endswith(".tmp")]


def test_start_refuses_a_fifo_or_folder_at_a_notebooks_name_even_with_force(tmp_path, capsys):
    import os

    folder = tmp_path / "workspace"
    folder.mkdir()
    first, second = packaged_notebooks()[0][0], packaged_notebooks()[1][0]
    os.mkfifo(folder / first)
    (folder / second).mkdir()
    code, out, err = cli(["start", str(folder), "--force"], capsys)
    assert code == 2 and out == ""
    assert str(folder / first) in err and "FIFO" in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in folder.iterdir()) == sorted([first, second])


def test_start_into_a_file_exits_2(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    code, _, err = cli(["start", str(target)], capsys)
    assert code == 2 and "not a folder" in err


def test_the_command_is_installed():
    run = subprocess.run([str(Path(sys.executable).parent / "spasm-teach"), "handouts", "--help"],
                         capture_output=True, text=True)
    assert run.returncode == 0
    for option in ("--cases", "--jobs", "--students", "--seed", "-o"):
        assert option in run.stdout


# --------------------------------------------------------------------------- where kernels run, how many


def classroom_total() -> int:
    """Two versions of each notebook but the case study, and two of the case study per case."""
    students = [p for p in (ROOT / "notebooks").glob("*.ipynb") if for_students(p)]  # not the debrief
    return 2 * (len(students) - 1) + 2 * len(csv_rows("cases"))


def test_start_then_handouts_from_the_workspace_builds_the_full_set_from_any_folder(tmp_path, monkeypatch, capsys):
    """The README's own path, `spasm-teach start ws && spasm-teach handouts --notebooks ws`, and the
    same workspace given as ../ws from a sibling folder and as . from inside it."""
    total = classroom_total()
    monkeypatch.chdir(tmp_path)
    assert cli(["start", "ws"], capsys)[0] == 0
    code, out, err = cli(["handouts", "--notebooks", "ws"], capsys)
    assert code == 0, err
    assert f"{total} of {total} handouts built" in out
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert cli(["handouts", "--notebooks", "../ws", "-o", "set"], capsys)[0] == 0
    monkeypatch.chdir(tmp_path / "ws")
    assert cli(["handouts", "--notebooks", ".", "-o", "../set-from-inside"], capsys)[0] == 0
    def files(folder):
        return {name: (folder / name).read_bytes() for name in set_files(folder)}

    first = files(tmp_path / "build" / "handouts")
    assert len([n for n in first if n.endswith(".html")]) == total + 3  # the two indexes and the front page
    assert files(tmp_path / "elsewhere" / "set") == first
    assert files(tmp_path / "set-from-inside") == first


def fixture_variant(folder: Path, extra_cell: str) -> Path:
    """The fixture notebook (and its spec module) in ``folder``, with one more code cell before the last."""
    import fixture_notebooks
    import nbformat
    from nbformat.v4 import new_code_cell

    paths = fixture_notebooks.write(folder)
    paths["11_broken"].unlink()
    nb = nbformat.read(paths["10_fixture"], as_version=4)
    nb.cells.insert(len(nb.cells) - 1, new_code_cell(extra_cell, id="extra-cell"))
    nbformat.write(nb, paths["10_fixture"])
    return paths["10_fixture"]


def test_kernels_run_in_the_notebooks_folder_however_it_is_given(fixture_registered, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "course" / "notebooks"
    fixture_variant(folder, "import os\nfrom IPython.display import HTML\nHTML('<p id=\"cwd\">' + os.getcwd() + '</p>')")
    (tmp_path / "other").mkdir()
    monkeypatch.chdir(tmp_path / "other")
    code, _, err = cli(["handouts", "--notebooks", "../course/notebooks", "-o", "set"], capsys)
    assert code == 0, err
    for audience in ("student", "instructor"):
        folder_of = {"student": "students", "instructor": "instructor"}[audience]
        page = (tmp_path / "other" / "set" / folder_of / f"10_fixture.{audience}.html").read_text(encoding="utf-8")
        assert f'<p id="cwd">{folder.resolve()}</p>' in page


def test_a_cell_that_ends_the_run_early_fails_its_handout_in_a_set(fixture_registered, tmp_path, capsys):
    folder = tmp_path / "notebooks"
    fixture_variant(folder, "raise SystemExit(0)")
    out = tmp_path / "set"
    code, stdout, stderr = cli(["handouts", "--notebooks", str(folder), "-o", str(out)], capsys)
    assert code == 1
    assert "0 of 2 handouts built" in stdout
    failed = sorted(line.strip() for line in stderr.splitlines() if line.startswith("  "))
    assert len(failed) == 2 and all("ended the run early: SystemExit: 0" in line for line in failed), failed
    assert set_files(out) == [".spasm-teach-set.json", "index.html", "instructor/index.html", "students/index.html"]


def test_jobs_is_capped_at_the_cores_and_the_work(fixture_notebooks_dir, fixture_registered, tmp_path):
    import os

    from spasm_lib import handout_pool, handouts

    cores = len(os.sched_getaffinity(0))
    assert handout_pool.worker_count(64, 24) == min(cores, 24)
    assert handout_pool.worker_count(64, 1) == 1
    assert handout_pool.worker_count(1, 24) == 1
    assert handout_pool.worker_count(None, 24) == min(cores, 24)
    report = handouts.build(tmp_path / "set", notebooks=handouts.discover(fixture_notebooks_dir), jobs=64)
    assert report.workers == min(cores, 4)  # four handouts: the fixture and the broken fixture, two versions each
    assert len(report.kernels) == 4  # a kernel per handout (issue 19), whatever the workers
