"""Seeded virtual patients: endless practice cases composed from the teaching data.

A virtual patient is an ordinary :class:`~spasm_lib.records.Case`, so the exam simulator treats it
exactly like a written case. Its hidden facts (site, tissue injury, nerve-root involvement, red flags)
are drawn with ``numpy.random.default_rng(seed)``: the same seed gives the same patient on every
machine, so an instructor can hand a class "patient 7" and everyone meets the same person. The
interpretation is never drawn: it follows :func:`spasm_lib.facts.expected_interpretation`.

The chances below are settings of this teaching simulation, chosen so that practice shows every
interpretation now and then; they are not how common anything is in the clinic (the source gives no
such numbers).

:func:`simulate_findings` runs the same rules over many patients at once with numpy arrays (a class
set, or a check that the rules give what they should); :func:`simulate_findings_loop` is its plain
Python reference. Both draw every random number up front with the same :func:`_draw`, so they agree
exactly, and ``simulate_findings(facts, 1, seed)`` describes ``virtual_patient(facts, seed)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from spasm_lib import records as R
from spasm_lib.exam_findings import exam_steps, perform, step_needs_site
from spasm_lib.facts import Facts, expected_interpretation

if TYPE_CHECKING:  # pragma: no cover
    import pandas

RANDOM_CASE = "random"

P_UPPER_BACK = 0.25
P_SPORT = 0.35
"""Chance of a sport (lower-back patients with a known cause only)."""
P_SECOND_FACTOR = 0.35
P_TISSUE_INJURY = 0.25
P_TISSUE_INJURY_AFTER_FORCE = 0.5
"""With a sport or an intense force: the source links force to torn muscles and tendons."""
P_RADICULAR = 0.12
P_RADICULAR_WITH_DISC = 0.5
"""With a ruptured disc: a disc is the usual example of what irritates a nerve root."""
P_RED_FLAGS = 0.08
AGES = (20, 50)
"""Ages without the age red flag (it reads "over 50 or under 20")."""
AGES_WITH_AGE_FLAG = (51, 85)

DISC_FACTOR = "ruptured-disc"
AGE_RED_FLAG = "age-over-50-or-under-20"
ONSET_ACTIVITIES = ("twisting to reach for something", "pulling something heavy", "pushing something heavy")
"""The source's twisting, pulling and pushing (paragraph 1), as what the patient was doing."""
COURSE = (
    "I carried on at first, but over the next few hours it got much worse, and now I keep as "
    "still as I can so as not to make it worse."
)
"""How the pain unfolds over hours, as the source describes it (paragraph 1)."""


# --------------------------------------------------------------------------- the random numbers


@dataclass(frozen=True)
class _Draws:
    """Every random number for ``n`` patients, drawn in one fixed order (arrays of length n)."""

    site: np.ndarray
    sport: np.ndarray
    sport_pick: np.ndarray
    first_pick: np.ndarray
    second_pick: np.ndarray
    second: np.ndarray
    injury: np.ndarray
    radicular: np.ndarray
    red: np.ndarray
    red_pick: np.ndarray
    age: np.ndarray
    age_flagged: np.ndarray
    activity: np.ndarray


def _draw(facts: Facts, n: int, seed: int) -> _Draws:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number of 0 or more; got {seed!r}")
    if n < 0:
        raise ValueError(f"n must be 0 or more; got {n!r}")
    rng = np.random.default_rng(seed)
    return _Draws(
        site=rng.random(n),
        sport=rng.random(n),
        sport_pick=rng.integers(0, len(facts.sports), n),
        first_pick=rng.random(n),
        second_pick=rng.random(n),
        second=rng.random(n),
        injury=rng.random(n),
        radicular=rng.random(n),
        red=rng.random(n),
        red_pick=rng.integers(0, len(facts.red_flags), n),
        age=rng.integers(AGES[0], AGES[1] + 1, n),
        age_flagged=rng.integers(AGES_WITH_AGE_FLAG[0], AGES_WITH_AGE_FLAG[1] + 1, n),
        activity=rng.integers(0, len(ONSET_ACTIVITIES), n),
    )


def _candidates(facts: Facts, site: str, second: bool) -> tuple[int, ...]:
    """Indices (into facts.risk_factors) a patient with a spasm at ``site`` may have.

    Sports come only with a drawn sport; a factor tied to one region only fits a spasm there;
    "no known cause" is never a second factor.
    """
    fits = (site, "upper-and-lower-back", "not-stated")
    return tuple(
        i
        for i, r in enumerate(facts.risk_factors)
        if r.category != "sport" and r.region in fits and not (second and r.category == "unknown-cause")
    )


# --------------------------------------------------------------------------- one patient


def _patient(facts: Facts, draws: _Draws, i: int, case_id: str, title_number: int) -> R.Case:
    """Apply the rules to patient ``i`` of the draws (plain Python: the reference implementation)."""
    factors = facts.risk_factors
    site = "upper-back" if draws.site[i] < P_UPPER_BACK else "lower-back"
    firsts, seconds = _candidates(facts, site, False), _candidates(facts, site, True)
    first = firsts[int(draws.first_pick[i] * len(firsts))]
    second = seconds[int(draws.second_pick[i] * len(seconds))]
    unknown_cause = factors[first].category == "unknown-cause"
    chosen = {first}
    if draws.second[i] < P_SECOND_FACTOR and not unknown_cause and second != first:
        chosen.add(second)
    sport = None
    if site == "lower-back" and not unknown_cause and draws.sport[i] < P_SPORT:
        sport = facts.sports[int(draws.sport_pick[i])]
        chosen.add(next(k for k, r in enumerate(factors) if r.id == sport.risk_factor_id))
    risk_factor_ids = tuple(factors[k].id for k in sorted(chosen))
    forceful = sport is not None or any(factors[k].category == "acute-force" for k in chosen)
    tissue_injury = bool(draws.injury[i] < (P_TISSUE_INJURY_AFTER_FORCE if forceful else P_TISSUE_INJURY))
    disc = DISC_FACTOR in risk_factor_ids
    radicular = site == "lower-back" and bool(
        draws.radicular[i] < (P_RADICULAR_WITH_DISC if disc else P_RADICULAR)
    )
    red_flag_ids: tuple[str, ...] = ()
    if draws.red[i] < P_RED_FLAGS:
        red_flag_ids = (facts.red_flags[int(draws.red_pick[i])].id,)
    age = int(draws.age_flagged[i] if AGE_RED_FLAG in red_flag_ids else draws.age[i])
    interpretation_id = expected_interpretation(radicular, tissue_injury, bool(red_flag_ids))
    interpretation = facts.by_id("interpretations")[interpretation_id]
    where = site.replace("-", " ")
    if sport is not None:
        moves = _and(sport.movements)
        opening = (
            f"I play {sport.name.lower()}, with its {moves}. During a game I felt a sudden pain in my {where}."
        )
    else:
        opening = f"I was {ONSET_ACTIVITIES[int(draws.activity[i])]} when I felt a sudden pain in my {where}."
    return R.Case(
        id=case_id,
        title=f"Virtual patient {title_number}: sudden {where} pain at {age}",
        age=age,
        story=f"{opening} {COURSE}",
        sport_id=sport.id if sport else None,
        risk_factor_ids=risk_factor_ids,
        spasm_site=site,
        tissue_injury=tissue_injury,
        radicular=radicular,
        red_flag_ids=red_flag_ids,
        interpretation_id=interpretation_id,
        teaching_point=f"{interpretation.description} {interpretation.next_action}",
        source_paragraph=3,
        reference_ids=_beyond_source_references(facts, radicular, red_flag_ids, interpretation_id),
    )


def _and(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _beyond_source_references(
    facts: Facts, radicular: bool, red_flag_ids: tuple[str, ...], interpretation_id: str
) -> tuple[str, ...]:
    """References of the patient's features that the source does not teach (nerve root, red flags)."""
    interpretations = facts.by_id("interpretations")
    records: list[R.Provenance] = []
    if radicular:
        records.append(interpretations[expected_interpretation(True, False, False)])
    records.extend(facts.by_id("red_flags")[f] for f in red_flag_ids)
    records.append(interpretations[interpretation_id])
    ids = dict.fromkeys(rid for r in records if r.beyond_source for rid in r.reference_ids)
    return tuple(ids)


def virtual_patient(facts: Facts, seed: int) -> R.Case:
    """The virtual patient of a seed (``id`` ``virtual-<seed>``): same seed, same Case."""
    return _patient(facts, _draw(facts, 1, seed), 0, f"virtual-{seed}", seed)


def case_for(facts: Facts, case_id: str, seed: int = 0) -> R.Case:
    """The data case ``case_id``, or the virtual patient of ``seed`` when ``case_id`` is "random"."""
    if case_id == RANDOM_CASE:
        return virtual_patient(facts, seed)
    cases = facts.by_id("cases")
    if case_id not in cases:
        raise ValueError(f"unknown case '{case_id}'; expected one of: {', '.join((*cases, RANDOM_CASE))}")
    return cases[case_id]


# --------------------------------------------------------------------------- many patients


FEATURE_COLUMNS = ("patient", "age", "spasm_site", "sport", "risk_factors", "tissue_injury", "radicular", "red_flags")


def simulate_findings(facts: Facts, n: int, seed: int) -> pandas.DataFrame:
    """``n`` virtual patients at once (numpy arrays, no loop over patients).

    One row per patient: features, then one column per exam step (in order) holding the id of the
    finding it reveals, palpating at the spasm site ("; " between ids if several), then
    ``expected_interpretation``.
    """
    import pandas

    d = _draw(facts, n, seed)
    factors = facts.risk_factors
    upper = d.site < P_UPPER_BACK
    site_code = upper.astype(np.intp)
    firsts = [_candidates(facts, s, False) for s in ("lower-back", "upper-back")]
    seconds = [_candidates(facts, s, True) for s in ("lower-back", "upper-back")]
    first = _pick(firsts, site_code, d.first_pick)
    second = _pick(seconds, site_code, d.second_pick)
    unknown = np.array([r.category == "unknown-cause" for r in factors])
    forceful_factor = np.array([r.category == "acute-force" for r in factors])
    disc_factor = np.array([r.id == DISC_FACTOR for r in factors])
    has_second = (d.second < P_SECOND_FACTOR) & ~unknown[first] & (second != first)
    has_sport = ~upper & ~unknown[first] & (d.sport < P_SPORT)
    index = {r.id: k for k, r in enumerate(factors)}
    sport_factor = np.array([index[s.risk_factor_id] for s in facts.sports], dtype=np.intp)[d.sport_pick]
    bits = (
        (np.int64(1) << first)
        | np.where(has_second, np.int64(1) << second, 0)
        | np.where(has_sport, np.int64(1) << sport_factor, 0)
    )
    forceful = has_sport | forceful_factor[first] | (has_second & forceful_factor[second])
    injury = d.injury < np.where(forceful, P_TISSUE_INJURY_AFTER_FORCE, P_TISSUE_INJURY)
    disc = disc_factor[first] | (has_second & disc_factor[second]) | (has_sport & disc_factor[sport_factor])
    radicular = ~upper & (d.radicular < np.where(disc, P_RADICULAR_WITH_DISC, P_RADICULAR))
    red = d.red < P_RED_FLAGS
    flag_ids = [f.id for f in facts.red_flags]
    age_flag = flag_ids.index(AGE_RED_FLAG) if AGE_RED_FLAG in flag_ids else -1
    age = np.where(red & (d.red_pick == age_flag), d.age_flagged, d.age)

    unique_bits, inverse = np.unique(bits, return_inverse=True)
    factor_labels = np.array(
        ["; ".join(r.id for k, r in enumerate(factors) if b >> k & 1) for b in unique_bits.tolist()], dtype=object
    )
    columns: dict[str, object] = {
        "patient": np.arange(n, dtype=np.int64),
        "age": age.astype(np.int64),
        "spasm_site": np.array(["lower-back", "upper-back"], dtype=object)[site_code],
        "sport": np.array([s.id for s in facts.sports] + ["none"], dtype=object)[
            np.where(has_sport, d.sport_pick, len(facts.sports))
        ],
        "risk_factors": factor_labels[inverse.reshape(-1)],
        "tissue_injury": injury,
        "radicular": radicular,
        "red_flags": np.array(flag_ids + [""], dtype=object)[np.where(red, d.red_pick, len(flag_ids))],
    }
    holds = {
        "always": np.ones(n, dtype=bool),
        "site-match": np.ones(n, dtype=bool),
        "site-other": np.zeros(n, dtype=bool),
        "tissue-injury": injury,
        "no-tissue-injury": ~injury,
        "radicular": radicular,
        "not-radicular": ~radicular,
        "red-flags": red,
        "no-red-flags": ~red,
    }
    for step in exam_steps(facts):
        mine = [f for f in facts.findings if f.step_id == step.id]
        code = np.zeros(n, dtype=np.int64)
        for k, f in enumerate(mine):
            code |= holds[f.trigger].astype(np.int64) << k
        labels = ["; ".join(f.id for k, f in enumerate(mine) if c >> k & 1) for c in range(1 << len(mine))]
        columns[step.id] = np.array(labels, dtype=object)[code]
    rule = np.array(
        [expected_interpretation(bool(c & 4), bool(c & 2), bool(c & 1)) for c in range(8)], dtype=object
    )
    columns["expected_interpretation"] = rule[radicular.astype(np.intp) * 4 + injury.astype(np.intp) * 2 + red]
    return pandas.DataFrame(columns)


def _pick(candidates: list[tuple[int, ...]], site_code: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``candidates[site][floor(u * len)]`` for every patient at once."""
    width = max(len(c) for c in candidates)
    table = np.array([c + (c[-1],) * (width - len(c)) for c in candidates], dtype=np.intp)
    lengths = np.array([len(c) for c in candidates])
    return table[site_code, (u * lengths[site_code]).astype(np.intp)]


def simulate_findings_loop(facts: Facts, n: int, seed: int) -> pandas.DataFrame:
    """The same table as :func:`simulate_findings`, one patient at a time through the exam rules.

    The reference implementation: it builds each patient as :func:`virtual_patient` does and asks
    :func:`spasm_lib.exam_findings.perform` for every step, so the vectorised version is checked
    against the simulator's own rules.
    """
    import pandas

    d = _draw(facts, n, seed)
    steps = exam_steps(facts)
    needs_site = {s.id: step_needs_site(facts, s.id) for s in steps}
    rows = []
    for i in range(n):
        case = _patient(facts, d, i, f"virtual-{seed}-{i}", i)
        row: dict[str, object] = {
            "patient": i,
            "age": case.age,
            "spasm_site": case.spasm_site,
            "sport": case.sport_id or "none",
            "risk_factors": "; ".join(case.risk_factor_ids),
            "tissue_injury": case.tissue_injury,
            "radicular": case.radicular,
            "red_flags": "; ".join(case.red_flag_ids),
        }
        for step in steps:
            site = case.spasm_site if needs_site[step.id] else None
            row[step.id] = "; ".join(f.finding_id for f in perform(facts, case, step.id, site))
        row["expected_interpretation"] = case.interpretation_id
        rows.append(row)
    columns = [*FEATURE_COLUMNS, *(s.id for s in steps), "expected_interpretation"]
    return pandas.DataFrame(rows, columns=columns)
