"""Flat tables of measure statuses, for CSV downloads and the command line.

Each row is one measure and cohort with its latest actual, target, status, trend and reason; ``latest_period`` is
the Actual column's year with the note written in the cell, ``data_period`` the period the value covers
(``2021/22 Q1-Q2``, ``2021/22 academic``) and ``out_of_date`` Yes or No. CSV output passes
every cell through :func:`pprr.safe_text.csv_safe`, so workbook text never runs as a spreadsheet formula.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TextIO

import pandas as pd

from ..model import PortfolioWorkbook
from ..rules.benchmarks import chosen_set, judge
from ..rules.status import Rating, rate_measures, settings_for
from ..rules.values import format_number
from ..safe_text import csv_safe

STATUS_COLUMNS = (
    "code", "cohort", "priority", "name", "latest_period", "actual", "target", "status", "trend", "reason",
    "data_period", "out_of_date",
)


def workbook_ratings(wb: PortfolioWorkbook) -> tuple[Rating, ...]:
    """Every measure rated with the workbook's own Tolerance %."""
    return rate_measures(wb.measures, settings_for(wb))


def status_rows(wb: PortfolioWorkbook, ratings: Sequence[Rating] | None = None) -> list[dict]:
    """One dict per measure and cohort, keys :data:`STATUS_COLUMNS`, in workbook order."""
    ratings = workbook_ratings(wb) if ratings is None else ratings
    rows = []
    for measure, rating in zip(wb.measures, ratings, strict=True):
        latest = rating.latest
        period = rating.latest_year or ""
        if latest is not None and latest.period:
            period = f"{period} {latest.period}"
        rows.append({
            "code": measure.code,
            "cohort": measure.cohort,
            "priority": measure.priority,
            "name": measure.name,
            "latest_period": period,
            "actual": latest.raw if latest is not None else "",
            "target": measure.target.raw,
            "status": rating.status.value,
            "trend": rating.trend.value if rating.trend else "",
            "reason": rating.reason,
            "data_period": rating.latest_label,
            "out_of_date": "Yes" if rating.out_of_date else "No",
        })
    return rows


def set_column(name: str) -> str:
    """A comparator set's CSV column: 'Statistical Neighbours' -> 'statistical_neighbours'."""
    return "_".join("".join(ch if ch.isalnum() else " " for ch in name.casefold()).split())


def status_columns(wb: PortfolioWorkbook) -> tuple[str, ...]:
    """:data:`STATUS_COLUMNS`, then for each comparator set present its value and year, then how the latest actual
    compares with the chosen set (only when the workbook has comparator sets)."""
    if not wb.comparator_sets:
        return STATUS_COLUMNS
    extra = [c for s in wb.comparator_sets for c in (set_column(s), f"{set_column(s)}_year")]
    return (*STATUS_COLUMNS, *extra, f"vs_{set_column(chosen_set(wb))}")


def add_comparators(wb: PortfolioWorkbook, rows: list[dict], ratings: Sequence[Rating]) -> list[dict]:
    """``rows`` (from :func:`status_rows`) with the columns :func:`status_columns` adds."""
    if not wb.comparator_sets:
        return rows
    versus = f"vs_{set_column(chosen_set(wb))}"
    for row, measure, rating in zip(rows, wb.measures, ratings, strict=True):
        for name in wb.comparator_sets:
            b = measure.benchmark(name)
            row[set_column(name)] = None if b is None else (b.number if b.number is not None else b.value.raw)
            row[f"{set_column(name)}_year"] = "" if b is None else b.year
        latest = rating.latest.number if rating.latest is not None else None
        j = judge(measure, latest, chosen_set(wb), wb.portfolio.tolerance_pct)
        row[versus] = j.comparison.value if j.comparison else ""
    return rows


def comparator_status_rows(wb: PortfolioWorkbook, ratings: Sequence[Rating] | None = None) -> list[dict]:
    """:func:`status_rows` with the comparator columns, keys :func:`status_columns`."""
    ratings = workbook_ratings(wb) if ratings is None else ratings
    return add_comparators(wb, status_rows(wb, ratings), ratings)


def status_frame(wb: PortfolioWorkbook, ratings: Sequence[Rating] | None = None) -> pd.DataFrame:
    return pd.DataFrame(status_rows(wb, ratings), columns=list(STATUS_COLUMNS))


def csv_cell(value: object) -> object:
    """A cell for CSV: blank for None/NaN, numbers without exponents, text made formula-safe."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float):
        return format_number(value)
    return csv_safe(value)


def write_csv(rows: Iterable[Mapping[str, object]], fileobj: TextIO, columns: Sequence[str] = STATUS_COLUMNS) -> None:
    """Write ``rows`` (dicts keyed by ``columns``) as CSV with a header row; every cell through :func:`csv_cell`."""
    writer = csv.writer(fileobj)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in columns])
