"""A live widget whose stored output also reads without a kernel.

A widget cell's output normally holds only a widget view (a model id that means nothing once the
kernel is gone) and a text fallback, so GitHub, nbviewer or a course site show "run this cell in
JupyterLab" instead of the explorer. :class:`StaticView` adds to the same output a ``text/html``
copy of what the widget shows at that moment, rendered by the very ``view(logic(state))`` the widget
uses. JupyterLab (with the widget manager) prefers the widget view and shows the live controls;
anything without a kernel or widget manager shows the HTML. ``spasm_lib.notebook_tools`` keeps that
HTML in the stored notebooks (and drops the random model id), and strict nbval compares it.

This is IPython's standard display protocol: ``_repr_mimebundle_`` returns every representation of
the object, and the front end picks the richest it can render.

How to apply it to a widget (the exam simulator, the pathway walkthrough, the case study, a quiz)::

    from spasm_lib.widgets.base import StaticView

    class ExamSimulator(StaticView, Described, W.VBox):   # StaticView first: its method wins
        ...
        def static_html(self) -> Html:
            return exam_view(...current state...)          # the same Html the widget's HTML child shows

``static_html`` must be deterministic (nbval compares it byte for byte) and must not change the
widget. A widget whose HTML child already holds the full view may return ``Html(self.view.value)``.
"""

from __future__ import annotations

from typing import Any

from spasm_lib.html import Html

STATIC_NOTE = (
    '<p class="spasm-static-note"><em>A snapshot of this interactive view from the last run. '
    "Run the cell (Shift+Enter) to use its controls.</em></p>"
)
"""Heads the stored HTML, so a reader without a kernel knows why the controls are missing. It names no
program: JupyterLab itself shows this snapshot before the cell is run, where "run it in JupyterLab"
would make no sense."""


class StaticView:
    """Mixin for an ipywidgets widget: its display also carries the static HTML of its state."""

    def static_html(self) -> Html:
        """The view of the widget's current state, as the static (papermill, handout) path renders it."""
        raise NotImplementedError(f"{type(self).__name__} must define static_html()")

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]  # the widget's own
        if isinstance(bundle, tuple):  # (data, metadata), as IPython also allows
            data, metadata = bundle
            return {**data, "text/html": STATIC_NOTE + self.static_html().markup}, metadata
        return {**bundle, "text/html": STATIC_NOTE + self.static_html().markup}
