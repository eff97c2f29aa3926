"""Notebook 01's widgets without a kernel: the risk explorer and the filterable table.

Each test changes a control and checks the HTML widget against the view of the state worked out by
hand, and that the boxes and the sport menu agree with the profile.
"""

from __future__ import annotations

import ipywidgets as W
import pytest

from spasm_lib.facts import load_facts
from spasm_lib.tables import Facts
from spasm_lib.html import Html
from spasm_lib.params import use_parameters
from spasm_lib.risk_factors import RiskProfile, filter_risk_factors, risk_profile
from spasm_lib.views.risk_factors import profile_figure, profile_view, region_filter_note, table_view
from spasm_lib.views.style import styled
from spasm_lib.widgets.base import STATIC_NOTE
from spasm_lib.widgets.risk_factors import (
    RiskFactorExplorer,
    RiskFactorTableExplorer,
    risk_factor_explorer,
    risk_factor_table_explorer,
)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def facts() -> Facts:
    return load_facts()


def risk_params(**values):
    return use_parameters("01_risk_factors", {"interactive": True, "audience": "student", **values})


def expected_profile(facts: Facts, ids: list[str], sport: str) -> str:
    result = risk_profile(facts, ids, sport)
    return styled(profile_figure(result) + profile_view(result)).markup  # the chart first, right under the ticks


def shown(explorer: RiskFactorExplorer) -> str:
    """What the explorer shows: the chart beside the ticks, then the cards."""
    return styled(Html(unstyled(explorer.chart.value) + unstyled(explorer.view.value))).markup


def unstyled(markup: str) -> str:
    """A widget's HTML without the stylesheet block it carries (each carries the one stylesheet)."""
    prefix = styled(Html("")).markup.removesuffix("</div>")
    assert markup.startswith(prefix) and markup.endswith("</div>"), "shown without the stylesheet"
    return markup[len(prefix):-len("</div>")]


def ticked(explorer: RiskFactorExplorer) -> list[str]:
    return [rid for rid, box in explorer.checkboxes.items() if box.value]


def controls(widget: W.Widget):
    for child in getattr(widget, "children", ()):
        yield child
        yield from controls(child)


# --------------------------------------------------------------------------- the explorer


def test_explorer_starts_from_the_parameters_with_the_sport_box_ticked(facts):
    explorer = risk_factor_explorer(risk_params(risk_factors=["arthritis"], sport="golf"), facts)
    assert isinstance(explorer, RiskFactorExplorer)
    assert shown(explorer) == expected_profile(facts, ["arthritis"], "golf")
    assert ticked(explorer) == ["twisting-sport", "arthritis"]  # golf ticks the sports box
    assert explorer.sport.value == "golf"


def test_checkboxes_are_named_and_grouped_with_the_sport_menu_in_the_sport_group(facts):
    explorer = risk_factor_explorer(risk_params(), facts)
    assert list(explorer.checkboxes) == [r.id for r in facts.risk_factors]
    for rid, box in explorer.checkboxes.items():
        assert box.description == facts.by_id("risk_factors")[rid].name and box.indent is False
    ticks, chart = explorer.children[1].children
    assert chart is explorer.chart  # the chart beside the ticks
    groups = ticks.children
    assert [g.children[0].value for g in groups] == [
        "<h3>Muscle state</h3>", "<h3>Intense force</h3>", "<h3>Sport</h3>", "<h3>Structural condition</h3>",
        "<h3>Muscle weakness</h3>", "<h3>No known cause</h3>"]
    sport_group = groups[2].children
    assert sport_group[1:] == (explorer.checkboxes["twisting-sport"], explorer.sport)
    assert explorer.sport.description == "Sport the patient plays"
    assert explorer.sport.style.description_width == "initial"  # the label's own width: no indent
    assert [v for _, v in explorer.sport.options] == ["baseball", "football", "golf", "none"]
    assert explorer.children[2] is explorer.view  # nothing floats between the ticks and the profile


def test_unticking_the_sport_box_clears_the_sport(facts):
    explorer = risk_factor_explorer(risk_params(risk_factors=["tender-muscles"], sport="golf"), facts)
    explorer.checkboxes["twisting-sport"].value = False
    assert explorer.sport.value == "none"
    assert ticked(explorer) == ["tender-muscles"]
    assert shown(explorer) == expected_profile(facts, ["tender-muscles"], "none")


def test_choosing_a_sport_ticks_the_box_and_no_sport_unticks_it(facts):
    explorer = risk_factor_explorer(risk_params(risk_factors=[], sport="none"), facts)
    explorer.sport.value = "baseball"
    assert ticked(explorer) == ["twisting-sport"]
    assert "added by the sport: Baseball" in explorer.view.value
    explorer.sport.value = "none"
    assert ticked(explorer) == []
    assert shown(explorer) == expected_profile(facts, [], "none")


def test_ticking_the_sport_box_without_a_sport_shows_it(facts):
    explorer = risk_factor_explorer(risk_params(risk_factors=[], sport="none"), facts)
    assert explorer.sport.options[-1] == ("No sport", "none")
    explorer.checkboxes["twisting-sport"].value = True
    assert explorer.state == RiskProfile(("twisting-sport",), "none")
    assert shown(explorer) == expected_profile(facts, ["twisting-sport"], "none")
    # the menu agrees with the ticked box: a twisting sport, not named (not "No sport")
    assert explorer.sport.value == "none" and explorer.sport.options[-1] == ("A sport with twists, not named", "none")
    explorer.sport.value = "football"
    explorer.sport.value = "none"  # the student ticked it: it stays
    assert ticked(explorer) == ["twisting-sport"]


def test_ticking_boxes_updates_the_view_in_ticking_order(facts):
    explorer = risk_factor_explorer(risk_params(risk_factors=["arthritis"], sport="none"), facts)
    explorer.checkboxes["tender-muscles"].value = True
    assert explorer.state.risk_factor_ids == ("arthritis", "tender-muscles")
    assert shown(explorer) == expected_profile(facts, ["arthritis", "tender-muscles"], "none")
    explorer.checkboxes["arthritis"].value = False
    explorer.checkboxes["tender-muscles"].value = False
    assert "No risk factors selected" in explorer.view.value


def test_no_known_cause_with_known_causes_gets_a_word(facts):
    explorer = risk_factor_explorer(risk_params(risk_factors=["arthritis"], sport="none"), facts)
    explorer.checkboxes["idiopathic"].value = True
    assert "<strong>Check this:</strong>" in explorer.view.value
    explorer.checkboxes["arthritis"].value = False
    assert "Check this" not in explorer.view.value


def test_static_explorer_is_the_view_of_the_parameters(facts):
    params = risk_params(risk_factors=["ruptured-disc", "idiopathic"], sport="baseball", interactive=False)
    shown = risk_factor_explorer(params, facts)
    assert isinstance(shown, Html)
    assert shown.markup == expected_profile(facts, ["ruptured-disc", "idiopathic"], "baseball")


def test_the_explorer_starts_no_thread(facts):
    import threading

    before = threading.active_count()
    explorer = risk_factor_explorer(risk_params(risk_factors=[], sport="none"), facts)
    for rid in explorer.checkboxes:
        explorer.checkboxes[rid].value = True
    assert threading.active_count() == before


# --------------------------------------------------------------------------- stored output reads without a kernel


def test_the_explorer_display_carries_its_static_view(facts):
    explorer = risk_factor_explorer(risk_params(risk_factors=["arthritis"], sport="golf"), facts)
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"] == "Risk-factor explorer: run this cell to use its controls."
    assert bundle[WIDGET_VIEW]["model_id"] == explorer.model_id  # JupyterLab still gets the live widget
    assert bundle["text/html"] == STATIC_NOTE + expected_profile(facts, ["arthritis"], "golf")
    explorer.checkboxes["tender-muscles"].value = True  # the stored view follows the state shown
    assert explorer._repr_mimebundle_()["text/html"] == STATIC_NOTE + expected_profile(
        facts, ["arthritis", "tender-muscles"], "golf")


def test_the_table_display_carries_its_static_view(facts):
    table = risk_factor_table_explorer(risk_params(), facts)
    bundle = table._repr_mimebundle_()
    full = styled(region_filter_note("") + table_view(filter_risk_factors(facts)))  # the one stylesheet
    assert bundle["text/html"] == STATIC_NOTE + full.markup
    assert bundle["text/html"].count("<table") == 1
    assert WIDGET_VIEW in bundle


# --------------------------------------------------------------------------- the table


def test_table_explorer_filters(facts):
    explorer = risk_factor_table_explorer(risk_params(), facts)
    assert isinstance(explorer, RiskFactorTableExplorer)
    explorer.category.value = "structural-condition"
    assert explorer.view.value == styled(region_filter_note("") + table_view(
        filter_risk_factors(facts, "structural-condition"))).markup
    assert "<strong>Arthritis</strong>" in explorer.view.value
    assert "<strong>Tender muscles</strong>" not in explorer.view.value
    explorer.text.value = "slipped disc"
    assert "<strong>Ruptured disc</strong>" in explorer.view.value
    assert "<strong>Arthritis</strong>" not in explorer.view.value
    explorer.category.value = ""
    explorer.text.value = ""
    explorer.region.value = "upper-back"
    assert explorer.view.value.count("<strong>") == 2  # weak stomach and weak spinal muscles
    assert "Region filter \u201cUpper back\u201d shows factors the source ties to the upper back, including" \
        in explorer.view.value
    explorer.region.value = "lower-back"
    assert explorer.view.value.count("<strong>") == 4


def test_table_controls_are_labelled_in_full(facts):
    explorer = risk_factor_table_explorer(risk_params(), facts)
    assert [c.description for c in (explorer.category, explorer.region, explorer.text)] == [
        "Category", "Region of the back", "Search the table"]
    assert [label for label, _ in explorer.region.options] == [
        "All regions", "Lower back", "Upper back", "Upper and lower back", "Not stated"]
    explorer_controls = list(controls(risk_factor_explorer(risk_params(), facts))) + list(controls(explorer))
    for widget in explorer_controls:
        if isinstance(widget, (W.Dropdown, W.Checkbox, W.Text)):
            assert widget.description.strip()


def test_static_table_is_the_full_table(facts):
    shown = risk_factor_table_explorer(risk_params(interactive=False), facts)
    assert shown.markup == styled(table_view(filter_risk_factors(facts))).markup  # no filter, no note on one
