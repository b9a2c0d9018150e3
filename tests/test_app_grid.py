"""The AgGrid wrapper: options written in code only, and edits merged back by worksheet row."""

import json

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


def test_the_only_code_in_the_options_is_written_here():
    encoded = json.loads(json.dumps(_grid.grid_options(COLUMNS), cls=JsCodeEncoder))
    code = [d["cellStyle"] for d in encoded["columnDefs"] if "cellStyle" in d]
    assert sorted(code) == sorted([_grid.EDITED_CELL_STYLE.js_code] * 2 + [_grid.STATUS_CELL_STYLE.js_code])
    assert encoded["getRowId"] == _grid.GET_ROW_ID.js_code
    assert encoded["onGridReady"] == _grid.ON_GRID_READY.js_code
    assert json.dumps(encoded).count("::JSCODE::") == 2 * (len(code) + 2)


def test_rows_are_known_by_their_sheet_row_and_tab_leaves_the_grid():
    assert f"params.data.{_grid.ROW_ID}" in _grid.GET_ROW_ID.js_code
    assert "'Tab'" in _grid.ON_GRID_READY.js_code and "frameElement" in _grid.ON_GRID_READY.js_code


def test_the_grid_reports_each_committed_cell_with_an_id_and_keeps_a_short_log():
    js = _grid.RETURN_EDITS.js_code
    assert "e.colDef.field" in js and f"e.data.{_grid.ROW_ID}" in js and f"> {_grid.LOG_LENGTH}" in js


def _drawn_twice():
    import pandas as pd
    import streamlit as st

    from app import grid

    frame = pd.DataFrame({grid.ROW_ID: [2, 3], "code": ["CFSE.1", "=1+1"], "actual": ["12.5%", ""]})
    columns = (grid.Column("code", "PI code"), grid.Column("actual", "In-year actual", editable=True),
               grid.Column(grid.ROW_ID, "", hidden=True))
    if "again" not in st.session_state:
        st.session_state["again"] = grid._draw("kept_grid", grid._shown(frame, columns, "view", 300, 0))
    else:
        st.session_state["again"]()


def test_a_kept_grid_is_drawn_again_without_working_out_its_arguments(monkeypatch):
    from streamlit.testing.v1 import AppTest

    calls = []
    aggrid = _grid.AgGrid
    monkeypatch.setattr(_grid, "AgGrid", lambda *args, **kwargs: calls.append(1) or aggrid(*args, **kwargs))
    at = AppTest.from_function(_drawn_twice).run()
    first = at.get("component_instance")[0].proto
    at.run()
    again = at.get("component_instance")[0].proto
    assert len(calls) == 1  # the second run handed the noted arguments to the component
    assert again == first  # the browser gets the same element: same id, same rows, same options
    assert "kept_grid" in first.id and '\\"code\\":\\"=1+1\\"' in first.json_args
