"""The empty workbook template officers fill in, built from :mod:`pprr.schema`.

An Instructions sheet first, then one sheet per table with a bold, frozen header row, the schema's column widths
and a dropdown for every closed list. The Measures sheet carries example year headers, Budget Changes example
division columns and Capital example programme years, so the layout explains itself.
"""

from __future__ import annotations

import datetime as _dt
from io import BytesIO
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..schema import (
    BUDGET_CHANGES,
    CAPITAL,
    COMPARATOR_WORDS,
    DEFAULT_COMPARATOR_SET,
    DEFAULT_OUT_OF_DATE_AFTER,
    DEFAULT_TOLERANCE_PCT,
    MAINTAIN_WORDS,
    MAXIMISE_WORDS,
    MEASURES,
    MINIMISE_WORDS,
    MISSING_WORDS,
    PORTFOLIO,
    PORTFOLIO_FIELDS,
    PROJECT_STATUSES,
    REPORTING_PERIODS,
    SHEETS,
    YEAR_RE,
    Column,
    Sheet,
    actual_header,
    column_letter,
    target_header,
)

VALIDATED_ROWS = 2000  # dropdowns cover rows 2 to this row
YES_NO_WORDS = ("Yes", "No")
EXAMPLE_DIVISIONS = ("Division A", "Division B")
EXAMPLE_COMPARATOR_SETS = ("Statistical Neighbours", "England")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_YEAR_WIDTH = 14


def current_financial_year(today: _dt.date | None = None) -> str:
    """The English local-government financial year (April to March) containing ``today``: ``"2021/22"``."""
    today = today or _dt.date.today()
    start = today.year if today.month >= 4 else today.year - 1
    return _year(start)


def template_bytes(financial_year: str | None = None) -> bytes:
    """The empty template as .xlsx bytes (example year headers for ``financial_year``, default the current one)."""
    out = BytesIO()
    write_template(out, financial_year)
    return out.getvalue()


def write_template(path_or_buffer: str | BinaryIO, financial_year: str | None = None) -> None:
    """Write the empty template to a path or a binary file object."""
    year = financial_year or current_financial_year()
    m = YEAR_RE.match(year)
    if not m:
        raise ValueError(f"Financial year '{year}' should look like 2021/22")
    start = int(m.group(1))
    book = Workbook()
    book.remove(book.active)
    _instructions(book.create_sheet("Instructions"), start)
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        columns = _columns(sheet, start)
        _header(ws, columns)
        if sheet is PORTFOLIO:
            _portfolio_fields(ws, _year(start))
        else:
            for index, column in enumerate(columns):
                if column.choices:
                    _dropdown(ws, column.choices, f"{column_letter(index)}2:{column_letter(index)}{VALIDATED_ROWS}")
    book.save(path_or_buffer)


def _year(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def _columns(sheet: Sheet, start: int) -> list[Column]:
    """The sheet's columns with the example year or division columns placed where officers expect them."""
    columns = list(sheet.columns)
    if sheet is MEASURES:
        at = [c.name for c in columns].index("Tolerance") + 1
        years = [
            Column(actual_header(_year(start - 2)), required=False, width=_YEAR_WIDTH),
            Column(actual_header(_year(start - 1)), required=False, width=_YEAR_WIDTH),
            Column(target_header(_year(start)), required=False, width=_YEAR_WIDTH),
        ]
        columns[at:at] = years
        at = [c.name for c in columns].index("Comparator") + 1
        columns[at:at] = [Column(f"{name} Comparator{part}", required=False, width=_YEAR_WIDTH)
                          for name in EXAMPLE_COMPARATOR_SETS for part in ("", " Year")]
    elif sheet is BUDGET_CHANGES:
        columns += [Column(name, required=False, kind="money", width=_YEAR_WIDTH) for name in EXAMPLE_DIVISIONS]
    elif sheet is CAPITAL:
        at = [c.name for c in columns].index("Description") + 1
        columns[at:at] = [
            Column(f"{_year(start + n)} Programme", required=False, kind="money", width=_YEAR_WIDTH)
            for n in range(3)
        ]
    return columns


def _header(ws: Worksheet, columns: list[Column]) -> None:
    ws.append([c.name for c in columns])
    for index, column in enumerate(columns):
        cell = ws.cell(1, index + 1)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[column_letter(index)].width = column.width
    ws.freeze_panes = "A2"


def _portfolio_fields(ws: Worksheet, year: str) -> None:
    values = {
        "Financial Year": year,
        "Tolerance %": DEFAULT_TOLERANCE_PCT,
        "Illustrative": YES_NO_WORDS[1],
        "Out Of Date After (years)": DEFAULT_OUT_OF_DATE_AFTER,
        "Comparator Set": DEFAULT_COMPARATOR_SET,
    }
    for row, name in enumerate(PORTFOLIO_FIELDS, start=2):
        ws.cell(row, 1, name)
        value = values.get(name)
        if value is not None:
            ws.cell(row, 2, int(value) if isinstance(value, float) and value.is_integer() else value)
        if name == "Reporting Period":
            _dropdown(ws, REPORTING_PERIODS, f"B{row}")
        elif name == "Illustrative":
            _dropdown(ws, YES_NO_WORDS, f"B{row}")


def _dropdown(ws: Worksheet, choices: tuple[str, ...], cells: str) -> None:
    listed = ", ".join(choices)
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Choose from the list",
        error=f"Choose one of: {listed}",
        promptTitle="Choose from the list",
        prompt=listed,
    )
    dv.add(cells)
    ws.add_data_validation(dv)


def _instructions(ws: Worksheet, start: int) -> None:
    ws.append(["Topic", "What to do"])
    for cell in ws[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for topic, text in _instruction_rows(start):
        ws.append([topic, text])
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 110
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"


def _quoted(words: tuple[str, ...]) -> str:
    return ", ".join(f"'{w}'" for w in words if w)


def _instruction_rows(start: int) -> list[tuple[str, str]]:
    year = _year(start)
    rows = [
        ("This workbook", (
            "One sheet per table. Fill in the sheets below; pprr reads them, checks them and rates "
            "every measure. Headings are matched ignoring capitals and surrounding spaces; columns "
            "may be in any order; extra columns are kept and ignored. Headings stay in row 1."
        )),
        ("Money", (
            "Amounts are in £000 unless the heading says £m. Enter income, savings and negative budgets as "
            "negative numbers (for example -165); brackets such as (165) are read too."
        )),
        ("Totals", (
            "Totals and sub-totals are computed by pprr. Do not type total rows into any sheet."
        )),
        ("Missing values", (
            f"Where a value is not available yet, write one of {_quoted(MISSING_WORDS)}, or leave "
            "the cell blank. The words are kept and shown as the reason."
        )),
        ("Values", (
            "Write values as you would in a report: 12.5%, 10.8% (258) for a value with its count, "
            "222 (60) Q4 for a value with a period note. One value per cell: put each cohort on its own row."
        )),
        ("Targets", (
            f"The '{year} Target' column holds a number, or a direction of travel: "
            f"{_quoted(MAXIMISE_WORDS)} (higher than last year), {_quoted(MINIMISE_WORDS)} (lower than "
            f"last year), {_quoted(MAINTAIN_WORDS)}; or {_quoted(COMPARATOR_WORDS)} to compare with the "
            "comparator set named by the Portfolio sheet's Comparator Set (default "
            f"{DEFAULT_COMPARATOR_SET}), or the Comparator column when the measure has no value for that set; or "
            "'N/A' for no target."
        )),
        ("Years", (
            f"The Measures sheet has one 'YYYY/YY Actual' column per year, oldest first (the examples are "
            f"{actual_header(_year(start - 2))} and {actual_header(_year(start - 1))}), and the target of "
            f"the financial year ({target_header(year)}). Rename or add year columns as needed."
        )),
        ("Committee pack", (
            "The Portfolio sheet's optional fields Committee, Meeting Date, Agenda Item, Report Of, Officer Contact "
            "and Recommendations fill the pack's front page; Meeting Date is the date the pack carries. Leave "
            "Recommendations blank for the standard wording (a) to (e). On the Measures sheet, Action, Action "
            "Owner and Action Due give the corrective action printed with each measure rated Red."
        )),
        ("Periods", (
            "A value is for its column's year, on the measure's Year Basis (Financial, Academic or Calendar). "
            "A note written after the value says when it covers only part of a year or another year, and is "
            "shown beside it: 'Q4', 'Q1-Q2', 'Q1 and Q2 2019/20', 'YTD' (the year to date), 'Spring Term 18', "
            "'Dec'20', 'End of March 19', '15/16 – 17/18' (several years together), '18/19'. Trends compare a "
            "value with the one for the same kind of period before it (a full year with a full year, Q1-Q2 "
            "with Q1-Q2, a term with the same term); otherwise the trend is 'Not comparable'."
        )),
        ("Out of date", (
            "A latest value older than the Portfolio sheet's 'Out Of Date After (years)' (default 1), plus the "
            "measure's 'Data Lag (years)', is shown as Out of date with how it would have rated, and is not "
            "counted as an exception."
        )),
        ("Benchmarks", (
            "Give each comparator set its own pair of columns on the Measures sheet: '<Set> Comparator' for the "
            "value and '<Set> Comparator Year' for the year it is for (the examples are "
            f"{' and '.join(EXAMPLE_COMPARATOR_SETS)}; add North West, Greater Manchester ... as needed). Values "
            "are written as the actuals are (-1.66, 32.4%). pprr shows each set beside the latest value and says "
            "whether the latest is better, similar or worse, judged by whether high or low is good."
        )),
        ("Flags and themes", (
            "Corporate, GMS and New Measure (Y/N) are shown as small markers (C, GMS, New) with a key. Theme is the "
            "sub-heading a measure sits under (Attainment, Youth Offending ...): tables are grouped by theme, in "
            "the order themes first appear, then by Measure Type."
        )),
        ("Delivery plans", (
            "The Projects sheet lists the strategies, programmes and projects each priority is delivered by, one "
            "row per project or per milestone. Status is one of "
            f"{', '.join(PROJECT_STATUSES)}, or blank until progress is first reported; officers can change the "
            "Status and Commentary in the app and download them with the other edits."
        )),
    ]
    for sheet in SHEETS:
        rows.append((sheet.name, _sheet_text(sheet)))
    return rows


def _sheet_text(sheet: Sheet) -> str:
    required = [c.name for c in sheet.columns if c.required]
    optional = [c.name for c in sheet.columns if not c.required]
    parts = [sheet.help] if sheet.help else []
    parts.append(("Required sheet." if sheet.required else "Optional sheet.")
                 + (f" Required columns: {', '.join(required)}." if required else "")
                 + (f" Optional columns: {', '.join(optional)}." if optional else ""))
    parts += [f"{c.name}: {c.help}" for c in sheet.columns if c.help]
    parts += [f"{c.name}: one of {', '.join(c.choices)}." for c in sheet.columns if c.choices]
    if sheet is BUDGET_CHANGES:
        parts.append(f"The example columns {', '.join(EXAMPLE_DIVISIONS)} stand for your divisions: rename them.")
    return " ".join(parts)
