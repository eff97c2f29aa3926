"""The treatment pathway: routing by red flags, step statuses, journeys, and the views."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from spasm_lib.facts import load_facts
from spasm_lib.treatment_pathway import PathwayState, journey, neighbour, pathway
from spasm_lib.views import pathway as views
from spasm_lib.views.pathway import journey_view, pathway_diagram, step_view, walkthrough_view
from spasm_lib.virtual_patients import case_for

FACTS = load_facts()
CASES = [c.id for c in FACTS.cases]
STEPS = [s.id for s in sorted(FACTS.pathway_steps, key=lambda s: s.order)]
# Steps named by their kind in pathway_steps.csv, so the tests follow the data, not the code.
SCREEN = next(s.id for s in FACTS.pathway_steps if s.kind == "screen")
REASSESS = next(s.id for s in FACTS.pathway_steps if s.kind == "reassess")
REFERRAL = next(s.id for s in FACTS.pathway_steps if "specialist-referral" in s.treatment_ids)
CONSERVATIVE = [s.id for s in FACTS.pathway_steps if s.kind in ("non-drug", "drug")]


def urgencies(case):
    flags = FACTS.by_id("red_flags")
    return {flags[f].urgency for f in case.red_flag_ids}


def emergency(case) -> bool:
    return "emergency" in urgencies(case)


def result_for(case_id, step_id=SCREEN, improving=False):
    case = FACTS.by_id("cases")[case_id]
    return pathway(FACTS, PathwayState(case_id, step_id, improving), case)


def test_the_data_has_each_kind_of_case():
    cases = FACTS.cases
    assert any(emergency(c) for c in cases)
    assert any(urgencies(c) == {"prompt-assessment"} for c in cases)
    assert any(not c.red_flag_ids for c in cases)


@pytest.mark.parametrize("case_id", CASES)
def test_routing_of_every_case(case_id):
    case = FACTS.by_id("cases")[case_id]
    for improving in (False, True):
        result = result_for(case_id, SCREEN, improving)
        if emergency(case):
            assert result.route == "urgent-referral"
            assert result.journey == (SCREEN,)
            assert result.outcome.id == "urgent-referral"
            for sid in CONSERVATIVE + [REASSESS, REFERRAL]:
                assert result.statuses[sid] == "skipped"
        else:
            expected_route = "prompt-assessment" if case.red_flag_ids else "conservative"
            assert result.route == expected_route
            assert result.journey[0] == SCREEN
            assert all(sid in result.journey for sid in CONSERVATIVE + [REASSESS])
            if improving:
                assert REFERRAL not in result.journey
                assert result.statuses[REFERRAL] == "skipped"
                assert result.journey[-1] == REASSESS
                assert result.outcome.kind == "self-care"
            else:
                assert result.journey[-1] == REFERRAL
                assert result.outcome.id == "specialist-referral"
                assert set(result.outcome.examples) == {"orthopedics", "neurology"}


@pytest.mark.parametrize("case_id", CASES)
@pytest.mark.parametrize("improving", [False, True])
def test_statuses_around_the_current_step(case_id, improving):
    case = FACTS.by_id("cases")[case_id]
    path = journey(FACTS, case, improving)
    for position, current in enumerate(path):
        result = result_for(case_id, current, improving)
        assert result.current.id == current
        for sid in STEPS:
            if sid not in path:
                want = "skipped"
            elif path.index(sid) < position:
                want = "done"
            elif sid == current:
                want = "current"
            else:
                want = "upcoming"
            assert result.statuses[sid] == want, (case_id, current, sid)
        assert [s.status for s in result.steps].count("current") == 1


@pytest.mark.parametrize("case_id", CASES)
def test_journey_is_consistent(case_id):
    case = FACTS.by_id("cases")[case_id]
    order = FACTS.by_id("pathway_steps")
    for improving in (False, True):
        path = journey(FACTS, case, improving)
        assert path == result_for(case_id, SCREEN, improving).journey
        assert [order[s].order for s in path] == sorted(order[s].order for s in path)
        assert len(set(path)) == len(path)


def test_steps_follow_the_data_order_with_their_treatments():
    result = result_for("golfer-twist")
    assert [s.id for s in result.steps] == STEPS
    for detail in result.steps:
        assert tuple(t.treatment.id for t in detail.treatments) == detail.step.treatment_ids
        shown = [e.check.id for t in detail.treatments for e in t.evidence] + [e.check.id for e in detail.other_evidence]
        assert sorted(shown) == sorted(detail.step.evidence_check_ids)


def test_a_step_off_the_path_shows_the_last_step_before_it_with_a_note():
    urgent = next(c.id for c in FACTS.cases if emergency(c))
    result = result_for(urgent, CONSERVATIVE[-1])
    assert result.current.id == SCREEN
    assert result.note and "not on this patient's path" in result.note
    improving = result_for("golfer-twist", REFERRAL, improving=True)
    assert improving.current.id == REASSESS


def test_unknown_step_and_mismatched_case_are_errors():
    case = FACTS.by_id("cases")["golfer-twist"]
    with pytest.raises(ValueError, match="unknown pathway step 'surgery'"):
        pathway(FACTS, PathwayState("golfer-twist", "surgery"), case)
    with pytest.raises(ValueError, match="is for case 'ruptured-disc'"):
        pathway(FACTS, PathwayState("ruptured-disc", SCREEN), case)


def test_state_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        PathwayState("golfer-twist", SCREEN).improving = True


def test_neighbour_stays_on_the_path():
    path = ("a", "b", "c")
    assert neighbour(path, "a", -1) == "a"
    assert neighbour(path, "a", 1) == "b"
    assert neighbour(path, "c", 1) == "c"


@pytest.mark.parametrize("seed", range(12))
def test_virtual_patients_route_by_their_flags(seed):
    case = case_for(FACTS, "random", seed)
    result = pathway(FACTS, PathwayState("random", SCREEN, False), case)
    assert (result.route == "urgent-referral") == emergency(case)


# --------------------------------------------------------------------------- views


def test_drug_harms_come_from_the_evidence_checks():
    medication = next(s for s in FACTS.pathway_steps if s.kind == "drug")
    markup = step_view(result_for("golfer-twist", medication.id)).markup
    checks = FACTS.by_id("evidence_checks")
    refs = FACTS.by_id("references")
    for tid in ("muscle-relaxants", "anti-inflammatories"):
        for check in (c for c in FACTS.evidence_checks if c.treatment_id == tid):
            assert html.escape(check.guidance_says) in markup
    assert "drowsiness" in checks["muscle-relaxants"].guidance_says
    assert "lowest effective dose" in checks["anti-inflammatories"].guidance_says
    assert html.escape(refs["cochrane-relaxants-2003"].short) in markup
    assert html.escape(refs["nice-ng59"].short) in markup


def test_step_view_shows_each_treatment_beside_its_cards():
    result = result_for("golfer-twist", CONSERVATIVE[0])
    markup = step_view(result).markup
    for detail in result.current.treatments:
        t = detail.treatment
        row = markup.index(f"<h5>{html.escape(t.name)}</h5>")
        assert html.escape(t.what_it_does) in markup and html.escape(t.why) in markup
        for e in detail.evidence:  # its cards follow it, before the next treatment
            assert markup.index(html.escape(e.check.guidance_says)) > row
    assert f"(Source, paragraph {result.current.step.source_paragraph}" in markup
    assert "You are here" in markup


def test_urgent_route_view_says_conservative_steps_are_skipped():
    urgent = next(c for c in FACTS.cases if emergency(c))
    markup = step_view(result_for(urgent.id)).markup
    assert "emergency" in markup and "skipped" in markup
    for flag in urgent.red_flag_ids:
        assert html.escape(FACTS.by_id("red_flags")[flag].name) in markup


def test_prompt_route_view_says_one_flag_alone_is_weak_evidence():
    prompt = next(c for c in FACTS.cases if urgencies(c) == {"prompt-assessment"})
    markup = step_view(result_for(prompt.id)).markup
    assert "prompt assessment" in markup
    assert "One red flag alone is weak evidence" in markup
    assert html.escape(FACTS.by_id("references")["henschke2009"].short) in markup


def test_reassess_view_follows_improving():
    assert "not improving" in step_view(result_for("golfer-twist", REASSESS, False)).markup.lower()
    improving = step_view(result_for("golfer-twist", REASSESS, True)).markup
    self_care = next(t for t in FACTS.treatments if t.kind == "self-care")
    assert f"Continue: {html.escape(self_care.name)}" in improving


def _alt(markup: str) -> str:
    return html.unescape(re.search(r'alt="([^"]*)"', markup).group(1))


def test_diagram_alt_narrates_the_path_and_the_current_step():
    result = result_for("golfer-twist", CONSERVATIVE[-1])
    alt = _alt(pathway_diagram(result).markup)
    steps = FACTS.by_id("pathway_steps")
    for detail in result.steps:
        assert f"{detail.step.order}. {detail.step.title} ({detail.status})" in alt
    current = steps[CONSERVATIVE[-1]]
    assert alt.endswith(f"You are here: {current.order}. {current.title}.")
    assert "Urgent referral (not taken)" in alt


def test_urgent_diagram_shows_the_branch_taken_and_the_rest_skipped():
    urgent = next(c for c in FACTS.cases if emergency(c))
    alt = _alt(pathway_diagram(result_for(urgent.id)).markup)
    assert "if emergency red flag: Urgent referral (this patient's path)" in alt
    assert alt.count("(skipped)") == len(STEPS) - 1


def test_diagram_is_byte_identical_and_cached_by_what_it_draws():
    result = result_for("ruptured-disc", REASSESS)
    views._diagram.cache_clear()
    first = pathway_diagram(result).markup
    views._diagram.cache_clear()
    assert pathway_diagram(result).markup == first
    # Two patients on the same route and step draw the same figure: one cache entry.
    pathway_diagram(result_for("golfer-twist", REASSESS))
    assert views._diagram.cache_info().currsize == 1
    assert '<figure class="spasm-figure"><img src="data:image/png;base64,' in first
    assert "<figcaption>" in first


def test_journey_view_lists_the_path_in_order_and_the_skipped_steps():
    case = FACTS.by_id("cases")["golfer-twist"]
    path = journey(FACTS, case, True)
    markup = journey_view(FACTS, case, path).markup
    steps = FACTS.by_id("pathway_steps")
    positions = [markup.index(f"<strong>{html.escape(steps[s].title)}</strong>") for s in path]
    assert positions == sorted(positions)
    assert f"Skipped for this patient:</strong> {html.escape(steps[REFERRAL].title)}" in markup
    self_care = next(t for t in FACTS.treatments if t.kind == "self-care")
    assert f"Where it ends:</strong> {html.escape(self_care.name)}" in markup


def test_walkthrough_view_escapes_the_case_and_hides_the_teaching_point_from_students():
    case = dataclasses.replace(FACTS.by_id("cases")["golfer-twist"], title="<script>alert(1)</script>")
    result = pathway(FACTS, PathwayState("golfer-twist", SCREEN, False), case)
    student = walkthrough_view(result, "student").markup
    assert "<script>" not in student and "&lt;script&gt;alert(1)&lt;/script&gt;" in student
    assert "Teaching point" not in student
    assert html.escape(case.teaching_point) in walkthrough_view(result, "instructor").markup


def test_treatment_table_lists_every_treatment_source_first():
    from spasm_lib.facts import load_facts
    from spasm_lib.treatment_pathway import treatment_table

    facts = load_facts()
    table = treatment_table(facts)
    assert sorted(table["treatment"]) == sorted(t.name for t in facts.treatments)
    origins = list(table["where from"])
    assert origins.index("Beyond the source") == sum(not t.beyond_source for t in facts.treatments)
    ice = facts.by_id("treatments")["ice"]
    row = table[table["treatment"] == ice.name].iloc[0]
    assert row["what it does"] == ice.what_it_does and row["where from"] == "Source, paragraph 4"


def test_treatment_table_view_shows_whole_cells_escaped():
    from spasm_lib.facts import load_facts
    from spasm_lib.html import esc
    from spasm_lib.treatment_pathway import treatment_table
    from spasm_lib.views.pathway import treatment_table_view

    facts = load_facts()
    frame = treatment_table(facts)
    frame.loc[0, "why"] = "<script>alert(1)</script>"
    markup = treatment_table_view(frame).markup
    assert "<script>alert" not in markup and "&lt;script&gt;" in markup
    longest = max(facts.treatments, key=lambda t: len(t.what_it_does)).what_it_does
    assert len(longest) > 50 and esc(longest).replace("&#x27;", "'") in markup.replace("&#x27;", "'")
