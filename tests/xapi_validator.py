"""The independent validator of xAPI statements the trace tests use: ralph's pydantic models.

ralph (PyPI ``ralph-malph``, France Université Numérique's learning record store) models xAPI 1.0.3
statements with pydantic; its ``BaseXapiStatement`` checks actors, verbs, activity definitions
(including the cmi.interaction ones), results and contexts as the specification writes them. Nothing
here restates the specification: a statement is valid if ralph accepts it.
"""

from __future__ import annotations

from typing import Any

from ralph.models.xapi.base.statements import BaseXapiStatement


def xapi_problems(statement: dict[str, Any]) -> str | None:
    """None if ralph accepts the statement, else its error text."""
    try:
        BaseXapiStatement.model_validate(statement)
    except Exception as exc:  # pydantic's ValidationError, or a type error on a malformed value
        return str(exc)
    return None
