"""Measures: every measure in one editable grid, with its status, trend and reason recomputed on each edit.

The grid's rows are worked out once per revision of the working copy (:class:`View`); the filters are applied to
them on each rerun.
"""

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app import grid as _grid
from app import html_table
from app import periods as _periods
from app import state as _state
from pprr.model import Measure, PortfolioWorkbook
from pprr.rules.agreement import flag_key, flags_text
from pprr.rules.benchmarks import COMPARISON_KEY, chosen_set, describe, is_known, judge, known_name
from pprr.rules.status import (
    STATUS_ORDER,
    STATUS_STYLES,
    TREND_KEY,
    Rating,
    history_text,
    settings_for,
    status_key,
)
from pprr.rules.values import UnreadableValue, format_value
from pprr.safe_text import markdown_text
from pprr.schema import MEASURE_TYPES, MEASURES
from pprr.year.edits import COMMENTARY, in_year_actual

_MESSAGE = "measures_message"  # (kind, text) said once, after an edit or an undo
_NONCE = "measures_grid_nonce"  # changed to make the grid show the stored value again after a refused one
_VIEW = "measures_view"
_CONFIRM_RESET = "measures_confirm_reset"


def comparator_columns(sets: tuple[str, ...], chosen: str = "") -> tuple[_grid.Column, ...]:
    """One column per comparator set, then how the latest compares with the chosen set. Headers are the code's
    own words (:func:`known_name`), never the workbook's."""
    if not sets:
        return ()
    C = _grid.Column
    versus = known_name(chosen, 0) if is_known(chosen) else "chosen set"
    return (*(C(f"cmp_{i}", known_name(name, i + 1), 140, tooltip=True) for i, name in enumerate(sets)),
            C("versus", f"vs {versus}", 150, tooltip=True))


def comparator_cells(m: Measure, r: Rating, wb: PortfolioWorkbook) -> dict[str, str]:
    cells = {}
    for i, name in enumerate(wb.comparator_sets):
        b = m.benchmark(name)
        label = "" if is_known(name) else f"{name}: "  # an unknown set's name shows in its cells, not its header
        cells[f"cmp_{i}"] = f"{label}{describe(b)}" if b else ""
    if wb.comparator_sets:
        j = judge(m, r.latest.number if r.latest else None, chosen_set(wb), wb.portfolio.tolerance_pct)
        cells["versus"] = j.text
    return cells


def columns(sets: tuple[str, ...] = (), chosen: str = "") -> tuple[_grid.Column, ...]:
    C = _grid.Column
    return (
        C("code", "PI code", 140, pinned=True, tooltip=True),  # the code with its cohort: "CFSE.13 Writing"
        C("status", "Status", 105, status=True, pinned=True),
        C("actual", "In-year actual", 125, editable=True, tooltip=True),
        C("target", "Target", 105, editable=True, tooltip=True),
        C("trend", "Trend", 115),
        C("previous", "Previous status", 125, tooltip=True),  # at the last kept reporting period
        C("name", "Measure", 210, tooltip=True),
        C("latest", "Latest value", 175, tooltip=True),
        *comparator_columns(sets, chosen),
        C("history", "Earlier years", 260, tooltip=True),
        C("mark", "Edited", 90),
        C("reason", "Reason", 380, tooltip=True),
        C("commentary", "Commentary", 320, editable=True, large_text=True, tooltip=True),
        C("cohort", "Cohort", 100),
        C("priority", "Priority", 90, numeric=True),
        C("type", "Type", 110),
        C("theme", "Theme", 150, tooltip=True),
        C("flags", "Flags", 90),
        C(_grid.ROW_ID, "Sheet row", hidden=True),
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
    return f"{format_value(rating.latest.raw)} ({rating.latest_label})" if rating.latest else ""


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
            _grid.EDITED: "|".join(sorted(marks)), "theme": m.theme, "flags": flags_text(m),
            **comparator_cells(m, r, wb),
        })
    return pd.DataFrame(rows, columns=[c.field for c in columns(wb.comparator_sets, chosen_set(wb))])


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


_FILTERS_OPEN = "measures_filters_open"
_SEARCH, _PRIORITY, _STATUS, _TYPE = "measures_search", "measures_priority", "measures_status", "measures_type"


def filters() -> tuple[list, list, list, str]:
    """The filters as last set: priorities, statuses, measure types and the search text."""
    return (_state.chosen(_PRIORITY, []), _state.chosen(_STATUS, []), _state.chosen(_TYPE, []),
            _state.chosen(_SEARCH, ""))


def filter_words(priorities: list, statuses: list, types: list) -> str:
    """What the box's filters are set to, in words: "status Red; priority 2, 3"."""
    words = []
    if statuses:
        words.append("status " + ", ".join(statuses))
    if priorities:
        words.append(f"priorit{'y' if len(priorities) == 1 else 'ies'} " + ", ".join(str(p) for p in priorities))
    if types:
        words.append("type " + ", ".join(types))
    return "; ".join(words)


def filtered(frame: pd.DataFrame, wb: PortfolioWorkbook) -> pd.DataFrame:
    """The search box, and the priority, status and type filters in a box drawn only while it is open (three
    lists on the page would slow every change to this page); the filters hold while the box is closed."""
    _state.put_back(_SEARCH, "")
    st.text_input("Search code or name", key=_SEARCH, placeholder="e.g. CFSE.1 or smoking", width=420)
    box = st.expander("Filter by priority, status or type", key=_FILTERS_OPEN, on_change="rerun")  # a label
    # that never changes: the box's open state is tied to its label
    if box.open:
        priorities = sorted(set(frame["priority"]))
        titles = {p.number: p.title for p in wb.priorities}
        badges = {s.value: f"{STATUS_STYLES[s].symbol} {STATUS_STYLES[s].label}" for s in STATUS_ORDER}
        _state.put_back(_PRIORITY, [], priorities)
        _state.put_back(_STATUS, [], list(badges))
        _state.put_back(_TYPE, [], MEASURE_TYPES)
        with box:
            priority, status, kind = st.columns([3, 2, 2])
            priority.multiselect("Priority", priorities, key=_PRIORITY, placeholder="All",
                                 format_func=lambda n: f"{n}. {titles.get(n, '')}".strip())
            status.multiselect("Status", list(badges), key=_STATUS, format_func=badges.get, placeholder="All")
            kind.multiselect("Measure type", MEASURE_TYPES, key=_TYPE, placeholder="All")
    return kept(frame, *filters())


def kept(frame: pd.DataFrame, chosen_priorities: list, chosen_statuses: list, chosen_types: list,
         text: str) -> pd.DataFrame:
    """The rows the filters keep: ``frame`` itself when no filter is set."""
    if not (chosen_priorities or chosen_statuses or chosen_types or text.strip()):
        return frame
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
        st.session_state[_MESSAGE] = ("success", f"Saved in your draft: {'; '.join(done)}")


def when(stamp: float | None) -> str:
    return dt.datetime.fromtimestamp(stamp).strftime("%H:%M:%S") if stamp else "before reopening"


def undo_last() -> None:
    last = _state.undo()
    if last:
        st.session_state[_MESSAGE] = ("success", (f"Undone: {last.label} {last.field} is back to "
                                                 f"'{last.old or 'blank'}'."))


def undo_chosen() -> None:
    cell = st.session_state.get("undo_choice")
    chosen = next((c.edit for c in _state.change_log() if c.edit.cell == cell), None)
    if chosen and _state.undo_cell(cell):
        st.session_state[_MESSAGE] = ("success", (f"Undone: {chosen.label} {chosen.field} is back to "
                                                 f"'{chosen.old or 'blank'}', as uploaded."))


def confirm_reset(ask: bool) -> None:
    st.session_state[_CONFIRM_RESET] = ask


def reset_all() -> None:
    st.session_state[_CONFIRM_RESET] = False
    count = _state.reset()
    st.session_state[_MESSAGE] = ("success", (f"Reset: {count} changed cell{'' if count == 1 else 's'} put back as "
                                             "uploaded. The change log is empty."))


def undo_one(log: list) -> None:
    """Undo any one change, chosen from a list drawn only while its box is open (a list slows every change to this
    page)."""
    box = st.expander("Undo one change", key="undo_one_open", on_change="rerun")
    if not box.open:
        return
    choices = {c.edit.cell: f"{c.edit.label} {c.edit.field}: '{c.edit.new}' back to '{c.edit.old or 'blank'}'"
               for c in log}
    with box:
        choice, button = st.columns([3, 1], vertical_alignment="bottom")
        choice.selectbox("Change to undo", list(choices), format_func=choices.get, key="undo_choice")
        button.button("Undo this change", key="undo_change", on_click=undo_chosen)


def change_log() -> None:
    st.header("Change log")
    log = _state.change_log()
    if not log:
        st.text("No edits yet.")
        return
    frame = pd.DataFrame([(when(c.when), c.edit.label, c.name, c.edit.field, c.edit.old, c.edit.new) for c in log],
                         columns=["Time", "Measure / line", "Name", "Field", "Old value", "New value"])
    st.html(html_table.table(frame, "Change log", whole=("Time",), long=True))
    headline, where = _state.edits_state()
    st.caption(f"{headline}: {where}. Each changed cell is listed once, latest first, from its value as uploaded "
               "to its value now.")
    undo_one(log)
    undo, reset = st.columns(2)
    undo.button("Undo last edit", key="undo_edit", on_click=undo_last)
    if st.session_state.get(_CONFIRM_RESET):
        with reset.container(border=True):
            st.warning(f"Reset all puts every one of the {len(log)} changed cells back as uploaded, on every "
                       "page. Undo cannot bring them back.")
            yes, no = st.columns(2)
            yes.button(f"Yes, reset all {len(log)}", key="reset_yes", type="primary", on_click=reset_all)
            no.button("No, keep my edits", key="reset_no", on_click=confirm_reset, args=(False,))
    else:
        reset.button("Reset all edits…", key="reset_edits", on_click=confirm_reset, args=(True,))


def keys() -> None:
    """The key to statuses, trends, flags and comparisons, drawn only while its box is open."""
    box = st.expander("How status and trend are set", key="measures_key_open", on_change="rerun")
    if not box.open:
        return
    with box:
        for status, meaning in status_key(_state.settings()):
            st.text(f"{STATUS_STYLES[status].symbol} {STATUS_STYLES[status].label}: {meaning}")
        for trend, meaning in TREND_KEY:
            st.text(f"{trend}: {meaning}")
        for marker, meaning in flag_key():
            st.text(f"Flag {marker}: {meaning}")
        for name, meaning in COMPARISON_KEY:
            st.text(f"{name}: {meaning}")


def edit_form(wb: PortfolioWorkbook, fields: dict[str, str]) -> None:
    """The same edit without the grid: for keyboard users and for pasting long commentary. Its list of every
    measure is drawn only while the box is open (a list of a thousand measures slows every page change)."""
    box = st.expander("Edit a value by measure code", key="measures_form_open", on_change="rerun")
    if not box.open:
        return
    with box, st.form("measure_edit_form", clear_on_submit=False):
        rows = {m.row: f"{m.label}: {m.name}" for m in wb.measures}
        row = st.selectbox("Measure", list(rows), format_func=rows.get, key="form_measure")
        column = st.selectbox("Field", list(fields), format_func=fields.get, key="form_field")
        text = st.text_area("New value", key="form_value", help="e.g. 12.5%, 0.33 (9) or Awaiting data")
        if st.form_submit_button("Save this value"):
            record([(row, column, text)], fields, wb)
            st.rerun()  # the grid and the message above show the result


def take_grid_edits(key: str) -> bool:
    """Record the cells committed in the grid since the last run, before the rows are worked out, so this run
    shows their new status; whether there were any."""
    cells = _grid.new_edits(key)
    if not cells:
        return False
    wb = _state.current()
    fields = edit_fields(wb)
    record([(c.row, c.field, c.text) for c in cells if c.field in fields], fields, wb)
    return True


def refresh(key: str) -> tuple[pd.DataFrame, int, bool]:
    """When a cell is committed: the grid's rows with it, at once, under the filters as set (the rest of the page
    follows in a second run)."""
    taken = take_grid_edits(key)
    return kept(view().frame, *filters()), st.session_state.get(_NONCE, 0), taken


working = _state.working()
key = f"measures_grid_{working.sha[:12]}"
take_grid_edits(key)
wb = _state.current()
shown_view = view()
fields, frame = shown_view.fields, shown_view.frame
year = (in_year_actual(wb) or "").split(" ")[0]
with _grid.above():
    st.title("Measures")
    st.caption(f"Double-click an in-year actual ({year}), target or commentary cell (or select it and press Enter) "
               "to edit it; Enter commits and the status, trend and reason update at once. Values follow the "
               "workbook's rules: 12.5%, 0.33 (9) and Awaiting data all work. Tab leaves the grid.")
    shown = filtered(frame, wb)
    with st.container(key="measures_messages"):
        message = st.session_state.pop(_MESSAGE, None)
        if message:
            (st.error if message[0] == "error" else st.success)(markdown_text(message[1]))
        set_now = filter_words(*filters()[:3])
        st.caption(f"Showing {len(shown)} of {len(frame)} measures"
                   + (f", filtered by {set_now}." if set_now else "."))
_grid.show(shown, columns(wb.comparator_sets, chosen_set(wb)), key, sync=st.session_state.get(_NONCE, 0),
           refresh=lambda: refresh(key))
edit_form(wb, fields)
keys()
change_log()
