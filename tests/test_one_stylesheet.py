"""Issue 24, item 3: one stylesheet. A look is a named class of :mod:`spasm_lib.views.style`, never an
inline ``style="..."`` written by a view or a widget, so it is defined once and the live widget, the
stored notebook, the handout and JupyterLite show the same thing.

The guard reads each module's source (no import needed): a string that writes a ``style=`` attribute,
or a ``style=`` keyword given to anything but an ipywidgets control (whose ``style`` is the widget's
description width, not CSS), fails unless :data:`EXCEPTIONS` names the module with why.
"""

from __future__ import annotations

import ast
import json
import re

import pytest

from spasm_lib.views.style import CSS

from conftest import ROOT

MODULES = sorted([*(ROOT / "spasm_lib" / "views").glob("*.py"), *(ROOT / "spasm_lib" / "widgets").glob("*.py"),
                  ROOT / "spasm_lib" / "html.py"])

EXCEPTIONS: dict[str, tuple[int, str]] = {}
"""Module (relative to ``spasm_lib``) -> (how many inline styles it may write, why). Only for a value
computed per element that no class can hold (e.g. the width of one bar); none is needed today."""

STYLE_ATTRIBUTE = re.compile(r"""(?<![\w-])style\s*=\s*\\?["'{]""")
"""``style="``, ``style='`` or ``style={`` (an f-string's value) inside a string of markup."""


def _widget_call(call: ast.Call) -> bool:
    """``W.Dropdown(..., style=...)``: an ipywidgets control, whose ``style`` is not CSS."""
    return isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) and call.func.value.id == "W"


def inline_styles(source: str) -> list[str]:
    """Every place ``source`` writes an inline style: the line and what it writes."""
    tree = ast.parse(source)
    docs = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}  # docstrings, notes
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            found += [(node.lineno, m.group(0)) for m in STYLE_ATTRIBUTE.finditer(node.value)]
        elif isinstance(node, ast.Call) and not _widget_call(node):
            found += [(node.lineno, "style= keyword") for k in node.keywords if k.arg == "style"]
    return [f"line {line}: {what}" for line, what in sorted(found)]


def test_the_guard_finds_each_way_of_writing_an_inline_style():
    written = (
        "x = '<p style=\"color:red\">'\n"
        "y = f'<div class=\"a\" style=\"{BORDER}\">'\n"
        "z = tag('caption', text, style='text-align:left')\n"
        "w = W.Dropdown(description='d', style={'description_width': 'initial'})\n"  # a widget's: not CSS
        "def f():\n    '''A docstring may mention style=\"...\".'''\n"
        "v = '<style>.a{color:red}</style><p class=\"a\">'\n"  # a stylesheet, not an attribute
    )
    assert inline_styles(written) == ['line 1: style="', 'line 2: style="', "line 3: style= keyword"]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_view_or_widget_writes_an_inline_style(path):
    name = path.relative_to(ROOT / "spasm_lib").as_posix()
    allowed, _why = EXCEPTIONS.get(name, (0, ""))
    found = inline_styles(path.read_text(encoding="utf-8"))
    assert len(found) == allowed, f"{name} writes inline styles (give each look a class in views/style.py): {found}"


# Each selector of the stylesheet as the ``spasm-`` classes an element and its ancestors need for it to
# apply (the ``.spasm-view`` wrapper aside): ``.spasm-objectives .spasm-provenance`` needs both.
SELECTORS = sorted({frozenset(re.findall(r"\.(spasm-[\w-]+)", selector)) - {"spasm-view"}
                    for rule in re.findall(r"([^{}]+)\{[^{}]*\}", CSS) for selector in rule.split(",")} - {frozenset()},
                   key=sorted)


def _stored_html_outputs():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                html = "".join(output.get("data", {}).get("text/html", ""))
                if html:
                    yield path.stem, cell.get("id"), html


def test_every_stored_output_with_a_styled_class_carries_the_stylesheet():
    """A stored notebook (and so the handout made from it, and a reader without a kernel) shows a
    class's look only if the output carries the stylesheet: every view shown goes through ``styled``."""
    missing = []
    for notebook, cell, html in _stored_html_outputs():
        classes = {c for value in re.findall(r'class="([^"]*)"', html) for c in value.split()}
        used = [sorted(selector) for selector in SELECTORS if selector <= classes]
        if used and CSS not in html:
            missing.append(f"{notebook} cell {cell}: {used}")
    assert missing == []
