"""Measures: every measure in one editable grid, with its status, trend and reason recomputed on each edit.

The grid's rows are worked out once per revision of the working copy (:class:`View`); the filters are applied to
them on each rerun.
"""

import hashlib
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app import grid as _grid
from app import periods as _periods
from app import state as _state
from pprr.model import PortfolioWorkbook
from pprr.rules.status import (
    STATUS_ORDER,
    STATUS_STYLES,
    TREND_KEY,
    Rating,
    history_text,
    settings_for,
    status_key,
)
from pprr.rules.values import UnreadableValue
from pprr.safe_text import markdown_text
from pprr.schema import MEASURE_TYPES, MEASURES
from pprr.year.edits import COMMENTARY, in_year_actual

_MESSAGE = "measures_message"  # (kind, text) shown after the rerun that follows an edit
_NONCE = "measures_grid_nonce"  # changed to redraw the grid from the log after a rejected value
_VIEW = "measures_view"


def columns() -> tuple[_grid.Column, ...]:
    C = _grid.Column
    return (
        C("code", "PI code", 150, pinned=True, tooltip=True),  # the code with its cohort: "CFSE.13 Writing"
        C("name", "Measure", 210, tooltip=True),
        C("actual", "In-year actual", 125, editable=True, tooltip=True),
        C("target", "Target", 105, editable=True, tooltip=True),
        C("status", "Status", 110, status=True),
        C("previous", "Previous status", 125, tooltip=True),  # at the last kept reporting period
        C("trend", "Trend", 115),
        C("latest", "Latest value", 175, tooltip=True),
        C("history", "Earlier years", 260, tooltip=True),
        C("mark", "Edited", 90),
        C("reason", "Reason", 380, tooltip=True),
        C("commentary", "Commentary", 320, editable=True, large_text=True, tooltip=True),
        C("cohort", "Cohort", 100),
        C("priority", "Priority", 90, numeric=True),
        C("type", "Type", 110),
        C(_grid.ROW_ID, "Sheet row", 90, numeric=True),
        C(_grid.STATUS_KEY, "", hidden=True),
        C(_grid.EDITED, "", hidden=True),
    )


def edit_fields(wb: PortfolioWorkbook) -> dict[str, str]:
    """Grid column -> the workbook column an edit writes to."""
    fields = {"commentary": COMMENTARY}
    if in_year_actual(wb):
        fields["actual"] = in_year_actual(wb)
        fields["target"] = _state.target_field(wb)
    return fields


def edited_cells(fields: dict[str, str]) -> dict[int, set[str]]:
    by_header = {header: column for column, header in fields.items()}
    edited: dict[int, set[str]] = {}
    for e in _state.changes():
        if e.sheet == MEASURES.name and e.field in by_header:
            edited.setdefault(e.row, set()).add(by_header[e.field])
    return edited


def latest_text(rating: Rating) -> str:
    return f"{rating.latest.raw} ({rating.latest_label})" if rating.latest else ""


def measures_frame(wb: PortfolioWorkbook, ratings: tuple[Rating, ...], fields: dict[str, str]) -> pd.DataFrame:
    year = (in_year_actual(wb) or "").split(" ")[0]
    before = _periods.previous_ratings()  # (period, status per CODE|COHORT), None when no earlier period is kept
    previous = {key: f"{STATUS_STYLES[s].symbol} {STATUS_STYLES[s].label} ({before[0]})"
                for key, s in before[1].items()} if before else {}
    edited = edited_cells(fields)
    settings = settings_for(wb)
    rows = []
    for m, r in zip(wb.measures, ratings):
        marks = edited.get(m.row, set())
        rows.append({
            _grid.ROW_ID: m.row, "code": m.label, "cohort": m.cohort, "name": m.name, "priority": m.priority,
            "type": m.measure_type, "mark": "✎ edited" if marks else "",
            "actual": next((v.raw for y, v in m.actuals if y == year), ""), "target": m.target.raw,
            "status": r.badge, "trend": f"{r.arrow} {r.trend.value}" if r.trend else "", "latest": latest_text(r),
            "history": history_text(m, settings, before=year),
            "reason": r.reason, "commentary": m.commentary, _grid.STATUS_KEY: r.status.value,
            "previous": previous.get(f"{m.code}|{m.cohort}", ""),
            _grid.EDITED: "|".join(sorted(marks)),
        })
    return pd.DataFrame(rows, columns=[c.field for c in columns()])


@dataclass(frozen=True)
class View:
    """The grid's rows for one state of the working copy."""

    source: _state.Derived  # the working copy's derived state they were worked out from
    fields: dict[str, str]
    frame: pd.DataFrame


def view() -> View:
    """The grid's rows, worked out again only when the working copy has changed."""
    derived = _state.derived()
    memo: View | None = st.session_state.get(_VIEW)
    if memo is None or memo.source is not derived:
        fields = edit_fields(derived.current)
        memo = View(derived, fields, measures_frame(derived.current, derived.ratings, fields))
        st.session_state[_VIEW] = memo
    return memo


def filtered(frame: pd.DataFrame, wb: PortfolioWorkbook) -> pd.DataFrame:
    titles = {p.number: p.title for p in wb.priorities}
    priority, status, kind, search = st.columns([3, 2, 2, 3])
    chosen_priorities = priority.multiselect(
        "Priority", sorted(set(frame["priority"])), key="measures_priority",
        format_func=lambda n: f"{n}. {titles.get(n, '')}".strip(), placeholder="All priorities")
    badges = {s.value: f"{STATUS_STYLES[s].symbol} {STATUS_STYLES[s].label}" for s in STATUS_ORDER}
    chosen_statuses = status.multiselect("Status", list(badges), key="measures_status", format_func=badges.get,
                                         placeholder="All statuses")
    chosen_types = kind.multiselect("Measure type", MEASURE_TYPES, key="measures_type", placeholder="All types")
    text = search.text_input("Search code or name", key="measures_search", placeholder="e.g. CFSE.1 or smoking")
    keep = pd.Series(True, index=frame.index)
    if chosen_priorities:
        keep &= frame["priority"].isin(chosen_priorities)
    if chosen_statuses:
        keep &= frame[_grid.STATUS_KEY].isin(chosen_statuses)
    if chosen_types:
        keep &= frame["type"].isin(chosen_types)
    if text.strip():
        needle = text.strip().casefold()
        keep &= (frame["code"].str.casefold().str.contains(needle, regex=False)
                 | frame["name"].str.casefold().str.contains(needle, regex=False))
    return frame[keep]


def record(cells: list[tuple[int, str, str]], fields: dict[str, str], wb: PortfolioWorkbook) -> None:
    """Put edited cells into the log; an unreadable value is refused with a message naming the cell."""
    labels = {m.row: m.label for m in wb.measures}
    done, refused = [], []
    for row, column, text in cells:
        where = f"{labels.get(row, '')} (Measures sheet, row {row}, column '{fields[column]}')"
        try:
            if _state.edit(MEASURES.name, row, fields[column], text):
                done.append(where)
        except (UnreadableValue, ValueError) as exc:
            refused.append(f"{where}: {exc}. The value was not stored.")
    if refused:
        st.session_state[_NONCE] = st.session_state.get(_NONCE, 0) + 1
        st.session_state[_MESSAGE] = ("error", "\n\n".join(refused))
    elif done:
        st.session_state[_MESSAGE] = ("success", "Saved: " + "; ".join(done))


def change_log() -> None:
    st.subheader("Change log")
    edits = _state.working().edits
    if not edits:
        st.text("No edits yet.")
        return
    frame = pd.DataFrame([(e.label, e.sheet, e.row, e.field, e.old, e.new) for e in edits],
                         columns=["Measure / line", "Sheet", "Row", "Field", "Old value", "New value"])
    st.dataframe(frame, hide_index=True, width="stretch", key="change_log")
    undo, reset = st.columns(2)
    undo.button("Undo last edit", key="undo_edit", on_click=_state.undo)
    reset.button("Reset all edits", key="reset_edits", on_click=_state.reset)


def keys() -> None:
    with st.expander("How status and trend are set"):
        for status, meaning in status_key(_state.settings()):
            st.text(f"{STATUS_STYLES[status].symbol} {STATUS_STYLES[status].label}: {meaning}")
        for trend, meaning in TREND_KEY:
            st.text(f"{trend}: {meaning}")


def edit_form(wb: PortfolioWorkbook, fields: dict[str, str]) -> None:
    """The same edit without the grid: for keyboard users and for pasting long commentary."""
    with st.expander("Edit a value by measure code"), st.form("measure_edit_form", clear_on_submit=False):
        rows = {m.row: f"{m.label}: {m.name}" for m in wb.measures}
        row = st.selectbox("Measure", list(rows), format_func=rows.get, key="form_measure")
        column = st.selectbox("Field", list(fields), format_func=fields.get, key="form_field")
        text = st.text_area("New value", key="form_value", help="e.g. 12.5%, 0.33 (9) or Awaiting data")
        if st.form_submit_button("Save this value"):
            record([(row, column, text)], fields, wb)
            st.rerun()


st.title("Measures")
wb = _state.current()
shown_view = view()
fields, frame = shown_view.fields, shown_view.frame
year = (in_year_actual(wb) or "").split(" ")[0]
st.caption(f"Double-click an in-year actual ({year}), target or commentary cell to edit it; the status, trend "
           "and reason update as soon as the value is committed. Values follow the workbook's rules: 12.5%, "
           "0.33 (9) and Awaiting data all work. Status is shown as a symbol and word as well as a colour.")
message = st.session_state.pop(_MESSAGE, None)
if message:
    (st.error if message[0] == "error" else st.success)(markdown_text(message[1]))
shown = filtered(frame, wb)
st.caption(f"Showing {len(shown)} of {len(frame)} measures.")
working = _state.working()
filters = hashlib.sha256(repr(list(shown[_grid.ROW_ID])).encode()).hexdigest()[:8]
key = f"measures_grid_{working.sha[:12]}_{working.revision}_{st.session_state.get(_NONCE, 0)}_{filters}"
returned = _grid.show(shown, columns(), key)
cells = [c for c in _grid.changed_cells(shown, returned, tuple(fields)) if c[1] in fields]
if cells:
    record(cells, fields, wb)
    st.rerun()
edit_form(wb, fields)
keys()
change_log()
