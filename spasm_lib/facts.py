"""Load the structured facts in ``data/`` once, validate them as a whole, and hand out typed records.

Each table's file is read by :mod:`spasm_lib.table_reader` (every cell checked, each problem located
to the cell); this module then checks what no single file can: every id a row names resolves, each
quiz question has one right answer, orders are unique, pathway steps name known patients, and every
case, the data's and an instructor's, tells one coherent story (:mod:`spasm_lib.coherence`). All
problems are raised together in one :class:`DataError`. ``import spasm_lib.facts`` stays free of
pandas (and of ipywidgets): pandas is imported only when ``Facts.frame`` asks for a DataFrame. The
typed tables themselves (:class:`~spasm_lib.tables.Facts`, :func:`~spasm_lib.tables.columns`) live
in :mod:`spasm_lib.tables`.

The data ships inside the package as ``spasm_lib.data`` (``pyproject.toml`` maps the top-level
``data/`` folder there), so it is found through :mod:`importlib.resources` in a clone, an editable
install and a plain wheel install alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from spasm_lib import records as R
from spasm_lib import vocabulary as V
from spasm_lib.coherence import incoherences
from spasm_lib.inputs import MAX_CASES_FILE_BYTES, MAX_TABLE_BYTES, InputError, read_bounded
from spasm_lib.table_reader import Problem, Row, parse_table
from spasm_lib.tables import TABLES, Facts, columns

RANDOM_CASE = "random"
"""The case id that asks for a seeded virtual patient: reserved, never the id of a case in a table."""


class DataError(InputError):
    """The data in ``data/`` is not valid. ``problems`` lists every problem found, in file order."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        count = len(self.problems)
        heading = "1 problem" if count == 1 else f"{count} problems"
        super().__init__(
            f"invalid teaching data ({heading}):\n" + "\n".join(f"  {p}" for p in self.problems)
        )


# --------------------------------------------------------------------------- cross-table rules


def _check_references(tables: Mapping[str, list[Row]], problems: list[Problem]) -> None:
    ids = {name: {row.record.id for row in rows} for name, rows in tables.items()}
    for name, rows in tables.items():
        for col in columns(TABLES[name]):
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
                        if table not in TABLES or item_id not in ids.get(table, ()):
                            problems.append(
                                Problem(row.path, row.line, col.name,
                                        f"'{item}' names no row; expected table:id with a table of "
                                        f"{', '.join(TABLES)} and an id in it")
                            )
                    elif item not in ids[target]:
                        known = sorted(ids[target])
                        shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
                        problems.append(
                            Problem(row.path, row.line, col.name,
                                    f"unknown {target} id '{item}'; expected one of: {shown}")
                        )


def _check_rules(tables: Mapping[str, list[Row]], problems: list[Problem]) -> None:
    for row in tables["cases"]:
        case = row.record
        if case.id == RANDOM_CASE:
            problems.append(
                Problem(row.path, row.line, "id",
                        f"'{RANDOM_CASE}' is reserved (it asks for a seeded virtual patient); expected another id")
            )
    options: dict[str, list[Row]] = {}
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
    _check_step_audiences(tables, problems)
    for name in ("condition", "exam_steps", "pathway_steps"):
        _check_unique_order(tables[name], lambda r: (), problems)
    _check_unique_order(tables["quiz_questions"], lambda r: r.notebook, problems)
    _check_unique_order(tables["learning_objectives"], lambda r: r.notebook, problems)


def _check_step_audiences(tables: Mapping[str, list[Row]], problems: list[Problem]) -> None:
    """A pathway step's ``only_for`` / ``not_for`` name interpretations, their groups or patient features."""
    interpretations = [row.record for row in tables["interpretations"]]
    allowed = {i.id for i in interpretations} | set(V.PATIENT_FEATURES)
    allowed |= {i.group for i in interpretations}
    for row in tables["pathway_steps"]:
        for name in ("only_for", "not_for"):
            for item in getattr(row.record, name):
                if item not in allowed:
                    problems.append(
                        Problem(row.path, row.line, name,
                                f"'{item}' is not an interpretation id, an interpretation group or a patient "
                                f"feature; expected one of: {', '.join(sorted(allowed))}")
                    )


def _check_unique_order(rows: list[Row], group, problems: list[Problem]) -> None:
    seen: dict[Any, int] = {}
    for row in rows:
        key = (group(row.record), row.record.order)
        if key in seen:
            problems.append(
                Problem(row.path, row.line, "order",
                        f"order {row.record.order} is already used on line {seen[key]}; expected each order once")
            )
        seen[key] = row.line


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
    tables: dict[str, list[Row]] = {}
    paths: dict[str, str] = {}
    for name, record_type in TABLES.items():
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
        tables[name] = parse_table(path, raw, record_type, problems)
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


def _check_coherence(facts: Facts, rows: list[Row], problems: list[Problem]) -> None:
    """Every case, the data's and an instructor's, must tell one consistent story.

    The rules (and the reason for each) live in :mod:`spasm_lib.coherence`; a broken rule is
    reported at the case's line, in the column the rule names.
    """
    for row in rows:
        for broken in incoherences(facts, row.record):
            problems.append(Problem(row.path, row.line, broken.column, broken.message))


def _add_cases(path: Path, tables: dict[str, list[Row]], paths: dict[str, str], problems: list[Problem]) -> None:
    """Append the cases of an instructor's file; its rows keep their own file name in errors."""
    try:
        raw = read_bounded(path, "cases file", MAX_CASES_FILE_BYTES, "a CSV file")
    except InputError as exc:
        reason = exc.reason.replace("no such file", "does not exist", 1)
        problems.append(Problem(str(path), 1, "id", f"the cases file {reason}"))
        return
    extra = parse_table(str(path), raw, R.Case, problems)
    known = {row.record.id: row.line for row in tables["cases"]}
    for row in extra:
        if row.record.id in known:
            problems.append(
                Problem(str(path), row.line, "id",
                        f"case id '{row.record.id}' is already used in {paths['cases']} (line "
                        f"{known[row.record.id]}); ids must be unique")
            )
    tables["cases"].extend(extra)
