"""What-if: try different targets without touching the official ones, see which statuses move, adopt or discard."""

import pandas as pd
import streamlit as st

from pages import _state
from pprr.model import PortfolioWorkbook
from pprr.safe_text import markdown_text
from pprr.status import STATUS_STYLES, Rating, count_statuses, rate_measures
from pprr.values import UnreadableValue

_MESSAGE = "what_if_message"


def moved_counts(official: tuple[Rating, ...], scenario: tuple[Rating, ...]) -> list[str]:
    """``Red 9 → 6`` for every status whose count the scenario changes."""
    before, after = count_statuses(official), count_statuses(scenario)
    return [f"{STATUS_STYLES[s].symbol} {STATUS_STYLES[s].label} {before[s]} → {after[s]}"
            for s in before if before[s] != after[s]]


def comparison(wb: PortfolioWorkbook, swb: PortfolioWorkbook, official: tuple[Rating, ...],
               scenario: tuple[Rating, ...]) -> pd.DataFrame:
    """Official and scenario target and status, side by side, for the measures the scenario touches."""
    chosen = _state.working().scenario
    rows = [(m.label, m.name, m.target.raw, o.badge, s_m.target.raw, s.badge, s.reason)
            for m, s_m, o, s in zip(wb.measures, swb.measures, official, scenario)
            if _state.scenario_key(m) in chosen]
    return pd.DataFrame(rows, columns=["Measure", "Name", "Official target", "Official status", "Scenario target",
                                       "Scenario status", "Scenario reason"])


def set_target(rows: dict) -> None:
    measure = rows[st.session_state["what_if_measure"]]
    try:
        _state.set_scenario_target(measure, st.session_state["what_if_target"])
    except UnreadableValue as exc:
        st.session_state[_MESSAGE] = ("error", f"{measure.label}: {exc}. The scenario was not changed.")


def adopt() -> None:
    count = _state.adopt_scenario()
    text = f"{count} target(s) adopted: they are now edits in the change log and will be in the downloaded workbook."
    st.session_state[_MESSAGE] = ("success", text)


st.title("What-if")
st.caption("Targets changed here are a scenario, kept apart from the official targets. The scenario is never "
           "written to the downloaded workbook unless you adopt it.")
message = st.session_state.pop(_MESSAGE, None)
if message:
    (st.error if message[0] == "error" else st.success)(markdown_text(message[1]))

wb = _state.current()
rows = {m.row: m for m in wb.measures}
with st.form("what_if_form"):
    st.selectbox("Measure", list(rows), key="what_if_measure",
                 format_func=lambda r: f"{rows[r].label}: {rows[r].name} (target {rows[r].target.raw or 'none'})")
    st.text_input("Scenario target", key="what_if_target",
                  help="A number (e.g. 9.5%), 'Aim to maximise', 'Aim to minimise', 'Maintain performance' or "
                       "'Comparator'. Leave blank to drop this measure from the scenario.")
    st.form_submit_button("Set scenario target", on_click=set_target, args=(rows,))

official = _state.ratings()
swb = _state.scenario_workbook()
scenario = rate_measures(swb.measures, _state.settings())
if not _state.working().scenario:
    st.info("No scenario yet: choose a measure and type a different target above.")
else:
    moved = moved_counts(official, scenario)
    st.subheader("Statuses that move")
    st.text(" · ".join(moved) if moved else "No status count changes with this scenario.")
    st.dataframe(comparison(wb, swb, official, scenario), hide_index=True, width="stretch", key="what_if_table")
    adopt_col, discard_col = st.columns(2)
    adopt_col.button("Adopt the scenario as official targets", key="adopt_scenario", type="primary", on_click=adopt)
    discard_col.button("Discard the scenario", key="discard_scenario", on_click=_state.discard_scenario)
