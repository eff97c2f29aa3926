"""A student's own record: what they did in each notebook, read back from their trace files.

Why: the trace is theirs first. "My progress" in notebook 00 shows, per notebook, what was done and
the score, with the encounters listed (each patient examined, each walk, each case study), from the
statements the notebooks recorded (:mod:`spasm_lib.trace`). Pure: statements in, a summary out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from spasm_lib import vocabulary as V
from spasm_lib import xapi
from spasm_lib.trace import object_id


@dataclass(frozen=True)
class EncounterSummary:
    """One encounter (one registration): the activity, when it started, whether finished, the score."""

    name: str
    started: str
    """The timestamp of its first statement (UTC, as recorded)."""
    finished: bool
    score: tuple[float, float] | None
    """(raw, max) of its ``completed`` statement, if any."""
    errors: tuple[str, ...]
    """Reasoning error ids its debrief named (exam encounters)."""


@dataclass(frozen=True)
class NotebookProgress:
    stem: str
    statements: int
    encounters: tuple[EncounterSummary, ...]
    quiz_right: int
    quiz_answered: int
    """Questions answered (latest answer each) and how many of those are right."""


@dataclass(frozen=True)
class Progress:
    student: str
    notebooks: tuple[NotebookProgress, ...]
    problems: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not any(n.statements for n in self.notebooks)


def _get(d: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, Mapping):
            return None
        d = d.get(k)
    return d


def _notebook_of(stmt: Mapping[str, Any]) -> str | None:
    value = _get(stmt, "context", "extensions", xapi.EXT["notebook"])
    return value if isinstance(value, str) else None


def progress(student: str, statements: Iterable[Mapping[str, Any]], problems: Iterable[str] = ()) -> Progress:
    """Per classroom notebook (in course order, then any other stem met): counts, quiz, encounters."""
    by_notebook: dict[str, list[Mapping[str, Any]]] = {}
    for stmt in statements:
        stem = _notebook_of(stmt)
        if stem:
            by_notebook.setdefault(stem, []).append(stmt)
    order = list(V.NOTEBOOKS) + sorted(set(by_notebook) - set(V.NOTEBOOKS))
    return Progress(student, tuple(_one(stem, by_notebook.get(stem, [])) for stem in order), tuple(problems))


def _one(stem: str, stmts: list[Mapping[str, Any]]) -> NotebookProgress:
    groups: dict[str, list[Mapping[str, Any]]] = {}
    latest_quiz: dict[str, bool] = {}
    for s in stmts:
        reg = _get(s, "context", "registration")
        if isinstance(reg, str):
            groups.setdefault(reg, []).append(s)
        if _get(s, "verb", "id") == xapi.VERBS["answered"] and _get(s, "object", "definition", "type") == \
                xapi.ACTIVITY_TYPES["cmi.interaction"] and (object_id(s) or "").startswith(xapi.activity_id("quiz", "")):
            success = _get(s, "result", "success")
            if isinstance(success, bool):
                latest_quiz[object_id(s) or ""] = success
    encounters = []
    for members in groups.values():
        first = members[0]
        main = next((m for m in members if _get(m, "verb", "id") in (xapi.VERBS["initialized"], xapi.VERBS["completed"])), first)
        name = _get(main, "object", "definition", "name", xapi.LANG) or object_id(main) or "activity"
        done = [m for m in members if _get(m, "verb", "id") == xapi.VERBS["completed"]]
        score = None
        if done:
            raw, top = _get(done[-1], "result", "score", "raw"), _get(done[-1], "result", "score", "max")
            if isinstance(raw, (int, float)) and isinstance(top, (int, float)) and top > 0:
                score = (raw, top)
        errs = _get(done[-1], "result", "extensions", xapi.EXT["errors"]) if done else None
        stamp = first.get("timestamp")
        encounters.append(EncounterSummary(
            str(name), stamp if isinstance(stamp, str) else "", bool(done), score,
            tuple(e for e in errs if isinstance(e, str)) if isinstance(errs, list) else (),
        ))
    return NotebookProgress(stem, len(stmts), tuple(encounters), sum(latest_quiz.values()), len(latest_quiz))
