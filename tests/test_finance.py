"""Finance maths: service variances and RAG, totals, the cash-limit reconciliation, reserves, savings, capital."""

from __future__ import annotations

import pytest

from pprr.model import (
    BudgetChange,
    BudgetLine,
    CapitalScheme,
    Portfolio,
    PortfolioWorkbook,
    Reserve,
    Saving,
)
from pprr.rules import finance
from pprr.rules.status import Settings


def _line(service, division, net, forecast=None, **more) -> BudgetLine:
    return BudgetLine(row=2, service=service, division=division, net_budget=net, forecast=forecast, **more)


def _workbook(**parts) -> PortfolioWorkbook:
    parts.setdefault("portfolio", Portfolio(portfolio="Test Portfolio", financial_year="2021/22"))
    return PortfolioWorkbook(**parts)


BUDGET = (
    _line("Placements", "Children", 1000, 1100, employee=100, non_employee=900, gross_expenditure=1000,
          gross_income=0),
    _line("Fostering", "Children", 500, 490, employee=300, non_employee=250, gross_expenditure=550,
          gross_income=-50),
    _line("School Improvement", "Education", -165, -165, employee=10, non_employee=5, gross_expenditure=15,
          gross_income=-180),
    _line("Transport", "Education", 0, 20),
    _line("New service", "Education", 200, None),
)


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (1234, 0, "1,234"),
        (-165, 0, "(165)"),
        (-2348.4, 0, "(2,348)"),
        (0, 0, "0"),
        (-0.2, 0, "0"),
        (None, 0, ""),
        (44511, 0, "44,511"),
        (0.132, 3, "0.132"),
        (-0.05, 3, "(0.050)"),
        (1234567.891, 2, "1,234,567.89"),
        (57.5, 0, "58"),  # half away from zero, as Excel shows it
        (-2.5, 0, "(3)"),
        (0.0005, 3, "0.001"),
        (float("nan"), 0, ""),
    ],
)
def test_format_money(value, decimals, shown):
    assert finance.format_money(value, decimals) == shown


def test_format_money_m_has_three_decimals():
    assert finance.format_money_m(0.07) == "0.070"
    assert finance.format_money_m(-1.5) == "(1.500)"
    assert finance.format_money_m(None) == ""


def test_budget_table_columns_and_rows_in_workbook_order():
    table = finance.budget_table(_workbook(budget=BUDGET))
    assert tuple(table.columns) == ("service", "division", "net_budget", "forecast", "variance", "variance_pct",
                                    "rag")
    assert list(table["service"]) == [line.service for line in BUDGET]


@pytest.mark.parametrize(
    ("service", "variance", "pct", "rag"),
    [
        ("Placements", 100, 10.0, "Red"),  # 100k overspend: red at the lower of 5% (50) and 100
        ("Fostering", -10, -2.0, "Green"),
        ("School Improvement", 0, 0.0, "Green"),  # negative budget: percentage of |net budget|
        ("Transport", 20, None, "Red"),  # zero budget: no percentage, any overspend is at least 5% of 0
        ("New service", None, None, "No data"),
    ],
)
def test_budget_table_variance_pct_and_rag(service, variance, pct, rag):
    table = finance.budget_table(_workbook(budget=BUDGET)).set_index("service")
    row = table.loc[service]
    assert row["variance"] == variance
    assert row["variance_pct"] == pct
    assert row["rag"] == rag


def test_budget_table_uses_the_settings_given():
    wb = _workbook(budget=(_line("A", "D", 1000, 1030),))
    assert finance.budget_table(wb)["rag"][0] == "Amber"
    assert finance.budget_table(wb, Settings(budget_red_abs=25))["rag"][0] == "Red"


def test_budget_summary_subtotals_divisions_and_total():
    summary = finance.budget_summary(_workbook(budget=BUDGET)).set_index("label")
    assert list(summary["level"]) == ["division", "division", "total"]
    children, education, total = summary.iloc[0], summary.iloc[1], summary.iloc[2]
    assert (children["net_budget"], children["forecast"], children["variance"]) == (1500, 1590, 90)
    assert children["gross_income"] == -50
    # The service without a forecast counts in the net budget but not in forecast or variance.
    assert (education["net_budget"], education["forecast"], education["variance"]) == (35, -145, 20)
    assert education["employee"] == 10  # services with no figure are left out of the sum
    assert (total["net_budget"], total["variance"]) == (1535, 110)
    assert summary.index[-1] == "Test Portfolio Total"


def test_budget_summary_with_no_forecasts_has_none():
    summary = finance.budget_summary(_workbook(budget=(_line("A", "D", 10),)))
    assert summary["forecast"].tolist() == [None, None]
    assert summary["variance"].tolist() == [None, None]


CHANGES = (
    BudgetChange(2, "Budget at Q3", "Opening", (("Children", 1400.0), ("Education", 30.0))),
    BudgetChange(3, "Demand", "Contingency", (("Children", 80.0), ("Education", None))),
    BudgetChange(4, "Staffing", "Contingency", (("Children", 20.0), ("Education", 10.0))),
    BudgetChange(5, "MTFP savings", "Savings", (("Children", -1.0), ("Education", -4.0))),
    BudgetChange(6, "One-off", "", (("children", 2.0),)),  # division names match case-insensitively
)


def test_reconciliation_lines_subtotals_and_closing():
    wb = _workbook(budget=BUDGET, budget_changes=CHANGES, budget_divisions=("Children", "Education"))
    recon = finance.reconciliation(wb)
    assert [(line.label, line.kind) for line in recon.lines] == [
        ("Budget at Q3", "opening"),
        ("Demand", "item"),
        ("Staffing", "item"),
        ("Total Contingency", "subtotal"),
        ("MTFP savings", "item"),
        ("Total Savings", "subtotal"),
        ("One-off", "item"),
        ("2021/22 Budget", "closing"),
    ]
    assert recon.lines[3].amounts == (100.0, 10.0)
    assert recon.closing.amounts == (1501.0, 36.0)
    assert recon.closing.total == 1537.0


def test_reconciliation_checks_against_service_table_within_rounding():
    wb = _workbook(budget=BUDGET, budget_changes=CHANGES, budget_divisions=("Children", "Education"))
    children, education = finance.reconciliation(wb).checks
    assert (children.closing, children.service_total, children.difference, children.agrees) == (1501, 1500, 1, True)
    assert (education.closing, education.service_total, education.difference, education.agrees) == (36, 35, 1, True)
    changes = CHANGES[:-1] + (BudgetChange(6, "One-off", "", (("Children", 5.0),)),)
    recon = finance.reconciliation(_workbook(budget=BUDGET, budget_changes=changes,
                                             budget_divisions=("Children", "Education")))
    assert recon.checks[0].difference == 4 and not recon.checks[0].agrees
    assert not recon.agrees


def test_reconciliation_reports_a_division_missing_from_the_budget_sheet():
    changes = (BudgetChange(2, "Opening budget", "Opening", (("Schools", 10.0),)),)
    check = finance.reconciliation(_workbook(budget=BUDGET, budget_changes=changes,
                                             budget_divisions=("Schools",))).checks[0]
    assert check.service_total is None and check.difference is None and not check.agrees


def test_reconciliation_without_an_opening_category_opens_with_the_first_line():
    changes = (BudgetChange(2, "Start", "", (("A", 10.0),)), BudgetChange(3, "Add", "", (("A", 5.0),)))
    recon = finance.reconciliation(_workbook(budget_changes=changes, budget_divisions=("A",)))
    assert [line.kind for line in recon.lines] == ["opening", "item", "closing"]
    assert recon.closing.amounts == (15.0,)


RESERVES = (
    Reserve(2, "Education", "Strategic", "Traded", "Music", 97.0),
    Reserve(3, "Education", "Corporate", "Double running", "Transport review", 108.0, not_drawn_down=True),
    Reserve(4, "Children", "Corporate", "Third party", "Partnership", 181.0),
    Reserve(5, "Children", "Directorate", "Flexibility", "Not costed", None),
)


def test_reserves_by_division_and_category():
    wb = _workbook(reserves=RESERVES)
    by_division = finance.reserves_by(wb, "division").set_index("division")
    assert by_division.loc["Education", "approved_use"] == 205
    assert by_division.loc["Education", "not_drawn_down"] == 108
    assert by_division.loc["Children", "approved_use"] == 181
    by_category = finance.reserves_by(wb, "category").set_index("category")
    assert list(by_category.index) == ["Strategic", "Corporate", "Directorate"]
    assert by_category.loc["Corporate", "approved_use"] == 289
    assert by_category.loc["Directorate", "approved_use"] == 0
    assert finance.reserves_total(wb) == 386


SAVINGS = (
    Saving(2, "Education", "Retirement costs", "Green", 0.040, 0.040),
    Saving(3, "Children", "Demand", "Red", 0.070, 0.010),
    Saving(4, "Children", "Vacancies", "Green", 0.022, None),
)


def test_savings_by_risk_in_rating_order_with_total():
    table = finance.savings_by_risk(_workbook(savings=SAVINGS))
    assert list(table["risk"]) == ["Green", "Red", "Total"]
    green, red, total = (table.iloc[i] for i in range(3))
    assert green["identified_m"] == pytest.approx(0.062) and green["achieved_m"] == pytest.approx(0.040)
    assert red["count"] == 1
    assert total["identified_m"] == pytest.approx(0.132) and total["achieved_m"] == pytest.approx(0.050)


def test_savings_by_division():
    table = finance.savings_by_division(_workbook(savings=SAVINGS)).set_index("division")
    assert table.loc["Children", "identified_m"] == pytest.approx(0.092)
    assert table.loc["Children", "achieved_m"] == pytest.approx(0.010)


def test_capital_table_by_year_with_totals():
    capital = (
        CapitalScheme(2, "Short breaks", "Adaptations", (("2021/22", 0.0), ("2022/23", 24.0)), "Grant"),
        CapitalScheme(3, "School roofs", "", (("2022/23", 100.0), ("2023/24", 50.0))),
    )
    table = finance.capital_table(_workbook(capital=capital))
    assert list(table.columns) == ["scheme", "funding", "2021/22", "2022/23", "2023/24", "total"]
    assert table.iloc[1]["2021/22"] is None
    assert table.iloc[-1].tolist() == ["Total", "", 0.0, 124.0, 50.0, 174.0]


def test_headline():
    h = finance.headline(_workbook(budget=BUDGET, reserves=RESERVES, savings=SAVINGS))
    assert (h.net_budget, h.forecast, h.variance, h.reserves) == (1535, 1445, 110, 386)
    assert h.savings_identified_m == pytest.approx(0.132)
    assert h.savings_achieved_m == pytest.approx(0.050)


# The bundled sample ----------------------------------------------------------------------------------------------


def test_sample_budget_reproduces_the_agreement_totals(agreement):
    summary = finance.budget_summary(agreement).set_index("label")
    total = summary.iloc[-1]
    shown = [finance.format_money(x) for x in (
        total["employee"], total["non_employee"], total["gross_expenditure"], total["gross_income"],
        total["net_budget"], summary.loc["Children & Family Services", "net_budget"],
        summary.loc["Education", "net_budget"])]
    assert shown == ["26,300", "32,733", "59,033", "(14,522)", "44,511", "40,240", "4,271"]


def test_sample_reconciliation_agrees_with_the_service_table_within_rounding(agreement):
    recon = finance.reconciliation(agreement)
    assert recon.closing.amounts == (40241, 4271)
    assert recon.lines[0].total == 42480
    assert recon.agrees


def test_sample_reserves_savings_and_capital(agreement):
    by_division = finance.reserves_by(agreement, "division").set_index("division")["approved_use"]
    assert by_division["Education"] == 1108
    savings = finance.savings_by_risk(agreement).set_index("risk")
    assert savings.loc["Total", "identified_m"] == pytest.approx(0.132)
    assert savings.loc["Total", "achieved_m"] == pytest.approx(0.132)
    capital = finance.capital_table(agreement).iloc[-1]
    assert (capital["2021/22"], capital["2022/23"]) == (0, 24)


def test_q3_sample_has_a_forecast_for_every_service(q3):
    table = finance.budget_table(q3)
    assert table["forecast"].notna().all()
    assert set(table["rag"]) <= {"Green", "Amber", "Red"}
