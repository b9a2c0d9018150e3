"""The one place the app uses AgGrid: an editable grid that stays on screen while the officer works in it.

How the grid is fed (streamlit-aggrid 1.2.1.post2, AG Grid 34):

* The grid's ``key`` never changes while its page is shown, so the browser keeps the one grid (no blank grid, no
  lost sort, filter, scroll position or focus). New rows reach it with ``server_sync_strategy="server_wins"``: the
  component hands every new frame to AG Grid, which matches rows by their id (:data:`ROW_ID`, see
  :data:`GET_ROW_ID`) and redraws only the cells whose values changed.
* The grid does not send its rows back. Each committed cell is added to a short log kept in the grid's frame, and
  the log (``{"edits": [{"id", "row", "field", "value"}, ...]}``) is the component's value. A page reads the cells
  it has not seen yet with :func:`new_edits` *before* it works out the rows to show, so one script run records the
  edit and draws its result. A burst of edits committed while the server is busy is never lost: the log carries
  the last :data:`LOG_LENGTH` of them and each is taken once, by its id.
* While a cell is being edited, rows arriving from the server wait until the editor closes (a value typed into
  the next cell is never thrown away by the rerun of the previous one); Tab leaves the grid instead of walking
  every cell.

Rules kept from the field notes: the frame handed over is a copy; grid options come only from column specs written
in code (never from workbook text, so a header holding ``::JSCODE::`` can never reach the browser as code); cell
values are never rendered as HTML; the grid reruns the page only when a cell value is committed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from st_aggrid import AgGrid, DataReturnMode, JsCode

from pprr.rules.status import STATUS_STYLES

ROW_ID = "row"  # the worksheet row each grid row came from: the row's id in the grid
STATUS_KEY = "status_key"  # hidden: the status value used to colour the status cell
EDITED = "edited"  # hidden: "|"-joined fields the officer has changed in this row
SYNC = "sync"  # hidden: changed to make the grid take rows it already has (after a refused value)
EDITED_FILL = "#FFF4C2"
LOG_LENGTH = 50  # committed cells the grid keeps offering until the server has taken them
_SEEN = "pprr_grid_seen"  # session state: grid key -> ids of the edits already taken

_STYLES = {status.value: {"backgroundColor": style.fill, "color": style.text, "fontWeight": "600"}
           for status, style in STATUS_STYLES.items()}
STATUS_CELL_STYLE = JsCode(
    "function(params) { const styles = " + json.dumps(_STYLES)
    + f"; return (params.data && styles[params.data.{STATUS_KEY}]) || null; }}"
)
EDITED_CELL_STYLE = JsCode(
    f"function(params) {{ const edited = ((params.data && params.data.{EDITED}) || '').split('|'); "
    f"return edited.includes(params.colDef.field) ? {{backgroundColor: '{EDITED_FILL}', fontStyle: 'italic'}} "
    ": null; }"
)
GET_ROW_ID = JsCode(f"function(params) {{ return String(params.data.{ROW_ID}); }}")
# The component cancels any open editor and replaces the rows on every rerun; while an editor is open the new rows
# wait, and are taken when it closes (unless its value changed: the rerun that change starts brings newer rows).
ON_GRID_READY = JsCode("""function(event) {
    const api = event.api;
    if (api.__pprrReady) { return; }
    api.__pprrReady = true;
    const stop = api.stopEditing.bind(api);
    const update = api.updateGridOptions.bind(api);
    let waiting = null;
    const editing = () => api.getEditingCells().length > 0;
    api.stopEditing = function(cancel) { if (cancel && editing()) { return; } return stop(cancel); };
    api.updateGridOptions = function(options) {
        if (options && Object.prototype.hasOwnProperty.call(options, 'rowData') && editing()) {
            waiting = options; return;
        }
        return update(options);
    };
    api.addEventListener('cellEditingStopped', function(e) {
        const rows = waiting; waiting = null;
        if (rows && !e.valueChanged) { setTimeout(function() { update(rows); }, 0); }
    });
    // Tab and Shift+Tab leave the grid for the control after (or before) it on the page, committing any open
    // editor; the arrow keys move between cells. The grid's frame is served by the app itself (same origin).
    const selector = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), '
        + 'textarea:not([disabled]), summary, iframe, [tabindex]:not([tabindex="-1"])';
    document.addEventListener('keydown', function(e) {
        if (e.key !== 'Tab' || e.altKey || e.ctrlKey || e.metaKey) { return; }
        const frame = window.frameElement;
        if (!frame) { return; }
        if (editing()) { stop(false); }
        e.preventDefault();
        e.stopPropagation();
        const doc = frame.ownerDocument;
        const shown = Array.from(doc.querySelectorAll(selector)).filter(function(el) {
            return el === frame || (el.checkVisibility({visibilityProperty: true})
                                    && !el.closest('[aria-hidden="true"]'));
        });
        const step = e.shiftKey ? -1 : 1;
        for (let i = shown.indexOf(frame) + step; i >= 0 && i < shown.length; i += step) {
            shown[i].focus();
            if (doc.activeElement === shown[i]) { return; }
        }
        frame.blur();
    }, true);
}""")
RETURN_EDITS = JsCode(f"""function(params) {{
    const e = params.eventData;
    const log = window.__pprrEdits || (window.__pprrEdits = []);
    window.__pprrMount = window.__pprrMount || (Date.now().toString(36) + Math.random().toString(36).slice(2));
    window.__pprrCount = (window.__pprrCount || 0) + 1;
    const value = e.newValue === null || e.newValue === undefined ? '' : String(e.newValue);
    log.push({{id: window.__pprrMount + '.' + window.__pprrCount, row: e.data.{ROW_ID}, field: e.colDef.field,
               value: value}});
    while (log.length > {LOG_LENGTH}) {{ log.shift(); }}
    return {{edits: log.slice()}};
}}""")


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    width: int = 120
    editable: bool = False
    large_text: bool = False
    status: bool = False  # coloured by the row's status
    hidden: bool = False
    pinned: bool = False
    numeric: bool = False  # right-aligned; money shown as text with brackets is numeric too
    tooltip: bool = False  # the cell's whole text on hover, for a column too narrow to show it


@dataclass(frozen=True)
class CellEdit:
    """A value the officer committed in a grid cell."""

    row: int  # :data:`ROW_ID` of the row
    field: str  # the grid column
    text: str


def grid_options(columns: tuple[Column, ...]) -> dict:
    """AG Grid options for ``columns``. Every string in them comes from this code, never from a workbook."""
    defs = []
    for c in columns:
        spec: dict = {"field": c.field, "headerName": c.header, "width": c.width, "editable": c.editable,
                      "sortable": True, "resizable": True, "filter": True}
        if c.numeric:
            spec["type"] = "rightAligned"
        if c.hidden:
            spec["hide"] = True
        if c.pinned:
            spec["pinned"] = "left"
        if c.tooltip:
            spec["tooltipField"] = c.field
        if c.editable:
            spec["cellEditor"] = "agLargeTextCellEditor" if c.large_text else "agTextCellEditor"
            spec["cellEditorPopup"] = c.large_text
            spec["cellStyle"] = EDITED_CELL_STYLE
            spec["headerTooltip"] = "Double-click a cell (or press Enter) to edit; Enter commits, Escape cancels."
        if c.status:
            spec["cellStyle"] = STATUS_CELL_STYLE
        defs.append(spec)
    return {"columnDefs": defs, "rowHeight": 32, "tooltipShowDelay": 300, "stopEditingWhenCellsLoseFocus": True,
            "singleClickEdit": False, "enableCellTextSelection": True, "getRowId": GET_ROW_ID,
            "onGridReady": ON_GRID_READY, "suppressColumnVirtualisation": False}


def new_edits(key: str) -> list[CellEdit]:
    """The cells committed in the grid ``key`` that no run has taken yet, oldest first; each is returned once."""
    value = st.session_state.get(key)
    edits = value.get("edits") if isinstance(value, dict) else None
    if not isinstance(edits, list):
        return []
    seen: dict[str, set[str]] = st.session_state.setdefault(_SEEN, {})
    taken = seen.setdefault(key, set())
    found = []
    for item in edits:
        if not isinstance(item, dict) or item.get("id") in taken:
            continue
        try:
            found.append(CellEdit(int(item["row"]), str(item["field"]), str(item.get("value") or "")))
        except (KeyError, TypeError, ValueError):
            continue
    # Ids drop out of the grid's log as it moves on; only the ones it still offers need remembering.
    seen[key] = {str(item.get("id")) for item in edits if isinstance(item, dict)}
    return found


def show(frame: pd.DataFrame, columns: tuple[Column, ...], key: str, height: int = 560, sync: int = 0) -> None:
    """Draw the grid ``key`` with the rows of ``frame`` (updated in place when it was drawn before). ``sync``:
    change it to make the grid show rows it may think it already has (e.g. after refusing a typed value)."""
    shown = frame.copy()
    shown[SYNC] = sync
    AgGrid(
        shown,
        gridOptions=grid_options(columns + (Column(SYNC, "", hidden=True),)),
        height=height,
        data_return_mode=DataReturnMode.CUSTOM,
        custom_jscode_for_grid_return=RETURN_EDITS,
        update_on=["cellValueChanged"],
        server_sync_strategy="server_wins",
        allow_unsafe_jscode=True,
        theme="streamlit",
        key=key,
        show_toolbar=False,
    )
