"""One way to look a thing up: a name is imported from the module that defines it, never through a
module that only imported it itself (a re-export is a second address that outlives a move).

``spasm_lib.course`` is the exception by design: it is what the notebooks' one imports cell
star-imports, so it gathers names from their owners.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "spasm_lib"
GATHERERS = {"spasm_lib.course"}
"""Modules whose job is to gather names from their owners."""


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def defined_and_imported(tree: ast.Module) -> tuple[set[str], set[str]]:
    """The names a module defines at its top level (functions, classes, assignments, also under
    ``if``/``try``) and the names it only imports."""
    defined: set[str] = set()
    imported: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defined.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    defined.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                imported.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                visit(node.body)
                visit(getattr(node, "orelse", []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
                visit(getattr(node, "finalbody", []))
    visit(tree.body)
    return defined, imported - defined


def test_every_name_is_imported_from_the_module_that_defines_it():
    trees = {module_name(p): ast.parse(p.read_text(encoding="utf-8")) for p in PACKAGE.rglob("*.py")}
    owners = {name: defined_and_imported(tree) for name, tree in trees.items()}
    readers = {**trees, **{f"tests.{p.stem}": ast.parse(p.read_text(encoding="utf-8"))
                           for p in (ROOT / "tests").rglob("*.py")}}
    second_addresses = []
    for reader, tree in readers.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("spasm_lib"):
                continue
            if node.module not in owners or node.module in GATHERERS or node.level:
                continue
            defined, only_imported = owners[node.module]
            for alias in node.names:
                if alias.name in only_imported and f"{node.module}.{alias.name}" not in owners:
                    second_addresses.append(f"{reader}: from {node.module} import {alias.name}")
    assert second_addresses == []


def test_the_check_sees_a_re_export():
    tree = ast.parse("from spasm_lib.facts import load_facts\nRANDOM = 1\ndef f(): pass\n")
    defined, only_imported = defined_and_imported(tree)
    assert defined == {"RANDOM", "f"} and only_imported == {"load_facts"}
