"""Each trace file checked, for :mod:`spasm_lib.collect`: accepted whole or refused whole, with the
first reason.

A file is refused for a line that is not JSON (or nests deeper than Python parses), a statement
without the xAPI shape this package writes (UUID id, an Agent with an account, a known verb, a
``urn:spasm-teach:`` activity, an ISO 8601 timestamp between 2000 and tomorrow), another student's
statements in the same file, a notebook, question, option, step or patient unknown to ``data/``, or
a virtual patient that is not in the class set of ``--class-seed``. A half-written last line (a
notebook stopped mid-write) is dropped with a note, not a refusal.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from spasm_lib import xapi
from spasm_lib.collect_files import Source
from spasm_lib.collect_results import VERB_NAMES, activity_parts, case_questions_asked
from spasm_lib.tables import Facts
from spasm_lib.virtual_patients import virtual_seed

MAX_LINE_BYTES = 256 * 1024
"""One statement (a line of a trace file)."""

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TIME = re.compile(r"(\d{4}-\d\d-\d\d)T\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)")


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
    from spasm_lib.vocabulary import NOTEBOOKS

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
    """One accepted file: its student and statements, and whether its lines are the whole file as
    written (each line a statement: no blank line, no white space stripped, no half-written line)."""

    label: str
    student: str
    statements: list[dict[str, Any]]
    notes: list[str]
    whole: bool


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
    parts = activity_parts(oid)
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
        usual = (stmt["actor"] == k.seen.get("actor") and stmt["verb"]["id"] in VERB_NAMES
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
    if not isinstance(verb, dict) or verb.get("id") not in VERB_NAMES:
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
    """Every line's JSON value, line by line, naming the first bad line (its number in the file)."""
    values = []
    for number, raw in numbered:
        try:
            values.append(json.loads(raw))
        except RecursionError:
            raise Refused(f"line {number}: JSON nested too deeply") from None
        except (UnicodeDecodeError, ValueError):
            raise Refused(f"line {number}: not JSON") from None
    return values


_SCAN = json.JSONDecoder().scan_once
"""The json module's own scanner (C), as :func:`json.loads` uses it: one JSON value at a position."""


def _values_as_written(data: bytes) -> list[dict[str, Any]] | None:
    """Each line's JSON object, when the file is as this package writes it: UTF-8, every line one
    JSON object with nothing around it, each line ended by a newline, none longer than
    :data:`MAX_LINE_BYTES`; then the file goes into ``statements.jsonl`` as it is. None otherwise
    (:func:`check_file` then reads it line by line, to name the first bad line). Why: one scan over
    the file's text costs less than a :func:`json.loads` per line, and where each value ends proves
    that it is the whole line (JSON text holds no raw newline inside a string)."""
    if not data.endswith(b"\n") or (len(data) > MAX_LINE_BYTES and max(map(len, data.split(b"\n"))) > MAX_LINE_BYTES):
        return None
    try:
        text = data.decode("utf-8")
        values, pos, size = [], 0, len(text)
        while pos < size:
            value, end = _SCAN(text, pos)
            if end != text.find("\n", pos) or type(value) is not dict:  # (a value over two lines: not one line each)
                return None
            values.append(value)
            pos = end + 1
    except (StopIteration, RecursionError, ValueError, IndexError):
        return None
    return values


def statement_lines(source: Source) -> tuple[list[tuple[int, bytes]], list[str]]:
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

    parsed = _values_as_written(source.data)
    if parsed is not None:
        numbers: Sequence[int] = range(1, len(parsed) + 1)
        notes: list[str] = []
    else:
        numbered, notes = statement_lines(source)
        long = next((n for n, raw in numbered if len(raw) > MAX_LINE_BYTES), None)
        if long is not None:
            raise Refused(f"line {long}: longer than {MAX_LINE_BYTES} bytes; not a statement")
        parsed = _parse_lines(numbered)
        numbers = [n for n, _ in numbered]
    student = None
    for number, stmt in zip(numbers, parsed):
        problem = check_statement(stmt, k)
        if problem:
            raise Refused(f"line {number}: {problem}")
        name = stmt["actor"]["account"]["name"]
        if student is None:
            student = name
        elif name != student:
            raise Refused(f"line {number}: holds statements of two students ({student} and {name})")
    if student is None:
        raise Refused("holds no statement")
    named = parse_trace_name(source.name)
    if named is not None and named.student != student:
        raise Refused(f"its name says student {named.student} but its statements are by {student}")
    return Checked(source.label, student, parsed, notes, whole=notes == [] and isinstance(numbers, range))
