"""Who gets back spasms: the risk factors the source names (paragraph 2), as a student selects them.

A student ticks the factors a patient has and, optionally, a sport; the result lists each chosen
factor with what the source says about it and where, grouped by category. The only numbers are
counts of the student's own selection: the source gives no numbers for how much each factor raises
risk, so nothing here computes or implies a risk score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spasm_lib import records as R
from spasm_lib.evidence import provenance_label
from spasm_lib.facts import Facts

if TYPE_CHECKING:  # pragma: no cover
    import pandas

NO_SPORT = "none"

CATEGORY_LABELS = {
    "tissue-state": "Muscle state",
    "acute-force": "Intense force",
    "sport": "Sport",
    "structural-condition": "Structural condition",
    "muscle-weakness": "Muscle weakness",
    "unknown-cause": "No known cause",
}
"""Plain names of the categories in ``records.RISK_CATEGORIES`` (headings, table cells, figure)."""

REGION_LABELS = {
    "lower-back": "Lower back",
    "upper-back": "Upper back",
    "upper-and-lower-back": "Upper and lower back",
    "not-stated": "Not stated",
}
"""Plain names of the back regions in ``records.BACK_REGIONS``."""

NO_NUMBERS_NOTE = "the source gives no numbers for how much each factor raises risk"

TABLE_COLUMNS = ("name", "category", "region", "mechanism", "source_says", "source_paragraph")


@dataclass(frozen=True)
class RiskProfile:
    """The explorer's state: the ticked risk factor ids and the chosen sport id (or ``"none"``)."""

    risk_factor_ids: tuple[str, ...] = ()
    sport: str = NO_SPORT

    def toggled(self, risk_factor_id: str, selected: bool) -> RiskProfile:
        """The state with one factor ticked or unticked (order of first ticking is kept)."""
        ids = tuple(i for i in self.risk_factor_ids if i != risk_factor_id)
        return RiskProfile(ids + (risk_factor_id,) if selected else ids, self.sport)

    def with_sport(self, sport: str) -> RiskProfile:
        return RiskProfile(self.risk_factor_ids, sport)


@dataclass(frozen=True)
class SelectedFactor:
    """One chosen risk factor with what the source says about it and where."""

    id: str
    name: str
    category: str
    category_label: str
    region: str
    region_label: str
    mechanism: str
    source_says: str
    source_paragraph: int | None
    citation: str
    ticked: bool
    via_sport: str | None
    """The sport's name when the factor comes (also) from the chosen sport, else None."""


@dataclass(frozen=True)
class ProfileResult:
    """The risk factors of one profile, grouped by category, with counts of the selection only."""

    profile: RiskProfile
    sport_name: str | None
    sport_movements: tuple[str, ...]
    factors: tuple[SelectedFactor, ...]
    """Chosen factors in category order (``records.RISK_CATEGORIES``), then file order."""
    category_counts: tuple[tuple[str, int], ...]
    """Every category, in ``RISK_CATEGORIES`` order, with how many chosen factors it holds (0 too)."""
    region_counts: tuple[tuple[str, int], ...]
    """Every region, in ``BACK_REGIONS`` order, with how many chosen factors name it (0 too)."""
    category_available: tuple[tuple[str, int], ...]
    """How many factors the source names per category: the most a student can select there."""
    region_available: tuple[tuple[str, int], ...]

    @property
    def by_category(self) -> tuple[tuple[str, tuple[SelectedFactor, ...]], ...]:
        """Only the categories that hold a chosen factor, in ``RISK_CATEGORIES`` order."""
        groups = []
        for category, _ in self.category_counts:
            members = tuple(f for f in self.factors if f.category == category)
            if members:
                groups.append((category, members))
        return tuple(groups)

    @property
    def empty(self) -> bool:
        return not self.factors


def _unknown(kind: str, value: str, allowed: Iterable[str]) -> ValueError:
    return ValueError(f"unknown {kind} '{value}'; expected one of: {', '.join(allowed)}")


def risk_profile(facts: Facts, risk_factor_ids: Iterable[str] = (), sport: str = NO_SPORT) -> ProfileResult:
    """The chosen risk factors (a sport adds its own risk factor from sports.csv), grouped and counted.

    Raises ValueError naming the unknown id and the allowed ids.
    """
    ids = tuple(risk_factor_ids)
    by_id = facts.by_id("risk_factors")
    for rid in ids:
        if rid not in by_id:
            raise _unknown("risk factor", rid, by_id)
    sports = facts.by_id("sports")
    chosen_sport = None
    if sport != NO_SPORT:
        if sport not in sports:
            raise _unknown("sport", sport, (*sports, NO_SPORT))
        chosen_sport = sports[sport]
    ticked = set(ids)
    from_sport = {chosen_sport.risk_factor_id} if chosen_sport else set()
    category_rank = {c: i for i, c in enumerate(R.RISK_CATEGORIES)}
    rows = [r for r in facts.risk_factors if r.id in ticked or r.id in from_sport]
    rows.sort(key=lambda r: category_rank[r.category])  # stable: file order within a category
    factors = tuple(
        SelectedFactor(
            id=r.id,
            name=r.name,
            category=r.category,
            category_label=CATEGORY_LABELS[r.category],
            region=r.region,
            region_label=REGION_LABELS[r.region],
            mechanism=r.mechanism,
            source_says=r.source_says,
            source_paragraph=r.source_paragraph,
            citation=provenance_label(facts, r),
            ticked=r.id in ticked,
            via_sport=chosen_sport.name if r.id in from_sport else None,
        )
        for r in rows
    )
    return ProfileResult(
        profile=RiskProfile(ids, sport),
        sport_name=chosen_sport.name if chosen_sport else None,
        sport_movements=chosen_sport.movements if chosen_sport else (),
        factors=factors,
        category_counts=_count(R.RISK_CATEGORIES, (f.category for f in factors)),
        region_counts=_count(R.BACK_REGIONS, (f.region for f in factors)),
        category_available=_count(R.RISK_CATEGORIES, (r.category for r in facts.risk_factors)),
        region_available=_count(R.BACK_REGIONS, (r.region for r in facts.risk_factors)),
    )


def profile_of(facts: Facts, state: RiskProfile) -> ProfileResult:
    """:func:`risk_profile` of an explorer state."""
    return risk_profile(facts, state.risk_factor_ids, state.sport)


def _count(keys: tuple[str, ...], values: Iterable[str]) -> tuple[tuple[str, int], ...]:
    seen = list(values)
    return tuple((k, seen.count(k)) for k in keys)


def risk_factor_table(
    facts: Facts,
    category: str | None = None,
    region: str | None = None,
    text: str | None = None,
) -> pandas.DataFrame:
    """The source's risk factors as a table students can filter.

    ``category`` and ``region`` are ids (``None`` or ``""`` means all); ``text`` keeps the rows whose
    name, mechanism, source statement or examples contain it (case does not matter). Category and
    region cells hold their plain names (``CATEGORY_LABELS``, ``REGION_LABELS``).
    """
    import pandas

    if category and category not in R.RISK_CATEGORIES:
        raise _unknown("category", category, R.RISK_CATEGORIES)
    if region and region not in R.BACK_REGIONS:
        raise _unknown("region", region, R.BACK_REGIONS)
    needle = (text or "").strip().casefold()
    rows = []
    for r in facts.risk_factors:
        if category and r.category != category:
            continue
        if region and r.region != region:
            continue
        haystack = " ".join((r.name, r.mechanism, r.source_says, *r.examples)).casefold()
        if needle and needle not in haystack:
            continue
        rows.append(
            (
                r.name,
                CATEGORY_LABELS[r.category],
                REGION_LABELS[r.region],
                r.mechanism,
                r.source_says,
                r.source_paragraph if r.source_paragraph is not None else "beyond the source",
            )
        )
    return pandas.DataFrame(rows, columns=list(TABLE_COLUMNS))
