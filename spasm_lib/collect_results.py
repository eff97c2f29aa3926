"""A collected class's results: per student (encounters, pathway predictions, the latest answer to
every quiz and case-study question), per class (the matrices and counts of the debrief), and the
gradebook, for :mod:`spasm_lib.collect`.

Pure data from statements already checked (:mod:`spasm_lib.collect_checks`);
:mod:`spasm_lib.views.class_report` renders them.
"""

from __future__ import annotations

import csv
import functools
import io
import operator
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from spasm_lib import xapi
from spasm_lib.tables import Facts
from spasm_lib.files import spreadsheet_cell

VERB_NAMES = {iri: name for name, iri in xapi.VERBS.items()}
"""A verb's IRI -> this package's name for it (the verbs :mod:`spasm_lib.xapi` writes)."""
_TIME_ORDER = operator.itemgetter("timestamp", "id")
"""A statement's place in a student's story: its time, then its id (the same time twice is possible)."""
_DURATION = re.compile(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?")


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
def activity_parts(activity: str) -> tuple[str, ...]:
    """An activity id's parts after ``urn:spasm-teach:`` (``patient``, a case id, ``step``, ...),
    each unquoted. Cached: the check of a statement and its student's results read the same ids."""
    tail = activity[len(xapi.ACTIVITY_BASE):].split("/")
    return tuple(unquote(p) for p in tail) if "%" in activity else tuple(tail)


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
    for stmt in sorted(statements, key=_TIME_ORDER):
        verb = VERB_NAMES[stmt["verb"]["id"]]
        obj = stmt["object"]
        parts = activity_parts(obj["id"])
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


@dataclass
class Report:
    """What a collect run took in and refused (the report file, the summary line, stderr's lines)."""

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
    from spasm_lib.vocabulary import NOTEBOOKS

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


def class_results(facts: Facts, students: Sequence[StudentResults],
                  grades: Mapping[str, dict[str, float | None]] | None = None) -> ClassResults:
    """The class's matrices and counts; ``grades``: each student's :func:`grades_of` where already made."""
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
        grades={s.student: grades[s.student] if grades and s.student in grades else grades_of(facts, s)
                for s in ordered},
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
