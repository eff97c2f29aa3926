"""The committed notebooks: stored executed, collected by nbval, in the house order, and complete.

Strict nbval (run by `make test` over notebooks/) compares the stored outputs; these tests make sure
that comparison means something: every notebook is collected, no code cell is stored blank, a
tampered output makes nbval fail, and every claim of the source reaches a stored output.
"""

from __future__ import annotations

import csv
import html
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from spasm_lib import vocabulary as V
from spasm_lib.facts import load_facts
from spasm_lib.params import defaults, notebook_key

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPECTED = [f"{n}.ipynb" for n in (*V.NOTEBOOKS, *V.INSTRUCTOR_NOTEBOOKS)]
SECTIONS_BEFORE = ["Overview", "Learning objectives"]
SECTIONS_AFTER = ["Key points", "Check yourself", "What next"]


def read(path: Path):
    return nbformat.read(path, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def headings(nb, reader: str = "live") -> list[tuple[int, str]]:
    """The headings a reader sees: in the live notebook (every markdown cell's source) or in a
    student's handout (``live-only`` cells left out or replaced by their handout wording,
    ``metadata.spasm.handout``; ``instructor-only`` cells left out)."""
    found = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "markdown":
            continue
        source = cell.source
        if reader != "live":
            if "instructor-only" in tags:
                continue
            if "live-only" in tags:
                source = cell.metadata.get("spasm", {}).get("handout")
                if source is None:
                    continue
        found += [(len(m.group(1)), m.group(2).strip()) for m in re.finditer(r"^(#{1,6})\s+(.+)$", source, re.M)]
    return found


def stored_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        parts.append(cell.source)
        for output in cell.get("outputs", []):
            parts += [str(v) for v in output.get("data", {}).values()]
            parts.append(output.get("text", ""))
    return "\n".join(parts)


def test_the_folder_holds_the_classroom_notebooks_and_no_other():
    assert [p.name for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_code_cell_is_stored_executed(path):
    nb = read(path)
    blank = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.execution_count is None]
    assert not blank, f"cells stored without an execution count (nbval would not compare them): {blank}"
    counts = [c.execution_count for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), "run top to bottom in one fresh kernel"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_error_is_stored(path):
    for cell in code_cells(read(path)):
        for output in cell.outputs:
            assert output.output_type != "error", cell.source
            assert output.get("name") != "stderr", output.get("text")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_python3_kernelspec(path):
    assert read(path).metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_section_order(path):
    found = headings(read(path))
    assert found[0][0] == 1, "the notebook starts with its title as a level-1 heading"
    assert sum(level == 1 for level, _ in found) == 1
    sections = [text for level, text in found if level == 2]
    assert sections[:2] == SECTIONS_BEFORE and sections[-3:] == SECTIONS_AFTER, sections
    assert len(sections) > 5, "at least one content section between objectives and key points"
    levels = [level for level, _ in found]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), f"a heading level is skipped: {found}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_section_order_in_the_handout(path):
    """A student's handout has the house sections in order, each once; its title is the header's h1."""
    found = headings(read(path), "handout")
    assert all(level > 1 for level, _ in found), "the title cell is live-only: the header shows the title"
    sections = [text for level, text in found if level == 2]
    assert sections[:2] == SECTIONS_BEFORE and sections[-3:] == SECTIONS_AFTER, sections
    assert len(sections) == len(set(sections)), f"a section twice: {sections}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_cells_are_thin(path):
    for cell in code_cells(read(path)):
        lines = [l for l in cell.source.splitlines() if l.strip() and not l.strip().startswith("#")]
        if "parameters" in cell.metadata.get("tags", []):
            continue
        assert len(lines) <= 3, f"a code cell of {len(lines)} lines: logic belongs in spasm_lib\n{cell.source}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_matches_the_spec_and_is_validated_next(path):
    import papermill

    cells = code_cells(read(path))
    assert "parameters" in cells[0].metadata.get("tags", [])
    inferred = {p["name"]: p["default"] for p in papermill.inspect_notebook(str(path)).values()}
    assert {k: eval(v) for k, v in inferred.items()} == defaults(path.stem)
    assert f'use_parameters("{notebook_key(path)}", globals())' in cells[1].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_imports_cell_names_the_notebook_once_and_loads_the_facts_once(path):
    """Issue 24: imports in one cell (the one after the parameters), the notebook's name typed there
    only (the objectives and the self-check read ``params.notebook``), the facts loaded there only."""
    cells = code_cells(read(path))
    sources = [c.source for c in cells]
    imports = [s for s in sources if re.search(r"^\s*(from|import) ", s, re.M)]
    assert imports == [sources[1]], imports
    assert sum(s.count(notebook_key(path)) for s in sources) == 1
    assert sum(s.count("facts_for(") + s.count("load_facts(") for s in sources) == 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_cell_is_one_call_of_one_of_two_shapes(path):
    """After the imports cell, a cell is a view of a logic result, ``view(logic(facts, ...))``, or a
    widget of the notebook's parameters, ``widget(params)``."""
    view_of_result = re.compile(r"\w+_view\(\w+\(facts(, .*)?\)\)|\w+_(figure|cards)\(\w+\(facts(, .*)?\)\)", re.S)
    widget = re.compile(r"\w+\(params\)")
    for cell in code_cells(read(path))[2:]:
        source = cell.source.strip()
        assert view_of_result.fullmatch(source) or widget.fullmatch(source) or source == "disclaimer_view()", source


def test_notebook_02_performs_every_exam_step_of_the_data_in_clinical_order_by_default():
    """"default: all": when data/exam_steps.csv gains, loses or reorders a step, the default list (and
    with it the parameters cell of 02, checked above) must follow, or the static view skips a step."""
    with (ROOT / "data" / "exam_steps.csv").open(encoding="utf-8", newline="") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda row: int(row["order"]))
    assert defaults("02_exam_simulator")["steps"] == [row["id"] for row in rows]


@pytest.mark.kernel
def test_nbval_collects_every_notebook():
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "--nbval",
         "--nbval-current-env", *map(str, NOTEBOOKS)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    for path in NOTEBOOKS:
        collected = out.stdout.count(f"{path.name}::Cell")
        assert collected == len(code_cells(read(path))), f"{path.name}: {collected} cells collected"


@pytest.mark.kernel
def test_strict_nbval_fails_on_a_tampered_output(tmp_path):
    """The check can fail: change one stored text/html output and nbval must report a mismatch there
    and nowhere else."""
    source = ROOT / "notebooks" / "00_start_here.ipynb"
    nb = read(source)
    tampered = next(
        o for c in code_cells(nb) for o in c.outputs if "text/html" in o.get("data", {})
    )
    tampered["data"]["text/html"] = tampered["data"]["text/html"].replace("spasm", "sprain", 1)
    target = tmp_path / source.name
    nbformat.write(nb, target)
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"), "--rootdir", str(tmp_path),
         str(target)],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert out.returncode == 1, out.stdout[-2000:]
    report = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout)
    assert "mismatch 'text/html'" in report
    # Only the tampered cell fails: every other stored HTML output, put over lines by `make notebooks`,
    # still equals its fresh one-line output once nbval_sanitize.cfg has taken the breaks out.
    assert re.search(r"^1 failed, \d+ passed", report.strip().splitlines()[-1]), report[-2000:]


# Which text of a row a student reads; used to check the claim reached a stored output.
SHOWN_TEXT = {
    "condition": "statement", "pain_course": "phase", "risk_factors": "name", "sports": "name",
    "exam_steps": "name", "findings": "text", "interpretations": "name", "treatments": "what_it_does",
    "evidence_checks": "source_says", "pathway_steps": "title", "glossary": "definition",
    "quiz_questions": "prompt", "quiz_options": "text", "red_flags": "name", "cases": "title",
}


def test_every_claim_of_the_source_reaches_a_stored_output():
    facts = load_facts()
    text = html.unescape("\n".join(stored_text(read(p)) for p in NOTEBOOKS))
    missing = []
    for claim in facts.source_claims:
        shown = False
        for entry in claim.taught_by:
            table, _, row_id = entry.partition(":")
            field = SHOWN_TEXT.get(table)
            if field and getattr(facts.by_id(table)[row_id], field) in text:
                shown = True
        if not shown:
            missing.append(f"{claim.id} (paragraph {claim.paragraph})")
    assert not missing, f"claims no notebook shows: {missing}"


def test_every_source_paragraph_is_cited_in_a_notebook():
    text = "\n".join(stored_text(read(p)) for p in NOTEBOOKS)
    for paragraph in V.SOURCE_PARAGRAPHS:
        assert re.search(rf"paragraph {paragraph}\b", text, re.I), paragraph


def test_notebooks_import_the_installed_library_not_a_path():
    """`spasm-teach start` copies notebooks anywhere: they must not reach for the clone's folders."""
    for path in NOTEBOOKS:
        source = "\n".join(c.source for c in code_cells(read(path)))
        assert "sys.path" not in source and "../" not in source, path.name


# The notebooks' prose, handout wording and stored outputs are copy-checked with every other string a
# student sees: tests/test_teaching_text.py.


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_disclaimer_says_what_the_data_says(path):
    """Issue 18: cauda equina signs in any of their areas need the emergency department at once, a
    weakening leg the same day. Issue 24: every notebook shows the package's one wording, as the
    stored output of a live-only cell above the Overview (a handout's header prints it instead), and
    no notebook types its own copy."""
    from spasm_lib import DISCLAIMER

    nb = read(path)
    (cell,) = [c for c in code_cells(nb) if c.source.strip() == "disclaimer_view()"]
    assert "live-only" in cell.metadata.get("tags", [])
    shown = html.unescape(" ".join("".join(o.get("data", {}).get("text/html", "")) for o in cell.outputs))
    assert DISCLAIMER in " ".join(shown.split())
    overview = next(i for i, c in enumerate(nb.cells) if c.source.startswith("## Overview"))
    assert nb.cells.index(cell) < overview
    emergency = DISCLAIMER[DISCLAIMER.index("A person with back pain"):]
    assert not any(emergency[:40] in " ".join(c.source.split()) for c in nb.cells if c.cell_type == "markdown")
    for words in ("back passage", "bladder, bowel or sexual", "both legs", "the same day"):
        assert words in emergency
