"""The typed tables: which tables ``data/`` holds (:data:`TABLES`), each record type's CSV columns, and
:class:`Facts`, every table as typed records.

Why apart from the loader (:mod:`spasm_lib.facts`): the logic that checks a patient
(:mod:`spasm_lib.coherence`, :mod:`spasm_lib.triage`) takes a ``Facts`` and is itself called by the
loader; with the type here, the loader imports the logic and the logic imports nothing back.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Union

from spasm_lib import records as R

if TYPE_CHECKING:  # pragma: no cover
    import pandas

PROVENANCE_FIELDS = ("source_paragraph", "reference_ids")


# --------------------------------------------------------------------------- which tables there are

TABLES: dict[str, type] = {
    "references": R.Reference,
    "condition": R.ConditionFact,
    "pain_course": R.PainCoursePoint,
    "risk_factors": R.RiskFactor,
    "sports": R.Sport,
    "exam_steps": R.ExamStep,
    "interpretations": R.Interpretation,
    "findings": R.Finding,
    "triage_levels": R.TriageLevel,
    "red_flags": R.RedFlag,
    "yellow_flags": R.YellowFlag,
    "presentations": R.Presentation,
    "presentation_stories": R.PresentationStory,
    "cases": R.Case,
    "case_questions": R.CaseQuestion,
    "treatments": R.Treatment,
    "evidence_checks": R.EvidenceCheck,
    "pathway_steps": R.PathwayStep,
    "glossary": R.GlossaryTerm,
    "learning_objectives": R.LearningObjective,
    "quiz_questions": R.QuizQuestion,
    "quiz_options": R.QuizOption,
    "discussion_prompts": R.DiscussionPrompt,
    "source_claims": R.SourceClaim,
    "reasoning_errors": R.ReasoningError,
    "teaching_text": R.TeachingText,
}
"""Table name -> record class (:mod:`spasm_lib.records`). The file of table ``t`` is ``data/t.csv``. Beside
:class:`Facts`, which has a field for each: a table added is added to both, here."""


# --------------------------------------------------------------------------- column schema


@dataclass(frozen=True)
class Column:
    """How to read one CSV column, derived from a dataclass field of :mod:`spasm_lib.records`."""

    name: str
    kind: str  # "str", "int", "float", "bool" or "list"
    optional: bool
    rules: Mapping[str, Any]


def _column(f: dataclasses.Field, hint: Any) -> Column:
    optional = False
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        optional, hint = True, args[0]
        origin = typing.get_origin(hint)
    if origin is tuple:
        kind, optional = "list", True
    else:
        kind = {str: "str", int: "int", float: "float", bool: "bool"}[hint]
    return Column(f.name, kind, optional, f.metadata)


@cache
def columns(record_type: type) -> tuple[Column, ...]:
    """The columns of a table, in display order: id first, provenance last."""
    hints = typing.get_type_hints(record_type)
    cols = [_column(f, hints[f.name]) for f in dataclasses.fields(record_type)]
    cols.sort(key=lambda c: (c.name != "id", c.name in PROVENANCE_FIELDS))
    return tuple(cols)


# --------------------------------------------------------------------------- the Facts object


@dataclass(frozen=True)
class Facts:
    """Every table of ``data/`` as tuples of typed, immutable records, in file order."""

    references: tuple[R.Reference, ...]
    condition: tuple[R.ConditionFact, ...]
    pain_course: tuple[R.PainCoursePoint, ...]
    risk_factors: tuple[R.RiskFactor, ...]
    sports: tuple[R.Sport, ...]
    exam_steps: tuple[R.ExamStep, ...]
    interpretations: tuple[R.Interpretation, ...]
    findings: tuple[R.Finding, ...]
    triage_levels: tuple[R.TriageLevel, ...]
    red_flags: tuple[R.RedFlag, ...]
    yellow_flags: tuple[R.YellowFlag, ...]
    presentations: tuple[R.Presentation, ...]
    presentation_stories: tuple[R.PresentationStory, ...]
    cases: tuple[R.Case, ...]
    case_questions: tuple[R.CaseQuestion, ...]
    treatments: tuple[R.Treatment, ...]
    evidence_checks: tuple[R.EvidenceCheck, ...]
    pathway_steps: tuple[R.PathwayStep, ...]
    glossary: tuple[R.GlossaryTerm, ...]
    learning_objectives: tuple[R.LearningObjective, ...]
    quiz_questions: tuple[R.QuizQuestion, ...]
    quiz_options: tuple[R.QuizOption, ...]
    source_claims: tuple[R.SourceClaim, ...]
    reasoning_errors: tuple[R.ReasoningError, ...]
    discussion_prompts: tuple[R.DiscussionPrompt, ...]
    teaching_text: tuple[R.TeachingText, ...]
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    def table(self, name: str) -> tuple:
        """The records of a table by name; kebab-case (``risk-factors``) is accepted too."""
        return getattr(self, table_name(name))

    def by_id(self, name: str) -> Mapping[str, Any]:
        """The records of a table keyed by id (built once per table)."""
        key = table_name(name)
        if key not in self._index:
            self._index[key] = types.MappingProxyType({r.id: r for r in self.table(key)})
        return self._index[key]

    def frame(self, name: str) -> pandas.DataFrame:
        """A table as a DataFrame for display and filtering.

        Columns are in display order (id first, provenance last); list cells are joined with "; "
        and empty optional cells are "", so the frame prints the way the CSV reads.
        """
        from spasm_lib.browser_packages import require

        pandas = require("pandas")  # in the browser kernel, fetched on first use

        key = table_name(name)
        cols = [c.name for c in columns(TABLES[key])]
        rows = [[_display(getattr(r, c)) for c in cols] for r in self.table(key)]
        return pandas.DataFrame(rows, columns=cols)


def _display(value: Any) -> Any:
    if isinstance(value, tuple):
        return "; ".join(value)
    if value is None:
        return ""
    return value


def table_name(name: str) -> str:
    """Normalise ``risk-factors`` or ``risk_factors`` to the table name; a clear error otherwise."""
    key = name.replace("-", "_")
    if key not in TABLES:
        allowed = ", ".join(t.replace("_", "-") for t in TABLES)
        raise ValueError(f"unknown table '{name}'; expected one of: {allowed}")
    return key
