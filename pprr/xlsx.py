"""Read every sheet of an .xlsx file into plain grids of values, boundedly.

This is the only module that talks to the spreadsheet library when reading. It returns, per sheet, the cell
values row by row plus the few facts about formatting that change what a value means (which numeric cells carry
a percentage format) and which formulas have no saved value.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import openpyxl

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
            grids[ws.title] = _read_sheet(ws)
        return grids
    finally:
        book.close()


def _read_sheet(ws) -> Grid:
    grid = Grid(ws.title)
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # the stored <dimension> can lie; read what is really there
    blank_run = 0
    for r, row in enumerate(ws.iter_rows()):
        values = []
        for c, cell in enumerate(row):
            value = getattr(cell, "value", None)
            if value is None or value == "":
                values.append(None)
                continue
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
                raise SheetTooLarge(ws.title, f"The '{ws.title}' sheet has data beyond row {MAX_ROWS:,}; pprr reads "
                                              f"at most {MAX_ROWS:,} rows per sheet.")
            grid.rows.extend([()] * blank_run)
            grid.rows.append(trimmed)
            blank_run = 0
        else:
            blank_run += 1
            if r >= MAX_ROWS:
                # Only empty (perhaps formatted) rows beyond the cap: stop rather than walk a million of them.
                break
    return grid
