"""Keep the committed notebooks executed, clean and deterministic (``make notebooks``).

Why store notebooks executed: strict nbval compares only cells that carry an execution count, so a
notebook stored blank would prove merely that it runs. Why normalise: a re-run must give the same
bytes, so what changes in a diff is what changed in the lesson. Normalising (after nbdev's
"clean") keeps what matters and drops what is volatile:

* kept: cell ids, sources, tags (``parameters`` for papermill), a ``live-only`` cell's handout wording
  (``spasm`` metadata, :data:`spasm_lib.handout_pages.HANDOUT_WORDING`), outputs, the python3 kernelspec;
* dropped: execution timings, papermill and widget-state metadata, the interpreter version, and
  the widget-view part of widget outputs (a random model id on every run, and meaningless once the
  kernel is gone); nbval never compares widget views anyway.
* kept from widget outputs: the ``text/html`` static view of the widget's state that every live
  widget adds to its display (:class:`spasm_lib.widgets.base.StaticView`), so GitHub, nbviewer and a
  course site show the explorer, the simulator or the quiz as they were when the notebook ran, and
  strict nbval compares that HTML; JupyterLab shows the live widget once the cell runs.
* reflowed: every stored ``text/html`` output is put over lines, a line break before a block
  element's opening tag and after its closing tag where two tags meet (:func:`html_over_lines`), so a notebook's diff shows
  the paragraph, list item or table row that changed rather than one 16 KB line. Whitespace next to
  a block element is not rendered, so the page looks the same; ``tests/nbval_sanitize.cfg`` takes the
  same breaks out of both sides before strict nbval compares, so the stored HTML is still compared
  character for character.

Usage: ``python -m spasm_lib.notebook_tools execute notebooks/*.ipynb``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from spasm_lib.files import write_atomically
from spasm_lib.handout_pages import HANDOUT_WORDING

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
KEPT_CELL_METADATA = ("tags", HANDOUT_WORDING[0])
"""Cell metadata that is lesson, not run: tags, and the handout's wording of a ``live-only`` cell."""
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

BLOCK_TAGS = (
    "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl", "dt", "fieldset", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "legend", "li", "main", "nav",
    "ol", "p", "section", "style", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
)
"""Elements whose neighbouring whitespace a browser does not render (block boxes, table parts)."""
_BLOCK = "|".join(BLOCK_TAGS)
_CLOSING_BLOCK = re.compile(rf"</(?:{_BLOCK})\s*>")
_OPENING_BLOCK = re.compile(rf"<(?:{_BLOCK})[\s/>]")
_TAG_BEFORE_TAG = re.compile(r"<[^<>]*>(?=<)")


def html_over_lines(markup: str) -> str:
    r"""``markup`` with a line break before each block element's opening tag and after its closing tag.

    A break only where one tag directly follows another (``><`` becomes ``>\n<``), so
    ``tests/nbval_sanitize.cfg``'s ``[html-lines]`` rule (``>\n<`` to ``><``) gives the same text for
    the stored and the fresh output; text and inline elements (``span``, ``strong``, ``img``) are never
    split. Idempotent: a second pass finds no ``><`` left to break.
    """
    def line_break(tag: re.Match[str]) -> str:
        if _CLOSING_BLOCK.fullmatch(tag.group(0)) or _OPENING_BLOCK.match(markup, tag.end()):
            return tag.group(0) + "\n"
        return tag.group(0)

    return _TAG_BEFORE_TAG.sub(line_break, markup)


def normalise(nb: Any) -> Any:
    """Strip volatile metadata in place and return the notebook."""
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    count = 0
    for cell in nb.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEPT_CELL_METADATA}
        if cell.cell_type != "code":
            continue
        if cell.execution_count is not None:
            count += 1
            cell.execution_count = count
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            data.pop(WIDGET_VIEW, None)
            if isinstance(data.get("text/html"), str):
                data["text/html"] = html_over_lines(data["text/html"])
            output.pop("transient", None)
            if "execution_count" in output:
                output["execution_count"] = cell.execution_count
            if "metadata" in output:
                output["metadata"] = {}
    return nb


def execute(path: Path, timeout: int = 300) -> None:
    """Run a notebook top to bottom in a fresh python3 kernel (in its own folder) and store it."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = NotebookClient(
        nb, kernel_name="python3", timeout=timeout, resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    write_atomically(path, nbformat.writes(normalise(nb)) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spasm_lib.notebook_tools")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("execute", help="execute notebooks in place and normalise them")
    run.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.notebooks:
        if not path.is_file() or path.suffix != ".ipynb":
            print(f"notebook_tools: {path} is not a notebook file (.ipynb)", file=sys.stderr)
            return 2
    for path in args.notebooks:
        print(f"executing {path}", file=sys.stderr)
        execute(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
