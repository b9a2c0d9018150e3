"""The one place the app uses AgGrid: an editable grid that stays on screen while the officer works in it.

One grid per page that has one (:data:`GRID_PAGES`), each kept in the browser across pages: the entry script draws
them after the page, at fixed places (see :func:`begin` and :func:`finish`), and each page says what its grid shows
with :func:`show`. The grid of the page open is shown; the others are hidden and keep the rows they last showed, so
coming back to a page finds its grid loaded, laid out and drawn (AG Grid's script is several megabytes, and one grid
taking another page's columns and rows took longer than the rest of the page change). A page writes what goes above
its grid into :func:`above` and what goes beside it into :func:`beside`; the rest of the page follows below.

How the grid is fed (streamlit-aggrid 1.2.1.post2, AG Grid 34):

* A grid's ``key`` never changes (:func:`component_key` of its page), so the browser keeps each page's grid (no
  blank grid, no lost sort, filter, scroll position or focus). New rows reach it with
  ``server_sync_strategy="server_wins"``: the component hands every new frame to AG Grid, which matches rows by
  their id (:data:`ROW_ID`, see :data:`GET_ROW_ID`) and redraws only the cells whose values changed.
* The grid does not send its rows back. Each committed cell is added to a short log kept in the grid's frame, and
  the log (``{"edits": [{"id", "grid", "row", "field", "value"}, ...]}``) is the component's value; ``grid`` is the
  key the page gave its rows (:data:`VIEW`), so a page only ever takes the cells committed in its own rows. A page
  reads the cells it has not seen yet with :func:`new_edits` *before* it works out the rows to show, so one script
  run records the edit and draws its result. A burst of edits committed while the server is busy is never lost:
  the log carries the last :data:`LOG_LENGTH` of them and each is taken once, by its id.
* While a cell is being edited, rows arriving from the server wait until the editor closes (a value typed into
  the next cell is never thrown away by the rerun of the previous one); Tab leaves the grid instead of walking
  every cell.

Rules kept from the field notes: the frame handed over is a copy; grid options come only from column specs written
in code (never from workbook text, so a header holding ``::JSCODE::`` can never reach the browser as code); cell
values are never rendered as HTML; the grid reruns the page only when a cell value is committed.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from st_aggrid import AgGrid, DataReturnMode, JsCode

from pprr.rules.status import STATUS_STYLES

# streamlit-aggrid works out the component's arguments from the frame on every call (the rows as JSON, their column
# types as text), several milliseconds per run for a grid of a thousand rows. A hidden grid is handed the same
# arguments run after run, so they are worked out once: AgGrid's call to its component is noted (:func:`_noting`) and
# later runs hand the noted arguments to the component directly (see :func:`_draw`). The test suite checks that both
# ways give the browser the same element.
_AGGRID = importlib.import_module("st_aggrid.AgGrid")
_COMPONENT = getattr(_AGGRID._component_func, "__wrapped__", _AGGRID._component_func)
_noted = threading.local()  # each session's script runs in a thread of its own


def _noting(**kwargs):
    if getattr(_noted, "args", None) is not None:
        _noted.args = kwargs
    return _COMPONENT(**kwargs)


_noting.__wrapped__ = _COMPONENT
_AGGRID._component_func = _noting

ROW_ID = "row"  # the worksheet row each grid row came from: the row's id in the grid
STATUS_KEY = "status_key"  # hidden: the status value used to colour the status cell
EDITED = "edited"  # hidden: "|"-joined fields the officer has changed in this row
SYNC = "sync"  # hidden: changed to make the grid take rows it already has (after a refused value)
VIEW = "grid_view"  # hidden: the key of the page's grid the row belongs to
COMPONENT_KEY = "pprr_grid"  # the grid components' keys start with it (see component_key)
SLOT_KEY = "pprr_grid_slot"
GRID_PAGES = ("measures", "what_if", "finance")  # pages (file stems) with a grid of their own, in page order
BESIDE = "what_if"  # the page whose grid has a narrow column beside it (the counts its scenario moves)
EDITED_FILL = "#FFF4C2"
LOG_LENGTH = 50  # committed cells the grid keeps offering until the server has taken them
_SEEN = "pprr_grid_seen"  # session state: grid key -> ids of the edits already taken
_REQUEST = "pprr_grid_request"  # session state: what the page asked the grid to show in the last full run
_PLACES = "pprr_grid_places"  # session state: this run's page and containers above, for and beside each grid
_LAST = "pprr_grid_last"  # session state: page -> what its grid last showed (:class:`Drawn`)


def component_key(page: str) -> str:
    return f"{COMPONENT_KEY}_{page}"


def slot_key(page: str) -> str:
    return f"{SLOT_KEY}_{page}"


# Out of sight, out of the tab order and out of the accessibility tree, but still laid out at its full size: the
# grid keeps its rows drawn while hidden, so showing it again draws nothing new (hidden with display: none, the
# grid's frame had no size, and coming back meant AG Grid laying out and drawing every visible row again). The
# negative margin takes back the gap the page's layout leaves after an element.
def hidden_style(page: str) -> str:
    return (f'<style>[data-testid="stLayoutWrapper"]:has(> .st-key-{slot_key(page)}) {{ max-height: 0; '
            "overflow: hidden; visibility: hidden; margin-bottom: -1rem; }</style>")


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
    // The frame follows the grid's height whenever it changes: the component itself resizes its frame only on
    // some grid events, which a grid kept hidden on another page and then shown with another height never fires.
    const root = document.querySelector('.ag-root-wrapper');
    if (root && window.ResizeObserver) {
        let shown = 0;
        new ResizeObserver(function() {
            const height = Math.ceil(root.getBoundingClientRect().bottom);
            if (height > 0 && height !== shown) {
                shown = height;
                window.parent.postMessage({isStreamlitMessage: true, type: 'streamlit:setFrameHeight', height: height},
                                          '*');
            }
        }).observe(root);
    }
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
    log.push({{id: window.__pprrMount + '.' + window.__pprrCount, grid: e.data.{VIEW}, row: e.data.{ROW_ID},
               field: e.colDef.field, value: value}});
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
    edits = []
    for component in (COMPONENT_KEY, *map(component_key, GRID_PAGES)):  # a page run alone: the plain key
        value = st.session_state.get(component)
        log = value.get("edits") if isinstance(value, dict) else None
        if isinstance(log, list):
            edits += [item for item in log if isinstance(item, dict) and item.get("grid") == key]
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


@dataclass(frozen=True)
class Request:
    """What a page shows in its grid. When the officer commits a cell, ``refresh`` (when given) takes the page's new
    edits and returns the rows to show, the ``sync`` value and whether it took any; the grid shows them at once and
    the whole page then runs again, so everything else on it shows the edit too. Without ``refresh`` the whole
    page runs at once."""

    page: str  # the page (file stem) whose grid it is
    frame: pd.DataFrame
    columns: tuple[Column, ...]
    key: str
    height: int
    sync: int
    refresh: Callable[[], tuple[pd.DataFrame, int, bool]] | None


@dataclass(frozen=True)
class Places:
    """This run's page and the containers above the grids, and for and beside each page's grid."""

    page: str
    head: object
    grids: dict[str, object]
    sides: dict[str, object]


def begin(page: str) -> None:
    """Called by the entry script before the page ``page`` (its file stem) runs: the place above the grids, then one
    place for each page's grid (with a narrow column on its right for :data:`BESIDE`), always in the same order."""
    st.session_state.pop(_REQUEST, None)
    head = st.container()
    grids, sides = {}, {}
    for name in GRID_PAGES:
        with st.container(key=slot_key(name)):
            if name == BESIDE:
                grids[name], sides[name] = st.columns([3, 1], gap="small")
            else:
                grids[name] = st.container()
    st.session_state[_PLACES] = Places(page, head, grids, sides)


def above():
    """The container above the grid, for the page's title, filters and messages."""
    places: Places | None = st.session_state.get(_PLACES)
    return places.head if places else st.container()


def beside():
    """The column beside the page's grid (narrow: see :func:`begin`)."""
    places: Places | None = st.session_state.get(_PLACES)
    if places is None:
        return st.container()
    return places.sides.get(places.page, places.head)


def show(frame: pd.DataFrame, columns: tuple[Column, ...], key: str, height: int = 560, sync: int = 0,
         refresh: Callable[[], tuple[pd.DataFrame, int, bool]] | None = None) -> None:
    """Show the rows of ``frame`` in the page's grid, as the grid ``key`` (updated in place when it was shown
    before). ``sync``: change it to make the grid show rows it may think it already has (e.g. after refusing a
    typed value). ``refresh``: see :class:`Request`.

    A page run on its own, without the entry script (Streamlit does that for a page's address before any session
    has run the entry script, and so does AppTest), gets the grid where it asks for it."""
    places: Places | None = st.session_state.get(_PLACES)
    if places is None or places.page not in GRID_PAGES:
        _draw(COMPONENT_KEY, _shown(frame, columns, key, height, sync))
        return
    st.session_state[_REQUEST] = Request(places.page, frame, columns, key, height, sync, refresh)


def finish() -> None:
    """Called by the entry script after the page: draws each page's grid, all but the open page's hidden."""
    places: Places = st.session_state[_PLACES]
    request: Request | None = st.session_state.get(_REQUEST)
    for name in GRID_PAGES:
        with places.grids[name]:
            _host(name)
            if request is None or request.page != name:  # a style sheet takes no room
                st.html(hidden_style(name))


def end() -> None:
    """Called by the entry script when its run ends, however it ends: the places belong to that run only."""
    st.session_state.pop(_PLACES, None)


def _fragment_run() -> bool:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return bool(ctx and ctx.fragment_ids_this_run)


@st.fragment
def _host(page: str) -> None:
    """The grid of ``page``. A committed cell reruns only this, so the edited row shows its result at once; the
    page follows in a second run when the edit was taken."""
    request: Request | None = st.session_state.get(_REQUEST)
    kept: dict[str, Drawn] = st.session_state.setdefault(_LAST, {})
    last = kept.get(page)
    if request is None or request.page != page:
        # Hidden, a grid keeps the rows it last showed: the same element again costs the browser nothing, and
        # going back to its page finds them already drawn. A page not yet visited has no grid at all.
        if last is not None:
            last.again()
        return
    frame, sync = request.frame, request.sync
    taken = False
    if _fragment_run():
        if request.refresh is None:
            st.rerun()  # the page takes the edit in a run of its own
        frame, sync, taken = request.refresh()
    asked = (request.columns, request.key, request.height, sync)
    if last is not None and last.frame is frame and last.asked == asked:
        last.again()  # the same rows as last time: its page's rows are worked out once per working copy
    else:
        kept[page] = Drawn(frame, asked, _draw(component_key(page), _shown(frame, *asked)))
    if taken:
        st.rerun()


@dataclass(frozen=True)
class Drawn:
    """What a page's grid last showed: the page's rows and what else it asked for, and what draws it again."""

    frame: pd.DataFrame
    asked: tuple
    again: Callable[[], None]


@dataclass(frozen=True)
class Shown:
    """What a grid is handed: its rows with their :data:`SYNC` and :data:`VIEW` columns, its columns, its height.
    Made when the page shows the grid; while it is hidden, its component is handed the same arguments again."""

    rows: pd.DataFrame
    columns: tuple[Column, ...]
    height: int


def _shown(frame: pd.DataFrame, columns: tuple[Column, ...], key: str, height: int, sync: int) -> Shown:
    rows = frame.assign(**{SYNC: sync, VIEW: key})
    # Text as Python strings: the grid's JSON is written from them directly, where pandas' Arrow-backed strings
    # were turned into them again on every run (half the JSON's time at 1,000 measures); the JSON is the same.
    text = [name for name, dtype in rows.dtypes.items() if isinstance(dtype, pd.StringDtype)]
    rows[text] = rows[text].astype(object)
    return Shown(rows, columns + (Column(SYNC, "", hidden=True), Column(VIEW, "", hidden=True)), height)


def _draw(component: str, shown: Shown) -> Callable[[], None]:
    """Draw the grid; returns what draws it again, unchanged, in a later run (see :data:`_COMPONENT`)."""
    _noted.args = {}
    try:
        _aggrid(component, shown)
        args = _noted.args
    finally:
        _noted.args = None
    if not args:  # AgGrid called its component some other way: draw it through AgGrid every time
        return lambda: _aggrid(component, shown)
    return lambda: _COMPONENT(**args)


def _aggrid(component: str, shown: Shown) -> None:
    AgGrid(
        shown.rows.copy(),  # AgGrid may change the frame it is handed
        gridOptions=grid_options(shown.columns),
        # The rows go to the browser as JSON, not as an Arrow table: hashing and converting a frame of a thousand
        # rows to Arrow costs the server more than the rest of the page's run.
        use_json_serialization=True,
        height=shown.height,
        data_return_mode=DataReturnMode.CUSTOM,
        custom_jscode_for_grid_return=RETURN_EDITS,
        update_on=["cellValueChanged"],
        server_sync_strategy="server_wins",
        allow_unsafe_jscode=True,
        theme="streamlit",
        key=component,
        show_toolbar=False,
    )
