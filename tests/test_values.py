"""How officers' cell values are read: table-driven, one row per way of writing a value."""

import pytest

from pprr.model import TargetKind, Value
from pprr.rules.values import (
    UnreadableValue,
    cell_text,
    parse_number,
    parse_target,
    parse_text,
    parse_value,
    parse_yes_no,
    percent_decimals,
)


@pytest.mark.parametrize(
    "text, number, count, period, percent",
    [
        ("10.8% (258)", 10.8, 258, None, True),
        ("0.33 (9)", 0.33, 9, None, False),
        ("1,551 (443)", 1551, 443, None, False),
        ("222 (60) Q4", 222, 60, "Q4", False),
        ("0.1 Dec'20", 0.1, None, "Dec'20", False),
        ("0.6% (61) 15/16 – 17/18", 0.6, 61, "15/16 – 17/18", True),
        ("103.1% (Spring Term 18)", 103.1, None, "Spring Term 18", True),
        ("27.4 per 1000 (2255)", 27.4, 2255, None, False),
        ("378 days", 378, None, None, False),
        ("−0.53", -0.53, None, None, False),
        ("-0.02", -0.02, None, None, False),
        ("12.5%", 12.5, None, None, True),
        ("95.8", 95.8, None, None, False),
        ("  3.1 (194) ", 3.1, 194, None, False),
        ("65.6% (1,177)", 65.6, 1177, None, True),
        ("31.5% (41) 2016/17", 31.5, 41, "2016/17", True),
        ("43.5% (439) Based on Q3-Q4 only", 43.5, 439, "Based on Q3-Q4 only", True),
    ],
)
def test_values_as_officers_write_them(text, number, count, period, percent):
    value = parse_text(text)
    assert value.raw == text.strip()
    assert value.number == pytest.approx(number)
    assert value.count == count
    assert value.period == period
    assert value.percent is percent
    assert value.missing is None


@pytest.mark.parametrize(
    "text", ["Awaiting data", "Awaiting Publication", "Not yet available", "Data not available", "N/A", "NA",
             "awaiting DATA"]
)
def test_missing_values_keep_their_reason(text):
    value = parse_text(text)
    assert value.number is None
    assert value.missing == text


def test_blank_is_missing_with_no_reason():
    assert parse_value(None).missing == ""
    assert parse_text("   ").missing == ""


@pytest.mark.parametrize(
    "stored, fmt, number, raw",
    [(0.958, "0.0%", 95.8, "95.8%"), (0.96, "0%", 96, "96%"), (0.1021, "0.00%", 10.21, "10.21%"),
     (47.4, "General", 47.4, "47.4"), (1850, None, 1850, "1850")],
)
def test_excel_numbers_read_as_the_officer_sees_them(stored, fmt, number, raw):
    value = parse_value(stored, fmt)
    assert value.number == pytest.approx(number)
    assert value.raw == raw
    assert value.percent is ("%" in (fmt or ""))


@pytest.mark.parametrize("text", ["twelve", "Reading 0.3 Writing 0.1", "12.0% 26.0%", "?"])
def test_unreadable_values_are_refused_with_a_message(text):
    with pytest.raises(UnreadableValue) as exc:
        parse_text(text)
    assert str(exc.value)


@pytest.mark.parametrize(
    "cell, kind, number",
    [
        ("Aim to maximise", TargetKind.MAXIMISE, None),
        ("To maximise", TargetKind.MAXIMISE, None),
        ("Aim to minimise", TargetKind.MINIMISE, None),
        ("To minimise", TargetKind.MINIMISE, None),
        ("Maintain performance", TargetKind.MAINTAIN, None),
        ("N/A", TargetKind.NONE, None),
        (None, TargetKind.NONE, None),
        ("Comparator", TargetKind.COMPARATOR, None),
        ("9.5%", TargetKind.NUMBER, 9.5),
        (-0.53, TargetKind.NUMBER, -0.53),
        (0, TargetKind.NUMBER, 0.0),
    ],
)
def test_targets(cell, kind, number):
    target = parse_target(cell)
    assert target.kind is kind
    assert target.number == number


def test_unreadable_target_explains_what_a_target_can_be():
    with pytest.raises(UnreadableValue, match="Aim to maximise"):
        parse_target("soon")


@pytest.mark.parametrize(
    "cell, expected",
    [(None, None), ("", None), (165, 165.0), ("1,234", 1234.0), ("(165)", -165.0), ("*25", None), ("£1.5", 1.5),
     ("-2,348", -2348.0), ("25*", 25.0)],
)
def test_parse_number(cell, expected):
    if cell == "*25":
        with pytest.raises(UnreadableValue):
            parse_number(cell)
        return
    assert parse_number(cell) == expected


@pytest.mark.parametrize("cell, expected", [("Y", True), ("yes", True), ("N", False), (None, False), ("maybe", None)])
def test_yes_no(cell, expected):
    assert parse_yes_no(cell) is expected


@pytest.mark.parametrize("fmt, decimals", [("0%", 0), ("0.0%", 1), ("0.00%", 2), ("General", None), (None, None)])
def test_percent_decimals(fmt, decimals):
    assert percent_decimals(fmt) == decimals


def test_cell_text_has_no_exponent():
    assert cell_text(1e-7) == "0.0000001"
    assert cell_text(12.0) == "12"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("95.8", Value("95.8", number=95.8)),
        ("95.8%", Value("95.8%", number=95.8, percent=True)),
        ("95.8% (258)", Value("95.8% (258)", number=95.8, count=258.0, percent=True)),
        ("0.33 (9)", Value("0.33 (9)", number=0.33, count=9.0)),
        ("-0.5%", Value("-0.5%", number=-0.5, percent=True)),
        ("0.1000000000001", Value("0.1000000000001", number=0.1)),
        ("12 (007)", Value("12 (007)", number=12.0, count=7.0)),
        ("12%(3)", Value("12%(3)", number=12.0, count=3.0, percent=True)),
        ("12 % ( 3 )", Value("12 % ( 3 )", number=12.0, count=3.0, percent=True)),
    ],
)
def test_the_commonest_forms_read_exactly_as_the_general_rules_read_them(text, expected):
    assert parse_text(text) == expected
