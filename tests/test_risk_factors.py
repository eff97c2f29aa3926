"""The risk-factor explorer's logic and views (notebook 01), checked against the data tables."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

import pytest

from spasm_lib import records as R
from spasm_lib import vocabulary as V
from spasm_lib.facts import load_facts
from spasm_lib.tables import Facts
from spasm_lib.risk_factors import (
    RiskProfile,
    TableResult,
    choose_sport,
    filter_risk_factors,
    risk_factor_table,
    risk_profile,
    tick,
)
from spasm_lib.views.risk_factors import (
    profile_figure,
    profile_view,
    region_filter_note,
    table_view,
)
from spasm_lib.views.style import CSS
from spasm_lib.views.svg import svg_of

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
    # tissue-state, then structural-condition, then unknown-cause (vocabulary.RISK_CATEGORIES)
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
    assert result.factors[0].ticked and result.factors[0].via_sport == facts.by_id("sports")["football"].name
    assert sum(n for _, n in result.category_counts) == 1


def test_counts_cover_every_category_and_region_zeros_included(facts):
    chosen = ["tender-muscles", "swollen-muscles", "intense-force", "weak-abdominal-muscles"]
    result = risk_profile(facts, chosen, "baseball")
    ids = set(chosen) | {facts.by_id("sports")["baseball"].risk_factor_id}
    by_category = Counter(record(facts, i).category for i in ids)
    by_region = Counter(record(facts, i).region for i in ids)
    assert result.category_counts == tuple((c, by_category[c]) for c in V.RISK_CATEGORIES)
    assert result.region_counts == tuple((r, by_region[r]) for r in V.BACK_REGIONS)
    assert dict(result.category_counts)["structural-condition"] == 0
    available = Counter(r.category for r in facts.risk_factors)
    assert result.category_available == tuple((c, available[c]) for c in V.RISK_CATEGORIES)


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


def test_state_toggles_and_its_profile(facts):
    state = RiskProfile().toggled("arthritis", True).toggled("idiopathic", True).toggled("arthritis", False)
    assert state == RiskProfile(("idiopathic",), "none")
    assert state.with_sport("golf").sport == "golf"
    assert risk_profile(facts, state.with_sport("golf").risk_factor_ids, state.with_sport("golf").sport) == risk_profile(facts, ["idiopathic"], "golf")


# --------------------------------------------------------------------------- the sport and its box


def test_a_sport_shows_its_box_ticked(facts):
    result = risk_profile(facts, ["arthritis"], "golf")
    assert result.shown_ticked == ("twisting-sport", "arthritis")  # file order
    assert risk_profile(facts, ["arthritis"], "none").shown_ticked == ("arthritis",)


def test_unticking_the_sport_box_clears_the_sport(facts):
    state = RiskProfile(("tender-muscles",), "golf")
    after = tick(facts, state, "twisting-sport", False)
    assert after == RiskProfile(("tender-muscles",), "none")
    assert risk_profile(facts, after.risk_factor_ids, after.sport).shown_ticked == ("tender-muscles",)


def test_ticking_the_sport_box_with_no_sport_keeps_it(facts):
    after = tick(facts, RiskProfile((), "none"), "twisting-sport", True)
    assert after == RiskProfile(("twisting-sport",), "none")
    factor = risk_profile(facts, after.risk_factor_ids, after.sport).factors[0]
    assert factor.ticked and factor.via_sport is None


def test_unticking_another_box_keeps_the_sport(facts):
    after = tick(facts, RiskProfile(("arthritis",), "baseball"), "arthritis", False)
    assert after == RiskProfile((), "baseball")


def test_choosing_no_sport_unticks_the_box_unless_the_student_ticked_it(facts):
    only_sport = choose_sport(facts, RiskProfile((), "golf"), "none")
    assert risk_profile(facts, only_sport.risk_factor_ids, only_sport.sport).shown_ticked == ()
    ticked_too = choose_sport(facts, RiskProfile(("twisting-sport",), "golf"), "none")
    assert risk_profile(facts, ticked_too.risk_factor_ids, ticked_too.sport).shown_ticked == ("twisting-sport",)


def test_tick_and_choose_sport_reject_unknown_ids(facts):
    with pytest.raises(ValueError, match="unknown risk factor 'posture'"):
        tick(facts, RiskProfile(), "posture", True)
    with pytest.raises(ValueError, match="unknown sport 'tennis'.*none"):
        choose_sport(facts, RiskProfile(), "tennis")


def test_the_profile_says_why_the_sport_box_is_ticked(facts):
    markup = profile_view(risk_profile(facts, [], "golf")).markup
    assert 'added by the sport: Golf<span class="spasm-live-only">. Its box is ticked because of the sport; ' \
           "untick it, or choose \u201cNo sport\u201d, to remove it</span>" in markup  # how to undo it: live only
    both = profile_view(risk_profile(facts, ["twisting-sport"], "golf")).markup
    assert "ticked by you; your sport, Golf, is one of these" in both
    alone = profile_view(risk_profile(facts, ["twisting-sport"], "none")).markup
    assert "spasm-via" not in alone


# --------------------------------------------------------------------------- "no known cause" beside known causes


def test_no_known_cause_with_known_causes_is_flagged(facts):
    result = risk_profile(facts, ["idiopathic", "arthritis", "ruptured-disc"], "none")
    assert result.known_causes_with_no_known_cause == ("Arthritis", "Ruptured disc")
    markup = profile_view(result).markup
    assert ("<strong>Check this:</strong> you selected \u201cNo known cause (idiopathic)\u201d together with two "
            "known causes (Arthritis; Ruptured disc). Idiopathic means that no cause can be found") in markup


def test_a_sport_counts_as_a_known_cause(facts):
    result = risk_profile(facts, ["idiopathic"], "football")
    assert result.known_causes_with_no_known_cause == ("Sports with sudden twists, jerks and pulls",)
    assert "together with one known cause (" in profile_view(result).markup


def test_no_known_cause_alone_or_known_causes_alone_are_not_flagged(facts):
    for ids in (["idiopathic"], ["arthritis", "tender-muscles"]):
        result = risk_profile(facts, ids, "none")
        assert result.known_causes_with_no_known_cause == ()
        assert "Check this" not in profile_view(result).markup


# --------------------------------------------------------------------------- the table and its filters


def names(table: TableResult) -> list[str]:
    return [r.name for r in table.rows]


def test_full_table_has_every_factor_in_file_order(facts):
    table = filter_risk_factors(facts)
    assert table.rows == facts.risk_factors and table.total == 11
    frame = risk_factor_table(facts)
    assert list(frame.columns) == ["name", "synonyms", "category", "region", "mechanism", "source_says",
                                   "source_paragraph"]
    assert list(frame["name"]) == [r.name for r in facts.risk_factors]
    assert frame["synonyms"][6] == "herniated disc; disc herniation; slipped disc; prolapsed disc; disc prolapse"
    assert list(frame["source_paragraph"]) == [2] * 11


@pytest.mark.parametrize("category", V.RISK_CATEGORIES)
def test_table_filters_by_category(facts, category):
    assert names(filter_risk_factors(facts, category=category)) == [
        r.name for r in facts.risk_factors if r.category == category]


# Written out from data/risk_factors.csv: two factors of both upper and lower back (weak stomach and
# spinal muscles), two of the lower back (intense force, sports), seven with no region stated.
BOTH = ["Weak stomach (abdominal) muscles", "Weakened spinal muscles"]


def test_upper_back_includes_the_factors_of_both_upper_and_lower_back(facts):
    assert names(filter_risk_factors(facts, region="upper-back")) == BOTH


def test_lower_back_includes_the_factors_of_both_upper_and_lower_back(facts):
    assert names(filter_risk_factors(facts, region="lower-back")) == [
        "Intense force on the lower back", "Sports with sudden twists, jerks and pulls", *BOTH]


def test_upper_and_lower_back_and_not_stated(facts):
    assert names(filter_risk_factors(facts, region="upper-and-lower-back")) == BOTH
    assert names(filter_risk_factors(facts, region="not-stated")) == [
        "Tender muscles", "Swollen muscles", "Inflamed muscles", "Arthritis", "Ruptured disc",
        "Pelvis tilted forward (anterior pelvic tilt)", "No known cause (idiopathic)"]


@pytest.mark.parametrize("word", ["herniated", "Slipped  disc", "PROLAPSED", "disc herniation"])
def test_synonyms_find_the_ruptured_disc(facts, word):
    assert names(filter_risk_factors(facts, text=word)) == ["Ruptured disc"]


def test_search_reaches_examples_and_other_synonyms(facts):
    assert names(filter_risk_factors(facts, text="baseball")) == ["Sports with sudden twists, jerks and pulls"]
    assert names(filter_risk_factors(facts, text="weak core")) == ["Weak stomach (abdominal) muscles"]
    assert names(filter_risk_factors(facts, text="unexplained")) == ["No known cause (idiopathic)"]


def test_filters_combine(facts):
    assert names(filter_risk_factors(facts, "structural-condition", "not-stated", "disc")) == ["Ruptured disc"]
    assert names(filter_risk_factors(facts, region="upper-back", text="disc")) == []


def test_table_with_no_match_is_empty(facts):
    assert filter_risk_factors(facts, text="no such words anywhere").rows == ()
    assert len(risk_factor_table(facts, text="no such words anywhere")) == 0


def test_table_rejects_unknown_filters(facts):
    with pytest.raises(ValueError, match="unknown category 'sports'.*tissue-state"):
        filter_risk_factors(facts, category="sports")
    with pytest.raises(ValueError, match="unknown region 'neck'.*lower-back"):
        filter_risk_factors(facts, region="neck")


def test_the_region_filter_says_what_it_means(facts):
    assert region_filter_note("upper-back").markup == (
        '<p class="spasm-note">Region filter \u201cUpper back\u201d shows factors the source ties to the upper '
        "back, including those it ties to both the upper and the lower back.</p>")
    # What "Not stated" means is said once, under the table, from data (teaching_text.csv), not here.
    assert region_filter_note("not-stated").markup == (
        '<p class="spasm-note">Region filter \u201cNot stated\u201d shows the factors whose region is '
        "\u201cNot stated\u201d.</p>")
    assert region_filter_note("").markup == (
        '<p class="spasm-note">Region filter: \u201cUpper back\u201d and \u201cLower back\u201d each include the '
        "factors the source ties to both the upper and the lower back.</p>")


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
    alt = alt_of(profile_figure(result).markup)
    assert "three selected risk factors per category" in alt
    assert "Muscle state: two of 3" in alt
    assert "Structural condition: one of 3" in alt
    assert "Intense force: none of 1" in alt
    assert NO_NUMBERS in alt


def test_profile_figure_by_region(facts):
    result = risk_profile(facts, ["intense-force"], "none")
    markup = profile_figure(result, by="region").markup
    assert "Lower back: one of 2" in alt_of(markup) and "<figcaption>" in markup
    with pytest.raises(ValueError, match="category, region"):
        profile_figure(result, by="sport")


def svg_texts(document: str) -> list[str]:
    return [re.sub(r"&#x27;", "'", t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", document)]


def test_profile_figure_is_an_svg_with_a_label_and_count_per_row(facts):
    result = risk_profile(facts, ["ruptured-disc", "idiopathic"], "football")
    markup = profile_figure(result).markup
    assert markup.startswith('<figure class="spasm-figure"><img src="data:image/svg+xml;base64,')
    document = svg_of(markup)
    assert document.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img"')
    assert "<title id=\"title\">Selected risk factors per category</title>" in document
    assert f"<desc id=\"desc\">{alt_of(markup)}</desc>" in document
    # Every row carries its name and its count as text: nothing is read from colour or length alone.
    assert svg_texts(document)[2:] == [
        "Muscle state", "0 of 3", "Intense force", "0 of 1", "Sport", "1 of 1",
        "Structural condition", "1 of 3", "Muscle weakness", "0 of 2", "No known cause", "1 of 1"]
    assert document.count("<pattern ") == 6  # one colour-and-hatch fill per row
    assert NO_NUMBERS in markup.split("<figcaption>")[1]


def test_profile_figure_renders_byte_identically(facts):
    result = risk_profile(facts, ["ruptured-disc", "idiopathic"], "football")
    assert profile_figure(result).markup == profile_figure(risk_profile(facts, ["ruptured-disc", "idiopathic"],
                                                                        "football")).markup


def test_bar_lengths_follow_the_counts(facts):
    document = svg_of(profile_figure(risk_profile(facts, ["arthritis", "ruptured-disc"], "none")).markup)
    # 320 wide, 8 on the left, 72 for the counts: 240 units for the 3 factors of the largest group.
    bars = re.findall(r'<rect x="8" y="[\d.]+" width="([\d.]+)" height="22" fill="url\(#bar(\d)\)"', document)
    assert bars == [("160", "3")]
    outlines = re.findall(r'<rect x="8" y="[\d.]+" width="([\d.]+)" height="22" fill="none"', document)
    assert outlines == ["240", "80", "80", "240", "160", "80"]


def test_different_counts_give_different_figures(facts):
    one = profile_figure(risk_profile(facts, ["arthritis"], "none")).markup
    two = profile_figure(risk_profile(facts, ["arthritis", "ruptured-disc"], "none")).markup
    assert one != two


def full_table(facts) -> TableResult:
    return filter_risk_factors(facts)


def test_table_view_is_captioned_escaped_and_left_aligned(facts):
    arthritis = record(facts, "arthritis")
    hostile = TableResult((replace(arthritis, name="<b>bold</b>"),), "", "", "", 11,
                          "The source gives no numbers for how much each factor raises risk.", "No region named.")
    markup = table_view(hostile).markup
    assert ">Risk factors the source names: 1 of 11 shown. The source gives no numbers" in markup
    assert "&lt;b&gt;bold&lt;/b&gt;" in markup and "<b>" not in markup
    assert '<th scope="col">Risk factor</th>' in markup
    cells = re.findall(r"<(?:td|th)\b[^>]*>", markup)
    assert len(cells) == 12 and all("style=" not in cell for cell in cells)
    # left-aligned by the stylesheet the widget shows it with, over JupyterLab's right alignment
    assert "div.spasm-view table th,div.spasm-view table td{text-align:left!important;" in CSS


def test_table_view_names_the_filters_in_its_caption(facts):
    markup = table_view(filter_risk_factors(facts, "muscle-weakness", "upper-back", "weak")).markup
    assert ("Risk factors the source names: 2 of 11 shown (category Muscle weakness; region Upper back: factors "
            "the source ties to the upper back, including those it ties to both the upper and the lower back; "
            "search \u201cweak\u201d). The source gives no numbers") in markup


def test_table_view_shows_other_names_and_explains_not_stated(facts):
    markup = table_view(filter_risk_factors(facts, text="herniated")).markup
    assert "<strong>Ruptured disc</strong><br><span class=\"spasm-also-called\">also called: herniated disc, " in markup
    assert "\u201cNot stated\u201d in the region column: the source names no part of the back" in markup
    assert "Not stated" not in table_view(filter_risk_factors(facts, region="lower-back")).markup.split("</table>")[1]


def test_table_view_of_no_rows_says_nothing_matches(facts):
    markup = table_view(filter_risk_factors(facts, text="zzz")).markup
    assert "No risk factor matches these filters" in markup and "<table" not in markup


def test_table_view_of_the_full_table_lists_every_name_once(facts):
    markup = table_view(full_table(facts)).markup
    assert markup.count("<tr") == len(facts.risk_factors) + 1  # the header row, then one per factor
    for r in facts.risk_factors:
        assert markup.count(f"<strong>{r.name}</strong>") == 1


def test_a_chart_drawn_before_is_a_lookup_with_the_same_bytes(facts):
    from spasm_lib.views.risk_factors import count_figure

    result = risk_profile(facts, ["arthritis"], "none")
    count_figure.cache_clear()
    first = profile_figure(result)
    assert profile_figure(result) is first  # the LRU cache: no redraw, no thread
    count_figure.cache_clear()
    assert profile_figure(result) == first  # a redraw gives the same bytes
