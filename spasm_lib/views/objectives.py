"""A notebook's learning objectives, rendered from ``data/learning_objectives.csv``.

The objectives live in data, beside the quiz questions that test them (each question names the
objectives it tests in ``objective_ids``), so the list a student reads at the top of a notebook and
the quiz at the end cannot drift apart. The notebook's markdown holds the heading; this view is the
numbered list, each objective with where it comes from in words (never raw reference ids).
"""

from __future__ import annotations

from spasm_lib.evidence import provenance_label
from spasm_lib.facts import Facts
from spasm_lib.html import Html, esc, join
from spasm_lib.quiz import objectives


def objectives_view(facts: Facts, notebook: str) -> Html:
    """The numbered objectives of a notebook; a row beyond the source says so."""
    items = []
    for objective in objectives(facts, notebook):
        origin = provenance_label(facts, objective)
        if objective.beyond_source:
            origin = f"beyond the source: {origin}"
        items.append(
            f"<li>{esc(objective.text)} "
            f'<span class="spasm-provenance" style="color:#555">({esc(origin)})</span></li>'
        )
    if not items:
        raise ValueError(f"notebook '{notebook}' has no learning objectives in data/learning_objectives.csv")
    return join(['<ol class="spasm-objectives">', *items, "</ol>"], label="learning objectives")
