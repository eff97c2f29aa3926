"""Evidence checks: selection, references, and the two-column card with a verdict in words."""

from __future__ import annotations

import csv
import dataclasses
import html

import pytest

from spasm_lib import records as R
from spasm_lib.evidence import CheckedEvidence, checked_evidence, evidence_checks, provenance_label, references_for
from spasm_lib.facts import load_facts
from spasm_lib.views.evidence import evidence_card, evidence_cards
from spasm_lib.views.style import CSS

from conftest import ROOT

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


# data/evidence_checks.csv's ids in file order, copied by hand.
# data/evidence_checks.csv's ids in file order, read with the csv module (not the loader): a check added
# to the data is then checked too, and no list here needs updating.
with (ROOT / "data" / "evidence_checks.csv").open(encoding="utf-8", newline="") as _fh:
    CHECK_IDS = [row["id"] for row in csv.DictReader(_fh)]
# Each treatment of data/treatments.csv with the checks whose treatment_id names it, by hand.
CHECKS_OF_TREATMENT = {
    "ice": ["ice"],
    "rest": ["rest", "return-to-work"],
    "compression": ["compression"],
    "anti-inflammatories": ["anti-inflammatories"],
    "muscle-relaxants": ["muscle-relaxants"],
    "specialist-referral": ["referral-timing"],
    "superficial-heat": [],
    "staying-active": [],
    "emergency-referral": [],
    "urgent-assessment": [],
}
# Short names of the references each check cites (references.csv's `short`), in the check's order.
REFERENCE_SHORTS = {
    "rest": ["Dahm 2010 (Cochrane)", "NICE NG59"],
    "muscle-relaxants": ["ACP 2017", "Chou 2017", "van Tulder 2003 (Cochrane)", "Cashin 2021", "NICE NG59"],
    "referral-timing": ["AHCPR 1994", "Finucane 2020 (red-flag framework)", "GIRFT CES pathway 2023",
                        "Hawkins 2023 (BMJ)", "NICE QS56 (2023)", "REMEDY back pain pathway", "NHS Lothian RefHelp"],
    "opioids": ["OPAL 2023", "NICE NG59", "NICE Bites 93 (NG59)"],
}


def ids(checks) -> list[str]:
    return [c.id for c in checks]


def test_all_checks_in_file_order(facts):
    assert ids(evidence_checks(facts)) == CHECK_IDS


def test_checks_in_the_order_asked(facts):
    assert ids(evidence_checks(facts, ["referral-timing", "ice", "opioids"])) == ["referral-timing", "ice", "opioids"]


def test_unknown_check_is_an_error(facts):
    with pytest.raises(ValueError, match="unknown evidence check id\\(s\\) no-such-check"):
        evidence_checks(facts, ["no-such-check"])


@pytest.mark.parametrize("treatment_id, expected", list(CHECKS_OF_TREATMENT.items()))
def test_checks_of_one_treatment(facts, treatment_id, expected):
    assert ids(evidence_checks(facts, treatment_id=treatment_id)) == expected


def test_checks_asked_for_and_of_one_treatment(facts):
    assert ids(evidence_checks(facts, ["opioids", "rest", "ice"], treatment_id="rest")) == ["rest"]
    with pytest.raises(ValueError, match="unknown treatment id 'yoga'"):
        evidence_checks(facts, treatment_id="yoga")


@pytest.mark.parametrize("check_id, shorts", list(REFERENCE_SHORTS.items()))
def test_references_resolve_in_order(facts, check_id, shorts):
    refs = references_for(facts, facts.by_id("evidence_checks")[check_id])
    assert [r.short for r in refs] == shorts


@pytest.mark.parametrize("check_id, label", [
    ("rest", "Source, paragraph 4; Dahm 2010 (Cochrane); NICE NG59"),  # the source and guidance
    ("opioids", "OPAL 2023; NICE NG59; NICE Bites 93 (NG59)"),  # beyond the source: references only
    ("risk-factors-unchecked", "Source, paragraph 2; ACP/APS 2007; Bardin 2017"),
])
def test_provenance_label_names_paragraph_and_references(facts, check_id, label):
    assert provenance_label(facts, facts.by_id("evidence_checks")[check_id]) == label


@pytest.mark.parametrize("check_id", CHECK_IDS)
def test_card_shows_source_guidance_verdict_and_every_reference(facts, check_id):
    """Every card shows its own row's texts; what each row says is the data (the input), not an expectation."""
    check = facts.by_id("evidence_checks")[check_id]
    markup = evidence_card(CheckedEvidence(check, references_for(facts, check))).markup
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


# Two cards, written out by hand from evidence_checks.csv and references.csv.
REST_CARD = [
    "<h3>Evidence check: Rest or staying active</h3>",
    "<strong>Verdict: Differs</strong>",
    "<h4>What the source says (paragraph 4)</h4><p>Rest helps the injury heal and keeps the person comfortable, "
    "since moving often makes the pain worse.</p>",
    "<h4>Evidence check: what current guidance says</h4><p>For acute low back pain, advice to stay active gave small "
    "improvements in pain and function compared with advice to rest in bed",
    "(Dahm 2010 (Cochrane); NICE NG59)",
    "<li><strong>Dahm 2010 (Cochrane)</strong>: Dahm KT, et al. Advice to rest in bed versus advice to stay active "
    "for acute low-back pain and sciatica. Cochrane Database Syst Rev. 2010; CD007612.</li>",
    "<li><strong>NICE NG59</strong>: NICE guideline NG59. Low back pain and sciatica in over 16s: assessment and "
    "management. 2016, updated 2020.</li>",
]
OPIOIDS_CARD = [
    "<h3>Evidence check: Opioids</h3>",
    "<strong>Verdict: Beyond the source</strong>",
    "<h4>What the source says (nothing: this is beyond the source)</h4><p>The source does not discuss this.</p>",
    "(about 20% versus 10%)",
    "(OPAL 2023; NICE NG59; NICE Bites 93 (NG59))",
    "<li><strong>OPAL 2023</strong>: Jones CMP, et al. Opioid analgesia for acute low back pain and neck pain "
    "(the OPAL trial). Lancet. 2023;402:304-312.</li>",
]


@pytest.mark.parametrize("check_id, parts", [("rest", REST_CARD), ("opioids", OPIOIDS_CARD)])
def test_a_card_written_out_by_hand(facts, check_id, parts):
    (card,) = checked_evidence(facts, [check_id])
    markup = evidence_card(card).markup
    positions = [markup.find(part) for part in parts]
    assert -1 not in positions, [p for p, at in zip(parts, positions) if at == -1]
    assert positions == sorted(positions)  # in reading order


def test_source_column_comes_before_guidance_column(facts):
    markup = evidence_card(checked_evidence(facts, ["ice"])[0]).markup
    assert markup.index("What the source says") < markup.index("what current guidance says")
    assert '<div class="spasm-columns"><div class="spasm-source-says">' in markup
    assert ".spasm-columns{display:flex;flex-wrap:wrap;" in CSS  # side by side while they fit


def test_cards_in_order(facts):
    markup = evidence_cards(checked_evidence(facts, ["ice", "rest"])).markup
    ice = markup.index("Heat wraps reduced pain in the short term")  # ice's guidance_says
    rest = markup.index("advice to stay active gave small improvements")  # rest's guidance_says
    assert ice < rest
    assert markup.count('<section class="spasm-evidence"') == 2
    assert markup.startswith('<div class="spasm-view"><style>')  # a notebook cell shows them with the stylesheet


def test_card_renders_a_hand_built_check_escaped(facts):
    check = dataclasses.replace(facts.evidence_checks[0], topic="<img src=x onerror=alert(1)>",
                                source_says="a < b & c", source_paragraph=7, verdict="partly-agrees")
    reference = R.Reference(id="x", short="Smith <2020>", citation="Smith J. A & B. 2020.", kind="trial")
    markup = evidence_card(CheckedEvidence(check, (reference,)), level=4).markup
    assert "<img" not in markup
    assert "<h4>Evidence check: &lt;img src=x onerror=alert(1)&gt;</h4>" in markup
    assert "<h5>What the source says (paragraph 7)</h5><p>a &lt; b &amp; c</p>" in markup
    assert "<strong>Verdict: Partly agrees</strong>" in markup
    assert "<li><strong>Smith &lt;2020&gt;</strong>: Smith J. A &amp; B. 2020.</li>" in markup
