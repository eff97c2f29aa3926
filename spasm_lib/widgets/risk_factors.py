"""Controls for notebook 01: tick risk factors, choose a sport, filter the table.

Wiring only: every change builds the explorer's state with :func:`spasm_lib.risk_factors.tick` or
:func:`~spasm_lib.risk_factors.choose_sport`, passes it through
:func:`~spasm_lib.risk_factors.risk_profile` and renders it with the views into one HTML widget; the
boxes and the sport menu are then set from the result, so they always agree with the profile (a sport
ticks "Sports with sudden twists", unticking that box clears the sport). With ``interactive = False``
(papermill, handouts) the same views render the parameters' state instead, and a live widget's stored
output carries that same static view too (:class:`spasm_lib.widgets.base.StaticView`).

No background thread: the chart is a few kilobytes of SVG, drawn in the callback in well under a
millisecond (a state seen before is a cache lookup, :func:`spasm_lib.views.risk_factors.count_figure`).
"""

from __future__ import annotations

from types import SimpleNamespace

import ipywidgets as W

from spasm_lib import vocabulary as V
from spasm_lib.facts import load_facts
from spasm_lib.tables import Facts
from spasm_lib.html import Html, esc
from spasm_lib.risk_factors import (
    CATEGORY_LABELS,
    NO_SPORT,
    REGION_FILTERS,
    REGION_LABELS,
    ProfileResult,
    RiskProfile,
    choose_sport,
    filter_risk_factors,
    risk_profile,
    tick,
)
from spasm_lib.views.risk_factors import profile_figure, profile_view, region_filter_note, table_view
from spasm_lib.views.style import styled
from spasm_lib.widgets import Described
from spasm_lib.widgets.base import StaticView
from spasm_lib.widgets.notice import notice_line
from spasm_lib.recording import RiskRecording, recorder_for
from spasm_lib.recorder import Recorder

_WIDE = {"description_width": "initial"}


NO_SPORT_LABEL = "No sport"
SPORT_NOT_NAMED = "A sport with twists, not named"
"""The menu's words for "no sport chosen" while the student has ticked the sport's box themselves:
the box and the menu then agree (a twisting sport, not named) instead of "ticked" beside "No sport"."""


def profile_html(facts: Facts, state: RiskProfile) -> Html:
    """What the explorer shows for a state: the count figure first (right under the ticks, so a tick
    visibly changes it), then the cards."""
    return _profile_html(risk_profile(facts, state.risk_factor_ids, state.sport))


def _profile_html(result: ProfileResult) -> Html:
    return styled(profile_figure(result) + profile_view(result))


CHART_CLASS = "spasm-chart-beside"
TICKS_CLASS = "spasm-ticks"
CHART_STYLE = (f"<style>.{CHART_CLASS}{{position:sticky;top:0;align-self:flex-start}}"
               f".{CHART_CLASS} img{{max-width:100%}}"
               f".{CHART_CLASS} figcaption{{line-height:1.4;margin-top:.3em}}"
               f".{TICKS_CLASS} .widget-checkbox{{width:auto;height:auto}}"
               f".{TICKS_CLASS} .widget-checkbox label{{white-space:normal;height:auto;line-height:1.35}}"
               f".{TICKS_CLASS} .widget-dropdown{{width:auto;max-width:100%;flex-wrap:wrap;height:auto}}</style>")
"""The chart sits beside the ticks (under them when the notebook is too narrow) and stays in view
while the student scrolls down the ticks, so every tick visibly changes it."""


class RiskFactorExplorer(StaticView, Described, W.VBox):
    """Checkboxes grouped by category (the sport menu inside the Sport group) with the count chart
    beside them, then the profile's cards."""

    description_text = "Risk-factor explorer"

    def __init__(self, facts: Facts, state: RiskProfile, recorder: Recorder | None = None):
        self.facts = facts
        self._state = state
        self.recording = RiskRecording(recorder)
        self._syncing = False
        self.checkboxes: dict[str, W.Checkbox] = {}
        self.sport = W.Dropdown(
            options=self._sport_options(NO_SPORT_LABEL),
            value=state.sport,
            description="Sport the patient plays",
            style=_WIDE,
            layout=W.Layout(width="auto"),
        )
        self.sport.observe(self._on_sport, names="value")
        sport_factors = {s.risk_factor_id for s in facts.sports}
        self._sport_factors = sport_factors
        groups = []
        for category in V.RISK_CATEGORIES:
            members = [r for r in facts.risk_factors if r.category == category]
            if not members:
                continue
            items: list[W.Widget] = [W.HTML(f"<h3>{esc(CATEGORY_LABELS[category])}</h3>")]
            for r in members:
                box = W.Checkbox(value=False, description=r.name, indent=False)
                box.observe(lambda change, rid=r.id: self._on_tick(rid, change["new"]), names="value")
                self.checkboxes[r.id] = box
                items.append(box)
                if r.id in sport_factors:
                    items.append(self.sport)  # the menu sits under the box it ticks
            groups.append(W.VBox(items, layout=W.Layout(flex="1 1 13em", min_width="10em", margin="0 1em 0 0")))
        self.chart = W.HTML(layout=W.Layout(flex="1 1 16em", min_width="14em", max_width="28em"))
        self.chart.add_class(CHART_CLASS)
        self.view = W.HTML()
        self.view.add_class("spasm-risk-view")
        ticks = W.HBox(groups, layout=W.Layout(flex_flow="row wrap", flex="1 1 16em"))
        ticks.add_class(TICKS_CLASS)
        super().__init__([W.HTML(CHART_STYLE), W.HBox([ticks, self.chart], layout=W.Layout(flex_flow="row wrap")),
                          self.view, notice_line(recorder)])
        self.refresh()

    def _sport_options(self, no_sport_label: str) -> list[tuple[str, str]]:
        return [(s.name, s.id) for s in self.facts.sports] + [(no_sport_label, NO_SPORT)]

    @property
    def state(self) -> RiskProfile:
        """The current selection: ticked ids in the order they were ticked, and the sport."""
        return self._state

    def _on_tick(self, risk_factor_id: str, selected: bool) -> None:
        if not self._syncing:
            self._state = tick(self.facts, self._state, risk_factor_id, selected)
            self.refresh()
            self.recording.chose(self._state.risk_factor_ids, self._state.sport)

    def _on_sport(self, change: dict) -> None:
        if not self._syncing:
            self._state = choose_sport(self.facts, self._state, change["new"])
            self.refresh()
            self.recording.chose(self._state.risk_factor_ids, self._state.sport)

    def refresh(self) -> None:
        result = risk_profile(self.facts, self._state.risk_factor_ids, self._state.sport)
        self._syncing = True  # the controls follow the result; their observers must not fire back
        try:
            shown = set(result.shown_ticked)
            for rid, box in self.checkboxes.items():
                box.value = rid in shown
            named_by_student = self._state.sport == NO_SPORT and bool(self._sport_factors & shown)
            label = SPORT_NOT_NAMED if named_by_student else NO_SPORT_LABEL
            if self.sport.options[-1][0] != label:
                self.sport.options = self._sport_options(label)
            self.sport.value = self._state.sport
        finally:
            self._syncing = False
        self.chart.value = styled(profile_figure(result)).markup
        self.view.value = styled(profile_view(result)).markup

    def static_html(self) -> Html:
        return profile_html(self.facts, self._state)


def _state_from(params: SimpleNamespace) -> RiskProfile:
    return RiskProfile(tuple(params.risk_factors), params.sport)


def risk_factor_explorer(params: SimpleNamespace, facts: Facts | None = None) -> RiskFactorExplorer | Html:
    """The explorer for notebook 01's parameters: live controls, or the static view of their state."""
    facts = facts or load_facts()
    state = _state_from(params)
    if params.interactive:
        return RiskFactorExplorer(facts, state, recorder_for(params, "01_risk_factors"))
    return profile_html(facts, state)


def filtered_table_html(facts: Facts, category: str = "", region: str = "", text: str = "") -> Html:
    """What the table explorer shows for its filters: what the region filter means, then the table."""
    return styled(region_filter_note(region) + table_view(filter_risk_factors(facts, category, region, text)))


class RiskFactorTableExplorer(StaticView, Described, W.VBox):
    """The risk-factor table with a category filter, a region filter and a text search."""

    description_text = "Risk-factor table with filters"

    def __init__(self, facts: Facts):
        self.facts = facts
        self.category = W.Dropdown(
            options=[("All categories", "")] + [(CATEGORY_LABELS[c], c) for c in V.RISK_CATEGORIES],
            value="",
            description="Category",
            style=_WIDE,
        )
        self.region = W.Dropdown(
            options=[("All regions", "")] + [(REGION_LABELS[r], r) for r in REGION_FILTERS],
            value="",
            description="Region of the back",
            style=_WIDE,
        )
        self.text = W.Text(
            value="", description="Search the table", placeholder="a word, e.g. herniated",
            style=_WIDE, continuous_update=True, layout=W.Layout(width="30em", max_width="100%"),
        )
        self.view = W.HTML()
        for control in (self.category, self.region, self.text):
            control.observe(lambda _change: self.refresh(), names="value")
        super().__init__([W.HBox([self.category, self.region, self.text], layout=W.Layout(flex_flow="row wrap")),
                          self.view])
        self.refresh()

    def refresh(self) -> None:
        self.view.value = self.static_html().markup

    def static_html(self) -> Html:
        return filtered_table_html(self.facts, self.category.value, self.region.value, self.text.value)


def risk_factor_table_explorer(
    params: SimpleNamespace, facts: Facts | None = None
) -> RiskFactorTableExplorer | Html:
    """The filterable table: live filters, or (static: papermill, handouts) the full table alone, the
    same table view the filters show, without the note on a filter the reader does not have."""
    facts = facts or load_facts()
    if params.interactive:
        return RiskFactorTableExplorer(facts)
    return styled(table_view(filter_risk_factors(facts)))
