"""Read the worksheets of an .xlsx file into plain grids of values, boundedly.

This is the only module that talks to the spreadsheet library when reading. Values come from python-calamine;
the few facts calamine does not give are read from the package's XML directly, and only when the file has any:
which numeric cells carry a percentage format (the styles part says which style ids are percentages), which
formulas have no saved value, and which cells hold an error value such as ``#DIV/0!``.

Before calamine sees a sheet, its cell references are checked against :data:`MAX_ROWS` and :data:`MAX_COLUMNS`,
so one value a million rows down is refused instead of making the reader lay out a million empty rows.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from xml.etree import ElementTree

from python_calamine import CalamineError, CalamineWorkbook

MAX_ROWS = 50_000
MAX_COLUMNS = 200


class SheetTooLarge(ValueError):
    def __init__(self, sheet: str, message: str):
        super().__init__(message)
        self.sheet = sheet


@dataclass
class Grid:
    """One sheet's values. ``rows[i][j]`` is the cell at worksheet row i+1, column j+1; a blank cell is ``""``
    inside the used range and ``None`` (from :meth:`value`) beyond it."""

    name: str
    rows: list[list] = field(default_factory=list)
    percent: set[tuple[int, int]] = field(default_factory=set)  # 0-based (row, col) of numbers with a % format
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # number format of those cells
    unsaved_formulas: set[tuple[int, int]] = field(default_factory=set)  # formulas with no saved value

    def value(self, r: int, c: int) -> object:
        row = self.rows[r] if r < len(self.rows) else ()
        return row[c] if c < len(row) else None


def read_grids(data: bytes, wanted: Callable[[str], bool] | None = None) -> dict[str, Grid]:
    """Every worksheet's values (or only those whose name ``wanted`` accepts), in workbook order.

    Raises on unreadable files (ValueError and its kin, zipfile and XML errors); the caller turns that into a
    problem. The upload gate must have passed ``data`` first: calamine does not survive a zip bomb. A package
    calamine cannot read but openpyxl can (odd part names, an optional part missing) is read through openpyxl, so
    no file that a spreadsheet library opens is called damaged.
    """
    data = normalised_package(data)
    try:
        return _read_with_calamine(data, wanted)
    except SheetTooLarge:
        raise
    except Exception as first:  # noqa: BLE001 - any failure: try the other reader, then report the first
        try:
            return _read_with_openpyxl(data, wanted)
        except SheetTooLarge:
            raise
        except Exception:  # noqa: BLE001
            raise first from None


def _read_with_calamine(data: bytes, wanted: Callable[[str], bool] | None) -> dict[str, Grid]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        package = _Package(zf)
        sheets = [(name, path) for name, path in package.worksheets if wanted is None or wanted(name)]
        xmls = {name: zf.read(path) for name, path in sheets}
        needs_cleaning = any(_needs_cleaning(xml) for xml in (*xmls.values(), *package.string_parts()))
    for name, xml in xmls.items():
        _check_extent(name, xml)
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
            return {name: _grid(name, book.get_sheet_by_name(name), xmls[name], package.percent_styles,
                                needs_cleaning) for name, _ in sheets}
    except CalamineError as exc:
        raise ValueError(f"{type(exc).__name__}: {exc}") from None


def _read_with_openpyxl(data: bytes, wanted: Callable[[str], bool] | None) -> dict[str, Grid]:
    """The values of every worksheet through openpyxl in read-only mode (defusedxml parses the XML), bounded by
    MAX_ROWS and MAX_COLUMNS as calamine's path is."""
    import warnings

    import openpyxl

    from .gate import assert_safe_xml_parser

    assert_safe_xml_parser()  # openpyxl's own flag, now that it is imported
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        grids = {}
        for ws in book.worksheets:
            if wanted is not None and not wanted(ws.title):
                continue
            ws.reset_dimensions()
            rows: list[list] = []
            for r, row in enumerate(ws.iter_rows(values_only=True)):
                values = ["" if v is None else v for v in row]
                while values and values[-1] == "":
                    values.pop()
                if not values:
                    rows.append([])
                    continue
                if r >= MAX_ROWS:
                    raise _too_many_rows(ws.title)
                if len(values) > MAX_COLUMNS:
                    raise _too_many_columns(ws.title)
                rows.append(values)
            while rows and not rows[-1]:
                rows.pop()
            width = max((len(row) for row in rows), default=0)
            grids[ws.title] = Grid(ws.title, [row + [""] * (width - len(row)) for row in rows])
        return grids
    finally:
        book.close()


def read_source_grids(data: bytes) -> dict[str, Grid]:
    """Every sheet of a workbook to import from: .xlsx (as :func:`read_grids`), or old Excel (.xls) and
    OpenDocument (.ods) through python-calamine. The gate must have passed ``data`` (``for_import=True``)."""
    if not data.startswith(_OLE2) and not _is_ods(data):
        return read_grids(data)
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
            grids = {}
            for name in book.sheet_names:
                sheet = book.get_sheet_by_name(name)
                end = sheet.end
                if end is not None and end[0] >= MAX_ROWS:
                    raise _too_many_rows(name)
                if end is not None and end[1] >= MAX_COLUMNS:
                    raise _too_many_columns(name)
                rows = sheet.to_python(skip_empty_area=False) if end is not None else []
                grids[name] = Grid(name, [[clean_text(v) if isinstance(v, str) else v for v in row] for row in rows])
            return grids
    except CalamineError as exc:
        raise ValueError(f"{type(exc).__name__}: {exc}") from None


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _is_ods(data: bytes) -> bool:
    return data.startswith(b"PK") and b"application/vnd.oasis.opendocument.spreadsheet" in data[:200]


def merged_ranges(data: bytes, sheets: Iterable[str]) -> dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]:
    """The merged cell ranges of the named sheets, ((first row, first column), (last row, last column)), 0-based;
    a sheet is left out when its ranges cannot be read (they only sharpen heading detection)."""
    found = {}
    try:
        source = data if data.startswith(_OLE2) or _is_ods(data) else normalised_package(data)
        with CalamineWorkbook.from_filelike(io.BytesIO(source)) as book:
            for name in sheets:
                try:
                    found[name] = list(book.get_sheet_by_name(name).merged_cell_ranges or ())
                except Exception:  # noqa: BLE001, S112 - a sheet whose ranges cannot be read has none
                    continue
    except Exception:  # noqa: BLE001
        return found
    return found


def normalised_package(data: bytes) -> bytes:
    """The package as Excel reads it, rewritten only when needed: zip paths written with backslashes get forward
    slashes, and XML parts written in UTF-16 (Excel Mobile, some libraries) become UTF-8, which is all calamine
    reads. The gate has already bounded every part's size."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        if not any("\\" in info.filename for info in infos) and not any(
                _is_utf16(_head(zf, info)) for info in infos if info.filename.endswith((".xml", ".rels"))):
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as fixed:
            for info in infos:
                content = zf.read(info)
                if _is_utf16(content[:4]):
                    content = _as_utf8(content)
                fixed.writestr(info.filename.replace("\\", "/").lstrip("/"), content)
    return out.getvalue()


def _head(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with zf.open(info) as part:
        return part.read(4)


def _is_utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<"))


_ENCODING_DECLARATION = re.compile(r"""(<\?xml[^>]*?encoding\s*=\s*["'])[^"']*(["'])""")


def _as_utf8(xml: bytes) -> bytes:
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = xml.decode("utf-16")
    else:
        text = xml.decode("utf-16-le" if xml[0] else "utf-16-be")
    return _ENCODING_DECLARATION.sub(r"\1UTF-8\2", text, count=1).encode("utf-8")


# --- the package: which part is which sheet, and which styles are percentages --------------------------------

_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_WORKSHEET = "/worksheet"
_STYLES = "/styles"
_SHARED_STRINGS = "/sharedStrings"
_BUILT_IN_PERCENT = {9: "0%", 10: "0.00%"}


class _Package:
    """The parts of the zip the reader needs, found through the relationships as Excel writes them."""

    def __init__(self, zf: zipfile.ZipFile):
        self._zf = zf
        self._names = set(zf.namelist())
        book = _office_document(self._xml("_rels/.rels"))
        rels = self._rels(book)
        self.worksheets: list[tuple[str, str]] = []
        for sheet in self._xml(book).iter():
            if _local(sheet.tag) == "sheet":
                target = rels.get(sheet.get(f"{_REL_NS}id", ""))
                if target and target[0].endswith(_WORKSHEET):
                    self.worksheets.append((sheet.get("name", ""), target[1]))
        self._parts = {kind: path for kind, path in rels.values()}
        self.percent_styles = self._percent_styles()

    def string_parts(self) -> Iterable[bytes]:
        path = next((p for kind, p in self._parts.items() if kind.endswith(_SHARED_STRINGS)), None)
        return (self._zf.read(path),) if path in self._names else ()

    def _xml(self, path: str) -> ElementTree.Element:
        return ElementTree.fromstring(self._zf.read(path))

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, part path) for ``part``."""
        folder, name = posixpath.split(part)
        rels_path = posixpath.join(folder, "_rels", name + ".rels")
        if rels_path not in self._names:
            return {}
        found = {}
        for rel in self._xml(rels_path).iter():
            if _local(rel.tag) == "Relationship" and rel.get("TargetMode") != "External":
                found[rel.get("Id", "")] = (rel.get("Type", ""), _resolve(folder, rel.get("Target", "")))
        return found

    def _percent_styles(self) -> dict[int, str]:
        """Style index (a cell's ``s``) -> its number format, for the styles whose format is a percentage."""
        path = next((p for kind, p in self._parts.items() if kind.endswith(_STYLES)), None)
        if path not in self._names:
            return {}
        styles = self._xml(path)
        codes = dict(_BUILT_IN_PERCENT)
        for fmt in (e for e in styles.iter() if _local(e.tag) == "numFmt"):
            codes[int(fmt.get("numFmtId", "-1"))] = fmt.get("formatCode", "")
        xfs = next((e for e in styles.iter() if _local(e.tag) == "cellXfs"), None)
        found = {}
        for index, xf in enumerate(x for x in (xfs if xfs is not None else ()) if _local(x.tag) == "xf"):
            code = codes.get(int(xf.get("numFmtId", "0")), "")
            if is_percent_format(code):
                found[index] = code
        return found


def _office_document(root: ElementTree.Element) -> str:
    for rel in root.iter():
        if _local(rel.tag) == "Relationship" and rel.get("Type", "").endswith("/officeDocument"):
            return _resolve("", rel.get("Target", ""))
    return "xl/workbook.xml"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _resolve(folder: str, target: str) -> str:
    path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
    return posixpath.normpath(path)


_FORMAT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')


def is_percent_format(code: str) -> bool:
    """Whether an Excel number format shows a percentage: a ``%`` outside quoted text, brackets and escapes."""
    return "%" in code and "%" in _FORMAT_LITERALS.sub("", code)


_QUICK_TRIES = 64
_SMALL_PART = 1 << 16  # bytes: a plain search of a part this small is quicker than any shortcut


def has_marker(xml: bytes, marker: bytes, rare: int) -> bool:
    """``marker in xml``, looked for through ``marker[rare]``, a byte seldom found in the part: in a large part, one
    fast scan for that single byte settles most cases; a part where it is common gets the general search."""
    if len(xml) < _SMALL_PART:
        return marker in xml
    key = marker[rare:rare + 1]
    at = xml.find(key, rare)
    for _ in range(_QUICK_TRIES):
        if at == -1:
            return False
        if xml.startswith(marker, at - rare):
            return True
        at = xml.find(key, at + 1)
    return marker in xml


# --- one sheet ------------------------------------------------------------------------------------------------

_CELL_TAG = re.compile(rb"<(?:\w+:)?c\b[^>]*>")
_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d+)"')
_FAR_REF = re.compile(rb'r="(?:(?:[A-Z]{3}|G[S-Z]|[H-Z][A-Z])\d|[A-Z]{1,3}(?:[5-9]\d{4}|[1-9]\d{5}))')
_HOLDS_VALUE = re.compile(rb"\s*<(?:\w+:)?(?:v|is|f)\b")


def _check_extent(sheet: str, xml: bytes) -> None:
    """Refuse a sheet with a value beyond MAX_ROWS or MAX_COLUMNS, or with cells that give no reference (whose
    place, and so the sheet's extent, only a full parse could tell), before anything lays the sheet out."""
    for m in _FAR_REF.finditer(xml):
        tag = _CELL_TAG.match(xml, xml.rfind(b"<", 0, m.start()))
        if tag is None or tag.group().endswith(b"/>") or not _HOLDS_VALUE.match(xml, tag.end()):
            continue  # a row element, or a formatted cell with nothing in it
        row, col = _position(_REF.search(tag.group()))
        if row >= MAX_ROWS:
            raise _too_many_rows(sheet)
        if col >= MAX_COLUMNS:
            raise _too_many_columns(sheet)
    if _cells_without_reference(xml):
        raise SheetTooLarge(sheet, f"The '{sheet}' sheet has cells without a cell reference, which Excel "
                                       "always writes: open the file in Excel, save it and upload it again.")


_UNREFERENCED_TAG = re.compile(rb'<c (?!r=")|<c>')


def _cells_without_reference(xml: bytes) -> bool:
    """Whether any cell element lacks its ``r`` attribute; one search settles the usual case without a parse."""
    prefixed = has_marker(xml, b":c ", 0) or has_marker(xml, b":c>", 0)
    if not prefixed and _UNREFERENCED_TAG.search(xml) is None:
        return False
    return any(_REF.search(tag) is None for tag in _CELL_TAG.findall(xml))


def _grid(name: str, sheet, xml: bytes, percent_styles: dict[int, str], needs_cleaning: bool) -> Grid:
    end = sheet.end
    if end is not None and end[0] >= MAX_ROWS:
        raise _too_many_rows(name)
    if end is not None and end[1] >= MAX_COLUMNS:
        raise _too_many_columns(name)
    grid = Grid(name, sheet.to_python(skip_empty_area=False) if end is not None else [])
    if needs_cleaning:
        for row in grid.rows:
            row[:] = [clean_text(v) if isinstance(v, str) and not v.isprintable() else v for v in row]
    if has_marker(xml, b' t="e"', 4):
        for (r, c), error in _error_cells(xml).items():
            if r < len(grid.rows):
                grid.rows[r][c] = error
    if percent_styles:
        for (r, c), code in _styled_cells(xml, percent_styles).items():
            value = grid.value(r, c)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                grid.percent.add((r, c))
                grid.formats[(r, c)] = code
    if has_marker(xml, b"<f", 1) or has_marker(xml, b":f>", 0) or has_marker(xml, b":f ", 0):
        grid.unsaved_formulas = _unsaved_formulas(xml)
    return grid


def _too_many_rows(sheet: str) -> SheetTooLarge:
    return SheetTooLarge(sheet, f"The '{sheet}' sheet has data beyond row {MAX_ROWS:,}; pprr reads "
                                f"at most {MAX_ROWS:,} rows per sheet.")


def _too_many_columns(sheet: str) -> SheetTooLarge:
    return SheetTooLarge(sheet, f"The '{sheet}' sheet has data beyond column {MAX_COLUMNS}; "
                                "remove the extra columns and upload again.")


def _position(ref: re.Match) -> tuple[int, int]:
    """0-based (row, column) of a cell reference match (letters, digits)."""
    col = 0
    for letter in ref.group(1):
        col = col * 26 + letter - 64
    return int(ref.group(2)) - 1, col - 1


def _cell_at(xml: bytes, pos: int) -> re.Match | None:
    """The start tag of the cell element whose tag contains ``pos``, or None when it is another element."""
    return _CELL_TAG.match(xml, xml.rfind(b"<", 0, pos))


def _styled_cells(xml: bytes, styles: dict[int, str]) -> dict[tuple[int, int], str]:
    """(row, col) -> number format of the cells whose style is one of ``styles``."""
    pattern = re.compile(rb's="(' + b"|".join(str(s).encode() for s in styles) + rb')"')
    found = {}
    for m in pattern.finditer(xml):
        if not xml[m.start() - 1:m.start()].isspace():
            continue  # another attribute whose name ends in s
        tag = _cell_at(xml, m.start())
        ref = _REF.search(tag.group()) if tag else None
        if ref:
            found[_position(ref)] = styles[int(m.group(1))]
    return found


_ERROR_VALUE = re.compile(rb"(?:\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>))?\s*<(?:\w+:)?v>([^<]*)<")


def _error_cells(xml: bytes) -> dict[tuple[int, int], str]:
    """(row, col) -> error text (``#DIV/0!``) of the cells holding an error value; calamine reads them as blank."""
    found = {}
    for m in re.finditer(rb' t="e"', xml):
        tag = _cell_at(xml, m.start())
        ref = _REF.search(tag.group()) if tag else None
        value = _ERROR_VALUE.match(xml, tag.end()) if ref else None
        if value:
            found[_position(ref)] = value.group(1).decode("utf-8", errors="replace")
    return found


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s/>]")
_SAVED = re.compile(rb"\s*<(?:\w+:)?v>\s*[^<\s]")


def _unsaved_formulas(xml: bytes) -> set[tuple[int, int]]:
    """0-based (row, column) of the sheet's formula cells with no saved value (an empty or missing <v>);
    a formula whose saved result is the empty text (t="str") is saved."""
    found = set()
    for m in _FORMULA.finditer(xml):
        tag = _cell_at(xml, m.start())
        ref = _REF.search(tag.group()) if tag else None
        if ref is None or b' t="str"' in tag.group():
            continue
        tag_end = xml.find(b">", m.start())
        after = tag_end + 1 if xml[tag_end - 1:tag_end] == b"/" else xml.find(b">", xml.find(b"</", tag_end)) + 1
        if not _SAVED.match(xml, after):
            found.add(_position(ref))
    return found


# --- text -----------------------------------------------------------------------------------------------------

_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ILLEGAL_CHARACTERS = re.compile(r"[\000-\010\013\014\016-\037]")
# A CR, an escaped control character, a character reference; each with the index of its rarest byte.
_CLEANING_MARKERS = ((b"\r", 0), (b"_x00", 0), (b"&#", 0))


def _needs_cleaning(xml: bytes) -> bool:
    """Whether any text in this part may hold a CR or a control character (rare: most files have none)."""
    return any(has_marker(xml, marker, rare) for marker, rare in _CLEANING_MARKERS)


def clean_text(text: str) -> str:
    """Cell text as Excel shows it: CR LF as LF, other control characters dropped (they cannot be written back
    to a workbook)."""
    if text.isprintable():
        return text
    return _ILLEGAL_CHARACTERS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def excel_text(text: str) -> str:
    """Raw cell text from the XML as Excel shows it: ``_xHHHH_`` escapes decoded, then :func:`clean_text`."""
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return clean_text(text)
