"""The risk-factor explorer's logic and views (notebook 01), checked against the data tables."""

from __future__ import annotations

import base64
import re
from collections import Counter
from dataclasses import replace

import pandas
import pytest

from spasm_lib import records as R
from spasm_lib.facts import Facts, load_facts
from spasm_lib.risk_factors import (
    RiskProfile,
    profile_of,
    risk_factor_table,
    risk_profile,
)
from spasm_lib.views.risk_factors import (
    clear_figure_cache,
    figure_key,
    keys_nearby,
    profile_figure,
    profile_view,
    table_view,
)

NO_NUMBERS = "the source gives no numbers for how much each factor raises risk"


@pytest.fixture(scope="module")
def facts() -> Facts:
    return load_facts()


def record(facts: Facts, rid: str) -> R.RiskFactor:
    return facts.by_id("risk_factors")[rid]


def alt_of(markup: str) -> str:
    found = re.search(r'<img [^>]*alt="([^"]*)"', markup)
    assert found, "the figure has no alt attribute"
    return found.group(1)


# --------------------------------------------------------------------------- risk_profile


def test_factors_come_grouped_in_category_order(facts):
    result = risk_profile(facts, ["idiopathic", "arthritis", "tender-muscles"], "none")
    # tissue-state, then structural-condition, then unknown-cause (records.RISK_CATEGORIES)
    assert [f.id for f in result.factors] == ["tender-muscles", "arthritis", "idiopathic"]
    assert [c for c, _ in result.by_category] == ["tissue-state", "structural-condition", "unknown-cause"]


def test_category_order_holds_whatever_the_file_order(data_copy):
    rows = data_copy.read("risk_factors")
    data_copy.write("risk_factors", [rows[0], *reversed(rows[1:])])
    shuffled = load_facts(data_copy.folder)
    assert shuffled.risk_factors[0].id == "idiopathic"
    result = risk_profile(shuffled, ["idiopathic", "arthritis", "ruptured-disc", "tender-muscles"], "none")
    # Categories in RISK_CATEGORIES order; inside one, the (now reversed) file order.
    assert [f.id for f in result.factors] == ["tender-muscles", "ruptured-disc", "arthritis", "idiopathic"]


def test_within_a_category_factors_keep_file_order(facts):
    result = risk_profile(facts, ["inflamed-muscles", "tender-muscles"], "none")
    in_file = [r.id for r in facts.risk_factors if r.id in ("inflamed-muscles", "tender-muscles")]
    assert [f.id for f in result.factors] == in_file


def test_each_factor_carries_what_the_source_says_and_where(facts):
    result = risk_profile(facts, ["ruptured-disc", "weak-spinal-muscles"], "none")
    for f in result.factors:
        r = record(facts, f.id)
        assert (f.name, f.category, f.region, f.mechanism, f.source_says) == (
            r.name, r.category, r.region, r.mechanism, r.source_says)
        assert f.source_paragraph == r.source_paragraph == 2
        assert f.citation == "Source, paragraph 2"
        assert f.ticked and f.via_sport is None


def test_a_sport_adds_its_risk_factor_from_sports_csv(facts):
    golf = facts.by_id("sports")["golf"]
    result = risk_profile(facts, [], "golf")
    assert [f.id for f in result.factors] == [golf.risk_factor_id]
    added = result.factors[0]
    assert added.via_sport == golf.name and not added.ticked
    assert result.sport_name == golf.name and result.sport_movements == golf.movements


def test_a_sport_factor_ticked_and_chosen_is_counted_once(facts):
    factor = facts.by_id("sports")["football"].risk_factor_id
    result = risk_profile(facts, [factor], "football")
    assert [f.id for f in result.factors] == [factor]
    assert result.factors[0].ticked and result.factors[0].via_sport == "Football"
    assert sum(n for _, n in result.category_counts) == 1


def test_counts_cover_every_category_and_region_zeros_included(facts):
    chosen = ["tender-muscles", "swollen-muscles", "intense-force", "weak-abdominal-muscles"]
    result = risk_profile(facts, chosen, "baseball")
    ids = set(chosen) | {facts.by_id("sports")["baseball"].risk_factor_id}
    by_category = Counter(record(facts, i).category for i in ids)
    by_region = Counter(record(facts, i).region for i in ids)
    assert result.category_counts == tuple((c, by_category[c]) for c in R.RISK_CATEGORIES)
    assert result.region_counts == tuple((r, by_region[r]) for r in R.BACK_REGIONS)
    assert dict(result.category_counts)["structural-condition"] == 0
    available = Counter(r.category for r in facts.risk_factors)
    assert result.category_available == tuple((c, available[c]) for c in R.RISK_CATEGORIES)


def test_empty_selection(facts):
    result = risk_profile(facts, [], "none")
    assert result.empty and result.factors == () and result.by_category == ()
    assert all(n == 0 for _, n in result.category_counts + result.region_counts)


def test_unknown_risk_factor_names_it_and_the_allowed_ids(facts):
    with pytest.raises(ValueError) as err:
        risk_profile(facts, ["arthritis", "bad-posture"], "none")
    message = str(err.value)
    assert "'bad-posture'" in message
    assert all(r.id in message for r in facts.risk_factors)


def test_unknown_sport_names_it_and_the_allowed_ids(facts):
    with pytest.raises(ValueError) as err:
        risk_profile(facts, [], "tennis")
    message = str(err.value)
    assert "'tennis'" in message and "none" in message
    assert all(s.id in message for s in facts.sports)


def test_state_toggles_and_profile_of(facts):
    state = RiskProfile().toggled("arthritis", True).toggled("idiopathic", True).toggled("arthritis", False)
    assert state == RiskProfile(("idiopathic",), "none")
    assert state.with_sport("golf").sport == "golf"
    assert profile_of(facts, state.with_sport("golf")) == risk_profile(facts, ["idiopathic"], "golf")


# --------------------------------------------------------------------------- risk_factor_table


def test_full_table_has_every_factor_in_file_order(facts):
    frame = risk_factor_table(facts)
    assert list(frame.columns) == ["name", "category", "region", "mechanism", "source_says", "source_paragraph"]
    assert list(frame["name"]) == [r.name for r in facts.risk_factors]
    assert list(frame["source_says"]) == [r.source_says for r in facts.risk_factors]
    assert list(frame["source_paragraph"]) == [r.source_paragraph for r in facts.risk_factors]


@pytest.mark.parametrize("category", R.RISK_CATEGORIES)
def test_table_filters_by_category(facts, category):
    frame = risk_factor_table(facts, category=category)
    assert list(frame["name"]) == [r.name for r in facts.risk_factors if r.category == category]


def test_table_filters_by_region_and_text_together(facts):
    frame = risk_factor_table(facts, region="not-stated", text="DISC")
    wanted = [
        r.name for r in facts.risk_factors
        if r.region == "not-stated"
        and "disc" in " ".join((r.name, r.mechanism, r.source_says, *r.examples)).lower()
    ]
    assert wanted and list(frame["name"]) == wanted


def test_table_text_search_ignores_case_and_reaches_the_examples(facts):
    frame = risk_factor_table(facts, text="BASEBALL")
    wanted = [r.name for r in facts.risk_factors if "baseball" in r.examples]
    assert wanted and set(wanted) <= set(frame["name"])


def test_table_with_no_match_is_empty(facts):
    assert len(risk_factor_table(facts, text="no such words anywhere")) == 0


def test_table_rejects_unknown_filters(facts):
    with pytest.raises(ValueError, match="unknown category 'sports'.*tissue-state"):
        risk_factor_table(facts, category="sports")
    with pytest.raises(ValueError, match="unknown region 'neck'.*lower-back"):
        risk_factor_table(facts, region="neck")


# --------------------------------------------------------------------------- views


def test_profile_view_has_a_card_per_factor_with_name_mechanism_and_citation(facts):
    chosen = ["arthritis", "weak-spinal-muscles"]
    markup = profile_view(risk_profile(facts, chosen, "golf")).markup
    shown = chosen + [facts.by_id("sports")["golf"].risk_factor_id]
    assert markup.count('class="spasm-card"') == len(shown)
    for rid in shown:
        r = record(facts, rid)
        assert f"<strong>{r.name}</strong>" in markup.replace("&#x27;", "'")
    assert "Source, paragraph 2" in markup
    assert NO_NUMBERS in markup
    assert "Golf" in markup
    assert "<h1" not in markup and "<h2" not in markup


def test_profile_view_headings_follow_category_order(facts):
    markup = profile_view(risk_profile(facts, ["idiopathic", "tender-muscles"], "none")).markup
    assert markup.index("<h4>Muscle state</h4>") < markup.index("<h4>No known cause</h4>")


def test_profile_view_of_an_empty_selection_says_so(facts):
    markup = profile_view(risk_profile(facts, [], "none")).markup
    assert "No risk factors selected" in markup and "spasm-card" not in markup
    assert NO_NUMBERS.capitalize() in markup


def test_profile_view_escapes_data_text(facts):
    result = risk_profile(facts, ["arthritis"], "none")
    hostile = replace(result, factors=(replace(result.factors[0], name="<script>alert(1)</script>"),))
    markup = profile_view(hostile).markup
    assert "<script>" not in markup and "&lt;script&gt;alert(1)&lt;/script&gt;" in markup


def test_profile_figure_alt_text_states_the_counts_in_words(facts):
    result = risk_profile(facts, ["tender-muscles", "swollen-muscles", "arthritis"], "none")
    available = Counter(r.category for r in facts.risk_factors)
    alt = alt_of(profile_figure(result).markup)
    assert "three selected risk factors per category" in alt
    assert f"Muscle state: two of {available['tissue-state']}" in alt
    assert f"Structural condition: one of {available['structural-condition']}" in alt
    assert f"Intense force: none of {available['acute-force']}" in alt
    assert NO_NUMBERS in alt


def test_profile_figure_by_region(facts):
    result = risk_profile(facts, ["intense-force"], "none")
    markup = profile_figure(result, by="region").markup
    assert "Lower back: one of" in alt_of(markup) and "<figcaption>" in markup
    with pytest.raises(ValueError, match="category, region"):
        profile_figure(result, by="sport")


def test_profile_figure_is_a_png_and_renders_byte_identically(facts):
    result = risk_profile(facts, ["ruptured-disc", "idiopathic"], "football")
    clear_figure_cache()
    first = profile_figure(result).markup
    clear_figure_cache()
    second = profile_figure(result).markup
    assert first == second
    data = re.search(r'src="data:image/png;base64,([^"]+)"', first).group(1)
    assert base64.b64decode(data).startswith(b"\x89PNG")
    assert NO_NUMBERS in first.split("<figcaption>")[1]


def test_different_counts_give_different_figures(facts):
    one = profile_figure(risk_profile(facts, ["arthritis"], "none")).markup
    two = profile_figure(risk_profile(facts, ["arthritis", "ruptured-disc"], "none")).markup
    assert one != two


def test_keys_nearby_are_the_charts_a_click_or_two_away(facts):
    key = figure_key(risk_profile(facts, ["arthritis"], "none"))
    assert key[2] == (0, 0, 0, 1, 0, 0) and key[3] == (3, 1, 1, 3, 2, 1)
    near = [k[2] for k in keys_nearby(key)]
    # One click: one category up by one (within what exists) or structural conditions down to 0.
    one_click = {(1, 0, 0, 1, 0, 0), (0, 1, 0, 1, 0, 0), (0, 0, 1, 1, 0, 0), (0, 0, 0, 2, 0, 0),
                 (0, 0, 0, 1, 1, 0), (0, 0, 0, 1, 0, 1), (0, 0, 0, 0, 0, 0)}
    assert set(near[:len(one_click)]) == one_click
    assert (1, 1, 0, 1, 0, 0) in near and (0, 0, 0, 3, 0, 0) in near  # two clicks away
    assert (1, 1, 1, 1, 0, 0) not in near and key[2] not in near
    assert all(sum(abs(a - b) for a, b in zip(v, key[2])) <= 2 for v in near)
    assert all(k[:2] == key[:2] and k[3] == key[3] for k in keys_nearby(key))


def test_table_view_is_captioned_and_escaped():
    frame = pandas.DataFrame(
        [["<b>bold</b>", "Sport", "Lower back", "m", "s", 2]],
        columns=["name", "category", "region", "mechanism", "source_says", "source_paragraph"],
    )
    markup = table_view(frame).markup
    assert "<caption>Risk factors the source names: 1 shown." in markup
    assert "&lt;b&gt;bold&lt;/b&gt;" in markup and "<b>" not in markup
    assert "<th>What the source says</th>" in markup


def test_table_view_of_no_rows_says_nothing_matches(facts):
    markup = table_view(risk_factor_table(facts, text="zzz")).markup
    assert "No risk factor matches these filters" in markup and "<table" not in markup


def test_table_view_of_the_full_table_lists_every_name(facts):
    markup = table_view(risk_factor_table(facts)).markup
    assert markup.count("<tr") == len(facts.risk_factors) + 1  # the header row, then one per factor
    for r in facts.risk_factors:
        assert f"<td>{r.name}</td>" in markup
