"""The portfolio's money: service budgets and variances, the cash-limit reconciliation, reserves, savings, capital.

All figures are £000 except savings, which the agreement states in £m. Totals are always computed here from the
lines, never read from the workbook. Negative amounts (income, savings, negative budgets) are shown in brackets, as
the council's own reports do (:func:`format_money`).

Each table is worked out once as plain rows (``*_rows``: one dict per row, keyed by column) and handed to the app
as a DataFrame by the function of the same name without ``_rows``. The packs read the rows, so building one does
not import pandas (a third of a second of a fresh ``pprr pack``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from ..model import PortfolioWorkbook
from ..schema import RISK_RATINGS
from .status import Settings, budget_rag, budget_variance, settings_for

if TYPE_CHECKING:
    import pandas as pd

Row = dict[str, Any]

BUDGET_COLUMNS = ("service", "division", "net_budget", "forecast", "variance", "variance_pct", "rag")
SUMMARY_COLUMNS = (
    "label", "level", "employee", "non_employee", "gross_expenditure", "gross_income", "net_budget", "forecast",
    "variance",
)
_SUMMED = SUMMARY_COLUMNS[2:]
ROUNDING = 1.0  # £000: reconciliation and service table may differ by this much through rounding


def missing(x: object) -> bool:
    """None, NaN or NaT (a blank in a DataFrame), as ``pandas.isna`` says of one value."""
    if x is None:
        return True
    try:
        return bool(x != x)  # noqa: PLR0124 - NaN and NaT are the values not equal to themselves
    except TypeError:  # pandas.NA: its comparisons are NA, which has no truth value
        return True


def frame(rows: list[Row], columns) -> pd.DataFrame:
    """``rows`` as the app's DataFrame: the given columns in order, every value kept as it is (dtype object)."""
    import pandas as pd

    return pd.DataFrame([tuple(row[c] for c in columns) for row in rows], columns=list(columns), dtype=object)


def format_money(x: float | None, decimals: int = 0) -> str:
    """``1,234``; negatives in brackets ``(165)``; ``""`` for None.

    Rounded half away from zero, as Excel shows the figure (57.5 -> 58); a value that rounds to zero shows as ``0``.
    """
    if missing(x):
        return ""
    shown = Decimal(str(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{abs(shown):,.{decimals}f}"
    return f"({text})" if shown < 0 else text


def format_money_m(x: float | None) -> str:
    """£m with three decimals, as the savings table shows them: ``0.132``, ``(0.050)``."""
    return format_money(x, 3)


def _sum(values: Iterable[float | None]) -> float | None:
    """Sum of the values present; None when none is."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _key(name: str) -> str:
    return " ".join(name.replace("&", " and ").split()).casefold()


def _ordered(names: Iterable[str]) -> list[str]:
    """Distinct names in first-seen order."""
    return list(dict.fromkeys(names))


# ---------------------------------------------------------------------------------------------------------------
# Service budgets


def budget_rows(wb: PortfolioWorkbook, settings: Settings | None = None) -> list[Row]:
    """One row per service, in workbook order: net budget, forecast, variance (+ = overspend), % of |net|, RAG."""
    settings = settings or settings_for(wb)
    rows = []
    for line in wb.budget:
        variance = budget_variance(line.net_budget, line.forecast)
        pct = None
        if variance is not None and line.net_budget:
            pct = variance / abs(line.net_budget) * 100
        rag = budget_rag(line.net_budget, line.forecast, settings).value
        rows.append(dict(zip(BUDGET_COLUMNS, (line.service, line.division, line.net_budget, line.forecast, variance,
                                              pct, rag))))
    return rows


def budget_table(wb: PortfolioWorkbook, settings: Settings | None = None) -> pd.DataFrame:
    """:func:`budget_rows` as a DataFrame."""
    return frame(budget_rows(wb, settings), BUDGET_COLUMNS)


VARIANCE_COLUMNS = ("service", "division", "variance", "rag", "commentary")


def variance_rows(wb: PortfolioWorkbook, settings: Settings | None = None) -> list[Row]:
    """The services with a forecast variance, largest first (either way): service, division, variance (£000, +
    = overspend), rag, commentary (as the officer wrote it; empty when none). The app and the packs show variances
    with their explanations from here."""
    rows = [dict(zip(VARIANCE_COLUMNS, (line.service, line.division, row["variance"], row["rag"],
                                        line.commentary.strip())))
            for line, row in zip(wb.budget, budget_rows(wb, settings))
            if row["variance"] is not None and round(float(row["variance"]), 6) != 0]
    rows.sort(key=lambda r: -abs(float(r["variance"])))
    return rows


def variance_commentary(wb: PortfolioWorkbook, settings: Settings | None = None) -> pd.DataFrame:
    """:func:`variance_rows` as a DataFrame."""
    return frame(variance_rows(wb, settings), VARIANCE_COLUMNS)


def _totals(label: str, level: str, lines: list) -> dict:
    row = {"label": label, "level": level}
    for name in ("employee", "non_employee", "gross_expenditure", "gross_income", "net_budget", "forecast"):
        row[name] = _sum(getattr(line, name) for line in lines)
    row["variance"] = _sum(budget_variance(line.net_budget, line.forecast) for line in lines)
    return row


def summary_rows(wb: PortfolioWorkbook) -> list[Row]:
    """Division sub-totals (level ``division``, in first-seen order) then the portfolio total (level ``total``).

    Forecast and variance add up the services that have a forecast; they are None when no service has one.
    """
    rows = []
    for division in _ordered(line.division for line in wb.budget):
        lines = [line for line in wb.budget if line.division == division]
        rows.append(_totals(division, "division", lines))
    rows.append(_totals(f"{wb.portfolio.portfolio or 'Portfolio'} Total", "total", list(wb.budget)))
    return rows


def budget_summary(wb: PortfolioWorkbook) -> pd.DataFrame:
    """:func:`summary_rows` as a DataFrame."""
    return frame(summary_rows(wb), SUMMARY_COLUMNS)


def budget_total(wb: PortfolioWorkbook) -> dict:
    """The portfolio total row of :func:`budget_summary` as a dict."""
    return _totals("Total", "total", list(wb.budget))


# ---------------------------------------------------------------------------------------------------------------
# Cash-limit reconciliation


@dataclass(frozen=True)
class ReconLine:
    label: str
    kind: str  # "opening", "item", "subtotal" or "closing"
    amounts: tuple[float, ...]  # per division, in the order of Reconciliation.divisions
    category: str = ""

    @property
    def total(self) -> float:
        return sum(self.amounts)


@dataclass(frozen=True)
class ReconCheck:
    """The reconciliation's closing figure for a division against the sum of its services' net budgets."""

    division: str
    closing: float
    service_total: float | None  # None when no service in the Budget sheet names this division
    difference: float | None  # closing - service_total

    @property
    def agrees(self) -> bool:
        """Within ±1 (£000) rounding."""
        return self.difference is not None and abs(round(self.difference, 6)) <= ROUNDING


@dataclass(frozen=True)
class Reconciliation:
    divisions: tuple[str, ...]
    lines: tuple[ReconLine, ...]  # opening, items with category sub-totals, closing
    checks: tuple[ReconCheck, ...]

    @property
    def closing(self) -> ReconLine:
        return self.lines[-1]

    @property
    def agrees(self) -> bool:
        return all(c.agrees for c in self.checks)


def _is_opening(category: str) -> bool:
    return _key(category) == "opening"


def reconciliation(wb: PortfolioWorkbook) -> Reconciliation:
    """Opening budget, each change with a sub-total per category, and the computed closing budget per division.

    The opening line is the one whose Category is ``Opening`` (else the first line). Lines without a category
    stand alone. The closing budget of each division is checked against its services in the Budget sheet.
    """
    divisions = tuple(wb.budget_divisions)
    changes = list(wb.budget_changes)

    def amounts(change) -> tuple[float, ...]:
        given = {_key(name): value for name, value in change.amounts}
        return tuple(given.get(_key(d)) or 0.0 for d in divisions)

    opening_at = next((i for i, c in enumerate(changes) if _is_opening(c.category)), 0)
    lines: list[ReconLine] = []
    if changes:
        opening = changes.pop(opening_at)
        lines.append(ReconLine(opening.item, "opening", amounts(opening), opening.category))
    for category in _ordered(c.category for c in changes):
        group = [c for c in changes if c.category == category]
        lines.extend(ReconLine(c.item, "item", amounts(c), c.category) for c in group)
        if category.strip():
            subtotal = tuple(sum(col) for col in zip(*(amounts(c) for c in group)))
            lines.append(ReconLine(f"Total {category.strip()}", "subtotal", subtotal, category))
    body = [line for line in lines if line.kind in ("opening", "item")]
    closing = tuple(sum(col) for col in zip(*(line.amounts for line in body))) if body else (0.0,) * len(divisions)
    year = wb.portfolio.financial_year
    lines.append(ReconLine(f"{year} Budget".strip() if year else "Closing budget", "closing", closing))
    return Reconciliation(divisions, tuple(lines), _checks(wb, divisions, closing))


def _checks(wb: PortfolioWorkbook, divisions: tuple[str, ...], closing: tuple[float, ...]) -> tuple[ReconCheck, ...]:
    by_division: dict[str, list[float | None]] = {}
    for line in wb.budget:
        by_division.setdefault(_key(line.division), []).append(line.net_budget)
    checks = []
    for division, amount in zip(divisions, closing):
        nets = by_division.get(_key(division))
        service_total = _sum(nets) if nets is not None else None
        if nets is not None and service_total is None:
            service_total = 0.0
        difference = None if service_total is None else amount - service_total
        checks.append(ReconCheck(division, amount, service_total, difference))
    return tuple(checks)


# ---------------------------------------------------------------------------------------------------------------
# Reserves, savings, capital


RESERVE_COLUMNS = ("division", "category", "narration", "to_be_used_for", "approved_use", "not_drawn_down")


def reserves_rows(wb: PortfolioWorkbook) -> list[Row]:
    """Each reserve: division, category, narration, to be used for, approved use (£000), not drawn down."""
    return [dict(zip(RESERVE_COLUMNS, (r.division, r.category, r.narration, r.to_be_used_for, r.approved_use,
                                       r.not_drawn_down))) for r in wb.reserves]


def reserves_table(wb: PortfolioWorkbook) -> pd.DataFrame:
    """:func:`reserves_rows` as a DataFrame."""
    return frame(reserves_rows(wb), RESERVE_COLUMNS)


def reserves_by_rows(wb: PortfolioWorkbook, field: str) -> list[Row]:
    """Approved use totals by ``division`` or ``category`` (first-seen order), with the amount not drawn down."""
    rows = []
    for name in _ordered(getattr(r, field) for r in wb.reserves):
        group = [r for r in wb.reserves if getattr(r, field) == name]
        rows.append({field: name, "approved_use": _sum(r.approved_use for r in group) or 0.0,
                     "not_drawn_down": _sum(r.approved_use for r in group if r.not_drawn_down) or 0.0,
                     "count": len(group)})
    return rows


def reserves_by(wb: PortfolioWorkbook, field: str) -> pd.DataFrame:
    """:func:`reserves_by_rows` as a DataFrame."""
    return frame(reserves_by_rows(wb, field), (field, "approved_use", "not_drawn_down", "count"))


def reserves_total(wb: PortfolioWorkbook) -> float:
    return _sum(r.approved_use for r in wb.reserves) or 0.0


def _risk_order(risks: Iterable[str]) -> list[str]:
    seen = _ordered(risks)
    return [r for r in RISK_RATINGS if r in seen] + [r for r in seen if r not in RISK_RATINGS]


SAVINGS_RISK_COLUMNS = ("risk", "identified_m", "achieved_m", "count")
SAVINGS_DIVISION_COLUMNS = ("division", "identified_m", "achieved_m")


def savings_risk_rows(wb: PortfolioWorkbook) -> list[Row]:
    """Savings identified and achieved (£m) by risk rating (Green, Amber, Red, then any other), and a Total row."""
    rows = []
    for risk in _risk_order(s.risk for s in wb.savings):
        group = [s for s in wb.savings if s.risk == risk]
        rows.append(dict(zip(SAVINGS_RISK_COLUMNS, (risk, _sum(s.identified_m for s in group) or 0.0,
                                                    _sum(s.achieved_m for s in group) or 0.0, len(group)))))
    rows.append(dict(zip(SAVINGS_RISK_COLUMNS, ("Total", savings_identified(wb), savings_achieved(wb),
                                                len(wb.savings)))))
    return rows


def savings_by_risk(wb: PortfolioWorkbook) -> pd.DataFrame:
    """:func:`savings_risk_rows` as a DataFrame."""
    return frame(savings_risk_rows(wb), SAVINGS_RISK_COLUMNS)


def savings_division_rows(wb: PortfolioWorkbook) -> list[Row]:
    """Savings identified and achieved (£m) by division, in first-seen order."""
    rows = []
    for division in _ordered(s.division for s in wb.savings):
        group = [s for s in wb.savings if s.division == division]
        rows.append(dict(zip(SAVINGS_DIVISION_COLUMNS, (division, _sum(s.identified_m for s in group) or 0.0,
                                                        _sum(s.achieved_m for s in group) or 0.0))))
    return rows


def savings_by_division(wb: PortfolioWorkbook) -> pd.DataFrame:
    """:func:`savings_division_rows` as a DataFrame."""
    return frame(savings_division_rows(wb), SAVINGS_DIVISION_COLUMNS)


def savings_identified(wb: PortfolioWorkbook) -> float:
    return _sum(s.identified_m for s in wb.savings) or 0.0


def savings_achieved(wb: PortfolioWorkbook) -> float:
    return _sum(s.achieved_m for s in wb.savings) or 0.0


def capital_years(wb: PortfolioWorkbook) -> list[str]:
    return sorted({year for scheme in wb.capital for year, _ in scheme.programme})


def capital_rows(wb: PortfolioWorkbook) -> list[list]:
    """One row per scheme: scheme, funding, the amount (£000) of each of :func:`capital_years` and the scheme
    total; then a Total row."""
    years = capital_years(wb)
    rows = []
    for scheme in wb.capital:
        given = dict(scheme.programme)
        amounts = [given.get(year) for year in years]
        rows.append([scheme.scheme, scheme.funding, *amounts, _sum(amounts) or 0.0])
    totals = [_sum(row[2 + i] for row in rows) or 0.0 for i in range(len(years))]
    rows.append(["Total", "", *totals, sum(totals)])
    return rows


def capital_table(wb: PortfolioWorkbook) -> pd.DataFrame:
    """:func:`capital_rows` as a DataFrame with the columns scheme, funding, each year and total."""
    import pandas as pd

    return pd.DataFrame(capital_rows(wb), columns=["scheme", "funding", *capital_years(wb), "total"], dtype=object)


# ---------------------------------------------------------------------------------------------------------------
# Headline


@dataclass(frozen=True)
class Headline:
    net_budget: float | None
    forecast: float | None
    variance: float | None
    reserves: float
    savings_identified_m: float
    savings_achieved_m: float


def headline(wb: PortfolioWorkbook) -> Headline:
    """The finance figures a councillor reads first: £000 except savings (£m)."""
    total = budget_total(wb)
    return Headline(
        net_budget=total["net_budget"],
        forecast=total["forecast"],
        variance=total["variance"],
        reserves=reserves_total(wb),
        savings_identified_m=savings_identified(wb),
        savings_achieved_m=savings_achieved(wb),
    )
