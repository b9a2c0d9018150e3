"""Reading the bundled samples: every table of the agreement is there, and its own slips are reported."""

import gc

import pytest

from pprr import load_workbook
from pprr.model import Severity, TargetKind
from pprr.workbook.reader import _cycle_collection_paused, _padded


def test_sample_loads_without_errors(agreement, q3):
    assert agreement.errors == ()
    assert q3.errors == ()


def test_portfolio_sheet(agreement, q3):
    p = agreement.portfolio
    assert (p.council, p.financial_year, p.reporting_period, p.version) == (
        "Stockport Metropolitan Borough Council", "2021/22", "Agreement", "1.0")
    assert p.tolerance_pct == 5.0 and not p.illustrative
    assert q3.portfolio.illustrative and q3.portfolio.reporting_period == "Q3 Update"


def test_five_priorities_and_measures_under_each(agreement):
    assert [p.number for p in agreement.priorities] == [1, 2, 3, 4, 5]
    assert {m.priority for m in agreement.measures} == {1, 2, 3, 4, 5}


def test_actual_years(agreement, q3):
    assert agreement.actual_years == ("2018/19", "2019/20", "2020/21")
    assert q3.actual_years == ("2018/19", "2019/20", "2020/21", "2021/22")


def test_cohorts_are_split_into_rows(agreement):
    cohorts = {m.cohort for m in agreement.measures if m.code == "CFSE.13"}
    assert cohorts == {"Reading", "Writing", "Maths"}
    writing = agreement.measure("CFSE.13", "Writing")
    assert writing.target.kind is TargetKind.NUMBER and writing.target.number == 0.0


def test_values_keep_their_text(agreement):
    m = agreement.measure("CFSE.1")
    first = dict(m.actuals)["2018/19"]
    assert (first.raw, first.number, first.count) == ("10.8% (258)", 10.8, 258)
    assert m.target.number == 9.5 and m.target.percent
    assert agreement.measure("CFSE.8").target.kind is TargetKind.MAXIMISE
    awaiting = dict(agreement.measure("CFSE.5").actuals)["2020/21"]
    assert awaiting.missing == "Awaiting data"


def test_source_slips_are_warnings_that_point_at_the_cell(agreement):
    messages = [str(p) for p in agreement.warnings]
    assert any("CSFE.63" in m and "CFSE.63" in m for m in messages)
    assert any("prefix 'CSFE'" in m for m in messages)
    assert any("score" in m and "%" in m for m in messages)
    assert any("'Annual'" in m for m in messages)
    assert all(p.severity is Severity.WARNING for p in agreement.problems)
    assert all(p.sheet and p.row and p.column for p in agreement.problems), "every slip names its cell"


def test_a_text_file_renamed_xlsx_is_one_clear_error():
    wb = load_workbook(b"PI Code,PI Name\nCFSE.1,Mothers smoking\n", filename="measures.xlsx")
    assert len(wb.errors) == 1
    assert wb.measures == ()
    assert "xlsx" in wb.errors[0].message.lower()


def test_a_missing_file_is_a_problem_not_an_exception(tmp_path):
    wb = load_workbook(tmp_path / "nowhere.xlsx")
    assert not wb.ok and wb.errors[0].sheet == "File"


@pytest.mark.parametrize(
    "row, width, padded",
    [([1, 2], 4, [1, 2, None, None]), ([1, 2], 2, [1, 2]), ([1, 2, 3], 2, [1, 2, 3]), ([], 1, [None])],
)
def test_a_short_row_reads_blank_beyond_its_end(row, width, padded):
    assert _padded(row, width) == padded


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_leaves_the_cycle_collector_as_it_found_it(q3_bytes, enabled):
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        with _cycle_collection_paused():
            assert not gc.isenabled()
            with _cycle_collection_paused():
                assert not gc.isenabled()
            assert not gc.isenabled(), "an inner read does not resume collection under an outer one"
        assert gc.isenabled() is enabled
        assert load_workbook(q3_bytes).ok
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
