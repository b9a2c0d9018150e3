"""Odd but valid workbooks: bounded reading, formulas with no saved value, NA codes, dates, errors and odd text."""

from __future__ import annotations

import pytest
from corpus import (
    CONTROL_COMMENTARY,
    EXCEL_MAX_CELL_CHARS,
    LATEST,
    RTL_AND_EMOJI,
    control_characters,
    dated,
    error_cell,
    formula_without_value,
    last_row_styled,
    last_row_value,
    load_in_child,
    long_commentary,
    long_commentary_workbook,
    lying_dimension,
    measure_cell,
    na_and_none_codes,
    rtl_and_emoji,
    with_first_measure,
)
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from workbooks import MEASURES

from pprr import load_workbook
from pprr.model import Severity
from pprr.workbook.xlsx import MAX_ROWS

LABELS = [f"{m['PI Code']} {m['Cohort']}".strip() for m in MEASURES]


def _problems_at(wb, sheet: str, row: int, column: str):
    return [p for p in wb.problems if (p.sheet, p.row, p.column) == (sheet, row, column)]


def test_a_formatted_cell_at_the_last_row_neither_exhausts_memory_nor_hides_measures(tmp_path):
    path = tmp_path / "last-row-styled.xlsx"
    path.write_bytes(last_row_styled())
    loaded = load_in_child(path)
    assert loaded["codes"] == LABELS
    assert [p for p in loaded["problems"] if p[0] == "Error"] == []


def test_a_value_a_million_rows_down_is_refused_with_a_clear_error_not_dropped(tmp_path):
    path = tmp_path / "last-row-value.xlsx"
    path.write_bytes(last_row_value())
    loaded = load_in_child(path)
    errors = [p for p in loaded["problems"] if p[0] == "Error"]
    assert [(sheet, f"{MAX_ROWS:,}" in message) for _, sheet, _, _, message in errors] == [("Measures", True)]


def test_a_sheet_whose_stored_dimension_lies_is_read_in_full():
    wb = load_workbook(lying_dimension(12))
    assert [m.code for m in wb.measures] == [f"CFSE.{100 + n}" for n in range(12)]


def test_a_formula_with_no_saved_value_is_reported_at_its_cell_not_read_as_blank():
    wb = load_workbook(formula_without_value())
    row, column = measure_cell(0, LATEST)
    assert [p.severity for p in _problems_at(wb, "Measures", row, column)] == [Severity.WARNING]
    assert "no saved value" in _problems_at(wb, "Measures", row, column)[0].message
    latest = dict(wb.measure("CFSE.1").actuals)[LATEST.split()[0]]
    assert latest.number is None and latest.missing


def test_an_error_cell_is_reported_at_its_cell_and_never_read_as_a_number():
    wb = load_workbook(error_cell())
    row, column = measure_cell(0, LATEST)
    problems = _problems_at(wb, "Measures", row, column)
    assert len(problems) == 1 and "#DIV/0!" in problems[0].message
    latest = dict(wb.measure("CFSE.1").actuals)[LATEST.split()[0]]
    assert latest.number is None and latest.raw == "#DIV/0!"


def test_pi_codes_and_cohorts_na_and_none_stay_text():
    wb = load_workbook(na_and_none_codes())
    assert wb.measure("NA", "None") is not None
    assert wb.measure("None").name == "None"
    assert wb.errors == ()


@pytest.mark.parametrize("epoch_1904", [False, True], ids=["1900-epoch", "1904-epoch"])
def test_a_real_date_reads_as_the_same_day_in_either_epoch(epoch_1904):
    assert load_workbook(dated(epoch_1904)).portfolio.date == "31 January 2022"


def test_excel_escaped_control_characters_are_dropped_so_the_text_can_be_written_back():
    wb = load_workbook(control_characters())
    commentary = wb.measure("CFSE.1").commentary
    assert CONTROL_COMMENTARY.startswith("Before_x0007_")
    assert commentary == "Before after end"
    assert not ILLEGAL_CHARACTERS_RE.search(commentary)


def test_excel_escaped_line_breaks_become_plain_new_lines():
    wb = load_workbook(with_first_measure(Commentary="Line one_x000D_\nLine two"))
    assert wb.measure("CFSE.1").commentary == "Line one\nLine two"


def test_an_escaped_underscore_stays_literal_text():
    wb = load_workbook(with_first_measure(Commentary="Code _x005F_x0041_ as typed"))
    assert wb.measure("CFSE.1").commentary == "Code _x0041_ as typed"


def test_right_to_left_text_and_emoji_come_through_exactly():
    measure = load_workbook(rtl_and_emoji()).measure("CFSE.1")
    assert (measure.name, measure.commentary) == (RTL_AND_EMOJI, RTL_AND_EMOJI)


def test_commentary_at_the_excel_cell_limit_is_read_whole():
    commentary = load_workbook(long_commentary_workbook()).measure("CFSE.1").commentary
    assert len(commentary) == EXCEL_MAX_CELL_CHARS
    assert commentary == long_commentary().strip()
