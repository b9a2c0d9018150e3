"""The one place the app uses AgGrid: an editable grid whose rows are merged back by a fixed row id.

Rules kept here (see the field notes on streamlit-aggrid): the frame handed over is a copy, grid options are built
per render from column specs written in code (never from workbook text, so a header holding ``::JSCODE::`` can
never reach the browser as code), cell values are never rendered as HTML, rows come back as input
(``AS_INPUT``) and the grid reruns the page only when a cell value is committed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from st_aggrid import AgGrid, DataReturnMode, JsCode

from pprr.rules.status import STATUS_STYLES

ROW_ID = "row"  # the worksheet row each grid row came from
STATUS_KEY = "status_key"  # hidden: the status value used to colour the status cell
EDITED = "edited"  # hidden: "|"-joined fields the officer has changed in this row
EDITED_FILL = "#FFF4C2"

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
            "singleClickEdit": False, "enableCellTextSelection": True}


def show(frame: pd.DataFrame, columns: tuple[Column, ...], key: str, height: int = 560) -> pd.DataFrame:
    """Render the grid and return its rows as they now stand (a copy of ``frame`` until a cell is edited)."""
    response = AgGrid(
        frame.copy(),
        gridOptions=grid_options(columns),
        height=height,
        data_return_mode=DataReturnMode.AS_INPUT,
        update_on=["cellValueChanged"],
        allow_unsafe_jscode=True,
        theme="streamlit",
        key=key,
        show_toolbar=False,
    )
    data = response.data
    return frame if data is None else data


def changed_cells(before: pd.DataFrame, after: pd.DataFrame, fields: tuple[str, ...]) -> list[tuple[int, str, str]]:
    """(row id, field, new text) for each editable cell whose text differs, matched by :data:`ROW_ID`, in the
    grid's row order. Compared a column at a time: the grid comes back whole on every rerun."""
    if after is before or after.empty:
        return []
    rows = pd.to_numeric(after[ROW_ID], errors="coerce")
    known = rows.isin(before[ROW_ID]).to_numpy()
    rows = rows[known].astype(int).to_numpy()
    old = before.set_index(ROW_ID).loc[rows]
    found = []
    for order, field in enumerate(fields):
        new = _texts(after[field][known] if field in after else pd.Series([None] * len(rows)))
        for i in np.flatnonzero(new != _texts(old[field])):
            found.append((i, order, int(rows[i]), field, new[i]))
    return [(row, field, text) for _, _, row, field, text in sorted(found)]


def _texts(values: pd.Series) -> np.ndarray:
    """Each value as the text the grid shows: blank for a missing value."""
    return values.astype(object).where(values.notna(), "").astype(str).to_numpy()
