"""One table's CSV file read into typed records, every cell checked against the schema.

Why a hand-written reader rather than ``pandas.read_csv``: an author who mistypes a category or an
id must be told *which file, which line and which column* is wrong and what is allowed there; a
pandas traceback tells a teacher nothing. Each record type's columns (:func:`spasm_lib.tables.columns`,
from the dataclasses of :mod:`spasm_lib.records`) say how to read a cell; a cell that breaks them
becomes a :class:`Problem` located to the cell, and reading goes on so that every problem is named.

Why apart from the loader (:mod:`spasm_lib.facts`): this module knows one file at a time; whether
the tables agree with each other (ids that resolve, one right answer per question, coherent cases)
is the loader's question, asked once every file is read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from spasm_lib import vocabulary as V
from spasm_lib.inputs import shorten_quoted
from spasm_lib.tables import Column, columns

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located to the cell."""

    path: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:  # a cell's value is quoted in the message: shown shortened
        return shorten_quoted(f"{self.path}, line {self.line}, column '{self.column}': {self.message}")


# --------------------------------------------------------------------------- parsing one file


def _decode(raw: bytes) -> str:
    # surrogateescape keeps undecodable bytes as lone surrogates, so the CSV can still be split into
    # rows and cells and the bad bytes reported at their exact line and column.
    return raw.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")


_SURROGATE = re.compile("[\udc80-\udcff]")


def _bad_bytes(text: str) -> str | None:
    """The bytes that were not UTF-8 in a cell (kept as lone surrogates by :func:`_decode`), or None.

    A regular-expression search, not a loop over characters: it runs on every cell of every load.
    """
    if not _SURROGATE.search(text):
        return None
    bad = [f"0x{ord(ch) - 0xDC00:02x}" for ch in _SURROGATE.findall(text)]
    return " ".join(bad[:4])


def _rows(text: str) -> Iterable[tuple[int, list[str]]]:
    """CSV rows with the physical line each starts on (quoted cells may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:  # a cell over csv's field limit (131,072 characters): the rest is unreadable
        yield start, _Unreadable(text, start, str(exc))


class _Unreadable(list):
    """Stands for a row that csv could not split; ``index`` is the cell at fault, as far as it can tell."""

    def __init__(self, text: str, line: int, error: str):
        super().__init__()
        limit = csv.field_size_limit()
        self.index, length, quoted = 0, 0, False
        lines = io.StringIO(text, newline="")  # the lines as csv counts them
        for ch in text[sum(len(lines.readline()) for _ in range(line - 1)):]:
            if ch == '"':
                quoted = not quoted
            elif ch == "," and not quoted:
                self.index, length = self.index + 1, 0
            elif ch in "\r\n" and not quoted:
                break
            length += 1
            if length > limit:
                break
        self.message = (f"a cell longer than {limit} characters (or malformed quoting: {error}); "
                        "expected shorter text in every cell")


def _parse_cell(col: Column, raw: str) -> tuple[Any, str | None]:
    """Return (value, error message or None) for one cell."""
    text = raw.strip()
    if col.kind == "list":
        items = tuple(item.strip() for item in text.split(LIST_SEPARATOR) if item.strip())
        allowed = col.rules.get("choices")
        for item in items:
            if allowed and item not in allowed:
                return None, f"expected each item to be one of {', '.join(allowed)}; got '{item}'"
        return items, None
    if not text:
        if col.optional:
            return None, None
        return None, f"expected {_describe(col)}; the cell is empty"
    if col.kind == "str":
        value: Any = text
    elif col.kind == "int":
        try:  # plain digits only: int() would also take '٣' (Arabic-Indic three)
            value = int(text) if re.fullmatch(r"-?[0-9]+", text) else None
        except ValueError:  # more than 4300 digits
            value = None
        if value is None:
            return None, f"expected a whole number (digits 0-9); got '{text}'"
    elif col.kind == "float":
        try:
            value = float(text) if text.isascii() else None
        except ValueError:
            value = None
        if value is None or value != value or abs(value) == float("inf"):
            return None, f"expected a number; got '{text}'"
    else:
        if text not in ("yes", "no"):
            return None, f"expected yes or no; got '{text}'"
        value = text == "yes"
    rules = col.rules
    if rules.get("paragraph") and value not in V.SOURCE_PARAGRAPHS:
        return None, f"expected a source paragraph number from 1 to 5; got '{text}'"
    if "choices" in rules and value not in rules["choices"]:
        return None, f"expected one of {', '.join(rules['choices'])}; got '{text}'"
    if "min" in rules and not rules["min"] <= value <= rules["max"]:
        return None, f"expected a number from {rules['min']:g} to {rules['max']:g}; got '{text}'"
    if "must_be" in rules and value != rules["must_be"]:
        return None, f"expected {'yes' if rules['must_be'] else 'no'} on every row; got '{text}'"
    if col.name == "id" and not ID_PATTERN.match(value):
        return None, f"expected a kebab-case id (lowercase letters, digits, hyphens); got '{text}'"
    return value, None


def _describe(col: Column) -> str:
    if "choices" in col.rules:
        return "one of " + ", ".join(col.rules["choices"])
    if col.rules.get("paragraph"):
        return "a source paragraph number from 1 to 5"
    return {"str": "text", "int": "a whole number", "float": "a number", "bool": "yes or no"}[
        col.kind
    ]


@dataclass(frozen=True)
class Row:
    """A record read from a file, with where it was read (the loader's later checks name the line)."""

    path: str
    line: int
    record: Any


def parse_table(path: str, raw: bytes, record_type: type, problems: list[Problem]) -> list[Row]:
    cols = columns(record_type)
    expected = ",".join(c.name for c in cols)
    if not raw.strip():
        problems.append(
            Problem(path, 1, cols[0].name, f"the file is empty; expected a header row: {expected}")
        )
        return []
    rows = iter(_rows(_decode(raw)))
    _, header = next(rows)
    if isinstance(header, _Unreadable):
        problems.append(Problem(path, 1, cols[0].name, f"in the header, {header.message}"))
        return []
    header = [h.strip() for h in header]
    names = {c.name for c in cols}
    before = len(problems)
    for name in header:
        if bad := _bad_bytes(name):
            problems.append(Problem(path, 1, name, f"bytes that are not UTF-8 ({bad}) in the header"))
        elif name not in names:
            problems.append(
                Problem(path, 1, name, f"unknown column; the header must be: {expected}")
            )
    for name in dict.fromkeys(header):
        if header.count(name) > 1:
            problems.append(Problem(path, 1, name, "the column is named twice in the header"))
    for col in cols:
        if col.name not in header:
            problems.append(
                Problem(path, 1, col.name, f"required column is missing; the header must be: {expected}")
            )
    if len(problems) > before:
        return []

    by_name = {c.name: c for c in cols}
    parsed: list[Row] = []
    seen: dict[str, int] = {}
    for line, cells in rows:
        if isinstance(cells, _Unreadable):
            problems.append(Problem(path, line, header[min(cells.index, len(header) - 1)], cells.message))
            break
        if not any(cell.strip() for cell in cells):
            continue  # a blank line is not a row
        if len(cells) != len(header):
            column = header[min(len(cells), len(header) - 1)]
            problems.append(
                Problem(path, line, column, f"the row has {len(cells)} cells; the header has {len(header)}")
            )
            continue
        values: dict[str, Any] = {}
        ok = True
        for name, cell in zip(header, cells):
            if bad := _bad_bytes(cell):
                problems.append(
                    Problem(path, line, name, f"bytes that are not UTF-8 ({bad}); save the file as UTF-8")
                )
                ok = False
                continue
            value, error = _parse_cell(by_name[name], cell)
            if error:
                problems.append(Problem(path, line, name, error))
                ok = False
            values[name] = value
        if not ok:
            continue
        row_id = values["id"]
        if row_id in seen:
            problems.append(
                Problem(path, line, "id", f"duplicate id '{row_id}' (first used on line {seen[row_id]}); ids must be unique")
            )
            continue
        seen[row_id] = line
        if "source_paragraph" in values and values["source_paragraph"] is None and not values["reference_ids"]:
            problems.append(
                Problem(
                    path,
                    line,
                    "source_paragraph",
                    "the row says nowhere where it comes from; fill source_paragraph (1 to 5) "
                    "or reference_ids (ids from references.csv)",
                )
            )
            continue
        parsed.append(Row(path, line, record_type(**values)))
    return parsed
