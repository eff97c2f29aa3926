"""The class set: planning, the index, the answer key, and the real set built once for the session.

The set is built once (``class_set``: every notebook, every case plus a hostile one from a cases
file, three students) and every test reads the files it wrote. Expectations come from the CSV files
in ``data/`` read with the csv module, never from the code that builds the handouts.
"""

from __future__ import annotations

import posixpath
import re
import sys
from pathlib import Path

import pytest

from spasm_lib import handout_pool, handouts, packaged, set_pages
from spasm_lib.facts import load_facts
from spasm_lib.html import esc
from spasm_lib.class_mix import student_seed
from spasm_lib.params import NOTEBOOK_PARAMETERS
from spasm_lib.vocabulary import NOTEBOOKS as CLASSROOM_NOTEBOOKS

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "notebooks"))
from handout_checks import (  # noqa: E402
    EVIL_ID,
    EVIL_TITLE,
    assert_links_resolve,
    assert_offline_handout,
    assert_students_folder_publishable,
    code_lines,
    csv_rows,
    page_links,
    parse,
    set_files,
    squash,
    visible_text,
    write_cases,
)

# Every test here runs notebooks in a Jupyter kernel (or builds with them): `make test`, not `make check`.
pytestmark = pytest.mark.kernel

NOTEBOOKS = [f"{key}.ipynb" for key in CLASSROOM_NOTEBOOKS]
FOLDER = {"student": "students", "instructor": "instructor"}  # where each audience's files sit in a set
CLASS_SEED = 7
STUDENTS = 3


def case_ids() -> list[str]:
    return [r["id"] for r in csv_rows("cases")]


def explanations(notebook: str) -> list[str]:
    """Every answer explanation of a notebook's quiz (data/quiz_*.csv)."""
    questions = {q["id"] for q in csv_rows("quiz_questions") if q["notebook"] == notebook}
    return [squash(o["explanation"]) for o in csv_rows("quiz_options") if o["question_id"] in questions]


# --------------------------------------------------------------------------- planning, without a kernel


def test_student_seeds_are_stable_and_differ_between_classes():
    first = [student_seed(CLASS_SEED, n) for n in range(1, 31)]
    assert first == [student_seed(CLASS_SEED, n) for n in range(1, 31)]
    assert len(set(first)) == 30
    assert not set(first) & {student_seed(CLASS_SEED + 1, n) for n in range(1, 31)}


def test_every_student_meets_a_different_patient_and_the_same_seed_gives_the_same_class():
    facts = load_facts()
    chosen = handouts.student_cases(facts, 30, CLASS_SEED)
    people = {(c.case.age, c.case.story, c.case.risk_factor_ids, c.case.spasm_site, c.case.tissue_injury,
               c.case.radicular, c.case.red_flag_ids) for c in chosen}
    assert len(people) == 30
    assert chosen == handouts.student_cases(facts, 30, CLASS_SEED)
    assert [c.output for c in chosen[:2]] == ["students/04_case_study.student-01.html",
                                              "students/04_case_study.student-02.html"]


def test_the_plan_holds_every_notebook_twice_and_every_case_twice():
    facts = load_facts()
    titles = {n.removesuffix(".ipynb"): f"Title of {n}" for n in NOTEBOOKS}
    students = handouts.student_cases(facts, 2, CLASS_SEED)
    jobs = handouts.plan([Path(n) for n in NOTEBOOKS], facts, titles=titles, students=students)
    outputs = [j.output for j in jobs]
    expected = [f"{FOLDER[a]}/{n.removesuffix('.ipynb')}.{a}.html" for n in NOTEBOOKS[:-1]
                for a in ("student", "instructor")]
    expected += [f"{FOLDER[a]}/04_case_study.{c}.{a}.html" for c in case_ids() for a in ("student", "instructor")]
    expected += ["students/04_case_study.student-01.html", "students/04_case_study.student-02.html"]
    assert outputs == expected
    for job in jobs:
        assert job.parameters["interactive"] is False
    student_jobs = [j for j in jobs if j.group == "student"]
    assert [(j.parameters["case"], j.parameters["seed"], j.audience) for j in student_jobs] == [
        ("random", s.seed, "student") for s in students
    ]


def test_the_index_escapes_titles_and_lists_failures_without_links():
    ok = handout_pool.Job("04_case_study", Path("x.ipynb"), {"audience": "student"}, "students/a.html", "case",
                      EVIL_TITLE, "T")
    bad = handout_pool.Job("04_case_study", Path("x.ipynb"), {"audience": "instructor"}, "instructor/b.html", "case",
                       EVIL_TITLE, "T")
    report = handout_pool.BuildReport(built=[ok], failed=[(bad, "cell 3 failed: <b>boom</b>")])
    html = set_pages.index_page(report.built, report.failed, audience="instructor", answer_key=False)
    assert_offline_handout(html)
    assert "<script>alert" not in html and "<b>boom</b>" not in html
    text = visible_text(html)
    assert EVIL_TITLE in text and "cell 3 failed: <b>boom</b>" in text
    hrefs = [a.get("href") for tag, a in parse(html).tags if tag == "a"]
    assert hrefs == ["../students/index.html", "../students/a.html"]  # the students' index, then the handout
    students = set_pages.index_page(report.built, report.failed, audience="student", answer_key=False)
    assert [a.get("href") for tag, a in parse(students).tags if tag == "a"] == ["a.html"]  # beside it in students/
    assert "boom" not in students and "<script>alert" not in students


def test_the_answer_key_names_each_patient_and_the_interpretation_it_points_to():
    facts = load_facts()
    students = handouts.student_cases(facts, 3, CLASS_SEED)
    html = set_pages.answer_key_page(facts, students, CLASS_SEED)
    assert_offline_handout(html)
    names = {r["id"]: r["name"] for r in csv_rows("interpretations")}
    sections = re.split(r"<h2>", html)[1:]
    assert len(sections) == 3
    for student, section in zip(students, sections):
        text = visible_text("<h2>" + section)
        assert text.startswith(f"Student {student.number} \u2014 Patient {student.number}")
        assert names[student.case.interpretation_id] in text
        assert squash(student.case.teaching_point) in text
    assert html == set_pages.answer_key_page(facts, students, CLASS_SEED)


# --------------------------------------------------------------------------- the real set, built once


@pytest.fixture(scope="session")
def class_set(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class_set")
    cases = write_cases(folder / "my_cases.csv", [{"id": EVIL_ID, "title": EVIL_TITLE}])
    out = folder / "handouts"
    report = handouts.build(out, cases_file=cases, students=STUDENTS, class_seed=CLASS_SEED, jobs=2)
    return report, out, cases


def read(out: Path, name: str) -> str:
    return (out / name).read_text(encoding="utf-8")


def test_the_whole_set_builds(class_set):
    report, out, _ = class_set
    assert report.failed == []
    expected = [f"{FOLDER[a]}/{n.removesuffix('.ipynb')}.{a}.html" for n in NOTEBOOKS[:-1]
                for a in ("student", "instructor")]
    expected += [f"{FOLDER[a]}/04_case_study.{c}.{a}.html" for c in [*case_ids(), EVIL_ID]
                 for a in ("student", "instructor")]
    expected += [f"students/04_case_study.student-{n:02d}.html" for n in range(1, STUDENTS + 1)]
    expected += ["instructor/answer-key.html", "instructor/index.html", "students/index.html", "index.html",
                 ".spasm-teach-set.json"]
    assert set_files(out) == sorted(expected)


def test_every_link_of_the_set_resolves_and_students_can_be_published_as_it_is(class_set):
    _, out, _ = class_set
    links = assert_links_resolve(out)
    assert_students_folder_publishable(out)
    assert sorted(links["index.html"]) == ["instructor/answer-key.html", "instructor/index.html", "students/index.html"]
    # the answer key sends the instructor to each student's own handout
    assert sorted(set(links["instructor/answer-key.html"])) == [
        f"students/04_case_study.student-{n:02d}.html" for n in range(1, STUDENTS + 1)]


def test_the_instructors_index_links_every_handout_and_the_students_only_theirs(class_set):
    _, out, _ = class_set
    html = read(out, "instructor/index.html")
    assert_offline_handout(html)
    targets = {posixpath.normpath(f"instructor/{h}") for h in page_links(html)}
    assert targets == {f for f in set_files(out) if f.endswith(".html")} - {"index.html", "instructor/index.html"}
    text = visible_text(html)
    for name in targets - {"instructor/answer-key.html", "students/index.html"}:
        # a row names what the page is about: the notebook's title, the case, or the student's patient
        assert parse(read(out, name)).headings[0][1].split(" \u2014 ")[-1] in text, name
    students = read(out, "students/index.html")
    assert_offline_handout(students)
    student_hrefs = set(page_links(students))
    assert student_hrefs == {p.name for p in (out / "students").glob("*.html")
                             if re.search(r"\.student(-\d+)?\.html$", p.name)}
    assert "answer" not in visible_text(students).lower()


def test_every_page_of_the_set_is_offline_and_complete(class_set):
    _, out, _ = class_set
    code = {key: code_lines(packaged.notebooks_dir() / f"{key}.ipynb") for key in CLASSROOM_NOTEBOOKS}
    for path in sorted(out.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        page = assert_offline_handout(html)
        if path.name in ("index.html", "answer-key.html"):
            continue
        key, *_, audience, _html = path.name.split(".")
        audience = "student" if audience.startswith("student") else audience
        text = visible_text(html)
        assert {"student": "Student handout", "instructor": "Instructor version"}[audience] in text, path.name
        assert page.title.strip() == page.headings[0][1], path.name
        shown = [line for line in code[key] if line in text]
        assert shown == [], f"code input in {path.name}: {shown}"


def test_the_quiz_opens_answer_by_answer_for_students_and_all_open_for_instructors(class_set):
    """Self-check without a kernel or script: every answer is a <details> holding its explanation;
    closed in the student version (a student opens it to check), open in the instructor's."""
    _, out, _ = class_set
    for notebook in NOTEBOOKS[:-1]:
        key = notebook.removesuffix(".ipynb")
        wanted = explanations(key)
        assert wanted, f"{key} has quiz questions in data/"
        for audience, opened in (("instructor", True), ("student", False)):
            page = read(out, f"{FOLDER[audience]}/{key}.{audience}.html")
            quiz = page[page.index('<section class="spasm-quiz">'):]
            quiz = quiz[: quiz.index("</section>")]
            answers = re.findall(r"<details([^>]*)>(.*?)</details>", quiz, re.S)
            assert len(answers) == len(wanted), (key, audience)
            assert all((" open" in attrs) is opened for attrs, _ in answers), (key, audience)
            inside = visible_text(" ".join(body for _, body in answers))
            for text in wanted:
                assert text in inside, (key, audience, text)
            assert ("Correct answer" in quiz) is opened, (key, audience)


def test_cells_tagged_instructor_only_are_in_the_instructor_versions_only(class_set):
    import json

    _, out, _ = class_set
    tagged = 0
    for path in sorted(out.rglob("*.html")):
        key = path.name.split(".")[0]
        if key not in CLASSROOM_NOTEBOOKS:
            continue
        cells = json.loads((packaged.notebooks_dir() / f"{key}.ipynb").read_text(encoding="utf-8"))["cells"]
        headings = [
            "".join(c["source"]).splitlines()[0].lstrip("#").strip()
            for c in cells
            if c["cell_type"] == "markdown" and "instructor-only" in c.get("metadata", {}).get("tags", [])
            and "".join(c["source"]).startswith("#")  # a heading cell (the notes fold under their heading)
        ]
        shown = [h for _, h in parse(path.read_text(encoding="utf-8")).headings]
        for heading in headings:
            tagged += 1
            assert (heading in shown) == path.name.endswith(".instructor.html"), (path.name, heading)
    assert tagged, "no notebook has a markdown cell tagged instructor-only"


def test_the_case_studies_show_the_teaching_point_to_the_instructor_only(class_set):
    _, out, _ = class_set
    for case in csv_rows("cases"):
        point = squash(case["teaching_point"])
        assert point in visible_text(read(out, f"instructor/04_case_study.{case['id']}.instructor.html"))
        assert point not in visible_text(read(out, f"students/04_case_study.{case['id']}.student.html"))


def test_a_case_title_from_a_cases_file_is_text_everywhere(class_set):
    _, out, _ = class_set
    for name in ("students/index.html", "instructor/index.html", f"students/04_case_study.{EVIL_ID}.student.html",
                 f"instructor/04_case_study.{EVIL_ID}.instructor.html"):
        html = read(out, name)
        assert "<script>alert(1)</script>" not in html
        assert EVIL_TITLE in visible_text(html)
    assert esc(EVIL_TITLE) in read(out, "students/index.html")


def test_each_student_has_a_different_patient_and_the_key_lists_them(class_set):
    report, out, _ = class_set
    titles = [parse(read(out, s.output)).headings[0][1] for s in report.students]
    assert len(set(titles)) == STUDENTS
    key = visible_text(read(out, "instructor/answer-key.html"))
    names = {r["id"]: r["name"] for r in csv_rows("interpretations")}
    for student, title in zip(report.students, titles):
        assert title == f"Case study \u2014 Patient {student.number}"  # a short number, never the seed
        assert f"Student {student.number} \u2014 Patient {student.number}" in key
        assert names[student.case.interpretation_id] in key
        student_text = visible_text(read(out, student.output))
        assert squash(student.case.teaching_point) not in student_text


def test_the_set_matches_a_single_render_byte_for_byte(class_set, tmp_path):
    """The parallel build (shared kernels) and `spasm-teach render` (a fresh kernel) agree exactly."""
    from spasm_lib.cli import main

    report, out, _ = class_set
    student = report.students[1]
    args = ["render", "04-case-study", "-p", "case", "random", "-p", "seed", str(student.seed),
            "-o", str(tmp_path / "again.html")]
    assert main(args) == 0
    # Alone, the handout names its virtual patient by the seed; in the set, by the student's number.
    again = (tmp_path / "again.html").read_text(encoding="utf-8")
    assert again.count(f"Patient {student.seed}") == 2  # <title> and <h1>
    assert again.replace(f"Patient {student.seed}", f"Patient {student.number}") == read(out, student.output)
    assert main(["render", "01_risk_factors", "--audience", "instructor", "-o", str(tmp_path / "r.html")]) == 0
    assert (tmp_path / "r.html").read_bytes() == (out / "instructor/01_risk_factors.instructor.html").read_bytes()


def test_the_manifest_lists_every_file_of_the_set_with_its_digest(class_set):
    import hashlib
    import json

    _, out, _ = class_set
    manifest = json.loads((out / ".spasm-teach-set.json").read_text(encoding="utf-8"))
    on_disk = {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in set_files(out)
               if name.endswith(".html")}
    assert len(on_disk) > len(list(out.glob("*.html")))  # the sub-folders' files are listed by their path
    assert manifest["files"] == on_disk


def test_one_worker_and_two_workers_give_the_same_bytes_with_a_kernel_per_handout(class_set, tmp_path):
    """Isolation, proven on the whole set: every handout runs in a kernel of its own, so the set
    built by one worker equals the set built by two (issue 19; the fixture notebook that changes
    module state is in tests/test_handout_isolation.py)."""
    report, out, cases = class_set
    total = len(report.built)
    assert len(report.kernels) == total  # one kernel per handout (jobs=2)
    alone = handouts.build(tmp_path / "alone", cases_file=cases, students=STUDENTS, class_seed=CLASS_SEED, jobs=1)
    assert alone.failed == [] and alone.workers == 1
    assert len(alone.kernels) == total
    shared = {name: (out / name).read_bytes() for name in set_files(out)}
    assert {name: (tmp_path / "alone" / name).read_bytes() for name in set_files(tmp_path / "alone")} == shared


def test_no_kernel_outlives_the_build(class_set):
    import os
    import subprocess

    ps = subprocess.run(["ps", "-ww", "-o", "pid=,args=", "--ppid", str(os.getpid())], capture_output=True, text=True)
    children = [line for line in ps.stdout.splitlines() if "ps -o" not in line]
    assert not [c for c in children if "ipykernel" in c or "spasm_lib" in c], children


def test_every_page_carries_the_views_stylesheet_at_most_once(class_set):
    """Each view brings the widget stylesheet along (views/style.py's styled); a page keeps the first."""
    from spasm_lib.views.style import CSS

    _, out, _ = class_set
    counts = {name: read(out, name).count(CSS) for name in set_files(out) if name.endswith(".html")}
    assert max(counts.values()) == 1, {n: c for n, c in counts.items() if c > 1}
    assert counts["students/01_risk_factors.student.html"] == 1 and counts["instructor/04_case_study.golfer-twist.instructor.html"] == 1
