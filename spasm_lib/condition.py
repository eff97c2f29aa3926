"""What a back spasm is, how it works, how it feels and how it unfolds over hours (source paragraph 1).

The first notebook teaches the condition before anything else, so a student meets the words
(spasm, contraction, nerve root) the later notebooks use. The pain course is *schematic*: the source
says only that people can often carry on at first and that after a few hours pain grows until movement
is hard, so its points are flagged illustrative and carry no clinical numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spasm_lib import records as R
from spasm_lib import vocabulary as V
from spasm_lib.evidence import Sourced, provenance_label
from spasm_lib.tables import Facts

ASPECT_TITLES = {
    "definition": "Definition",
    "mechanism": "Mechanism",
    "symptom": "Symptoms",
    "time-course": "Time course",
}
"""Section titles of the condition, in teaching order."""


def condition_facts(facts: Facts, aspect: str | None = None) -> tuple[R.ConditionFact, ...]:
    """The statements about the condition in teaching order, optionally of one aspect only."""
    if aspect is not None and aspect not in V.CONDITION_ASPECTS:
        raise ValueError(f"unknown aspect '{aspect}'; expected one of: {', '.join(V.CONDITION_ASPECTS)}")
    rows = (f for f in facts.condition if aspect is None or f.aspect == aspect)
    return tuple(sorted(rows, key=lambda f: f.order))


@dataclass(frozen=True)
class ConditionSection:
    """One aspect of the condition (its title) and its statements, each with where it comes from."""

    title: str
    statements: tuple[Sourced, ...]


def condition(facts: Facts) -> tuple[ConditionSection, ...]:
    """The condition in teaching order, one section per aspect that has statements."""
    sections = (
        ConditionSection(title, tuple(Sourced(row.statement, provenance_label(facts, row))
                                      for row in condition_facts(facts, aspect)))
        for aspect, title in ASPECT_TITLES.items()
    )
    return tuple(s for s in sections if s.statements)


@dataclass(frozen=True)
class PainCourse:
    """The schematic pain curve, ready for a figure: its points in hour order, its phases as runs,
    the highest point and the source paragraphs the points restate."""

    points: tuple[R.PainCoursePoint, ...]
    phases: tuple[tuple[str, float, float], ...]
    """Consecutive runs of one phase as ``(phase, first hour, last hour)`` (:func:`phases`)."""
    peak: R.PainCoursePoint
    paragraphs: tuple[int, ...]
    note: str
    """That the curve is illustrative, the source giving no numbers (``teaching_text.csv``, row
    ``pain-course-no-numbers``): the plot, the caption and the alt text say it."""


def pain_course(facts: Facts) -> PainCourse:
    """The illustrative pain curve of ``data/pain_course.csv`` (hour order; file order breaks ties)."""
    return pain_course_of(facts.pain_course, facts.by_id("teaching_text")["pain-course-no-numbers"].text)


def pain_course_of(points: Iterable[R.PainCoursePoint], note: str) -> PainCourse:
    """The pain curve of any points (at least one), sorted by hour."""
    pts = tuple(sorted(points, key=lambda p: p.hour))
    if not pts:
        raise ValueError("the pain course needs at least one point")
    return PainCourse(
        points=pts,
        phases=phases(pts),
        peak=max(pts, key=lambda p: p.relative_pain),
        paragraphs=tuple(sorted({p.source_paragraph for p in pts if p.source_paragraph is not None})),
        note=note,
    )


def phases(points: tuple[R.PainCoursePoint, ...]) -> tuple[tuple[str, float, float], ...]:
    """Consecutive runs of one phase as ``(phase, first hour, last hour)``, in hour order."""
    runs: list[list] = []
    for p in points:
        if runs and runs[-1][0] == p.phase:
            runs[-1][2] = p.hour
        else:
            runs.append([p.phase, p.hour, p.hour])
    return tuple((name, start, end) for name, start, end in runs)
