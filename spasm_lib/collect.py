"""`spasm-teach collect`: a class's trace files into a gradebook, feedback pages and a class debrief.

Why: the traces of issue 20 (docs/trace.md) stay on each student's machine until the student hands
the file over. A lecturer then has a folder, or the zip an LMS or nbgrader's ``zip_collect`` gives,
of ``spasm-trace_<student>_<notebook>.jsonl`` files. :func:`collect` reads them and writes the report
folder; each step is a module of its own, testable alone:

1. **Reading** (:mod:`spasm_lib.collect_files`): folders, zips and files read with bounds.
2. **Checking** (:mod:`spasm_lib.collect_checks`): every statement against the xAPI shape this
   package writes, ``data/`` and the class set; a file accepted whole or refused whole.
3. **Merging** (:mod:`spasm_lib.collect_merge`): each statement counted once, on two cores by two
   forked checkers.
4. **Results** (:mod:`spasm_lib.collect_results`): per student and per class, and the gradebook,
   which :mod:`spasm_lib.views.class_report` renders.

This module writes them: everything is drawn before anything is written, then each folder at once,
atomically (:class:`spasm_lib.set_folder.SetFolder`).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from spasm_lib.collect_merge import read_class
from spasm_lib.collect_results import Report, gradebook_csv, report_names
from spasm_lib.files import inside
from spasm_lib.inputs import InputError
from spasm_lib.tables import Facts

GRADEBOOK = "gradebook.csv"
CLASS_PAGE = "class.html"
STATEMENTS = "statements.jsonl"
REPORT = "report.txt"
STUDENTS = "students"


class CollectError(InputError):
    """Nothing can be collected as asked (no input file at all, an output inside an input)."""


@contextlib.contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Reading a class keeps every statement (hundreds of thousands of small dicts and lists) alive
    until the report is written; the cyclic garbage collector would walk them all again and again
    while they are made (the run grew faster than the class). They hold no cycles (reference counting
    frees them), so the collector is paused for the run and restored after, whatever happens."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def collect(paths: Sequence[str | Path], output: str | Path, *, class_seed: int | None = None,
            students: int | None = None, facts: Facts | None = None, now: datetime | None = None,
            mix: str | None = None) -> Report:
    """Read the class's traces under ``paths`` and write the report folder ``output``."""
    from spasm_lib.facts import load_facts

    if (class_seed is None) != (students is None):
        raise CollectError("--class-seed and --students go together: the class set is the handouts' "
                           "`--students N --seed S`")
    output = Path(output)
    for raw in paths:
        p = Path(raw)
        if p.is_dir() and (inside(output, [p.resolve()]) or inside(p, [output.resolve()])):
            raise CollectError(f"-o {output} is inside the input folder {p} (or holds it); the input is never "
                               "written to: choose a report folder elsewhere")
        if p.exists() and output.exists() and p.resolve() == output.resolve():
            raise CollectError(f"-o {output} is an input; choose another report folder")
    facts = facts or load_facts()
    with _no_gc_pauses():
        return _collect_into(facts, paths, output, (class_seed, students, now, mix))


def _collect_into(facts: Facts, paths: Sequence[str | Path], output: Path,
                  the_class: tuple[int | None, int | None, datetime | None, str | None]) -> Report:
    """Read, check, render and write; everything but the report is freed on return (see
    :func:`_no_gc_pauses`)."""
    from spasm_lib.set_folder import SetFolder, SetFolderError
    from spasm_lib.views import class_report

    class_seed, students, now, mix = the_class
    merged = read_class(facts, paths, class_seed, students, mix, now)
    report, results = merged.report, merged.results
    if not report.files and not report.refused:
        raise CollectError(f"no trace files (spasm-trace_*.jsonl, or zips of them) in {', '.join(map(str, paths))}")
    report.output = output
    names = report_names(facts)
    top: dict[str, bytes] = {
        GRADEBOOK: gradebook_csv(results).encode("utf-8"),
        STATEMENTS: b"".join(merged.statements),
        CLASS_PAGE: class_report.class_page(names, results, report).markup.encode("utf-8"),
        REPORT: report.text().encode("utf-8"),
    }
    drawn = merged.pages
    del merged
    pages = {name: drawn.get(name) or class_report.student_page(names, s, results).markup.encode("utf-8")
             for s in results.students for name in [f"{s.student}.html"]}
    try:
        # Everything is drawn before anything is written, and both folders are checked and claimed
        # first; then each folder's files are written at once (one manifest save per folder, see
        # SetFolder.write_all), the two folders side by side, each by one thread (more threads on one
        # folder cost the file system more CPU than they saved).
        with SetFolder(output).open(top) as folder, SetFolder(output / STUDENTS).open(pages) as student_folder:
            with concurrent.futures.ThreadPoolExecutor(max_workers=1) as writer:
                top_written = writer.submit(folder.write_all, top, 1)
                student_folder.write_all(pages, 1)
                top_written.result()
            folder.finish(complete=True)
            student_folder.finish(complete=True)
    except SetFolderError as exc:
        raise CollectError(str(exc).replace("spasm-teach handouts build", "spasm-teach run")) from None
    return report


def class_debrief(traces: str | Path, class_seed: int = 0, students: int = 0, facts: Facts | None = None) -> Any:
    """The class debrief as one view, for notebook 05: read ``traces`` (a folder or a zip), write
    nothing. ``students`` > 0 checks virtual patients against the class set of ``class_seed``. Shown
    with the views' stylesheet (:func:`spasm_lib.views.style.styled`: it sizes the charts)."""
    from spasm_lib.facts import load_facts
    from spasm_lib.html import Html, join
    from spasm_lib.views import class_report
    from spasm_lib.views.style import styled

    facts = facts or load_facts()
    if not str(traces).strip():
        return Html("<p>No class yet: run this notebook with the parameter <code>traces</code> set to the "
                    "folder (or zip) of your students' trace files, for example "
                    "<code>spasm-teach render 05_class_debrief -p traces traces/ -o debrief.html</code>.</p>",
                    "class debrief")
    merged = read_class(facts, [traces], class_seed if students else None, students or None,
                        pages=False, fork=False)
    return styled(join(class_report.class_sections(report_names(facts), merged.results, merged.report, top=3),
                       "class debrief"))
