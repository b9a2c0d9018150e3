"""The benchmark's workbook generator writes valid, realistic workbooks in the template."""

from __future__ import annotations

import io
from collections import Counter

import openpyxl
import pytest

import pprr
from bench.generate import actual_years, generate_workbook, priority_count
from pprr import schema
from pprr.model import TargetKind
from pprr.rules.status import Status, rate_measures, settings_for


@pytest.fixture(scope="module")
def data() -> bytes:
    return generate_workbook(50, seed=3)


@pytest.fixture(scope="module")
def wb(data: bytes) -> pprr.PortfolioWorkbook:
    return pprr.load_workbook(data)


@pytest.fixture(scope="module")
def book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_loads_with_no_problems_at_all(wb):
    assert wb.problems == ()


def test_every_template_sheet_is_written_in_order(book):
    assert book.sheetnames == [s.name for s in schema.SHEETS]


def test_measure_count_and_codes_unique_per_cohort(wb):
    assert len(wb.measures) == 50
    assert len({m.key for m in wb.measures}) == 50


@pytest.mark.parametrize("n", [1, 2, 7, 333])
def test_exact_measure_count_for_any_size(n):
    book = openpyxl.load_workbook(io.BytesIO(generate_workbook(n, seed=n)), read_only=True)
    rows = list(book[schema.MEASURES.name].iter_rows(min_row=2, values_only=True))
    assert len(rows) == n
    assert len({(r[0], r[1]) for r in rows}) == n


def test_cohorts_share_a_code():
    wb = pprr.load_workbook(generate_workbook(400, seed=1))
    cohorts_per_code = Counter(m.code for m in wb.measures if m.cohort)
    assert cohorts_per_code and all(n >= 2 for n in cohorts_per_code.values())
    assert {"EHC Plan", "SEN Support"} <= {m.cohort for m in wb.measures}


def test_values_as_officers_write_them():
    wb = pprr.load_workbook(generate_workbook(400, seed=2))
    values = [v for m in wb.measures for _, v in m.actuals]
    assert any(v.percent and v.count is not None and "%" in v.raw for v in values)  # "10.8% (258)"
    assert any(v.percent and v.count is None and v.raw.endswith("%") for v in values)
    assert any(v.period for v in values)  # "222 (60) Q4"
    assert {v.missing for v in values} >= {"Awaiting data", "N/A", "Not yet available"}
    kinds = {m.target.kind for m in wb.measures}
    assert {TargetKind.NUMBER, TargetKind.MAXIMISE, TargetKind.MINIMISE, TargetKind.MAINTAIN,
            TargetKind.NONE} <= kinds
    assert {m.unit for m in wb.measures} == set(schema.UNITS)
    statuses = {r.status for r in rate_measures(wb.measures, settings_for(wb))}
    assert statuses == set(Status)


def test_percentages_stored_as_excel_numbers_read_as_shown(book, wb):
    ws = book[schema.MEASURES.name]
    header = [c.value for c in ws[1]]
    year_col = header.index(schema.actual_header("2018/19"))
    cell = next(r[year_col] for r in ws.iter_rows(min_row=2) if isinstance(r[year_col].value, float)
                and r[year_col].number_format == "0.0%")
    measure = next(m for m in wb.measures if m.row == cell.row)
    value = dict(measure.actuals)["2018/19"]
    assert value.percent and value.number == pytest.approx(cell.value * 100)


def test_actual_years_end_with_the_financial_year(wb):
    assert wb.actual_years == ("2018/19", "2019/20", "2020/21", "2021/22")
    assert actual_years("2021/22", 3) == ["2019/20", "2020/21", "2021/22"]
    three = pprr.load_workbook(generate_workbook(10, n_years=3))
    assert three.actual_years == ("2019/20", "2020/21", "2021/22")


@pytest.mark.parametrize(("n", "expected"), [(1, 5), (50, 5), (300, 6), (1000, 20), (10_000, 20)])
def test_priority_count_between_5_and_20(n, expected):
    assert priority_count(n) == expected


def test_every_measure_belongs_to_a_priority(wb):
    numbers = {p.number for p in wb.priorities}
    assert {m.priority for m in wb.measures} <= numbers


def test_budget_lines_add_up():
    wb = pprr.load_workbook(generate_workbook(200, n_budget=30, seed=4))
    assert len(wb.budget) == 30
    assert 2 <= len({b.division for b in wb.budget}) <= 6
    for line in wb.budget:
        assert line.employee + line.non_employee == line.gross_expenditure
        assert line.gross_expenditure + line.gross_income == line.net_budget
        assert line.forecast is not None


def test_reconciliation_reaches_each_divisions_net_budget(wb):
    for i, division in enumerate(wb.budget_divisions):
        closing = sum(change.amounts[i][1] for change in wb.budget_changes)
        assert closing == sum(b.net_budget for b in wb.budget if b.division == division)
    assert wb.budget_changes[0].category == "Opening"


def test_reserves_savings_capital_present(wb):
    assert wb.reserves and wb.savings and wb.capital and wb.glossary
    assert all(s.achieved_m <= s.identified_m for s in wb.savings)


def test_same_seed_same_bytes_other_seed_other_workbook():
    assert generate_workbook(30, seed=5) == generate_workbook(30, seed=5)
    assert generate_workbook(30, seed=5) != generate_workbook(30, seed=6)


@pytest.mark.parametrize("kwargs", [{"n_measures": 0}, {"n_measures": 5, "n_years": 2}])
def test_rejects_impossible_sizes(kwargs):
    with pytest.raises(ValueError):
        generate_workbook(**kwargs)
