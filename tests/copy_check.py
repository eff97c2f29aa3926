"""The copy check: a text copies the source when it has eight words in a row that the source has.

One definition for every test that asks it (the data's cells, the notebooks, the library's strings):
words are runs of letters, lower-cased, so punctuation, case and line breaks do not hide a copy.
Seven words in a row are allowed; a restatement in our own words passes.
"""

from __future__ import annotations

import re
from functools import cache

from conftest import SOURCE_TEXT

RUN = 8
"""How many words in a row of the source make a copy."""


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


@cache
def source_runs() -> frozenset[tuple[str, ...]]:
    """Every run of ``RUN`` words in a row of the source text (lower case, punctuation dropped)."""
    source = words(SOURCE_TEXT.read_text(encoding="utf-8"))
    return frozenset(tuple(source[i : i + RUN]) for i in range(len(source) - RUN + 1))


def copied_runs(text: str, runs: frozenset[tuple[str, ...]] | None = None) -> list[str]:
    """The ``RUN``-word runs of ``text`` that the source also has, as text."""
    runs = source_runs() if runs is None else runs
    found = words(text)
    return [" ".join(found[i : i + RUN]) for i in range(len(found) - RUN + 1) if tuple(found[i : i + RUN]) in runs]
