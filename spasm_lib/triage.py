"""Triage: how urgently a person with back pain needs what, and the working diagnosis it goes with.

Why four levels, and why this rule: the international red-flag framework (finucane2020) says that
red flags raise suspicion, that most have little diagnostic accuracy on their own, and that the
level of concern decides between treating, treating with watchful waiting and a safety net, and
referring urgently or as an emergency. Guidance then gives each concern its own timeframe
(guidelines-2, section 3): suspected cauda equina syndrome, cord compression and major trauma are
emergencies; a suspected infection is seen the same day; pain suggesting metastases without
neurological signs is scanned within a week; a suspected osteoporotic fracture is X-rayed from
primary care. So:

* a patient's level is the most urgent of their flags' own grades (``red_flags.csv``, ``urgency``)
  and of their working diagnosis's level (``interpretations.csv``, ``triage_level``);
* a weak flag (``watchful``: age, night pain) alone, or beside other weak flags, gives ``watchful``:
  among 1,172 primary-care patients 80% had at least one flag and under 1% serious disease
  (henschke2009). The earlier "two weak flags make it urgent" rule is dropped: no patient the course
  generates tested it, and the reference given for it spoke of fracture flags together, not of any
  two weak flags;
* what to do and how soon is the timeframe of the flags that set the level (``timeframe``), or of
  the working diagnosis when no flag sets it.

The working diagnosis (:func:`expected_interpretation`) follows the same data: the strong flags
suggest one (``suggests``); otherwise a presentation may name one its flags cannot (an inflammatory
pattern, spinal stenosis); otherwise the findings decide (a nerve root, tissue injury, or
non-specific back pain with spasm). This module is the one place that applies those rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spasm_lib import records as R

if TYPE_CHECKING:  # pragma: no cover
    from spasm_lib.tables import Facts

EMERGENCY = "emergency"
URGENT = "urgent"
WATCHFUL = "watchful"
ROUTINE = "routine"
LEVELS = (EMERGENCY, URGENT, WATCHFUL, ROUTINE)
"""Most to least urgent. ``triage_levels.csv`` holds one row for each, with its action and why."""

SERIOUS_LEVELS = (EMERGENCY, URGENT)
"""Levels at which something other than non-specific back pain is looked for first."""

NERVE_ROOT = "nerve-root-irritation"
TISSUE_INJURY = "back-spasm-with-tissue-injury"
BACK_SPASM = "back-spasm"
"""The working diagnoses the findings decide when no warning sign or presentation names one."""
CAUDA_EQUINA_CONCERN = "cauda-equina"


def most_urgent(levels: Iterable[str]) -> str:
    """The most urgent of these levels (``routine`` when there are none)."""
    grades = set(levels)
    unknown = sorted(grades - set(LEVELS))
    if unknown:
        raise ValueError(f"unknown triage level {unknown[0]!r}; expected one of: {', '.join(LEVELS)}")
    return next((level for level in LEVELS if level in grades), ROUTINE)


def level_for(flag_urgencies: Iterable[str]) -> str:
    """The triage level that flags graded ``flag_urgencies`` set on their own (the rule above)."""
    grades = list(flag_urgencies)
    unknown = sorted(set(grades) - set(LEVELS[:3]))
    if unknown:
        raise ValueError(f"unknown flag urgency {unknown[0]!r}; expected one of: {', '.join(LEVELS[:3])}")
    return most_urgent(grades)


def strong(flag: R.RedFlag) -> bool:
    """A flag that sets a serious level on its own (emergency or urgent)."""
    return flag.urgency in SERIOUS_LEVELS


def expected_interpretation(facts: Facts, red_flag_ids: Iterable[str], radicular: bool, tissue_injury: bool,
                            presentation_id: str | None = None) -> str:
    """The working diagnosis a patient's warning signs, presentation and findings support."""
    flags = facts.by_id("red_flags")
    interpretations = facts.by_id("interpretations")
    suggested = [flags[f].suggests for f in red_flag_ids if strong(flags[f]) and flags[f].suggests]
    if suggested:
        return min(suggested, key=lambda i: interpretations[i].priority)
    presentation = facts.by_id("presentations").get(presentation_id) if presentation_id else None
    if presentation is not None and presentation.interpretation_id:
        return presentation.interpretation_id
    if radicular:
        return NERVE_ROOT
    if tissue_injury:
        return TISSUE_INJURY
    return BACK_SPASM


@dataclass(frozen=True)
class Triage:
    """A patient's triage: the level (with its action and why), the flags, and what to do how soon."""

    level: R.TriageLevel
    flags: tuple[R.RedFlag, ...]
    """The patient's flags, most urgent first."""
    references: tuple[R.Reference, ...] = ()
    """The level's references (why it is what it is), resolved for the views."""
    actions: tuple[tuple[str, str], ...] = ()
    """``(what raised it, what to do and how soon)``: the flags that set the level, most urgent
    first (flags with the same timeframe named together), or the working diagnosis when no flag sets
    it; empty for routine care."""
    interpretation: R.Interpretation | None = None
    """The working diagnosis the triage was made with (None when only flags were given)."""

    @property
    def id(self) -> str:
        return self.level.id

    @property
    def serious(self) -> bool:
        return self.level.id in SERIOUS_LEVELS

    @property
    def emergency(self) -> bool:
        return self.level.id == EMERGENCY

    @property
    def weak_flags_alone(self) -> bool:
        """True when the only flags are weak ones that, here, do not make the case serious."""
        return self.level.id == WATCHFUL


def triage(facts: Facts, red_flag_ids: Iterable[str], interpretation_id: str | None = None) -> Triage:
    """The triage of a patient with these red flags (ids of ``red_flags.csv``) and, when known, this
    working diagnosis (an id of ``interpretations.csv``)."""
    flags_by_id = facts.by_id("red_flags")
    ids = tuple(dict.fromkeys(red_flag_ids))
    missing = [i for i in ids if i not in flags_by_id]
    if missing:
        raise ValueError(f"unknown red flag '{missing[0]}'; expected one of: {', '.join(flags_by_id)}")
    interpretation = facts.by_id("interpretations")[interpretation_id] if interpretation_id else None
    flags = tuple(sorted((flags_by_id[i] for i in ids), key=lambda f: LEVELS.index(f.urgency)))
    level_id = most_urgent([f.urgency for f in flags] + ([interpretation.triage_level] if interpretation else []))
    by_timeframe: dict[str, list[str]] = {}  # flags that say the same thing are listed together, once
    for f in flags:
        if f.urgency == level_id and f.timeframe:
            by_timeframe.setdefault(f.timeframe, []).append(f.name)
    actions = tuple(("; ".join(names), when) for when, names in by_timeframe.items())
    if not actions and interpretation is not None and level_id in SERIOUS_LEVELS:
        actions = ((interpretation.name, interpretation.timeframe),)
    level = facts.by_id("triage_levels")[level_id]
    references = facts.by_id("references")
    return Triage(level, flags, tuple(references[r] for r in level.reference_ids), actions, interpretation)


def case_triage(facts: Facts, case: R.Case) -> Triage:
    """The triage of a patient (a data case, an instructor's case or a virtual patient)."""
    return triage(facts, case.red_flag_ids, case.interpretation_id)


def case_interpretation(facts: Facts, case: R.Case) -> str:
    """The working diagnosis this patient's warning signs, presentation and findings support."""
    return expected_interpretation(facts, case.red_flag_ids, case.radicular, case.tissue_injury, case.presentation_id)


def cauda_equina_suspected(facts: Facts, red_flag_ids: Iterable[str]) -> bool:
    """Whether any flag is a warning sign of cauda equina syndrome (the one test of it)."""
    flags = facts.by_id("red_flags")
    return any(flags[f].concern == CAUDA_EQUINA_CONCERN for f in red_flag_ids)
