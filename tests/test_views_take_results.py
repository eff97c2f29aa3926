"""Issue 24, item 2: a view takes a result and renders it; it never loads or takes the facts, and it
decides nothing the result could say. The guard reads each view module's source (no import needed);
the class pages, the last views that took the facts, are shown rendering hand-built results."""

from __future__ import annotations

import ast

import pytest

from spasm_lib.collect_results import Column, Encounter, ReportNames, StudentResults
from spasm_lib.views.class_report import student_page_of

from conftest import ROOT

VIEWS = sorted((ROOT / "spasm_lib" / "views").glob("*.py"))


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: p.stem)
def test_no_view_loads_or_takes_the_facts(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not imported & {"spasm_lib.facts", "spasm_lib.tables"}, f"{path.name} imports the facts"
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert not names & {"Facts", "load_facts", "facts_for", "by_id"}, f"{path.name} looks things up in the facts"
    args = {a.arg for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) for a in node.args.args}
    assert "facts" not in args, f"{path.name} has a view that takes the facts"


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: p.stem)
def test_no_view_tells_kinds_of_patient_or_step_apart_by_their_ids(path):
    """Whether a patient is virtual, a case random or a step the review is for logic to say (a field
    of the result): a view that tests ids for it decides."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    literals = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert not literals & {"virtual-", "random", "reassess"}, f"{path.name} tells kinds apart by id"


def test_a_students_page_shows_the_names_it_is_given():
    names = ReportNames(
        steps={"palpation": "Feeling <the> back"}, levels={"routine": "Routine care"},
        interpretations={"back-spasm": "A spasm"}, errors={"anchoring": "Anchoring"},
        case_questions={"q2": (2, "Second?"), "q1": (1, "First?")}, quiz_totals={"00_start_here": 4},
    )
    encounter = Encounter("s1", "r1", "golfer-twist", start="1", steps=["palpation"], chosen="back-spasm",
                          expected="back-spasm", correct=True, triage_chosen="routine", triage_true="routine",
                          errors=("anchoring",))
    student = StudentResults("s1", [encounter], quiz={"00_start_here": {"a": True, "b": False}},
                             case_answers={("golfer-twist", "q2"): "two", ("golfer-twist", "q1"): "one"})
    page = student_page_of(names, student, {"exam_right": 100.0}, (Column("exam_right", "Exam right (%)"),)).markup
    assert "Steps performed, in order: Feeling &lt;the&gt; back" in page
    assert "Interpretation chosen: A spasm (right)" in page and "Triage level chosen: Routine care (right)" in page
    assert "Reasoning errors named in the debrief: Anchoring" in page
    assert "00_start_here: 1 of 4 right" in page
    assert page.index("First?") < page.index("Second?")  # the case questions in their order
