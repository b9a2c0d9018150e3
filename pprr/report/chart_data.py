"""The numbers and colours behind every chart, worked out once.

The app's Altair charts (:mod:`pprr.report.charts`) and the packs' vector charts (:func:`vector_charts`, drawn by
:mod:`pprr.report.vector` in the PDF and as SVG in the HTML pack) both take their data from the functions here, so a
figure cannot differ between the screen and the paper. Money is £000 (savings are converted from the agreement's
£m). This module does not import Altair: the packs are built without it. Each chart's data is worked out as plain
rows (``*_rows``, one dict per row); the ``*_data`` functions hand the same rows to the app's charts as DataFrames,
and the vector charts read the rows, so a pack is built without pandas.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import TYPE_CHECKING

from ..model import PortfolioWorkbook
from ..rules import finance
from ..rules.finance import Row, missing
from ..rules.status import STATUS_ORDER, STATUS_STYLES, Rating, Status, rate_measures, settings_for
from .vector import BarChart, BarRow, Segment

if TYPE_CHECKING:
    import pandas as pd

NEUTRAL = STATUS_STYLES[Status.CONTEXTUAL].colour
MUTED = STATUS_STYLES[Status.NO_DATA].colour
# The reconciliation's colours say nothing good or bad: an increase in budget is not an overspend.
WATERFALL_COLOURS = {"Budget": NEUTRAL, "Increase": "#4A4A4A", "Decrease": "#9A9A9A"}
# Divisions in the reserves chart: distinct, none of them a status colour.
DIVISION_COLOURS = ("#2F5D9B", "#7A5195", "#4A4A4A", "#2E8B8B", "#A05A2C", "#8C8C8C", "#5E7CE2", "#B0417A")


def money_labels(values) -> list[str]:
    return [finance.format_money(v) for v in values]


def _frame(rows: list[Row], columns: tuple[str, ...], by_column: bool = False) -> pd.DataFrame:
    """``rows`` as a DataFrame for Altair, each column's type inferred from its values (with none: object
    columns, or float ones ``by_column``)."""
    import pandas as pd

    if by_column:
        return pd.DataFrame({c: [row[c] for row in rows] for c in columns})
    return pd.DataFrame([tuple(row[c] for c in columns) for row in rows], columns=list(columns))


# ---------------------------------------------------------------------------------------------------------------
# Data

VARIANCE_COLUMNS = ("service", "division", "variance", "label", "rag", "colour")


def variance_rows(wb: PortfolioWorkbook, limit: int | None = None) -> tuple[list[Row], str]:
    """(one row per service with a forecast: service, division, variance £000, label, rag, colour; the title).

    Bars take the colour of the service's RAG in the budget table. With ``limit``, only that many services with
    the largest variances (either way; of equal ones, the first) are kept, in workbook order, and the title says
    so."""
    table = [row for row in finance.budget_rows(wb) if not missing(row["variance"])]
    title = "Forecast variance by service (£000; overspend positive, underspend in brackets)"
    if limit is not None and len(table) > limit:
        largest = sorted(range(len(table)), key=lambda i: -abs(float(table[i]["variance"])))[:limit]
        table = [table[i] for i in sorted(largest)]
        title = (f"Forecast variance: the {limit} largest of {len(wb.budget)} services (£000; overspend positive, "
                 "underspend in brackets)")
    rows = [{"service": row["service"], "division": row["division"], "variance": float(row["variance"]),
             "label": finance.format_money(row["variance"]), "rag": row["rag"],
             "colour": STATUS_STYLES[Status(row["rag"])].colour} for row in table]
    return rows, title


def variance_data(wb: PortfolioWorkbook, limit: int | None = None) -> tuple[pd.DataFrame, str]:
    """:func:`variance_rows` as a DataFrame, and the title."""
    rows, title = variance_rows(wb, limit)
    return _frame(rows, VARIANCE_COLUMNS, by_column=True), title


WATERFALL_COLUMNS = ("label", "start", "end", "kind", "amount", "step", "colour")


def waterfall_rows(recon: finance.Reconciliation) -> list[Row]:
    """The reconciliation as waterfall steps: label, start, end, kind (Budget / Increase / Decrease), amount,
    step (a unique numbered label), colour."""
    rows, running = [], 0.0
    for line in recon.lines:
        if line.kind == "subtotal":
            continue
        if line.kind in ("opening", "closing"):
            start, end, kind = 0.0, line.total, "Budget"
        else:
            start, end = running, running + line.total
            kind = "Increase" if line.total >= 0 else "Decrease"
        running = end
        rows.append({"label": line.label, "start": start, "end": end, "kind": kind,
                     "amount": finance.format_money(line.total), "step": f"{len(rows) + 1}. {line.label}",
                     "colour": WATERFALL_COLOURS[kind]})
    return rows


def waterfall_data(recon: finance.Reconciliation) -> pd.DataFrame:
    """:func:`waterfall_rows` as a DataFrame."""
    return _frame(waterfall_rows(recon), WATERFALL_COLUMNS)


def risk_colour(risk: str) -> str:
    known = {s.value: STATUS_STYLES[s].colour for s in (Status.GREEN, Status.AMBER, Status.RED)}
    return known.get(risk, MUTED)


def lighter(colour: str, share: float = 0.55) -> str:
    """``colour`` mixed with white: the identified bar beside the achieved one, same hue."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c + (255 - c) * share):02X}" for c in (r, g, b))


SAVINGS_COLUMNS = ("risk", "kind", "bar", "amount", "label", "colour")


def savings_rows(wb: PortfolioWorkbook) -> list[Row]:
    """Savings identified and achieved by risk rating, in £000 (the agreement states them in £m): risk, kind
    (Identified / Achieved), bar (its axis label), amount, label, colour (the rating's; identified lighter)."""
    rows = []
    for row in finance.savings_risk_rows(wb):
        if row["risk"] == "Total":
            continue
        colour = risk_colour(row["risk"])
        for kind, column in (("Identified", "identified_m"), ("Achieved", "achieved_m")):
            amount = float(row[column] or 0.0) * 1000
            rows.append({"risk": row["risk"], "kind": kind, "bar": f"{row['risk']}: {kind.lower()}", "amount": amount,
                         "label": finance.format_money(amount),
                         "colour": colour if kind == "Achieved" else lighter(colour)})
    return rows


def savings_data(wb: PortfolioWorkbook) -> pd.DataFrame:
    """:func:`savings_rows` as a DataFrame."""
    return _frame(savings_rows(wb), SAVINGS_COLUMNS)


def reserves_rows(wb: PortfolioWorkbook) -> tuple[list[Row], list[Row], list[str], dict[str, str]]:
    """(reserve lines with approved use (a float), per-category totals with labels, categories largest first (of
    equal ones, the first seen), division -> colour)."""
    table = [dict(row, approved_use=float(row["approved_use"])) for row in finance.reserves_rows(wb)
             if not missing(row["approved_use"])]
    totals = [dict(row, label=finance.format_money(row["approved_use"]), approved_use=float(row["approved_use"]))
              for row in finance.reserves_by_rows(wb, "category")]
    order = [row["category"] for row in sorted(totals, key=lambda row: -row["approved_use"])]
    divisions = list(dict.fromkeys(row["division"] for row in table))
    colours = {d: DIVISION_COLOURS[i % len(DIVISION_COLOURS)] for i, d in enumerate(divisions)}
    return table, totals, order, colours


def reserves_data(wb: PortfolioWorkbook) -> tuple[pd.DataFrame, pd.DataFrame, list[str], dict[str, str]]:
    """:func:`reserves_rows` with the lines and the totals as DataFrames (approved use a float column, the others
    kept as they are)."""
    table, totals, order, colours = reserves_rows(wb)
    lines = finance.frame(table, finance.RESERVE_COLUMNS)
    by_category = finance.frame(totals, ("category", "approved_use", "not_drawn_down", "count"))
    by_category["label"] = [row["label"] for row in totals]
    for frame in (lines, by_category):
        frame["approved_use"] = frame["approved_use"].astype(float)
    return lines, by_category, order, colours


def priority_label(number: int, title: str) -> str:
    return f"{number}. {title}".strip()


def status_rows(wb: PortfolioWorkbook, ratings: tuple[Rating, ...] | None = None) -> tuple[list[Row], list[str]]:
    """(priority, status, count, rank per priority and status present, in priority then status order; the
    priorities' labels in order)."""
    if ratings is None:
        ratings = rate_measures(wb.measures, settings_for(wb))
    titles = {p.number: p.title for p in wb.priorities}
    numbers = list(dict.fromkeys([p.number for p in wb.priorities] + [m.priority for m in wb.measures]))
    labels = {n: priority_label(n, titles.get(n, f"Priority {n}")) for n in numbers}
    rank = {STATUS_STYLES[s].label: i for i, s in enumerate(STATUS_ORDER)}
    counts: Counter[tuple[int, str]] = Counter(
        (measure.priority, rating.style.label) for measure, rating in zip(wb.measures, ratings))
    rows = [{"priority": labels[n], "status": STATUS_STYLES[s].label, "count": counts[(n, STATUS_STYLES[s].label)],
             "rank": rank[STATUS_STYLES[s].label]}
            for n in numbers for s in STATUS_ORDER if counts[(n, STATUS_STYLES[s].label)]]
    return rows, [labels[n] for n in numbers]


# ---------------------------------------------------------------------------------------------------------------
# Vector charts for the packs


def _legend(pairs) -> tuple[tuple[str, str], ...]:
    return tuple(dict.fromkeys(pairs))


def variance_bars(wb: PortfolioWorkbook, limit: int | None = None) -> BarChart | None:
    data, title = variance_rows(wb, limit)
    if not data:
        return None
    rows = tuple(BarRow(r["service"], (Segment(0.0, r["variance"], r["colour"], r["rag"]),), r["label"])
                 for r in data)
    rags = {r["rag"] for r in data}
    legend = _legend((STATUS_STYLES[s].label, STATUS_STYLES[s].colour) for s in STATUS_ORDER if s.value in rags)
    words = "; ".join(f"{r['service']}: {r['label']} ({r['rag']})" for r in data)
    return BarChart(title, rows, "Variance, £000 (forecast outturn − net budget)", legend,
                    f"Bar chart of the forecast variance of each service, coloured by its budget RAG. {words}.")


def reconciliation_bars(wb: PortfolioWorkbook) -> BarChart | None:
    if not wb.budget_changes:
        return None
    data = waterfall_rows(finance.reconciliation(wb))
    rows = tuple(BarRow(r["step"], (Segment(float("-inf") if r["kind"] == "Budget" else r["start"], r["end"],
                                            r["colour"], r["kind"]),), r["amount"]) for r in data)
    kinds = {r["kind"] for r in data}
    legend = tuple((k, c) for k, c in WATERFALL_COLOURS.items() if k in kinds)
    words = "; ".join(f"{r['label']}: {r['amount']}" for r in data)
    return BarChart("Cash-limit reconciliation (£000, all divisions)", rows,
                    "£000, all divisions (the axis does not start at zero)", legend,
                    f"Waterfall chart from the opening to the closing budget. {words}.", zero_based=False)


def savings_bars(wb: PortfolioWorkbook, achieved: bool = True) -> BarChart | None:
    """Savings by risk rating; without ``achieved`` (the agreement: nothing achieved yet) only the identified."""
    if not wb.savings:
        return None
    data = [r for r in savings_rows(wb) if achieved or r["kind"] != "Achieved"]
    rows = tuple(BarRow(r["bar"], (Segment(0.0, r["amount"], r["colour"], r["bar"]),), r["label"]) for r in data)
    words = "; ".join(f"{r['bar']} {r['label']}" for r in data)
    title = "Savings identified and achieved by risk rating (£000)" if achieved else \
        "Savings identified by risk rating (£000)"
    return BarChart(title, rows, "£000", (),
                    f"Bar chart of savings by risk rating. {words}.")


def reserves_bars(wb: PortfolioWorkbook) -> BarChart | None:
    if not any(r.approved_use is not None for r in wb.reserves):
        return None
    table, totals, order, colours = reserves_rows(wb)
    label = {row["category"]: row["label"] for row in totals}
    rows = []
    for category in order:
        segments, at = [], 0.0
        for division in colours:
            amount = float(sum(row["approved_use"] for row in table
                               if row["category"] == category and row["division"] == division))
            if amount:
                segments.append(Segment(at, at + amount, colours[division], division))
                at += amount
        rows.append(BarRow(category, tuple(segments), label[category]))
    words = "; ".join(f"{c}: {label[c]}" for c in order)
    return BarChart("Reserves: approved use by category (£000)", tuple(rows), "Approved use, £000",
                    tuple(colours.items()), f"Bar chart of reserves by category, stacked by division. {words}.")


def _by_rank(data: list[Row], label: str) -> list[Row]:
    return sorted((r for r in data if r["priority"] == label), key=lambda r: r["rank"])


def status_bars(wb: PortfolioWorkbook, ratings: tuple[Rating, ...] | None = None) -> BarChart | None:
    data, labels = status_rows(wb, ratings)
    if not data:
        return None
    colour = {STATUS_STYLES[s].label: STATUS_STYLES[s].colour for s in STATUS_ORDER}
    rows = []
    for label in labels:
        segments, at = [], 0.0
        for r in _by_rank(data, label):
            segments.append(Segment(at, at + r["count"], colour[r["status"]], r["status"]))
            at += r["count"]
        rows.append(BarRow(label, tuple(segments), str(int(at))))
    shown = {r["status"] for r in data}
    legend = tuple((name, c) for name, c in colour.items() if name in shown)
    words = "; ".join(
        f"{label}: " + ", ".join(f"{r['status']} {r['count']}" for r in _by_rank(data, label)) for label in labels)
    return BarChart("Measures by status and priority", tuple(rows), "Number of measures", legend,
                    f"Stacked bar chart of measures by status for each priority. {words}.")


def priority_status_bar(wb: PortfolioWorkbook, ratings: tuple[Rating, ...] | None = None) -> BarChart | None:
    """:func:`status_bars` for a workbook cut down to one priority (the app's Priorities page): one bar with no
    row label, as the priority is named around the chart."""
    chart = status_bars(wb, ratings)
    if chart is None:
        return None
    data, _labels = status_rows(wb, ratings)
    words = ", ".join(f"{r['status']} {r['count']}" for r in sorted(data, key=lambda r: r["rank"]))
    return dataclasses.replace(chart, title="Measures by status",
                               rows=tuple(dataclasses.replace(row, label="") for row in chart.rows),
                               description=f"Bar chart of the priority's measures by status: {words}.")
