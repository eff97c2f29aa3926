"""Evidence checks: the source's advice on a topic beside what current guidance says.

Why a layer of its own: the source text is the lesson, but on rest, ice, compression, drugs and
referral current guidance differs from it. Every notebook that teaches advice shows the source's
statement and the guidance side by side, with the references, so a student learns both what the text
says and how to check it. The logic here only selects rows and resolves references; the wording
lives in ``data/evidence_checks.csv`` and ``data/references.csv``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spasm_lib import records as R
from spasm_lib.tables import Facts

VERDICT_LABELS = {
    "agrees": "Agrees",
    "partly-agrees": "Partly agrees",
    "differs": "Differs",
    "beyond-source": "Beyond the source",
}
"""The verdict of a check in words: a view shows this label, never a colour alone."""


@dataclass(frozen=True)
class CheckedEvidence:
    """An evidence check with its references resolved, so a view needs no facts."""

    check: R.EvidenceCheck
    references: tuple[R.Reference, ...]


@dataclass(frozen=True)
class Sourced:
    """A statement a student reads and where it comes from, in words (``Source, paragraph 4``)."""

    text: str
    where_from: str


def evidence_checks(
    facts: Facts, ids: Iterable[str] | None = None, treatment_id: str | None = None
) -> tuple[R.EvidenceCheck, ...]:
    """The evidence checks asked for, in the order asked (or file order when ``ids`` is None).

    ``treatment_id`` keeps only the checks about that treatment (``data/treatments.csv``). An unknown
    id is an error naming the known ids, because a silent gap in a handout would go unnoticed.
    """
    by_id = facts.by_id("evidence_checks")
    if ids is None:
        chosen = facts.evidence_checks
    else:
        wanted = tuple(ids)
        unknown = [i for i in wanted if i not in by_id]
        if unknown:
            raise ValueError(
                f"unknown evidence check id(s) {', '.join(unknown)}; expected ids from "
                f"data/evidence_checks.csv: {', '.join(by_id)}"
            )
        chosen = tuple(by_id[i] for i in wanted)
    if treatment_id is not None:
        if treatment_id not in facts.by_id("treatments"):
            raise ValueError(f"unknown treatment id '{treatment_id}'; expected an id from data/treatments.csv")
        chosen = tuple(c for c in chosen if c.treatment_id == treatment_id)
    return tuple(chosen)


def checked_evidence(facts: Facts, ids: Iterable[str] | None = None) -> tuple[CheckedEvidence, ...]:
    """The checks of :func:`evidence_checks`, each with its references resolved (what a card shows)."""
    return tuple(CheckedEvidence(c, references_for(facts, c)) for c in evidence_checks(facts, ids))


def references_for(facts: Facts, record: R.Provenance | R.EvidenceCheck) -> tuple[R.Reference, ...]:
    """The references a row cites, in the order the row lists them."""
    refs = facts.by_id("references")
    return tuple(refs[i] for i in record.reference_ids)


def verdict_label(check: R.EvidenceCheck) -> str:
    """The verdict in words (Agrees / Partly agrees / Differs / Beyond the source)."""
    return VERDICT_LABELS[check.verdict]


def provenance_label(facts: Facts, record: R.Provenance) -> str:
    """Where a row comes from, in the words a handout prints: ``Source, paragraph 4; NICE NG59``.

    A row restating the source names its paragraph; a row beyond the source names its references
    by short citation. Both appear when a row has both.
    """
    return provenance_text(record, references_for(facts, record))


def paragraph_label(paragraph: int) -> str:
    """The one wording of a source citation: ``Source, paragraph 4``."""
    return f"Source, paragraph {paragraph}"


def provenance_words(paragraph: int | None, shorts: Iterable[str]) -> str:
    """A source paragraph (if any) and reference short names, as every view prints them."""
    parts = [paragraph_label(paragraph)] if paragraph is not None else []
    return "; ".join([*parts, *shorts])


def provenance_text(record: R.Provenance, references: Iterable[R.Reference]) -> str:
    """:func:`provenance_label` for a row whose references are already resolved."""
    return provenance_words(record.source_paragraph, (ref.short for ref in references))
