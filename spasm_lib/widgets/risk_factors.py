"""Controls for notebook 01: tick risk factors, choose a sport, filter the table.

Wiring only: every change builds the explorer's state, passes it through
:func:`spasm_lib.risk_factors.risk_profile` and renders it with the views into one HTML widget. With
``interactive = False`` (papermill, handouts) the same views render the parameters' state instead.
"""

from __future__ import annotations

import atexit
import threading
from types import SimpleNamespace

import ipywidgets as W

from spasm_lib.widgets import Described

from spasm_lib import records as R
from spasm_lib.facts import Facts, load_facts
from spasm_lib.html import Html, esc
from spasm_lib.risk_factors import (
    CATEGORY_LABELS,
    NO_SPORT,
    REGION_LABELS,
    ProfileResult,
    RiskProfile,
    profile_of,
    risk_factor_table,
)
from spasm_lib.views.risk_factors import (
    draw_in_background,
    figure_key,
    keys_nearby,
    profile_figure,
    profile_view,
    table_view,
)

_WIDE = {"description_width": "initial"}


def profile_html(facts: Facts, state: RiskProfile) -> Html:
    """What the explorer shows for a state: the cards, then the count figure."""
    return _profile_html(profile_of(facts, state))


def _profile_html(result: ProfileResult) -> Html:
    return profile_view(result) + profile_figure(result)


class _FigureWarmer:
    """Draws, on one background thread, the count charts a click or two away from the current one.

    A chart takes tens of milliseconds to draw, and a student clicks every second or so: drawing
    the next charts in that pause makes the next click a cache hit. Only the newest chart counts;
    when the student moves on, the warmer starts again around the new one.
    """

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._latest: tuple | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    def warm(self, key: tuple) -> None:
        with self._wake:
            if self._stopping:
                return
            self._latest = key
            self._wake.notify()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="spasm-figure-warmer", daemon=True)
                self._thread.start()
                # Let a drawing in progress finish before the interpreter exits: a thread killed
                # inside matplotlib's C++ renderer aborts the process.
                atexit.register(self.stop)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the chart being drawn, then end the thread."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._latest is None and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                key = self._latest
                self._latest = None
            for nearby in keys_nearby(key):
                if self._latest is not None or self._stopping:
                    break
                try:
                    draw_in_background(nearby)
                except Exception:  # noqa: BLE001 - best effort: a miss is drawn by the callback itself
                    continue


_WARMER = _FigureWarmer()


class RiskFactorExplorer(Described, W.VBox):
    """Checkboxes grouped by category, a sport dropdown, and the profile they select."""

    description_text = "Risk-factor explorer"

    def __init__(self, facts: Facts, state: RiskProfile, draw_ahead: bool = True):
        self.facts = facts
        self.draw_ahead = draw_ahead
        self.checkboxes: dict[str, W.Checkbox] = {}
        groups = []
        for category in R.RISK_CATEGORIES:
            members = [r for r in facts.risk_factors if r.category == category]
            if not members:
                continue
            boxes = []
            for r in members:
                box = W.Checkbox(value=r.id in state.risk_factor_ids, description=r.name, indent=False)
                box.observe(self._on_change, names="value")
                self.checkboxes[r.id] = box
                boxes.append(box)
            heading = W.HTML(f"<h3>{esc(CATEGORY_LABELS[category])}</h3>")
            groups.append(W.VBox([heading, *boxes], layout=W.Layout(min_width="14em")))
        self.sport = W.Dropdown(
            options=[(s.name, s.id) for s in facts.sports] + [("No sport", NO_SPORT)],
            value=state.sport,
            description="Sport",
        )
        self.sport.observe(self._on_change, names="value")
        self.view = W.HTML()
        self._order = list(state.risk_factor_ids)
        super().__init__(
            [W.HBox(groups, layout=W.Layout(flex_flow="row wrap")), self.sport, self.view]
        )
        self.refresh(ahead=False)  # no drawing ahead until someone uses it (papermill, nbval)

    @property
    def state(self) -> RiskProfile:
        """The current selection; ticked ids in the order they were ticked."""
        return RiskProfile(tuple(self._order), self.sport.value)

    def _on_change(self, change: dict) -> None:
        for rid, box in self.checkboxes.items():
            if box.value and rid not in self._order:
                self._order.append(rid)
            elif not box.value and rid in self._order:
                self._order.remove(rid)
        self.refresh()

    def refresh(self, ahead: bool = True) -> None:
        result = profile_of(self.facts, self.state)
        if ahead and self.draw_ahead:  # first, so the warmer leaves the previous state's charts
            _WARMER.warm(figure_key(result))
        self.view.value = _profile_html(result).markup


def _state_from(params: SimpleNamespace) -> RiskProfile:
    return RiskProfile(tuple(params.risk_factors), params.sport)


def risk_factor_explorer(params: SimpleNamespace, facts: Facts | None = None) -> RiskFactorExplorer | Html:
    """The explorer for notebook 01's parameters: live controls, or the static view of their state."""
    facts = facts or load_facts()
    state = _state_from(params)
    if params.interactive:
        return RiskFactorExplorer(facts, state)
    return profile_html(facts, state)


class RiskFactorTableExplorer(Described, W.VBox):
    """The risk-factor table with a category filter, a region filter and a text search."""

    description_text = "Risk-factor table with filters"

    def __init__(self, facts: Facts):
        self.facts = facts
        self.category = W.Dropdown(
            options=[("All categories", "")] + [(CATEGORY_LABELS[c], c) for c in R.RISK_CATEGORIES],
            value="",
            description="Category",
        )
        self.region = W.Dropdown(
            options=[("All regions", "")] + [(REGION_LABELS[r], r) for r in R.BACK_REGIONS],
            value="",
            description="Region of the back",
            style=_WIDE,
        )
        self.text = W.Text(value="", description="Search", placeholder="a word, e.g. disc")
        self.view = W.HTML()
        for control in (self.category, self.region, self.text):
            control.observe(lambda _change: self.refresh(), names="value")
        super().__init__([W.HBox([self.category, self.region, self.text]), self.view])
        self.refresh()

    def refresh(self) -> None:
        frame = risk_factor_table(self.facts, self.category.value, self.region.value, self.text.value)
        self.view.value = table_view(frame).markup


def risk_factor_table_explorer(
    params: SimpleNamespace, facts: Facts | None = None
) -> RiskFactorTableExplorer | Html:
    """The filterable table: live filters, or (static) the full table."""
    facts = facts or load_facts()
    if params.interactive:
        return RiskFactorTableExplorer(facts)
    return table_view(risk_factor_table(facts))
