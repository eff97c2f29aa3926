"""The class set: every handout an instructor prints or shares, planned and indexed here, built by
:mod:`spasm_lib.handout_pool`.

What the set holds (decisions):

* every notebook in a **student** and an **instructor** version, except the case study;
* the case study (``04_case_study``) once per case, in **both** versions: the student version to
  hand out, the instructor version with the model answers to teach from. The cases are those of
  ``data/cases.csv`` plus, with ``--cases FILE``, the instructor's own (validated like the data);
* with ``--students N``: one case-study handout per student (student version), each a different
  seeded virtual patient, and one answer key with every student's case and its answers.

Where (:mod:`spasm_lib.handout_pages`): two folders, so that publishing the students' material can
never publish an answer by mistake.

* ``students/``: the student handouts, ``index.html`` listing only them, and (``--paper-answers
  separate``) ``self-check-answers.html``. Nothing in it links outside it: it can be published,
  shared or copied as it is.
* ``instructor/``: the instructor versions, ``answer-key.html``, and ``index.html`` linking both
  versions of every handout (the student ones as ``../students/…``) and the answer key.
* ``index.html`` at the top: a short page pointing to the two (no handout, no answer).

A set built before this layout (every file at the top) and built again into the same folder loses
nothing of the user's: the earlier build's own files that nobody changed are removed as stale
(:mod:`spasm_lib.set_folder`), its ``index.html`` becomes the front page, and anything else stays.

File names are stable and readable: ``students/01_risk_factors.student.html``,
``instructor/04_case_study.golfer-twist.instructor.html``, ``students/04_case_study.student-07.html``.

Students' patients: :func:`spasm_lib.class_mix.class_patients` (``--mix balanced``, the default, or
``weighted``), every student a different patient; each student's handout prints the patient's code
(:mod:`spasm_lib.patient_codes`) to type into the notebooks. The same ``S`` gives the same set, byte
for byte. On paper, a student handout's self-check answers print at its end, or
(``--paper-answers separate``) on ``students/self-check-answers.html`` (:mod:`spasm_lib.paper`).

How (:mod:`spasm_lib.handout_pool`): a pool of forked workers, one per core, each handout in a
kernel of its own; the workers return pages and this process writes them, atomically, into a folder
it locks for the build and where it touches only the files its manifest says it wrote
(:mod:`spasm_lib.set_folder`). A handout that fails is reported and left out (an older copy of it
from an earlier build is removed with the other stale files, so the folder never shows it as
current, unless a worker died: then nothing is removed); the others are kept; the build exits
non-zero. A stop signal ends the build with :class:`~spasm_lib.handout_pool.BuildInterrupted`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spasm_lib import handout_pool
from spasm_lib.facts import RANDOM_CASE
from spasm_lib.handout_pages import (
    ANSWER_KEY,
    CASE_STUDY,
    INDEX,
    INSTRUCTOR_INDEX,
    STUDENT_INDEX,
    TITLE_SEPARATOR,
    handout_file,
    in_set,
    page_title,
    student_patient_name,
)
from spasm_lib.handout_pool import BuildInterrupted, BuildReport, Job, write_errors
from spasm_lib.inputs import InputError
from spasm_lib.paper import DEFAULT_PAPER_ANSWERS, SELF_CHECK_ANSWERS, SEPARATE
from spasm_lib.params import notebook_key
from spasm_lib.set_pages import answer_key_page, front_page, index_page, self_check_answers_page
from spasm_lib.vocabulary import AUDIENCES


@dataclass(frozen=True)
class StudentCase:
    """Student ``number``'s virtual patient: the seed it was drawn from, the case, and the handout's
    path in the set (``students/…``)."""

    number: int
    seed: int
    case: Any
    output: str


# --------------------------------------------------------------------------- planning (pure)


def student_cases(facts: Any, students: int, class_seed: int, notebook: str = CASE_STUDY,
                  mix: str | None = None) -> list[StudentCase]:
    """One different virtual patient per student, deterministic for the class seed: the patients of
    :func:`spasm_lib.class_mix.class_patients` (also what `spasm-teach patients` exports)."""
    from spasm_lib.class_mix import DEFAULT_MIX, class_patients

    width = max(2, len(str(students)))
    return [
        StudentCase(p.number, p.seed, p.case, in_set("student", f"{notebook}.student-{p.number:0{width}d}.html"))
        for p in class_patients(facts, students, class_seed, mix or DEFAULT_MIX)
    ]


def plan(
    notebooks: Sequence[Path],
    facts: Any,
    *,
    titles: Mapping[str, str],
    cases_file: str | Path | None = None,
    students: Sequence[StudentCase] = (),
    case_notebook: str = CASE_STUDY,
) -> list[Job]:
    """Every handout of the set, in the order the index lists them (parameters validated).

    ``titles`` are the notebooks' titles (the index's row labels); each job's page title comes from
    :func:`spasm_lib.handout_export.handout_title`, as for ``spasm-teach render``.
    """
    from spasm_lib.handout_export import handout_title
    from spasm_lib.render import handout_parameters

    jobs: list[Job] = []
    by_key = {notebook_key(path): path for path in notebooks}
    extra_ids: set[str] = set()
    if cases_file:
        from spasm_lib.facts import load_facts

        base = {c.id for c in load_facts().cases}
        extra_ids = {c.id for c in facts.cases} - base
    for key, path in by_key.items():
        if key == case_notebook:
            continue
        for audience in AUDIENCES:
            params = handout_parameters(key, {}, audience, facts=facts)
            jobs.append(Job(key, path, params, in_set(audience, handout_file(key, audience)), "notebook", titles[key],
                            handout_title(titles[key], params, facts)))
    if case_notebook in by_key:
        path = by_key[case_notebook]
        for case in facts.cases:
            values: dict[str, Any] = {"case": case.id}
            if case.id in extra_ids:
                values["cases_file"] = str(Path(cases_file).resolve())  # type: ignore[arg-type]
            for audience in AUDIENCES:
                params = handout_parameters(case_notebook, values, audience, facts=facts)
                output = in_set(audience, handout_file(case_notebook, audience, case.id))
                jobs.append(Job(case_notebook, path, params, output, "case",
                                case.title, handout_title(titles[case_notebook], params, facts)))
        for student in students:
            params = handout_parameters(case_notebook, {"case": RANDOM_CASE, "seed": student.seed}, "student", facts=facts)
            jobs.append(Job(case_notebook, path, params, student.output, "student", f"Student {student.number}",
                            page_title(titles[case_notebook], student_patient_name(student.number))))
    return jobs


def discover(folder: Path | None = None) -> list[Path]:
    """The notebooks of the set: every ``*.ipynb`` of ``folder`` (default: the package's notebooks),
    as absolute paths, so that kernels run in the notebooks' folder whatever the current folder is.

    Each must be one the parameter specification knows (:func:`spasm_lib.params.notebook_key`
    raises otherwise), so a stray notebook is named before anything runs.
    """
    from spasm_lib.packaged import notebooks_dir
    from spasm_lib.params import for_students

    folder = Path(folder).resolve() if folder is not None else notebooks_dir()
    found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith(".") and for_students(p))
    for path in found:
        notebook_key(path)
    return found


def build(
    out_dir: str | Path,
    *,
    notebooks: Sequence[Path] | None = None,
    cases_file: str | Path | None = None,
    students: int = 0,
    class_seed: int = 0,
    mix: str | None = None,
    paper_answers: str = DEFAULT_PAPER_ANSWERS,
    jobs: int | None = None,
    case_notebook: str = CASE_STUDY,
    progress: Callable[[Job, str | None, int, int], None] | None = None,
    limits: Any = None,
) -> BuildReport:
    """Build the whole set into ``out_dir``: the handouts, the indexes and the answer key, the
    student files in ``students/`` and the instructor's in ``instructor/``.

    Bad input (a cases file with errors) raises before anything runs: :class:`~spasm_lib.facts.DataError`;
    a folder that holds a file of the user's at a handout's name, or another build's lock,
    :class:`~spasm_lib.set_folder.SetFolderError`. A stop signal raises :class:`BuildInterrupted`
    once every worker and kernel has stopped; a file that cannot be written, :class:`~spasm_lib.handout_pool.BuildWriteError`.
    """
    from spasm_lib.facts import load_facts
    from spasm_lib.set_folder import SetFolder
    from spasm_lib.stops import Interrupted, StopSignals

    with StopSignals() as stops:
        try:
            job_list, chosen, read = _planned(notebooks, cases_file, students, class_seed, case_notebook, mix)
            separate = paper_answers == SEPARATE
            names = ([job.output for job in job_list] + ([ANSWER_KEY] if chosen else [])
                     + ([in_set("student", SELF_CHECK_ANSWERS)] if separate else [])
                     + [STUDENT_INDEX, INSTRUCTOR_INDEX, INDEX])
            folder = SetFolder(out_dir).open(names)
        except Interrupted as stop:  # nothing written yet
            raise BuildInterrupted(stop.signum, 0, None) from None
        with folder:
            stops.raising = False  # from here on, files are written: a signal is acted on between steps
            try:
                report = handout_pool.run_jobs(job_list, folder, workers=jobs, progress=progress, notebooks=read,
                                               stops=stops, limits=limits, paper_answers=paper_answers)
                report.students = chosen
                pages = {ANSWER_KEY: answer_key_page(load_facts(), chosen, class_seed, mix)} if chosen else {}
                if separate:
                    in_order: dict[str, str] = {}
                    for job in job_list:  # a notebook's title; a case study's, without its patient
                        in_order.setdefault(job.notebook, job.row if job.group == "notebook"
                                            else job.title.split(TITLE_SEPARATOR)[0])
                    pages[in_set("student", SELF_CHECK_ANSWERS)] = self_check_answers_page(load_facts(), list(in_order.items()))
                for audience, name in (("student", STUDENT_INDEX), ("instructor", INSTRUCTOR_INDEX)):
                    pages[name] = index_page(report.built, report.failed, audience=audience, answer_key=bool(chosen),
                                             class_seed=class_seed if chosen else None, self_check_answers=separate)
                pages[INDEX] = front_page(answer_key=bool(chosen))
                for name, page in pages.items():
                    with write_errors(folder.path / name, len(report.built), len(job_list)):
                        folder.write(name, page)
            except BaseException:
                with suppress(OSError):
                    folder.finish(complete=False)  # keep the record of what was written
                raise
            with write_errors(folder.manifest_path, len(report.built), len(job_list)):
                # a worker died: pages it never returned are missing, so nothing earlier is removed
                report.removed = folder.finish(complete=not report.lost_workers)
            if stops.signum is not None:  # arrived after the last handout: the set is complete
                raise BuildInterrupted(stops.signum, len(report.built), len(job_list))
    return report


def _planned(
    notebooks: Sequence[Path] | None, cases_file: str | Path | None, students: int, class_seed: int, case_notebook: str,
    mix: str | None = None,
) -> tuple[list[Job], list[StudentCase], dict[str, Any]]:
    """The jobs, the students' cases and the notebooks read once: everything validated, nothing run."""
    from spasm_lib.facts import load_facts
    from spasm_lib.inputs import read_notebook
    from spasm_lib.packaged import notebook_title

    facts = load_facts(cases_file=cases_file) if cases_file else load_facts()
    sources = [Path(p).resolve() for p in notebooks] if notebooks is not None else discover()
    read = {str(p): read_notebook(p) for p in sources}  # each read with bounds and checked, before any kernel
    titles = {notebook_key(p): notebook_title(read[str(p)], notebook_key(p)) for p in sources}
    # Virtual patients are drawn from the data alone, as the student's kernel draws them (it gets no cases file).
    chosen = student_cases(load_facts(), students, class_seed, case_notebook, mix) if students else []
    if chosen and case_notebook not in titles:
        raise InputError(f"--students needs the case-study notebook {case_notebook}.ipynb; it is not in the set")
    job_list = plan(sources, facts, titles=titles, cases_file=cases_file, students=chosen, case_notebook=case_notebook)
    return job_list, chosen, read


def summary(report: BuildReport, out_dir: str | Path) -> tuple[list[str], list[str]]:
    """The lines printed at the end of a build: what was built, and what failed (empty if nothing)."""
    total = len(report.built) + len(report.failed)
    workers = f"{report.workers} worker{'s' if report.workers != 1 else ''}"
    built = [f"{len(report.built)} of {total} handouts built in {report.seconds:.1f} s by {workers} into {out_dir}"]
    if report.removed:
        shown = ", ".join(report.removed[:5]) + (f" and {len(report.removed) - 5} more" if len(report.removed) > 5 else "")
        built.append(f"removed {len(report.removed)} stale file{'s' if len(report.removed) != 1 else ''} "
                     f"of an earlier build: {shown}")
    if report.students:
        built.append(f"answer key: {Path(out_dir) / ANSWER_KEY}")
    built.append(f"for students (publish the students folder as it is): {Path(out_dir) / STUDENT_INDEX}")
    built.append(f"for the instructor (both versions, the answer key): {Path(out_dir) / INSTRUCTOR_INDEX}")
    failed = [f"{len(report.failed)} failed:"] + [f"  {job.output}: {message}" for job, message in report.failed]
    return built, failed if report.failed else []
