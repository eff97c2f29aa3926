"""Teaching text lives in data/, and no string a student can see copies the source.

Two guards (issue 24, item 1):

- **The copy check reaches every string a student can see**, wherever it lives: the data's text cells
  (lists too; ``test_facts_content.py``), and here the notebooks (markdown, code, the handout wording
  kept in a cell's metadata, the stored outputs), the handout templates, the page script, and every
  string literal of the library (views, widgets, the case study, the handout pages, the disclaimer).
  Eight words of the source in a row fail, as everywhere (``copy_check.py``).
- **No view writes a teaching sentence.** A string literal of more than ``MAX_WORDS`` words of prose
  in ``spasm_lib/views``, ``spasm_lib/widgets`` or ``spasm_lib/case_study.py`` fails unless it is on
  the short list of interface wording below (labels, frames of a verdict, notices about the software,
  captions that say what a figure or table shows). A clinical or source fact, an explanation, a
  model answer or a reason belongs in ``data/`` (``teaching_text.csv`` or the table it belongs to),
  passed to the view in its result; see "Teaching text" in ``docs/architecture.md``.
"""

from __future__ import annotations

import ast
import csv
import html
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from copy_check import copied_runs
from conftest import ROOT

LIB = ROOT / "spasm_lib"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MAX_WORDS = 10
"""A literal with more words of prose than this is a sentence: teaching text unless listed below."""
GUARDED = sorted((LIB / "views").glob("*.py")) + sorted((LIB / "widgets").glob("*.py")) + [LIB / "case_study.py"]
"""The modules that show a student words: the guard reads their string literals."""


# --------------------------------------------------------------------------- where students read words


def string_literals(path: Path, *, docstrings: bool = True, errors: bool = True) -> tuple[tuple[int, str], ...]:
    """Every string literal of a module as ``(line, text)``; an f-string with ``{}`` for each value.

    ``docstrings=False`` leaves out docstrings (module, class, function and attribute docstrings: any
    string standing as a statement); ``errors=False`` leaves out the messages of ``raise`` (words for
    developers, which :mod:`spasm_lib.coherence` and the loader keep by design). Read once per module.
    """
    return _literals(path, path.read_text(encoding="utf-8"), docstrings, errors)


@cache
def _literals(path: Path, source: str, docstrings: bool, errors: bool) -> tuple[tuple[int, str], ...]:
    found = []
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(value) for value in node.values)
        if not docstrings and isinstance(node, ast.Expr) and isinstance(node.value, (ast.Constant, ast.JoinedStr)):
            skip.add(id(node.value))
        if not errors and isinstance(node, ast.Raise):
            skip.update(id(inner) for inner in ast.walk(node))
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):
            found.append((node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)))
    return tuple(found)


def visible_text(markup: str) -> str:
    """What a reader sees of some HTML: tags dropped, entities read, the alt text of images kept."""
    alts = " ".join(re.findall(r'\balt="([^"]*)"', markup))
    return html.unescape(re.sub(r"<[^>]*>", " ", markup) + " " + alts)


def notebook_texts(path: Path) -> Iterator[tuple[str, str]]:
    """A notebook's words: each cell's source, its handout wording and its stored outputs."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for k, cell in enumerate(nb["cells"]):
        where = f"{path.name} cell {k}"
        yield where, "".join(cell["source"])
        handout = cell.get("metadata", {}).get("spasm", {}).get("handout")
        if handout:
            yield f"{where} (handout wording)", handout
        for output in cell.get("outputs", []):
            data = dict(output.get("data", {}))
            if "text" in output:
                data["text/plain"] = output["text"]
            for mime, value in data.items():
                text = "".join(value) if isinstance(value, list) else value
                if mime == "text/html":
                    yield f"{where} (stored {mime})", visible_text(text)
                elif mime in ("text/plain", "text/markdown"):
                    yield f"{where} (stored {mime})", text


def student_texts(root: Path = ROOT) -> Iterator[tuple[str, str]]:
    """Every string a student can see outside data/ (the data's cells: ``test_facts_content.py``)."""
    lib = root / "spasm_lib"
    for path in sorted(lib.rglob("*.py")):
        for line, text in string_literals(path):
            yield f"{path.relative_to(root)}:{line}", text
    for path in sorted((lib / "templates").rglob("*")) + sorted(lib.glob("*.js")):
        if path.is_file():
            yield str(path.relative_to(root)), visible_text(path.read_text(encoding="utf-8"))
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        yield from notebook_texts(path)


def copies(texts) -> list[str]:
    return [f"{where}: \u201c{copied[0]}\u201d" for where, text in texts if (copied := copied_runs(text))]


def test_no_string_a_student_can_see_copies_the_source():
    found = copies(student_texts())
    assert not found, "these copy 8 or more words of the source in a row (restate it instead):\n" + "\n".join(found)


# Paragraph 1 says "...the patient often feels sudden pain when twisting, pulling, or pushing": planted by hand.
PLANTED = "Teach that the patient often feels sudden pain when twisting, pulling or pushing."


def test_the_copy_check_finds_a_copy_in_a_python_string_a_template_and_a_notebook(tmp_path):
    (tmp_path / "spasm_lib" / "views").mkdir(parents=True)
    (tmp_path / "spasm_lib" / "templates").mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "spasm_lib" / "views" / "planted.py").write_text(
        f'"""A view."""\n\ndef view(name):\n    return f"<p>{{name}}: {PLANTED}</p>"\n', encoding="utf-8")
    (tmp_path / "spasm_lib" / "templates" / "page.html.j2").write_text(f"<p>{PLANTED}</p>", encoding="utf-8")
    cell = {"cell_type": "markdown", "metadata": {"spasm": {"handout": PLANTED}}, "source": ["## Overview"]}
    code = {"cell_type": "code", "metadata": {}, "source": ["view()"], "execution_count": 1, "outputs": [
        {"output_type": "display_data", "metadata": {}, "data": {"text/html": [f"<p>{html.escape(PLANTED)}</p>"]}}]}
    (tmp_path / "notebooks" / "99_planted.ipynb").write_text(json.dumps({"cells": [cell, code]}), encoding="utf-8")
    found = copies(student_texts(tmp_path))
    run = "\u201cthe patient often feels sudden pain when twisting\u201d"
    assert found == [f"spasm_lib/views/planted.py:4: {run}", f"spasm_lib/templates/page.html.j2: {run}",
                     f"99_planted.ipynb cell 0 (handout wording): {run}",
                     f"99_planted.ipynb cell 1 (stored text/html): {run}"]


def test_the_copy_check_reads_a_list_cell_of_the_data(data_copy):
    from spasm_lib.facts import load_facts
    from test_facts_content import cells_that_copy

    data_copy.set_cell("risk_factors", 0, "examples", f"sore after sport; {PLANTED}")
    assert cells_that_copy(load_facts(data_copy.folder)) == ["risk_factors:tender-muscles:examples"]


# --------------------------------------------------------------------------- no teaching sentence in a view


def _css(text: str) -> bool:
    return len(re.findall(r"[a-z-]+\s*:\s*[^;:{}]+;", text)) >= 2 or text.lstrip().startswith("<style")


def prose(text: str) -> str:
    """The words a reader sees in a literal: tags, attributes and ``{}`` placeholders dropped."""
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"\{\}", " ", text)
    return " ".join(text.split())


def prose_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][A-Za-z'\u2019-]*", prose(text))


def sentences_in(path: Path) -> list[tuple[int, str]]:
    """The literals of a module that read as a sentence: more than ``MAX_WORDS`` words of prose,
    not a docstring, not an error message for a developer, not a stylesheet."""
    return [(line, prose(text)) for line, text in string_literals(path, docstrings=False, errors=False)
            if not _css(text) and len(prose_words(text)) > MAX_WORDS]


INTERFACE_WORDING = {
    # The case-study worksheet: instructions, and how answers are kept.
    "Write your answer first (or choose one): the model answer appears once you have.",
    "Your answers are not being kept: {reason}. They stay on this page while it is open; copy them somewhere "
    "safe before you close the notebook.",
    "Your answers are kept on this computer as you type, and come back when you reopen the notebook.",
    "Show the model answer and the reasoning after you have answered",
    # The class report and feedback pages: what each figure and table counts.
    "Encounters that ended without this warning-sign question, most often skipped first.",
    "Each cell counts the encounters with that true level (row) and level chosen (column).",
    "Each cell counts the committed encounters with that expected (row) and chosen (column) interpretation.",
    "For each confidence level given before committing: encounters right (dots) and wrong (lines).",
    "No error was common enough in this class to open the next class with.",
    # Figures: what they show (the data's "no numbers" sentences are passed in).
    "How back-spasm pain typically unfolds over hours, as the source describes it . : the curve shows only the "
    "shape the text describes, not measured pain.",
    "Schematic line of relative pain over to hours after the spasm starts, with no pain values on the vertical axis.",
    "Horizontal bar chart of the selected risk factor per . . The bars count your selection only; .",
    "Your selected risk factors per (\"n of m\": n selected of the m the source names; the dashed outline is m, "
    "the hatched bar n). Counts of your selection only: .",
    "Treatments in this course: the source's first, each with the verdict of current guidance, then those "
    "current guidance adds.",
    "The four triage levels, most urgent first. Level When What to do Why",
    # The debrief and the walk: frames of what the student did.
    "Reasoning errors None of the reasoning errors this debrief looks for happened on this path.",
    "Working hypothesis: none given. After the history, say what you think is going on, then choose the "
    "examination that tests it.",
    "The same patient examined twice: first by a deliberately careless student, then by an expert. Each "
    "difference is explained; each reasoning error is named.",
    "Each step: what you predicted and what came Step You predicted The path Why",
    "Worked example: a careful and a careless examination of this patient",
    "✗ Not this time. You predicted ; the next step for this patient is .",
    "At the review: is the treatment working? Answer above to see where the path goes.",
    "Show the next step of this patient's path and check your prediction",
    # The exam simulator: frames of a verdict, notices, prompts.
    "✓ Correct, and well reasoned. You chose after every step this patient needed.",
    "Right interpretation, incomplete examination. You chose , but after of the steps this patient needed: on "
    "those findings alone it was a guess. See below what the other steps would have shown.",
    "Before committing, say how sure you are (the four choices above Commit).",
    "After the history: what is your working hypothesis? Choose one before the physical examination, then test "
    "it; you may revise it at any time.",
    "You have not given a working hypothesis yet: say what you think after the history, then test it.",
    "Done: . Its finding is added at the end of the list below.",
    # The risk-factor explorer: frames, and how to use the controls.
    "Check this: you selected “ ” together with known cause ( ). : untick it, or untick the known causes .",
    "Region filter: “Upper back” and “Lower back” each include the factors the source ties to both the upper and "
    "the lower back.",
    "No risk factors selected yet. Tick a risk factor or choose a sport to see what the source says about it.",
    ". Its box is ticked because of the sport; untick it, or choose “No sport”, to remove it",
    # Notices about the software: progress, snapshots, the quiz's instructor version.
    "No work recorded yet. Your work in the other notebooks appears here as you do it.",
    "What you did, per notebook Notebook Actions recorded Encounters Check yourself",
    "A snapshot of this interactive view from the last run. Run the cell (Shift+Enter) to use its controls.",
    "Your student number, your progress and the download of your work appear here when this notebook runs in "
    "JupyterLab or JupyterLite.",
    "Saved: your work is recorded as student in every notebook you open from now on.",
    "Instructor version: every answer is open, and the correct one is marked.",
    "Read your work in the notebooks and show what you have done",
}
"""Interface wording longer than ``MAX_WORDS`` words, as :func:`prose` reads it (tags and ``{}``
values dropped). Add a literal here only if it states no clinical or source fact, explains nothing
and gives no reason or model answer: a label, a frame, a notice about the software."""


def test_no_view_writes_a_teaching_sentence():
    found = [f"{path.relative_to(ROOT)}:{line}: {text}" for path in GUARDED for line, text in sentences_in(path)
             if text not in INTERFACE_WORDING]
    assert not found, (
        "a sentence written in Python where a student sees it. Teaching text (a clinical or source fact, an "
        "explanation, a model answer, a reason) goes in data/ (data/teaching_text.csv, or the table it belongs "
        "to), passed to the view in its result; interface wording (a label, a frame, a notice about the "
        "software) goes on INTERFACE_WORDING in tests/test_teaching_text.py:\n" + "\n".join(found))


def test_the_interface_list_holds_only_wording_still_in_the_code():
    """A stale entry would let a teaching sentence of the same words back in unnoticed."""
    present = {text for path in GUARDED for _, text in sentences_in(path)}
    assert INTERFACE_WORDING <= present, sorted(INTERFACE_WORDING - present)


def test_the_guard_fails_a_teaching_sentence_written_in_a_view(tmp_path):
    view = tmp_path / "planted_view.py"
    view.write_text(
        '"""A view whose docstring may say anything at all, however long it is, in many words."""\n\n'
        "WIDTH = 'border:1px solid #000;padding:0 0.3em;margin:0 0 1em 0;font-size:0.85em;'\n\n"
        "def view(level):\n"
        "    if not level:\n"
        "        raise ValueError('a view of a triage needs a level; expected one of the four levels in the data')\n"
        "    return (f'<p><strong>Triage: {level}.</strong> Heat on a hot, red, swollen back makes an infection '\n"
        "            'worse, so check for one first.</p>')\n",
        encoding="utf-8")
    assert sentences_in(view) == [
        (8, "Triage: . Heat on a hot, red, swollen back makes an infection worse, so check for one first.")]


def _teaching_rows() -> dict[str, str]:
    with (ROOT / "data" / "teaching_text.csv").open(encoding="utf-8", newline="") as fh:
        return {row["id"]: row["text"] for row in csv.DictReader(fh)}


@pytest.mark.parametrize("row", sorted(_teaching_rows()))
def test_each_teaching_sentence_has_one_owner_in_data_and_no_copy_in_python(row):
    """What "Not stated" and "no numbers" mean, a model answer's fixed sentence, a reason the feedback
    gives: each is a row of teaching_text.csv, and the library holds no copy of it (as a sentence, or
    as the clause a view sets inside one of its own)."""
    text = _teaching_rows()[row].rstrip(".:")
    clause = text[:1].lower() + text[1:]
    holders = [f"{path.relative_to(ROOT)}:{line}" for path in sorted(LIB.rglob("*.py"))
               for line, literal in string_literals(path, docstrings=False)
               if text in literal or clause in literal]
    assert not holders, f"a copy of teaching_text.csv row {row} in Python: {holders}"
