"""What-if: try different targets without touching the official ones, see which statuses move, adopt or discard.

Scenario targets are set many at once in an editable grid, or one at a time in a form (the keyboard-friendly way).
"""

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app import grid as _grid
from app import html_table
from app import state as _state
from pprr.model import Measure, PortfolioWorkbook
from pprr.rules.status import STATUS_STYLES, Rating, count_statuses, rerate
from pprr.rules.values import UnreadableValue
from pprr.safe_text import markdown_text

_MESSAGE = "what_if_message"
_REVISION = "what_if_scenario_revision"  # bumped on a refusal, so the grid shows the stored value again
_CONFIRM = "what_if_confirm"  # "adopt" or "discard" while the officer is asked to confirm
VIEW = "what_if_view"  # the scenario view last worked out (see view())
SCENARIO = "scenario_target"


def columns() -> tuple[_grid.Column, ...]:
    C = _grid.Column
    return (
        C("code", "PI code", 130, pinned=True, tooltip=True),  # the code with its cohort
        C("scenario_status", "Scenario status", 120, status=True, pinned=True),
        C("official_status", "Official status", 115),
        C(SCENARIO, "Scenario target", 125, editable=True, tooltip=True),
        C("official_target", "Official target", 115, tooltip=True),
        C("name", "Measure", 260, tooltip=True),
        C("cohort", "Cohort", 80, hidden=True),
        C("priority", "Priority", hidden=True),
        C(_grid.ROW_ID, "Sheet row", hidden=True),
        C(_grid.STATUS_KEY, "", hidden=True),
        C(_grid.EDITED, "", hidden=True),
    )


def moved_counts(official: tuple[Rating, ...], scenario: tuple[Rating, ...]) -> list[str]:
    """``Red 9 → 6`` for every status whose count the scenario changes."""
    before, after = count_statuses(official), count_statuses(scenario)
    return [f"{STATUS_STYLES[s].symbol} {STATUS_STYLES[s].label} {before[s]} → {after[s]}"
            for s in before if before[s] != after[s]]


def grid_frame(wb: PortfolioWorkbook, official: tuple[Rating, ...], scenario: tuple[Rating, ...],
               chosen: dict[str, str]) -> pd.DataFrame:
    """One row per measure: official and scenario target and status; the scenario target is blank when the
    measure is not in the scenario."""
    rows = []
    for m, o, s in zip(wb.measures, official, scenario):
        text = chosen.get(_state.scenario_key(m), "")
        rows.append({
            "code": m.label, "cohort": m.cohort, "name": m.name, "official_target": m.target.raw, SCENARIO: text,
            "official_status": o.badge, "scenario_status": s.badge, "priority": m.priority, _grid.ROW_ID: m.row,
            _grid.STATUS_KEY: s.status.value, _grid.EDITED: SCENARIO if text else "",
        })
    return pd.DataFrame(rows, columns=[c.field for c in columns()])


@dataclass(frozen=True)
class View:
    """The scenario's workbook, ratings and grid rows for one state of the working copy and one scenario."""

    source: _state.Derived  # the working copy's derived state (official workbook and ratings)
    scenario: tuple[tuple[str, str], ...]  # the scenario's targets, sorted
    workbook: PortfolioWorkbook  # the working copy with the scenario's targets in place of the official ones
    ratings: tuple[Rating, ...]
    frame: pd.DataFrame


def view() -> View:
    """Worked out again only when the working copy or the scenario has changed. A measure the scenario does not
    touch is the very measure of the working copy, so its official rating stands: only the scenario's measures are
    rated again."""
    derived = _state.derived()
    chosen = _state.working().scenario
    scenario = tuple(sorted(chosen.items()))
    memo: View | None = st.session_state.get(VIEW)
    if memo is None or memo.source is not derived or memo.scenario != scenario:
        swb = _state.scenario_workbook()
        ratings = rerate(derived.current, derived.ratings, swb, derived.settings)
        memo = View(derived, scenario, swb, ratings, grid_frame(derived.current, derived.ratings, ratings, chosen))
        st.session_state[VIEW] = memo
    return memo


def grid_changes(key: str) -> list[tuple[int, str]]:
    """(sheet row, scenario target text) for each scenario target committed in the grid since the last run."""
    return [(c.row, c.text) for c in _grid.new_edits(key) if c.field == SCENARIO]


def comparison(wb: PortfolioWorkbook, swb: PortfolioWorkbook, official: tuple[Rating, ...],
               scenario: tuple[Rating, ...]) -> pd.DataFrame:
    """Official and scenario target and status, side by side, for the measures the scenario touches."""
    chosen = _state.working().scenario
    rows = [(m.label, m.name, m.target.raw, o.badge, s_m.target.raw, s.badge, s.reason)
            for m, s_m, o, s in zip(wb.measures, swb.measures, official, scenario)
            if _state.scenario_key(m) in chosen]
    return pd.DataFrame(rows, columns=["Measure", "Name", "Official target", "Official status", "Scenario target",
                                       "Scenario status", "Scenario reason"])


def _bump() -> None:
    st.session_state[_REVISION] = st.session_state.get(_REVISION, 0) + 1


def record(changes: list[tuple[int, str]], rows: dict[int, Measure]) -> None:
    """Put each (row, text) into the scenario (blank text removes the measure from it); an unreadable target is
    refused with a message naming the measure, and nothing is stored for it."""
    refused = []
    for row, text in changes:
        measure = rows[row]
        try:
            _state.set_scenario_target(measure, text)
        except UnreadableValue as exc:
            refused.append(f"{measure.label}: {exc}. The scenario was not changed.")
    if refused:
        st.session_state[_MESSAGE] = ("error", "\n\n".join(refused))
        _bump()


def set_target(rows: dict[int, Measure]) -> None:
    record([(st.session_state["what_if_measure"], st.session_state["what_if_target"])], rows)


def ask(action: str | None) -> None:
    st.session_state[_CONFIRM] = action


def adopt() -> None:
    st.session_state[_CONFIRM] = None
    count = _state.adopt_scenario()
    text = (f"Adopted: {count} scenario target{'' if count == 1 else 's'} became official target edits, listed in "
            "the change log on the Measures page and saved in your draft. The scenario is now empty.")
    st.session_state[_MESSAGE] = ("success", text)


def discard() -> None:
    st.session_state[_CONFIRM] = None
    count = _state.discard_scenario()
    st.session_state[_MESSAGE] = ("success", (f"Discarded: the scenario's {count} target{'' if count == 1 else 's'} "
                                             "are gone; the official targets are unchanged."))


_PRIORITY = "what_if_priority"


def by_priority(frame: pd.DataFrame, wb: PortfolioWorkbook) -> pd.DataFrame:
    """The priority filter, in a box drawn only while it is open (a list on the page slows every change to this
    page); the filter holds while the box is closed and on other pages."""
    box = st.expander("Filter by priority", key="what_if_filter_open", on_change="rerun")
    if box.open:
        titles = {p.number: p.title for p in wb.priorities}
        priorities = sorted(set(frame["priority"]))
        _state.put_back(_PRIORITY, [], priorities)
        box.multiselect("Priority", priorities, key=_PRIORITY, placeholder="All priorities",
                        format_func=lambda n: f"{n}. {titles.get(n, '')}".strip())
    return kept(frame, _state.chosen(_PRIORITY, []))


def kept(frame: pd.DataFrame, priorities: list) -> pd.DataFrame:
    """The rows of the chosen priorities (every row when none is chosen)."""
    return frame[frame["priority"].isin(priorities)] if priorities else frame


def take_grid_changes() -> bool:
    """Put the scenario targets committed in the grid since the last run into the scenario, before the rows are
    worked out; whether there were any."""
    changes = grid_changes(grid_key())
    if changes:
        record(changes, {m.row: m for m in _state.current().measures})
    return bool(changes)


def refresh() -> tuple[pd.DataFrame, int, bool]:
    """When a scenario target is committed: the grid's rows with its new scenario status, at once, under the
    priority filter as set (the rest of the page, with the moved counts, follows in a second run)."""
    taken = take_grid_changes()
    return (kept(view().frame, _state.chosen(_PRIORITY, [])),
            st.session_state.get(_REVISION, 0), taken)


def grid_key() -> str:
    return f"what_if_grid_{_state.working().sha[:12]}"


def grid(frame: pd.DataFrame, shown: pd.DataFrame) -> None:
    """The editable grid of every measure's scenario target; a committed cell goes into the scenario at once (taken
    by :func:`main` before the rows are worked out)."""
    filtered = _state.chosen(_PRIORITY, [])
    words = f", priorit{'y' if len(filtered) == 1 else 'ies'} {', '.join(map(str, filtered))}" if filtered else ""
    st.caption(f"Showing {len(shown)} of {len(frame)} measures{words}. Double-click a scenario target (or select it and "
               "press Enter) to change it; empty it to drop the measure from the scenario. Tab leaves the grid.")
    _grid.show(shown, columns(), grid_key(), height=420, sync=st.session_state.get(_REVISION, 0), refresh=refresh)


def moved_panel(official: tuple[Rating, ...], scenario: tuple[Rating, ...]) -> None:
    """The status counts the scenario moves, kept in view beside the grid."""
    with st.container(border=True, key="what_if_moved"):
        st.markdown("**Statuses that move**")
        if not _state.working().scenario:
            st.text("No scenario yet: type a different target in the grid or the form below.")
            return
        moved = moved_counts(official, scenario)
        count = len(_state.working().scenario)
        st.caption(f"{count} scenario target{'' if count == 1 else 's'}")
        st.text("\n".join(moved) if moved else "No status count changes with this scenario.")


def decide() -> None:
    """Adopt or discard, each asked first."""
    asked = st.session_state.get(_CONFIRM)
    count = len(_state.working().scenario)
    if asked == "adopt":
        with st.container(border=True):
            st.warning(f"Adopt makes the {count} scenario target{'' if count == 1 else 's'} official: each becomes "
                       "an edit in the change log and goes into the downloaded workbook.")
            yes, no = st.columns(2)
            yes.button(f"Yes, adopt {count}", key="adopt_yes", type="primary", on_click=adopt)
            no.button("No, keep it as a scenario", key="adopt_no", on_click=ask, args=(None,))
    elif asked == "discard":
        with st.container(border=True):
            st.warning(f"Discard deletes the {count} scenario target{'' if count == 1 else 's'}. The official "
                       "targets stay as they are.")
            yes, no = st.columns(2)
            yes.button(f"Yes, discard {count}", key="discard_yes", type="primary", on_click=discard)
            no.button("No, keep the scenario", key="discard_no", on_click=ask, args=(None,))
    else:
        adopt_col, discard_col = st.columns(2)
        adopt_col.button("Adopt the scenario as official targets…", key="adopt_scenario", type="primary",
                         on_click=ask, args=("adopt",))
        discard_col.button("Discard the scenario…", key="discard_scenario", on_click=ask, args=("discard",))


def form(rows: dict[int, Measure]) -> None:
    """One measure at a time, for keyboard users. Its list of every measure is drawn only while the box is open."""
    box = st.expander("Set one scenario target by measure code", key="what_if_form_open", on_change="rerun")
    if not box.open:
        return
    with box, st.form("what_if_form"):
        st.selectbox("Measure", list(rows), key="what_if_measure",
                     format_func=lambda r: f"{rows[r].label}: {rows[r].name} (target {rows[r].target.raw or 'none'})")
        st.text_input("Scenario target", key="what_if_target",
                      help="A number (e.g. 9.5%), 'Aim to maximise', 'Aim to minimise', 'Maintain performance' or "
                           "'Comparator'. Leave blank to drop this measure from the scenario.")
        st.form_submit_button("Set scenario target", on_click=set_target, args=(rows,))


def main() -> None:
    with _grid.above():
        st.title("What-if")
        st.caption("Targets changed here are a scenario, kept apart from the official targets. The scenario is "
                   "never written to the downloaded workbook unless you adopt it.")
    take_grid_changes()
    wb = _state.current()
    rows = {m.row: m for m in wb.measures}
    shown_view = view()
    official, swb, scenario, frame = shown_view.source.ratings, shown_view.workbook, shown_view.ratings, shown_view.frame
    with _grid.above():
        shown = by_priority(frame, wb)
        with st.container(key="what_if_messages"):
            message = st.session_state.pop(_MESSAGE, None)
            if message:
                (st.error if message[0] == "error" else st.success)(markdown_text(message[1]))
        grid(frame, shown)
    with _grid.beside():
        moved_panel(official, scenario)
    form(rows)
    if _state.working().scenario:
        st.header("Official and scenario side by side")
        st.html(html_table.table(comparison(wb, swb, official, scenario), "Official and scenario side by side",
                                 wide=("Scenario reason",), whole=("Official status", "Scenario status")))
        decide()


if __name__ == "__main__":  # as Streamlit runs a page; importing the module runs nothing
    main()
