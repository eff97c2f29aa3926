"""A class's virtual patients: one per student, the same for the same class seed and mix.

``spasm-teach handouts --students N --seed S``, ``spasm-teach patients --count N --seed S`` and
the answer key all use :func:`class_patients`, so the exported patients are the handouts' patients.
Each student's patient is an ordinary virtual patient (:func:`spasm_lib.virtual_patients.virtual_patient`
of the student's seed), so the student's code (:mod:`spasm_lib.patient_codes`) typed into a
notebook gives the very same patient there.

Two mixes:

``balanced`` (the default) plans the class before drawing anyone. What it guarantees, for a class
of ``n`` students, with ``P`` presentations in ``data/presentations.csv`` and ``L`` triage levels
that some presentation gives by its required flags alone (today P = 22, L = 4):

* **every triage level** when ``n >= L``; ``n`` different levels when ``n < L``;
* **no two students with the same presentation** while ``n <= P``; beyond that each presentation
  is used ``n // P`` or ``n // P + 1`` times;
* **no two students with the same presentation and story** until that presentation's stories run
  out (each presentation has three or more), and **no two students with the same patient** until
  the presentation runs out of different patients (a teenager after sport has about a dozen): then
  a patient of that presentation repeats, so that even a cohort of thousands keeps the planned mix
  of presentations (issue 18: the mix at 5,000 students).

It does so by rejection: each student's seed is tried in a fixed sequence until the patient drawn
from it has the planned presentation (and triage level, and an unused story), so the generator
itself is untouched and a code still names a seed.

``weighted`` draws each student's patient as a "random virtual patient" of the notebooks is
drawn (presentations by their ``weight``); a patient identical to an earlier one is redrawn within
the same presentation (so the weights hold in a large class), and repeats once that presentation
has no new patient left. Common presentations come up often and a small class may miss a level.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from spasm_lib import inputs
from spasm_lib import records as R
from spasm_lib.coherence import AGE_FLAG, carries_age_flag
from spasm_lib.tables import Facts
from spasm_lib.patient_codes import MAX_CODE_SEED, is_printable_code
from spasm_lib.triage import case_triage, triage
from spasm_lib.virtual_patients import presentation_of, virtual_patient

BALANCED = "balanced"
WEIGHTED = "weighted"
MIXES = (BALANCED, WEIGHTED)
DEFAULT_MIX = BALANCED
MIX_HELP = {
    BALANCED: "every triage level in a class of 4 or more, no presentation twice until all have been used, "
              "no presentation and story twice until its stories run out",
    WEIGHTED: "each patient drawn like a random patient of the notebooks (common presentations often; "
              "a small class may miss a triage level)",
}
STORY_TRIES = 60
"""Patients of the planned presentation (and level) tried for one student with a story not yet told
in the class: counted in patients of that presentation, not in seeds, so that a rare presentation
(weight 2 of 110: one seed in 55) gets as many tries as a common one."""
PRESENTATION_TRIES = 120
"""... then with any story: past this, the presentation counts as having run out of new patients."""
MAX_ATTEMPTS = 20_000
"""Past this, an error (no patient of the planned presentation at all)."""
WEIGHTED_REDRAWS = 200
"""Seeds a weighted class tries for a student whose patient repeats an earlier one."""


@dataclass(frozen=True)
class ClassPatient:
    """Student ``number``'s virtual patient (1-based) and the seed it was drawn from."""

    number: int
    seed: int
    case: R.Case


def student_seed(class_seed: int, number: int, attempt: int = 0) -> int:
    """Seed candidate ``attempt`` of student ``number``: stable, spread out, independent per class.

    Derived from SHA-256 of the class seed and the number (not ``class_seed + number``), so two
    classes with neighbouring seeds do not share patients; below 32**5 so that a six-character
    patient code holds it.
    """
    digest = hashlib.sha256(f"spasm-teach/class/{class_seed}/{number}/{attempt}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % (MAX_CODE_SEED + 1)


def _same_patient(case: R.Case) -> tuple:
    """What makes two patients the same person for a class: everything but id and title."""
    return (case.presentation_id, case.age, case.story, case.risk_factor_ids, case.red_flag_ids,
            case.tissue_injury, case.radicular, case.yellow_flag_ids)


def story_id(facts: Facts, case: R.Case) -> str | None:
    """The id of the presentation story a patient tells (``presentation_stories.csv``), if any."""
    told = [s for s in facts.presentation_stories
            if s.presentation_id == case.presentation_id and case.story.startswith(s.story)]
    return max(told, key=lambda s: len(s.story)).id if told else None


def required_level(facts: Facts, presentation: R.Presentation) -> str:
    """The triage level of a presentation's patients by its required flags alone (the age flag
    counted when every age of the presentation carries it)."""
    flags = [f for f in presentation.red_flag_ids if f != AGE_FLAG]
    if all(carries_age_flag(age) for age in range(presentation.age_min, presentation.age_max + 1)):
        flags.append(AGE_FLAG)
    return triage(facts, flags).id


@dataclass(frozen=True)
class Slot:
    """What the plan wants for one student: a presentation, and a triage level when it matters."""

    presentation_id: str
    level: str | None = None


def _shuffled(rng: random.Random, items: list) -> list:
    """Fisher-Yates by ``random()`` alone (whose sequence Python keeps stable, as in Pyodide)."""
    items = list(items)
    for i in range(len(items) - 1, 0, -1):
        j = min(int(rng.random() * (i + 1)), i)
        items[i], items[j] = items[j], items[i]
    return items


def balanced_plan(facts: Facts, count: int, class_seed: int) -> tuple[Slot, ...]:
    """The presentations (and levels to cover) of a balanced class, student by student.

    Rounds of every presentation, each in a fresh seeded order; the first round opens with one
    presentation per triage level. A student's slot depends only on the class seed and the
    student's number, so a student who joins late (``--students 31`` after 30) changes nobody's patient.
    """
    rng = random.Random(f"spasm-teach/class-plan/{class_seed}")
    levels = [t.id for t in sorted(facts.triage_levels, key=lambda t: t.order)]
    by_level: dict[str, list[str]] = {}
    for p in facts.presentations:
        by_level.setdefault(required_level(facts, p), []).append(p.id)
    slots: list[Slot] = []
    while len(slots) < count:
        first_round = not slots
        covering = []
        if first_round:
            reachable = _shuffled(rng, [lv for lv in levels if by_level.get(lv)])
            covering = [Slot(by_level[lv][int(rng.random() * len(by_level[lv]))], lv) for lv in reachable]
        used = {s.presentation_id for s in covering}
        rest = _shuffled(rng, [p.id for p in facts.presentations if p.id not in used])
        slots.extend((covering + [Slot(p) for p in rest])[: count - len(slots)])
    return tuple(slots)


def _balanced(facts: Facts, count: int, class_seed: int) -> tuple[ClassPatient, ...]:
    chosen: list[ClassPatient] = []
    seen: set[tuple] = set()
    told: set[tuple[str, str | None]] = set()
    exhausted: set[str] = set()
    stories = {p.id: {s.id for s in facts.presentation_stories if s.presentation_id == p.id}
               for p in facts.presentations}
    for number, slot in enumerate(balanced_plan(facts, count, class_seed), start=1):
        wanted = slot.presentation_id
        fresh_story = bool(stories[wanted] - {s for p, s in told if p == wanted})
        # Stages: the plan's presentation with a story not told yet; then with any story; once the
        # presentation has no patient left who differs from the earlier ones, a repeat of one of its
        # patients (the first seed of it tried), so the class keeps the planned mix.
        stage_end = STORY_TRIES if fresh_story else 0
        repeat = None
        found = None
        tries = 0
        for attempt in range(MAX_ATTEMPTS):
            seed = student_seed(class_seed, number, attempt)
            if not is_printable_code(seed) or presentation_of(facts, seed) != wanted:
                continue
            case = virtual_patient(facts, seed)
            if case.presentation_id != wanted or (slot.level is not None and case_triage(facts, case).id != slot.level):
                continue
            repeat = repeat or (seed, case)
            tries += 1
            if wanted in exhausted or tries > PRESENTATION_TRIES:
                break
            if _same_patient(case) in seen or (tries <= stage_end and (wanted, story_id(facts, case)) in told):
                continue
            found = (seed, case)
            break
        if found is None:
            if repeat is None:
                raise RuntimeError(f"no patient of '{wanted}' found for student {number} of class {class_seed}")
            exhausted.add(wanted)
            found = repeat
        seed, case = found
        story = story_id(facts, case)
        seen.add(_same_patient(case))
        told.add((case.presentation_id, story))
        chosen.append(ClassPatient(number, seed, case))
    return tuple(chosen)


def _weighted(facts: Facts, count: int, class_seed: int) -> tuple[ClassPatient, ...]:
    chosen: list[ClassPatient] = []
    seen: set[tuple] = set()
    for number in range(1, count + 1):
        first = None
        for attempt in range(MAX_ATTEMPTS):
            seed = student_seed(class_seed, number, attempt)
            if not is_printable_code(seed):
                continue
            if first is not None and presentation_of(facts, seed) != first[1].presentation_id:
                continue  # (the check below, without drawing the whole patient)
            case = virtual_patient(facts, seed)
            first = first or (seed, case)
            if case.presentation_id != first[1].presentation_id:
                continue  # a redraw stays in the first draw's presentation: the weights hold
            if _same_patient(case) not in seen:
                break
            if attempt >= WEIGHTED_REDRAWS:
                seed, case = first  # the presentation has no new patient left: a repeat
                break
        else:
            raise RuntimeError(f"no patient found for student {number} of class {class_seed}")
        seen.add(_same_patient(case))
        chosen.append(ClassPatient(number, seed, case))
    return tuple(chosen)


def class_patients(facts: Facts, count: int, class_seed: int, mix: str = DEFAULT_MIX) -> tuple[ClassPatient, ...]:
    """One different virtual patient per student, the same for the same class seed and mix; the
    first ``k`` students of a bigger class are the class of ``k`` (a late student changes nobody's)."""
    class_seed = inputs.seed(class_seed)
    if mix not in MIXES:
        raise ValueError(f"unknown mix '{mix}'; expected one of: {', '.join(MIXES)}")
    return (_balanced if mix == BALANCED else _weighted)(facts, count, class_seed)
