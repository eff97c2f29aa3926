"""The glossary: plain-word definitions of the terms a student meets (idiopathic, NSAID, neurology ...).

A notebook can show the whole glossary or only the terms its lesson uses, by id or by the term itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from spasm_lib import records as R
from spasm_lib.facts import Facts


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
