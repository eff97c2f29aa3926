"""The case study (notebook 04) and the glossary."""

from __future__ import annotations

import dataclasses
import html

import pytest

from spasm_lib.case_study import case_study
from spasm_lib.facts import load_facts
from spasm_lib.treatment_pathway import journey
from spasm_lib.views.case_study import case_study_view
from spasm_lib.views.glossary import glossary_view
from spasm_lib.glossary import glossary_terms

FACTS = load_facts()
CASES = [c.id for c in FACTS.cases]
SECTIONS = ("History", "Examination findings", "Interpretation", "Plan", "Questions")


def expected_finding_ids(case) -> set[str]:
    """findings.csv read with the trigger rules written out here, palpating at the spasm's site."""
    holds = {
        "always": True,
        "site-match": True,
        "site-other": False,
        "tissue-injury": case.tissue_injury,
        "no-tissue-injury": not case.tissue_injury,
        "radicular": case.radicular,
        "not-radicular": not case.radicular,
        "red-flags": bool(case.red_flag_ids),
        "no-red-flags": not case.red_flag_ids,
    }
    return {f.id for f in FACTS.findings if holds[f.trigger]}


def emergency(case) -> bool:
    flags = FACTS.by_id("red_flags")
    return any(flags[f].urgency == "emergency" for f in case.red_flag_ids)


@pytest.mark.parametrize("case_id", CASES)
def test_study_of_every_data_case(case_id):
    case = FACTS.by_id("cases")[case_id]
    study = case_study(FACTS, case_id, 0)
    assert study.case == case
    assert {f.finding_id for f in study.findings} == expected_finding_ids(case)
    assert study.interpretation.id == case.interpretation_id
    assert study.journey == journey(FACTS, case, improving=False)
    assert study.journey_if_improving == journey(FACTS, case, improving=True)
    assert [p.step.id for p in study.plan] == list(study.journey)
    assert 3 <= len(study.questions) <= 5
    for q in study.questions:
        assert q.prompt and q.answer and q.provenance
    if emergency(case):
        assert study.outcome.id == "urgent-referral"
        assert "first-step" in {q.id for q in study.questions}
    else:
        assert study.outcome.id == "specialist-referral"


def test_random_case_is_the_seeded_virtual_patient():
    a, b = case_study(FACTS, "random", 7), case_study(FACTS, "random", 7)
    assert a == b
    assert a.case.id == "virtual-7"
    assert {f.finding_id for f in a.findings} == expected_finding_ids(a.case)


def test_radicular_case_asks_for_the_nerve_root_finding():
    case = next(c for c in FACTS.cases if c.radicular and not c.red_flag_ids)
    study = case_study(FACTS, case.id, 0)
    q = next(q for q in study.questions if q.id == "key-finding")
    assert q.prompt == "Which finding points to nerve-root involvement?"
    radicular = next(f for f in FACTS.findings if f.trigger == "radicular")
    assert radicular.text in q.answer
    for rid in radicular.reference_ids:
        assert FACTS.by_id("references")[rid].short in q.provenance


def test_emergency_case_answers_that_screening_comes_first():
    case = next(c for c in FACTS.cases if emergency(c))
    q = next(q for q in case_study(FACTS, case.id, 0).questions if q.id == "first-step")
    assert "same-day emergency referral" in q.answer
    for flag in case.red_flag_ids:
        assert FACTS.by_id("red_flags")[flag].name in q.answer


@pytest.mark.parametrize("case_id", CASES)
def test_student_view_has_questions_and_space_but_no_answers(case_id):
    study = case_study(FACTS, case_id, 0)
    markup = case_study_view(study, "student").markup
    positions = [markup.index(f"<h4>{s}</h4>") for s in SECTIONS]
    assert positions == sorted(positions)
    for q in study.questions:
        assert html.escape(q.prompt) in markup
        assert html.escape(q.answer) not in markup
    assert markup.count("Your answer:") >= len(study.questions)
    assert "Model answer" not in markup
    assert html.escape(study.interpretation.description) not in markup
    assert "Points to" not in markup
    assert html.escape(study.case.story) in markup


@pytest.mark.parametrize("case_id", CASES)
def test_instructor_view_has_answers_and_interpretation(case_id):
    study = case_study(FACTS, case_id, 0)
    markup = case_study_view(study, "instructor").markup
    for q in study.questions:
        assert html.escape(q.answer) in markup
        assert html.escape(q.provenance) in markup
    assert html.escape(study.interpretation.name) in markup
    assert html.escape(study.interpretation.description) in markup
    for p in study.plan:
        assert html.escape(p.step.title) in markup
    for f in study.findings:
        assert html.escape(f.full_text) in markup


def test_case_study_view_escapes_everything():
    study = case_study(FACTS, "golfer-twist", 0)
    evil = dataclasses.replace(study.case, title="<script>alert(1)</script>", story="<b>bold</b> & more")
    for audience in ("student", "instructor"):
        markup = case_study_view(dataclasses.replace(study, case=evil), audience).markup
        assert "<script>" not in markup and "<b>" not in markup
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
        assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in markup


def test_unknown_audience_is_an_error():
    with pytest.raises(ValueError, match="unknown audience"):
        case_study_view(case_study(FACTS, "golfer-twist", 0), "everyone")


# --------------------------------------------------------------------------- glossary


def test_glossary_is_alphabetical_and_complete():
    terms = glossary_terms(FACTS)
    assert [t.term.casefold() for t in terms] == sorted(t.term.casefold() for t in FACTS.glossary)
    assert len(terms) == len(FACTS.glossary)


def test_glossary_terms_by_id_or_term_in_the_order_asked():
    a, b = FACTS.glossary[0], FACTS.glossary[1]
    assert glossary_terms(FACTS, [b.term.upper(), a.id]) == (b, a)
    with pytest.raises(ValueError, match="unknown glossary term"):
        glossary_terms(FACTS, ["flux capacitor"])


def test_glossary_view_is_a_definition_list_with_provenance():
    markup = glossary_view(FACTS).markup
    assert markup.startswith('<dl class="spasm-glossary">') and markup.endswith("</dl>")
    refs = FACTS.by_id("references")
    for t in FACTS.glossary:
        assert f"<strong>{html.escape(t.term)}</strong></dt>" in markup
        start = markup.index(f"<dd>{html.escape(t.definition)}")
        dd = markup[start : markup.index("</dd>", start)]
        if t.source_paragraph:
            assert f"Source, paragraph {t.source_paragraph}" in dd
        for rid in t.reference_ids:
            assert html.escape(refs[rid].short) in dd
    assert markup.count("<dt") == len(FACTS.glossary) == markup.count("<dd>")


def test_glossary_view_escapes():
    evil = dataclasses.replace(FACTS.glossary[0], definition="<script>x</script>")
    facts = dataclasses.replace(FACTS, _index={}, glossary=(evil,))
    markup = glossary_view(facts).markup
    assert "<script>" not in markup and "&lt;script&gt;x&lt;/script&gt;" in markup
