"""Evidence checks: selection, references, and the two-column card with a verdict in words."""

from __future__ import annotations

import dataclasses
import html

import pytest

from spasm_lib.evidence import evidence_checks, provenance_label, references_for
from spasm_lib.facts import load_facts
from spasm_lib.views.evidence import evidence_card, evidence_cards

# Written out by hand: the verdict must read as these words, whatever the code's own table says.
VERDICT_WORDS = {
    "agrees": "Agrees",
    "partly-agrees": "Partly agrees",
    "differs": "Differs",
    "beyond-source": "Beyond the source",
}


@pytest.fixture(scope="module")
def facts():
    return load_facts()


def test_all_checks_in_file_order(facts):
    assert evidence_checks(facts) == facts.evidence_checks


def test_checks_in_the_order_asked(facts):
    ids = [c.id for c in facts.evidence_checks][::-1][:3]
    assert [c.id for c in evidence_checks(facts, ids)] == ids


def test_unknown_check_is_an_error(facts):
    with pytest.raises(ValueError, match="unknown evidence check id\\(s\\) no-such-check"):
        evidence_checks(facts, ["no-such-check"])


def test_checks_of_one_treatment(facts):
    for t in facts.treatments:
        expected = tuple(c for c in facts.evidence_checks if c.treatment_id == t.id)
        assert evidence_checks(facts, treatment_id=t.id) == expected
    assert evidence_checks(facts, treatment_id="muscle-relaxants"), "the data checks muscle relaxants"


def test_references_resolve_in_order(facts):
    refs = facts.by_id("references")
    for c in facts.evidence_checks:
        assert references_for(facts, c) == tuple(refs[i] for i in c.reference_ids)


def test_provenance_label_names_paragraph_and_references(facts):
    check = facts.by_id("evidence_checks")["rest"]
    shorts = [facts.by_id("references")[i].short for i in check.reference_ids]
    assert provenance_label(facts, check) == "; ".join([f"Source, paragraph {check.source_paragraph}", *shorts])


@pytest.mark.parametrize("check_id", [c.id for c in load_facts().evidence_checks])
def test_card_shows_source_guidance_verdict_and_every_reference(facts, check_id):
    check = facts.by_id("evidence_checks")[check_id]
    markup = evidence_card(facts, check).markup
    assert html.escape(check.source_says) in markup
    assert html.escape(check.guidance_says) in markup
    assert f"Verdict: {VERDICT_WORDS[check.verdict]}" in markup
    assert "Evidence check: what current guidance says" in markup
    if check.source_paragraph is None:
        assert "What the source says (nothing: this is beyond the source)" in markup
    else:
        assert f"What the source says (paragraph {check.source_paragraph})" in markup
    refs = facts.by_id("references")
    for rid in check.reference_ids:
        assert html.escape(refs[rid].short) in markup
        assert html.escape(refs[rid].citation) in markup
    assert "href=" not in markup and "http" not in markup  # offline: no links


def test_source_column_comes_before_guidance_column(facts):
    markup = evidence_card(facts, facts.by_id("evidence_checks")["ice"]).markup
    assert markup.index("What the source says") < markup.index("what current guidance says")
    assert 'class="spasm-columns" style="display:flex' in markup


def test_cards_in_order(facts):
    ids = ["ice", "rest"]
    markup = evidence_cards(facts, ids).markup
    checks = facts.by_id("evidence_checks")
    assert markup.index(html.escape(checks["ice"].guidance_says)) < markup.index(html.escape(checks["rest"].guidance_says))
    assert markup.count('<section class="spasm-evidence"') == 2


def test_card_escapes_data(facts):
    check = dataclasses.replace(facts.evidence_checks[0], topic="<img src=x onerror=alert(1)>",
                                source_says="a < b & c")
    markup = evidence_card(facts, check).markup
    assert "<img" not in markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in markup
    assert "a &lt; b &amp; c" in markup
