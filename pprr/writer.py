"""The edited workbook: the officer's edits written into a copy of the file they uploaded.

Only the edited cells change. Every other sheet, column, value and format stays as uploaded, so the file goes back
into the council's own process unchanged apart from the edits. Re-reading the result with
:func:`pprr.load_workbook` gives exactly the edited state: each value is written as the cell type that reads back
as the text the officer typed, and text is always a string cell (``=HYPERLINK(...)`` stays text, never a formula).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from io import BytesIO

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.worksheet import Worksheet

from .edits import COMMENTARY, FORECAST, Edit, net_edits
from .model import PortfolioWorkbook
from .safe_text import excel_text
from .schema import ACTUAL_RE, TARGET_RE, column_letter, norm_header
from .values import parse_number, parse_target, parse_text, parse_value, percent_decimals


def write_edited_workbook(original: bytes, wb: PortfolioWorkbook, edits: list[Edit]) -> bytes:
    """A copy of ``original`` (the uploaded .xlsx) with the net effect of ``edits`` written in.

    ``wb`` is the workbook read from ``original``. Raises ValueError, with a message for the officer, when an
    edit cannot be written (a text longer than a cell can hold, a sheet or header no longer found).
    """
    changes = net_edits(edits)
    book = openpyxl.load_workbook(BytesIO(original), keep_vba=False, keep_links=True)
    headers: dict[str, dict[str, int]] = {}
    for edit in changes:
        ws = _worksheet(book, edit.sheet)
        if ws.title not in headers:
            headers[ws.title] = _header_map(ws, edit.sheet)
        column = headers[ws.title].get(norm_header(edit.field))
        if column is None:
            column = _add_actual_column(ws, headers[ws.title], edit, _last_row(wb, edit.sheet))
            headers[ws.title] = _header_map(ws, edit.sheet)
        _write_cell(ws.cell(edit.row, column), edit)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _worksheet(book: openpyxl.Workbook, sheet: str) -> Worksheet:
    for ws in book.worksheets:
        if norm_header(ws.title) == norm_header(sheet):
            return ws
    raise ValueError(f"The uploaded workbook has no {sheet} sheet to write the edits to")


def _header_map(ws: Worksheet, sheet: str) -> dict[str, int]:
    """Header -> column index, from the header row (row 1, as the reader reads it); the first of a repeat wins."""
    columns: dict[str, int] = {}
    for cell in next(ws.iter_rows(min_row=1, max_row=1), ()):
        name = norm_header(cell.value)
        if name:
            columns.setdefault(name, cell.column)
    if not columns:
        raise ValueError(f"The {sheet} sheet has no header row, so the edits cannot be written")
    return columns


def _last_row(wb: PortfolioWorkbook, sheet: str) -> int:
    records = {"Measures": wb.measures, "Budget": wb.budget, "Priorities": wb.priorities}[sheet]
    return max((r.row for r in records), default=1)


def _add_actual_column(ws: Worksheet, columns: dict[str, int], edit: Edit, last_row: int) -> int:
    """Insert the edit's ``YYYY/YY Actual`` column after the last Actual column, styled like its neighbour."""
    if not (edit.sheet == "Measures" and ACTUAL_RE.match(edit.field)):
        raise ValueError(f"The {edit.sheet} sheet has no '{edit.field}' column to write the edit to")
    actual_columns = [c for name, c in columns.items() if ACTUAL_RE.match(name)]
    target_columns = [c for name, c in columns.items() if TARGET_RE.match(name)]
    if actual_columns:
        at = max(actual_columns) + 1
    elif target_columns:
        at = min(target_columns)
    else:
        at = max(columns.values()) + 1
    _insert_column(ws, at)
    ws.cell(1, at, edit.field)
    if at > 1:
        _copy_column_style(ws, at - 1, at, last_row)
    return at


def _insert_column(ws: Worksheet, at: int) -> None:
    """Move every column from ``at`` one to the right, with its cells, widths, validations, formats and merges.

    Only cells that exist are moved (openpyxl's ``insert_cols`` first creates every cell of the used range).
    Formulas are not rewritten; the template has none on the sheets that can be edited.
    """
    for row, col in sorted((key for key in ws._cells if key[1] >= at), key=lambda key: key[1], reverse=True):
        ws._move_cell(row, col, 0, 1)
        cell = ws._cells[row, col + 1]
        if isinstance(cell, Cell) and cell.hyperlink is not None:
            cell.hyperlink.ref = cell.coordinate
    _shift_column_dimensions(ws, at)
    for dv in ws.data_validations.dataValidation:
        dv.sqref = _shift_ranges(dv.sqref, at)
    _shift_conditional_formats(ws, at)
    for merged in ws.merged_cells.ranges:
        _shift_range(merged, at)
    if ws.auto_filter.ref:
        ws.auto_filter.ref = _shift_range(CellRange(ws.auto_filter.ref), at).coord


def _shift_range(cell_range: CellRange, at: int) -> CellRange:
    """Move or widen a range in place for a column inserted before column ``at``."""
    if cell_range.min_col >= at:
        cell_range.shift(col_shift=1)
    elif cell_range.max_col >= at:
        cell_range.expand(right=1)
    return cell_range


def _shift_ranges(ranges: MultiCellRange, at: int) -> MultiCellRange:
    return MultiCellRange([_shift_range(CellRange(r.coord), at) for r in ranges.ranges])


def _shift_column_dimensions(ws: Worksheet, at: int) -> None:
    dims = ws.column_dimensions
    moved = []
    for key in list(dims.keys()):
        dim = dims[key]
        dim.reindex()
        if dim.min >= at:
            moved.append(dims.pop(key))
        elif dim.max >= at:
            dim.max += 1
    for dim in moved:
        dim.min += 1
        dim.max += 1
        dim.index = column_letter(dim.min - 1)
        dims[dim.index] = dim


def _shift_conditional_formats(ws: Worksheet, at: int) -> None:
    shifted = ConditionalFormattingList()
    for formatting in ws.conditional_formatting:
        sqref = _shift_ranges(formatting.sqref, at)
        for rule in formatting.rules:
            shifted.add(str(sqref), rule)
    ws.conditional_formatting = shifted


def _copy_column_style(ws: Worksheet, source: int, target: int, last_row: int) -> None:
    for row in range(1, last_row + 1):
        if (row, source) in ws._cells:
            ws.cell(row, target)._style = copy.copy(ws.cell(row, source)._style)
    source_dim = ws.column_dimensions.get(column_letter(source - 1))
    if source_dim is not None and source_dim.customWidth:
        ws.column_dimensions[column_letter(target - 1)].width = source_dim.width


def _write_cell(cell: Cell, edit: Edit) -> None:
    if edit.field == COMMENTARY:
        _write_text(cell, edit.new)
    elif edit.field == FORECAST:
        _write_number(cell, parse_number(edit.new))
    elif ACTUAL_RE.match(edit.field):
        _write_value(cell, edit.new, parse_value, parse_text(edit.new).number, parse_text(edit.new).percent)
    else:
        target = parse_target(edit.new)
        _write_value(cell, edit.new, parse_target, target.number, target.percent)


def _write_value(cell: Cell, text: str, parse: Callable, number: float | None, percent: bool) -> None:
    """Write a number when it reads back exactly as typed under the cell's format, otherwise the typed text."""
    if not text:
        cell.value = None
        return
    fmt = cell.number_format
    is_percent_format = percent_decimals(fmt) is not None
    if number is not None and percent == is_percent_format:
        candidate = float(f"{number / 100 if percent else number:.12g}")
        if parse(candidate, fmt) == parse(text):
            _write_number(cell, candidate)
            return
    _write_text(cell, text)


def _write_number(cell: Cell, number: float | None) -> None:
    cell.value = int(number) if number is not None and number.is_integer() else number


def _write_text(cell: Cell, text: str) -> None:
    if not text:
        cell.value = None
        return
    cell.value = excel_text(text)
    cell.data_type = "s"
