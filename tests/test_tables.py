import csv
import io

import pytest
from workbooks import MEASURES, make_workbook

from pprr import load_workbook
from pprr.report.tables import STATUS_COLUMNS, csv_cell, status_frame, status_rows, write_csv
from pprr.rules.status import Settings, rate_measures


@pytest.fixture(scope="module")
def wb():
    rows = [dict(m) for m in MEASURES]
    rows[0]["2020/21 Actual"] = "9.55% (240) Q4"
    rows[1]["PI Name"] = '=HYPERLINK("http://evil","x")'
    return load_workbook(make_workbook(measures=rows, portfolio={"Tolerance %": 1}))


def test_status_rows_columns_and_values(wb):
    rows = status_rows(wb)
    assert [list(r) for r in rows] == [list(STATUS_COLUMNS)] * len(wb.measures)
    first = rows[0]
    assert first == {
        "code": "CFSE.1", "cohort": "", "priority": 1, "name": "Children in low income families",
        "latest_period": "2020/21 Q4", "actual": "9.55% (240) Q4", "target": "9.5%", "status": "Amber",
        "trend": "Declining", "reason": first["reason"], "data_period": "2020/21 Q4", "out_of_date": "No",
    }
    assert first["reason"].startswith("9.55% (2020/21 Q4) vs target 9.5%")
    reading = next(r for r in rows if r["cohort"] == "Reading")
    assert (reading["latest_period"], reading["actual"], reading["trend"]) == ("2019/20", "0.2", "")
    assert (reading["data_period"], reading["out_of_date"], reading["status"]) == ("2019/20", "Yes", "Out of date")


def test_status_rows_use_the_workbook_tolerance(wb):
    # CFSE.5: 98% vs 99% is amber at 5% but red at the workbook's 1%
    assert status_rows(wb)[1]["status"] == "Red"
    assert status_rows(wb, rate_measures(wb.measures, Settings(tolerance_pct=5)))[1]["status"] == "Amber"


def test_status_frame(wb):
    frame = status_frame(wb)
    assert list(frame.columns) == list(STATUS_COLUMNS)
    assert len(frame) == len(wb.measures)


def test_write_csv_neutralises_formulas(wb):
    buffer = io.StringIO()
    write_csv(status_rows(wb), buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows[0] == list(STATUS_COLUMNS)
    assert rows[2][3] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert len(rows) == len(wb.measures) + 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ""), (float("nan"), ""), (3.5477847564123, "3.5477847564"), (-94.0, "-94"), (5, 5), ("@x", "'@x")],
)
def test_csv_cell(value, expected):
    assert csv_cell(value) == expected


def test_write_csv_with_other_columns_and_no_rows():
    buffer = io.StringIO()
    write_csv([], buffer, ("a", "b"))
    assert buffer.getvalue().splitlines() == ["a,b"]
