"""Priorities: for each priority, its outcome, status summary, measures, commentary and exceptions."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from pages import _state
from pprr import charts
from pprr.edits import COMMENTARY
from pprr.model import Measure, PortfolioWorkbook, Priority
from pprr.safe_text import markdown_text
from pprr.schema import PRIORITIES
from pprr.status import STATUS_STYLES, Rating, Status, count_statuses
from pprr.values import UnreadableValue

_MESSAGE = "priorities_message"


def measures_table(pairs: list[tuple[Measure, Rating]]) -> pd.DataFrame:
    rows = [(m.label, m.name, r.badge, f"{r.arrow} {r.trend.value}" if r.trend else "",
             f"{r.latest.raw} ({r.latest_year})" if r.latest else "")
            for m, r in pairs]
    return pd.DataFrame(rows, columns=["Measure", "Name", "Status", "Trend", "Latest value"])


def save_commentary(priority: Priority, key: str) -> None:
    try:
        _state.edit(PRIORITIES.name, priority.row, COMMENTARY, st.session_state[key])
    except UnreadableValue as exc:
        st.session_state[_MESSAGE] = f"Priority {priority.number} commentary was not saved: {exc}"


def commentary(priority: Priority) -> None:
    key = f"priority_commentary_{priority.number}_{_state.working().revision}"
    st.text_area(f"Officers' commentary for priority {priority.number}", value=priority.commentary, key=key,
                 height=140)
    st.button("Save commentary", key=f"save_commentary_{priority.number}", on_click=save_commentary,
              args=(priority, key))


def exceptions(pairs: list[tuple[Measure, Rating]]) -> None:
    red = [(m, r) for m, r in pairs if r.status is Status.RED]
    st.markdown("**Exceptions (Red measures)**")
    if not red:
        st.text("None: no measure in this priority is Red.")
    for m, r in red:
        with st.container(border=True):
            st.text(f"{r.badge}  {m.label}: {m.name}")
            st.text(r.reason)
            st.text(m.commentary or "No commentary given.")


def priority_section(wb: PortfolioWorkbook, priority: Priority, pairs: list[tuple[Measure, Rating]]) -> None:
    st.header(markdown_text(f"{priority.number}. {priority.title}"), divider="gray")
    if priority.outcome:
        st.caption("Outcome")
        st.text(priority.outcome)
    counts = count_statuses(r for _, r in pairs)
    st.text("   ".join(f"{STATUS_STYLES[s].symbol} {STATUS_STYLES[s].label}: {n}" for s, n in counts.items()))
    if pairs:
        subset = replace(wb, priorities=(priority,), measures=tuple(m for m, _ in pairs))
        st.altair_chart(charts.status_chart(subset, tuple(r for _, r in pairs)), key=f"chart_{priority.number}")
        st.dataframe(measures_table(pairs), hide_index=True, width="stretch", key=f"measures_{priority.number}")
    else:
        st.text("No measures are linked to this priority.")
    commentary(priority)
    exceptions(pairs)


st.title("Priorities")
st.caption("Highlights and exceptions for each of the portfolio's priorities.")
message = st.session_state.pop(_MESSAGE, None)
if message:
    st.error(markdown_text(message))
wb = _state.current()
paired = list(zip(wb.measures, _state.ratings()))
for p in wb.priorities:
    priority_section(wb, p, [(m, r) for m, r in paired if m.priority == p.number])
