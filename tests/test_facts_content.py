"""The real teaching data: it loads, it covers the source, and it keeps the content rules."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from spasm_lib import records as R
from spasm_lib import vocabulary as V
from spasm_lib.facts import load_facts
from spasm_lib.tables import TABLES, Facts, columns

from copy_check import copied_runs, source_runs


@pytest.fixture(scope="module")
def facts() -> Facts:
    return load_facts()


def text_cells(facts: Facts):
    for name in TABLES:
        for record in facts.table(name):
            for f in dataclasses.fields(record):
                value = getattr(record, f.name)
                if isinstance(value, tuple) and all(isinstance(item, str) for item in value):
                    value = "; ".join(value)  # a list cell (examples, synonyms, movements) is read too
                if isinstance(value, str):
                    yield name, record, f.name, value


def test_every_table_has_rows(facts):
    empty = [name for name in TABLES if not facts.table(name)]
    assert not empty


def test_loading_is_cached(facts):
    assert load_facts() is facts


def test_every_source_paragraph_has_claims_and_rows(facts):
    claimed = {c.paragraph for c in facts.source_claims}
    assert claimed == set(V.SOURCE_PARAGRAPHS)
    rows = {
        getattr(r, "source_paragraph", None) for name in TABLES for r in facts.table(name)
    }
    assert set(V.SOURCE_PARAGRAPHS) <= rows


def test_every_claim_is_taught_by_a_row_of_its_own_paragraph_or_a_quiz(facts):
    for claim in facts.source_claims:
        paragraphs = set()
        for entry in claim.taught_by:
            table, _, row_id = entry.partition(":")
            paragraphs.add(getattr(facts.by_id(table)[row_id], "source_paragraph", None))
        assert claim.paragraph in paragraphs, f"{claim.id} is taught by no row of paragraph {claim.paragraph}"


def cells_that_copy(facts: Facts) -> list[str]:
    runs = source_runs()
    return [f"{name}:{record.id}:{column}" for name, record, column, text in text_cells(facts)
            if copied_runs(text, runs)]


def test_no_sentence_of_the_source_is_copied(facts):
    copied = cells_that_copy(facts)
    assert not copied, f"cells that copy 8 or more words of the source in a row: {copied}"


def test_the_copy_check_catches_eight_words_in_a_row_and_lets_a_paraphrase_pass():
    runs = source_runs()
    # Paragraph 2 says "Any intense force can tear tendons and muscles in the lower back"; written by hand:
    planted = "Students should know that ANY intense force can tear tendons, and muscles, as the text says."
    assert copied_runs(planted, runs) == ["any intense force can tear tendons and muscles"]
    seven = "Students should know that an intense force can tear tendons and muscles, as the text says."
    assert copied_runs(seven, runs) == []  # seven words in a row are allowed
    # risk_factors.csv, intense-force, source_says: the data's own restatement.
    paraphrase = "Any intense force can tear lower-back muscles and tendons and so add to contractions and spasms."
    assert copied_runs(paraphrase, runs) == []


def test_the_copy_check_finds_a_copied_run_planted_in_a_copy_of_the_data(data_copy):
    data_copy.set_cell("glossary", 0, "definition",
                       "A spasm: back spasms are spontaneous contractions of the back muscles that are abnormal.")
    assert cells_that_copy(load_facts(data_copy.folder)) == ["glossary:spasm:definition"]


def test_all_risk_categories_and_the_three_sports(facts):
    assert {r.category for r in facts.risk_factors} == set(V.RISK_CATEGORIES)
    assert {s.id for s in facts.sports} >= {"baseball", "football", "golf"}


def test_source_treatments_carry_their_paragraphs(facts):
    treatments = facts.by_id("treatments")
    for tid in ("ice", "rest", "compression"):
        assert treatments[tid].source_paragraph == 4
    for tid in ("anti-inflammatories", "muscle-relaxants", "specialist-referral"):
        assert treatments[tid].source_paragraph == 5


def test_evidence_check_for_each_point_where_guidance_differs(facts):
    checks = facts.by_id("evidence_checks")
    for topic in ("rest", "ice", "compression", "referral-timing"):
        assert checks[topic].verdict == "differs"
    for topic in ("muscle-relaxants", "anti-inflammatories"):
        assert checks[topic].verdict != "agrees"
    assert all(c.reference_ids for c in facts.evidence_checks)


def test_percentages_only_with_a_reference(facts):
    for name, record, column, text in text_cells(facts):
        if "%" in text:
            assert getattr(record, "reference_ids", ()), f"{name}:{record.id}:{column} has a % and no reference"


def test_unverified_figures_are_left_out(facts):
    for name, record, column, text in text_cells(facts):
        assert "90%" not in text and "5-10%" not in text, f"{name}:{record.id}:{column}"


def test_every_exam_step_shows_something(facts):
    steps_with_findings = {f.step_id for f in facts.findings}
    assert steps_with_findings == {s.id for s in facts.exam_steps}


def test_glossary_has_the_terms_a_student_needs(facts):
    terms = {t.term.lower() for t in facts.glossary}
    for needed in ("spasm", "idiopathic", "nsaid", "muscle relaxant", "orthopedics", "neurology",
                   "radiculopathy", "cauda equina syndrome"):
        assert any(needed in term for term in terms), needed


def test_frame_columns_in_display_order(facts):
    frame = facts.frame("risk-factors")
    assert list(frame.columns) == [c.name for c in columns(R.RiskFactor)]
    assert frame.columns[0] == "id" and list(frame.columns[-2:]) == ["source_paragraph", "reference_ids"]
    assert len(frame) == len(facts.risk_factors)


def test_unknown_table_name_is_a_clear_error(facts):
    with pytest.raises(ValueError, match="unknown table 'risk'.*risk-factors"):
        facts.frame("risk")


@pytest.mark.subprocess
def test_importing_facts_pulls_in_no_widgets_plots_or_pandas():
    code = (
        "import sys, spasm_lib.facts as f; f.load_facts(); "
        "print(sorted(m for m in ('ipywidgets', 'matplotlib', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
