"""The edited workbook: the officer's edits written into a copy of the file they uploaded.

The copy is made part by part. Every part of the .xlsx package (sheets, images, charts, styles, defined names,
the saved results of formulas) is copied unchanged, except the worksheets that hold edited cells; in those only
the edited cells are rewritten, in place, keeping their style. An edited cell that held a formula loses it, so
the workbook's calculation chain (which lists formula cells) is dropped for Excel to rebuild. Re-reading the
result with :func:`pprr.load_workbook` gives exactly the edited state: each value is written as the cell type that
reads back as the text the officer typed, and text is always a string cell (``=HYPERLINK(...)`` stays text,
never a formula).

A new in-year ``YYYY/YY Actual`` column is appended after the last used column of the Measures sheet (column
order is free in the template), so no existing cell, range or reference moves.

Worksheet XML is edited as text: its rows and cells are flat, so they are located with a tokenizer over the raw
bytes and spliced, leaving every other byte (namespace prefixes, ``mc:Ignorable`` markup, extensions) as it was.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from io import BytesIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring, iterparse
from openpyxl.formula.translate import Translator
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.utils import column_index_from_string

from ..model import PortfolioWorkbook
from ..rules.values import cell_text, parse_number, parse_target, parse_text, parse_value, percent_decimals
from ..safe_text import excel_text
from ..schema import ACTUAL_RE, MEASURES, column_letter, norm_header
from ..year.edits import COMMENTARY, FORECAST, STATUS, Edit, net_edits
from . import xlsx

CellValue = int | float | str | None

MAX_COLUMN = 16_384  # XFD, the last column of a worksheet
_CONTENT_TYPES = "[Content_Types].xml"
_UNREADABLE = "The uploaded workbook could not be read to write the edits into it; upload it again."
_ZIP_ERRORS = (KeyError, zipfile.BadZipFile, ValueError, OSError, EOFError, RuntimeError, zlib.error)

# A tag, or a comment / CDATA section / processing instruction to step over. Groups: closing slash, prefix,
# local name, attributes (ending in "/" for an empty element). Sheet XML can run to megabytes, so the tags of
# interest get patterns of their own, letting the regex engine skip the rest.
_SKIP = rb"!--.*?-->|!\[CDATA\[.*?]]>|\?.*?\?>"
_ATTRS = rb"""([^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*)>"""
_TOKEN = re.compile(rb"<(?:%s|(/?)([\w.-]+:)?([\w.-]+)%s)" % (_SKIP, _ATTRS), re.DOTALL)
_SHEET_TOKEN = re.compile(
    rb"<(?:%s|(/?)([\w.-]+:)?(row|sheetData|dimension|cols?|mergeCell)\b%s)" % (_SKIP, _ATTRS), re.DOTALL
)
_CELL_TOKEN = re.compile(rb"<(?:%s|(/?)(?:[\w.-]+:)?c\b%s)" % (_SKIP, _ATTRS), re.DOTALL)
_FORMULA_TOKEN = re.compile(rb"<(?:%s|(/?)(?:[\w.-]+:)?f\b%s)" % (_SKIP, _ATTRS), re.DOTALL)
# The column of every cell holding something (a start tag neither empty nor followed by its end tag).
_FILLED_CELL = re.compile(
    rb"""<(?:[\w.-]+:)?c\b(?:[^>"']|"[^"]*"|'[^']*')*?\sr\s*=\s*["']\$?([A-Za-z]{1,3})\$?\d+["']"""
    rb"""(?:[^>"']|"[^"]*"|'[^']*')*?(?<!/)>(?!\s*</)"""
)
_ATTR = re.compile(rb"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CELL_REF = re.compile(rb"""\sr\s*=\s*["']\$?([A-Za-z]{1,3})\$?\d+["']""")
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_SPANS = re.compile(rb"""\sspans\s*=\s*(?:"[^"]*"|'[^']*')""")
_REF_ATTR = re.compile(rb"""(\sref\s*=\s*)(?:"[^"]*"|'[^']*')""")
_PHONETIC = re.compile(rb"<(?:[\w.-]+:)?rPh\b.*?</(?:[\w.-]+:)?rPh\s*>", re.DOTALL)
_TEXT = re.compile(rb"<(?:[\w.-]+:)?t(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?t\s*>", re.DOTALL)
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?v\s*>", re.DOTALL)
_ENTITY = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(amp|lt|gt|quot|apos));")
_NAMED_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_EXCEL_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def write_edited_workbook(original: bytes, wb: PortfolioWorkbook, edits: list[Edit]) -> bytes:
    """A copy of ``original`` (the uploaded .xlsx) with the net effect of ``edits`` written in.

    ``wb`` is the workbook read from ``original``. Raises ValueError, with a message for the officer, when an
    edit cannot be written (a text longer than a cell can hold, a sheet or header no longer found).
    """
    changes = net_edits(edits)
    if not changes:
        return original
    package = _Package(original)
    replaced: dict[str, bytes | None] = {}
    formulas_removed = False
    for sheet, sheet_edits in _by_sheet(changes).items():
        part = package.sheet_part(sheet)
        measure_rows = tuple(m.row for m in wb.measures) if sheet == MEASURES.name else ()
        replaced[part], removed = _edit_sheet(package, part, sheet, sheet_edits, measure_rows)
        formulas_removed = formulas_removed or removed
    if formulas_removed:
        replaced.update(package.without_calc_chain())
    return package.rewrite(replaced)


def _by_sheet(changes: list[Edit]) -> dict[str, list[Edit]]:
    grouped: dict[str, list[Edit]] = {}
    for edit in changes:
        grouped.setdefault(edit.sheet, []).append(edit)
    return grouped


# -- The package: parts, relationships, shared strings and styles -------------------------------------------------


@dataclass(frozen=True)
class _Relationship:
    id: str
    type: str
    target: str  # the part name inside the zip, resolved


class _Package:
    """The uploaded .xlsx as a zip of parts, read on demand."""

    def __init__(self, data: bytes):
        try:
            self._zip = zipfile.ZipFile(BytesIO(data))
        except (zipfile.BadZipFile, ValueError):
            raise ValueError(_UNREADABLE) from None
        self._names = {name.casefold(): name for name in self._zip.namelist()}
        office = next((r for r in self.relationships("") if r.type.endswith("/officeDocument")), None)
        self.workbook = office.target if office else "xl/workbook.xml"

    def has(self, name: str) -> bool:
        return name.casefold() in self._names

    def read(self, name: str | zipfile.ZipInfo) -> bytes:
        try:
            return self._zip.read(name if isinstance(name, zipfile.ZipInfo) else self._names[name.casefold()])
        except _ZIP_ERRORS:
            raise ValueError(_UNREADABLE) from None

    def relationships(self, part: str) -> list[_Relationship]:
        rels = _rels_part(part)
        if not self.has(rels):
            return []
        found = []
        for element in _parse_xml(self.read(rels)):
            if element.get("TargetMode") != "External":
                target = _resolve(part, element.get("Target", ""))
                found.append(_Relationship(element.get("Id", ""), element.get("Type", ""), target))
        return found

    @cached_property
    def workbook_relationships(self) -> list[_Relationship]:
        return self.relationships(self.workbook)

    def part_of_type(self, kind: str) -> _Relationship | None:
        return next((r for r in self.workbook_relationships if r.type.endswith("/" + kind)), None)

    def sheet_part(self, sheet: str) -> str:
        """The worksheet part of the sheet named ``sheet`` (names matched as the reader matches them)."""
        targets = {r.id: r.target for r in self.workbook_relationships}
        for element in _parse_xml(self.read(self.workbook)).iter():
            if _local(element.tag) == "sheet" and norm_header(element.get("name")) == norm_header(sheet):
                rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
                if rid in targets and self.has(targets[rid]):
                    return targets[rid]
        raise ValueError(f"The uploaded workbook has no {sheet} sheet to write the edits to")

    def shared_strings(self, indices: set[int]) -> dict[int, str]:
        """The shared strings at ``indices``; the table is read only as far as the last of them."""
        rel = self.part_of_type("sharedStrings")
        if not indices or rel is None or not self.has(rel.target):
            return {}
        found: dict[int, str] = {}
        try:
            with self._zip.open(self._names[rel.target.casefold()]) as stream:
                events = iterparse(stream, events=("end",), forbid_dtd=True)
                items = (element for _, element in events if _local(element.tag) == "si")
                for index, si in enumerate(items):
                    if index in indices:
                        found[index] = _string_item(si)
                    si.clear()
                    if index >= max(indices):
                        break
        except (ParseError, DefusedXmlException, *_ZIP_ERRORS):
            raise ValueError(_UNREADABLE) from None
        return found

    @cached_property
    def styles(self) -> _Styles:
        rel = self.part_of_type("styles")
        return _Styles(_parse_xml(self.read(rel.target)) if rel and self.has(rel.target) else None)

    def without_calc_chain(self) -> dict[str, bytes | None]:
        """The parts to replace (None: to drop) to remove the calculation chain, which Excel rebuilds."""
        rel = self.part_of_type("calcChain")
        if rel is None:
            return {}
        replaced: dict[str, bytes | None] = {
            _rels_part(self.workbook): _drop_element(self.read(_rels_part(self.workbook)), b"Relationship",
                                                     b"Id", rel.id),
        }
        if self.has(rel.target):
            replaced[self._names[rel.target.casefold()]] = None
        if self.has(_CONTENT_TYPES):
            replaced[_CONTENT_TYPES] = _drop_element(self.read(_CONTENT_TYPES), b"Override", b"PartName",
                                                     "/" + rel.target)
        return replaced

    def rewrite(self, replaced: dict[str, bytes | None]) -> bytes:
        """The package with ``replaced`` parts swapped in (or left out when None); every other part as it was,
        in the same order, with the same name and compression."""
        replaced = {name.casefold(): data for name, data in replaced.items()}
        out = BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            target.comment = self._zip.comment
            for info in self._zip.infolist():
                key = info.filename.casefold()
                data = replaced[key] if key in replaced else self.read(info)
                if data is not None:
                    target.writestr(_copy_info(info), data)
        return out.getvalue()



def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    copy = zipfile.ZipInfo(info.filename, info.date_time)
    copy.compress_type = info.compress_type
    copy.comment = info.comment
    copy.create_system = info.create_system
    copy.external_attr = info.external_attr
    return copy


def _rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _parse_xml(data: bytes) -> Element:
    try:
        return fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException):
        raise ValueError(_UNREADABLE) from None


def _string_item(si: Element) -> str:
    """The text of a shared string: its runs joined, phonetic guides left out."""
    texts = []
    for child in si:
        if _local(child.tag) == "t":
            texts.append(child.text or "")
        elif _local(child.tag) == "r":
            texts.extend(t.text or "" for t in child.iter() if _local(t.tag) == "t")
    return xlsx.excel_text("".join(texts))


class _Styles:
    """The number format of each cell style (``s``), from ``cellXfs`` and ``numFmts``."""

    def __init__(self, root: Element | None):
        custom: dict[int, str] = {}
        self._format_ids: list[int] = []
        for element in () if root is None else root.iter():
            if _local(element.tag) == "numFmt":
                custom[_int(element.get("numFmtId"))] = element.get("formatCode", "")
            elif _local(element.tag) == "cellXfs":
                self._format_ids = [_int(xf.get("numFmtId")) for xf in element if _local(xf.tag) == "xf"]
        self._formats = {**BUILTIN_FORMATS, **custom}

    def number_format(self, style: bytes | None) -> str:
        index = _int(style)
        format_id = self._format_ids[index] if 0 <= index < len(self._format_ids) else 0
        return self._formats.get(format_id, "General")


def _int(text: str | bytes | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0


def _drop_element(xml: bytes, name: bytes, key: bytes, value: str) -> bytes:
    """``xml`` without the ``name`` element whose ``key`` attribute is ``value`` (compared case-insensitively)."""
    for m in _TOKEN.finditer(xml):
        if m.group(3) == name and not m.group(1):
            attrs = _attrs(m.group(4))
            if attrs.get(key, b"").decode("utf-8", "replace").casefold() == value.casefold():
                end = m.end() if m.group(4).endswith(b"/") else xml.index(b">", xml.index(b"</", m.end())) + 1
                return xml[:m.start()] + xml[end:]
    return xml


def _attrs(text: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR.finditer(text)}


# -- The worksheet XML: rows and cells located in the raw bytes ---------------------------------------------------


@dataclass
class _Formula:
    start: int
    end: int
    attrs: dict[bytes, bytes]
    text_start: int  # the formula text lies between these
    text_end: int


@dataclass(slots=True)
class _Cell:
    row: int
    column: int
    start: int
    tag: bytes  # the attributes of the start tag
    body_start: int
    body_end: int = -1
    end: int = -1

    @property
    def ref(self) -> str:
        return f"{column_letter(self.column - 1)}{self.row}"

    def attr(self, name: bytes) -> bytes | None:
        return _attrs(self.tag).get(name)


@dataclass
class _Row:
    number: int
    start: int
    tag_end: int
    attrs: dict[bytes, bytes]
    end: int = -1
    content_end: int = -1
    cells: list[_Cell] | None = None  # located on first use


@dataclass
class _Col:
    start: int
    first: int
    last: int
    attrs: dict[bytes, bytes]


@dataclass
class _SheetXml:
    """Where things are in one worksheet's XML: rows located up front, the cells of a row when first asked for."""

    xml: bytes
    prefix: bytes = b""  # the SpreadsheetML namespace prefix of the cells, with its colon ("x:"), or empty
    rows: dict[int, _Row] = field(default_factory=dict)
    data_start: int = -1  # where the content of <sheetData> starts and ends
    data_end: int = -1
    dimension: tuple[int, int, bytes] | None = None  # start, end and text of the <dimension> tag
    cols: list[_Col] = field(default_factory=list)
    cols_end: int = -1  # where </cols> starts, or -1 with no <cols>
    merged_ranges: list[str] = field(default_factory=list)

    def cells(self, row: _Row) -> list[_Cell]:
        if row.cells is None:
            row.cells = _locate_cells(self.xml, row)
        return row.cells

    def cell(self, row: int, column: int) -> _Cell | None:
        found = self.rows.get(row)
        return next((c for c in self.cells(found) if c.column == column), None) if found else None

    def formula(self, cell: _Cell) -> _Formula | None:
        return _locate_formula(self.xml, cell)


def _parse_sheet(xml: bytes) -> _SheetXml:
    """Locate the rows, columns, dimension and merged ranges of a worksheet's XML.

    Raises ValueError for XML that declares a DOCTYPE or has no ``sheetData``.
    """
    root = next((m for m in _TOKEN.finditer(xml) if m.group(3)), None)
    if root is None or b"<!DOCTYPE" in xml[:root.start()]:
        raise ValueError(_UNREADABLE)
    sheet = _SheetXml(xml)
    row: _Row | None = None
    for m in _SHEET_TOKEN.finditer(xml, root.end()):
        slash, prefix, name, attrs = m.groups()
        closing, empty = slash == b"/", bool(attrs) and attrs.endswith(b"/")
        if name == b"row" and sheet.data_start >= 0 and sheet.data_end < 0:
            if closing:
                row.end, row.content_end = m.end(), m.start()
                continue
            row_attrs = _attrs(attrs)
            number = _int(row_attrs.get(b"r")) or (row.number + 1 if row else 1)
            row = sheet.rows[number] = _Row(number, m.start(), m.end(), row_attrs)
            if empty:
                row.end = row.content_end = m.end()
        elif name == b"sheetData":
            if empty:
                return _parse_sheet(xml[:m.start()] + m.group(0)[:-2].rstrip() + b"></"
                                    + (prefix or b"") + b"sheetData>" + xml[m.end():])
            if closing:
                sheet.data_end = m.start()
            else:
                sheet.prefix, sheet.data_start = prefix or b"", m.end()
        elif name == b"dimension" and not closing:
            sheet.dimension = (m.start(), m.end(), m.group(0))
        elif name == b"col" and not closing:
            col_attrs = _attrs(attrs)
            sheet.cols.append(_Col(m.start(), _int(col_attrs.get(b"min")), _int(col_attrs.get(b"max")), col_attrs))
        elif name == b"cols" and closing:
            sheet.cols_end = m.start()
        elif name == b"mergeCell" and not closing:
            sheet.merged_ranges.append(_attrs(attrs).get(b"ref", b"").decode("ascii", "replace"))
    if sheet.data_end < 0:
        raise ValueError(_UNREADABLE)
    return sheet


def _locate_cells(xml: bytes, row: _Row) -> list[_Cell]:
    cells: list[_Cell] = []
    cell: _Cell | None = None
    for m in _CELL_TOKEN.finditer(xml, row.tag_end, row.content_end):
        slash, attrs = m.groups()
        if attrs is None:
            continue
        if slash:
            if cell is not None:
                cell.body_end, cell.end = m.start(), m.end()
                cell = None
            continue
        ref = _CELL_REF.search(attrs)
        if ref:
            column = column_index_from_string(ref.group(1).decode("ascii").upper())
        else:
            column = cells[-1].column + 1 if cells else 1
        cell = _Cell(row.number, column, m.start(), attrs, m.end())
        cells.append(cell)
        if attrs.endswith(b"/"):
            cell.body_end = cell.end = m.end()
            cell = None
    return cells


def _locate_formula(xml: bytes, cell: _Cell) -> _Formula | None:
    tokens = _FORMULA_TOKEN.finditer(xml, cell.body_start, cell.body_end)
    for m in tokens:
        slash, attrs = m.groups()
        if attrs is None or slash:
            continue
        if attrs.endswith(b"/"):
            return _Formula(m.start(), m.end(), _attrs(attrs), m.end(), m.end())
        close = next((t for t in tokens if t.group(1)), None)
        end = close.end() if close else cell.body_end
        return _Formula(m.start(), end, _attrs(attrs), m.end(), close.start() if close else end)
    return None


def _shared_index(sheet: _SheetXml, cell: _Cell) -> int | None:
    """The shared-string index a cell refers to, for a shared-string cell."""
    if cell.attr(b"t") != b"s":
        return None
    value = _VALUE.search(sheet.xml, cell.body_start, cell.body_end)
    return _int(value.group(1).strip()) if value else None


def _cell_text(sheet: _SheetXml, cell: _Cell, shared_strings: dict[int, str]) -> str:
    """A cell's value as the reader sees it, as text (for headers)."""
    body = sheet.xml[cell.body_start:cell.body_end]
    kind = cell.attr(b"t") or b"n"
    if kind == b"s":
        return shared_strings.get(_shared_index(sheet, cell), "")
    if kind == b"inlineStr":
        return xlsx.excel_text(_unescape(b"".join(_TEXT.findall(_PHONETIC.sub(b"", body)))))
    value = _VALUE.search(body)
    text = _unescape(value.group(1)) if value else ""
    if kind in (b"str", b"e"):
        return xlsx.excel_text(text)
    if kind == b"b":
        return cell_text(text.strip() == "1")
    try:
        return cell_text(float(text))
    except ValueError:
        return text


def _unescape(data: bytes) -> str:
    def entity(m: re.Match) -> str:
        hexadecimal, decimal, name = m.groups()
        if name:
            return _NAMED_ENTITIES[name]
        return chr(int(hexadecimal, 16) if hexadecimal else int(decimal))

    return _ENTITY.sub(entity, data.decode("utf-8", "replace"))


# -- Editing one sheet --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Write:
    """What goes into one cell: a value under a style (the ``s`` attribute, or None for the default)."""

    value: CellValue
    style: bytes | None


def _edit_sheet(package: _Package, part: str, sheet: str, edits: list[Edit],
                measure_rows: tuple[int, ...]) -> tuple[bytes, bool]:
    """The sheet's XML with the edits written in, and whether an edited cell lost a formula."""
    xml = _parse_sheet(package.read(part))
    headers = _headers(xml, package, sheet)
    writes: dict[tuple[int, int], _Write] = {}
    new_column: _NewColumn | None = None
    for edit in edits:
        column = headers.get(norm_header(edit.field))
        if column is None:
            new_column = _NewColumn.append(xml, headers, edit)
            column = headers[norm_header(edit.field)] = new_column.column
            writes.update(new_column.blank_cells(measure_rows))
        if new_column and column == new_column.column:
            style = new_column.style(edit.row)
        else:
            style = _style(xml, edit.row, column)
        writes[(edit.row, column)] = _Write(_value(edit, package.styles.number_format(style)), style)
    return _write_cells(xml, writes, new_column.width_splice(xml) if new_column else [])


def _write_cells(sheet: _SheetXml, writes: dict[tuple[int, int], _Write],
                 splices: list[tuple[int, int, bytes]]) -> tuple[bytes, bool]:
    """The sheet's XML with ``writes`` (and any other ``splices``) made, its dimension widened to take them in,
    and whether an overwritten cell held a formula."""
    cell_splices, formulas_removed = _cell_splices(sheet, writes)
    return _splice(sheet.xml, [*splices, *cell_splices, *_dimension_splice(sheet, writes)]), formulas_removed


def _headers(sheet: _SheetXml, package: _Package, name: str) -> dict[str, int]:
    """Header -> column number, from the header row (row 1, as the reader reads it); the first of a repeat wins."""
    columns: dict[str, int] = {}
    cells = sheet.cells(sheet.rows[1]) if 1 in sheet.rows else []
    shared = package.shared_strings({i for i in (_shared_index(sheet, c) for c in cells) if i is not None})
    for cell in cells:
        key = norm_header(_cell_text(sheet, cell, shared))
        if key:
            columns.setdefault(key, cell.column)
    if not columns:
        raise ValueError(f"The {name} sheet has no header row, so the edits cannot be written")
    return columns


def _style(sheet: _SheetXml, row: int, column: int) -> bytes | None:
    """The style a cell has, or would have if typed into: its own, else its row's, else its column's."""
    cell = sheet.cell(row, column)
    if cell is not None:
        return cell.attr(b"s")
    found = sheet.rows.get(row)
    if found and found.attrs.get(b"customFormat") in (b"1", b"true") and b"s" in found.attrs:
        return found.attrs[b"s"]
    col = next((c for c in sheet.cols if c.first <= column <= c.last), None)
    return col.attrs.get(b"style") if col else None


@dataclass
class _NewColumn:
    """An editable column the sheet does not have yet, appended after its last used column.

    Edits are checked by :func:`pprr.year.edits.make_edit`, so only a template column an officer may edit gets here: the
    in-year ``YYYY/YY Actual``, or an optional Target, Commentary or Forecast Outturn column left out of the upload.
    Its header is styled like the header to its left; a new Actual column's cells are styled like the latest Actual
    column's on the same row, whose width it also takes.
    """

    field: str
    column: int
    source: int | None  # the latest Actual column
    sheet: _SheetXml

    @classmethod
    def append(cls, sheet: _SheetXml, headers: dict[str, int], edit: Edit) -> _NewColumn:
        column = _last_used_column(sheet) + 1
        if column > MAX_COLUMN:
            raise ValueError(f"The {edit.sheet} sheet has no room left for a '{edit.field}' column")
        actuals = {ACTUAL_RE.match(name).group(1): c for name, c in headers.items() if ACTUAL_RE.match(name)}
        source = actuals[max(actuals)] if actuals and ACTUAL_RE.match(edit.field) else None
        return cls(edit.field, column, source, sheet)

    def style(self, row: int) -> bytes | None:
        cell = self.sheet.cell(row, self.source) if self.source else None
        return cell.attr(b"s") if cell else None

    def blank_cells(self, rows: Iterable[int]) -> dict[tuple[int, int], _Write]:
        """The header, and the column's empty cells styled like their row's latest Actual."""
        left = [c for c in self.sheet.cells(self.sheet.rows[1]) if c.column < self.column]
        cells = {(1, self.column): _Write(self.field, left[-1].attr(b"s") if left else None)}
        for row in rows:
            style = self.style(row)
            if style not in (None, b"0"):
                cells[(row, self.column)] = _Write(None, style)
        return cells

    def width_splice(self, sheet: _SheetXml) -> list[tuple[int, int, bytes]]:
        """A ``<col>`` entry giving the column the latest Actual column's width, when the sheet sets widths."""
        source = next((c for c in sheet.cols if self.source and c.first <= self.source <= c.last), None)
        covered = any(c.first <= self.column <= c.last for c in sheet.cols)
        if sheet.cols_end < 0 or source is None or b"width" not in source.attrs or covered:
            return []
        at = next((c.start for c in sheet.cols if c.first > self.column), sheet.cols_end)
        return [(at, at, b'<%scol min="%d" max="%d" width="%s" customWidth="1"/>'
                 % (sheet.prefix, self.column, self.column, source.attrs[b"width"]))]


def _last_used_column(sheet: _SheetXml) -> int:
    """The last column holding a value or formula, or covered by a merged range."""
    filled = _FILLED_CELL.findall(sheet.xml, sheet.data_start, sheet.data_end)
    letters = {letter.decode("ascii") for letter in filled}
    letters.update(ref.group(1) for ref in (_REF.match(r.split(":")[-1]) for r in sheet.merged_ranges) if ref)
    return max((column_index_from_string(letter.upper()) for letter in letters), default=0)


def _dimension_splice(sheet: _SheetXml, writes: Iterable[tuple[int, int]]) -> list[tuple[int, int, bytes]]:
    """The ``<dimension>`` (the used range Excel records) widened to take in the written cells."""
    if sheet.dimension is None:
        return []
    start, end, tag = sheet.dimension
    ref = _attrs(tag).get(b"ref", b"A1").decode("ascii", "replace")
    widened = _widened_ref(ref, max(row for row, _ in writes), max(column for _, column in writes))
    if widened == ref:
        return []
    return [(start, end, _REF_ATTR.sub(lambda m: m.group(1) + b'"' + widened.encode() + b'"', tag, 1))]


def _widened_ref(ref: str, row: int, column: int) -> str:
    corners = [_REF.match(part) for part in ref.split(":")]
    if not all(corners):
        return f"A1:{column_letter(column - 1)}{row}"
    first, last = corners[0], corners[-1]
    last_column = column_index_from_string(last.group(1).upper())
    if last_column >= column and int(last.group(2)) >= row:
        return ref
    return (f"{first.group(1)}{first.group(2)}:{column_letter(max(last_column, column) - 1)}"
            f"{max(int(last.group(2)), row)}")


def _value(edit: Edit, number_format: str) -> CellValue:
    """The value to store for ``edit`` in a cell with ``number_format``."""
    if edit.field in (COMMENTARY, STATUS):
        return _text(edit.new)
    if edit.field == FORECAST:
        return _number(parse_number(edit.new))
    if ACTUAL_RE.match(edit.field):
        value = parse_text(edit.new)
        return _number_or_text(edit.new, parse_value, value.number, value.percent, number_format)
    target = parse_target(edit.new)
    return _number_or_text(edit.new, parse_target, target.number, target.percent, number_format)


def _number_or_text(text: str, parse: Callable[..., object], number: float | None, percent: bool,
                    number_format: str) -> CellValue:
    """A number when it reads back exactly as typed under the cell's format, otherwise the typed text."""
    if not text:
        return None
    if number is not None and percent == (percent_decimals(number_format) is not None):
        candidate = float(f"{number / 100 if percent else number:.12g}")
        if parse(candidate, number_format) == parse(text):
            return _number(candidate)
    return _text(text)


def _number(number: float | None) -> int | float | None:
    return int(number) if number is not None and number.is_integer() else number


def _text(text: str) -> str | None:
    return excel_text(text) if text else None


def _cell_xml(prefix: bytes, ref: str, write: _Write) -> bytes:
    """One ``<c>`` element: a number as ``<v>``, text as an inline string, nothing for a blank."""
    style = b' s="%s"' % write.style if write.style is not None else b""
    head = b'<%sc r="%s"%s' % (prefix, ref.encode(), style)
    if write.value is None:
        return head + b"/>"
    if isinstance(write.value, str):
        return (head + b' t="inlineStr"><%sis><%st xml:space="preserve">%s</%st></%sis></%sc>'
                % (prefix, prefix, _xml_text(write.value), prefix, prefix, prefix))
    number = str(write.value) if isinstance(write.value, int) else repr(write.value)
    return head + b"><%sv>%s</%sv></%sc>" % (prefix, number.encode(), prefix, prefix)


def _xml_text(text: str) -> bytes:
    """Cell text as XML character data; a literal ``_xHHHH_`` is escaped so it is not read as a character code."""
    return _xml_escape(_EXCEL_ESCAPE.sub("_x005F_", text))


def _xml_escape(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


def _cell_splices(sheet: _SheetXml, writes: dict[tuple[int, int], _Write]) -> tuple[list, bool]:
    """The byte ranges to replace for ``writes``, and whether an overwritten cell held a formula."""
    splices: list[tuple[int, int, bytes]] = []
    formulas_removed = False
    by_row: dict[int, dict[int, bytes]] = {}
    for (row, column), write in sorted(writes.items()):
        by_row.setdefault(row, {})[column] = _cell_xml(sheet.prefix, f"{column_letter(column - 1)}{row}", write)
    for number, cells in by_row.items():
        row = sheet.rows.get(number)
        if row is None:
            splices.append(_new_row(sheet, number, cells))
            continue
        if row.end == row.content_end:  # an empty <row .../>: give it content
            tag = _SPANS.sub(b"", sheet.xml[row.start:row.tag_end])[:-2].rstrip()
            content = b"".join(cells.values())
            splices.append((row.start, row.end, b"%s>%s</%srow>" % (tag, content, sheet.prefix)))
            continue
        inserted = False
        for column, data in cells.items():
            cell = sheet.cell(number, column)
            if cell is not None:
                splices.append((cell.start, cell.end, data))
                formula = sheet.formula(cell)
                formulas_removed = formulas_removed or formula is not None
                splices.extend(_unshare(sheet, cell, formula, writes))
            else:
                at = next((c.start for c in sheet.cells(row) if c.column > column), row.content_end)
                splices.append((at, at, data))
                inserted = True
        if inserted:
            splices.append((row.start, row.tag_end, _SPANS.sub(b"", sheet.xml[row.start:row.tag_end])))
    return splices, formulas_removed


def _new_row(sheet: _SheetXml, number: int, cells: dict[int, bytes]) -> tuple[int, int, bytes]:
    at = min((r.start for r in sheet.rows.values() if r.number > number), default=sheet.data_end)
    return (at, at, b'<%srow r="%d">%s</%srow>' % (sheet.prefix, number, b"".join(cells.values()), sheet.prefix))


def _unshare(sheet: _SheetXml, cell: _Cell, formula: _Formula | None,
             writes: dict[tuple[int, int], _Write]) -> list[tuple[int, int, bytes]]:
    """When ``cell`` is the master of a shared formula, the cells sharing it get the formula written out in full
    (translated to their own position), as the master that held it is overwritten."""
    if formula is None or formula.attrs.get(b"t") != b"shared" or b"ref" not in formula.attrs:
        return []
    text = "=" + _unescape(sheet.xml[formula.text_start:formula.text_end])
    splices = []
    others = (c for row in sheet.rows.values() for c in sheet.cells(row) if (c.row, c.column) not in writes)
    for other in others:
        shared = sheet.formula(other)
        if shared and shared.attrs.get(b"t") == b"shared" and shared.attrs.get(b"si") == formula.attrs.get(b"si"):
            own = Translator(text, origin=cell.ref).translate_formula(other.ref)[1:]
            splices.append((shared.start, shared.end, b"<%sf>%s</%sf>" % (sheet.prefix, _xml_escape(own),
                                                                           sheet.prefix)))
    return splices


def _splice(xml: bytes, splices: list[tuple[int, int, bytes]]) -> bytes:
    """``xml`` with each (start, end) range replaced; insertions at one place keep the order they were given in."""
    out = []
    at = 0
    for start, end, data in sorted(splices, key=lambda s: (s[0], s[1])):
        out.append(xml[at:start])
        out.append(data)
        at = end
    out.append(xml[at:])
    return b"".join(out)
