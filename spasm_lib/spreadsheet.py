"""Cells a spreadsheet shows as text: the one guard against formula injection in every CSV written.

Why: a gradebook or a class export is opened in Excel, LibreOffice or Google Sheets, which run a
cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or a carriage return) as a
formula; text from a student's trace or a case file could then compute, link or exfiltrate (OWASP,
"CSV Injection"). Such a cell is written with a leading ``'``, which spreadsheets show as text.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: a leading formula character gets a ``'`` before it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
