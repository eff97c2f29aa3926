"""The class set: every handout an instructor prints or shares, built in parallel, with an index.

What the set holds (decisions):

* every notebook in a **student** and an **instructor** version, except the case study;
* the case study (``04_case_study``) once per case, in **both** versions: the student version to
  hand out, the instructor version with the model answers to teach from. The cases are those of
  ``data/cases.csv`` plus, with ``--cases FILE``, the instructor's own (validated like the data);
* with ``--students N``: one case-study handout per student (student version), each a different
  seeded virtual patient, and one ``answer-key.html`` with every student's case and its answers;
* ``index.html`` linking them all by title.

File names are stable and readable: ``01_risk_factors.student.html``,
``04_case_study.golfer-twist.instructor.html``, ``04_case_study.student-07.html``.

Student seeds: student ``k`` of a class with seed ``S`` gets a seed derived from SHA-256 of ``S`` and
``k`` (not ``S + k``, so that two classes with neighbouring seeds do not share patients); a derived
seed whose patient is the same person as an earlier student's (same findings, age and story) is
skipped, so every student meets a different patient. The same ``S`` gives the same set, byte for byte.

Speed (see ``benchmarks/handouts.py``): one process per core (``--jobs``, default: the usable
cores), each importing nbconvert and papermill once, reading no notebook from disk (the parent reads
each once and the workers inherit it), and each keeping one **warm** kernel: while a handout runs,
the kernel for the next one is already booting. Python's ``fork`` start method is used where it is
safe (Linux), so the workers inherit the imported modules instead of importing them again.

Failures: a handout that fails is reported and left out (an older file of the same name is
removed, so the folder never shows a stale handout as current); the others are kept; the build exits
non-zero. Every file is written atomically.
"""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import os
import queue
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spasm_lib.html import Html, esc
from spasm_lib.params import AUDIENCES, RANDOM_CASE, notebook_key

CASE_STUDY = "04_case_study"
INDEX = "index.html"
ANSWER_KEY = "answer-key.html"
GROUPS = {
    "notebook": "Notebooks",
    "case": "Case studies",
    "student": "One patient per student",
}


@dataclass(frozen=True)
class Job:
    """One handout to build: which notebook, with which parameters, into which file.

    ``row`` is what the index shows for it (a notebook title, a case title, a student); ``group`` the
    index section. Text in ``row`` is data and is escaped where it is shown.
    """

    notebook: str
    source: Path
    parameters: Mapping[str, Any]
    output: str
    group: str
    row: str
    title: str

    @property
    def audience(self) -> str:
        return str(self.parameters["audience"])


@dataclass(frozen=True)
class StudentCase:
    """Student ``number``'s virtual patient: the seed it was drawn from and the case."""

    number: int
    seed: int
    case: Any
    output: str


@dataclass
class BuildReport:
    """What a build produced: the jobs that succeeded, those that failed (with why), the extras."""

    built: list[Job] = field(default_factory=list)
    failed: list[tuple[Job, str]] = field(default_factory=list)
    students: list[StudentCase] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


# --------------------------------------------------------------------------- planning (pure)


def student_seed(class_seed: int, number: int, attempt: int = 0) -> int:
    """The seed of student ``number`` (1-based): stable, spread out, independent per class seed."""
    digest = hashlib.sha256(f"spasm-teach/{class_seed}/{number}/{attempt}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def _same_patient_key(case: Any) -> Any:
    return dataclasses.replace(case, id="", title="")


def student_cases(facts: Any, students: int, class_seed: int, notebook: str = CASE_STUDY) -> list[StudentCase]:
    """One different virtual patient per student, deterministic for the class seed."""
    from spasm_lib.virtual_patients import virtual_patient

    width = max(2, len(str(students)))
    chosen: list[StudentCase] = []
    seen: set[Any] = set()
    for number in range(1, students + 1):
        for attempt in range(1000):
            seed = student_seed(class_seed, number, attempt)
            case = virtual_patient(facts, seed)
            key = _same_patient_key(case)
            if key not in seen:
                break
        seen.add(key)
        chosen.append(StudentCase(number, seed, case, f"{notebook}.student-{number:0{width}d}.html"))
    return chosen


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
    :func:`spasm_lib.render.handout_title`, as for ``spasm-teach render``.
    """
    from spasm_lib.render import handout_parameters, handout_title

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
            jobs.append(Job(key, path, params, f"{key}.{audience}.html", "notebook", titles[key],
                            handout_title(titles[key], params, facts)))
    if case_notebook in by_key:
        path = by_key[case_notebook]
        for case in facts.cases:
            values: dict[str, Any] = {"case": case.id}
            if case.id in extra_ids:
                values["cases_file"] = str(Path(cases_file).resolve())  # type: ignore[arg-type]
            for audience in AUDIENCES:
                params = handout_parameters(case_notebook, values, audience, facts=facts)
                jobs.append(Job(case_notebook, path, params, f"{case_notebook}.{case.id}.{audience}.html", "case",
                                case.title, handout_title(titles[case_notebook], params, facts)))
        for student in students:
            params = handout_parameters(case_notebook, {"case": RANDOM_CASE, "seed": student.seed}, "student", facts=facts)
            jobs.append(Job(case_notebook, path, params, student.output, "student", f"Student {student.number}",
                            handout_title(titles[case_notebook], params, facts)))
    return jobs


# --------------------------------------------------------------------------- pages (pure)


def _link(href: str, text: str) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def index_html(report: BuildReport, *, answer_key: bool, class_seed: int | None = None) -> str:
    """The index of a set: every built handout by title, grouped; what failed, listed without links."""
    from spasm_lib.render import standalone_page

    parts: list[str] = []
    for group, heading in GROUPS.items():
        rows: dict[tuple[str, str], dict[str, Job]] = {}
        for job in report.built:
            if job.group == group:  # one row per notebook, case or student (two cases may share a title)
                rows.setdefault((job.row, job.output.rsplit(".", 2)[0]), {})[job.audience] = job
        if not rows and not (group == "student" and answer_key):
            continue
        parts.append(f"<h2>{esc(heading)}</h2>")
        if group == "student":
            if class_seed is not None:
                parts.append(f"<p>Each student meets a different virtual patient (class seed {esc(class_seed)}).</p>")
            if answer_key:
                parts.append(f"<p>{_link(ANSWER_KEY, 'Answer key: every student’s patient with the answers')} (instructor only).</p>")
            parts.append('<div class="out"><table><thead><tr><th scope="col">Student</th>'
                         '<th scope="col">Handout</th></tr></thead><tbody>')
            for (row, _), by_audience in rows.items():
                job = by_audience["student"]
                parts.append(f"<tr><th scope=\"row\">{esc(row)}</th><td>{_link(job.output, job.title)}</td></tr>")
        else:
            first = "Notebook" if group == "notebook" else "Case"
            parts.append(f'<div class="out"><table><thead><tr><th scope="col">{first}</th>'
                         '<th scope="col">Student version</th><th scope="col">Instructor version</th></tr></thead><tbody>')
            for (row, _), by_audience in rows.items():
                cells = "".join(
                    f"<td>{_link(by_audience[a].output, a.capitalize()) if a in by_audience else 'not built'}</td>"
                    for a in AUDIENCES
                )
                parts.append(f'<tr><th scope="row">{esc(row)}</th>{cells}</tr>')
        parts.append("</tbody></table></div>")
    if report.failed:
        parts.append("<h2>Not built</h2><ul>")
        for job, message in report.failed:
            parts.append(f"<li><strong>{esc(job.output)}</strong>: {esc(message)}</li>")
        parts.append("</ul>")
    return standalone_page(
        "Back spasms: the handouts",
        Html("".join(parts), "index"),
        kicker="Back spasms: teaching handouts",
        audience="instructor",
    )


def answer_key_html(facts: Any, students: Sequence[StudentCase], class_seed: int) -> str:
    """Every student's virtual patient with the model answers: the case study's instructor view."""
    from spasm_lib.case_study import study_of
    from spasm_lib.render import standalone_page
    from spasm_lib.views.case_study import case_study_view

    parts = [
        f"<p>{esc(len(students))} students, class seed {esc(class_seed)}. Each section is what the "
        "instructor version of that student's case-study handout shows.</p>"
    ]
    for student in students:
        parts.append(
            f'<section class="cell"><h2>Student {esc(student.number)}: {esc(student.case.title)}</h2>'
            f"<p>Handout: {_link(student.output, student.output)}; seed {esc(student.seed)}.</p>"
            f'<div class="out">{case_study_view(study_of(facts, student.case, student.seed), "instructor").markup}</div>'
            "</section>"
        )
    return standalone_page(
        "Answer key: one virtual patient per student",
        Html("".join(parts), "answer key"),
        kicker="Back spasms: answer key",
        audience="instructor",
    )


# --------------------------------------------------------------------------- building

def _worker(
    tasks: Any, results: Any, unclaimed: Any, jobs: Sequence[Job], notebooks: Mapping[str, Any], forks: str | None
) -> None:
    """Take jobs until the sentinel; keep one warm kernel booting for the next job."""
    from spasm_lib.render import RenderError, render, start_kernel, stop_kernel

    warm: tuple[Path, Any] | None = None
    try:
        while True:
            index = tasks.get()
            if index is None:
                break
            with unclaimed.get_lock():
                unclaimed.value -= 1
                more = unclaimed.value > 0
            job = jobs[index]
            folder = job.source.parent
            results.put(("start", index, os.getpid()))
            km = None
            if warm is not None and warm[0] == folder:
                km = warm[1]
            elif warm is not None:
                stop_kernel(warm[1])
            warm = None
            try:
                if km is None:
                    km = start_kernel(folder, forks)
                if more:
                    warm = (folder, start_kernel(folder, forks))
                done = render(job.source, job.parameters, job.output, nb=notebooks[str(job.source)], km=km, title=job.title)
                results.put(("done", index, done.title))
            except RenderError as exc:
                results.put(("failed", index, str(exc)))
            except Exception as exc:  # one bad handout must not stop the set
                results.put(("failed", index, f"{type(exc).__name__}: {exc}"))
    finally:
        if warm is not None:
            stop_kernel(warm[1])


def default_jobs() -> int:
    """The cores this process may use (``os.cpu_count()`` unless the affinity mask says fewer)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") and "fork" in methods else "spawn")


def fork_kernels_by_default() -> bool:
    """Forked kernels on Linux unless ``SPASM_TEACH_KERNELS=cold`` (for comparison and debugging)."""
    return sys.platform.startswith("linux") and os.environ.get("SPASM_TEACH_KERNELS", "forked") != "cold"


def run_jobs(
    jobs: Sequence[Job],
    out_dir: Path,
    *,
    workers: int,
    progress: Callable[[Job, str | None, int, int], None] | None = None,
    fork_kernels: bool | None = None,
    notebooks: Mapping[str, Any] | None = None,
) -> BuildReport:
    """Build the handouts of ``jobs`` into ``out_dir`` with ``workers`` processes.

    ``notebooks`` maps a source path to the notebook already read (each is read once, here or by
    the caller, and the workers inherit it). The fork server (if used) starts first, so that it
    loads its modules while this process imports papermill and nbconvert once for all workers.
    """
    started = time.perf_counter()
    if fork_kernels is None:
        fork_kernels = fork_kernels_by_default()
    from spasm_lib.render import KernelForks

    forks = KernelForks() if fork_kernels and jobs else None
    try:
        return _run_jobs(jobs, out_dir, workers, progress, forks, started, dict(notebooks or {}))
    finally:
        if forks is not None:
            forks.close()


def _run_jobs(
    jobs: Sequence[Job], out_dir: Path, workers: int, progress: Any, forks: Any, started: float, notebooks: dict
) -> BuildReport:
    import jupyter_client.manager  # noqa: F401 - imported once here, inherited by forked workers
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

    from spasm_lib.render import read_notebook

    out_dir.mkdir(parents=True, exist_ok=True)
    placed = [dataclasses.replace(j, output=str(out_dir / j.output)) for j in jobs]
    for job in placed:
        if str(job.source) not in notebooks:
            notebooks[str(job.source)] = read_notebook(job.source)
    ctx = _context()
    tasks, results = ctx.Queue(), ctx.Queue()
    unclaimed = ctx.Value("i", len(placed))
    count = max(1, min(workers, len(placed)))
    socket_path = forks.socket_path if forks is not None else None
    procs = [ctx.Process(target=_worker, args=(tasks, results, unclaimed, placed, notebooks, socket_path), daemon=True)
             for _ in range(count)]
    for proc in procs:  # before the first put: a queue's feeder thread must not exist when we fork
        proc.start()
    for index in range(len(placed)):
        tasks.put(index)
    for _ in range(count):
        tasks.put(None)
    report = BuildReport()
    outcome: dict[int, str | None] = {}
    running: dict[int, int] = {}
    try:
        while len(outcome) < len(placed):
            try:
                message = results.get(timeout=1.0)
            except queue.Empty:
                alive = {p.pid for p in procs if p.is_alive()}
                for index, pid in list(running.items()):
                    if pid not in alive:
                        running.pop(index)
                        _finish(index, "the worker process died while building it", placed, outcome, progress)
                if not alive:
                    for index in range(len(placed)):
                        if index not in outcome:
                            _finish(index, "not built: every worker stopped", placed, outcome, progress)
                continue
            kind, index, value = message
            if kind == "start":
                running[index] = value
                continue
            running.pop(index, None)
            _finish(index, None if kind == "done" else value, placed, outcome, progress)
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():  # pragma: no cover - a stuck worker
                proc.terminate()
                proc.join()
    report.built = [j for i, j in enumerate(jobs) if outcome.get(i, "x") is None]
    report.failed = [(jobs[i], msg) for i, msg in sorted(outcome.items()) if msg is not None]
    for job, _ in report.failed:
        (out_dir / job.output).unlink(missing_ok=True)
    report.seconds = time.perf_counter() - started
    return report


def _finish(index: int, error: str | None, placed: Sequence[Job], outcome: dict, progress: Any) -> None:
    if index in outcome:
        return
    outcome[index] = error
    if progress is not None:
        progress(placed[index], error, len(outcome), len(placed))


def discover(folder: Path | None = None) -> list[Path]:
    """The notebooks of the set: every ``*.ipynb`` of ``folder`` (default: the package's notebooks).

    Each must be one the parameter specification knows (:func:`spasm_lib.params.notebook_key`
    raises otherwise), so a stray notebook is named before anything runs.
    """
    from spasm_lib.render import notebooks_dir

    folder = Path(folder) if folder is not None else notebooks_dir()
    found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
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
    jobs: int | None = None,
    case_notebook: str = CASE_STUDY,
    progress: Callable[[Job, str | None, int, int], None] | None = None,
) -> BuildReport:
    """Build the whole set into ``out_dir``: the handouts, ``index.html`` and the answer key.

    Bad input (a cases file with errors) raises before anything runs: :class:`~spasm_lib.facts.DataError`.
    """
    from spasm_lib.facts import load_facts
    from spasm_lib.render import notebook_title, read_notebook, write_atomically

    out = Path(out_dir)
    facts = load_facts(cases_file=cases_file) if cases_file else load_facts()
    sources = list(notebooks) if notebooks is not None else discover()
    read = {str(p): read_notebook(p) for p in sources}
    titles = {notebook_key(p): notebook_title(read[str(p)], notebook_key(p)) for p in sources}
    # Virtual patients are drawn from the data alone, as the student's kernel draws them (it gets no cases file).
    base = load_facts()
    chosen = student_cases(base, students, class_seed, case_notebook) if students else []
    if chosen and case_notebook not in titles:
        raise ValueError(f"--students needs the case-study notebook {case_notebook}.ipynb; it is not in the set")
    job_list = plan(sources, facts, titles=titles, cases_file=cases_file, students=chosen, case_notebook=case_notebook)
    report = run_jobs(job_list, out, workers=jobs or default_jobs(), progress=progress, notebooks=read)
    report.students = chosen
    if chosen:
        write_atomically(out / ANSWER_KEY, answer_key_html(base, chosen, class_seed))
    write_atomically(out / INDEX, index_html(report, answer_key=bool(chosen), class_seed=class_seed if chosen else None))
    return report


def summary(report: BuildReport, out_dir: str | Path) -> tuple[list[str], list[str]]:
    """The lines printed at the end of a build: what was built, and what failed (empty if nothing)."""
    total = len(report.built) + len(report.failed)
    built = [f"{len(report.built)} of {total} handouts built in {report.seconds:.1f} s into {out_dir}"]
    if report.students:
        built.append(f"answer key: {Path(out_dir) / ANSWER_KEY}")
    built.append(f"index: {Path(out_dir) / INDEX}")
    failed = [f"{len(report.failed)} failed:"] + [f"  {job.output}: {message}" for job, message in report.failed]
    return built, failed if report.failed else []
