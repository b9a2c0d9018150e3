"""Year Basis, Aggregation, Data Lag (years) and Out Of Date After (years): read, checked, and explained."""

import io

import openpyxl
from workbooks import MEASURES, make_workbook

from pprr import load_workbook
from pprr.model import Severity
from pprr.workbook.template import template_bytes


def _with(**columns) -> list[dict]:
    rows = [dict(m) for m in MEASURES]
    for name, values in columns.items():
        for row, value in zip(rows, values):
            row[name] = value
    return rows


def _problems(wb, sheet="Measures"):
    return [(p.severity, p.cell, p.message) for p in wb.problems if p.sheet == sheet]


def test_the_columns_are_optional_with_defaults():
    m = load_workbook(make_workbook()).measures[0]
    assert (m.year_basis, m.aggregation, m.data_lag) == ("Financial", "Snapshot", None)
    assert load_workbook(make_workbook()).portfolio.out_of_date_after == 1


def test_the_columns_are_read():
    rows = _with(**{"Year Basis": ["Academic", "calendar", "", "Financial year"],
                    "Aggregation": ["Cumulative", "snapshot", None, "YTD"],
                    "Data Lag (years)": [1, "2", None, ""]})
    wb = load_workbook(make_workbook(measures=rows, portfolio={"Out Of Date After (years)": 2}))
    got = [(m.year_basis, m.aggregation, m.data_lag) for m in wb.measures[:4]]
    assert got == [("Academic", "Cumulative", 1), ("Calendar", "Snapshot", 2), ("Financial", "Snapshot", None),
                   ("Financial", "Cumulative", None)]
    assert wb.portfolio.out_of_date_after == 2
    # Synonyms are read, and said so, at their cell.
    assert (Severity.WARNING, "Q5", "Year Basis 'Financial year' is read as 'Financial'.") in _problems(wb)
    assert (Severity.WARNING, "R5", "Aggregation 'YTD' is read as 'Cumulative'.") in _problems(wb)


def test_unknown_words_are_warnings_naming_the_cell_and_the_default_is_used():
    rows = _with(**{"Year Basis": ["Fiscal"], "Aggregation": ["Running total"], "Data Lag (years)": ["-1"]})
    rows[1]["Data Lag (years)"] = "soon"
    wb = load_workbook(make_workbook(measures=rows))
    assert wb.ok
    m = wb.measures[0]
    assert (m.year_basis, m.aggregation, m.data_lag) == ("Financial", "Snapshot", None)
    problems = _problems(wb)
    assert (Severity.WARNING, "Q2", ("CFSE.1 Year Basis 'Fiscal' is not one of: Financial, Academic, Calendar; read "
                                    "as Financial.")) in problems
    assert (Severity.WARNING, "R2", ("CFSE.1 Aggregation 'Running total' is not one of: Snapshot, Cumulative; read "
                                    "as Snapshot.")) in problems
    assert (Severity.WARNING, "S2", "CFSE.1 Data Lag (years) cannot be negative; read as 0.") in problems
    assert any(cell == "S3" and "soon" in message for _, cell, message in problems)


def test_out_of_date_after_that_is_not_a_number_is_a_warning_at_its_cell():
    wb = load_workbook(make_workbook(portfolio={"Out Of Date After (years)": "a year"}))
    assert wb.portfolio.out_of_date_after == 1
    (problem,) = [p for p in wb.problems if p.sheet == "Portfolio"]
    assert problem.severity is Severity.WARNING and problem.cell == f"B{wb.portfolio.rows['Out Of Date After (years)']}"
    assert problem.message.startswith("Out Of Date After (years) should be a number of years such as 1")
    negative = load_workbook(make_workbook(portfolio={"Out Of Date After (years)": -2}))
    assert negative.portfolio.out_of_date_after == 1 and "cannot be negative" in str(negative.problems[0])


def test_the_template_carries_the_columns_dropdowns_and_instructions():
    book = openpyxl.load_workbook(io.BytesIO(template_bytes("2021/22")))
    headers = [c.value for c in book["Measures"][1]]
    assert {"Year Basis", "Aggregation", "Data Lag (years)"} <= set(headers)
    lists = {dv.formula1 for dv in book["Measures"].data_validations.dataValidation}
    assert '"Financial,Academic,Calendar"' in lists and '"Snapshot,Cumulative"' in lists
    fields = {row[0].value: row[1].value for row in book["Portfolio"].iter_rows(min_row=2)}
    assert fields["Out Of Date After (years)"] == 1
    instructions = {row[0].value: row[1].value for row in book["Instructions"].iter_rows(min_row=2)}
    assert "Spring Term 18" in instructions["Periods"] and "Not comparable" in instructions["Periods"]
    assert "Out Of Date After (years)" in instructions["Out of date"]
    assert "pro rata" in instructions["Measures"] and "Academic" in instructions["Measures"]
