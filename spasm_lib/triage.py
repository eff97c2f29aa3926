"""Triage: how urgently a person with back pain needs what, decided from their warning signs.

Why four levels, and why this rule: the international red-flag framework (finucane2020) says that
red flags raise suspicion, that most have little diagnostic accuracy on their own, and that the
level of concern weighs the flags together before deciding to treat, to treat with watchful
waiting and a safety net, or to refer urgently or as an emergency. So:

* any flag graded ``emergency`` (a sign of cauda equina syndrome, a serious accident) -> ``emergency``;
* any flag graded ``urgent`` (a flag that suggests a fracture, an infection or cancer) -> ``urgent``;
* two or more ``watchful`` flags together -> ``urgent`` (flags combined raise concern, downie2013);
* exactly one ``watchful`` flag -> ``watchful`` (one flag alone is weak evidence, henschke2009);
* no flag -> ``routine``.

Each flag's own grade is data (``red_flags.csv``, column ``urgency``, with its references), and so
is what each level means for the plan (``triage_levels.csv``). This module only applies the rule,
and it is the one place that decides the interpretation a patient's findings support
(:func:`expected_interpretation`), because that depends on the triage.
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
"""Levels at which a serious cause is suspected and nothing conservative starts first."""

WEAK_FLAGS_THAT_ADD_UP = 2
"""This many weak (watchful) flags together call for urgent assessment."""

SERIOUS_CAUSE = "serious-cause-suspected"
NERVE_ROOT = "nerve-root-irritation"
TISSUE_INJURY = "back-spasm-with-tissue-injury"
BACK_SPASM = "back-spasm"
INTERPRETATION_PRIORITY = (SERIOUS_CAUSE, NERVE_ROOT, TISSUE_INJURY, BACK_SPASM)
"""Interpretations from most to least specific: a more specific finding outranks the general
picture of a spasm when the findings point several ways."""


def level_for(flag_urgencies: Iterable[str]) -> str:
    """The triage level of a patient whose flags are graded ``flag_urgencies`` (the rule above)."""
    grades = list(flag_urgencies)
    unknown = sorted(set(grades) - set(LEVELS[:3]))
    if unknown:
        raise ValueError(f"unknown flag urgency {unknown[0]!r}; expected one of: {', '.join(LEVELS[:3])}")
    if EMERGENCY in grades:
        return EMERGENCY
    if URGENT in grades or grades.count(WATCHFUL) >= WEAK_FLAGS_THAT_ADD_UP:
        return URGENT
    if WATCHFUL in grades:
        return WATCHFUL
    return ROUTINE


def expected_interpretation(radicular: bool, tissue_injury: bool, serious: bool) -> str:
    """The interpretation a patient's findings support: the rule the exam simulator teaches.

    ``serious`` is whether the triage is emergency or urgent: then a serious cause is suspected,
    whatever else is found. One weak flag alone does not make it serious; the patient keeps the
    interpretation of the findings (nerve root, then tissue injury, then an uncomplicated spasm).
    """
    if serious:
        return SERIOUS_CAUSE
    if radicular:
        return NERVE_ROOT
    if tissue_injury:
        return TISSUE_INJURY
    return BACK_SPASM


@dataclass(frozen=True)
class Triage:
    """A patient's triage: the level (with its action and why) and the flags that set it."""

    level: R.TriageLevel
    flags: tuple[R.RedFlag, ...]
    """The patient's flags, most urgent first."""
    references: tuple[R.Reference, ...] = ()
    """The level's references (why it is what it is), resolved for the views."""

    @property
    def id(self) -> str:
        return self.level.id

    @property
    def serious(self) -> bool:
        return self.level.id in SERIOUS_LEVELS

    @property
    def weak_flags_alone(self) -> bool:
        """True when the only flags are weak ones that, here, do not make the case serious."""
        return self.level.id == WATCHFUL


def triage(facts: Facts, red_flag_ids: Iterable[str]) -> Triage:
    """The triage of a patient with these red flags (ids of ``red_flags.csv``)."""
    flags_by_id = facts.by_id("red_flags")
    ids = tuple(dict.fromkeys(red_flag_ids))
    missing = [i for i in ids if i not in flags_by_id]
    if missing:
        raise ValueError(f"unknown red flag '{missing[0]}'; expected one of: {', '.join(flags_by_id)}")
    flags = tuple(sorted((flags_by_id[i] for i in ids), key=lambda f: LEVELS.index(f.urgency)))
    level = facts.by_id("triage_levels")[level_for(f.urgency for f in flags)]
    references = facts.by_id("references")
    return Triage(level, flags, tuple(references[r] for r in level.reference_ids))


def case_triage(facts: Facts, case: R.Case) -> Triage:
    """The triage of a patient (a data case, an instructor's case or a virtual patient)."""
    return triage(facts, case.red_flag_ids)


def case_interpretation(facts: Facts, case: R.Case) -> str:
    """The interpretation this patient's findings and triage support."""
    return expected_interpretation(case.radicular, case.tissue_injury, case_triage(facts, case).serious)
