import pytest
from workbooks import make_workbook

from pprr import load_workbook
from pprr.model import TargetKind, Value
from pprr.rules.values import UnreadableValue
from pprr.year.edits import Edit, apply_edits, editable_fields, make_edit, net_edits

# rows of tests.workbooks.MEASURES: CFSE.1 at row 2, CFSE.5 row 3, CFSE.8 row 4, CFSE.13 Writing row 5 ...
CFSE1, CFSE5, WRITING = 2, 3, 5


@pytest.fixture(scope="module")
def wb():
    return load_workbook(make_workbook())


def test_editable_fields(wb):
    assert editable_fields(wb, "Measures") == (
        "2019/20 Actual", "2020/21 Actual", "2021/22 Actual", "2021/22 Target", "Commentary",
    )
    assert editable_fields(wb, "budget") == ("Forecast Outturn", "Commentary")
    assert editable_fields(wb, "Priorities") == ("Commentary",)


def test_make_edit_keeps_old_and_new_text_and_label(wb):
    edit = make_edit(wb, "Measures", CFSE1, "2020/21 Actual", " 12.5% ")
    assert edit == Edit("Measures", CFSE1, "2020/21 Actual", "9.1%", "12.5%", "CFSE.1")
    assert make_edit(wb, "measures", WRITING, " 2021/22 TARGET ", "Aim to maximise").label == "CFSE.13 Writing"
    assert make_edit(wb, "Budget", 4, "Forecast Outturn", "(170)").old == "-165"
    assert make_edit(wb, "Priorities", 2, "Commentary", "x").label == "Priority 1"


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("2020/21 Actual", "twelve"),
        ("2020/21 Actual", "12% 14%"),
        ("2021/22 Actual", "soon"),
        ("2021/22 Target", "better"),
    ],
)
def test_unreadable_values_are_refused_with_a_message(wb, field, text):
    with pytest.raises(UnreadableValue, match=text.split()[0]):
        make_edit(wb, "Measures", CFSE1, field, text)


def test_unreadable_forecast_is_refused(wb):
    with pytest.raises(UnreadableValue, match="not a number"):
        make_edit(wb, "Budget", 2, "Forecast Outturn", "lots")


def test_overlong_or_uncellable_commentary_is_refused(wb):
    with pytest.raises(UnreadableValue, match="32,767"):
        make_edit(wb, "Measures", CFSE1, "Commentary", "x" * 40_000)
    with pytest.raises(UnreadableValue, match="control character"):
        make_edit(wb, "Priorities", 2, "Commentary", "bell\x07")


@pytest.mark.parametrize(
    ("sheet", "row", "field"),
    [
        ("Measures", CFSE1, "PI Name"),
        ("Measures", CFSE1, "2017/18 Actual"),  # no such column
        ("Measures", CFSE1, "2020/21 Target"),  # not the financial year's
        ("Budget", 2, "Net Budget"),
        ("Priorities", 2, "Title"),
        ("Reserves", 2, "Approved Use"),
        ("Measures", 99, "Commentary"),
    ],
)
def test_only_editable_cells_can_be_edited(wb, sheet, row, field):
    with pytest.raises(ValueError) as err:
        make_edit(wb, sheet, row, field, "1")
    assert not isinstance(err.value, UnreadableValue)


def test_commentary_is_kept_verbatim_apart_from_surrounding_space_and_line_endings(wb):
    text = "  =HYPERLINK(\"http://x\")\r\n+1 @x -x  "
    assert make_edit(wb, "Measures", CFSE1, "Commentary", text).new == "=HYPERLINK(\"http://x\")\n+1 @x -x"


def test_apply_edits_replaces_only_the_edited_records(wb):
    edits = [
        make_edit(wb, "Measures", CFSE1, "2020/21 Actual", "12.5%"),
        make_edit(wb, "Measures", CFSE1, "2021/22 Target", "Aim to minimise"),
        make_edit(wb, "Budget", 2, "Forecast Outturn", "6,000"),
        make_edit(wb, "Priorities", 3, "Commentary", "Behind plan"),
    ]
    edited = apply_edits(wb, edits)
    measure = edited.measures[0]
    assert dict(measure.actuals)["2020/21"] == Value("12.5%", number=12.5, percent=True)
    assert measure.target.kind is TargetKind.MINIMISE
    assert edited.budget[0].forecast == 6000
    assert edited.priorities[1].commentary == "Behind plan"
    assert edited.measures[1:] == wb.measures[1:]
    assert edited.budget[1:] == wb.budget[1:]
    assert edited.priorities[0] is wb.priorities[0]
    assert edited.actual_years == wb.actual_years
    assert wb.measures[0].actuals[1][1].raw == "9.1%"  # the original is untouched


def test_a_later_edit_of_the_same_cell_wins(wb):
    first = make_edit(wb, "Measures", CFSE5, "Commentary", "first")
    second = make_edit(apply_edits(wb, [first]), "Measures", CFSE5, "Commentary", "second")
    assert second.old == "first"
    assert apply_edits(wb, [first, second]).measures[1].commentary == "second"


def test_in_year_actual_adds_the_year_to_every_measure(wb):
    edited = apply_edits(wb, [make_edit(wb, "Measures", CFSE5, "2021/22 Actual", "99.5%")])
    assert edited.actual_years == ("2019/20", "2020/21", "2021/22")
    assert dict(edited.measures[1].actuals)["2021/22"].number == 99.5
    assert all(len(m.actuals) == 3 and m.actuals[-1][0] == "2021/22" for m in edited.measures)
    assert dict(edited.measures[0].actuals)["2021/22"] == Value("", missing="")


def test_apply_edits_with_no_edits_is_the_same_workbook(wb):
    assert apply_edits(wb, []) is wb


def test_apply_edits_refuses_an_edit_of_a_missing_row(wb):
    with pytest.raises(ValueError, match="row"):
        apply_edits(wb, [Edit("Budget", 40, "Forecast Outturn", "", "1", "x")])


def _edit(row, old, new, field="Commentary"):
    return Edit("Measures", row, field, old, new, f"M{row}")


def test_net_edits_keeps_first_old_and_last_new_per_cell():
    log = [_edit(2, "a", "b"), _edit(3, "x", "y"), _edit(2, "b", "c")]
    assert net_edits(log) == [_edit(2, "a", "c"), _edit(3, "x", "y")]


def test_net_edits_drops_cells_back_at_their_original():
    log = [_edit(2, "a", "b"), _edit(3, "x", "y"), _edit(2, "b", "a")]
    assert net_edits(log) == [_edit(3, "x", "y")]


def test_net_edits_tells_fields_apart_by_header_ignoring_case():
    log = [_edit(2, "1", "2", "2020/21 Actual"), _edit(2, "2", "1", "2020/21 actual"), _edit(2, "c", "d")]
    assert net_edits(log) == [_edit(2, "c", "d")]


def test_a_new_year_left_blank_adds_nothing(wb):
    there = make_edit(wb, "Measures", CFSE5, "2021/22 Actual", "99%")
    back = make_edit(apply_edits(wb, [there]), "Measures", CFSE5, "2021/22 Actual", "")
    assert apply_edits(wb, [there, back]).actual_years == wb.actual_years
    assert apply_edits(wb, [back]).measures == wb.measures
