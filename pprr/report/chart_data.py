"""The numbers and colours behind every chart, worked out once.

The app's Altair charts (:mod:`pprr.report.charts`) and the packs' vector charts (:func:`vector_charts`, drawn by
:mod:`pprr.report.vector` in the PDF and as SVG in the HTML pack) both take their data from the functions here, so a
figure cannot differ between the screen and the paper. Money is £000 (savings are converted from the agreement's
£m). This module does not import Altair: the packs are built without it.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from ..model import PortfolioWorkbook
from ..rules import finance
from ..rules.status import STATUS_ORDER, STATUS_STYLES, Rating, Status, rate_measures, settings_for
from .vector import BarChart, BarRow, Segment

NEUTRAL = STATUS_STYLES[Status.CONTEXTUAL].colour
MUTED = STATUS_STYLES[Status.NO_DATA].colour
# The reconciliation's colours say nothing good or bad: an increase in budget is not an overspend.
WATERFALL_COLOURS = {"Budget": NEUTRAL, "Increase": "#4A4A4A", "Decrease": "#9A9A9A"}
# Divisions in the reserves chart: distinct, none of them a status colour.
DIVISION_COLOURS = ("#2F5D9B", "#7A5195", "#4A4A4A", "#2E8B8B", "#A05A2C", "#8C8C8C", "#5E7CE2", "#B0417A")


def money_labels(values) -> list[str]:
    return [finance.format_money(v) for v in values]


# ---------------------------------------------------------------------------------------------------------------
# Data


def variance_data(wb: PortfolioWorkbook, limit: int | None = None) -> tuple[pd.DataFrame, str]:
    """(one row per service with a forecast: service, division, variance £000, label, rag, colour; the title).

    Bars take the colour of the service's RAG in the budget table. With ``limit``, only that many services with
    the largest variances (either way) are kept, in workbook order, and the title says so."""
    table = finance.budget_table(wb).dropna(subset=["variance"])
    title = "Forecast variance by service (£000; overspend positive, underspend in brackets)"
    if limit is not None and len(table) > limit:
        table = table.loc[table["variance"].abs().astype(float).nlargest(limit).index.sort_values()]
        title = (f"Forecast variance: the {limit} largest of {len(wb.budget)} services (£000; overspend positive, "
                 "underspend in brackets)")
    data = pd.DataFrame({
        "service": list(table["service"]),
        "division": list(table["division"]),
        "variance": [float(v) for v in table["variance"]],
        "label": money_labels(table["variance"]),
        "rag": list(table["rag"]),
    })
    data["colour"] = [STATUS_STYLES[Status(r)].colour for r in data["rag"]]
    return data, title


def waterfall_data(recon: finance.Reconciliation) -> pd.DataFrame:
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
        rows.append((line.label, start, end, kind, finance.format_money(line.total)))
    data = pd.DataFrame(rows, columns=["label", "start", "end", "kind", "amount"])
    data["step"] = [f"{i}. {label}" for i, label in enumerate(data["label"], 1)]
    data["colour"] = [WATERFALL_COLOURS[k] for k in data["kind"]]
    return data


def risk_colour(risk: str) -> str:
    known = {s.value: STATUS_STYLES[s].colour for s in (Status.GREEN, Status.AMBER, Status.RED)}
    return known.get(risk, MUTED)


def lighter(colour: str, share: float = 0.55) -> str:
    """``colour`` mixed with white: the identified bar beside the achieved one, same hue."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c + (255 - c) * share):02X}" for c in (r, g, b))


def savings_data(wb: PortfolioWorkbook) -> pd.DataFrame:
    """Savings identified and achieved by risk rating, in £000 (the agreement states them in £m): risk, kind
    (Identified / Achieved), bar (its axis label), amount, label, colour (the rating's; identified lighter)."""
    table = finance.savings_by_risk(wb)
    table = table[table["risk"] != "Total"]
    rows = []
    for _, row in table.iterrows():
        colour = risk_colour(row["risk"])
        for kind, column in (("Identified", "identified_m"), ("Achieved", "achieved_m")):
            amount = float(row[column] or 0.0) * 1000
            rows.append((row["risk"], kind, f"{row['risk']}: {kind.lower()}", amount, finance.format_money(amount),
                         colour if kind == "Achieved" else lighter(colour)))
    return pd.DataFrame(rows, columns=["risk", "kind", "bar", "amount", "label", "colour"])


def reserves_data(wb: PortfolioWorkbook) -> tuple[pd.DataFrame, pd.DataFrame, list[str], dict[str, str]]:
    """(reserve lines with approved use, per-category totals with labels, categories largest first, division ->
    colour)."""
    table = finance.reserves_table(wb).dropna(subset=["approved_use"])
    table["approved_use"] = table["approved_use"].astype(float)
    totals = finance.reserves_by(wb, "category")
    totals["label"] = money_labels(totals["approved_use"])
    totals["approved_use"] = totals["approved_use"].astype(float)
    order = list(totals.sort_values("approved_use", ascending=False)["category"])
    divisions = list(dict.fromkeys(table["division"]))
    colours = {d: DIVISION_COLOURS[i % len(DIVISION_COLOURS)] for i, d in enumerate(divisions)}
    return table, totals, order, colours


def priority_label(number: int, title: str) -> str:
    return f"{number}. {title}".strip()


def status_data(wb: PortfolioWorkbook, ratings: tuple[Rating, ...] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """(priority, status, count, rank per priority and status present; the priorities' labels in order)."""
    if ratings is None:
        ratings = rate_measures(wb.measures, settings_for(wb))
    titles = {p.number: p.title for p in wb.priorities}
    numbers = list(dict.fromkeys([p.number for p in wb.priorities] + [m.priority for m in wb.measures]))
    labels = {n: priority_label(n, titles.get(n, f"Priority {n}")) for n in numbers}
    rank = {STATUS_STYLES[s].label: i for i, s in enumerate(STATUS_ORDER)}
    counts: Counter[tuple[int, str]] = Counter(
        (measure.priority, rating.style.label) for measure, rating in zip(wb.measures, ratings))
    data = pd.DataFrame(
        [(labels[n], STATUS_STYLES[s].label, counts[(n, STATUS_STYLES[s].label)], rank[STATUS_STYLES[s].label])
         for n in numbers for s in STATUS_ORDER if counts[(n, STATUS_STYLES[s].label)]],
        columns=["priority", "status", "count", "rank"],
    )
    return data, [labels[n] for n in numbers]


# ---------------------------------------------------------------------------------------------------------------
# Vector charts for the packs


def _legend(pairs) -> tuple[tuple[str, str], ...]:
    return tuple(dict.fromkeys(pairs))


def variance_bars(wb: PortfolioWorkbook, limit: int | None = None) -> BarChart | None:
    data, title = variance_data(wb, limit)
    if data.empty:
        return None
    rows = tuple(BarRow(r.service, (Segment(0.0, r.variance, r.colour, r.rag),), r.label)
                 for r in data.itertuples())
    legend = _legend((STATUS_STYLES[s].label, STATUS_STYLES[s].colour) for s in STATUS_ORDER
                     if s.value in set(data["rag"]))
    words = "; ".join(f"{r.service}: {r.label} ({r.rag})" for r in data.itertuples())
    return BarChart(title, rows, "Variance, £000 (forecast outturn − net budget)", legend,
                    f"Bar chart of the forecast variance of each service, coloured by its budget RAG. {words}.")


def reconciliation_bars(wb: PortfolioWorkbook) -> BarChart | None:
    if not wb.budget_changes:
        return None
    data = waterfall_data(finance.reconciliation(wb))
    rows = tuple(BarRow(r.step, (Segment(float("-inf") if r.kind == "Budget" else r.start, r.end, r.colour, r.kind),),
                        r.amount) for r in data.itertuples())
    legend = tuple((k, c) for k, c in WATERFALL_COLOURS.items() if k in set(data["kind"]))
    words = "; ".join(f"{r.label}: {r.amount}" for r in data.itertuples())
    return BarChart("Cash-limit reconciliation (£000, all divisions)", rows,
                    "£000, all divisions (the axis does not start at zero)", legend,
                    f"Waterfall chart from the opening to the closing budget. {words}.", zero_based=False)


def savings_bars(wb: PortfolioWorkbook) -> BarChart | None:
    if not wb.savings:
        return None
    data = savings_data(wb)
    rows = tuple(BarRow(r.bar, (Segment(0.0, r.amount, r.colour, r.bar),), r.label) for r in data.itertuples())
    words = "; ".join(f"{r.bar} {r.label}" for r in data.itertuples())
    return BarChart("Savings identified and achieved by risk rating (£000)", rows, "£000", (),
                    f"Bar chart of savings by risk rating. {words}.")


def reserves_bars(wb: PortfolioWorkbook) -> BarChart | None:
    if not any(r.approved_use is not None for r in wb.reserves):
        return None
    table, totals, order, colours = reserves_data(wb)
    label = dict(zip(totals["category"], totals["label"]))
    rows = []
    for category in order:
        segments, at = [], 0.0
        for division in colours:
            amount = float(table[(table["category"] == category) & (table["division"] == division)]
                           ["approved_use"].sum())
            if amount:
                segments.append(Segment(at, at + amount, colours[division], division))
                at += amount
        rows.append(BarRow(category, tuple(segments), label[category]))
    words = "; ".join(f"{c}: {label[c]}" for c in order)
    return BarChart("Reserves: approved use by category (£000)", tuple(rows), "Approved use, £000",
                    tuple(colours.items()), f"Bar chart of reserves by category, stacked by division. {words}.")


def status_bars(wb: PortfolioWorkbook, ratings: tuple[Rating, ...] | None = None) -> BarChart | None:
    data, labels = status_data(wb, ratings)
    if data.empty:
        return None
    colour = {STATUS_STYLES[s].label: STATUS_STYLES[s].colour for s in STATUS_ORDER}
    rows = []
    for label in labels:
        part = data[data["priority"] == label].sort_values("rank")
        segments, at = [], 0.0
        for r in part.itertuples():
            segments.append(Segment(at, at + r.count, colour[r.status], r.status))
            at += r.count
        rows.append(BarRow(label, tuple(segments), str(int(at))))
    shown = set(data["status"])
    legend = tuple((name, c) for name, c in colour.items() if name in shown)
    words = "; ".join(
        f"{label}: " + ", ".join(f"{r.status} {r.count}" for r in data[data['priority'] == label]
                                 .sort_values('rank').itertuples()) for label in labels)
    return BarChart("Measures by status and priority", tuple(rows), "Number of measures", legend,
                    f"Stacked bar chart of measures by status for each priority. {words}.")
