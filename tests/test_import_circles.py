"""No import circle in the package (issue 24: one owner per concept, each module's job in one place).

Every import counts: at the top, inside a function, or only for type checkers. The graph is read from
the source with ``ast`` (nothing is imported), and a circle is named module by module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import spasm_lib

ROOT = Path(spasm_lib.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = ("spasm_lib", *path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The package's modules that ``path`` imports (the package itself left out: it imports nothing heavy)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        found.update(name for name in names if name in modules)
    return found - {"spasm_lib", module_name(path)}


def graph() -> dict[str, set[str]]:
    paths = sorted(ROOT.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {module_name(p): imports_of(p, modules) for p in paths}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(found)


def test_the_circle_finder_finds_a_circle_through_an_import_inside_a_function():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(edges) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_imports_inside_functions_and_for_type_checkers():
    edges = graph()
    assert "spasm_lib.collect_merge" in edges["spasm_lib.collect"]  # a top-level import
    assert "spasm_lib.views.class_report" in edges["spasm_lib.collect_merge"]  # inside a function


def test_no_module_of_the_package_imports_itself_round_a_circle():
    assert circles(graph()) == []
