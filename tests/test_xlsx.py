"""Reading grids: percentages from the styles part, error values, formulas with no saved value and the bounds,
on small workbooks written by hand so that attribute order, namespace prefixes and odd cells are exactly as given."""

from __future__ import annotations

import io
import zipfile

import pytest

from pprr.workbook.xlsx import MAX_COLUMNS, SheetTooLarge, has_marker, is_percent_format, read_grids

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STYLES = (
    f'<styleSheet xmlns="{_MAIN}"><numFmts count="2"><numFmt numFmtId="164" formatCode="0.0%"/>'
    '<numFmt numFmtId="165" formatCode="0.0&quot;%&quot;"/></numFmts>'
    '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="10"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs>'
    "</styleSheet>"
)  # style 1: 0.00%, style 2: 0.0%, style 3: 0.0"%" (a literal sign, not a percentage)


def _xlsx(sheet_data: str, prefix: str = "", name: str = "Measures") -> bytes:
    """A one-sheet workbook whose sheet holds ``sheet_data`` (the inside of <sheetData>), elements prefixed."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{_MAIN}"' if prefix else f'xmlns="{_MAIN}"'
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/data.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<{p}workbook {xmlns} xmlns:r="{_REL}"><{p}sheets>'
            f'<{p}sheet name="{name}" sheetId="1" r:id="rIdSheet"/></{p}sheets></{p}workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rIdSheet" Type="{_REL}/worksheet" Target="/xl/worksheets/data.xml"/>'
            f'<Relationship Id="rIdStyles" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": _STYLES,
        "xl/worksheets/data.xml": (
            f"<{p}worksheet {xmlns}><{p}sheetData>{sheet_data}</{p}sheetData></{p}worksheet>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for part, text in parts.items():
            zf.writestr(part, text)
    return out.getvalue()


def _grid(sheet_data: str, prefix: str = ""):
    return read_grids(_xlsx(sheet_data, prefix))["Measures"]


@pytest.mark.parametrize(
    "code, percent",
    [
        ("0%", True),
        ("0.0%", True),
        ("0.00%;[Red]-0.00%", True),
        ("[Blue]0.0%", True),
        ('0.0"%"', False),
        ("0.0\\%", False),
        ("[$%-809]0", False),
        ("#,##0", False),
        ("General", False),
        ("", False),
    ],
)
def test_percent_formats_are_told_from_a_literal_percent_sign(code, percent):
    assert is_percent_format(code) is percent


@pytest.mark.parametrize("prefix", ["", "x"])
def test_numbers_with_a_percent_style_are_marked_whatever_the_attribute_order(prefix):
    p = f"{prefix}:" if prefix else ""
    grid = _grid(
        f'<{p}row r="1"><{p}c r="A1" s="1"><{p}v>0.958</{p}v></{p}c>'
        f'<{p}c s="2" t="n" r="B1"><{p}v>0.5</{p}v></{p}c>'
        f'<{p}c r="C1" s="3"><{p}v>12</{p}v></{p}c>'
        f'<{p}c r="D1" s="2" t="inlineStr"><{p}is><{p}t>text</{p}t></{p}is></{p}c></{p}row>'
        f'<{p}row r="2" s="2" customFormat="1"><{p}c r="A2"><{p}v>7</{p}v></{p}c></{p}row>',
        prefix,
    )
    assert grid.rows == [[0.958, 0.5, 12, "text"], [7, "", "", ""]]
    assert grid.percent == {(0, 0), (0, 1)}
    assert grid.formats == {(0, 0): "0.00%", (0, 1): "0.0%"}


def test_an_error_value_reads_as_its_text():
    grid = _grid('<row r="1"><c r="A1" t="e"><v>#DIV/0!</v></c><c r="B1" t="e"><f>NA()</f><v>#N/A</v></c></row>')
    assert grid.rows == [["#DIV/0!", "#N/A"]]
    assert grid.unsaved_formulas == set()


def test_formulas_with_no_saved_value_are_listed_and_saved_ones_are_not():
    grid = _grid(
        '<row r="1"><c r="A1"><f>1+1</f></c><c r="B1"><f>1+1</f><v></v></c><c r="C1"><f>1+1</f><v>2</v></c>'
        '<c r="D1" t="str"><f>""</f><v></v></c><c r="E1"><f t="shared" ref="E1:E2" si="0"/></c>'
        '<c r="F1"><v>3</v></c></row>'
    )
    assert grid.unsaved_formulas == {(0, 0), (0, 1), (0, 4)}


def test_a_value_beyond_the_last_column_is_refused_but_a_formatted_blank_there_is_not():
    far = "GS"  # column 201
    assert MAX_COLUMNS == 200
    grid = _grid(f'<row r="1"><c r="A1"><v>1</v></c><c r="{far}1" s="2"/></row>')
    assert grid.rows == [[1]]
    with pytest.raises(SheetTooLarge, match=f"beyond column {MAX_COLUMNS}"):
        _grid(f'<row r="1"><c r="A1"><v>1</v></c><c r="{far}1"><v>2</v></c></row>')


def test_a_value_far_down_inside_a_row_that_claims_to_be_row_one_is_refused():
    with pytest.raises(SheetTooLarge, match="beyond row 50,000"):
        _grid('<row r="1"><c r="A1"><v>1</v></c><c r="A900000"><v>2</v></c></row>')


def test_cells_without_a_reference_are_refused():
    with pytest.raises(SheetTooLarge, match="without a cell reference"):
        _grid('<row r="1"><c r="A1"><v>1</v></c><c t="n"><v>2</v></c></row>')


def test_sheets_can_be_chosen_by_name():
    data = _xlsx('<row r="1"><c r="A1"><v>1</v></c></row>', name="Notes &amp; sums")
    assert list(read_grids(data)) == ["Notes & sums"]
    assert read_grids(data, lambda name: name != "Notes & sums") == {}


def test_leading_blank_rows_and_columns_keep_their_places():
    grid = _grid('<row r="3"><c r="C3"><v>5</v></c></row>')
    assert grid.value(2, 2) == 5 and grid.value(0, 0) == "" and grid.value(9, 9) is None


@pytest.mark.parametrize(
    "xml, marker, rare, found",
    [
        (b"", b"<f", 1, False),
        (b"<f>", b"<f", 1, True),
        (b'<c r="A1" t="e">', b' t="e"', 4, True),
        (b'<c r="A1" t="s"><v>e</v>', b' t="e"', 4, False),
        (b"f<c>" + b"f" * 200 + b"<f/>", b"<f", 1, True),  # the rare byte is common here: the general search
        (b"f" * 200, b"<f", 1, False),
        (b"_x000D_", b"_x00", 0, True),
        (b"_x_x00", b"_x00", 0, True),
    ],
)
@pytest.mark.parametrize("padding", [b"", b"<v>1</v>" * 10_000])
def test_has_marker_agrees_with_a_plain_search(xml, marker, rare, found, padding):
    assert has_marker(padding + xml, marker, rare) is found  # a large part takes the shortcut, a small one not
    assert (marker in xml) is found


def test_a_percent_style_is_found_after_any_white_space_but_not_inside_another_attribute():
    grid = _grid('<row r="1"><c r="A1"\ns="1"><v>0.5</v></c><c r="B1" xs="1" s="0"><v>0.5</v></c></row>')
    assert grid.percent == {(0, 0)}


def test_a_cell_whose_reference_is_not_its_first_attribute_is_read():
    grid = _grid('<row r="1"><c t="n" r="B1"><v>4</v></c></row>')
    assert grid.rows == [["", 4]]
