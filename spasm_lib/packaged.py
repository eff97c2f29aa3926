"""What a handout is made from that the package ships: its notebooks (found, read, titled) and the
handout template (its folder and stylesheet).

The lowest layer of the handout modules: the pages (:mod:`spasm_lib.handout_pages`), the export
(:mod:`spasm_lib.handout_export`) and the commands read notebooks and titles here, and this module
imports none of them.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

TEMPLATE_NAME = "spasm_handout"
_TITLE_LINE = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def notebooks_dir() -> Path:
    """The packaged notebooks folder (``notebooks/`` in a clone, ``spasm_lib/notebooks`` in a wheel)."""
    return Path(str(resources.files("spasm_lib.notebooks")))


def read_notebook(path: str | Path) -> Any:
    import nbformat

    return nbformat.read(str(path), as_version=4)


def _title_line(nb: Any) -> tuple[int, Any] | None:
    """The index of the first markdown cell with a ``#`` heading line, and the match; None if none."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            match = _TITLE_LINE.search(cell.source)
            if match:
                return index, match
    return None


def notebook_title(nb: Any, fallback: str) -> str:
    """The text of the notebook's first ``#`` heading (markdown links and emphasis removed)."""
    found = _title_line(nb)
    if found is None:
        return fallback
    text = _MD_LINK.sub(r"\1", found[1].group(1))
    return " ".join(re.sub(r"[*`]|(?<!\w)_|_(?!\w)", "", text).split()) or fallback


def without_title(nb: Any) -> Any:
    """Drop the first ``#`` heading line (in place): the handout header shows the title as the page's h1."""
    found = _title_line(nb)
    if found is not None:
        index, match = found
        cell = nb.cells[index]
        rest = (cell.source[: match.start()] + cell.source[match.end():]).strip()
        if rest:
            cell.source = rest
        else:
            del nb.cells[index]
    return nb


def template_dir() -> Path:
    return Path(str(resources.files("spasm_lib") / "templates"))


@cache
def stylesheet() -> str:
    """The handouts' stylesheet, also used by the set's own pages (indexes, answer key)."""
    return (template_dir() / TEMPLATE_NAME / "handout.css").read_text(encoding="utf-8")
