"""The glossary: plain-word definitions of the terms a student meets (idiopathic, NSAID, neurology ...).

A notebook can show the whole glossary or only the terms its lesson uses, by id or by the term itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spasm_lib import records as R
from spasm_lib.evidence import provenance_label, references_for
from spasm_lib.tables import Facts


@dataclass(frozen=True)
class GlossaryEntry:
    """A term as the glossary shows it: its definition and where that comes from, in words."""

    id: str
    term: str
    definition: str
    where_from: str


def glossary_terms(facts: Facts, terms: Iterable[str] | None = None) -> tuple[R.GlossaryTerm, ...]:
    """Terms in alphabetical order, or in the order asked (each given as an id or as the term)."""
    if terms is None:
        return tuple(sorted(facts.glossary, key=lambda t: t.term.casefold()))
    by_id = facts.by_id("glossary")
    by_term = {t.term.casefold(): t for t in facts.glossary}
    chosen, unknown = [], []
    for name in terms:
        found = by_id.get(name) or by_term.get(name.casefold())
        if found is None:
            unknown.append(name)
        else:
            chosen.append(found)
    if unknown:
        raise ValueError(
            f"unknown glossary term(s) {', '.join(unknown)}; expected ids or terms from data/glossary.csv"
        )
    return tuple(chosen)


def where_from(facts: Facts, term: R.GlossaryTerm) -> str:
    """A general definition is not the source's claim: it says so, and where the source uses the term."""
    if term.definition_from == "general":
        refs = "".join(f"; {r.short}" for r in references_for(facts, term))
        return f"general definition; the source uses the term in paragraph {term.source_paragraph}{refs}"
    return provenance_label(facts, term)


def glossary(facts: Facts, terms: Iterable[str] | None = None) -> tuple[GlossaryEntry, ...]:
    """The entries of :func:`glossary_terms` (all, alphabetically, or those asked), ready for a view."""
    return tuple(GlossaryEntry(t.id, t.term, t.definition, where_from(facts, t)) for t in glossary_terms(facts, terms))
