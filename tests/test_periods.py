"""The period a value covers, read from its column's year, the measure's Year Basis and the note in the cell.

Every note written in the agreement (the seed) and in the bundled samples is in the table below: a sample that
gains a new kind of note fails :func:`test_every_note_in_the_samples_is_in_the_table` until it is added here.
"""

from pathlib import Path

import pytest

from pprr import load_workbook
from pprr.rules.periods import Period, column_period, value_period
from pprr.rules.values import parse_text

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "sample_data").glob("*.xlsx"))

# column, note, basis, aggregation, reporting period -> label, share of the year, like-for-like kind, age at 2021/22
CASES = [
    # From the seed and the samples
    ("2018/19", "Spring Term 18", "Academic", "Snapshot", "", "Spring Term 2018", 1 / 3, ("term", "Spring"), 4),
    ("2019/20", "Spring Term 19", "Academic", "Snapshot", "", "Spring Term 2019", 1 / 3, ("term", "Spring"), 3),
    ("2021/22", "Autumn Term 21", "Academic", "Snapshot", "", "Autumn Term 2021", 1 / 3, ("term", "Autumn"), 0),
    ("2021/22", "Summer Term 21", "Academic", "Snapshot", "", "Summer Term 2021", 1 / 3, ("term", "Summer"), 1),
    ("2020/21", "Autumn Term 20", "Financial", "Snapshot", "", "Autumn Term 2020", 1 / 3, ("term", "Autumn"), 1),
    ("2021/22", "Summer Term 20/21", "Financial", "Snapshot", "", "Summer Term 2021", 1 / 3, ("term", "Summer"), 1),
    ("2018/19", "15/16 – 17/18", "Academic", "Snapshot", "", "2015/16 – 2017/18", None, ("years", 2), 4),
    ("2019/20", "16/17 – 18/19", "Academic", "Snapshot", "", "2016/17 – 2018/19", None, ("years", 2), 3),
    ("2018/19", "14/15 - 16/17", "Financial", "Snapshot", "", "2014/15 – 2016/17", None, ("years", 2), 5),
    ("2020/21", "Dec'20", "Financial", "Snapshot", "", "Dec 2020", 0.75, ("month", 12), 1),
    ("2018/19", "End of March 19", "Financial", "Snapshot", "", "End of March 2019", 1.0, ("year", "Financial"), 3),
    ("2019/20", "End of March 20", "Financial", "Snapshot", "", "End of March 2020", 1.0, ("year", "Financial"), 2),
    ("2019/20", "Q1 and Q2 2019/20", "Financial", "Cumulative", "", "2019/20 Q1-Q2", 0.5, ("quarters", 1, 2), 2),
    ("2021/22", "Q1 and Q2 2021/22", "Financial", "Cumulative", "Q3 Update", "2021/22 Q1-Q2", 0.5,
     ("quarters", 1, 2), 0),
    ("2021/22", "Q1 2021/22", "Financial", "Cumulative", "Mid-Year", "2021/22 Q1", 0.25, ("quarters", 1, 1), 0),
    ("2019/20", "Based on Q3-Q4 only due to Liquid Logic migration", "Financial", "Snapshot", "", "2019/20 Q3-Q4",
     0.5, ("quarters", 3, 4), 2),
    ("2020/21", "Q1-Q3", "Financial", "Snapshot", "", "2020/21 Q1-Q3", 0.75, ("quarters", 1, 3), 1),
    ("2021/22", "Q1-Q3", "Financial", "Snapshot", "", "2021/22 Q1-Q3", 0.75, ("quarters", 1, 3), 0),
    ("2021/22", "Q1-Q2", "Financial", "Snapshot", "", "2021/22 Q1-Q2", 0.5, ("quarters", 1, 2), 0),
    # A Q4 snapshot is the year-end position: like a full year; a Q4 count is one quarter's.
    ("2018/19", "Q4", "Financial", "Snapshot", "", "2018/19 Q4", 0.25, ("year", "Financial"), 3),
    ("2019/20", "Q4", "Financial", "Cumulative", "", "2019/20 Q4", 0.25, ("quarters", 4, 4), 2),
    ("2019/20", "Q1 2019/20", "Financial", "Snapshot", "", "2019/20 Q1", 0.25, ("quarters", 1, 1), 2),
    ("2021/22", "Q1", "Financial", "Snapshot", "", "2021/22 Q1", 0.25, ("quarters", 1, 1), 0),
    ("2021/22", "Q2", "Financial", "Snapshot", "", "2021/22 Q2", 0.25, ("quarters", 2, 2), 0),
    # A year written in the note is the year the value is for
    ("2018/19", "2016/17", "Financial", "Snapshot", "", "2016/17", 1.0, ("year", "Financial"), 5),
    ("2019/20", "2017/18", "Financial", "Snapshot", "", "2017/18", 1.0, ("year", "Financial"), 4),
    ("2021/22", "2019/20", "Financial", "Snapshot", "", "2019/20", 1.0, ("year", "Financial"), 2),
    ("2018/19", "18/19", "Academic", "Snapshot", "", "2018/19 academic", 1.0, ("year", "Academic"), 3),
    # Year to date: the quarters up to the report's period, in the report's own year
    ("2021/22", "YTD", "Financial", "Cumulative", "Q3 Update", "2021/22 Q1-Q3", 0.75, ("quarters", 1, 3), 0),
    ("2021/22", "year to date", "Financial", "Cumulative", "Mid-Year", "2021/22 Q1-Q2", 0.5, ("quarters", 1, 2), 0),
    ("2021/22", "YTD", "Financial", "Cumulative", "Annual", "2021/22", 1.0, ("year", "Financial"), 0),
    ("2021/22", "YTD", "Financial", "Cumulative", "Agreement", "2021/22 YTD", None, ("ytd",), 0),
    ("2020/21", "YTD", "Financial", "Cumulative", "Q3 Update", "2020/21 YTD", None, ("ytd",), 1),
    # No note: the column's year on the measure's basis; a count for the report's year is the year to date
    ("2021/22", None, "Financial", "Snapshot", "Q3 Update", "2021/22", 1.0, ("year", "Financial"), 0),
    ("2021/22", None, "Financial", "Cumulative", "Q3 Update", "2021/22 Q1-Q3", 0.75, ("quarters", 1, 3), 0),
    ("2021/22", None, "Financial", "Cumulative", "Q1", "2021/22 Q1", 0.25, ("quarters", 1, 1), 0),
    ("2021/22", None, "Financial", "Cumulative", "Annual", "2021/22", 1.0, ("year", "Financial"), 0),
    ("2020/21", None, "Financial", "Cumulative", "Q3 Update", "2020/21", 1.0, ("year", "Financial"), 1),
    ("2021/22", None, "Academic", "Snapshot", "Q3 Update", "2021/22 academic", 1.0, ("year", "Academic"), 0),
    ("2020/21", None, "Calendar", "Snapshot", "", "2020", 1.0, ("year", "Calendar"), 1),
    # Words that are not periods change nothing
    ("2021/22", "provisional", "Financial", "Snapshot", "", "2021/22", 1.0, ("year", "Financial"), 0),
    ("2021/22", "decreased 20%", "Financial", "Snapshot", "", "2021/22", 1.0, ("year", "Financial"), 0),
]


@pytest.mark.parametrize(("column", "note", "basis", "aggregation", "reporting", "label", "share", "like", "age"),
                         CASES, ids=[f"{c[0]} {c[1]} {c[2]} {c[3]} {c[4]}" for c in CASES])
def test_period(column, note, basis, aggregation, reporting, label, share, like, age):
    period = value_period(column, note, basis, aggregation, "2021/22", reporting)
    assert period.label == label
    assert period.fraction == (pytest.approx(share) if share is not None else None)
    assert period.like(aggregation) == like
    assert period.age("2021/22") == age
    assert str(period) == label


@pytest.mark.parametrize(("raw", "note"), [
    ("103.1% (Spring Term 18)", "Spring Term 18"),
    ("0.6% (61) 15/16 – 17/18", "15/16 – 17/18"),
    ("0.1 Dec'20", "Dec'20"),
    ("27.4 per 1000 (2255) End of March 19", "End of March 19"),
    ("858 (245) Q1 and Q2 2019/20", "Q1 and Q2 2019/20"),
    ("43.5% (439) Based on Q3-Q4 only due to Liquid Logic migration",
     "Based on Q3-Q4 only due to Liquid Logic migration"),
    ("55.9% (589) Q1-Q3", "Q1-Q3"),
    ("222 (60) Q4", "Q4"),
    ("252 (60) Q1 2019/20", "Q1 2019/20"),
    ("31.5% (41) 2016/17", "2016/17"),
    ("1.17 18/19", "18/19"),
])
def test_the_value_reader_hands_the_note_to_the_period(raw, note):
    assert parse_text(raw).period == note
    assert any(case[1] == note for case in CASES)


def test_every_note_in_the_samples_is_in_the_table():
    notes = {case[1] for case in CASES}
    seen = set()
    for path in SAMPLES:
        for measure in load_workbook(path).measures:
            seen |= {value.period for _, value in measure.actuals if value.period}
    assert seen, "the samples carry period notes"
    assert seen <= notes, sorted(seen - notes)


def test_a_column_that_is_not_a_year_has_no_period():
    assert value_period("Latest", "Q4") is None
    assert column_period("2021-22") is None
    assert column_period("2021/22", "Financial") == Period(2021)


def test_an_unknown_basis_is_read_as_financial():
    assert column_period("2021/22", "Fiscal").basis == "Financial"


def test_age_without_a_report_year_is_unknown():
    assert Period(2018).age("") is None
