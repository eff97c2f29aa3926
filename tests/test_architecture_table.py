"""docs/architecture.md's table of modules names every module of the package, so that "each module's
one job" stays a page a newcomer can trust (a module added without a row fails here)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rows() -> set[str]:
    """The names in the first column of the table (``a`` / ``b`` rows name several)."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    return {name for line in text.splitlines() if line.startswith("| `")
            for name in re.findall(r"`([^`]+)`", line.split(" | ")[0])}


def test_every_module_has_its_row():
    named = rows()
    missing = []
    for path in sorted((ROOT / "spasm_lib").rglob("*.py")):
        if path.name == "__init__.py":
            continue
        folder = path.parent.name
        name = path.stem if folder == "spasm_lib" else f"{folder}/{path.stem}"
        listed = f"{folder}/<topic>" in named and path.stem in _topics(folder)
        if name not in named and not listed:
            missing.append(name)
    assert missing == []


def _topics(folder: str) -> set[str]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    line = next(l for l in text.splitlines() if l.startswith(f"| `{folder}/<topic>`"))
    return set(re.findall(r"`([a-z_]+)`", line.split(" | ")[1].split(":")[0]))


def test_the_reader_sees_a_missing_row():
    assert "records" in rows() and "no_such_module" not in rows()
