"""Seeded virtual patients, drawn from presentations so that every part of a patient agrees.

A virtual patient is an ordinary :class:`~spasm_lib.records.Case`, so the exam simulator, the
pathway and the case study treat it exactly like a written case. It is drawn in two stages:

1. a **presentation** (``presentations.csv``: an uncomplicated spasm after a twisting sport, a
   nerve-root presentation, a suspected fracture, cauda equina syndrome, ...), weighted by its
   ``weight``;
2. everything else **conditionally on it**: the age within its range (an age under 20 or over 50
   brings the age red flag with it), a story written for it (and for the sport, when it has one),
   its risk factors and red flags (the required ones, and each optional one by chance), tissue
   injury and nerve-root signs as the presentation sets them, and sometimes yellow flags.

The interpretation is never drawn: it follows from the triage and the findings
(:func:`spasm_lib.triage.case_interpretation`). Every patient is checked by
:func:`spasm_lib.coherence.incoherences` as it is made; a generator bug fails loudly rather than
teach a contradiction.

Randomness: ``random.Random`` seeded with a string built from the seed, so the same seed gives
the same patient on every machine and Python version (string seeds are hashed with SHA-512, not
with Python's per-process hash), including in the browser (Pyodide). The chances below are
settings of this teaching simulation, chosen so practice shows every presentation now and then;
they are not how common anything is in the clinic.
"""

from __future__ import annotations

import random

from spasm_lib import records as R
from spasm_lib.coherence import AGE_FLAG, carries_age_flag, incoherences
from spasm_lib.facts import RANDOM_CASE
from spasm_lib.tables import Facts
from spasm_lib import inputs
from spasm_lib.inputs import SEED_MAX
from spasm_lib.triage import case_interpretation

P_OPTIONAL_FACTOR = 0.4
P_OPTIONAL_FLAG = 0.4
P_MAYBE = 0.5
"""Chance of a feature a presentation marks ``maybe`` (tissue injury, nerve-root signs)."""
P_OPTIONAL_SPORT = 0.5
P_YELLOW_FLAGS = 0.3
P_SECOND_YELLOW_FLAG = 0.3
MAX_SEED = SEED_MAX
"""Seeds are whole numbers from 0 to this (the command line's range, :mod:`spasm_lib.inputs`)."""
VIRTUAL_PREFIX = "virtual-"
"""A virtual patient's case id is this and its seed (``virtual-42``)."""


def is_virtual(case: R.Case) -> bool:
    """Whether a patient was drawn from a seed (a virtual patient) rather than read from data."""
    return case.id.startswith(VIRTUAL_PREFIX)


def virtual_seed(case_id: str) -> int | None:
    """The seed a virtual patient's id names (``virtual-42`` -> 42), or None for any other id
    (a seed beyond the seed range, in other digits than 0-9, is no patient's)."""
    number = case_id.removeprefix(VIRTUAL_PREFIX)
    if number == case_id or not (number.isascii() and number.isdigit()) or len(number) > len(str(MAX_SEED)):
        return None
    seed = int(number)
    return seed if seed <= MAX_SEED else None


def _pick(rng: random.Random, items: list | tuple):
    """One item, uniformly (by ``random()`` alone, whose sequence Python keeps stable)."""
    return items[min(int(rng.random() * len(items)), len(items) - 1)]


def _weighted(rng: random.Random, presentations: tuple[R.Presentation, ...]) -> R.Presentation:
    total = sum(p.weight for p in presentations)
    point = rng.random() * total
    for p in presentations:
        point -= p.weight
        if point < 0:
            return p
    return presentations[-1]


def _chance(rng: random.Random, rule: str) -> bool:
    draw = rng.random()
    return rule == "yes" or (rule == "maybe" and draw < P_MAYBE)


def presentation_of(facts: Facts, seed: int) -> str:
    """The presentation id of the virtual patient of ``seed``, without drawing the rest of it: the
    first draw of :func:`virtual_patient`'s generator. Why: a class plan tries many seeds for the
    one presentation it wants (``class_mix``), and most are rejected on this alone."""
    seed = inputs.seed(seed)
    presentations = facts.presentations
    total = _TOTALS.get(id(presentations))
    if total is None or total[0] is not presentations:  # (the tuple is kept, so its id is not reused)
        total = _TOTALS[id(presentations)] = (presentations, sum(p.weight for p in presentations))
    point = random.Random(f"spasm-teach/virtual-patient/{seed}").random() * total[1]  # as _weighted does, subtraction for subtraction
    for p in presentations:
        point -= p.weight
        if point < 0:
            return p.id
    return presentations[-1].id


_TOTALS: dict[int, tuple[tuple[R.Presentation, ...], float]] = {}


def virtual_patient(facts: Facts, seed: int) -> R.Case:
    """The virtual patient of a seed (``id`` ``virtual-<seed>``): same seed, same Case."""
    seed = inputs.seed(seed)
    rng = random.Random(f"spasm-teach/virtual-patient/{seed}")
    presentation = _weighted(rng, facts.presentations)  # (the first draw: see presentation_of)
    age = presentation.age_min + min(
        int(rng.random() * (presentation.age_max - presentation.age_min + 1)),
        presentation.age_max - presentation.age_min,
    )
    stories = [s for s in facts.presentation_stories if s.presentation_id == presentation.id]
    wants_sport = presentation.sport == "required" or (
        presentation.sport == "optional" and rng.random() < P_OPTIONAL_SPORT
    )
    story = _pick(rng, [s for s in stories if bool(s.sport_id) == wants_sport] or stories)
    sport = facts.by_id("sports")[story.sport_id] if story.sport_id else None

    factors = list(presentation.risk_factor_ids)
    factors += [f for f in presentation.optional_risk_factor_ids if rng.random() < P_OPTIONAL_FACTOR]
    if sport is not None:
        factors.append(sport.risk_factor_id)
    flags = [f for f in presentation.red_flag_ids if f != AGE_FLAG]
    flags += [f for f in presentation.optional_red_flag_ids if rng.random() < P_OPTIONAL_FLAG]
    if carries_age_flag(age):
        flags.append(AGE_FLAG)
    tissue_injury = _chance(rng, presentation.tissue_injury)
    radicular = _chance(rng, presentation.radicular)
    yellow: list[str] = []
    if presentation.yellow_flags == "maybe" and rng.random() < P_YELLOW_FLAGS:
        pool = [y.id for y in facts.yellow_flags]
        yellow.append(_pick(rng, pool))
        if rng.random() < P_SECOND_YELLOW_FLAG:
            rest = [y for y in pool if y not in yellow]
            yellow.append(_pick(rng, rest))
    words = " ".join(facts.by_id("yellow_flags")[y].patient_words for y in yellow)

    order = {f.id: i for i, f in enumerate(facts.risk_factors)}
    flag_order = {f.id: i for i, f in enumerate(facts.red_flags)}
    where = presentation.spasm_site.replace("-", " ")
    draft = R.Case(
        id=f"{VIRTUAL_PREFIX}{seed}",
        title=f"Virtual patient, {age}, {where} pain",
        age=age,
        story=f"{story.story} {words}".strip(),
        sport_id=sport.id if sport else None,
        risk_factor_ids=tuple(sorted(dict.fromkeys(factors), key=order.__getitem__)),
        spasm_site=presentation.spasm_site,
        tissue_injury=tissue_injury,
        radicular=radicular,
        red_flag_ids=tuple(sorted(dict.fromkeys(flags), key=flag_order.__getitem__)),
        interpretation_id="back-spasm",
        teaching_point=presentation.teaching_point,
        presentation_id=presentation.id,
        onset=presentation.onset,
        yellow_flag_ids=tuple(yellow),
        source_paragraph=presentation.source_paragraph or story.source_paragraph,
        reference_ids=tuple(dict.fromkeys(presentation.reference_ids + story.reference_ids)),
    )
    if draft.source_paragraph is None and not draft.reference_ids:
        raise ValueError(f"presentation '{presentation.id}' gives a patient no provenance")
    case = _with_interpretation(facts, draft)
    broken = incoherences(facts, case)
    if broken:
        raise AssertionError(f"virtual patient {seed} is incoherent: {broken[0].rule}: {broken[0].message}")
    return case


def _with_interpretation(facts: Facts, case: R.Case) -> R.Case:
    from dataclasses import replace

    return replace(case, interpretation_id=case_interpretation(facts, case))


def case_for(facts: Facts, case_id: str, seed: int = 0) -> R.Case:
    """The one lookup of a patient: the data case ``case_id``, or the virtual patient of ``seed``
    when ``case_id`` is "random" (or ``virtual-<seed>``, the id a virtual patient carries)."""
    cases = facts.by_id("cases")
    if case_id in cases:
        return cases[case_id]
    if case_id == RANDOM_CASE:
        return virtual_patient(facts, seed)
    seed = virtual_seed(case_id)
    if seed is not None:
        return virtual_patient(facts, seed)
    raise ValueError(f"unknown case '{case_id}'; expected one of: {', '.join((*cases, RANDOM_CASE))}")
