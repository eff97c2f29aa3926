"""An executed notebook as a handout page: what a reader must not see removed, nbconvert's exporter
with the package's template, links made readable on paper, and the page checked.

nbconvert's lab template loads require.js, MathJax and the widget renderer from CDNs and inlines
~300 KB of CSS. ``spasm_lib/templates/spasm_handout`` has no script and a small print-friendly
stylesheet; external links become text with the address printed beside them, and an external image
or script is an error, so a handout never needs the network. The page carries no timestamp, no cell
id, no random id, no papermill or widget metadata (nbconvert's ``ClearMetadataPreprocessor``): the
same executed notebook gives byte-identical HTML. Markup that would run code
(:func:`spasm_lib.page_safety.remove_active_content`) and raw control or bidirectional-override
characters are removed.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spasm_lib import handout_pages
from spasm_lib.handout_limits import DEFAULT_LIMITS, Limits, RenderError
from spasm_lib.handout_pages import handout_footer, handout_header
from spasm_lib.html import UNSAFE_CHARACTERS, esc
from spasm_lib.notebook_run import INJECTED_TAG
from spasm_lib.packaged import TEMPLATE_NAME, stylesheet, template_dir, without_title
from spasm_lib.page_markup import add_contents, drop_live_only, drop_repeated_styles, label_cells, parse, serialise
from spasm_lib.page_safety import network_reference, refers_elsewhere, remove_active_content
from spasm_lib.paper import DEFAULT_PAPER_ANSWERS

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

INSTRUCTOR_ONLY = "instructor-only"
"""Cells with this tag are dropped from the student version and marked in the instructor version."""
REMOVED_TAGS = frozenset({"remove-cell", "remove_cell"})
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def handout_title(title: str, parameters: Mapping[str, Any], facts: Any = None) -> str:
    """The handout's title: the notebook's title (:func:`spasm_lib.packaged.notebook_title`), and the patient's title
    when the handout is about one patient (a ``case`` parameter), so that every case handout says
    whose case it is. ``render`` and ``handouts`` both title pages with it, so the same parameters
    give the same page.
    """
    case_id = parameters.get("case")
    if not case_id:
        return title
    from spasm_lib.facts import load_facts
    from spasm_lib.virtual_patients import case_for

    facts = facts if facts is not None else load_facts(cases_file=parameters.get("cases_file") or None)
    case = case_for(facts, str(case_id), int(parameters.get("seed") or 0))
    return handout_pages.page_title(title, handout_pages.patient_label(parameters, case.title))


@cache
def exporter() -> Any:
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(template_dir())],
        extra_template_paths=[str(template_dir())],  # pages/base.html.j2, the one page skeleton
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        anchor_link_text="",
    )


def _prepare(nb: Any, audience: str) -> Any:
    """Remove what a reader must not see, and drop volatile metadata. Returns a copy."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor, TagRemovePreprocessor

    nb = handout_pages.for_handout(copy.deepcopy(nb))  # live-only cells out or replaced by their handout wording
    remove = set(REMOVED_TAGS) | ({INSTRUCTOR_ONLY} if audience != "instructor" else set())
    nb, _ = TagRemovePreprocessor(
        remove_cell_tags=remove,
        remove_all_outputs_tags={"remove-output", "remove_output"},
        remove_input_tags={"remove-input", "remove_input"},
    ).preprocess(nb, {})
    nb.cells = [c for c in nb.cells if INJECTED_TAG not in c.get("metadata", {}).get("tags", [])]
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code":
            cell.outputs = [output for output in cell.get("outputs", []) if output.output_type != "stream"]
            cell.execution_count = None
            if any(WIDGET_VIEW in output.get("data", {}) and not set(output["data"]) & {"text/html", "image/png"}
                   for output in cell.outputs):
                raise RenderError(f"cell {number} shows a live widget, which is blank without a kernel; "
                                  "with interactive = False the cell must display a static view")
    nb, _ = ClearMetadataPreprocessor(
        clear_cell_metadata=True,
        clear_notebook_metadata=True,
        preserve_cell_metadata_mask={"tags"},
        preserve_nb_metadata_mask=set(),
    ).preprocess(nb, {})
    return nb


def _links_for_paper(page: BeautifulSoup) -> None:
    """``<a href="https://x">Guide</a>`` becomes ``Guide (https://x)``: readable offline and on paper.
    The links nbconvert puts in headings (``anchor-link``, shown as ¶) go: a handout has its contents list."""
    for link in page.find_all("a", href=True):
        if "anchor-link" in link.get("class", []):
            link.decompose()
        elif refers_elsewhere(link["href"]):
            link.insert_after(" ", page.new_tag("span", attrs={"class": "url"}, string=f"({link['href'].strip()})"))
            link.unwrap()


def handout_html(
    executed: Any,
    *,
    audience: str,
    parameters: Mapping[str, Any],
    title: str,
    folder: str | Path | None = None,
    notebook: str | Path | None = None,
    limits: Limits = DEFAULT_LIMITS,
    paper_answers: str = DEFAULT_PAPER_ANSWERS,
) -> str:
    """The handout page of an executed notebook (pure: notebook in, HTML text out).

    ``notebook`` (the source's path) places the page in the set's reading order: its "next
    handout" link, and for a student its self-check answers in print unless ``paper_answers`` is
    "separate" (:func:`spasm_lib.handout_pages.end_of_main`).

    The exported page is parsed once and finished as a tree: markup that would run code out
    (:func:`remove_active_content`), links made readable on paper, then the views' live-only markup
    out, table cells labelled and the contents list (:mod:`spasm_lib.page_markup`). Raw control
    characters are removed first. Raises :class:`RenderError` if the page would still reference
    anything outside itself, or would be larger than ``limits.page_bytes``.
    """
    nb = without_title(_prepare(executed, audience))
    resources = {
        "metadata": {"path": str(folder) if folder else "", "name": "handout"},
        "spasm": {
            "title": esc(title),
            "css": stylesheet(),
            "audience": esc(audience),
            "header": handout_header(title, audience, parameters).markup,
            "footer": handout_footer().markup,
            "end_of_main": handout_pages.end_of_main(notebook, audience, paper_answers) if notebook else "",
        },
    }
    body, _ = exporter().from_notebook_node(nb, resources=resources)
    tree = parse(UNSAFE_CHARACTERS.sub("", body))
    for step in (remove_active_content, _links_for_paper, drop_live_only, drop_repeated_styles, label_cells,
                 add_contents):
        step(tree)
    page = serialise(tree).rstrip() + "\n"
    size = len(page.encode("utf-8"))
    if size > limits.page_bytes:
        raise RenderError(f"the handout would be {size / 1e6:.0f} MB, more than the "
                          f"{limits.page_bytes / 1e6:.0f} MB a handout may be; show less in the notebook's outputs")
    if found := network_reference(tree):
        raise RenderError(f"the handout would load something from the network ({found}); "
                          "embed images as data (spasm_lib.views.svg.svg_figure) instead")
    return page
