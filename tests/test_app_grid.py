"""The AgGrid wrapper: options written in code only, and edits merged back by worksheet row."""

import json

import pandas as pd
import pytest
from st_aggrid.shared import JsCodeEncoder

from app import grid as _grid
from pprr.rules.status import STATUS_STYLES

COLUMNS = (
    _grid.Column("code", "PI code", pinned=True),
    _grid.Column("actual", "In-year actual", editable=True, numeric=True),
    _grid.Column("commentary", "Commentary", editable=True, large_text=True, tooltip=True),
    _grid.Column("status", "Status", status=True),
    _grid.Column(_grid.ROW_ID, "Sheet row", numeric=True),
    _grid.Column(_grid.STATUS_KEY, "", hidden=True),
)


def frame(changes: dict | None = None) -> pd.DataFrame:
    rows = [
        {"row": 2, "code": "CFSE.1", "actual": "8.9%", "commentary": "", "status": "✓ Green", "status_key": "Green"},
        {"row": 3, "code": "CFSE.2", "actual": "49.8%", "commentary": "x", "status": "✗ Red", "status_key": "Red"},
    ]
    for (row, field), value in (changes or {}).items():
        rows[row][field] = value
    return pd.DataFrame(rows)


def test_every_status_colour_is_in_the_status_cell_style():
    js = _grid.STATUS_CELL_STYLE.js_code
    for status, style in STATUS_STYLES.items():
        assert json.dumps(status.value) in js and style.fill in js and style.text in js


def test_options_carry_the_headers_and_editors_written_in_code():
    options = _grid.grid_options(COLUMNS)
    defs = {d["field"]: d for d in options["columnDefs"]}
    assert [d["headerName"] for d in options["columnDefs"]] == [c.header for c in COLUMNS]
    assert defs["actual"]["editable"] and defs["actual"]["cellEditor"] == "agTextCellEditor"
    assert defs["commentary"]["cellEditor"] == "agLargeTextCellEditor"
    assert not defs["code"]["editable"] and defs["code"]["pinned"] == "left"
    assert defs["status"]["cellStyle"] is _grid.STATUS_CELL_STYLE
    assert defs[_grid.STATUS_KEY]["hide"]
    assert defs["commentary"]["tooltipField"] == "commentary" and "tooltipField" not in defs["code"]
    assert all("cellRenderer" not in d for d in defs.values())  # values are never rendered as HTML


def test_the_only_code_in_the_options_is_the_two_style_functions():
    encoded = json.loads(json.dumps(_grid.grid_options(COLUMNS), cls=JsCodeEncoder))
    code = [d["cellStyle"] for d in encoded["columnDefs"] if "cellStyle" in d]
    assert sorted(code) == sorted([_grid.EDITED_CELL_STYLE.js_code] * 2 + [_grid.STATUS_CELL_STYLE.js_code])
    assert json.dumps(encoded).count("::JSCODE::") == 2 * len(code)


@pytest.mark.parametrize("after, expected", [
    (frame(), []),
    (frame({(0, "actual"): "12.5%"}), [(2, "actual", "12.5%")]),
    (frame({(1, "commentary"): None}), [(3, "commentary", "")]),
    (frame({(0, "actual"): "1", (1, "commentary"): "y"}), [(2, "actual", "1"), (3, "commentary", "y")]),
    (frame({(0, "actual"): "1"}).iloc[::-1], [(2, "actual", "1")]),  # sorted in the grid: matched by row
    (frame({(0, "code"): "changed"}), []),  # not an editable field
    (frame({(0, "row"): 99, (0, "actual"): "1"}), []),  # a row the page did not send
    (frame({(0, "actual"): float("nan")}), [(2, "actual", "")]),  # a cleared cell comes back blank
    (frame().drop(columns="commentary"), [(3, "commentary", "")]),  # a column the grid did not send back
    (frame({(0, "row"): "3", (1, "row"): "2"}),  # ids as text: matched as numbers, reported in grid order
     [(3, "actual", "8.9%"), (3, "commentary", ""), (2, "actual", "49.8%"), (2, "commentary", "x")]),
])
def test_changed_cells(after, expected):
    assert _grid.changed_cells(frame(), after, ("actual", "commentary")) == expected
