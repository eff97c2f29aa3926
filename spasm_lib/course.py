"""What the notebooks' cells call, by one name each: ``from spasm_lib.course import *``.

Each notebook has one imports cell (this import, its parameters checked, the facts loaded once), then
cells of one call each, in one of two shapes:

* a static view of a logic result: ``condition_view(condition(facts))``;
* a widget of the notebook's parameters: ``exam_simulator(params)`` (live controls, or the static
  view of the parameters' state in a papermill run).

The names are listed in ``__all__``, so a reader can find any name of a notebook here.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from spasm_lib.condition import condition, pain_course
from spasm_lib.evidence import checked_evidence
from spasm_lib.glossary import glossary
from spasm_lib.params import facts_for, use_parameters
from spasm_lib.quiz import learning_objectives
from spasm_lib.treatment_pathway import treatment_table, triage_levels
from spasm_lib.views.condition import condition_view, pain_course_figure
from spasm_lib.views.disclaimer import disclaimer_view
from spasm_lib.views.evidence import evidence_cards
from spasm_lib.views.glossary import glossary_view
from spasm_lib.views.objectives import objectives_view
from spasm_lib.views.pathway import treatment_table_view, triage_levels_view
from spasm_lib.widgets.case_study import case_study_for
from spasm_lib.widgets.exam import exam_simulator
from spasm_lib.widgets.pathway import treatment_pathway_walkthrough
from spasm_lib.widgets.progress import my_work
from spasm_lib.widgets.quiz import check_yourself
from spasm_lib.widgets.risk_factors import risk_factor_explorer, risk_factor_table_explorer

__all__ = [
    # the imports cell
    "use_parameters", "facts_for", "disclaimer_view",
    # logic: facts (and a choice) in, a result out
    "learning_objectives", "condition", "pain_course", "checked_evidence", "glossary", "triage_levels",
    "treatment_table",
    # views: a result in, HTML or a figure out
    "objectives_view", "condition_view", "pain_course_figure", "evidence_cards", "glossary_view",
    "triage_levels_view", "treatment_table_view",
    # widgets: the notebook's parameters in
    "my_work", "risk_factor_explorer", "risk_factor_table_explorer", "exam_simulator",
    "treatment_pathway_walkthrough", "case_study_for", "check_yourself", "class_debrief_for",
]


def class_debrief_for(params: SimpleNamespace) -> Any:
    """Notebook 05's class debrief of ``params.traces`` (:func:`spasm_lib.collect.class_debrief`)."""
    from spasm_lib import collect  # imported here: only the lecturer's notebook reads traces

    return collect.class_debrief(params.traces, params.class_seed, params.students)
