"""data/README.md documents every table's columns as the schema (records.py) declares them.

A content author reads the README, not the dataclasses: when a column is added, renamed or moved in
``records.py`` (or a table added), the README's "Columns:" list must follow, or this test names the
table and both lists. The README is parsed, not generated: its lists are prose with explanations in
parentheses, and the test reads only the backticked names outside them.
"""

from __future__ import annotations

import re

import pytest

from spasm_lib.tables import PROVENANCE_FIELDS, TABLES, columns

from conftest import ROOT

README = (ROOT / "data" / "README.md").read_text(encoding="utf-8")


def documented_tables() -> dict[str, str]:
    """Each ``- `NAME.csv`: ...`` bullet of the Files section, by table name, as one line of text."""
    bullets = re.findall(r"^- `([a-z_]+)\.csv`:(.*?)(?=^- |^#|\Z)", README, re.M | re.S)
    return {name: " ".join(text.split()) for name, text in bullets}


def without_parentheses(text: str) -> str:
    while True:
        shorter = re.sub(r"\([^()]*\)", "", text)
        if shorter == text:
            return text
        text = shorter


def documented_columns(bullet: str) -> list[str]:
    """The backticked names after "Columns:", "provenance" standing for the provenance columns."""
    listed = without_parentheses(bullet.partition("Columns:")[2])
    names = re.findall(r"`([a-z_]+)`|\b(provenance)\b", listed.partition(". ")[0] if ". " in listed else listed)
    found = []
    for name, provenance in names:
        found += list(PROVENANCE_FIELDS) if provenance else [name]
    return found


def test_every_table_is_documented_and_no_other():
    assert sorted(documented_tables()) == sorted(TABLES)


@pytest.mark.parametrize("table", sorted(TABLES))
def test_the_readme_lists_the_columns_of_the_schema_in_file_order(table):
    bullet = documented_tables()[table]
    assert "Columns:" in bullet, f"data/README.md: {table}.csv names no columns"
    schema = [c.name for c in columns(TABLES[table])]
    assert documented_columns(bullet) == schema, f"data/README.md, {table}.csv"


def test_the_parser_reads_names_outside_parentheses_only():
    bullet = ("what a step shows. Columns: `id`, `needed_when` (when: `always`, `lower-back` (or "
              "`x`)), `examples` (list), provenance. Rows in clinical order, as `order` says.")
    assert documented_columns(bullet) == ["id", "needed_when", "examples", "source_paragraph", "reference_ids"]
