"""Movement between two reports: exactly the cells that differ, and nothing else."""

import csv
import io

import pytest
from workbooks import BUDGET, MEASURES, make_workbook

from pprr import load_workbook
from pprr.cli import main
from pprr.model import Measure, Portfolio, PortfolioWorkbook, Severity
from pprr.rules.status import Status
from pprr.rules.values import parse_target, parse_value
from pprr.year.movement import (
    FINANCE_COLUMNS,
    MEASURE_COLUMNS,
    Change,
    compare,
    finance_rows,
    movement_rows,
    total_sentence,
)


def _edited(rows, changes: dict[tuple[str, str], dict]) -> list[dict]:
    out = []
    for row in rows:
        row = dict(row)
        row.update(changes.get((row["PI Code"], row["Cohort"]), {}))
        out.append(row)
    return out


def _budget(forecasts: dict[str, float]) -> list[dict]:
    return [{**b, "Forecast Outturn": forecasts.get(b["Service"], b["Forecast Outturn"])} for b in BUDGET]


NEW = {**MEASURES[0], "PI Code": "CFSE.99", "PI Name": "A measure added this quarter", "2019/20 Actual": "",
       "2020/21 Actual": "50%", "2021/22 Target": "45%"}


@pytest.fixture(scope="module")
def pair():
    previous = load_workbook(make_workbook(portfolio={"Reporting Period": "Mid-Year"}))
    measures = _edited(MEASURES, {
        ("CFSE.1", ""): {"2020/21 Actual": "10.2%"},  # Green -> Red
        ("CFSE.5", ""): {"2020/21 Actual": "99.5%"},  # Amber -> Green
        ("CFSE.13", "Reading"): {"2020/21 Actual": "0.4"},  # a current figure where only an out-of-date one was
        ("CSFE.45", ""): {},
        ("CFSE.45", ""): {"2020/21 Actual": "340"},  # contextual: revised figure
    })
    measures = [m for m in measures if (m["PI Code"], m["Cohort"]) != ("CFSE.13", "Writing")] + [NEW]
    current = load_workbook(make_workbook(
        measures=measures,
        budget=_budget({"Social Worker Teams": 6150, "School Improvement": -200}),
    ))
    assert previous.ok and current.ok
    return previous, current


def test_movement_is_exactly_the_cells_that_differ(pair):
    m = compare(*pair)
    assert m.ok and m.problems == ()
    assert (m.previous_label, m.current_label) == ("Mid-Year", "Q3 Update")
    changes = {(r.code, r.cohort): r.change for r in m.measures}
    assert changes == {
        ("CFSE.1", ""): Change.WORSENED,
        ("CFSE.5", ""): Change.IMPROVED,
        ("CFSE.8", ""): Change.NO_NEW_DATA,
        ("CFSE.13", "Reading"): Change.NEW_DATA,
        ("CFSE.45", ""): Change.NEW_DATA,
        ("CFSE.99", ""): Change.NEW_MEASURE,
        ("CFSE.13", "Writing"): Change.REMOVED_MEASURE,
    }
    first = m.measures[0]
    assert (first.previous_value.raw, first.value.raw) == ("9.1%", "10.2%")
    assert (first.previous_status, first.status) == (Status.GREEN, Status.RED)
    assert (first.previous_period, first.period) == ("2020/21", "2020/21")
    removed = next(r for r in m.measures if r.change is Change.REMOVED_MEASURE)
    assert (removed.status, removed.value, removed.period) == (None, None, "")
    added = next(r for r in m.measures if r.change is Change.NEW_MEASURE)
    assert (added.previous_status, added.previous_value, added.status) == (None, None, Status.RED)  # low is good


def test_status_counts_before_and_after(pair):
    m = compare(*pair)
    counts = {s: n for s, n in m.status_counts.items() if n != (0, 0)}
    # CFSE.13 Reading's 2019/20 figure was out of date at Mid-Year 2021/22; CFSE.13 Writing (Green) was retired.
    assert counts == {Status.GREEN: (2, 2), Status.AMBER: (2, 1), Status.RED: (0, 2), Status.OUT_OF_DATE: (1, 0),
                      Status.CONTEXTUAL: (1, 1)}


def test_services_move_by_exactly_the_changed_forecasts(pair):
    m = compare(*pair)
    moved = {s.service: s.movement for s in m.services}
    assert moved == {"Social Worker Teams": 50, "External Placements": 0, "School Improvement": -35}
    social = m.services[0]
    assert (social.previous_forecast, social.forecast, social.variance) == (6100, 6150, 6150 - 5891)
    # Portfolio: 209 - 94 + 0 = 115 before, 259 - 94 - 35 = 130 now.
    assert m.total_sentence() == "Forecast overspend £0.130m, £0.015m more than the £0.115m reported at Mid-Year."


@pytest.mark.parametrize(("before", "after", "sentence"), [
    (238, 325, "Forecast overspend £0.325m, £0.087m more than the £0.238m reported at Mid-Year."),
    (339, 162, "Forecast overspend £0.162m, £0.177m less than the £0.339m reported at Mid-Year."),
    (-339, -162, "Forecast underspend £0.162m, £0.177m less than the £0.339m reported at Mid-Year."),
    (100, -50, "Forecast underspend £0.050m, £0.150m better than the £0.100m overspend reported at Mid-Year."),
    (-50, 100, "Forecast overspend £0.100m, £0.150m worse than the £0.050m underspend reported at Mid-Year."),
    (0, 0, "Forecast on budget, unchanged from the balanced budget reported at Mid-Year."),
    (12, 12, "Forecast overspend £0.012m, unchanged from the £0.012m overspend reported at Mid-Year."),
    (None, 40, "Forecast overspend £0.040m; no forecast outturn was reported at Mid-Year."),
    (40, None, "No forecast outturn is given yet; overspend £0.040m was reported at Mid-Year."),
])
def test_total_sentence(before, after, sentence):
    assert total_sentence(before, after, "Mid-Year") == sentence


def test_rows_are_csv_ready(pair):
    m = compare(*pair)
    rows = movement_rows(m)
    assert all(tuple(r) == MEASURE_COLUMNS for r in rows)
    assert rows[0] == {"code": "CFSE.1", "cohort": "", "name": "Children in low income families",
                       "previous_period": "2020/21", "previous_value": "9.1%", "previous_status": "Green",
                       "period": "2020/21", "value": "10.2%", "status": "Red", "change": "Worsened"}
    money = finance_rows(m)
    assert all(tuple(r) == FINANCE_COLUMNS for r in money)
    assert money[2] == {"service": "School Improvement", "division": "Education", "net_budget": -165,
                        "previous_forecast": -165, "forecast": -200, "movement": -35, "variance": -35}


def test_different_portfolios_are_not_compared():
    previous = load_workbook(make_workbook(portfolio={"Portfolio": "Adult Social Care"}))
    current = load_workbook(make_workbook())
    m = compare(previous, current)
    assert not m.ok and m.measures == () and m.services == ()
    (problem,) = m.problems
    assert problem.severity is Severity.ERROR and (problem.sheet, problem.column) == ("Portfolio", "B")
    assert "different portfolios" in problem.message and "Adult Social Care" in problem.message


def test_a_different_year_is_compared_with_a_warning():
    previous = load_workbook(make_workbook(portfolio={"Financial Year": "2020/21", "Reporting Period": "Annual"}))
    m = compare(previous, load_workbook(make_workbook()))
    assert m.ok and len(m.measures) == 6
    assert [p.severity for p in m.problems] == [Severity.WARNING]
    assert "2020/21 before, 2021/22 now" in m.problems[0].message


def test_the_wrong_way_round_is_a_warning():
    later = load_workbook(make_workbook(portfolio={"Reporting Period": "Annual"}))  # against Q3 Update
    m = compare(later, load_workbook(make_workbook()))
    assert "right way round" in m.problems[0].message


def test_a_changed_cohort_split_is_listed_as_removed_and_new_with_a_warning():
    single = {**MEASURES[3], "Cohort": ""}
    previous = load_workbook(make_workbook(measures=[MEASURES[0], single]))
    current = load_workbook(make_workbook(measures=[MEASURES[0], MEASURES[3], MEASURES[4]]))
    m = compare(previous, current)
    assert [(r.label, r.change) for r in m.measures] == [
        ("CFSE.1", Change.NO_NEW_DATA), ("CFSE.13 Writing", Change.NEW_MEASURE),
        ("CFSE.13 Reading", Change.NEW_MEASURE), ("CFSE.13", Change.REMOVED_MEASURE),
    ]
    (warning,) = m.problems
    assert warning.severity is Severity.WARNING and warning.sheet == "Measures" and warning.row == 3
    assert "CFSE.13 was reported as one row with no cohort and is now cohorts Writing, Reading" in warning.message


def test_a_workbook_with_errors_is_a_problem_not_an_exception():
    broken = load_workbook(make_workbook(drop=("Measures",)))
    m = compare(broken, load_workbook(make_workbook()))
    assert not m.ok and "earlier workbook has" in m.problems[0].message


# --- the command ------------------------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path, pair):
    before, after = tmp_path / "mid-year.xlsx", tmp_path / "q3.xlsx"
    before.write_bytes(make_workbook(portfolio={"Reporting Period": "Mid-Year"}))
    measures = _edited(MEASURES, {("CFSE.1", ""): {"2020/21 Actual": "10.2%"}})
    after.write_bytes(make_workbook(measures=measures, budget=_budget({"Social Worker Teams": 6150})))
    return before, after


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_movement_csv(capsys, files):
    before, after = files
    code, out, err = run(capsys, "movement", after, "--since", before, "--format", "csv")
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == MEASURE_COLUMNS
    assert [(r["code"], r["cohort"], r["change"]) for r in rows if r["change"] != "No new data"] == [
        ("CFSE.1", "", "Worsened")]


def test_cli_movement_finance_text_says_the_total(capsys, files):
    before, after = files
    code, out, err = run(capsys, "movement", after, "--since", before, "--finance")
    assert err == ""
    assert code == 0
    assert "Forecast overspend £0.165m, £0.050m more than the £0.115m reported at Mid-Year." in out
    assert "Social Worker Teams" in out
    code, out, _ = run(capsys, "movement", after, "--since", before, "--finance", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == FINANCE_COLUMNS and rows[0]["movement"] == "50"


def test_cli_movement_of_different_portfolios_exits_1_with_the_reason(capsys, tmp_path, files):
    other = tmp_path / "other.xlsx"
    other.write_bytes(make_workbook(portfolio={"Portfolio": "Adult Social Care"}))
    code, out, err = run(capsys, "movement", files[1], "--since", other)
    assert code == 1 and out == ""
    assert "Portfolio!B3: The workbooks are of different portfolios" in err
    assert "Traceback" not in err


def test_cli_movement_since_a_missing_file(capsys, files):
    code, out, err = run(capsys, "movement", files[1], "--since", "nowhere.xlsx")
    assert code == 1 and out == "" and err.strip() == "pprr movement: --since nowhere.xlsx: no such file"


# --- the change rules, one by one ----------------------------------------------------------------------------------

_YEARS = ("2019/20", "2020/21", "2021/22")


def _book(period: str, actuals, target="50", polarity="High", aggregation="Snapshot") -> PortfolioWorkbook:
    m = Measure(row=2, code="T.1", cohort="", name="test", priority=1, measure_type="Council", reported="Quarterly",
                polarity=polarity, actuals=tuple(zip(_YEARS, (parse_value(a) for a in actuals))),
                target=parse_target(target), aggregation=aggregation)
    return PortfolioWorkbook(portfolio=Portfolio(council="C", portfolio="P", financial_year="2021/22",
                                                 reporting_period=period), measures=(m,), actual_years=_YEARS)


@pytest.mark.parametrize(
    ("before", "after", "kwargs", "change"),
    [
        (["40", "", ""], ["40", "", "45"], {}, Change.NEW_DATA),  # out of date, then current (Red both)
        (["", "", "Awaiting data"], ["", "", "55"], {}, Change.NEW_DATA),
        (["", "30", "40"], ["", "30", "44"], {}, Change.IMPROVED),  # Red both; the figure rose, high is good
        (["", "30", "44"], ["", "30", "40"], {}, Change.WORSENED),
        (["", "30", "40"], ["", "30", "40.1"], {}, Change.NO_CHANGE),  # within the 0.5% Stable band
        (["", "30", "40"], ["", "30", "40"], {}, Change.NO_NEW_DATA),
        (["", "30", "40"], ["", "30", "Awaiting data"], {}, Change.NO_NEW_DATA),
        (["", "30", "40"], ["", "30", "60"], {}, Change.IMPROVED),  # Red -> Green
        (["", "30", "60"], ["", "30", "40"], {"target": "N/A", "polarity": "Contextual"}, Change.NEW_DATA),
        # A rate for Q1 and one for Q1-Q2 are not like for like: new data, whatever the numbers.
        (["", "30", "40 Q1"], ["", "30", "44 Q1-Q2"], {"target": "N/A"}, Change.NEW_DATA),
        # A count is compared per full year: 20 for Q1 (80 a year) against 36 for Q1-Q3 (48 a year), low is good.
        (["", "", "20"], ["", "", "36"], {"target": "N/A", "polarity": "Low", "aggregation": "Cumulative"},
         Change.IMPROVED),
    ],
)
def test_change_rules(before, after, kwargs, change):
    previous = _book("Q1", before, **kwargs)
    current = _book("Q3 Update", after, **kwargs)
    (row,) = compare(previous, current).measures
    assert row.change is change
