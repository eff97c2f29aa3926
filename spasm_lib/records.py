"""Typed, immutable records: one frozen dataclass per table in ``data/``.

Each dataclass *is* the schema of its CSV file. The loader (:mod:`spasm_lib.facts`) reads the field
types and the ``field(metadata=...)`` rules below to parse and validate every cell, so a column is
declared once, here, and nowhere else.

Cell conventions (documented for data authors in ``data/README.md``):

* ``str`` - required text; ``str | None`` - optional text (empty cell means None).
* ``int`` / ``float`` - numbers; ``int | None`` - optional number.
* ``bool`` - ``yes`` or ``no``.
* ``tuple[str, ...]`` - a list separated by ``;`` (spaces around items are stripped).
* ``metadata={"choices": ...}`` - the value (or every list item) must be one of the choices (a
  vocabulary of :mod:`spasm_lib.vocabulary`).
* ``metadata={"ref": "table"}`` - the value (or every list item) must be an id in that table.

Which tables there are, and the file of each, is ``TABLES`` in :mod:`spasm_lib.tables`.

Provenance: every table except ``references`` carries ``source_paragraph`` (1 to 5, the paragraph of
the source text the row restates) and ``reference_ids`` (ids from ``references.csv``); at least one
of the two must be filled. A row with no source paragraph is, by definition, beyond the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spasm_lib import vocabulary as V


def choices(*allowed: str) -> dict[str, Any]:
    return {"choices": tuple(allowed)}


def ref(table: str) -> dict[str, Any]:
    return {"ref": table}


@dataclass(frozen=True, kw_only=True)
class Provenance:
    """Where a row comes from: a source paragraph, reference ids, or both."""

    source_paragraph: int | None = field(default=None, metadata={"paragraph": True})
    reference_ids: tuple[str, ...] = field(default=(), metadata=ref("references"))

    @property
    def beyond_source(self) -> bool:
        """True when the row is not a restatement of the source text."""
        return self.source_paragraph is None


@dataclass(frozen=True, kw_only=True)
class Reference:
    """A published guideline, review, trial or tool that the evidence check cites."""

    id: str
    short: str
    citation: str
    kind: str = field(metadata=choices(*V.REFERENCE_KINDS))


@dataclass(frozen=True, kw_only=True)
class ConditionFact(Provenance):
    """One statement about what a back spasm is, its mechanism, symptoms or time course."""

    id: str
    order: int
    aspect: str = field(metadata=choices(*V.CONDITION_ASPECTS))
    statement: str


@dataclass(frozen=True, kw_only=True)
class PainCoursePoint(Provenance):
    """A point of the schematic pain curve. Illustrative only: the source gives no numbers."""

    id: str
    hour: float
    relative_pain: float = field(metadata={"min": 0.0, "max": 10.0})
    phase: str
    illustrative: bool = field(metadata={"must_be": True})


@dataclass(frozen=True, kw_only=True)
class RiskFactor(Provenance):
    """A cause or risk factor of back spasm, as the source names it."""

    id: str
    name: str
    category: str = field(metadata=choices(*V.RISK_CATEGORIES))
    mechanism: str
    region: str = field(metadata=choices(*V.BACK_REGIONS))
    source_says: str
    examples: tuple[str, ...]
    synonyms: tuple[str, ...]
    """Other names a student may search for (``herniated disc`` for a ruptured disc); a list."""


@dataclass(frozen=True, kw_only=True)
class Sport(Provenance):
    """A sport the source names as a setting for sudden twists, jerks and pulls."""

    id: str
    name: str
    movements: tuple[str, ...]
    risk_factor_id: str = field(metadata=ref("risk_factors"))


@dataclass(frozen=True, kw_only=True)
class ExamStep(Provenance):
    """One step of the history or physical examination a student can perform."""

    id: str
    order: int
    name: str
    kind: str = field(metadata=choices(*V.EXAM_KINDS))
    how: str
    needed_when: str = field(metadata=choices(*V.EXAM_NEEDED_WHEN))
    provocative: bool
    """A movement or stretch that provokes pain: after an emergency flag it only delays the transfer."""
    why_it_matters: str
    """What the step can show, said to a student who skipped it."""


@dataclass(frozen=True, kw_only=True)
class Interpretation(Provenance):
    """A working interpretation a student can commit to after examining a patient."""

    id: str
    name: str
    group: str = field(metadata=choices(*V.INTERPRETATION_GROUPS))
    priority: int = field(metadata={"min": 1, "max": 100})
    """1 is the most specific: when findings point several ways, the lowest number wins."""
    triage_level: str = field(metadata=ref("triage_levels"))
    """The least urgent level this working diagnosis can have (its flags may raise it)."""
    description: str
    next_action: str
    timeframe: str
    """What to do and how soon, for this working diagnosis."""
    needed_steps: tuple[str, ...] = field(metadata=ref("exam_steps"))
    """The expert's examination for this working diagnosis: the steps that establish it and rule out
    its look-alikes; for an emergency, only what is needed before the transfer."""


@dataclass(frozen=True, kw_only=True)
class Finding(Provenance):
    """What an examination step shows when its trigger holds for a patient."""

    id: str
    step_id: str = field(metadata=ref("exam_steps"))
    trigger: str = field(metadata=choices(*V.FINDING_TRIGGERS))
    interpretations: tuple[str, ...] = field(metadata=ref("interpretations"))
    """Shown only to patients with one of these working diagnoses (empty: to any patient)."""
    text: str
    points_to: str | None = field(metadata=ref("interpretations"))
    rules_out: str | None = field(metadata=ref("interpretations"))
    """The interpretation this (usually negative) finding argues against: negatives decide too."""


@dataclass(frozen=True, kw_only=True)
class RedFlag(Provenance):
    """A warning sign of serious disease that calls for urgent assessment."""

    id: str
    name: str
    concern: str = field(metadata=choices(*V.RED_FLAG_CONCERNS))
    question: str
    urgency: str = field(metadata=ref("triage_levels"))
    """The triage level this flag sets on its own (emergency, urgent or watchful)."""
    suggests: str | None = field(metadata=ref("interpretations"))
    """The working diagnosis this flag suggests (a weak flag suggests none on its own)."""
    timeframe: str | None
    """What to do and how soon when this flag sets the level (a weak flag has none)."""
    why_this_urgency: str


@dataclass(frozen=True, kw_only=True)
class TriageLevel(Provenance):
    """How urgently a patient needs what: emergency, urgent, watchful or routine (finucane2020)."""

    id: str
    order: int
    name: str
    action: str
    why: str
    applies_when: str


@dataclass(frozen=True, kw_only=True)
class YellowFlag(Provenance):
    """A psychosocial factor that predicts a slow recovery (kendall1997)."""

    id: str
    name: str
    description: str
    patient_words: str
    """How a patient might put it, in the first person."""


@dataclass(frozen=True, kw_only=True)
class Presentation(Provenance):
    """A kind of patient the simulator draws from; every feature of a virtual patient follows it.

    ``optional_*`` lists are drawn item by item; ``maybe`` is drawn; an age outside 20 to 50 adds
    the age red flag by itself (see :mod:`spasm_lib.coherence`).
    """

    id: str
    name: str
    description: str
    spasm_site: str = field(metadata=choices(*V.SPASM_SITES))
    age_min: int = field(metadata={"min": 16, "max": 100})
    age_max: int = field(metadata={"min": 16, "max": 100})
    onset: str = field(metadata=choices(*V.ONSETS))
    sport: str = field(metadata=choices(*V.SPORT_RULES))
    risk_factor_ids: tuple[str, ...] = field(metadata=ref("risk_factors"))
    optional_risk_factor_ids: tuple[str, ...] = field(metadata=ref("risk_factors"))
    red_flag_ids: tuple[str, ...] = field(metadata=ref("red_flags"))
    optional_red_flag_ids: tuple[str, ...] = field(metadata=ref("red_flags"))
    tissue_injury: str = field(metadata=choices(*V.YES_NO_MAYBE))
    radicular: str = field(metadata=choices(*V.YES_NO_MAYBE))
    yellow_flags: str = field(metadata=choices("maybe", "no"))
    interpretation_id: str | None = field(metadata=ref("interpretations"))
    """The working diagnosis of a presentation whose warning signs do not name it (an inflammatory
    cause, spinal stenosis); empty: it follows from the flags and findings."""
    weight: int = field(metadata={"min": 1, "max": 100})
    """How often the simulator draws it, relative to the others (a setting, not a frequency)."""
    teaching_point: str


@dataclass(frozen=True, kw_only=True)
class PresentationStory(Provenance):
    """One way a patient of a presentation tells their story (several per presentation)."""

    id: str
    presentation_id: str = field(metadata=ref("presentations"))
    sport_id: str | None = field(metadata=ref("sports"))
    """The sport the story is about (stories of a sport presentation name one), else empty."""
    story: str


@dataclass(frozen=True, kw_only=True)
class CaseQuestion(Provenance):
    """A question the case study asks about every patient of the listed triage levels."""

    id: str
    order: int
    prompt: str
    triage_levels: tuple[str, ...] = field(metadata=ref("triage_levels"))
    answer_from: str = field(metadata=choices(*V.CASE_ANSWERS))
    part: str = field(metadata=choices(*V.CASE_PARTS))


@dataclass(frozen=True, kw_only=True)
class Case(Provenance):
    """A virtual patient for the exam simulator and the case study."""

    id: str
    title: str
    age: int = field(metadata={"min": 0, "max": 120})  # a human age in years
    story: str
    sport_id: str | None = field(metadata=ref("sports"))
    risk_factor_ids: tuple[str, ...] = field(metadata=ref("risk_factors"))
    spasm_site: str = field(metadata=choices(*V.SPASM_SITES))
    tissue_injury: bool
    radicular: bool
    red_flag_ids: tuple[str, ...] = field(metadata=ref("red_flags"))
    interpretation_id: str = field(metadata=ref("interpretations"))
    teaching_point: str
    presentation_id: str | None = field(metadata=ref("presentations"))
    """The presentation the patient was drawn from (optional for an instructor's own case)."""
    onset: str = field(metadata=choices(*V.ONSETS))
    yellow_flag_ids: tuple[str, ...] = field(metadata=ref("yellow_flags"))


@dataclass(frozen=True, kw_only=True)
class Treatment(Provenance):
    """A treatment or referral the source describes, with what it does and why."""

    id: str
    name: str
    kind: str = field(metadata=choices(*V.TREATMENT_KINDS))
    what_it_does: str
    why: str
    examples: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class EvidenceCheck(Provenance):
    """The source's advice on one topic beside what current guidance says, with references."""

    id: str
    topic: str
    treatment_id: str | None = field(metadata=ref("treatments"))
    source_says: str
    guidance_says: str
    verdict: str = field(metadata=choices(*V.VERDICTS))


@dataclass(frozen=True, kw_only=True)
class PathwayStep(Provenance):
    """One step of the treatment pathway, in order."""

    id: str
    order: int
    title: str
    kind: str = field(metadata=choices(*V.PATHWAY_KINDS))
    triage_levels: tuple[str, ...] = field(metadata=ref("triage_levels"))
    """The triage levels whose path passes through this step."""
    when: str = field(metadata=choices(*V.PATHWAY_WHEN))
    only_for: tuple[str, ...] = ()
    """The step is on the path only for these patients (empty: every patient of its levels): an
    interpretation id (the working diagnosis), an interpretation group, or a patient feature
    (:data:`spasm_lib.vocabulary.PATIENT_FEATURES`). Checked by the loader."""
    not_for: tuple[str, ...] = ()
    """The step is left out for these patients (same vocabulary): heat is never put on a hot,
    red, swollen back."""
    summary: str
    yellow_flag_note: str | None
    """Added to the step for a patient with yellow flags."""
    treatment_ids: tuple[str, ...] = field(metadata=ref("treatments"))
    evidence_check_ids: tuple[str, ...] = field(metadata=ref("evidence_checks"))


@dataclass(frozen=True, kw_only=True)
class GlossaryTerm(Provenance):
    """A term a student meets in the notebooks, defined in plain words."""

    id: str
    term: str
    definition: str
    definition_from: str = field(metadata=choices("source", "general", "references"))
    """``source``: the definition restates the source; ``general``: a general definition of a term the
    source uses in ``source_paragraph`` (not the source's own words or claim); ``references``: from the
    cited references."""


@dataclass(frozen=True, kw_only=True)
class LearningObjective(Provenance):
    """What a student should be able to do after a notebook; its quiz tests every one."""

    id: str
    notebook: str = field(metadata=choices(*V.NOTEBOOKS))
    order: int
    text: str


@dataclass(frozen=True, kw_only=True)
class QuizQuestion(Provenance):
    """A self-check question shown in a notebook's "Check yourself" section."""

    id: str
    notebook: str = field(metadata=choices(*V.NOTEBOOKS))
    order: int
    prompt: str
    objective_ids: tuple[str, ...] = field(metadata=ref("learning_objectives"))


@dataclass(frozen=True, kw_only=True)
class QuizOption(Provenance):
    """One answer option of a self-check question, with why it is right or wrong."""

    id: str
    question_id: str = field(metadata=ref("quiz_questions"))
    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True, kw_only=True)
class ReasoningError(Provenance):
    """A reasoning error the debrief names after a commit, with its short explanation (issue 20)."""

    id: str
    order: int
    name: str
    explanation: str
    basis: str = field(metadata=choices("references", "general"))
    """``references``: the advice rests on the cited references; ``general``: a general teaching point
    about the diagnosis of ``source_paragraph`` (the debrief says so)."""


@dataclass(frozen=True, kw_only=True)
class DiscussionPrompt(Provenance):
    """A question for the class after `spasm-teach collect`, chosen when its trigger (a reasoning
    error id, or a pattern such as ``under-triage``) is among the class's commonest errors."""

    id: str
    order: int
    trigger: str
    prompt: str


@dataclass(frozen=True, kw_only=True)
class TeachingText(Provenance):
    """A sentence of teaching a view or a model answer shows, kept here rather than in Python.

    Views and logic look a row up by id (``facts.by_id("teaching_text")[id].text``); they may frame
    it with interface wording, never restate it. The one owner of what "Not stated" and "no
    numbers" mean, of the model answers' fixed sentences and of the exam feedback's reasons.
    """

    id: str
    text: str


@dataclass(frozen=True, kw_only=True)
class SourceClaim:
    """One claim of the source text, restated, and the data rows that teach it.

    This is the traceability matrix: each claim names its paragraph and, in ``taught_by``, the rows
    (``table:id``) that carry it to the student. The loader checks that every entry resolves.
    """

    id: str
    paragraph: int = field(metadata={"paragraph": True})
    claim: str
    taught_by: tuple[str, ...] = field(metadata={"row_ref": True})
