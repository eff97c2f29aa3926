"""Every validation rule, each on a broken copy of the real data in a temporary folder.

Each test asserts that the error names the file, the line and the column, and says what was
expected. Line numbers come from how the test itself lays out the CSV (DataCopy.line_of), not
from the loader under test.
"""

from __future__ import annotations

import csv
import io

import pytest

from spasm_lib.facts import DataError, load_facts


def problem_for(data_copy, table: str):
    with pytest.raises(DataError) as caught:
        load_facts(data_copy.folder)
    problems = [p for p in caught.value.problems if p.path.endswith(f"{table}.csv")]
    assert problems, f"no problem reported for {table}.csv: {caught.value}"
    return problems[0], str(caught.value)


def assert_located(data_copy, table, line, column, *fragments):
    problem, message = problem_for(data_copy, table)
    assert (problem.line, problem.column) == (line, column), message
    assert f"{table}.csv, line {line}, column '{column}'" in message
    for fragment in fragments:
        assert fragment in problem.message, message


def test_missing_column(data_copy):
    rows = data_copy.read("risk_factors")
    at = rows[0].index("mechanism")
    data_copy.write("risk_factors", [r[:at] + r[at + 1 :] for r in rows])
    assert_located(data_copy, "risk_factors", 1, "mechanism", "required column is missing", "id,name,")


def test_unknown_column(data_copy):
    rows = data_copy.read("sports")
    data_copy.write("sports", [rows[0] + ["colour"]] + [r + ["red"] for r in rows[1:]])
    assert_located(data_copy, "sports", 1, "colour", "unknown column")


def test_duplicate_id(data_copy):
    rows = data_copy.read("risk_factors")
    line = data_copy.set_cell("risk_factors", 2, "id", rows[1][rows[0].index("id")])
    assert_located(data_copy, "risk_factors", line, "id", "duplicate id", "first used on line 2")


def test_dangling_reference(data_copy):
    line = data_copy.set_cell("sports", 1, "risk_factor_id", "no-such-factor")
    assert_located(data_copy, "sports", line, "risk_factor_id", "unknown risk_factors id 'no-such-factor'")


def test_dangling_reference_in_a_list(data_copy):
    line = data_copy.set_cell("cases", 0, "risk_factor_ids", "no-such-factor")
    assert_located(data_copy, "cases", line, "risk_factor_ids", "unknown risk_factors id")


def test_unknown_reference_id(data_copy):
    line = data_copy.set_cell("evidence_checks", 0, "reference_ids", "acp2017;nobody2099")
    assert_located(data_copy, "evidence_checks", line, "reference_ids", "unknown references id 'nobody2099'")


def test_unknown_category(data_copy):
    line = data_copy.set_cell("risk_factors", 0, "category", "bad-luck")
    assert_located(data_copy, "risk_factors", line, "category", "expected one of tissue-state", "'bad-luck'")


def test_empty_file(data_copy):
    data_copy.path("glossary").write_bytes(b"")
    assert_located(data_copy, "glossary", 1, "id", "the file is empty", "expected a header row")


def test_bytes_that_are_not_utf8(data_copy):
    rows = data_copy.read("treatments")
    col = rows[0].index("why")
    rows[3][col] = "MARK"
    data_copy.write("treatments", rows)
    raw = data_copy.path("treatments").read_bytes().replace(b"MARK", b"caf\xe9 \xff")
    data_copy.path("treatments").write_bytes(raw)
    assert_located(data_copy, "treatments", data_copy.line_of(rows, 3), "why", "not UTF-8", "0xe9")


def test_paragraph_seven(data_copy):
    line = data_copy.set_cell("condition", 1, "source_paragraph", "7")
    assert_located(data_copy, "condition", line, "source_paragraph", "from 1 to 5", "'7'")


def test_row_without_provenance(data_copy):
    data_copy.set_cell("glossary", 0, "source_paragraph", "")
    line = data_copy.set_cell("glossary", 0, "reference_ids", "")
    assert_located(data_copy, "glossary", line, "source_paragraph", "reference_ids")


def test_required_text_missing(data_copy):
    line = data_copy.set_cell("treatments", 0, "why", "  ")
    assert_located(data_copy, "treatments", line, "why", "the cell is empty")


def test_bad_boolean(data_copy):
    line = data_copy.set_cell("cases", 1, "radicular", "maybe")
    assert_located(data_copy, "cases", line, "radicular", "expected yes or no")


def test_bad_whole_number(data_copy):
    line = data_copy.set_cell("cases", 0, "age", "forty")
    assert_located(data_copy, "cases", line, "age", "expected a whole number")


def test_bad_id_shape(data_copy):
    line = data_copy.set_cell("glossary", 2, "id", "Not Kebab")
    assert_located(data_copy, "glossary", line, "id", "kebab-case")


def test_pain_curve_must_be_labelled_illustrative(data_copy):
    line = data_copy.set_cell("pain_course", 0, "illustrative", "no")
    assert_located(data_copy, "pain_course", line, "illustrative", "expected yes on every row")


def test_pain_out_of_range(data_copy):
    line = data_copy.set_cell("pain_course", 0, "relative_pain", "11")
    assert_located(data_copy, "pain_course", line, "relative_pain", "from 0 to 10")


def test_row_with_too_few_cells(data_copy):
    rows = data_copy.read("sports")
    rows[1] = rows[1][:2]
    data_copy.write("sports", rows)
    assert_located(data_copy, "sports", 2, rows[0][2], "has 2 cells")


def test_missing_file(data_copy):
    data_copy.path("red_flags").unlink()
    assert_located(data_copy, "red_flags", 1, "id", "the file is missing")


def test_claim_that_names_no_row(data_copy):
    line = data_copy.set_cell("source_claims", 0, "taught_by", "risk_factors:nothing-here")
    assert_located(data_copy, "source_claims", line, "taught_by", "names no row")


def test_question_with_two_correct_options(data_copy):
    rows = data_copy.read("quiz_options")
    header = rows[0]
    question = rows[1][header.index("question_id")]
    for row in rows[1:]:
        if row[header.index("question_id")] == question:
            row[header.index("correct")] = "yes"
    data_copy.write("quiz_options", rows)
    questions = data_copy.read("quiz_questions")
    index = [r[questions[0].index("id")] for r in questions].index(question)
    assert_located(data_copy, "quiz_questions", data_copy.line_of(questions, index), "id", "exactly one")


def test_case_whose_interpretation_does_not_follow(data_copy):
    rows = data_copy.read("cases")
    header = rows[0]
    index = next(i for i, r in enumerate(rows) if i and r[0] == "red-flag-saddle-numbness")  # an emergency case
    rows[index][header.index("interpretation_id")] = "back-spasm"
    data_copy.write("cases", rows)
    assert_located(data_copy, "cases", data_copy.line_of(rows, index), "interpretation_id",
                   "suspected-cauda-equina")


def test_duplicate_order(data_copy):
    rows = data_copy.read("exam_steps")
    order = rows[0].index("order")
    line = data_copy.set_cell("exam_steps", 1, "order", rows[1][order])
    assert_located(data_copy, "exam_steps", line, "order", "already used on line 2")


def test_line_numbers_count_multiline_cells(data_copy):
    rows = data_copy.read("glossary")
    rows[1][rows[0].index("definition")] = "first line\nsecond line\nthird line"
    rows[3][rows[0].index("id")] = rows[2][rows[0].index("id")]
    data_copy.write("glossary", rows)
    assert data_copy.line_of(rows, 3) == 6  # header, two-line-longer row 1, row 2, then row 3
    assert_located(data_copy, "glossary", 6, "id", "duplicate id")


def test_every_problem_is_reported_not_just_the_first(data_copy):
    data_copy.set_cell("risk_factors", 0, "category", "bad-luck")
    data_copy.set_cell("condition", 0, "source_paragraph", "9")
    with pytest.raises(DataError) as caught:
        load_facts(data_copy.folder)
    files = {p.path.rsplit("/", 1)[-1] for p in caught.value.problems}
    assert {"risk_factors.csv", "condition.csv"} <= files


def test_a_dangling_reference_is_a_data_error_whose_whole_message_is_written_here(data_copy):
    """The loader's one error class (a ValueError, so callers that catch ValueError see it), and its
    complete text: a header, then one line naming file, line, column, the bad value and the allowed ids
    (data/risk_factors.csv's ids, sorted, copied by hand)."""
    data_copy.set_cell("sports", 0, "risk_factor_id", "nope")
    with pytest.raises(ValueError) as caught:
        load_facts(data_copy.folder)
    assert type(caught.value) is DataError
    assert str(caught.value) == (
        "invalid teaching data (1 problem):\n"
        f"  {data_copy.folder / 'sports.csv'}, line 2, column 'risk_factor_id': unknown risk_factors id 'nope'; "
        "expected one of: arthritis, forward-pelvic-tilt, idiopathic, inflamed-muscles, intense-force, "
        "ruptured-disc, swollen-muscles, tender-muscles, twisting-sport, weak-abdominal-muscles, weak-spinal-muscles"
    )


def _write_cases(path, rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_instructor_cases_file_reusing_an_id(data_copy, tmp_path):
    rows = data_copy.read("cases")
    mine = tmp_path / "my_cases.csv"
    _write_cases(mine, rows[:2])
    with pytest.raises(DataError) as caught:
        load_facts(data_copy.folder, cases_file=mine)
    assert f"{mine}, line 2, column 'id': case id '{rows[1][0]}' is already used" in str(caught.value)


def test_instructor_cases_file_with_a_dangling_reference(data_copy, tmp_path):
    rows = data_copy.read("cases")
    header, row = rows[0], list(rows[1])
    row[header.index("id")] = "brand-new-case"
    row[header.index("sport_id")] = "chess"
    mine = tmp_path / "my_cases.csv"
    _write_cases(mine, [header, row])
    with pytest.raises(DataError) as caught:
        load_facts(data_copy.folder, cases_file=mine)
    assert f"{mine}, line 2, column 'sport_id': unknown sports id 'chess'" in str(caught.value)


# --------------------------------------------------------------------------- issue 12: reading with bounds


def test_a_table_that_is_a_folder(data_copy):
    data_copy.path("sports").unlink()
    data_copy.path("sports").mkdir()
    assert_located(data_copy, "sports", 1, "id", "the table is a folder; expected a CSV file")


def test_a_table_over_the_size_bound(data_copy):
    from spasm_lib.inputs import MAX_TABLE_BYTES

    rows = data_copy.read("glossary")
    data_copy.write("glossary", rows + [["x"] * len(rows[0])] * (MAX_TABLE_BYTES // len(rows[0]) // 2 + 1))
    assert_located(data_copy, "glossary", 1, "id", "bytes; expected a CSV file of at most 8388608 bytes")


def test_a_cell_over_the_csv_field_limit_is_located(data_copy):
    rows = data_copy.read("glossary")
    column = rows[0][2]
    rows[2][2] = "w" * 140_000
    data_copy.write("glossary", rows)
    assert_located(data_copy, "glossary", data_copy.line_of(rows, 2), column, "a cell longer than 131072 characters")


def test_a_header_cell_over_the_csv_field_limit(data_copy):
    rows = data_copy.read("sports")
    rows[0][1] = "h" * 140_000
    data_copy.write("sports", rows)
    assert_located(data_copy, "sports", 1, "id", "in the header, a cell longer than 131072 characters")


def test_a_long_cell_value_is_shortened_in_the_message(data_copy):
    line = data_copy.set_cell("cases", 0, "age", "9" * 5000)
    problem, message = problem_for(data_copy, "cases")
    assert (problem.line, problem.column) == (line, "age")
    assert "'" + "9" * 60 + "…' (5000 characters)" in message and len(message) < 2000


@pytest.mark.parametrize("age, fragment", [
    ("-5", "expected a number from 0 to 120; got '-5'"),
    (str(10**23), "expected a number from 0 to 120; got '100000000000000000000000'"),
    ("121", "expected a number from 0 to 120; got '121'"),
    ("٤٥", "expected a whole number (digits 0-9); got '٤٥'"),
    ("4²", "expected a whole number (digits 0-9); got '4²'"),
])
def test_ages_are_human(data_copy, age, fragment):
    line = data_copy.set_cell("cases", 0, "age", age)
    assert_located(data_copy, "cases", line, "age", fragment)


def test_a_plain_age_is_accepted(data_copy):  # the case's own coherence rules narrow the range further
    rows = data_copy.read("cases")
    age = int(rows[1][rows[0].index("age")])
    data_copy.set_cell("cases", 0, "age", f" 0{age} ")
    assert load_facts(data_copy.folder).cases[0].age == age


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "٣.٥"])
def test_numbers_are_finite_and_plain(data_copy, value):
    line = data_copy.set_cell("pain_course", 0, "relative_pain", value)
    assert_located(data_copy, "pain_course", line, "relative_pain", f"expected a number; got '{value}'")


def test_the_reserved_case_id_random(data_copy, tmp_path):
    rows = data_copy.read("cases")
    header = rows[0]
    mine = tmp_path / "mine.csv"
    row = list(rows[1])
    row[header.index("id")] = "random"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, row])
    mine.write_text(buffer.getvalue(), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_facts(data_copy.folder, cases_file=mine)
    [problem] = caught.value.problems
    assert (problem.path, problem.line, problem.column) == (str(mine), 2, "id")
    assert "'random' is reserved (it asks for a seeded virtual patient)" in problem.message


@pytest.mark.parametrize("make, fragment", [
    (lambda p: p.mkdir(), "the cases file is a folder"),
    (lambda p: None, "the cases file does not exist"),
    (lambda p: p.write_bytes(b"x" * (2 * 1024 * 1024 + 1)), "at most 2097152 bytes"),
])
def test_an_instructors_cases_file_that_cannot_be_read(data_copy, tmp_path, make, fragment):
    mine = tmp_path / "mine.csv"
    make(mine)
    with pytest.raises(DataError) as caught:
        load_facts(data_copy.folder, cases_file=mine)
    [problem] = caught.value.problems
    assert problem.path == str(mine) and fragment in problem.message
