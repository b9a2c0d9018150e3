"""Priorities: for each priority, its outcome, status summary, measures, commentary and exceptions.

Each section's summary, chart and tables are worked out once per revision of the working copy (:class:`View`).
"""

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from app import state as _state
from pprr.model import Measure, PortfolioWorkbook, Priority
from pprr.report import charts
from pprr.rules.status import STATUS_STYLES, Rating, Status, count_statuses
from pprr.rules.values import UnreadableValue
from pprr.safe_text import markdown_text
from pprr.schema import PRIORITIES
from pprr.year.edits import COMMENTARY

_MESSAGE = "priorities_message"
_VIEW = "priorities_view"
MEASURE_COLUMNS = {  # pixels: the name gets the most room; hovering a cell shows all of its text
    "Measure": 85, "Name": 440, "Status": 90, "Trend": 110, "Latest value": 180}
EXCEPTION_CARDS = 25  # Red measures shown in full per priority; any more are listed in one table after them


def measures_table(pairs: list[tuple[Measure, Rating]]) -> pd.DataFrame:
    rows = [(m.label, m.name, r.badge, f"{r.arrow} {r.trend.value}" if r.trend else "",
             f"{r.latest.raw} ({r.latest_label})" if r.latest else "")
            for m, r in pairs]
    return pd.DataFrame(rows, columns=["Measure", "Name", "Status", "Trend", "Latest value"])


def exceptions_table(pairs: list[tuple[Measure, Rating]]) -> pd.DataFrame:
    rows = [(m.label, m.name, r.reason, m.commentary or "No commentary given.") for m, r in pairs]
    return pd.DataFrame(rows, columns=["Measure", "Name", "Reason", "Commentary"])


@dataclass(frozen=True)
class Section:
    """What one priority's section shows."""

    priority: Priority
    counts: str
    chart: dict | None  # Vega-Lite specification; None when no measure is linked to the priority
    measures: pd.DataFrame
    red: list[tuple[Measure, Rating]]  # shown in full, up to EXCEPTION_CARDS
    more_red: pd.DataFrame  # the Red measures after those


def section(wb: PortfolioWorkbook, priority: Priority, pairs: list[tuple[Measure, Rating]]) -> Section:
    counts = count_statuses(r for _, r in pairs)
    line = "   ".join(f"{STATUS_STYLES[s].symbol} {STATUS_STYLES[s].label}: {n}" for s, n in counts.items())
    chart = None
    if pairs:
        subset = replace(wb, priorities=(priority,), measures=tuple(m for m, _ in pairs))
        chart = charts.status_chart(subset, tuple(r for _, r in pairs), width=charts.CONTAINER).to_dict()
    red = [(m, r) for m, r in pairs if r.status is Status.RED]
    return Section(priority, line, chart, measures_table(pairs), red[:EXCEPTION_CARDS],
                   exceptions_table(red[EXCEPTION_CARDS:]))


@dataclass(frozen=True)
class View:
    """The page's sections for one state of the working copy."""

    source: _state.Derived  # the working copy's derived state they were worked out from
    sections: tuple[Section, ...]


def view() -> View:
    """The sections, worked out again only when the working copy has changed."""
    derived = _state.derived()
    memo: View | None = st.session_state.get(_VIEW)
    if memo is None or memo.source is not derived:
        wb = derived.current
        by_priority: dict[int, list[tuple[Measure, Rating]]] = {}
        for pair in zip(wb.measures, derived.ratings):
            by_priority.setdefault(pair[0].priority, []).append(pair)
        memo = View(derived, tuple(section(wb, p, by_priority.get(p.number, [])) for p in wb.priorities))
        st.session_state[_VIEW] = memo
    return memo


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


def exceptions(shown: Section) -> None:
    st.markdown("**Exceptions (Red measures)**")
    if not shown.red:
        st.text("None: no measure in this priority is Red.")
    for m, r in shown.red:
        with st.container(border=True):
            st.text(f"{r.badge}  {m.label}: {m.name}")
            st.text(r.reason)
            st.text(m.commentary or "No commentary given.")
    if len(shown.more_red):
        st.caption(f"{len(shown.more_red)} more Red measures in this priority:")
        st.dataframe(shown.more_red, hide_index=True, width="stretch", key=f"more_red_{shown.priority.number}")


def priority_section(shown: Section) -> None:
    priority = shown.priority
    st.header(markdown_text(f"{priority.number}. {priority.title}"), divider="gray")
    if priority.outcome:
        st.caption("Outcome")
        st.text(priority.outcome)
    st.text(shown.counts)
    if shown.chart is not None:
        st.vega_lite_chart(spec=shown.chart, key=f"chart_{priority.number}", width="stretch")
        st.dataframe(shown.measures, hide_index=True, width="stretch", key=f"measures_{priority.number}",
                     column_config={name: st.column_config.TextColumn(width=px)
                                    for name, px in MEASURE_COLUMNS.items()})
    else:
        st.text("No measures are linked to this priority.")
    commentary(priority)
    exceptions(shown)


st.title("Priorities")
st.caption("Highlights and exceptions for each of the portfolio's priorities.")
message = st.session_state.pop(_MESSAGE, None)
if message:
    st.error(markdown_text(message))
for part in view().sections:
    priority_section(part)
