import dataclasses
import zipfile
from io import BytesIO

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from workbooks import MEASURES, Formatted, make_workbook

from pprr import load_workbook
from pprr.edits import Edit, apply_edits, make_edit
from pprr.schema import norm_header
from pprr.writer import write_edited_workbook

BLANK = (None, "General", "n")
INJECTIONS = ['=HYPERLINK("http://evil.example","click")', "+1", "-x", "@SUM(A1)", "\t=1+1", "=1+1"]


def cells(data: bytes) -> dict[tuple[str, str], tuple]:
    book = openpyxl.load_workbook(BytesIO(data))
    return {
        (ws.title, cell.coordinate): (cell.value, cell.number_format, cell.data_type)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
    }


def differing(before: dict, after: dict) -> set[tuple[str, str]]:
    return {k for k in before.keys() | after.keys() if before.get(k, BLANK) != after.get(k, BLANK)}


def address(data: bytes, edit: Edit) -> tuple[str, str]:
    ws = openpyxl.load_workbook(BytesIO(data))[edit.sheet]
    column = next(c.column for c in ws[1] if norm_header(c.value) == norm_header(edit.field))
    return (edit.sheet, f"{get_column_letter(column)}{edit.row}")


def state(wb):
    return dataclasses.replace(wb, problems=())


def edit_all(data: bytes, changes: list[tuple[str, int, str, str]]):
    """Load, make each edit against the current state, write; return (original wb, edits, output bytes)."""
    wb = load_workbook(data)
    assert wb.ok, wb.errors
    edits = []
    for sheet, row, field, text in changes:
        edits.append(make_edit(apply_edits(wb, edits), sheet, row, field, text))
    return wb, edits, write_edited_workbook(data, wb, edits)


def assert_round_trip(data: bytes, changes: list[tuple[str, int, str, str]]) -> bytes:
    """Re-reading the output shows exactly the edited state, and only the edited cells differ."""
    wb, edits, out = edit_all(data, changes)
    reread = load_workbook(out)
    assert reread.ok, reread.errors
    assert state(reread) == state(apply_edits(wb, edits))
    assert differing(cells(data), cells(out)) == {address(data, e) for e in edits}
    return out


FORMATTED = [dict(m) for m in MEASURES]
FORMATTED[1]["2020/21 Actual"] = Formatted(0.98, "0.0%")  # CFSE.5, row 3
FORMATTED[1]["2021/22 Target"] = Formatted(0.99, "0%")


FORMATTED_BYTES = make_workbook(measures=FORMATTED)


@pytest.fixture(scope="module")
def formatted() -> bytes:
    return FORMATTED_BYTES


def test_round_trip_of_every_kind_of_edit(formatted):
    assert_round_trip(formatted, [
        ("Measures", 2, "2020/21 Actual", "12.5%"),
        ("Measures", 2, "2019/20 Actual", "Awaiting data"),
        ("Measures", 3, "2020/21 Actual", "97.5%"),
        ("Measures", 3, "2021/22 Target", "Maintain performance"),
        ("Measures", 4, "2021/22 Target", "96%"),
        ("Measures", 5, "2020/21 Actual", "222 (60) Q4"),
        ("Measures", 6, "2019/20 Actual", ""),
        ("Measures", 7, "Commentary", "Line one\nline two"),
        ("Budget", 2, "Forecast Outturn", "(170)"),
        ("Budget", 3, "Commentary", "Placements up £0.3m"),
        ("Priorities", 3, "Commentary", "Behind plan"),
    ])


@pytest.mark.parametrize("payload", INJECTIONS)
def test_formula_like_text_stays_inert_text(formatted, payload):
    changes = [("Measures", 2, "Commentary", payload), ("Budget", 2, "Commentary", payload),
               ("Priorities", 2, "Commentary", payload)]
    out = assert_round_trip(formatted, changes)
    book = openpyxl.load_workbook(BytesIO(out))
    for sheet, row, _, _ in changes:
        ws = book[sheet]
        column = next(c.column for c in ws[1] if c.value == "Commentary")
        cell = ws.cell(row, column)
        assert (cell.value, cell.data_type) == (payload.strip(), "s")
    with zipfile.ZipFile(BytesIO(out)) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in zf.read(n) or b"<f " in zf.read(n) for n in sheets)


@pytest.mark.parametrize(
    ("row", "field", "text", "value", "data_type"),
    [
        (3, "2020/21 Actual", "12.5%", 0.125, "n"),  # percentage format kept, number written
        (3, "2020/21 Actual", "12.50%", "12.50%", "s"),  # a number would read back as 12.5%: text kept
        (3, "2020/21 Actual", "10.8% (258)", "10.8% (258)", "s"),
        (3, "2020/21 Actual", "12", "12", "s"),  # 12 in a % cell would show 1200%
        (3, "2021/22 Target", "95%", 0.95, "n"),
        (3, "2021/22 Target", "95.5%", "95.5%", "s"),  # the 0% format would show 96%
        (2, "2020/21 Actual", "95", 95, "n"),  # General format: a number stays a number
        (2, "2020/21 Actual", "95.25", 95.25, "n"),
        (2, "2020/21 Actual", "1,551", "1,551", "s"),
        (2, "2020/21 Actual", "12.5%", "12.5%", "s"),
        (2, "2020/21 Actual", "N/A", "N/A", "s"),
        (2, "2020/21 Actual", "", None, "n"),
    ],
)
def test_values_are_written_as_the_cell_type_that_reads_back_as_typed(formatted, row, field, text, value,
                                                                       data_type):
    out = assert_round_trip(formatted, [("Measures", row, field, text)])
    _, edits, _ = edit_all(formatted, [("Measures", row, field, text)])
    sheet, coordinate = address(formatted, edits[0])
    cell = openpyxl.load_workbook(BytesIO(out))[sheet][coordinate]
    assert (cell.value, cell.data_type) == (value, data_type)
    assert cell.number_format == openpyxl.load_workbook(BytesIO(formatted))[sheet][coordinate].number_format


def test_forecast_is_written_as_a_number(formatted):
    out = assert_round_trip(formatted, [("Budget", 4, "Forecast Outturn", "(1,234.5)")])
    ws = openpyxl.load_workbook(BytesIO(out))["Budget"]
    assert ws["H4"].value == -1234.5


def test_an_edit_put_back_leaves_the_cell_untouched(formatted):
    wb = load_workbook(formatted)
    there = make_edit(wb, "Measures", 3, "2020/21 Actual", "50%")
    back = make_edit(apply_edits(wb, [there]), "Measures", 3, "2020/21 Actual", "98.0%")
    assert back.new == there.old
    assert differing(cells(formatted), cells(write_edited_workbook(formatted, wb, [there, back]))) == set()


def test_text_longer_than_a_cell_is_refused_not_truncated(formatted):
    wb = load_workbook(formatted)
    edit = Edit("Measures", 2, "Commentary", "", "x" * 32_768, "CFSE.1")
    with pytest.raises(ValueError, match="32,767"):
        write_edited_workbook(formatted, wb, [edit])


def test_commentary_at_the_cell_limit_round_trips(formatted):
    assert_round_trip(formatted, [("Measures", 2, "Commentary", "é" * 32_767)])


def test_no_edits_gives_an_identical_workbook(formatted):
    wb = load_workbook(formatted)
    out = write_edited_workbook(formatted, wb, [])
    assert differing(cells(formatted), cells(out)) == set()
    assert state(load_workbook(out)) == state(wb)


def _with_extras(data: bytes) -> bytes:
    """The workbook with a dropdown, widths, a filter, frozen panes, a conditional format and a merged range."""
    book = openpyxl.load_workbook(BytesIO(data))
    ws = book["Measures"]
    dv = DataValidation(type="list", formula1='"Y,N"', allow_blank=True)
    dv.add("N2:N100")
    ws.add_data_validation(dv)
    ws.column_dimensions["P"].width = 70
    ws.column_dimensions["K"].width = 9
    ws.auto_filter.ref = "A1:P7"
    ws.freeze_panes = "C2"
    ws.conditional_formatting.add("K2:M7", CellIsRule(operator="lessThan", formula=["0"], font=Font(color="FF0000")))
    ws.merge_cells("O9:Q9")
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_in_year_actual_adds_a_column_after_the_last_actual_and_moves_the_rest(formatted):
    data = _with_extras(formatted)
    wb, edits, out = edit_all(data, [("Measures", 3, "2021/22 Actual", "99.2%"),
                                     ("Measures", 4, "2021/22 Actual", "Awaiting data"),
                                     ("Measures", 2, "Commentary", "=still text")])
    reread = load_workbook(out)
    assert state(reread) == state(apply_edits(wb, edits))
    ws = openpyxl.load_workbook(BytesIO(out))["Measures"]
    assert [c.value for c in ws[1]][9:13] == ["2019/20 Actual", "2020/21 Actual", "2021/22 Actual", "2021/22 Target"]
    assert ws["L3"].value == 0.992 and ws["L3"].number_format == "0.0%"  # styled like 2020/21 on its row
    assert ws["L4"].value == "Awaiting data"
    assert ws["Q2"].value == "=still text" and ws["Q2"].data_type == "s"
    assert ws.column_dimensions["Q"].width == 70 and ws.column_dimensions["L"].width == 9
    assert [str(dv.sqref) for dv in ws.data_validations.dataValidation] == ["O2:O100"]
    assert ws.auto_filter.ref == "A1:Q7"
    assert ws.freeze_panes == "C2"
    assert [str(cf.sqref) for cf in ws.conditional_formatting] == ["K2:N7"]
    assert [str(r) for r in ws.merged_cells.ranges] == ["P9:R9"]

    before, after = cells(data), cells(out)
    moved = {}
    for (sheet, coordinate), value in before.items():
        if sheet == "Measures":
            col, row = openpyxl.utils.cell.coordinate_from_string(coordinate)
            index = column_index_from_string(col)
            coordinate = f"{get_column_letter(index + 1 if index >= 12 else index)}{row}"
        moved[(sheet, coordinate)] = value
    new_column = {k for k in after if k[0] == "Measures" and k[1].startswith("L") and k[1][1:].isdigit()}
    assert differing(moved, {k: v for k, v in after.items() if k not in new_column}) == {("Measures", "Q2")}


def test_an_edit_of_a_sheet_that_is_gone_is_refused(formatted):
    wb = load_workbook(formatted)
    edit = make_edit(wb, "Budget", 2, "Commentary", "x")
    with pytest.raises(ValueError, match="no Budget sheet"):
        write_edited_workbook(make_workbook(drop=("Budget",)), wb, [edit])


def test_round_trip_on_the_agreement_sample(agreement_bytes, agreement):
    target_row = agreement.measures[0].row
    changes = [
        ("Measures", target_row, "2021/22 Actual", "8.9% (236)"),
        ("Measures", agreement.measures[5].row, "2021/22 Actual", "Awaiting data"),
        ("Measures", target_row, "Commentary", "=HYPERLINK(\"http://x\")"),
        ("Budget", agreement.budget[0].row, "Forecast Outturn", "60"),
        ("Priorities", agreement.priorities[0].row, "Commentary", "@mention"),
    ]
    wb, edits, out = edit_all(agreement_bytes, changes)
    reread = load_workbook(out)
    assert state(reread) == state(apply_edits(wb, edits))
    assert [p.message for p in reread.problems] == [p.message for p in agreement.problems]


def test_round_trip_on_the_q3_sample(q3_bytes, q3):
    red = q3.measures[10]
    assert_round_trip(q3_bytes, [
        ("Measures", q3.measures[0].row, "2021/22 Actual", "9.9% (250)"),
        ("Measures", red.row, "2021/22 Target", "Aim to maximise"),
        ("Measures", red.row, "Commentary", "-0.2 below target"),
        ("Budget", q3.budget[3].row, "Forecast Outturn", "(2,400)"),
        ("Priorities", q3.priorities[-1].row, "Commentary", "+ improving"),
    ])


ACTUAL_TEXT = st.one_of(
    st.sampled_from(["", "N/A", "Awaiting data", "10.8% (258)", "222 (60) Q4", "0.1 Dec'20", "-0.53"]),
    st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False).map(str),
    st.decimals(min_value=0, max_value=100, places=1, allow_nan=False).map(lambda d: f"{d}%"),
)
TARGET_TEXT = st.one_of(ACTUAL_TEXT, st.sampled_from(["Aim to maximise", "To minimise", "Maintain performance"]))
COMMENT_TEXT = st.one_of(
    st.sampled_from(INJECTIONS),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
)
MEASURE_FIELDS = {"2019/20 Actual": ACTUAL_TEXT, "2020/21 Actual": ACTUAL_TEXT, "2021/22 Actual": ACTUAL_TEXT,
                  "2021/22 Target": TARGET_TEXT, "Commentary": COMMENT_TEXT}


@st.composite
def random_change(draw):
    sheet = draw(st.sampled_from(["Measures", "Budget", "Priorities"]))
    if sheet == "Measures":
        field = draw(st.sampled_from(sorted(MEASURE_FIELDS)))
        return (sheet, draw(st.integers(2, 7)), field, draw(MEASURE_FIELDS[field]))
    if sheet == "Budget":
        field = draw(st.sampled_from(["Forecast Outturn", "Commentary"]))
        text = draw(st.integers(-9999, 99999).map(str) if field == "Forecast Outturn" else COMMENT_TEXT)
        return (sheet, draw(st.integers(2, 4)), field, text)
    return (sheet, draw(st.integers(2, 3)), "Commentary", draw(COMMENT_TEXT))


@settings(max_examples=40, deadline=None)
@given(st.lists(random_change(), min_size=1, max_size=6))
def test_random_edits_round_trip(changes):
    wb, edits, out = edit_all(FORMATTED_BYTES, changes)
    assert state(load_workbook(out)) == state(apply_edits(wb, edits))
