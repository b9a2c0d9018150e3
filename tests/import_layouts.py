"""Council-style workbooks in layouts of their own, made with openpyxl, for the importer's tests.

Each builder returns the .xlsx bytes and writes what a correct import must find, so a test can check every measure
and every value landed where it belongs. The layouts are the ones councils use: title rows above the headings,
merged two-row headings, quarter and month columns, a RAG column, group rows for priorities, a budget with
divisions as group rows and sub-totals, a KPI list with a "Higher is better" column.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font


@dataclass
class Expected:
    """What the import must produce: measures by code, budget lines by service, the Portfolio fields."""

    measures: dict[str, dict] = field(default_factory=dict)  # code -> {"name", "priority title", "polarity",
    #                                                           "target", "latest", "years": {year: raw}}
    budget: dict[str, dict] = field(default_factory=dict)  # service -> {"division", "net", "forecast"}
    portfolio: dict[str, str] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)  # words the notes must mention (total rows ...)


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pct(ws, ref: str, value: float) -> None:
    ws[ref] = value
    ws[ref].number_format = "0.0%"


def corporate_kpis(q4: bool = False) -> tuple[bytes, Expected]:
    """Title rows, headings in row 4, group rows naming the priorities, quarter columns (Q4 empty unless ``q4``),
    a RAG column and a lead officer; percentages stored as Excel percentages."""
    book = Workbook()
    ws = book.active
    ws.title = "KPIs"
    ws["A1"] = "Northshire Borough Council Corporate KPI Report Q3 2023/24"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:L1")
    ws["A2"] = "Data as at 31 December 2023"
    headings = ["Ref", "Indicator", "Polarity", "Baseline 2022/23", "Target 2023/24", "Q1", "Q2", "Q3", "Q4",
                "RAG", "Commentary", "Lead Officer"]
    for c, h in enumerate(headings, start=1):
        ws.cell(4, c, h).font = Font(bold=True)
    rows = [
        ("Priority 1: Safe and healthy children",),
        ("NBC01", "Re-referrals to children's social care within 12 months", "Lower is better", 0.21, 0.2,
         0.19, 0.22, 0.245, None, "Red", "Up on Q2; audit under way.", "J. Smith"),
        ("NBC02", "Child protection plans reviewed on time", "Higher is better", 0.93, 0.95, 0.96, 0.97, 0.962,
         None, "Green", "", "J. Smith"),
        ("Priority 2: Good schools",),
        ("NBC03", "Pupils attending good or outstanding schools", "High", 0.84, 0.85, 0.85, "Awaiting data",
         0.83, None, "Amber", "Two inspections pending.", "A. Khan"),
        ("NBC04", "Average days to issue an EHC plan", "Low", 140, 120, 131, 128, 125, None, "Red", "", "A. Khan"),
        ("NBC05", "Number of young carers supported", "n/a", 310, "N/A", 80, 165, 240, None, "", "", "A. Khan"),
    ]
    r = 5
    for row in rows:
        if len(row) == 1:
            ws.cell(r, 1, row[0]).font = Font(bold=True)
        else:
            for c, v in enumerate(row, start=1):
                if v is None:
                    continue
                if isinstance(v, float) and v < 1 and c in (4, 5, 6, 7, 8, 9):
                    _pct(ws, ws.cell(r, c).coordinate, v)
                else:
                    ws.cell(r, c, v)
        r += 1
    if q4:
        _pct(ws, "I6", 0.23)
        _pct(ws, "I7", 0.97)
        ws["I10"] = 121
    ws.cell(r + 1, 1, "Source: Northshire performance team")
    expected = Expected(portfolio={"Council": "Northshire Borough Council", "Financial Year": "2023/24",
                                   "Reporting Period": "Q3 Update"})
    latest = {"NBC01": "24.5% Q3", "NBC02": "96.2% Q3", "NBC03": "83.0% Q3", "NBC04": "125 Q3", "NBC05": "240 Q3"}
    if q4:
        latest.update({"NBC01": "23.0% Q4", "NBC02": "97.0% Q4", "NBC04": "121 Q4"})
    expected.measures = {
        "NBC01": {"priority": "Safe and healthy children", "polarity": "Low", "target": "20.0%",
                  "latest": latest["NBC01"], "years": {"2022/23": "21.0%"}, "rag": "Red"},
        "NBC02": {"priority": "Safe and healthy children", "polarity": "High", "target": "95.0%",
                  "latest": latest["NBC02"], "years": {"2022/23": "93.0%"}},
        "NBC03": {"priority": "Good schools", "polarity": "High", "target": "85.0%", "latest": latest["NBC03"],
                  "years": {"2022/23": "84.0%"}},
        "NBC04": {"priority": "Good schools", "polarity": "Low", "target": "120", "latest": latest["NBC04"],
                  "years": {"2022/23": "140"}},
        "NBC05": {"priority": "Good schools", "polarity": "Contextual", "target": "N/A", "latest": latest["NBC05"],
                  "years": {"2022/23": "310"}},
    }
    return _save(book), expected


def merged_quarters() -> tuple[bytes, Expected]:
    """Headings over two rows: 'Measure' and 'Code' merged down, 'Quarter 1' ... merged across 'Actual' and
    'Target'; a 'Higher is better' column of Y and N; no priority column (one priority named after the sheet)."""
    book = Workbook()
    ws = book.active
    ws.title = "Adult Services"
    ws["A1"] = "Adult Social Care Performance 2024/25"
    ws.merge_cells("A1:I1")
    for ref, text in (("A3", "Measure"), ("B3", "Code"), ("C3", "Higher is better"), ("D3", "Quarter 1"),
                      ("F3", "Quarter 2"), ("H3", "Annual Target")):
        ws[ref] = text
    for ref in ("A3:A4", "B3:B4", "C3:C4", "H3:H4", "D3:E3", "F3:G3"):
        ws.merge_cells(ref)
    for ref, text in (("D4", "Actual"), ("E4", "Target"), ("F4", "Actual"), ("G4", "Target")):
        ws[ref] = text
    data = [
        ("Older people still at home 91 days after discharge", "ASC1", "Y", 81.2, 82, 83.5, 82, 82),
        ("Admissions to care homes per 100,000 (65+)", "ASC2", "N", 160.4, 150, 171.9, 150, 600),
        ("Carers who feel supported", "ASC3", "Y", 41, 45, "Not yet available", 45, 45),
    ]
    for r, row in enumerate(data, start=5):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    ws.cell(9, 1, "Total")
    expected = Expected(portfolio={"Financial Year": "2024/25", "Reporting Period": "Mid-Year"})
    expected.measures = {
        "ASC1": {"priority": "Adult Services", "polarity": "High", "target": "82", "latest": "83.5 Q2",
                 "name": data[0][0]},
        "ASC2": {"priority": "Adult Services", "polarity": "Low", "target": "600", "latest": "171.9 Q2",
                 "name": data[1][0]},
        "ASC3": {"priority": "Adult Services", "polarity": "High", "target": "45", "latest": "41 Q1",
                 "name": data[2][0]},
    }
    expected.left_out = ["total row"]
    return _save(book), expected


def budget_with_subtotals() -> tuple[bytes, Expected]:
    """A revenue monitoring sheet: two title rows, headings in row 4 with a blank spacer column, divisions as
    group rows, a sub-total after each division and a grand total."""
    book = Workbook()
    ws = book.active
    ws.title = "Revenue Monitoring"
    ws["A1"] = "Revenue Budget Monitoring 2023/24 - Period 9"
    ws["A2"] = "All figures £000"
    for c, h in enumerate(["Service", "", "Annual Budget", "Forecast Outturn", "Variance", "Comments"], start=1):
        if h:
            ws.cell(4, c, h)
    rows = [
        ("Children's Social Care",),
        ("Looked After Children", None, 12500, 13250, 750, "Placement costs up"),
        ("Fostering Service", None, 4200, 4150, -50, ""),
        ("Sub-total Children's Social Care", None, 16700, 17400, 700, ""),
        ("Education",),
        ("Home to School Transport", None, 3100, "3,400", 300, "SEN routes"),
        ("School Improvement", None, "(165)", -165, 0, ""),
        ("Sub-total Education", None, 2935, 3235, 300, ""),
        ("Total", None, 19635, 20635, 1000, ""),
    ]
    for r, row in enumerate(rows, start=5):
        for c, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(r, c, v)
    expected = Expected(portfolio={"Financial Year": "2023/24"})
    expected.budget = {
        "Looked After Children": {"division": "Children's Social Care", "net": 12500, "forecast": 13250},
        "Fostering Service": {"division": "Children's Social Care", "net": 4200, "forecast": 4150},
        "Home to School Transport": {"division": "Education", "net": 3100, "forecast": 3400},
        "School Improvement": {"division": "Education", "net": -165, "forecast": -165},
    }
    expected.left_out = ["Sub-total Children's Social Care", "Total"]
    return _save(book), expected


def monthly_kpis() -> tuple[bytes, Expected]:
    """Month columns written as dates (Apr 2023 ... Mar 2024) filled to December, a 'Good is' column, a Theme
    column for the priorities, no code column (codes are made), a blank column between name and months."""
    book = Workbook()
    ws = book.active
    ws.title = "Monthly Dashboard"
    ws.append(["Theme", "KPI", "Good is", "Target", None,
               *[dt.datetime(2023 + (m > 9), (m + 3) % 12 or 12, 1) for m in range(1, 13)]])
    data = [
        ("Housing", "Households in temporary accommodation", "Low", 120,
         [130, 128, 127, 125, 122, 121, 119, 118, 117]),
        ("Housing", "Homelessness cases prevented", "High", 50, [44, 47, 51, 52, 49, 50, 53, 55, 54]),
        ("Environment", "Missed bins per 100,000 collections", "Low", 40, [52, 48, 45, 43, 41, 40, 39, 38, 36]),
    ]
    for theme, name, good, target, months in data:
        ws.append([theme, name, good, target, None, *months])
    expected = Expected(portfolio={"Financial Year": "2023/24", "Reporting Period": "Q3 Update"})
    expected.measures = {
        "MD.1": {"priority": "Housing", "polarity": "Low", "target": "120", "latest": "117 Dec'23", "name": data[0][1],
                 "reported": "Monthly"},
        "MD.2": {"priority": "Housing", "polarity": "High", "target": "50", "latest": "54 Dec'23", "name": data[1][1]},
        "MD.3": {"priority": "Environment", "polarity": "Low", "target": "40", "latest": "36 Dec'23",
                 "name": data[2][1]},
    }
    return _save(book), expected


def kpi_list_higher_is_better() -> tuple[bytes, Expected]:
    """A plain KPI list with 'PI', 'Performance Indicator', 'Higher is better' (Yes / No / blank), 'Annual
    Target', 'Latest', 'Outturn 2022/23', 'Owner' and an 'Outcome' column; a second sheet of notes."""
    book = Workbook()
    ws = book.active
    ws.title = "KPI list"
    ws.append(["PI", "Performance Indicator", "Outcome", "Higher is better", "Outturn 2022/23", "Annual Target",
               "Latest", "Owner"])
    rows = [
        ("LPI 1", "Council tax collected", "Well-run council", "Yes", "96.1%", "97%", "84.2% (Dec)", "Finance"),
        ("LPI 2", "Days lost to sickness per employee", "Well-run council", "No", 9.8, 8.5, 7.1, "HR"),
        ("LPI 3", "Visits to libraries", "Thriving places", "", 210000, "Maintain performance", 160500, "Libraries"),
    ]
    for row in rows:
        ws.append(list(row))
    notes = book.create_sheet("Notes")
    notes["A1"] = "Definitions are on the intranet."
    expected = Expected(portfolio={"Financial Year": "2023/24"})
    expected.measures = {
        "LPI 1": {"priority": "Well-run council", "polarity": "High", "target": "97%", "latest": "84.2% (Dec)",
                  "years": {"2022/23": "96.1%"}},
        "LPI 2": {"priority": "Well-run council", "polarity": "Low", "target": "8.5", "latest": "7.1",
                  "years": {"2022/23": "9.8"}},
        "LPI 3": {"priority": "Thriving places", "polarity": "Contextual", "target": "Maintain performance",
                  "latest": "160500", "years": {"2022/23": "210000"}},
    }
    return _save(book), expected


def budget_in_pounds() -> tuple[bytes, Expected]:
    """'Cost Centre', 'Directorate', 'Revised Budget (£)', 'Projected Outturn (£)': whole pounds, written in £000."""
    book = Workbook()
    ws = book.active
    ws.title = "Budget"
    ws.append(["Cost Centre", "Directorate", "Revised Budget (£)", "Projected Outturn (£)"])
    ws.append(["Street Cleansing", "Place", 2_450_000, 2_512_500])
    ws.append(["Parks", "Place", 1_200_000, 1_150_000])
    ws.append(["Grand Total", "", 3_650_000, 3_662_500])
    expected = Expected()
    expected.budget = {"Street Cleansing": {"division": "Place", "net": 2450, "forecast": 2512.5},
                       "Parks": {"division": "Place", "net": 1200, "forecast": 1150}}
    return _save(book), expected


LAYOUTS = {
    "corporate-kpis": corporate_kpis,
    "merged-quarters": merged_quarters,
    "budget-subtotals": budget_with_subtotals,
    "monthly-kpis": monthly_kpis,
    "kpi-list": kpi_list_higher_is_better,
    "budget-pounds": budget_in_pounds,
}
