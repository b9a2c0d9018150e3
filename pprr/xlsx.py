"""Read every sheet of an .xlsx file into plain grids of values, boundedly.

This is the only module that talks to the spreadsheet library when reading. It returns, per sheet, the cell
values row by row plus the few facts about formatting that change what a value means (which numeric cells carry
a percentage format) and which formulas have no saved value.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.utils import column_index_from_string

MAX_ROWS = 50_000
MAX_COLUMNS = 200


class SheetTooLarge(ValueError):
    def __init__(self, sheet: str, message: str):
        super().__init__(message)
        self.sheet = sheet


@dataclass
class Grid:
    """One sheet's values. ``rows[i][j]`` is the cell at worksheet row i+1, column j+1 (trailing blanks trimmed)."""

    name: str
    rows: list[tuple] = field(default_factory=list)
    percent: set[tuple[int, int]] = field(default_factory=set)  # 0-based (row, col) of cells with a % format
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # number format of those cells
    unsaved_formulas: set[tuple[int, int]] = field(default_factory=set)  # formulas with no saved value

    def value(self, r: int, c: int) -> object:
        row = self.rows[r] if r < len(self.rows) else ()
        return row[c] if c < len(row) else None


def _trim(values: list) -> tuple:
    end = len(values)
    while end and (values[end - 1] is None or values[end - 1] == ""):
        end -= 1
    return tuple(values[:end])


def read_grids(data: bytes) -> dict[str, Grid]:
    """Every worksheet's values. Raises on unreadable files; the caller turns that into a problem."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    try:
        grids = {}
        for ws in book.worksheets:
            grids[ws.title] = _read_sheet(ws, lambda ws=ws: _sheet_xml(data, ws))
        return grids
    finally:
        book.close()


def _sheet_xml(data: bytes, ws) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(ws._worksheet_path)  # the part openpyxl read the sheet from


def _read_sheet(ws, sheet_xml: Callable[[], bytes]) -> Grid:
    grid = Grid(ws.title)
    valueless_cells = False  # formulas with no saved value, or formatted blanks: only the XML tells them apart
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # the stored <dimension> can lie; read what is really there
    blank_run = 0
    rows = ws.iter_rows()
    for r, row in enumerate(rows):
        values = []
        for c, cell in enumerate(row):
            value = getattr(cell, "value", None)
            if value is None or value == "":
                valueless_cells = valueless_cells or cell is not EMPTY_CELL
                values.append(None)
                continue
            if isinstance(value, str):
                value = excel_text(value)
            if c >= MAX_COLUMNS:
                raise SheetTooLarge(ws.title, f"The '{ws.title}' sheet has data beyond column {MAX_COLUMNS}; "
                                              "remove the extra columns and upload again.")
            values.append(value)
            fmt = getattr(cell, "number_format", None)
            if fmt and "%" in fmt and isinstance(value, (int, float)) and not isinstance(value, bool):
                grid.percent.add((r, c))
                grid.formats[(r, c)] = fmt
        trimmed = _trim(values)
        if trimmed:
            if r >= MAX_ROWS:
                raise _too_many_rows(ws)
            grid.rows.extend([()] * blank_run)
            grid.rows.append(trimmed)
            blank_run = 0
        else:
            blank_run += 1
            if r >= MAX_ROWS:
                # Only empty (perhaps formatted) rows beyond the cap so far: walk the rest cheaply, so a value
                # further down is refused rather than silently dropped.
                if any(getattr(cell, "value", None) not in (None, "") for rest in rows for cell in rest):
                    raise _too_many_rows(ws)
                break
    if valueless_cells:
        grid.unsaved_formulas = _unsaved_formulas(sheet_xml())
    return grid


def _too_many_rows(ws) -> SheetTooLarge:
    return SheetTooLarge(ws.title, f"The '{ws.title}' sheet has data beyond row {MAX_ROWS:,}; pprr reads "
                                   f"at most {MAX_ROWS:,} rows per sheet.")


_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def excel_text(text: str) -> str:
    """Cell text as Excel shows it: ``_xHHHH_`` escapes decoded, CR LF as LF, other control characters dropped
    (they cannot be written back to a workbook)."""
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if text.isprintable():
        return text
    return ILLEGAL_CHARACTERS_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


_FORMULA = re.compile(rb"<f[\s/>]")
_CELL = re.compile(rb'<c\b([^>]*?)\sr="([A-Z]{1,3})(\d+)"([^>]*)>')
_SAVED = re.compile(rb"\s*<v>\s*[^<\s]")


def _unsaved_formulas(xml: bytes) -> set[tuple[int, int]]:
    """0-based (row, column) of the sheet's formula cells with no saved value (an empty or missing <v>);
    a formula whose saved result is the empty text (t="str") is saved."""
    found = set()
    for m in _FORMULA.finditer(xml):
        start = xml.rfind(b"<c ", 0, m.start())
        cell = _CELL.match(xml, start) if start >= 0 else None
        tag_end = xml.find(b">", m.start())
        after = tag_end + 1 if xml[tag_end - 1:tag_end] == b"/" else xml.find(b"</f>", tag_end) + 4
        if cell is None or _SAVED.match(xml, after) or b't="str"' in cell.group(1) + cell.group(4):
            continue
        found.add((int(cell.group(3)) - 1, column_index_from_string(cell.group(2).decode()) - 1))
    return found
