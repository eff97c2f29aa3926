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
from spasm_lib import vocabulary as V
from spasm_lib.evidence import provenance_label
from spasm_lib.tables import Facts

if TYPE_CHECKING:  # pragma: no cover
    import pandas

NO_SPORT = "none"
UNKNOWN_CAUSE = "unknown-cause"
"""The category of "no known cause" (idiopathic): it contradicts every known cause beside it."""

CATEGORY_LABELS = {
    "tissue-state": "Muscle state",
    "acute-force": "Intense force",
    "sport": "Sport",
    "structural-condition": "Structural condition",
    "muscle-weakness": "Muscle weakness",
    "unknown-cause": "No known cause",
}
"""Plain names of the categories in ``vocabulary.RISK_CATEGORIES`` (headings, table cells, figure)."""

REGION_LABELS = V.REGION_LABELS
"""Plain names of the back regions in ``vocabulary.BACK_REGIONS`` (owned by :mod:`spasm_lib.vocabulary`)."""

REGION_FILTERS: dict[str, tuple[str, ...]] = {
    "lower-back": ("lower-back", "upper-and-lower-back"),
    "upper-back": ("upper-back", "upper-and-lower-back"),
    "upper-and-lower-back": ("upper-and-lower-back",),
    "not-stated": ("not-stated",),
}
"""What the region filter keeps: the rows whose ``region`` is one of these.

A factor the source ties to "both the upper and the lower back" concerns the upper back and the lower
back, so it is kept by either filter; a factor for which the source names no part of the back is kept
only by "Not stated" (the source is silent, which does not mean the factor spares any region).
"""

REGION_FILTER_MEANING = {
    "lower-back": "factors the source ties to the lower back, including those it ties to both the upper "
    "and the lower back",
    "upper-back": "factors the source ties to the upper back, including those it ties to both the upper "
    "and the lower back",
    "upper-and-lower-back": "factors the source ties to both the upper and the lower back",
    "not-stated": "the factors whose region is \u201cNot stated\u201d",
}
"""The region filter's meaning in words, shown under the filter and in the table's caption (interface
wording: what "Not stated" means is the data's, ``teaching_text.csv`` row ``not-stated-region``,
shown under the table)."""

NO_NUMBERS = "no-risk-numbers"
"""The ``teaching_text.csv`` row that says the source gives no numbers for these risks."""
NOT_STATED = "not-stated-region"
"""The ``teaching_text.csv`` row that says what "Not stated" in the region column means."""
IDIOPATHIC_WITH_KNOWN_CAUSE = "idiopathic-with-known-cause"
"""The ``teaching_text.csv`` row that says why "no known cause" does not go with a known cause."""

TABLE_COLUMNS = ("name", "synonyms", "category", "region", "mechanism", "source_says", "source_paragraph")


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
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProfileResult:
    """The risk factors of one profile, grouped by category, with counts of the selection only."""

    profile: RiskProfile
    sport_name: str | None
    sport_movements: tuple[str, ...]
    factors: tuple[SelectedFactor, ...]
    """Chosen factors in category order (``vocabulary.RISK_CATEGORIES``), then file order."""
    category_counts: tuple[tuple[str, int], ...]
    """Every category, in ``RISK_CATEGORIES`` order, with how many chosen factors it holds (0 too)."""
    region_counts: tuple[tuple[str, int], ...]
    """Every region, in ``BACK_REGIONS`` order, with how many chosen factors name it (0 too)."""
    category_available: tuple[tuple[str, int], ...]
    """How many factors the source names per category: the most a student can select there."""
    region_available: tuple[tuple[str, int], ...]
    shown_ticked: tuple[str, ...] = ()
    """The ids whose box the explorer shows ticked, in file order: the ticked ones and the one the
    chosen sport adds, so the boxes and the sport menu always agree with the profile."""
    known_causes_with_no_known_cause: tuple[str, ...] = ()
    """Names of the known causes chosen together with "no known cause" (idiopathic), which
    contradicts them: idiopathic means no cause can be found. Empty when there is no contradiction."""
    no_numbers: str = ""
    """What the source's silence on numbers means for the counts (``teaching_text.csv``)."""
    contradiction_reason: str = ""
    """Why "no known cause" does not go with a known cause (``teaching_text.csv``); empty when there
    is no contradiction."""

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
    chosen = ticked | from_sport
    category_rank = {c: i for i, c in enumerate(V.RISK_CATEGORIES)}
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
            synonyms=r.synonyms,
        )
        for r in rows
    )
    unknown = [f for f in factors if f.category == UNKNOWN_CAUSE]
    conflict = tuple(f.name for f in factors if f.category != UNKNOWN_CAUSE) if unknown else ()
    return ProfileResult(
        profile=RiskProfile(ids, sport),
        sport_name=chosen_sport.name if chosen_sport else None,
        sport_movements=chosen_sport.movements if chosen_sport else (),
        factors=factors,
        category_counts=_count(V.RISK_CATEGORIES, (f.category for f in factors)),
        region_counts=_count(V.BACK_REGIONS, (f.region for f in factors)),
        category_available=_count(V.RISK_CATEGORIES, (r.category for r in facts.risk_factors)),
        region_available=_count(V.BACK_REGIONS, (r.region for r in facts.risk_factors)),
        shown_ticked=tuple(r.id for r in facts.risk_factors if r.id in chosen),
        known_causes_with_no_known_cause=conflict,
        no_numbers=_text(facts, NO_NUMBERS),
        contradiction_reason=_text(facts, IDIOPATHIC_WITH_KNOWN_CAUSE) if conflict else "",
    )


def _text(facts: Facts, row_id: str) -> str:
    return facts.by_id("teaching_text")[row_id].text


def tick(facts: Facts, state: RiskProfile, risk_factor_id: str, selected: bool) -> RiskProfile:
    """The state after a student ticks or unticks one box.

    Unticking the factor the chosen sport adds also clears the sport: the sport *is* that factor, so
    keeping it would leave the box ticked (the issue's "ticking it changes nothing").
    """
    if risk_factor_id not in facts.by_id("risk_factors"):
        raise _unknown("risk factor", risk_factor_id, facts.by_id("risk_factors"))
    state = state.toggled(risk_factor_id, selected)
    if not selected and state.sport != NO_SPORT:
        sport = facts.by_id("sports").get(state.sport)
        if sport is not None and sport.risk_factor_id == risk_factor_id:
            state = state.with_sport(NO_SPORT)
    return state


def choose_sport(facts: Facts, state: RiskProfile, sport: str) -> RiskProfile:
    """The state after a student picks a sport (or "none").

    A sport adds its factor (shown ticked, "added by the sport"); choosing "none" removes it again
    unless the student ticked that factor themselves.
    """
    if sport != NO_SPORT and sport not in facts.by_id("sports"):
        raise _unknown("sport", sport, (*facts.by_id("sports"), NO_SPORT))
    return state.with_sport(sport)


def _count(keys: tuple[str, ...], values: Iterable[str]) -> tuple[tuple[str, int], ...]:
    seen = list(values)
    return tuple((k, seen.count(k)) for k in keys)


@dataclass(frozen=True)
class TableResult:
    """The rows of the risk-factor table that pass the filters, with the filters that chose them."""

    rows: tuple[R.RiskFactor, ...]
    category: str
    """A category id, or "" for all."""
    region: str
    """A region filter id (a key of ``REGION_FILTERS``), or "" for all."""
    text: str
    """The search as typed (stripped), or ""."""
    total: int
    """How many risk factors the source names in all."""
    no_numbers: str
    """That the source gives no numbers for these risks (``teaching_text.csv``)."""
    not_stated: str
    """What "Not stated" in the region column means (``teaching_text.csv``)."""

    @property
    def filters_in_words(self) -> tuple[str, ...]:
        """Each active filter as a phrase, for the caption (``()`` when none is set)."""
        words = []
        if self.category:
            words.append(f"category {CATEGORY_LABELS[self.category]}")
        if self.region:
            words.append(f"region {REGION_LABELS[self.region]}: {REGION_FILTER_MEANING[self.region]}")
        if self.text:
            words.append(f"search \u201c{self.text}\u201d")
        return tuple(words)


def search_text(record: R.RiskFactor) -> str:
    """Everything a search looks in, casefolded: name, other names (synonyms), examples, category,
    mechanism and the source's statement."""
    return " ".join(
        (record.name, *record.synonyms, *record.examples, CATEGORY_LABELS[record.category], record.mechanism,
         record.source_says)
    ).casefold()


def filter_risk_factors(
    facts: Facts,
    category: str | None = None,
    region: str | None = None,
    text: str | None = None,
) -> TableResult:
    """The source's risk factors a student's filters keep, in file order.

    ``category`` is a category id; ``region`` a key of ``REGION_FILTERS`` (so "upper-back" keeps the
    factors of the upper back *and* those of both upper and lower back); ``None`` or ``""`` means all.
    ``text`` keeps the rows whose :func:`search_text` contains it, so "herniated" or "slipped disc"
    finds the ruptured disc through its other names (case and extra spaces do not matter).

    Raises ValueError naming an unknown category or region and the allowed ones.
    """
    if category and category not in V.RISK_CATEGORIES:
        raise _unknown("category", category, V.RISK_CATEGORIES)
    if region and region not in REGION_FILTERS:
        raise _unknown("region", region, REGION_FILTERS)
    typed = " ".join((text or "").split())
    needle = typed.casefold()
    rows = tuple(
        r
        for r in facts.risk_factors
        if (not category or r.category == category)
        and (not region or r.region in REGION_FILTERS[region])
        and (not needle or needle in search_text(r))
    )
    return TableResult(rows, category or "", region or "", typed, len(facts.risk_factors),
                       _text(facts, NO_NUMBERS), _text(facts, NOT_STATED))


def risk_factor_table(
    facts: Facts,
    category: str | None = None,
    region: str | None = None,
    text: str | None = None,
) -> pandas.DataFrame:
    """The filtered risk factors (:func:`filter_risk_factors`) as a pandas DataFrame, for students who
    want to work with the table in pandas. Category and region cells hold their plain names, other
    names are joined with "; ". The notebook's own table is drawn from :func:`filter_risk_factors`
    without pandas (importing it would double the notebook's start-up time).
    """
    from spasm_lib.browser_packages import require

    pandas = require("pandas")  # in the browser kernel, fetched on first use

    rows = [
        (
            r.name,
            "; ".join(r.synonyms),
            CATEGORY_LABELS[r.category],
            REGION_LABELS[r.region],
            r.mechanism,
            r.source_says,
            r.source_paragraph if r.source_paragraph is not None else "beyond the source",
        )
        for r in filter_risk_factors(facts, category, region, text).rows
    ]
    return pandas.DataFrame(rows, columns=list(TABLE_COLUMNS))
