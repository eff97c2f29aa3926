"""A class's trace files checked and merged, for :mod:`spasm_lib.collect`: every statement counted
once, each student's results and feedback page made where the student's files were checked.

Why one path for one process and for two: on two cores or more, two forked processes check half
the files each (a student's files together, :func:`halves`) and send back only statement ids, each
student's results, grades and page (pickling the statements back would cost what parsing them did);
meanwhile this process draws the class set. On one core the same :func:`check_part` runs here. The
merge (:func:`merge`) is then the same, in the files' order, so both give the same report byte for
byte. A statement met twice (the same file handed in twice, in a folder and a zip) counts once; the
same id with other content refuses the file (:func:`new_statements`, the one owner of that rule).
"""

from __future__ import annotations

import concurrent.futures
import json
import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from spasm_lib.collect_checks import Known, Refused, check_file, class_set, known, statement_lines
from spasm_lib.collect_files import Gathered, Source, gather
from spasm_lib.collect_results import (ClassResults, Report, StudentResults, class_results, columns, grades_of,
                                       report_names, student_results)
from spasm_lib.tables import Facts


Outcome = tuple[str | None, list[str], list[str], str | None, bool]
"""What checking one file gave: its student, notes, statement ids, why it is refused (or None),
and whether its lines are the whole file (each line a statement, as written: no blank line, no
white space stripped, no half-written line left out)."""


@dataclass
class Part:
    """What checking some of the files gave (see :func:`check_part`)."""

    outcomes: dict[int, Outcome]
    results: dict[str, StudentResults]
    grades: dict[str, dict[str, float | None]]
    pages: dict[str, bytes]
    """student -> their feedback page (empty unless asked for)."""
    met_virtuals: set[str]


def check_part(facts: Facts, k: Known, sources: Sequence[Source], indices: Sequence[int], *,
               pages: bool, keep: list | None = None) -> Part:
    """Check the files ``indices``; each file's :data:`Outcome`, and each student's results, grades
    and (with ``pages``) page from all of the student's files here. ``keep``: a list to leave the
    parsed statements in rather than free them (a forked checker ends with ``os._exit``, and freeing
    a million small objects one by one only costs time there)."""
    from spasm_lib.views.class_report import student_page_of

    outcomes: dict[int, Outcome] = {}
    statements: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i in indices:
        try:
            checked = check_file(sources[i], k)
        except Refused as why:
            outcomes[i] = (None, [], [], str(why), False)
            continue
        outcomes[i] = (checked.student, checked.notes, [stmt["id"] for stmt in checked.statements], None,
                       checked.whole)
        statements[checked.student].extend(checked.statements)
    results = {student: student_results(student, got) for student, got in statements.items()}
    if keep is not None:
        keep.append(statements)
    del statements
    grades = {student: grades_of(facts, s) for student, s in results.items()}
    drawn: dict[str, bytes] = {}
    if pages:
        cols, names = columns(facts), report_names(facts)
        drawn = {student: student_page_of(names, s, grades[student], cols).markup.encode("utf-8")
                 for student, s in results.items()}
    return Part(outcomes, results, grades, drawn, k.met_virtuals)


def new_statements(seen: dict[str, tuple[int, int]], file: int, ids: Sequence[str],
                   line: Callable[[int, int], bytes]) -> list[int] | None:
    """Which of file ``file``'s statements (their ``ids``, in line order) were not read before:
    None when all are new (the usual file), else their positions. ``seen`` (statement id -> (file,
    line) where it was first read) is updated; ``line(file, n)`` gives a statement's line.

    The one rule for duplicates: a statement id met again with the same content counts once; with
    other content the file is refused (:class:`Refused`), and ``seen`` is left as it was."""
    if not any(sid in seen for sid in ids):
        for n, sid in enumerate(ids):
            seen[sid] = (file, n)
        return None
    fresh = []
    for n, sid in enumerate(ids):
        before = seen.get(sid)
        if before is None:
            fresh.append(n)
            continue
        old, new = line(*before), line(file, n)
        if old != new and json.loads(old) != json.loads(new):
            raise Refused(f"statement {sid} was already read with other content")
    for n in fresh:
        seen[ids[n]] = (file, n)
    return fresh


@dataclass
class Merged:
    """The class read: the report so far, ``statements.jsonl`` in pieces (each ending with a
    newline), the class's results, and the feedback pages drawn by the checkers (file name -> bytes;
    a student missing here is drawn from ``results``)."""

    report: Report
    statements: list[bytes]
    results: ClassResults
    pages: dict[str, bytes]


def merge(facts: Facts, gathered: Gathered, parts: Sequence[Part]) -> Merged:
    """The parts' files in the files' order, each statement counted once. A student whose files were
    checked in two parts, or who lost a statement to a duplicate or a file to a conflict, has their
    results (and page) made again here from the lines kept."""
    sources = gathered.sources
    outcomes: dict[int, Outcome] = {}
    worked: dict[str, StudentResults] = {}
    grades: dict[str, dict[str, float | None]] = {}
    drawn: dict[str, bytes] = {}
    redo: set[str] = set()
    for part in parts:
        outcomes.update(part.outcomes)
        redo.update(student for student in part.results if student in worked)
        worked.update(part.results)
        grades.update(part.grades)
        drawn.update(part.pages)
    lines: dict[int, list[bytes]] = {}

    def lines_of(i: int) -> list[bytes]:
        if i not in lines:
            lines[i] = [raw for _, raw in statement_lines(sources[i])[0]]
        return lines[i]

    refused = list(gathered.refused)
    notes: list[tuple[str, str]] = []
    seen: dict[str, tuple[int, int]] = {}
    pieces: list[bytes] = []
    kept: dict[str, list[tuple[int, list[int] | None]]] = defaultdict(list)
    """student -> their accepted files: (file, positions of its new statements, None: all)."""
    labels: dict[str, list[str]] = defaultdict(list)
    count = duplicates = files = 0
    for i, source in enumerate(sources):
        student, file_notes, ids, why, whole = outcomes[i]
        if why is None:
            try:
                fresh = new_statements(seen, i, ids, lambda f, n: lines_of(f)[n])
            except Refused as conflict:
                why = str(conflict)
                redo.add(student)
        if why is not None:
            refused.append((source.label, why))
            continue
        if fresh is None:
            pieces.append(source.data if whole else b"\n".join(lines_of(i)) + b"\n")
            count += len(ids)
        else:
            redo.add(student)
            duplicates += len(ids) - len(fresh)
            if fresh:
                pieces.append(b"\n".join(lines_of(i)[n] for n in fresh) + b"\n")
            count += len(fresh)
        files += 1
        notes += [(source.label, n) for n in file_notes]
        kept[student].append((i, fresh))
        labels[student].append(source.label)
    report = Report(Path(), len(labels), files, count, duplicates, gathered.ignored, refused, notes)
    students = []
    for student, student_files in kept.items():
        if student in redo:
            raws = [raw for i, fresh in student_files
                    for raw in (lines_of(i) if fresh is None else [lines_of(i)[n] for n in fresh])]
            s = student_results(student, [json.loads(raw) for raw in raws])
            grades[student] = grades_of(facts, s)
        else:
            s = worked[student]
        s.files = labels[student]
        students.append(s)
    pages = {f"{student}.html": page for student, page in drawn.items() if student in kept and student not in redo}
    return Merged(report, pieces, class_results(facts, students, grades), pages)


def fork_context() -> Any:
    """The ``fork`` start method where there is one and two cores or more, else None."""
    import multiprocessing

    if (os.cpu_count() or 1) < 2:
        return None
    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return None


def halves(sources: Sequence[Source]) -> tuple[list[int], list[int]]:
    """The files in two groups of about equal bytes, each student's files (by file name) in one."""
    from spasm_lib.trace import parse_trace_name

    by_student: dict[str, list[int]] = {}
    for i, source in enumerate(sources):
        named = parse_trace_name(source.name)
        by_student.setdefault(named.student if named else source.label, []).append(i)
    out: tuple[list[int], list[int]] = ([], [])
    sizes = [0, 0]
    for indices in by_student.values():
        side = 0 if sizes[0] <= sizes[1] else 1
        out[side].extend(indices)
        sizes[side] += sum(len(sources[i].data) for i in indices)
    return sorted(out[0]), sorted(out[1])


_FORKED: dict[int, tuple[Facts, Known, list[Source], bool]] = {}
"""What the forked checkers read: the facts hold mapping proxies, which do not pickle, and the
files' bytes need not travel (a forked process has them already)."""
_KEPT: list = []
"""In a forked checker: the parsed statements, left for the process's end (see :func:`check_part`)."""


def _check_forked(key: int, indices: Sequence[int]) -> Part:
    facts, k, sources, pages = _FORKED[key]
    return check_part(facts, k, sources, indices, pages=pages, keep=_KEPT)


def read_class(facts: Facts, paths: Sequence[str | Path], class_seed: int | None = None,
               students: int | None = None, mix: str | None = None, now: Any = None, *,
               pages: bool = True, fork: bool = True) -> Merged:
    """Gather, check and merge the class's files (with ``pages``, the students' pages drawn too).

    With ``fork`` on two cores or more (:func:`fork_context`; not in a notebook's kernel, whose
    threads a fork would copy mid-step) the files are checked by two forked processes
    while this one draws the class set; every virtual patient met is kept and checked against the
    set after. If one is not in it, everything is checked again here with the set, so that the
    refusals come out as one process gives them."""
    gathered = gather(paths)
    context = fork_context() if fork else None
    if context is not None:
        k = known(facts, class_seed, students, now, mix, pending=True)
        parts, virtuals = _check_forked_halves(facts, k, gathered.sources, pages, context, (class_seed, students, mix))
        if virtuals is None or set().union(*(p.met_virtuals for p in parts)) <= virtuals:
            return merge(facts, gathered, parts)
        k = replace(k, class_virtuals=virtuals, class_pending=False, seen={}, registrations=set(), met_virtuals=set())
    else:
        k = known(facts, class_seed, students, now, mix)
    return merge(facts, gathered, [check_part(facts, k, gathered.sources, range(len(gathered.sources)), pages=pages)])


def _check_forked_halves(facts: Facts, k: Known, sources: list[Source], pages: bool, context: Any,
                         the_class: tuple[int | None, int | None, str | None]
                         ) -> tuple[list[Part], frozenset[str] | None]:
    """The two forked checkers' parts, and the class set drawn here meanwhile (None: no class seed)."""
    key = id(sources)
    _FORKED[key] = (facts, k, sources, pages)
    try:
        with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as pool:
            futures = [pool.submit(_check_forked, key, half) for half in halves(sources) if half]
            class_seed, students, mix = the_class
            virtuals = class_set(facts, class_seed, students, mix) if class_seed is not None else None
            return [f.result() for f in futures], virtuals
    finally:
        _FORKED.pop(key, None)
