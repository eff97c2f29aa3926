"""A notebook's learning objectives, rendered from ``data/learning_objectives.csv``.

The objectives live in data, beside the quiz questions that test them (each question names the
objectives it tests in ``objective_ids``), so the list a student reads at the top of a notebook and
the quiz at the end cannot drift apart. The notebook's markdown holds the heading; this view is the
numbered list (:func:`spasm_lib.quiz.learning_objectives`), each objective with where it comes from
in words (never raw reference ids).
"""

from __future__ import annotations

from collections.abc import Iterable

from spasm_lib.evidence import Sourced
from spasm_lib.html import Html, esc, join
from spasm_lib.views.style import styled


def objectives_view(objectives: Iterable[Sourced]) -> Html:
    """The objectives as a numbered list, each followed by where it comes from (muted), with the stylesheet."""
    items = [
        f"<li>{esc(o.text)} "
        f'<span class="spasm-provenance">({esc(o.where_from)})</span></li>'
        for o in objectives
    ]
    return styled(join(['<ol class="spasm-objectives">', *items, "</ol>"], label="learning objectives"))
