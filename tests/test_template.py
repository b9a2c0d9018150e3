import datetime as dt
from io import BytesIO

import openpyxl
import pytest

from pprr import load_workbook
from pprr.schema import MISSING_WORDS, PORTFOLIO_FIELDS, SHEETS, YES_NO, norm_header
from pprr.workbook.template import current_financial_year, template_bytes, write_template


@pytest.fixture(scope="module")
def book():
    return openpyxl.load_workbook(BytesIO(template_bytes("2021/22")))


def headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


def validations(ws) -> dict[str, str]:
    """Cell range -> the dropdown's list."""
    return {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}


def test_instructions_first_then_every_schema_sheet(book):
    assert book.sheetnames == ["Instructions", *[s.name for s in SHEETS]]


def test_every_sheet_has_a_bold_frozen_header_with_schema_widths(book):
    for sheet in SHEETS:
        ws = book[sheet.name]
        assert ws.freeze_panes == "A2"
        for column in sheet.columns:
            cell = next(c for c in ws[1] if c.value == column.name)
            assert cell.font.b
            assert ws.column_dimensions[cell.column_letter].width == column.width


def test_measures_example_years_sit_between_tolerance_and_comparator(book):
    names = headers(book["Measures"])
    at = names.index("Tolerance")
    assert names[at + 1:at + 5] == ["2019/20 Actual", "2020/21 Actual", "2021/22 Target", "Comparator"]


def test_example_columns_for_divisions_and_programme_years(book):
    assert headers(book["Budget Changes"])[2:] == ["Division A", "Division B"]
    assert headers(book["Capital"]) == ["Scheme", "Description", "2021/22 Programme", "2022/23 Programme",
                                        "2023/24 Programme", "Funding"]


@pytest.mark.parametrize(
    ("sheet", "header", "choices"),
    [
        ("Measures", "Measure Type", "Council,Partnership,Contextual"),
        ("Measures", "Reported", "Monthly,Quarterly,Termly,Annually"),
        ("Measures", "Good Performance", "High,Low,Contextual"),
        ("Measures", "Unit", "%,rate,number,score,days"),
        ("Measures", "Corporate", ",".join(YES_NO)),
        ("Measures", "GMS", ",".join(YES_NO)),
        ("Savings", "Risk Rating", "Green,Amber,Red"),
        ("Reserves", "Not Drawn Down", ",".join(YES_NO)),
    ],
)
def test_closed_lists_have_dropdowns(book, sheet, header, choices):
    ws = book[sheet]
    letter = next(c.column_letter for c in ws[1] if c.value == header)
    assert validations(ws)[f"{letter}2:{letter}2000"] == f'"{choices}"'


def test_portfolio_fields_prefilled_with_dropdowns(book):
    ws = book["Portfolio"]
    values = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, ws.max_row + 1)}
    assert list(values) == list(PORTFOLIO_FIELDS)
    assert values["Tolerance %"] == 5 and values["Illustrative"] == "No" and values["Financial Year"] == "2021/22"
    rows = {name: r for r, name in enumerate(values, start=2)}
    dvs = validations(ws)
    assert dvs[f"B{rows['Reporting Period']}"] == '"Agreement,Q1,Mid-Year,Q3 Update,Annual"'
    assert dvs[f"B{rows['Illustrative']}"] == '"Yes,No"'


def test_instructions_explain_money_totals_and_the_words(book):
    text = " ".join(str(c.value) for row in book["Instructions"].iter_rows() for c in row)
    for phrase in ("£000", "£m", "computed", "Aim to maximise", "Aim to minimise", "Maintain performance",
                   *MISSING_WORDS, *(s.name for s in SHEETS)):
        assert phrase in text


def test_the_empty_template_loads_with_only_emptiness_problems():
    wb = load_workbook(template_bytes("2021/22"))
    assert wb.measures == () and wb.budget == ()
    assert wb.portfolio.tolerance_pct == 5 and wb.portfolio.financial_year == "2021/22"
    assert not wb.portfolio.illustrative
    for problem in wb.errors:
        assert problem.sheet == "Portfolio" and "needs a value" in problem.message, problem
    headers_read = {norm_header(h) for h in headers(openpyxl.load_workbook(BytesIO(template_bytes()))["Measures"])}
    assert norm_header(f"{current_financial_year()} Target") in headers_read


@pytest.mark.parametrize(
    ("today", "year"),
    [(dt.date(2022, 3, 31), "2021/22"), (dt.date(2022, 4, 1), "2022/23"), (dt.date(1999, 12, 1), "1999/00")],
)
def test_current_financial_year(today, year):
    assert current_financial_year(today) == year


def test_write_template_to_a_path_and_refuse_a_bad_year(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template(path, "2030/31")
    assert "2030/31 Target" in headers(openpyxl.load_workbook(path)["Measures"])
    with pytest.raises(ValueError, match="2021/22"):
        write_template(tmp_path / "u.xlsx", "2030")
