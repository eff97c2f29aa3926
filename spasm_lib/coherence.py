"""Is a patient coherent? One check that every case and every virtual patient must pass.

A simulated patient teaches only if every part of it agrees with every other: the age with the
age flag, the story's force with the signs of injury, the region with the straight leg raise, the
flags with the course of the pain. A patient that contradicts itself teaches a wrong lesson
(a swollen back "with a clear inspection", a lumbar nerve root "between the shoulder blades").
So every rule the simulator relies on is written here, once, with its reason, and the loader
(for the data's cases and an instructor's) and the virtual-patient generator both answer to it.

The rules (id: what must hold, and why):

* ``age-range``: the age is from 16 to 100 (the guidance taught here is for over-16s, NICE NG59).
* ``age-flag``: the age red flag is present exactly when the age is under 20 or over 50: the flag
  is defined by age, so a 24-year-old cannot carry it and a 71-year-old cannot lack it.
* ``older-fracture-flag``: minor trauma or strenuous lifting as a fracture flag needs an older
  person (over 50): in this course it is the flag of an older or osteoporotic person.
* ``sport``: a sport is named exactly when the sport risk factor is listed: the factor *is*
  playing a sport with sudden twists, jerks and pulls.
* ``idiopathic-alone``: "no known cause" stands alone: with a known cause it contradicts itself.
* ``injury-needs-force``: signs of tissue injury (swelling, heat, redness) need a force to have
  caused them: an acute force, a sport or a serious accident (source paragraphs 2 and 3). Without
  one, a hot, red, swollen back is not "tissue injury" and must not be taught as one.
* ``swollen-shows``: swollen or inflamed muscles in the history must show on inspection.
* ``factor-region``: each risk factor fits the region of the spasm: the source ties only weak
  stomach and spinal muscles to the upper back, so an upper-back patient carries only factors the
  source ties to the upper back.
* ``lumbar-signs``: nerve-root signs on the straight leg raise and warning signs of cauda equina
  syndrome belong to the lower back: that test stretches lower-back nerve roots.
* ``onset``: pain that has never eased (``unremitting``) goes with a flag that suggests a serious
  cause, and a flag that suggests a fracture, an infection or cancer goes with pain that has never
  eased: the history's course must not tell a spasm's story for a patient whose flags say it may
  not be one, nor the reverse. Pain at full strength from the first moment (``sudden-severe``) goes
  with a flag of a cause outside the spine, and the reverse; pain that crept on over months
  (``insidious``) goes with an inflammatory cause or spinal stenosis, and the reverse.
* ``cord-needs-cancer``: "new neurological symptoms after cancer" needs a history of cancer.
* ``interpretation``: the interpretation is the one the flags, presentation and findings support
  (:func:`spasm_lib.triage.expected_interpretation`).
* ``presentation``: a patient drawn from a presentation has its region, age range, onset, sport
  rule, risk factors, flags, tissue-injury and nerve-root settings (``presentations.csv``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from spasm_lib import records as R
from spasm_lib.triage import CAUDA_EQUINA_CONCERN, expected_interpretation, strong

if TYPE_CHECKING:  # pragma: no cover
    from spasm_lib.tables import Facts

AGE_RANGE = (16, 100)
AGE_FLAG = "age-over-50-or-under-20"
AGE_FLAG_BOUNDS = (20, 50)
"""The age flag reads "over 50 or under 20": ages outside 20 to 50 carry it."""
OLDER_FRACTURE_FLAG = "minor-trauma-older-or-osteoporotic"
MAJOR_TRAUMA_FLAG = "major-trauma"
SPORT_FACTOR_CATEGORY = "sport"
FORCE_FACTOR_CATEGORY = "acute-force"
UNKNOWN_CAUSE_CATEGORY = "unknown-cause"
SWELLING_FACTORS = ("swollen-muscles", "inflamed-muscles")
UPPER_BACK_REGIONS = ("upper-back", "upper-and-lower-back")
LOWER_BACK_REGIONS = ("lower-back", "upper-and-lower-back", "not-stated")
SERIOUS_CONCERNS = ("fracture", "infection", "cancer")
NON_SPINAL_CONCERN = "non-spinal"
UNREMITTING = "unremitting"
SUDDEN_SEVERE = "sudden-severe"
INSIDIOUS = "insidious"
INSIDIOUS_INTERPRETATIONS = ("axial-spondyloarthritis", "lumbar-spinal-stenosis")
"""The working diagnoses whose pain creeps on over months."""
CORD_FLAG = "cancer-with-neurological-symptoms"
CANCER_FLAG = "history-of-cancer"


def carries_age_flag(age: int) -> bool:
    """Whether an age carries the age red flag (under 20 or over 50)."""
    return age < AGE_FLAG_BOUNDS[0] or age > AGE_FLAG_BOUNDS[1]


@dataclass(frozen=True)
class Incoherence:
    """One broken rule: which, where in the case (a column), and what is wrong."""

    rule: str
    column: str
    message: str


def incoherences(facts: Facts, case: R.Case) -> tuple[Incoherence, ...]:
    """Every rule of the module docstring this case breaks (empty when it is coherent)."""
    out: list[Incoherence] = []

    def broken(rule: str, column: str, message: str) -> None:
        out.append(Incoherence(rule, column, message))

    factors = facts.by_id("risk_factors")
    flags = facts.by_id("red_flags")
    mine = [factors[f] for f in case.risk_factor_ids if f in factors]
    categories = {f.category for f in mine}
    flag_records = [flags[f] for f in case.red_flag_ids if f in flags]

    if not AGE_RANGE[0] <= case.age <= AGE_RANGE[1]:
        broken("age-range", "age", f"age {case.age} is outside {AGE_RANGE[0]} to {AGE_RANGE[1]}")
    if carries_age_flag(case.age) != (AGE_FLAG in case.red_flag_ids):
        want = "carries" if carries_age_flag(case.age) else "cannot carry"
        broken("age-flag", "red_flag_ids", f"at {case.age} the patient {want} the flag '{AGE_FLAG}'")
    if OLDER_FRACTURE_FLAG in case.red_flag_ids and case.age <= AGE_FLAG_BOUNDS[1]:
        broken("older-fracture-flag", "red_flag_ids",
               f"'{OLDER_FRACTURE_FLAG}' is for an older person (over {AGE_FLAG_BOUNDS[1]}); age is {case.age}")
    if bool(case.sport_id) != (SPORT_FACTOR_CATEGORY in categories):
        broken("sport", "sport_id", "a sport is named exactly when the sport risk factor is listed")
    if UNKNOWN_CAUSE_CATEGORY in categories and len(mine) > 1:
        broken("idiopathic-alone", "risk_factor_ids", "'no known cause' cannot stand beside a known cause")
    forceful = bool(categories & {FORCE_FACTOR_CATEGORY, SPORT_FACTOR_CATEGORY}) or MAJOR_TRAUMA_FLAG in case.red_flag_ids
    if case.tissue_injury and not forceful:
        broken("injury-needs-force", "tissue_injury",
               "signs of tissue injury need a force to cause them: an acute force, a sport or a serious accident")
    if any(f in SWELLING_FACTORS for f in case.risk_factor_ids) and not case.tissue_injury:
        broken("swollen-shows", "tissue_injury", "swollen or inflamed muscles in the history must show on inspection")
    allowed = UPPER_BACK_REGIONS if case.spasm_site == "upper-back" else LOWER_BACK_REGIONS
    for f in mine:
        if f.region not in allowed:
            broken("factor-region", "risk_factor_ids",
                   f"'{f.id}' ({f.region}) does not fit a spasm in the {case.spasm_site.replace('-', ' ')}")
    ces = any(f.concern == CAUDA_EQUINA_CONCERN for f in flag_records)
    if case.spasm_site != "lower-back" and (case.radicular or ces):
        broken("lumbar-signs", "spasm_site", "nerve-root signs and cauda equina signs belong to the lower back")
    strong_serious = any(f.concern in SERIOUS_CONCERNS and strong(f) for f in flag_records)
    if (case.onset == UNREMITTING) != strong_serious:
        if case.onset == UNREMITTING:
            broken("onset", "onset", "pain that never eased needs a flag that suggests a fracture, an infection or cancer")
        else:
            broken("onset", "onset", "a flag that suggests a fracture, an infection or cancer goes with pain that never eased")
    non_spinal = any(f.concern == NON_SPINAL_CONCERN for f in flag_records)
    if (case.onset == SUDDEN_SEVERE) != non_spinal:
        broken("onset", "onset", "pain at full strength from the first moment goes with a flag of a cause outside the spine, and the reverse")
    if (case.onset == INSIDIOUS) != (case.interpretation_id in INSIDIOUS_INTERPRETATIONS):
        broken("onset", "onset", "pain that crept on over months goes with an inflammatory cause or spinal stenosis, and the reverse")
    if CORD_FLAG in case.red_flag_ids and CANCER_FLAG not in case.red_flag_ids:
        broken("cord-needs-cancer", "red_flag_ids", f"'{CORD_FLAG}' needs '{CANCER_FLAG}'")
    want = expected_interpretation(facts, case.red_flag_ids, case.radicular, case.tissue_injury, case.presentation_id)
    if case.interpretation_id != want:
        broken("interpretation", "interpretation_id",
               f"the flags, presentation and findings point to '{want}'; got '{case.interpretation_id}'")
    if case.presentation_id:
        presentation = facts.by_id("presentations").get(case.presentation_id)
        if presentation is not None:
            sport_factors = {s.risk_factor_id for s in facts.sports}
            for column, message in _presentation_mismatches(presentation, case, sport_factors):
                broken("presentation", column, message)
    return tuple(out)


def _presentation_mismatches(
    p: R.Presentation, case: R.Case, sport_factors: set[str]
) -> list[tuple[str, str]]:
    bad: list[tuple[str, str]] = []
    if case.spasm_site != p.spasm_site:
        bad.append(("spasm_site", f"presentation '{p.id}' is in the {p.spasm_site}"))
    if not p.age_min <= case.age <= p.age_max:
        bad.append(("age", f"presentation '{p.id}' is for ages {p.age_min} to {p.age_max}"))
    if case.onset != p.onset:
        bad.append(("onset", f"presentation '{p.id}' has a {p.onset} onset"))
    if (p.sport == "required" and not case.sport_id) or (p.sport == "none" and case.sport_id):
        bad.append(("sport_id", f"presentation '{p.id}' has sport '{p.sport}'"))
    factors = set(case.risk_factor_ids)
    allowed = set(p.risk_factor_ids) | set(p.optional_risk_factor_ids) | (sport_factors if p.sport != "none" else set())
    if not set(p.risk_factor_ids) <= factors or not factors <= allowed:
        bad.append(("risk_factor_ids", f"presentation '{p.id}' allows only its own risk factors"))
    flags = set(case.red_flag_ids) - {AGE_FLAG}
    if not set(p.red_flag_ids) - {AGE_FLAG} <= flags or not flags <= set(p.red_flag_ids) | set(p.optional_red_flag_ids):
        bad.append(("red_flag_ids", f"presentation '{p.id}' allows only its own red flags"))
    for column, rule, value in (("tissue_injury", p.tissue_injury, case.tissue_injury),
                                ("radicular", p.radicular, case.radicular)):
        if rule != "maybe" and (rule == "yes") != value:
            bad.append((column, f"presentation '{p.id}' has {column} {rule}"))
    if p.interpretation_id and case.interpretation_id != p.interpretation_id:
        bad.append(("interpretation_id", f"presentation '{p.id}' is '{p.interpretation_id}'"))
    if p.yellow_flags == "no" and case.yellow_flag_ids:
        bad.append(("yellow_flag_ids", f"presentation '{p.id}' has no yellow flags"))
    return bad


def is_coherent(facts: Facts, case: R.Case) -> bool:
    return not incoherences(facts, case)
