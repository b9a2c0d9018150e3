"""Small portfolio workbooks written by code, for tests.

``make_workbook()`` gives a minimal valid workbook in the template's layout: Portfolio, Priorities, Measures (five
rows covering the status rules, one measure split into two cohorts) and Budget (three services in two divisions).
Every part can be overridden; a cell value may be a :class:`Formatted` to give it an Excel number format.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import openpyxl


class Formatted(NamedTuple):
    """A cell value with an Excel number format, e.g. ``Formatted(0.958, "0.0%")``."""

    value: object
    number_format: str


Rows = Sequence[Mapping[str, object]]

PORTFOLIO = {
    "Council": "Stockport Council",
    "Portfolio": "Children, Family Services and Education",
    "Financial Year": "2021/22",
    "Reporting Period": "Q3 Update",
    "Version": "1",
    "Date": "31 December 2021",
    "Approved By": "Portfolio Holder",
    "Tolerance %": 5,
    "Illustrative": "No",
}

PRIORITIES = (
    {"Priority": 1, "Title": "Start well and school readiness", "Outcome": "Children are ready for school",
     "Commentary": "On track."},
    {"Priority": 2, "Title": "Education, engagement and attainment", "Outcome": "", "Commentary": ""},
)


def _measure(code, name, priority, polarity, unit, actual_1920, actual_2021, target, **more) -> dict:
    row = {
        "PI Code": code,
        "Cohort": "",
        "PI Name": name,
        "Priority": priority,
        "Measure Type": "Council",
        "Reported": "Annually",
        "Good Performance": polarity,
        "Unit": unit,
        "Tolerance": None,
        "2019/20 Actual": actual_1920,
        "2020/21 Actual": actual_2021,
        "2021/22 Target": target,
        "Comparator": None,
        "Corporate": "N",
        "GMS": "N",
        "Commentary": "",
    }
    row.update(more)
    return row


MEASURES = (
    _measure("CFSE.1", "Children in low income families", 1, "Low", "%", "9.4%", "9.1%", "9.5%"),
    _measure("CFSE.5", "Take-up of the 2 year offer", 1, "High", "%", "97%", "98%", "99%"),
    _measure("CFSE.8", "Good level of development", 2, "High", "%", "96%", "95%", "Aim to maximise"),
    _measure("CFSE.13", "Value added, KS2", 2, "High", "score", "0.3", "0.1", "0.0", Cohort="Writing"),
    _measure("CFSE.13", "Value added, KS2", 2, "High", "score", "0.2", "Awaiting data", "0.0", Cohort="Reading"),
    _measure("CFSE.45", "Children in need rate", 2, "Contextual", "rate", "320.1", "331.4", "N/A",
             **{"Measure Type": "Contextual"}),
)

BUDGET = (
    {"Service": "Social Worker Teams", "Division": "Children & Family Services", "Employee Expenditure": 5523,
     "Non-Employee Expenditure": 369, "Gross Expenditure": 5891, "Gross Income": 0, "Net Budget": 5891,
     "Forecast Outturn": 6100, "Commentary": "Agency staffing"},
    {"Service": "External Placements", "Division": "Children & Family Services", "Employee Expenditure": 0,
     "Non-Employee Expenditure": 7594, "Gross Expenditure": 7594, "Gross Income": 0, "Net Budget": 7594,
     "Forecast Outturn": 7500, "Commentary": ""},
    {"Service": "School Improvement", "Division": "Education", "Employee Expenditure": 1729,
     "Non-Employee Expenditure": 628, "Gross Expenditure": 2358, "Gross Income": -2523, "Net Budget": -165,
     "Forecast Outturn": -165, "Commentary": ""},
)


def make_workbook(
    *,
    portfolio: Mapping[str, object] | None = None,
    priorities: Rows | None = None,
    measures: Rows | None = None,
    budget: Rows | None = None,
    sheets: Mapping[str, Rows] | None = None,
    drop: Sequence[str] = (),
    headers: Mapping[str, Sequence[str]] | None = None,
) -> bytes:
    """An .xlsx as bytes.

    ``portfolio`` updates the Field/Value pairs (a value of None drops the field); ``priorities``, ``measures`` and
    ``budget`` replace those sheets' rows (headers are the keys, in first-seen order; with no rows, the default
    headers); ``sheets`` adds or replaces
    any other sheet the same way; ``drop`` leaves sheets out; ``headers`` sets a sheet's header row (its columns and
    their order), whatever keys its rows have.
    """
    fields = {**PORTFOLIO, **(portfolio or {})}
    tables: dict[str, Rows] = {
        "Portfolio": [{"Field": k, "Value": v} for k, v in fields.items() if v is not None],
        "Priorities": PRIORITIES if priorities is None else priorities,
        "Measures": MEASURES if measures is None else measures,
        "Budget": BUDGET if budget is None else budget,
        **(sheets or {}),
    }
    defaults = {"Priorities": PRIORITIES, "Measures": MEASURES, "Budget": BUDGET}
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        if name not in drop:
            columns = (headers or {}).get(name) or _headers(rows or defaults.get(name, ()))
            _write_sheet(book.create_sheet(name), rows, list(columns))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _headers(rows: Rows) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


def _write_sheet(ws, rows: Rows, headers: list[str]) -> None:
    ws.append(headers)
    for r, row in enumerate(rows, start=2):
        for c, header in enumerate(headers, start=1):
            value = row.get(header)
            cell = ws.cell(r, c)
            if isinstance(value, Formatted):
                cell.value = value.value
                cell.number_format = value.number_format
            else:
                cell.value = None if value == "" else value
            if isinstance(cell.value, str):
                cell.data_type = "s"
