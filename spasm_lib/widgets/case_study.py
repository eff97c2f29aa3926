"""Notebook 04's one call: the case study for the run's parameters.

The case study is a document, not a control panel, so it has no live widget: the same static view
serves JupyterLab, papermill runs and handouts; ``audience`` decides whether the answers show.
"""

from __future__ import annotations

from types import SimpleNamespace

from spasm_lib.case_study import case_study
from spasm_lib.html import Html
from spasm_lib.params import facts_for
from spasm_lib.views.case_study import case_study_view


def case_study_for(params: SimpleNamespace) -> Html:
    """The case chosen by ``params.case`` (or a seeded virtual patient), for ``params.audience``."""
    facts = facts_for(params)
    return case_study_view(case_study(facts, params.case, params.seed), params.audience)
