import dataclasses
import re
import zipfile
from io import BytesIO

import openpyxl
import pytest
from defusedxml.ElementTree import fromstring
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.chart import BarChart, Reference
from openpyxl.drawing.image import Image
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook
from workbooks import MEASURES, Formatted, make_workbook

from pprr import load_workbook
from pprr.schema import norm_header
from pprr.workbook.writer import _parse_sheet, _Write, _write_cells, write_edited_workbook
from pprr.year.edits import Edit, apply_edits, make_edit

BLANK = (None, "General", "n")
INJECTIONS = ['=HYPERLINK("http://evil.example","click")', "+1", "-x", "@SUM(A1)", "\t=1+1", "=1+1"]
MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MEASURES_PART, BUDGET_PART = "xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.xml"  # workbooks.py and samples


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
    assert_opens_cleanly(out)
    return out


def assert_opens_cleanly(data: bytes) -> None:
    """Every XML part parses, and both openpyxl and calamine read every sheet."""
    with zipfile.ZipFile(BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                fromstring(zf.read(name))
    openpyxl.load_workbook(BytesIO(data))
    book = CalamineWorkbook.from_filelike(BytesIO(data))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def repack(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The package with parts replaced, dropped (None) or added (at the end)."""
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in {**parts(data), **changes}.items():
            if content is not None:
                zf.writestr(name, content)
    return out.getvalue()


def replace_cell(xml: bytes, ref: str, element: str) -> bytes:
    pattern = re.compile(rb'<c r="%s"[^>]*?(?:/>|>.*?</c>)' % ref.encode(), re.DOTALL)
    assert pattern.search(xml), ref
    return pattern.sub(lambda _: element.encode(), xml, count=1)


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


def test_in_year_actual_is_appended_after_the_last_used_column_and_nothing_moves(formatted):
    data = _with_extras(formatted)
    wb, edits, out = edit_all(data, [("Measures", 3, "2021/22 Actual", "99.2%"),
                                     ("Measures", 4, "2021/22 Actual", "Awaiting data"),
                                     ("Measures", 2, "Commentary", "=still text")])
    reread = load_workbook(out)
    assert state(reread) == state(apply_edits(wb, edits))
    before = openpyxl.load_workbook(BytesIO(data))["Measures"]
    ws = openpyxl.load_workbook(BytesIO(out))["Measures"]
    # The merged range O9:Q9 reaches the last used column, Q, so the new column is R.
    assert before.max_column == 17
    assert [c.value for c in ws[1]] == [c.value for c in before[1]] + ["2021/22 Actual"]
    assert ws["R3"].value == 0.992 and ws["R3"].number_format == "0.0%"  # styled like 2020/21 on its row
    assert ws["R4"].value == "Awaiting data"
    assert ws["P2"].value == "=still text" and ws["P2"].data_type == "s"
    assert ws.column_dimensions["P"].width == 70 and ws.column_dimensions["K"].width == 9
    assert ws.column_dimensions["R"].width == 9  # as wide as 2020/21
    assert [str(dv.sqref) for dv in ws.data_validations.dataValidation] == ["N2:N100"]
    assert ws.auto_filter.ref == "A1:P7"
    assert ws.freeze_panes == "C2"
    assert [str(cf.sqref) for cf in ws.conditional_formatting] == ["K2:M7"]
    assert [str(r) for r in ws.merged_cells.ranges] == ["O9:Q9"]
    assert re.search(rb'<dimension ref="A1:R9"', parts(out)[MEASURES_PART])
    assert differing(cells(data), cells(out)) == {("Measures", ref) for ref in ("P2", "R1", "R3", "R4")}
    assert_opens_cleanly(out)


def test_the_package_is_copied_with_only_the_edited_sheets_changed(q3_bytes, q3):
    _, _, out = edit_all(q3_bytes, [("Budget", q3.budget[0].row, "Commentary", "Agency costs down"),
                                    ("Measures", q3.measures[2].row, "Commentary", "Better")])
    with zipfile.ZipFile(BytesIO(q3_bytes)) as before, zipfile.ZipFile(BytesIO(out)) as after:
        layout = [[(i.filename, i.compress_type, i.date_time) for i in zf.infolist()] for zf in (before, after)]
    assert layout[0] == layout[1]
    old, new = parts(q3_bytes), parts(out)
    assert {name for name in old if old[name] != new[name]} == {MEASURES_PART, BUDGET_PART}


def test_no_edits_returns_the_upload_unchanged(formatted):
    assert write_edited_workbook(formatted, load_workbook(formatted), []) == formatted


def _with_formulas(data: bytes) -> bytes:
    """The workbook as Excel saves it: Gross Expenditure computed by =C+D, the Forecast Outturn a shared formula
    (=G2 filled down H2:H4), each with its saved result, and a calculation chain listing the formula cells."""
    budget = parts(data)[BUDGET_PART]
    for row, gross, net in ((2, 5891, 5891), (3, 7594, 7594), (4, 2358, -165)):
        budget = replace_cell(budget, f"E{row}", f'<c r="E{row}"><f>C{row}+D{row}</f><v>{gross}</v></c>')
        shared = '<f t="shared" ref="H2:H4" si="0">G2</f>' if row == 2 else '<f t="shared" si="0"/>'
        budget = replace_cell(budget, f"H{row}", f'<c r="H{row}">{shared}<v>{net}</v></c>')
    chain = b"".join(b'<c r="%s"%s/>' % (ref, b' i="4"' if ref == b"E2" else b"")
                     for ref in (b"E2", b"E3", b"E4", b"H2", b"H3", b"H4"))
    rels = parts(data)["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'calcChain" Target="calcChain.xml"/></Relationships>')
    types = parts(data)["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/calcChain.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>')
    return repack(data, {BUDGET_PART: budget, "xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types,
                         "xl/calcChain.xml": b'<calcChain xmlns="%s">%s</calcChain>' % (MAIN, chain)})


def formulas(data: bytes, refs: str) -> tuple[list, list]:
    """The formulas and the saved results of the Budget cells ``refs``."""
    ws = openpyxl.load_workbook(BytesIO(data))["Budget"]
    saved = openpyxl.load_workbook(BytesIO(data), data_only=True)["Budget"]
    return [ws[ref].value for ref in refs.split()], [saved[ref].value for ref in refs.split()]


def test_formulas_and_their_saved_results_survive_edits_elsewhere(formatted):
    data = _with_formulas(formatted)
    wb, edits, out = edit_all(data, [("Budget", 2, "Commentary", "Agency costs down"),
                                     ("Measures", 3, "2020/21 Actual", "97.5%")])
    assert state(load_workbook(out)) == state(apply_edits(wb, edits))
    assert load_workbook(out).problems == wb.problems
    assert formulas(out, "E2 E4 H2 H3") == (["=C2+D2", "=C4+D4", "=G2", "=G3"], [5891, 2358, 5891, 7594])
    assert parts(out)["xl/calcChain.xml"] == parts(data)["xl/calcChain.xml"]
    assert_opens_cleanly(out)


@pytest.mark.parametrize(
    ("row", "refs", "expected"),
    [
        (2, "H2 H3 H4", (["=G3", "=G4"], [7594, -165])),  # the master of the shared formula
        (3, "H2 H3 H4", (["=G2", "=G4"], [5891, -165])),  # a cell sharing it
    ],
)
def test_an_edited_formula_cell_becomes_a_value_and_the_others_keep_their_formulas(formatted, row, refs, expected):
    data = _with_formulas(formatted)
    wb, edits, out = edit_all(data, [("Budget", row, "Forecast Outturn", "6,000")])
    assert state(load_workbook(out)) == state(apply_edits(wb, edits))
    found, saved = formulas(out, refs)
    assert found.pop(row - 2) == 6000 and saved.pop(row - 2) == 6000
    assert (found, saved) == expected
    # Excel lists every formula cell in the calculation chain: it is dropped, for Excel to rebuild.
    assert "xl/calcChain.xml" not in parts(out)
    assert b"calcChain" not in parts(out)["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in parts(out)["[Content_Types].xml"]
    assert parts(out)["xl/workbook.xml"] == parts(data)["xl/workbook.xml"]
    assert_opens_cleanly(out)


def _with_drawings(data: bytes) -> bytes:
    """The workbook with a picture on the Budget sheet, a chart on Priorities and a part pprr knows nothing of."""
    pil = pytest.importorskip("PIL.Image")
    book = openpyxl.load_workbook(BytesIO(data))
    png = BytesIO()
    pil.new("RGB", (4, 4), "red").save(png, format="PNG")
    book["Budget"].add_image(Image(png), "K2")
    chart = BarChart()
    chart.add_data(Reference(book["Budget"], min_col=7, min_row=1, max_row=4), titles_from_data=True)
    book["Priorities"].add_chart(chart, "F2")
    out = BytesIO()
    book.save(out)
    return repack(out.getvalue(), {"customXml/item1.xml": b"<officer-notes>kept as uploaded</officer-notes>"})


def test_pictures_charts_and_unknown_parts_survive(formatted):
    data = _with_drawings(formatted)
    _, _, out = edit_all(data, [("Budget", 3, "Forecast Outturn", "7,600"), ("Priorities", 2, "Commentary", "x")])
    old, new = parts(data), parts(out)
    assert any(name.startswith("xl/media/") for name in old)
    assert any(name.startswith("xl/charts/") for name in old)
    assert {name for name in old if old[name] != new.get(name)} == {BUDGET_PART, "xl/worksheets/sheet2.xml"}
    assert b"<drawing " in new[BUDGET_PART]
    book = openpyxl.load_workbook(BytesIO(out))
    assert len(book["Budget"]._images) == 1 and len(book["Priorities"]._charts) == 1
    assert_opens_cleanly(out)


def _prefixed(xml: bytes) -> bytes:
    """The sheet's XML with the SpreadsheetML namespace bound to the prefix ``x`` and an ignorable extension."""
    xml = re.sub(rb"<(/?)(\w+)(?=[\s/>])", rb"<\1x:\2", xml)
    xml = xml.replace(b'xmlns="%s"' % MAIN, b'xmlns:x="%s" xmlns:mc="http://schemas.openxmlformats.org/'
                      b'markup-compatibility/2006" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/'
                      b'2009/9/ac" mc:Ignorable="x14ac"' % MAIN)
    return xml.replace(b'<x:row r="3"', b'<x:row x14ac:dyDescent="0.25" r="3"')


def test_a_sheet_with_a_namespace_prefix_keeps_it(formatted):
    data = repack(formatted, {MEASURES_PART: _prefixed(parts(formatted)[MEASURES_PART])})
    wb, edits, out = edit_all(data, [("Measures", 3, "2020/21 Actual", "12.5%"),
                                     ("Measures", 3, "2021/22 Actual", "Awaiting data"),
                                     ("Measures", 5, "Commentary", "<b>bold</b> & more")])
    assert state(load_workbook(out)) == state(apply_edits(wb, edits))
    xml = parts(out)[MEASURES_PART]
    assert not re.search(rb"<(c|row|v|is|t)[\s>]", xml)
    assert b'mc:Ignorable="x14ac"' in xml and b'<x:row x14ac:dyDescent="0.25" r="3"' in xml
    assert b'<x:c r="K3" s="1"><x:v>0.125</x:v></x:c>' in xml  # its percentage style kept
    assert_opens_cleanly(out)


def test_shared_strings_are_read_for_the_headers(formatted):
    """A workbook saved by Excel keeps its text in xl/sharedStrings.xml."""
    data = _with_shared_strings(formatted)
    assert b't="s"' in parts(data)[MEASURES_PART]
    assert_round_trip(data, [("Measures", 2, "Commentary", "Shared"), ("Budget", 4, "Forecast Outturn", "1")])


def _with_shared_strings(data: bytes) -> bytes:
    strings: list[bytes] = []

    def share(m: re.Match) -> bytes:
        strings.append(m.group(2))
        return b'%s t="s"><v>%d</v></c>' % (m.group(1), len(strings) - 1)

    inline = re.compile(rb'(<c r="[A-Z]+\d+"(?: s="\d+")?) t="inlineStr"><is>(<t[^>]*>.*?</t>)</is></c>',
                        re.DOTALL)
    sheets = {name: xml for name, xml in parts(data).items() if name.startswith("xl/worksheets/")}
    changed = {name: inline.sub(share, xml) for name, xml in sheets.items()}
    table = b'<sst xmlns="%s">%s</sst>' % (MAIN, b"".join(b"<si>%s</si>" % t for t in strings))
    rels = parts(data)["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rId98" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    types = parts(data)["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    return repack(data, {**changed, "xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types,
                         "xl/sharedStrings.xml": table})


SHEET = (b'<worksheet xmlns="%s"><dimension ref="A1:C3"/><sheetData>'
         b'<row r="1" spans="1:3"><c r="A1" s="3"/><c r="C1" t="inlineStr"><is><t>x</t></is></c></row>'
         b'<row r="3" spans="1:3"/></sheetData></worksheet>' % MAIN)


def rows_and_cells(xml: bytes) -> list[tuple[str, list[str]]]:
    root = fromstring(xml)
    ns = f"{{{MAIN.decode()}}}"
    return [(row.get("r"), [c.get("r") for c in row.iter(ns + "c")]) for row in root.iter(ns + "row")]


@pytest.mark.parametrize(
    ("writes", "layout", "written"),
    [
        ({(1, 1): _Write("a", b"3")}, [("1", ["A1", "C1"]), ("3", [])],
         b'<c r="A1" s="3" t="inlineStr"><is><t xml:space="preserve">a</t></is></c>'),
        ({(1, 2): _Write(1.5, None)}, [("1", ["A1", "B1", "C1"]), ("3", [])],
         b'<row r="1"><c r="A1" s="3"/><c r="B1"><v>1.5</v></c>'),
        ({(1, 4): _Write(None, b"2")}, [("1", ["A1", "C1", "D1"]), ("3", [])], b'<c r="D1" s="2"/></row>'),
        ({(1, 3): _Write(7, None)}, [("1", ["A1", "C1"]), ("3", [])], b'<c r="C1"><v>7</v></c></row>'),
        ({(3, 2): _Write("b", None)}, [("1", ["A1", "C1"]), ("3", ["B3"])],
         b'<row r="3"><c r="B3" t="inlineStr">'),
        ({(2, 1): _Write(1, None), (2, 3): _Write(2, None)}, [("1", ["A1", "C1"]), ("2", ["A2", "C2"]), ("3", [])],
         b'<row r="2"><c r="A2"><v>1</v></c><c r="C2"><v>2</v></c></row><row r="3"'),
        ({(5, 5): _Write(1, None)}, [("1", ["A1", "C1"]), ("3", []), ("5", ["E5"])], b'<dimension ref="A1:E5"/>'),
    ],
)
def test_cells_are_written_in_row_and_column_order(writes, layout, written):
    xml, formulas_removed = _write_cells(_parse_sheet(SHEET), writes, [])
    assert rows_and_cells(xml) == layout
    assert written in xml
    assert not formulas_removed


def test_an_empty_sheet_gets_its_first_row():
    xml, _ = _write_cells(_parse_sheet(b'<worksheet xmlns="%s"><sheetData/></worksheet>' % MAIN),
                          {(2, 1): _Write("<&>", None)}, [])
    assert rows_and_cells(xml) == [("2", ["A2"])]
    assert b"&lt;&amp;&gt;" in xml


def test_a_sheet_that_declares_a_doctype_is_refused(formatted):
    wb = load_workbook(formatted)
    sheet = parts(formatted)[MEASURES_PART]
    data = repack(formatted, {MEASURES_PART: b"<!DOCTYPE worksheet>" + sheet})
    with pytest.raises(ValueError, match="could not be read"):
        write_edited_workbook(data, wb, [make_edit(wb, "Measures", 2, "Commentary", "x")])


def test_text_with_a_control_character_is_refused(formatted):
    wb = load_workbook(formatted)
    with pytest.raises(ValueError, match="control character"):
        write_edited_workbook(formatted, wb, [Edit("Measures", 2, "Commentary", "", "a\x07b", "CFSE.1")])


def test_text_that_looks_like_an_excel_escape_stays_as_typed(formatted):
    _, _, out = edit_all(formatted, [("Measures", 2, "Commentary", "Code _x0041_ and _x000D_ kept")])
    assert load_workbook(out).measures[0].commentary == "Code _x0041_ and _x000D_ kept"


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
    # The agreement has no 2021/22 Actual: it is appended after the last column (Note, U), with U's header style.
    before = openpyxl.load_workbook(BytesIO(agreement_bytes))["Measures"]
    ws = openpyxl.load_workbook(BytesIO(out))["Measures"]
    assert [c.value for c in ws[1]] == [c.value for c in before[1]] + ["2021/22 Actual"]
    assert [c.value for c in before[1]][-1] == "Note" and before.max_column == 21  # U
    assert ws["V1"].style_id == ws["U1"].style_id != 0
    assert ws.column_dimensions["V"].width == ws.column_dimensions["L"].width  # 2020/21 Actual
    assert ws[f"V{target_row}"].value == "8.9% (236)"
    assert {ws[f"V{m.row}"].number_format for m in agreement.measures} == {"General", "0", "0%", "0.0%"}
    assert all(ws[f"V{m.row}"].style_id == before[f"L{m.row}"].style_id for m in agreement.measures)
    edited = {address(agreement_bytes, e) for e in edits if e.field != "2021/22 Actual"}
    changed = differing(cells(agreement_bytes), cells(out))
    assert {k for k in changed if not (k[0] == "Measures" and k[1].startswith("V"))} == edited
    assert_opens_cleanly(out)


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
