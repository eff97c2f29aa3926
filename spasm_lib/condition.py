"""What a back spasm is, how it works, how it feels and how it unfolds over hours (source paragraph 1).

The first notebook teaches the condition before anything else, so a student meets the words
(spasm, contraction, nerve root) the later notebooks use. The pain course is *schematic*: the source
says only that people can often carry on at first and that after a few hours pain grows until movement
is hard, so its points are flagged illustrative and carry no clinical numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from spasm_lib import records as R
from spasm_lib.facts import Facts

ASPECT_TITLES = {
    "definition": "Definition",
    "mechanism": "Mechanism",
    "symptom": "Symptoms",
    "time-course": "Time course",
}
"""Section titles of the condition, in teaching order."""


def condition_facts(facts: Facts, aspect: str | None = None) -> tuple[R.ConditionFact, ...]:
    """The statements about the condition in teaching order, optionally of one aspect only."""
    if aspect is not None and aspect not in R.CONDITION_ASPECTS:
        raise ValueError(f"unknown aspect '{aspect}'; expected one of: {', '.join(R.CONDITION_ASPECTS)}")
    rows = (f for f in facts.condition if aspect is None or f.aspect == aspect)
    return tuple(sorted(rows, key=lambda f: f.order))


@dataclass(frozen=True)
class PainCourse:
    """The schematic pain curve: its points in hour order and what the figure says they are not."""

    points: tuple[R.PainCoursePoint, ...]
    note: str
    """That the curve is illustrative, the source giving no numbers (``teaching_text.csv``, row
    ``pain-course-no-numbers``): the plot, the caption and the alt text say it."""


def pain_course(facts: Facts) -> PainCourse:
    """The illustrative points of the pain curve, in hour order (file order breaks ties), with its note."""
    return PainCourse(tuple(sorted(facts.pain_course, key=lambda p: p.hour)),
                      facts.by_id("teaching_text")["pain-course-no-numbers"].text)


def phases(points: tuple[R.PainCoursePoint, ...]) -> tuple[tuple[str, float, float], ...]:
    """Consecutive runs of one phase as ``(phase, first hour, last hour)``, in hour order."""
    runs: list[list] = []
    for p in points:
        if runs and runs[-1][0] == p.phase:
            runs[-1][2] = p.hour
        else:
            runs.append([p.phase, p.hour, p.hour])
    return tuple((name, start, end) for name, start, end in runs)
