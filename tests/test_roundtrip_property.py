"""Round trips of random valid workbooks through the writer.

Random workbooks in the template (any number of priorities, measures and budget lines, awkward codes, unicode,
markup- and formula-like text, values in every form officers write, columns in any order) are loaded, downloaded
and reloaded. Unedited, every value reads back as it was; with random edits, the reloaded workbook is the edited
state and, cell by cell, exactly the edited cells differ from the upload.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from io import BytesIO
from typing import NamedTuple

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter
from workbooks import BUDGET, MEASURES, PRIORITIES, Formatted, make_workbook

from pprr import load_workbook
from pprr.model import PortfolioWorkbook
from pprr.rules.values import parse_number
from pprr.schema import (
    ACTUAL_RE,
    MEASURE_TYPES,
    MISSING_WORDS,
    POLARITIES,
    REPORTED,
    REPORTING_PERIODS,
    UNITS,
    actual_header,
    norm_header,
    target_header,
)
from pprr.workbook.writer import write_edited_workbook
from pprr.year.edits import (
    COMMENTARY,
    FORECAST,
    Edit,
    apply_edits,
    editable_fields,
    in_year_actual,
    make_edit,
    net_edits,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=True)

# -- Text ----------------------------------------------------------------------------------------------------------

UNICODE = ["ŵ", "ŷ", "Ysgol Gymraeg Bro Ŵyr", "تقرير الأداء", "שלום עולם", "🙂", "👩🏽‍🏫", "£1.2m", "−3", "→", "é"]
MARKUP_AND_FORMULAS = ["=1+1", "+x", "@y", "-z", "<b>x</b>", "&amp;", '=HYPERLINK("http://evil.example","x")',
                       "<script>alert(1)</script>", "::JSCODE::", "_x0041_", "'quoted", '"', "\\", "[x](http://a)"]
WORDS = ["Placements", "School readiness", "Early Help", "SEND", "Youth Justice", "Ofsted"]
CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn"), include_characters="\n\t")
TEXT = st.lists(st.one_of(st.sampled_from(UNICODE + MARKUP_AND_FORMULAS + WORDS), st.text(CHARACTERS, max_size=6)),
                max_size=4).map("".join)
NAME = st.builds(str.__add__, st.sampled_from(UNICODE + MARKUP_AND_FORMULAS + WORDS), TEXT)

# -- Values in every form officers write ---------------------------------------------------------------------------

DECIMAL = st.decimals(min_value=0, max_value=1000, places=1, allow_nan=False, allow_infinity=False)
COUNT = st.integers(0, 99_999)
NUMBER = st.one_of(st.integers(-1000, 100_000),
                   st.decimals(min_value=-1000, max_value=1000, places=2).map(float))
PERCENT_CELL = st.builds(Formatted, st.integers(0, 1500).map(lambda k: k / 1000),
                         st.sampled_from(["0.0%", "0%", "0.00%"]))
MISSING = st.sampled_from([*MISSING_WORDS, "awaiting data", "N/a"])
ACTUAL_TEXT = st.one_of(
    st.just(""),
    MISSING,
    DECIMAL.map(lambda d: f"{d}%"),
    st.builds("{}% ({})".format, DECIMAL, COUNT),
    st.builds("{} ({}) {}".format, COUNT, COUNT, st.sampled_from(["Q1", "Q2", "Q3", "Q4"])),
    st.decimals(min_value=-1000, max_value=1000, places=2).map(str),
    st.sampled_from(["10.8% (258)", "222 (60) Q4", "0.1 Dec'20", "-0.53", "1,551", "8 days", "+5"]),
)
TARGET_WORDS = st.sampled_from(["Aim to maximise", "To minimise", "Maintain performance", "N/A", "No target",
                                "Maximise", "Aim to minimise", "Maintain"])
TARGET_TEXT = st.one_of(ACTUAL_TEXT, TARGET_WORDS, st.just("Comparator"))
ACTUAL_CELL = st.one_of(NUMBER, PERCENT_CELL, ACTUAL_TEXT)
TARGET_CELL = st.one_of(NUMBER, PERCENT_CELL, TARGET_TEXT)
FORECAST_TEXT = st.one_of(st.just(""), st.integers(-99_999, 99_999).map(str),
                          st.builds("({:,})".format, st.integers(0, 99_999)),
                          st.decimals(min_value=-9999, max_value=9999, places=1).map(str),
                          st.sampled_from(["£1.2", "1,234.5", "(165)", "12%", "−40"]))
COMMENT_TEXT = st.one_of(st.just(""), TEXT, st.sampled_from(MARKUP_AND_FORMULAS))

# -- Workbooks -----------------------------------------------------------------------------------------------------

CODES = ["NA", "None", "N/A", "CFSE.16(i)", "CFSE 12", "[CFSE.7]", "PH.3 (a)", "ŵ.1", "=CODE", "123", "CFSE.1"]
COHORTS = ["", "", "EHC Plan", "SEN Support", "Reading", "NA", "None", "Ŵyr"]
EXTRA_COLUMNS = ["Lead Officer", "Notes", "Source", "RAG (manual)", "Ref", "Baseline"]
POLARITY_WORDS = [*POLARITIES, "high", "LOW", "Higher", "n/a"]  # "Higher" and "n/a" are synonyms, read with a warning
OTHER_SHEETS = ["Notes", "Lookups", "Cymraeg ŵŷ", "=Sheet"]


class Generated(NamedTuple):
    """A generated workbook: the arguments it was made from (shown when a property fails) and its bytes."""

    spec: dict
    data: bytes

    def __repr__(self) -> str:
        return f"make_workbook(**{self.spec!r})"


def year(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


@st.composite
def some_columns(draw, required: list[str], optional: list[str]) -> list[str]:
    """The required columns, some of the optional ones and extra columns, in a random order."""
    chosen = required + [c for c in optional if draw(st.booleans())]
    chosen += draw(st.lists(st.sampled_from(EXTRA_COLUMNS), unique=True, max_size=2))
    return list(draw(st.permutations(chosen)))


def with_extras(draw, row: dict) -> dict:
    for column in EXTRA_COLUMNS:
        row[column] = draw(st.one_of(TEXT, NUMBER))
    return row


@st.composite
def priority_row(draw, number: int) -> dict:
    return with_extras(draw, {"Priority": draw(st.sampled_from([number, str(number), float(number)])),
                              "Title": draw(NAME), "Outcome": draw(TEXT), "Commentary": draw(COMMENT_TEXT)})


def measure_code(row: dict) -> str:
    return str(row["PI Code"]).strip().casefold()


def measure_key(row: dict) -> tuple[str, str]:
    """A measure is known by its code and cohort, compared as the reader compares them."""
    return (measure_code(row), row["Cohort"].strip().casefold())


@st.composite
def measure_row(draw, priorities: list[int], years: list[str], financial_year: str) -> dict:
    code = draw(st.one_of(st.sampled_from(CODES), st.builds("{}.{}".format, st.sampled_from(["CFSE", "PH", "ASC"]),
                                                            st.integers(1, 60)), st.just(45)))
    target = draw(TARGET_CELL)
    row = {
        "PI Code": code,
        "Cohort": draw(st.sampled_from(COHORTS)),
        "PI Name": draw(NAME),
        "Priority": draw(st.sampled_from(priorities)),
        "Measure Type": draw(st.sampled_from(MEASURE_TYPES)),
        "Reported": draw(st.sampled_from(REPORTED)),
        "Good Performance": draw(st.sampled_from(POLARITY_WORDS)),
        "Unit": draw(st.sampled_from(["", *UNITS])),
        "Tolerance": draw(st.one_of(st.none(), st.integers(0, 10), st.just(0.5))),
        "Comparator": draw(NUMBER) if target == "Comparator" else draw(st.one_of(st.none(), NUMBER)),
        "Corporate": draw(st.sampled_from(["Y", "N", ""])),
        "GMS": draw(st.sampled_from(["Y", "N", ""])),
        "Commentary": draw(COMMENT_TEXT),
        target_header(financial_year): target,
    }
    row.update({actual_header(y): draw(ACTUAL_CELL) for y in years})
    return with_extras(draw, row)


@st.composite
def budget_row(draw) -> dict:
    """A service line whose sums add up: employee + non-employee = gross, gross + income (negative) = net."""
    employee, non_employee, income = (draw(st.integers(0, 20_000)) for _ in range(3))
    gross = employee + non_employee
    return with_extras(draw, {
        "Service": draw(NAME.filter(lambda s: "total" not in s.casefold())),
        "Division": draw(st.sampled_from(["Children & Family Services", "Education", "Ysgolion ŵ", "=Div"])),
        "Employee Expenditure": employee,
        "Non-Employee Expenditure": non_employee,
        "Gross Expenditure": gross,
        "Gross Income": -income,
        "Net Budget": gross - income,
        "Forecast Outturn": draw(st.one_of(st.none(), st.integers(-20_000, 40_000),
                                           st.decimals(min_value=-999, max_value=999, places=1).map(float),
                                           st.sampled_from(["(165)", "1,234"]))),
        "Commentary": draw(COMMENT_TEXT),
    })


@st.composite
def portfolio(draw, financial_year: str) -> dict:
    return {
        "Council": draw(NAME),
        "Portfolio": draw(NAME),
        "Financial Year": financial_year,
        "Reporting Period": draw(st.sampled_from(REPORTING_PERIODS)),
        "Version": draw(st.sampled_from(["1", 2, "3.1"])),
        "Date": draw(st.one_of(st.just("31 December 2021"), st.dates(dt.date(2015, 1, 1), dt.date(2031, 1, 1)).map(
            lambda d: dt.datetime(d.year, d.month, d.day)))),
        "Approved By": draw(st.one_of(st.none(), TEXT)),
        "Tolerance %": draw(st.sampled_from([None, 5, 2.5, Formatted(0.05, "0%")])),
        "Illustrative": draw(st.sampled_from([None, "Yes", "No", "Y"])),
    }


@st.composite
def other_sheets(draw) -> dict[str, list[dict]]:
    sheets = {}
    if draw(st.booleans()):
        sheets["Glossary"] = draw(st.lists(st.builds(lambda t, m: {"Term": t, "Meaning": m}, NAME, TEXT),
                                           max_size=3))
    for name in draw(st.lists(st.sampled_from(OTHER_SHEETS), unique=True, max_size=2)):
        sheets[name] = draw(st.lists(st.fixed_dictionaries({"A": TEXT, "B": NUMBER, "C": PERCENT_CELL}), max_size=3))
    return sheets


@st.composite
def sized_list(draw, elements: st.SearchStrategy, least: int, most: int, **kwargs) -> list:
    """A list of least..most elements, rarely of the fewest (plain lists favour short ones)."""
    size = least if draw(st.integers(0, 7)) == 7 else draw(st.integers(least + 1, most))
    return draw(st.lists(elements, min_size=size, max_size=size, **kwargs))


def spellings(name: str) -> st.SearchStrategy[str]:
    """The ways a sheet or header name may be written and still match (case and spaces are free)."""
    return st.sampled_from([name, name.upper(), name.lower(), f" {name} ", name.replace(" ", "  ")])


@st.composite
def table(draw, name: str, rows: list[dict], columns: list[str]) -> tuple[str, list[str], list[dict]]:
    """A template table as written: its sheet and header names spelt in any way that matches, perhaps a repeat
    of a plain column's header at the end (read from the first), and blank rows among the rows."""
    spelt = {column: draw(spellings(column)) for column in columns}
    plain = [c for c in columns if not re.match(r"^\d{4}/\d{2} ", c)]  # year columns: see the regression tests
    repeat = draw(st.one_of(st.none(), st.sampled_from(plain)))
    header = [spelt[c] for c in columns] + ([f" {spelt[repeat]} "] if repeat else [])
    written = [{spelt[k]: v for k, v in row.items() if k in spelt} for row in rows]
    for row in written:
        if repeat:
            row[f" {spelt[repeat]} "] = draw(st.one_of(TEXT, NUMBER))
    for _ in range(draw(st.integers(0, 2))):
        written.insert(draw(st.integers(0, len(written))), {})
    return draw(spellings(name)), header, written


@st.composite
def workbooks(draw) -> Generated:
    """A random valid workbook: 1-6 priorities, 0-25 measures, 1-3 Actual years (with or without the financial
    year's), 1-10 budget lines, perhaps other sheets; columns in a random order with extra ones among them."""
    start = draw(st.integers(2015, 2030))
    financial_year = year(start)
    last = start if draw(st.booleans()) else start - 1
    years = [year(y) for y in range(last - draw(st.integers(1, 3)) + 1, last + 1)]
    columns = {
        "Priorities": draw(some_columns(["Priority", "Title", "Commentary"], ["Outcome"])),
        "Measures": draw(some_columns(
            ["PI Code", "PI Name", "Priority", "Measure Type", "Reported", "Good Performance", "Commentary",
             target_header(financial_year), *map(actual_header, years)],
            ["Cohort", "Unit", "Tolerance", "Comparator", "Corporate", "GMS"])),
        "Budget": draw(some_columns(["Service", "Division", "Net Budget", "Forecast Outturn", "Commentary"],
                                    ["Employee Expenditure", "Non-Employee Expenditure", "Gross Expenditure",
                                     "Gross Income"])),
    }
    numbers = draw(st.lists(st.integers(1, 99), min_size=1, max_size=6, unique=True))
    rows = {
        "Priorities": [draw(priority_row(n)) for n in numbers],
        "Measures": draw(sized_list(measure_row(numbers, years, financial_year), 0, 25,
                                    unique_by=measure_key if "Cohort" in columns["Measures"] else measure_code)),
        "Budget": draw(sized_list(budget_row(), 1, 10)),
    }
    sheets, headers = {}, {}
    for name, written in rows.items():
        title, headers[title], sheets[title] = draw(table(name, written, columns[name]))
    for name, other in draw(other_sheets()).items():
        sheets[name], headers[name] = other, ["Term", "Meaning"] if name == "Glossary" else ["A", "B", "C"]
    spec = {"portfolio": draw(portfolio(financial_year)), "sheets": sheets, "headers": headers,
            "drop": [name for name in rows if name not in sheets]}
    return Generated(spec, make_workbook(**spec))


def load_valid(workbook: Generated) -> PortfolioWorkbook:
    """The generated workbook, loaded: no errors, and every row the strategy wrote read as a record."""
    wb = load_workbook(workbook.data)
    assert wb.ok, [str(p) for p in wb.errors]
    written = {norm_header(name): sum(1 for row in rows if row) for name, rows in workbook.spec["sheets"].items()}
    assert (len(wb.priorities), len(wb.measures), len(wb.budget)) == (
        written["priorities"], written["measures"], written["budget"])
    return wb


# -- Edits ---------------------------------------------------------------------------------------------------------


def typed_text(field: str) -> st.SearchStrategy[str]:
    if field == COMMENTARY:
        return COMMENT_TEXT
    if field == FORECAST:
        return FORECAST_TEXT
    return ACTUAL_TEXT if ACTUAL_RE.match(field) else TARGET_TEXT


@st.composite
def changes(draw, wb: PortfolioWorkbook) -> list[tuple[str, int, str, str]]:
    """Random edits (sheet, row, field, text) of the cells an officer may edit in ``wb``."""
    records = {"Measures": wb.measures, "Budget": wb.budget, "Priorities": wb.priorities}
    sheets = [name for name, rows in records.items() if rows]
    in_year = (in_year_actual(wb),) * 4  # drawn more often on Measures: an edit of it may add the column
    drawn = []
    for _ in range(draw(st.integers(1, 8))):
        sheet = draw(st.sampled_from(sheets))
        row = draw(st.sampled_from(records[sheet])).row
        field = draw(st.sampled_from(editable_fields(wb, sheet) + (in_year if sheet == "Measures" else ())))
        drawn.append((sheet, row, field, draw(typed_text(field))))
    return drawn


def make_edits(wb: PortfolioWorkbook, drawn: list[tuple[str, int, str, str]]) -> list[Edit]:
    """Each change made against the workbook as it stands after the ones before it."""
    edits: list[Edit] = []
    for sheet, row, field, text in drawn:
        edits.append(make_edit(apply_edits(wb, edits), sheet, row, field, text))
    return edits


def put_back(wb: PortfolioWorkbook, edits: list[Edit]) -> list[Edit]:
    """Edits that return every cell ``edits`` touched to its original text, last touched first."""
    original = {e.cell: e for e in reversed(edits)}  # the first edit of each cell holds its original text
    current = apply_edits(wb, edits)
    undo = []
    for edit in reversed(list(original.values())):
        undo.append(make_edit(apply_edits(current, undo), edit.sheet, edit.row, edit.field, edit.old))
    return undo


# -- Cells ---------------------------------------------------------------------------------------------------------

BLANK = (None, "General", "n", 0)


def cells(data: bytes) -> dict[tuple[str, str], tuple]:
    """Every stored cell of every sheet: value (formulas as written), number format, data type and style."""
    book = openpyxl.load_workbook(BytesIO(data), data_only=False)
    return {(ws.title, cell.coordinate): (cell.value, cell.number_format, cell.data_type, cell.style_id)
            for ws in book.worksheets for row in ws.iter_rows() for cell in row}


def differing(before: dict, after: dict) -> set[tuple[str, str]]:
    return {k for k in before.keys() | after.keys() if before.get(k, BLANK) != after.get(k, BLANK)}


def style(cell: tuple) -> tuple:
    """The number format and style of a cell from :func:`cells`."""
    return cell[1], cell[3]


def layout(data: bytes) -> dict[str, tuple[str, dict[str, str]]]:
    """Each sheet, by its name as the reader compares names: its title, and its header row as
    {header as compared: column letter} (the first of a repeated header)."""
    book = openpyxl.load_workbook(BytesIO(data), read_only=True)
    found = {}
    for ws in book.worksheets:
        columns: dict[str, str] = {}
        for i, value in enumerate(next(ws.iter_rows(max_row=1, values_only=True), ()), start=1):
            if norm_header(value):
                columns.setdefault(norm_header(value), get_column_letter(i))
        found[norm_header(ws.title)] = (ws.title, columns)
    book.close()
    return found


def without_problems(wb: PortfolioWorkbook) -> PortfolioWorkbook:
    return dataclasses.replace(wb, problems=())


# -- Properties ----------------------------------------------------------------------------------------------------


@SETTINGS
@given(workbook=workbooks(), data=st.data())
def test_an_unedited_download_reads_back_unchanged(workbook, data):
    wb = load_valid(workbook)
    edits = make_edits(wb, data.draw(changes(wb)))
    edits += put_back(wb, edits)  # every cell edited and put back: nothing to download but the upload
    assert net_edits(edits) == []
    out = write_edited_workbook(workbook.data, wb, edits)
    assert load_workbook(out) == wb
    assert cells(out) == cells(workbook.data)


@SETTINGS
@given(workbook=workbooks(), data=st.data())
def test_an_edited_download_differs_from_the_upload_in_exactly_the_edited_cells(workbook, data):
    wb = load_valid(workbook)
    edits = make_edits(wb, data.draw(changes(wb)))
    out = write_edited_workbook(workbook.data, wb, edits)
    reread = load_workbook(out)
    assert reread.ok, [str(p) for p in reread.errors]
    assert without_problems(reread) == without_problems(apply_edits(wb, edits))
    assert_problems_change_only_with_edited_measures(wb, reread, edits)
    assert_exactly_the_edited_cells_differ(workbook.data, out, net_edits(edits))


def assert_problems_change_only_with_edited_measures(wb: PortfolioWorkbook, reread: PortfolioWorkbook,
                                                     edits: list[Edit]) -> None:
    """The cross-row unit check compares each measure's actuals with its target, so editing one may rightly add or
    remove a warning about that measure's row (``95`` typed beside ``94.1%``); no other problem may change."""
    edited_rows = {e.row for e in edits if e.sheet == "Measures"}
    changed = set(wb.problems) ^ set(reread.problems)
    assert all(p.sheet == "Measures" and p.row in edited_rows and not p.is_error for p in changed), changed


def assert_exactly_the_edited_cells_differ(before: bytes, after: bytes, net: list[Edit]) -> None:
    """Every net edit's cell differs, and nothing else but a new in-year Actual column (header and its blank,
    styled cells). A forecast typed as another spelling of the same number (``6,100`` for ``6100``) may be
    written as the very cell that was there."""
    sheets, (measures, appended) = layout(before), layout(after)["measures"]
    added = set(appended.values()) - set(sheets["measures"][1].values())

    def address(edit: Edit) -> tuple[str, str]:
        title, columns = sheets[norm_header(edit.sheet)]
        return (title, f"{columns.get(norm_header(edit.field)) or appended[norm_header(edit.field)]}{edit.row}")

    edited = {address(e) for e in net}
    same_number = {address(e) for e in net if e.field == FORECAST and parse_number(e.old) == parse_number(e.new)}
    required = (edited - same_number) | {(measures, f"{letter}1") for letter in added}
    old_cells, new_cells = cells(before), cells(after)
    changed = differing(old_cells, new_cells)
    in_new_column = {(sheet, ref) for sheet, ref in changed if sheet == measures and ref.rstrip("0123456789") in added}
    assert required <= changed
    for cell in edited - in_new_column:  # an edited cell keeps its style and number format
        assert style(old_cells.get(cell, BLANK)) == style(new_cells.get(cell, BLANK)), cell
    assert changed - in_new_column <= edited


# -- Regressions found by the properties ---------------------------------------------------------------------------


def test_a_target_edit_survives_a_repeated_target_heading():
    data = make_workbook(measures=[dict(m, **{"2021/22 target": "Aim to maximise"}) for m in MEASURES])
    wb = load_workbook(data)
    assert wb.measures[0].target.raw == "9.5%"  # the first '2021/22 Target' column, as the warning says
    edit = make_edit(wb, "Measures", 2, "2021/22 Target", "7%")
    reread = load_workbook(write_edited_workbook(data, wb, [edit]))
    assert reread.measures[0].target.raw == "7%"


def test_a_repeated_actual_heading_is_read_once_from_the_first_column():
    data = make_workbook(measures=[dict(m, **{"2020/21 actual": "5"}) for m in MEASURES])
    wb = load_workbook(data)
    assert wb.actual_years == ("2019/20", "2020/21")
    assert wb.measures[0].actuals[-1][1].raw == "9.1%"
    edit = make_edit(wb, "Measures", 2, "2020/21 Actual", "7")
    reread = load_workbook(write_edited_workbook(data, wb, [edit]))
    assert without_problems(reread) == without_problems(apply_edits(wb, [edit]))


@pytest.mark.parametrize(("sheet", "field"), [("Priorities", "Commentary"), ("Budget", "Commentary"),
                                              ("Budget", "Forecast Outturn"), ("Measures", "Commentary"),
                                              ("Measures", "2021/22 Target")])
def test_an_edit_accepted_for_a_column_the_sheet_lacks_can_be_downloaded(sheet, field):
    rows = {"Priorities": PRIORITIES, "Measures": MEASURES, "Budget": BUDGET}[sheet]
    data = make_workbook(**{sheet.lower(): [{k: v for k, v in row.items() if k != field} for row in rows]})
    wb = load_workbook(data)
    assert wb.ok
    edit = make_edit(wb, sheet, 2, field, "12")  # the writer appends the missing template column
    reread = load_workbook(write_edited_workbook(data, wb, [edit]))
    assert without_problems(reread) == without_problems(apply_edits(wb, [edit]))
