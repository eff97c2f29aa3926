"""`spasm-teach collect`: a class's trace files into a gradebook, feedback pages and a class debrief.

Why: the traces of issue 20 (docs/trace.md) stay on each student's machine until the student hands
the file over. A lecturer then has a folder, or the zip an LMS or nbgrader's ``zip_collect`` gives,
of ``spasm-trace_<student>_<notebook>.jsonl`` files. This module reads them with bounds, checks every
statement, and turns them into results (:class:`ClassResults`, pure data) that
:mod:`spasm_lib.views.class_report` renders; :func:`collect` writes the report folder.

Three layers, each testable alone:

1. **Reading** (:func:`gather`): folders are walked without following links; a zip is read member
   by member, never extracted: a member whose path is absolute or climbs out (``../``), a zip inside
   a zip, a member or archive larger than the limits (the sizes a zip declares are not trusted: each
   member is read to at most its limit) is refused with one line. Files that are not ``.jsonl`` are
   ignored (counted). Nothing in the input is ever written.
2. **Checking** (:func:`check_file`): a file is accepted whole or refused whole, with the first
   reason: a line that is not JSON (or nests deeper than Python parses), a statement without the
   xAPI shape this package writes (UUID id, an Agent with an account, a known verb, a
   ``urn:spasm-teach:`` activity, an ISO 8601 timestamp between 2000 and tomorrow), another student's
   statements in the same file, a notebook, question, option, step or patient unknown to ``data/``,
   or a virtual patient that is not in the class set of ``--class-seed``. A half-written last line
   (a notebook stopped mid-write) is dropped with a note, not a refusal. A statement met twice (the
   same file handed in twice, in a folder and a zip) counts once; the same id with other content is
   a refusal.
3. **Results** (:func:`class_results`): per student, the encounters of the exam simulator, the
   pathway predictions, the latest answer to every quiz question and case-study question; per class,
   the matrices and counts of the debrief.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import csv
import functools
import gc
import io
import json
import os
import re
import stat
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from spasm_lib import xapi
from spasm_lib.files import spreadsheet_cell
from spasm_lib.facts import Facts
from spasm_lib.virtual_patients import virtual_seed

MAX_FILE_BYTES = 20 * 1024 * 1024
"""One trace file (the same bound as :data:`spasm_lib.trace.MAX_TRACE_BYTES`)."""
MAX_LINE_BYTES = 256 * 1024
MAX_ZIP_BYTES = 512 * 1024 * 1024
"""All members of one zip together, uncompressed (a class of 1,000 is well under 100 MB)."""
MAX_ZIP_MEMBERS = 20_000
MAX_FILES = 50_000
"""Trace files in one collect (1,000 students x 5 notebooks x a few fresh files each)."""
MAX_DEPTH = 12
"""Folder levels walked below a PATH (nbgrader's layout is three deep)."""

GRADEBOOK = "gradebook.csv"
CLASS_PAGE = "class.html"
STATEMENTS = "statements.jsonl"
REPORT = "report.txt"
STUDENTS = "students"

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TIME = re.compile(r"(\d{4}-\d\d-\d\d)T\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)")
_VERBS = {iri: name for name, iri in xapi.VERBS.items()}
_DURATION = re.compile(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?")


class CollectError(ValueError):
    """Nothing can be collected as asked (no input file at all, an output inside an input)."""


# --------------------------------------------------------------------------- 1. reading


@dataclass(frozen=True)
class Source:
    """One trace file's bytes and where they came from (``folder/file`` or ``class.zip:member``)."""

    label: str
    data: bytes
    name: str


@dataclass
class Gathered:
    sources: list[Source] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    ignored: int = 0


def _read_file(path: Path, gathered: Gathered) -> None:
    label = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        gathered.refused.append((label, f"cannot be read ({exc.strerror or 'error'})"))
        return
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            gathered.refused.append((label, "is not a regular file"))
            return
        if info.st_size > MAX_FILE_BYTES:
            gathered.refused.append((label, f"is {info.st_size} bytes; a trace file is at most {MAX_FILE_BYTES}"))
            return
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_FILE_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > MAX_FILE_BYTES:
        gathered.refused.append((label, f"is more than {MAX_FILE_BYTES} bytes; a trace file is at most that"))
        return
    if path.suffix.lower() == ".zip":
        _read_zip(label, b"".join(chunks), gathered)
    else:
        gathered.sources.append(Source(label, b"".join(chunks), path.name))


def _unsafe_member(name: str) -> str | None:
    if "\\" in name or "\0" in name:
        return "its path has a backslash or NUL character"
    pure = PurePosixPath(name)
    if pure.is_absolute() or re.match(r"[A-Za-z]:", name):
        return "its path is absolute (it would escape the folder)"
    if ".." in pure.parts:
        return "its path climbs out of the archive (..)"
    return None


def _read_zip(label: str, data: bytes, gathered: Gathered) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        gathered.refused.append((label, f"is not a readable zip ({exc})"))
        return
    if len(members) > MAX_ZIP_MEMBERS:
        gathered.refused.append((label, f"holds {len(members)} files; at most {MAX_ZIP_MEMBERS} are read"))
        return
    total = 0
    for member in members:
        where = f"{label}:{member.filename}"
        if member.is_dir():
            continue
        lower = member.filename.lower()
        problem = _unsafe_member(member.filename)
        if problem:
            gathered.refused.append((where, problem))
            continue
        if lower.endswith(".zip"):
            gathered.refused.append((where, "a zip inside a zip is not opened; hand in the files or one zip"))
            continue
        if not lower.endswith(".jsonl"):
            gathered.ignored += 1
            continue
        if member.file_size > MAX_FILE_BYTES:
            gathered.refused.append((where, f"unpacks to {member.file_size} bytes (a zip bomb?); a trace file is at most {MAX_FILE_BYTES}"))
            continue
        try:
            with archive.open(member) as fh:
                content = fh.read(MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as exc:
            gathered.refused.append((where, f"cannot be unpacked ({exc})"))
            continue
        if len(content) > MAX_FILE_BYTES:
            gathered.refused.append((where, f"unpacks to more than {MAX_FILE_BYTES} bytes (a zip bomb?); not read"))
            continue
        total += len(content)
        if total > MAX_ZIP_BYTES:
            gathered.refused.append((label, f"unpacks to more than {MAX_ZIP_BYTES} bytes; the rest is not read"))
            return
        gathered.sources.append(Source(where, content, PurePosixPath(member.filename).name))


def _walk(folder: Path, gathered: Gathered, depth: int = 0) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        gathered.refused.append((str(folder), f"cannot be listed ({exc.strerror or 'error'})"))
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.is_symlink():
            if entry.name.lower().endswith((".jsonl", ".zip")):
                gathered.refused.append((str(path), "is a symbolic link; links are not followed"))
            continue
        if entry.is_dir(follow_symlinks=False):
            if depth < MAX_DEPTH:
                _walk(path, gathered, depth + 1)
            continue
        if entry.name.lower().endswith((".jsonl", ".zip")):
            if len(gathered.sources) >= MAX_FILES:
                gathered.refused.append((str(path), f"more than {MAX_FILES} trace files; the rest are not read"))
                return
            _read_file(path, gathered)
        else:
            gathered.ignored += 1


def gather(paths: Sequence[str | Path]) -> Gathered:
    """The trace files under ``paths`` (folders, zips, files), read with bounds, in a stable order."""
    gathered = Gathered()
    for raw in paths:
        path = Path(raw)
        try:
            mode = os.lstat(path).st_mode
        except OSError as exc:
            gathered.refused.append((str(path), f"cannot be read ({exc.strerror or 'error'})"))
            continue
        if stat.S_ISDIR(mode):
            _walk(path, gathered)
        elif stat.S_ISLNK(mode) and os.path.isdir(path):
            _walk(path, gathered)  # a link named on the command line is the user's choice
        else:
            _read_file(path, gathered)
    return gathered


# --------------------------------------------------------------------------- 2. checking


@dataclass(frozen=True)
class Known:
    """What ``data/`` allows: built once per collect from the facts."""

    notebooks: frozenset[str]
    questions: Mapping[str, tuple[str, frozenset[str]]]
    """question id -> (notebook, option ids)."""
    steps: frozenset[str]
    cases: frozenset[str]
    class_virtuals: frozenset[str] | None
    case_questions: frozenset[str]
    earliest: str
    latest: str
    notebook_or_none: frozenset = frozenset()
    """The notebooks, and None (a statement may name none)."""
    seen: dict = field(default_factory=dict, compare=False, repr=False)
    """Activity checks already made: (activity id, response) -> the problem or None; "actor": the
    last actor checked."""
    registrations: set = field(default_factory=set, compare=False, repr=False)
    """Registrations already checked (UUIDs)."""
    class_pending: bool = False
    """The class set is still being drawn (:func:`collect` draws it beside the reading): every
    virtual patient met is accepted for now and kept in ``met_virtuals``, to be checked after."""
    met_virtuals: set = field(default_factory=set, compare=False, repr=False)



def class_set(facts: Facts, class_seed: int, students: int | None, mix: str | None) -> frozenset[str]:
    """The ids of the class set's virtual patients, as the handouts drew them (`handouts --students N
    --seed S --mix M`): a balanced class tries hundreds of seeds for some students, so no shorter
    list of candidate seeds will do."""
    from spasm_lib.class_mix import DEFAULT_MIX, class_patients

    return frozenset(p.case.id for p in class_patients(facts, students or 1, class_seed, mix or DEFAULT_MIX))


def known(facts: Facts, class_seed: int | None = None, students: int | None = None,
          now: datetime | None = None, mix: str | None = None, *, pending: bool = False) -> Known:
    """What ``data/`` allows; with ``class_seed``, the class set of virtual patients too (or, with
    ``pending``, a note to check them against it once it is drawn: see :func:`collect`)."""
    from spasm_lib.records import NOTEBOOKS

    options: dict[str, set[str]] = defaultdict(set)
    for o in facts.quiz_options:
        options[o.question_id].add(o.id)
    virtuals = class_set(facts, class_seed, students, mix) if class_seed is not None and not pending else None
    now = now or datetime.now(timezone.utc)
    return Known(
        notebooks=frozenset(NOTEBOOKS),
        questions={q.id: (q.notebook, frozenset(options[q.id])) for q in facts.quiz_questions},
        steps=frozenset(s.id for s in facts.exam_steps),
        cases=frozenset(c.id for c in facts.cases),
        class_virtuals=virtuals,
        class_pending=pending and class_seed is not None,
        case_questions=frozenset(q.id for q in facts.case_questions) | frozenset(case_questions_asked(facts, facts.cases[0].id)),
        notebook_or_none=frozenset(NOTEBOOKS) | {None},
        earliest="2000-01-01",
        latest=(now + timedelta(days=1)).strftime("%Y-%m-%d"),
    )


@dataclass
class Checked:
    """One accepted file: its student and statements (with their lines as read)."""

    label: str
    student: str
    statements: list[dict[str, Any]]
    lines: list[bytes]
    notes: list[str]


class Refused(Exception):
    pass


def _case_ok(case: str, k: Known) -> str | None:
    if case in k.cases:
        return None
    if virtual_seed(case) is not None:
        if k.class_virtuals is not None and case not in k.class_virtuals:
            return f"patient {case} is not in the class set of --class-seed"
        if k.class_pending:
            k.met_virtuals.add(case)
        return None
    return f"unknown patient {case!r}"


def _check_activity(oid: str, stmt: Mapping[str, Any], k: Known) -> str | None:
    """Why an activity id is not one of this package's, or None."""
    if oid == xapi.PROFILE:
        return None
    parts = [unquote(p) for p in oid[len(xapi.ACTIVITY_BASE):].split("/")]
    kind = parts[0]
    if kind in ("course", "risk-explorer"):
        return None
    if kind == "notebook":
        return None if len(parts) == 2 and parts[1] in k.notebooks else f"unknown notebook in {oid!r}"
    if kind in ("patient", "pathway") and len(parts) >= 2:
        problem = _case_ok(parts[1], k)
        if problem:
            return problem
        if kind == "patient" and len(parts) == 4 and parts[2] == "step" and parts[3] not in k.steps:
            return f"unknown examination step {parts[3]!r}"
        return None
    if kind == "quiz" and len(parts) in (2, 3):
        if parts[1] not in k.notebooks:
            return f"unknown notebook {parts[1]!r}"
        if len(parts) == 3:
            question = k.questions.get(parts[2])
            if question is None or question[0] != parts[1]:
                return f"unknown quiz question {parts[2]!r} for {parts[1]}"
            response = (stmt.get("result") or {}).get("response") if isinstance(stmt.get("result"), dict) else None
            if isinstance(response, str) and response:
                for chosen in response.split("[,]"):
                    if chosen not in question[1]:
                        return f"quiz answer {chosen[:40]!r} is not an option of {parts[2]}"
        return None
    if kind == "case-study" and len(parts) in (2, 3):
        problem = _case_ok(parts[1], k)
        if problem:
            return problem
        return None if len(parts) == 2 or parts[2] in k.case_questions else f"unknown case-study question {parts[2]!r}"
    return f"unknown activity {oid[:80]!r}"


_NOTEBOOK_EXT = xapi.EXT["notebook"]
_EMPTY: dict = {}


def check_statement(stmt: Any, k: Known) -> str | None:
    """Why a parsed line is not a statement this package could have written, or None.

    A fast path first (one expression over the usual shape, with the file's actor and the
    registrations already seen remembered); anything unusual goes to :func:`_explain`, which names
    the first problem."""
    try:
        obj = stmt["object"]
        oid = obj["id"]
        when = stmt["timestamp"]
        context = stmt["context"]
        registration = context.get("registration")
        result = stmt.get("result")
        usual = (stmt["actor"] == k.seen.get("actor") and stmt["verb"]["id"] in _VERBS
                 and _UUID.fullmatch(stmt["id"]) is not None and oid.startswith(xapi.ACTIVITY_BASE)
                 and obj.get("objectType", "Activity") == "Activity"
                 and _TIME.fullmatch(when) is not None and k.earliest <= when[:10] <= k.latest
                 and (context.get("extensions") or _EMPTY).get(_NOTEBOOK_EXT) in k.notebook_or_none
                 and (registration is None or registration in k.registrations)
                 and (result is None or type(result) is dict))
    except (KeyError, TypeError, AttributeError):
        usual = False
    if not usual:
        problem = _explain(stmt, k)
        if problem:
            return problem
        oid, result = stmt["object"]["id"], stmt.get("result")
    response = result.get("response") if result is not None else None
    key = (oid, response if oid.startswith(_QUIZ) else None)
    if key not in k.seen:
        k.seen[key] = _check_activity(oid, stmt, k)
    return k.seen[key]


def _explain(stmt: Any, k: Known) -> str | None:
    """The slow path of :func:`check_statement`: each rule in turn, the first broken one named."""
    if not isinstance(stmt, dict):
        return "not a JSON object"
    sid = stmt.get("id")
    if not isinstance(sid, str) or not _UUID.fullmatch(sid):
        return "its id is not a UUID"
    actor = stmt.get("actor")
    if actor != k.seen.get("actor"):  # a file's statements share one actor: checked once
        account = actor.get("account") if isinstance(actor, dict) else None
        if not isinstance(account, dict) or not xapi.valid_student(account.get("name")) \
                or not isinstance(account.get("homePage"), str):
            return f"its actor is not an account with a student number ({xapi.STUDENT_RULE})"
        k.seen["actor"] = actor
    verb = stmt.get("verb")
    if not isinstance(verb, dict) or verb.get("id") not in _VERBS:
        return "its verb is not one this package records"
    obj = stmt.get("object")
    oid = obj.get("id") if isinstance(obj, dict) else None
    if not isinstance(oid, str) or not oid.startswith(xapi.ACTIVITY_BASE) or obj.get("objectType", "Activity") != "Activity":
        return "its object is not an activity of spasm-teach (urn:spasm-teach:...)"
    when = stmt.get("timestamp")
    match = _TIME.fullmatch(when) if isinstance(when, str) else None
    if not match:
        return "its timestamp is not ISO 8601"
    if not k.earliest <= match.group(1) <= k.latest:
        return f"its timestamp {when} is not a plausible time (2000 to tomorrow)"
    context = stmt.get("context")
    if context is not None:
        if not isinstance(context, dict):
            return "its context is not an object"
        ext = context.get("extensions")
        notebook = ext.get(xapi.EXT["notebook"]) if isinstance(ext, dict) else None
        if notebook is not None and notebook not in k.notebooks:
            return f"unknown notebook {str(notebook)[:40]!r}"
        registration = context.get("registration")
        if registration is not None and (not isinstance(registration, str) or not _UUID.fullmatch(registration)):
            return "its registration is not a UUID"
        if registration is not None:
            k.registrations.add(registration)
    if "result" in stmt and not isinstance(stmt["result"], dict):
        return "its result is not an object"
    return None


_QUIZ = xapi.ACTIVITY_BASE + "quiz/"


def _parse_lines(numbered: list[tuple[int, bytes]]) -> list[Any]:
    """Every line's JSON value. The lines are parsed as one array (one call, not one per line); when
    that fails or gives another count, line by line, to name the first bad line (its number in the file)."""
    lines = [raw for _, raw in numbered]
    if all(raw[:1] == b"{" and raw[-1:] == b"}" for raw in lines):
        try:
            values = json.loads(b"[" + b",".join(lines) + b"]")
            if isinstance(values, list) and len(values) == len(lines) and all(isinstance(v, dict) for v in values):
                return values
        except (RecursionError, UnicodeDecodeError, ValueError):
            pass
    values = []
    for number, raw in numbered:
        try:
            values.append(json.loads(raw))
        except RecursionError:
            raise Refused(f"line {number}: JSON nested too deeply") from None
        except (UnicodeDecodeError, ValueError):
            raise Refused(f"line {number}: not JSON") from None
    return values


def _numbered_lines(source: Source) -> tuple[list[tuple[int, bytes]], list[str]]:
    """A file's statement lines with their numbers (blank lines and a half-written last line left
    out, surrounding white space stripped), and the notes to make about it."""
    lines = source.data.split(b"\n")
    notes = []
    if lines and lines[-1] == b"":
        lines.pop()
    elif lines and lines[-1].strip():
        notes.append("its last line is half-written (a notebook stopped mid-write); that line is left out")
        lines.pop()
    numbered = [(n, raw) for n, raw in enumerate(lines, start=1) if raw and not raw.isspace()]
    if any(raw[:1].isspace() or raw[-1:].isspace() for _, raw in numbered):
        numbered = [(n, raw.strip()) for n, raw in numbered]
    return numbered, notes


def check_file(source: Source, k: Known) -> Checked:
    """The file's statements, or :class:`Refused` with the first reason (``line N: why``)."""
    from spasm_lib.trace import parse_trace_name

    numbered, notes = _numbered_lines(source)
    longest = max((len(raw) for _, raw in numbered), default=0)
    if longest > MAX_LINE_BYTES:
        number = next(n for n, raw in numbered if len(raw) > MAX_LINE_BYTES)
        raise Refused(f"line {number}: longer than {MAX_LINE_BYTES} bytes; not a statement")
    parsed = _parse_lines(numbered)
    student = None
    for (number, _raw), stmt in zip(numbered, parsed):
        problem = check_statement(stmt, k)
        if problem:
            raise Refused(f"line {number}: {problem}")
        name = stmt["actor"]["account"]["name"]
        if student is None:
            student = name
        elif name != student:
            raise Refused(f"line {number}: holds statements of two students ({student} and {name})")
    statements, kept = parsed, [raw for _, raw in numbered]
    if student is None:
        raise Refused("holds no statement")
    named = parse_trace_name(source.name)
    if named is not None and named.student != student:
        raise Refused(f"its name says student {named.student} but its statements are by {student}")
    return Checked(source.label, student, statements, kept, notes)


# --------------------------------------------------------------------------- 3. results


@dataclass
class Encounter:
    """One exam-simulator encounter (one registration): what the student did and got."""

    student: str
    registration: str
    case_id: str
    start: str = ""
    steps: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    hypothesis: str | None = None
    confidence: str | None = None
    confidence_scale: tuple[str, ...] = ()
    chosen: str | None = None
    expected: str | None = None
    correct: bool | None = None
    triage_chosen: str | None = None
    triage_true: str | None = None
    triage_seconds: float | None = None
    completed: bool = False
    verdict: str | None = None
    errors: tuple[str, ...] = ()
    seconds: float | None = None


@dataclass
class StudentResults:
    student: str
    encounters: list[Encounter] = field(default_factory=list)
    pathway_right: int = 0
    pathway_shown: int = 0
    quiz: dict[str, dict[str, bool]] = field(default_factory=dict)
    """notebook -> question id -> the latest answer right?"""
    case_answers: dict[tuple[str, str], str] = field(default_factory=dict)
    """(patient case id, case-study question id) -> the latest answer text."""
    files: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=65536)
def _parts(activity: str) -> tuple[str, ...]:
    return tuple(unquote(p) for p in activity[len(xapi.ACTIVITY_BASE):].split("/"))


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _duration(text: Any) -> float | None:
    m = _DURATION.fullmatch(text) if isinstance(text, str) else None
    if not m:
        return None
    h, mi, s = m.groups()
    return int(h or 0) * 3600 + int(mi or 0) * 60 + float(s or 0)


def _pattern(obj: Mapping[str, Any]) -> str | None:
    pattern = (obj.get("definition") or {}).get("correctResponsesPattern")
    return pattern[0] if isinstance(pattern, list) and pattern and isinstance(pattern[0], str) else None


def student_results(student: str, statements: Iterable[Mapping[str, Any]]) -> StudentResults:
    """One student's results from their statements (already checked), in time order."""
    out = StudentResults(student)
    encounters: dict[str, Encounter] = {}
    quiz_latest: dict[tuple[str, str], tuple[str, bool]] = {}
    for stmt in sorted(statements, key=lambda s: (s["timestamp"], s["id"])):
        verb = _VERBS[stmt["verb"]["id"]]
        obj = stmt["object"]
        parts = _parts(obj["id"])
        res = stmt.get("result") or {}
        context = stmt.get("context") or {}
        registration = context.get("registration") or ""
        kind = parts[0]
        if kind == "patient" and len(parts) >= 2:
            enc = encounters.get(registration)
            if enc is None:
                enc = encounters[registration] = Encounter(student, registration, parts[1], start=stmt["timestamp"])
            tail = parts[2:]
            if not tail:
                if verb == "completed":
                    enc.completed = True
                    ext = res.get("extensions") or {}
                    enc.verdict = ext.get(xapi.EXT["verdict"]) if isinstance(ext.get(xapi.EXT["verdict"]), str) else None
                    errors = ext.get(xapi.EXT["errors"])
                    enc.errors = tuple(e for e in errors if isinstance(e, str)) if isinstance(errors, list) else ()
                    if enc.triage_true is None and isinstance(ext.get(xapi.EXT["triage"]), str):
                        enc.triage_true = ext[xapi.EXT["triage"]]
                    enc.seconds = _duration(res.get("duration"))
                    if isinstance(res.get("success"), bool) and enc.correct is None:
                        enc.correct = res["success"]
            elif tail[0] == "step" and len(tail) == 2:
                (enc.steps if verb == "arrived" else enc.ignored if verb == "ignored" else []).append(tail[1])
            elif tail[0] == "hypothesis" and isinstance(res.get("response"), str):
                enc.hypothesis = res["response"]
            elif tail[0] == "confidence" and isinstance(res.get("response"), str):
                enc.confidence = res["response"]
                scale = (obj.get("definition") or {}).get("scale")
                if isinstance(scale, list):
                    enc.confidence_scale = tuple(s.get("id") for s in scale if isinstance(s, dict) and isinstance(s.get("id"), str))
            elif tail[0] == "interpretation" and verb == "responded" and isinstance(res.get("response"), str):
                enc.chosen = res["response"]
                enc.expected = _pattern(obj) or enc.expected
                if isinstance(res.get("success"), bool):
                    enc.correct = res["success"]
                elif enc.expected is not None:
                    enc.correct = enc.chosen == enc.expected
            elif tail[0] == "triage" and verb == "responded" and isinstance(res.get("response"), str):
                enc.triage_chosen = res["response"]
                enc.triage_true = _pattern(obj) or enc.triage_true
                try:
                    enc.triage_seconds = _seconds(stmt["timestamp"]) - _seconds(enc.start)
                except ValueError:
                    enc.triage_seconds = None
        elif kind == "pathway" and len(parts) == 4 and parts[2] == "step" and verb == "responded":
            out.pathway_shown += 1
            out.pathway_right += res.get("success") is True
        elif kind == "quiz" and len(parts) == 3 and verb == "answered":
            quiz_latest[(parts[1], parts[2])] = (res.get("response", ""), res.get("success") is True)
        elif kind == "case-study" and len(parts) == 3 and verb == "answered":
            response = res.get("response")  # none: the answer was cleared (xAPI allows no empty value)
            out.case_answers[(parts[1], parts[2])] = response if isinstance(response, str) else ""
    for (notebook, question), (_response, right) in sorted(quiz_latest.items()):
        out.quiz.setdefault(notebook, {})[question] = right
    out.encounters = [e for e in encounters.values()]
    return out


@dataclass(frozen=True)
class Column:
    """A gradebook column: its heading and how a student's value is found (a percentage or None)."""

    key: str
    heading: str


@dataclass
class ClassResults:
    students: list[StudentResults]
    columns: tuple[Column, ...]
    grades: dict[str, dict[str, float | None]]
    """student -> column key -> percentage (None: not attempted)."""
    triage_levels: tuple[str, ...]
    triage_matrix: dict[tuple[str, str], int]
    interpretations: tuple[str, ...]
    interpretation_matrix: dict[tuple[str, str], int]
    skipped_warning_signs: list[tuple[str, int]]
    """(step id, encounters that skipped it), most skipped first."""
    reasoning_errors: list[tuple[str, int]]
    confidence: list[tuple[str, int, int]]
    """(confidence level, right, wrong) in the scale's order."""
    triage_times: list[float]
    prompts: list[tuple[str, str, int]]
    """(trigger, prompt text, how many times the error happened), the three commonest."""


@dataclass(frozen=True)
class ReportNames:
    """What the class pages call each id they show, so the pages need no facts: exam steps, triage
    levels, interpretations and reasoning errors by name; case questions (order, prompt); quiz
    questions per notebook, in the notebooks' order."""

    steps: Mapping[str, str]
    levels: Mapping[str, str]
    interpretations: Mapping[str, str]
    errors: Mapping[str, str]
    case_questions: Mapping[str, tuple[int, str]]
    quiz_totals: Mapping[str, int]


def report_names(facts: Facts) -> ReportNames:
    """The names of :class:`ReportNames`, read from the facts."""
    def names(table: str) -> dict[str, str]:
        return {key: row.name for key, row in facts.by_id(table).items()}

    return ReportNames(
        steps=names("exam_steps"), levels=names("triage_levels"), interpretations=names("interpretations"),
        errors=names("reasoning_errors"),
        case_questions={q.id: (q.order, q.prompt) for q in facts.case_questions},
        quiz_totals=dict(Counter(q.notebook for q in facts.quiz_questions)),
    )


def _percent(right: int, total: int) -> float | None:
    return None if total == 0 else round(100.0 * right / total, 1)


def columns(facts: Facts) -> tuple[Column, ...]:
    from spasm_lib.records import NOTEBOOKS

    quizzes = [nb for nb in NOTEBOOKS if any(q.notebook == nb for q in facts.quiz_questions)]
    return (
        Column("exam_right", "Exam simulator: right interpretation (%)"),
        Column("exam_reasoned", "Exam simulator: right and well reasoned (%)"),
        Column("triage_right", "Triage level right (%)"),
        Column("pathway", "Pathway predictions right of those shown (%)"),
        *(Column(f"quiz_{nb}", f"Quiz {nb} (%)") for nb in quizzes),
        Column("case_study", "Case study questions answered (%)"),
    )


def grades_of(facts: Facts, s: StudentResults) -> dict[str, float | None]:
    committed = [e for e in s.encounters if e.chosen is not None]
    triaged = [e for e in s.encounters if e.triage_chosen is not None and e.triage_true is not None]
    out: dict[str, float | None] = {
        "exam_right": _percent(sum(e.correct is True for e in committed), len(committed)),
        "exam_reasoned": _percent(sum(e.correct is True and e.verdict == "correct" for e in committed), len(committed)),
        "triage_right": _percent(sum(e.triage_chosen == e.triage_true for e in triaged), len(triaged)),
        "pathway": _percent(s.pathway_right, s.pathway_shown),
        "case_study": None,
    }
    totals = Counter(q.notebook for q in facts.quiz_questions)
    for notebook, total in totals.items():
        answers = s.quiz.get(notebook)
        out[f"quiz_{notebook}"] = None if not answers else _percent(sum(answers.values()), total)
    if s.case_answers:
        asked = sum(len(case_questions_asked(facts, case)) for case in {c for c, _ in s.case_answers})
        answered = sum(bool(text.strip()) for text in s.case_answers.values())
        out["case_study"] = _percent(answered, asked)
    return out


def case_questions_asked(facts: Facts, case_id: str) -> tuple[str, ...]:
    """The ids of the questions the case study asks about a patient, in its clinical order:
    :func:`spasm_lib.case_study.case_study` (its ``questions``) is the one owner of that list. They
    depend on the triage level only, so one case study per level is built (a class has a thousand
    patients)."""
    from spasm_lib.case_study import case_study
    from spasm_lib.triage import case_triage
    from spasm_lib.virtual_patients import case_for

    case = case_for(facts, case_id)  # a virtual patient's id names its seed
    key = (id(facts), case_triage(facts, case).id)
    known_facts, keys = _ASKED.get(key, (None, ()))
    if known_facts is not facts:  # (the facts object itself is kept, so its id is never reused)
        keys = tuple(q.id for q in case_study(facts, case).questions)
        _ASKED[key] = (facts, keys)
    return keys


_ASKED: dict[tuple[int, str], tuple[Facts, tuple[str, ...]]] = {}


def _level_order(facts: Facts) -> tuple[str, ...]:
    return tuple(t.id for t in sorted(facts.triage_levels, key=lambda t: t.order))


def class_results(facts: Facts, students: Sequence[StudentResults]) -> ClassResults:
    from spasm_lib.exam_findings import RED_FLAG_KIND

    levels = _level_order(facts)
    triage_matrix: Counter = Counter()
    interp_matrix: Counter = Counter()
    skipped: Counter = Counter()
    errors: Counter = Counter()
    confidence: dict[str, list[int]] = {}
    scale: tuple[str, ...] = ()
    times: list[float] = []
    triggers: Counter = Counter()
    warning_steps = {s.id for s in facts.exam_steps if s.kind == RED_FLAG_KIND}
    for s in students:
        for e in s.encounters:
            if e.triage_chosen and e.triage_true:
                triage_matrix[(e.triage_true, e.triage_chosen)] += 1
                if e.triage_true in levels and e.triage_chosen in levels and e.triage_chosen != e.triage_true:
                    triggers["under-triage" if levels.index(e.triage_chosen) > levels.index(e.triage_true) else "over-triage"] += 1
                if e.triage_seconds is not None:
                    times.append(e.triage_seconds)
            if e.chosen and e.expected:
                interp_matrix[(e.expected, e.chosen)] += 1
                if e.chosen != e.expected:
                    triggers["wrong-interpretation"] += 1
            if e.steps:
                missed = sorted(warning_steps - set(e.steps))
                for step in missed:
                    skipped[step] += 1
                if missed:
                    triggers["skipped-warning-signs"] += 1
            for err in dict.fromkeys(e.errors):
                errors[err] += 1
                triggers[err] += 1
            if e.confidence and e.correct is not None:
                confidence.setdefault(e.confidence, [0, 0])[0 if e.correct else 1] += 1
                if len(e.confidence_scale) > len(scale):
                    scale = e.confidence_scale
    by_trigger = {p.trigger: p for p in sorted(facts.discussion_prompts, key=lambda p: p.order)}
    ranked = sorted(((n, t) for t, n in triggers.items() if t in by_trigger),
                    key=lambda nt: (-nt[0], by_trigger[nt[1]].order))
    prompts = [(t, by_trigger[t].prompt, n) for n, t in ranked[:3]]
    order = [c for c in scale if c in confidence] + sorted(c for c in confidence if c not in scale)
    interp_order = [i.id for i in facts.interpretations]
    seen_interp = {k for pair in interp_matrix for k in pair}
    interpretations = tuple([i for i in interp_order if i in seen_interp] + sorted(seen_interp - set(interp_order)))
    cols = columns(facts)
    ordered = sorted(students, key=lambda s: s.student)
    return ClassResults(
        students=ordered,
        columns=cols,
        grades={s.student: grades_of(facts, s) for s in ordered},
        triage_levels=levels,
        triage_matrix=dict(triage_matrix),
        interpretations=interpretations,
        interpretation_matrix=dict(interp_matrix),
        skipped_warning_signs=sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0])),
        reasoning_errors=sorted(errors.items(), key=lambda kv: (-kv[1], kv[0])),
        confidence=[(c, confidence[c][0], confidence[c][1]) for c in order],
        triage_times=sorted(times),
        prompts=prompts,
    )


# --------------------------------------------------------------------------- gradebook


GRADEBOOK_ID_COLUMNS = ("Student", "SIS User ID", "SIS Login ID", "Section")
"""Canvas's gradebook import matches students on "SIS User ID" (or "SIS Login ID"); Moodle's CSV
grade import maps one column ("SIS User ID") to the user's ID number. Both ignore the others."""


def gradebook_csv(results: ClassResults) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*GRADEBOOK_ID_COLUMNS, *(c.heading for c in results.columns)])
    for s in results.students:
        grades = results.grades[s.student]
        row = [s.student, s.student, s.student, ""]
        row += ["" if grades[c.key] is None else f"{grades[c.key]:g}" for c in results.columns]
        writer.writerow([spreadsheet_cell(v) for v in row])
    return out.getvalue()


# --------------------------------------------------------------------------- the whole run


@dataclass
class Report:
    output: Path
    students: int
    files: int
    statements: int
    duplicates: int
    ignored: int
    refused: list[tuple[str, str]]
    notes: list[tuple[str, str]]

    def refused_lines(self) -> list[str]:
        return [f"{label}: {why}" for label, why in self.refused]

    def summary(self) -> str:
        return (f"collected {self.statements} statements of {self.students} students from {self.files} files "
                f"into {self.output} ({len(self.refused)} refused, {self.duplicates} duplicate statements counted "
                f"once, {self.ignored} other files ignored)")

    def text(self) -> str:
        """The report file: the summary without the output's path (the same inputs give the same bytes)."""
        lines = [self.summary().replace(f" into {self.output}", ""), ""]
        lines += ["Refused (not counted):"] + [f"  {line}" for line in self.refused_lines()] if self.refused else ["Refused: none"]
        if self.notes:
            lines += ["", "Notes:"] + [f"  {label}: {why}" for label, why in self.notes]
        return "\n".join(lines) + "\n"


def read_class(facts: Facts, paths: Sequence[str | Path], k: Known) -> tuple[list[Checked], Report, list[bytes]]:
    """Gather, check and de-duplicate: the accepted files, the report so far, the merged lines."""
    gathered = gather(paths)
    refused = list(gathered.refused)
    notes: list[tuple[str, str]] = []
    accepted: list[Checked] = []
    seen: dict[str, bytes] = {}
    merged: list[bytes] = []
    duplicates = 0
    for source in gathered.sources:
        try:
            checked = check_file(source, k)
        except Refused as why:
            refused.append((source.label, str(why)))
            continue
        fresh_statements, fresh_lines, conflict = [], [], None
        for stmt, raw in zip(checked.statements, checked.lines):
            before = seen.get(stmt["id"])
            if before is None:
                fresh_statements.append(stmt)
                fresh_lines.append(raw)
            elif json.loads(before) != stmt:
                conflict = f"statement {stmt['id']} was already read with other content"
                break
            else:
                duplicates += 1
        if conflict:
            refused.append((source.label, conflict))
            continue
        for stmt, raw in zip(fresh_statements, fresh_lines):
            seen[stmt["id"]] = raw
        merged.extend(fresh_lines)
        checked.statements, checked.lines = fresh_statements, fresh_lines
        notes += [(source.label, n) for n in checked.notes]
        accepted.append(checked)
    report = Report(Path(), len({c.student for c in accepted}), len(accepted), len(merged), duplicates,
                    gathered.ignored, refused, notes)
    return accepted, report, merged


def _fork_context() -> Any:
    """The ``fork`` start method where there is one and two cores or more, else None."""
    import multiprocessing

    if (os.cpu_count() or 1) < 2:
        return None
    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return None


_FORKED: dict[int, tuple[Facts, Known, list[Source]]] = {}
"""What the forked checkers read: the facts hold mapping proxies, which do not pickle, and the
files' bytes need not travel (a forked process has them already)."""


_Outcome = tuple[str | None, list[str], list[str], str | None, bool]
"""What checking one file gave: its student, notes, statement ids, why it is refused (or None),
and whether its lines are the whole file (each line a statement, as written: no blank line, no
white space stripped, no half-written line left out)."""


def _check_part(key: int, indices: Sequence[int]) -> tuple[dict[int, _Outcome], dict[str, StudentResults],
                                                            dict[str, bytes], set]:
    """In a forked process: check the files ``indices``; give back each file's :data:`_Outcome`,
    and each student's results from all of the student's files here, with the student's page. The
    parsed statements stay here (sending them back would cost what parsing did)."""
    from spasm_lib.views.class_report import student_page_of

    facts, k, sources = _FORKED[key]
    outcomes: dict[int, _Outcome] = {}
    statements: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i in indices:
        try:
            checked = check_file(sources[i], k)
        except Refused as why:
            outcomes[i] = (None, [], [], str(why), False)
            continue
        whole = b"\n".join(checked.lines) + b"\n" == sources[i].data
        outcomes[i] = (checked.student, checked.notes, [stmt["id"] for stmt in checked.statements], None, whole)
        statements[checked.student].extend(checked.statements)
    results = {student: student_results(student, got) for student, got in statements.items()}
    del statements
    cols = columns(facts)
    names = report_names(facts)
    pages = {student: student_page_of(names, s, grades_of(facts, s), cols).markup.encode("utf-8")
             for student, s in results.items()}
    return outcomes, results, pages, k.met_virtuals


def _halves(sources: Sequence[Source]) -> tuple[list[int], list[int]]:
    """The files in two groups of about equal bytes, each student's files (by file name) in one."""
    from spasm_lib.trace import parse_trace_name

    by_student: dict[str, list[int]] = {}
    for i, source in enumerate(sources):
        named = parse_trace_name(source.name)
        by_student.setdefault(named.student if named else source.label, []).append(i)
    halves: tuple[list[int], list[int]] = ([], [])
    sizes = [0, 0]
    for indices in by_student.values():
        side = 0 if sizes[0] <= sizes[1] else 1
        halves[side].extend(indices)
        sizes[side] += sum(len(sources[i].data) for i in indices)
    return sorted(halves[0]), sorted(halves[1])


def _read_class_forked(facts: Facts, paths: Sequence[str | Path], k: Known,
                       the_class: tuple[int | None, int | None, str | None]
                       ) -> tuple[list[Checked], Report, list[bytes], ClassResults | None, dict[str, bytes]]:
    """:func:`read_class` and the per-student results on two cores: two forked processes check
    half the files each (a student's files together) and send back statement ids and results, not
    statements; this process draws the class set meanwhile, then merges in the files' order exactly
    as :func:`read_class` does. A student whose files were split, or who lost a statement to a
    duplicate or a file to a conflict, has their results made again here from their lines. If a
    virtual patient met is not in the class set, everything is checked again here with the set
    (the refusals then come out as :func:`read_class` gives them). The accepted files come back
    without their statements, and the students' pages drawn there (their file names: student id
    and ``.html``)."""
    from dataclasses import replace

    gathered = gather(paths)
    sources = gathered.sources
    key = id(gathered)
    _FORKED[key] = (facts, k, sources)
    try:
        with concurrent.futures.ProcessPoolExecutor(2, mp_context=_fork_context()) as pool:
            parts = [pool.submit(_check_part, key, half) for half in _halves(sources) if half]
            class_seed, students, mix = the_class
            virtuals = class_set(facts, class_seed, students, mix) if class_seed is not None else None
            done = [part.result() for part in parts]
    finally:
        _FORKED.pop(key, None)
    outcomes: dict[int, _Outcome] = {}
    worked: dict[str, StudentResults] = {}
    drawn: dict[str, bytes] = {}
    split: set[str] = set()
    met: set[str] = set()
    for part_outcomes, part_results, part_pages, part_met in done:
        outcomes.update(part_outcomes)
        split.update(student for student in part_results if student in worked)
        worked.update(part_results)
        drawn.update(part_pages)
        met |= part_met
    if virtuals is not None and not met <= virtuals:
        k = replace(k, class_virtuals=virtuals, class_pending=False, seen={}, registrations=set(), met_virtuals=set())
        accepted, report, merged = read_class(facts, paths, k)
        return accepted, report, merged, None, {}

    @functools.lru_cache(maxsize=None)
    def lines_of(i: int) -> list[bytes]:
        return [raw for _, raw in _numbered_lines(sources[i])[0]]

    refused = list(gathered.refused)
    notes: list[tuple[str, str]] = []
    accepted: list[Checked] = []
    seen: dict[str, tuple[int, int]] = {}
    """statement id -> (file, line): where it was first read."""
    merged: list[bytes] = []
    """The fresh lines, a file's run of lines at a time (joined by newlines)."""
    fresh_of: list[tuple[str, int, list[bytes] | None]] = []
    """Per accepted file: its student, the file, and its fresh lines (None: all its lines)."""
    count = duplicates = 0
    redo = set(split)
    for i, source in enumerate(sources):
        student, file_notes, ids, why, whole = outcomes[i]
        if why is not None:
            refused.append((source.label, why))
            continue
        if not any(sid in seen for sid in ids):  # the usual file: every statement new
            for n, sid in enumerate(ids):
                seen[sid] = (i, n)
            merged.append(source.data[:-1] if whole else b"\n".join(lines_of(i)))
            fresh: list[bytes] | None = None
            count += len(ids)
        else:
            lines = lines_of(i)
            fresh, fresh_at, conflict = [], [], None
            for n, (sid, raw) in enumerate(zip(ids, lines)):
                before = seen.get(sid)
                if before is None:
                    fresh.append(raw)
                    fresh_at.append((sid, n))
                elif json.loads(lines_of(before[0])[before[1]]) != json.loads(raw):
                    conflict = f"statement {sid} was already read with other content"
                    break
                else:
                    duplicates += 1
            if conflict:
                refused.append((source.label, conflict))
                redo.add(student)
                continue
            redo.add(student)
            for sid, n in fresh_at:
                seen[sid] = (i, n)
            if fresh:
                merged.append(b"\n".join(fresh))
            count += len(fresh)
        notes += [(source.label, n) for n in file_notes]
        accepted.append(Checked(source.label, student, [], [], file_notes))
        fresh_of.append((student, i, fresh))
    report = Report(Path(), len({c.student for c in accepted}), len(accepted), count, duplicates,
                    gathered.ignored, refused, notes)
    files: dict[str, list[str]] = defaultdict(list)
    for checked in accepted:
        files[checked.student].append(checked.label)
    students = []
    for student, labels in files.items():
        if student in redo:
            lines = [raw for who, i, fresh in fresh_of if who == student for raw in (lines_of(i) if fresh is None else fresh)]
            s = student_results(student, [json.loads(raw) for raw in lines])
        else:
            s = worked[student]
        s.files = labels
        students.append(s)
    pages = {f"{student}.html": page for student, page in drawn.items() if student in files and student not in redo}
    return accepted, report, merged, class_results(facts, students), pages


def results_of(facts: Facts, accepted: Sequence[Checked]) -> ClassResults:
    by_student: dict[str, list[dict[str, Any]]] = defaultdict(list)
    files: dict[str, list[str]] = defaultdict(list)
    for checked in accepted:
        by_student[checked.student].extend(checked.statements)
        files[checked.student].append(checked.label)
    students = []
    for student, statements in by_student.items():
        s = student_results(student, statements)
        s.files = files[student]
        students.append(s)
    return class_results(facts, students)


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


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
        return True
    except ValueError:
        return False


def collect(paths: Sequence[str | Path], output: str | Path, *, class_seed: int | None = None,
            students: int | None = None, facts: Facts | None = None, now: datetime | None = None,
            mix: str | None = None) -> Report:
    """Read the class's traces under ``paths`` and write the report folder ``output``."""
    from spasm_lib.facts import load_facts
    from spasm_lib.set_folder import SetFolder, SetFolderError
    from spasm_lib.views import class_report

    output = Path(output)
    for raw in paths:
        p = Path(raw)
        if p.is_dir() and (_inside(output, p) or _inside(p, output)):
            raise CollectError(f"-o {output} is inside the input folder {p} (or holds it); the input is never "
                               "written to: choose a report folder elsewhere")
        if p.exists() and output.exists() and p.resolve() == output.resolve():
            raise CollectError(f"-o {output} is an input; choose another report folder")
    if students is not None and class_seed is None:
        raise CollectError("--students needs --class-seed (the seed of the class's handouts)")
    facts = facts or load_facts()
    with _no_gc_pauses():
        return _collect_into(facts, paths, output, (class_seed, students, now, mix))


def _collect_into(facts: Facts, paths: Sequence[str | Path], output: Path,
                  the_class: tuple[int | None, int | None, datetime | None, str | None]) -> Report:
    """Read, check, render and write; everything but the report is freed on return (see
    :func:`_no_gc_pauses`). On two cores or more the files are checked by two processes
    (:func:`_read_class_forked`) while this one draws the class set."""
    from spasm_lib.set_folder import SetFolder, SetFolderError
    from spasm_lib.views import class_report

    class_seed, students, now, mix = the_class
    if _fork_context() is None:
        k = known(facts, class_seed, students, now, mix)
        accepted, report, merged = read_class(facts, paths, k)
        results, pages = None, {}
    else:
        k = known(facts, class_seed, students, now, mix, pending=True)
        accepted, report, merged, results, pages = _read_class_forked(facts, paths, k, (class_seed, students, mix))
    if not accepted and not report.refused:
        raise CollectError(f"no trace files (spasm-trace_*.jsonl, or zips of them) in {', '.join(map(str, paths))}")
    if results is None:
        results = results_of(facts, accepted)
    del accepted
    report.output = output
    top: dict[str, bytes] = {
        GRADEBOOK: gradebook_csv(results).encode("utf-8"),
        STATEMENTS: b"\n".join(merged) + b"\n" if merged else b"",
        CLASS_PAGE: class_report.class_page(report_names(facts), results, report).markup.encode("utf-8"),
        REPORT: report.text().encode("utf-8"),
    }
    del merged
    names = report_names(facts)
    pages = {name: pages.get(name) or class_report.student_page(names, s, results).markup.encode("utf-8")
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
    nothing. ``students`` > 0 checks virtual patients against the class set of ``class_seed``."""
    from spasm_lib.facts import load_facts
    from spasm_lib.html import Html, join
    from spasm_lib.views import class_report

    facts = facts or load_facts()
    if not str(traces).strip():
        return Html("<p>No class yet: run this notebook with the parameter <code>traces</code> set to the "
                    "folder (or zip) of your students' trace files, for example "
                    "<code>spasm-teach render 05_class_debrief -p traces traces/ -o debrief.html</code>.</p>",
                    "class debrief")
    k = known(facts, class_seed if students else None, students or None)
    accepted, report, _lines = read_class(facts, [traces], k)
    return join(class_report.class_sections(report_names(facts), results_of(facts, accepted), report, top=3),
                "class debrief")
