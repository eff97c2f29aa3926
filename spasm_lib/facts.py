"""Load the structured facts in ``data/`` once, validate them, and hand out typed records.

Why a hand-written loader rather than ``pandas.read_csv``: an author who mistypes a category or an id
must be told *which file, which line and which column* is wrong and what is allowed there; a pandas
traceback tells a teacher nothing. It also keeps ``import spasm_lib.facts`` free of pandas (and of
ipywidgets and matplotlib): pandas is imported only when :meth:`Facts.frame` asks for a DataFrame.

The data ships inside the package as ``spasm_lib.data`` (``pyproject.toml`` maps the top-level
``data/`` folder there), so it is found through :mod:`importlib.resources` in a clone, an editable
install and a plain wheel install alike.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from spasm_lib import records as R
from spasm_lib.inputs import MAX_CASES_FILE_BYTES, MAX_TABLE_BYTES, InputError, read_bounded, shorten_quoted

if TYPE_CHECKING:  # pragma: no cover
    import pandas

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RANDOM_CASE = "random"
"""The case id that asks for a seeded virtual patient: reserved, never the id of a case in a table."""
LIST_SEPARATOR = ";"
PROVENANCE_FIELDS = ("source_paragraph", "reference_ids")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located to the cell."""

    path: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:  # a cell's value is quoted in the message: shown shortened
        return shorten_quoted(f"{self.path}, line {self.line}, column '{self.column}': {self.message}")


class DataError(ValueError):
    """The data in ``data/`` is not valid. ``problems`` lists every problem found, in file order."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        count = len(self.problems)
        heading = "1 problem" if count == 1 else f"{count} problems"
        super().__init__(
            f"invalid teaching data ({heading}):\n" + "\n".join(f"  {p}" for p in self.problems)
        )


# --------------------------------------------------------------------------- column schema


@dataclass(frozen=True)
class Column:
    """How to read one CSV column, derived from a dataclass field of :mod:`spasm_lib.records`."""

    name: str
    kind: str  # "str", "int", "float", "bool" or "list"
    optional: bool
    rules: Mapping[str, Any]


def _column(f: dataclasses.Field, hint: Any) -> Column:
    optional = False
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        optional, hint = True, args[0]
        origin = typing.get_origin(hint)
    if origin is tuple:
        kind, optional = "list", True
    else:
        kind = {str: "str", int: "int", float: "float", bool: "bool"}[hint]
    return Column(f.name, kind, optional, f.metadata)


@cache
def columns(record_type: type) -> tuple[Column, ...]:
    """The columns of a table, in display order: id first, provenance last."""
    hints = typing.get_type_hints(record_type)
    cols = [_column(f, hints[f.name]) for f in dataclasses.fields(record_type)]
    cols.sort(key=lambda c: (c.name != "id", c.name in PROVENANCE_FIELDS))
    return tuple(cols)


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
    if rules.get("paragraph") and value not in R.SOURCE_PARAGRAPHS:
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
class _Row:
    path: str
    line: int
    record: Any


def _parse_table(path: str, raw: bytes, record_type: type, problems: list[Problem]) -> list[_Row]:
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
    parsed: list[_Row] = []
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
        parsed.append(_Row(path, line, record_type(**values)))
    return parsed


# --------------------------------------------------------------------------- cross-table rules


def _check_references(tables: Mapping[str, list[_Row]], problems: list[Problem]) -> None:
    ids = {name: {row.record.id for row in rows} for name, rows in tables.items()}
    for name, rows in tables.items():
        for col in columns(R.TABLES[name]):
            target = col.rules.get("ref")
            row_ref = col.rules.get("row_ref")
            if not target and not row_ref:
                continue
            for row in rows:
                value = getattr(row.record, col.name)
                for item in value if isinstance(value, tuple) else (value,):
                    if item is None:
                        continue
                    if row_ref:
                        table, _, item_id = item.partition(":")
                        if table not in R.TABLES or item_id not in ids.get(table, ()):
                            problems.append(
                                Problem(row.path, row.line, col.name,
                                        f"'{item}' names no row; expected table:id with a table of "
                                        f"{', '.join(R.TABLES)} and an id in it")
                            )
                    elif item not in ids[target]:
                        known = sorted(ids[target])
                        shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
                        problems.append(
                            Problem(row.path, row.line, col.name,
                                    f"unknown {target} id '{item}'; expected one of: {shown}")
                        )


def _check_rules(tables: Mapping[str, list[_Row]], problems: list[Problem]) -> None:
    for row in tables["cases"]:
        case = row.record
        if case.id == RANDOM_CASE:
            problems.append(
                Problem(row.path, row.line, "id",
                        f"'{RANDOM_CASE}' is reserved (it asks for a seeded virtual patient); expected another id")
            )
    options: dict[str, list[_Row]] = {}
    for row in tables["quiz_options"]:
        options.setdefault(row.record.question_id, []).append(row)
    for row in tables["quiz_questions"]:
        mine = options.get(row.record.id, [])
        right = sum(o.record.correct for o in mine)
        if len(mine) < 2 or right != 1:
            problems.append(
                Problem(row.path, row.line, "id",
                        f"question '{row.record.id}' has {len(mine)} options and {right} correct; "
                        "expected at least 2 options with exactly one marked correct = yes")
            )
    for name in ("condition", "exam_steps", "pathway_steps"):
        _check_unique_order(tables[name], lambda r: (), problems)
    _check_unique_order(tables["quiz_questions"], lambda r: r.notebook, problems)
    _check_unique_order(tables["learning_objectives"], lambda r: r.notebook, problems)


def _check_unique_order(rows: list[_Row], group, problems: list[Problem]) -> None:
    seen: dict[Any, int] = {}
    for row in rows:
        key = (group(row.record), row.record.order)
        if key in seen:
            problems.append(
                Problem(row.path, row.line, "order",
                        f"order {row.record.order} is already used on line {seen[key]}; expected each order once")
            )
        seen[key] = row.line


# --------------------------------------------------------------------------- the Facts object


@dataclass(frozen=True)
class Facts:
    """Every table of ``data/`` as tuples of typed, immutable records, in file order."""

    references: tuple[R.Reference, ...]
    condition: tuple[R.ConditionFact, ...]
    pain_course: tuple[R.PainCoursePoint, ...]
    risk_factors: tuple[R.RiskFactor, ...]
    sports: tuple[R.Sport, ...]
    exam_steps: tuple[R.ExamStep, ...]
    interpretations: tuple[R.Interpretation, ...]
    findings: tuple[R.Finding, ...]
    triage_levels: tuple[R.TriageLevel, ...]
    red_flags: tuple[R.RedFlag, ...]
    yellow_flags: tuple[R.YellowFlag, ...]
    presentations: tuple[R.Presentation, ...]
    presentation_stories: tuple[R.PresentationStory, ...]
    cases: tuple[R.Case, ...]
    case_questions: tuple[R.CaseQuestion, ...]
    treatments: tuple[R.Treatment, ...]
    evidence_checks: tuple[R.EvidenceCheck, ...]
    pathway_steps: tuple[R.PathwayStep, ...]
    glossary: tuple[R.GlossaryTerm, ...]
    learning_objectives: tuple[R.LearningObjective, ...]
    quiz_questions: tuple[R.QuizQuestion, ...]
    quiz_options: tuple[R.QuizOption, ...]
    discussion_prompts: tuple[R.DiscussionPrompt, ...]
    source_claims: tuple[R.SourceClaim, ...]
    reasoning_errors: tuple[R.ReasoningError, ...]
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    def table(self, name: str) -> tuple:
        """The records of a table by name; kebab-case (``risk-factors``) is accepted too."""
        return getattr(self, table_name(name))

    def by_id(self, name: str) -> Mapping[str, Any]:
        """The records of a table keyed by id (built once per table)."""
        key = table_name(name)
        if key not in self._index:
            self._index[key] = types.MappingProxyType({r.id: r for r in self.table(key)})
        return self._index[key]

    def frame(self, name: str) -> pandas.DataFrame:
        """A table as a DataFrame for display and filtering.

        Columns are in display order (id first, provenance last); list cells are joined with "; "
        and empty optional cells are "", so the frame prints the way the CSV reads.
        """
        import pandas

        key = table_name(name)
        cols = [c.name for c in columns(R.TABLES[key])]
        rows = [[_display(getattr(r, c)) for c in cols] for r in self.table(key)]
        return pandas.DataFrame(rows, columns=cols)


def _display(value: Any) -> Any:
    if isinstance(value, tuple):
        return "; ".join(value)
    if value is None:
        return ""
    return value


def table_name(name: str) -> str:
    """Normalise ``risk-factors`` or ``risk_factors`` to the table name; a clear error otherwise."""
    key = name.replace("-", "_")
    if key not in R.TABLES:
        allowed = ", ".join(t.replace("_", "-") for t in R.TABLES)
        raise ValueError(f"unknown table '{name}'; expected one of: {allowed}")
    return key


def default_data_dir() -> Any:
    """The packaged data folder (a Traversable: a real folder in every supported install)."""
    return resources.files("spasm_lib.data")


def load_facts(data_dir: str | Path | None = None, cases_file: str | Path | None = None) -> Facts:
    """Load and validate every table; cached, so notebooks and widgets share one load.

    ``cases_file`` adds the cases of another CSV file (same columns as ``data/cases.csv``) to the
    data's own, validated with the same rules: this is how an instructor brings their own cases to
    ``spasm-teach handouts --cases FILE`` and to the case-study notebook.

    Raises :class:`DataError` listing every problem (file, line, column, what was expected).
    """
    return _load(
        str(data_dir) if data_dir is not None else None,
        str(Path(cases_file).resolve()) if cases_file else None,
    )


@lru_cache(maxsize=8)
def _load(data_dir: str | None, cases_file: str | None = None) -> Facts:
    root = default_data_dir() if data_dir is None else Path(data_dir)
    problems: list[Problem] = []
    tables: dict[str, list[_Row]] = {}
    paths: dict[str, str] = {}
    for name, record_type in R.TABLES.items():
        source = root.joinpath(f"{name}.csv")
        paths[name] = path = str(source)
        try:
            raw = read_bounded(path, "table", MAX_TABLE_BYTES, "a CSV file")
        except InputError as exc:
            missing = exc.reason.startswith("no such file")
            why = "the file is missing" if missing else f"the table {exc.reason}"
            problems.append(Problem(path, 1, columns(record_type)[0].name, why))
            tables[name] = []
            continue
        tables[name] = _parse_table(path, raw, record_type, problems)
    if cases_file is not None:
        _add_cases(Path(cases_file), tables, paths, problems)
    if not problems:
        _check_references(tables, problems)
    if not problems:
        _check_rules(tables, problems)
    if problems:
        raise DataError(problems)
    facts = Facts(**{name: tuple(row.record for row in rows) for name, rows in tables.items()})
    _check_coherence(facts, tables["cases"], problems)
    if problems:
        raise DataError(problems)
    return facts


def _check_coherence(facts: Facts, rows: list[_Row], problems: list[Problem]) -> None:
    """Every case, the data's and an instructor's, must tell one consistent story.

    The rules (and the reason for each) live in :mod:`spasm_lib.coherence`; a broken rule is
    reported at the case's line, in the column the rule names.
    """
    from spasm_lib.coherence import incoherences

    for row in rows:
        for broken in incoherences(facts, row.record):
            problems.append(Problem(row.path, row.line, broken.column, broken.message))


def _add_cases(path: Path, tables: dict[str, list[_Row]], paths: dict[str, str], problems: list[Problem]) -> None:
    """Append the cases of an instructor's file; its rows keep their own file name in errors."""
    try:
        raw = read_bounded(path, "cases file", MAX_CASES_FILE_BYTES, "a CSV file")
    except InputError as exc:
        reason = exc.reason.replace("no such file", "does not exist", 1)
        problems.append(Problem(str(path), 1, "id", f"the cases file {reason}"))
        return
    extra = _parse_table(str(path), raw, R.Case, problems)
    known = {row.record.id: row.line for row in tables["cases"]}
    for row in extra:
        if row.record.id in known:
            problems.append(
                Problem(str(path), row.line, "id",
                        f"case id '{row.record.id}' is already used in {paths['cases']} (line "
                        f"{known[row.record.id]}); ids must be unique")
            )
    tables["cases"].extend(extra)
