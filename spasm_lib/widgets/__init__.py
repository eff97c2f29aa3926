"""Widgets: ipywidgets wiring only. A control changes state; state goes through logic and view into an HTML widget.

Every live widget class mixes in :class:`Described`, so the text a notebook stores for a widget cell
(shown before the cell runs, and compared by nbval) is one readable sentence instead of a truncated
``VBox(children=(...`` repr.
"""

from __future__ import annotations


class Described:
    """A short, stable text form for a live widget: what it is and that it needs a running kernel."""

    description_text = "Interactive view"

    def __repr__(self) -> str:
        return f"{self.description_text}: run this cell to use its controls."
