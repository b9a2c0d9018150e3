"""Reporting year: keep the working copy as a reporting period, see the year's periods, open a past one read-only,
and see what moved since the last report (the same words as ``pprr movement``)."""

import getpass

import pandas as pd
import streamlit as st

from app import periods as _periods
from app import state as _state
from pprr.report.tables import status_frame
from pprr.rules.finance import budget_total, format_money
from pprr.rules.status import STATUS_STYLES, count_statuses
from pprr.safe_text import markdown_text
from pprr.year.movement import Change, finance_rows, movement_rows
from pprr.year.store import PeriodExists, PeriodInfo

_OUTCOME = "periods_outcome"  # what the last save came to: kept, refused as existing, or a problem
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _default_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _save(replace: bool) -> None:
    name = st.session_state.get("periods_saved_by", "").strip()
    st.session_state[_OUTCOME] = _periods.save_working_copy(name or "unknown", replace=replace)


def _cancel() -> None:
    st.session_state.pop(_OUTCOME, None)


def _when(info: PeriodInfo) -> str:
    return info.saved.strftime("%d %b %Y %H:%M UTC")


def save_section() -> None:
    p = _state.current().portfolio
    st.subheader("Keep the working copy as a reporting period")
    label = f"{p.reporting_period} {p.financial_year}".strip()
    st.text(f"The workbook open, with your edits, is kept as {label}: the file exactly as it would download, who "
            "kept it and when. Keeping it again later asks first, and the earlier version stays on record.")
    st.text_input("Kept by", key="periods_saved_by", value=_default_name(), max_chars=200)
    outcome = st.session_state.get(_OUTCOME)
    if isinstance(outcome, PeriodExists):
        st.warning(markdown_text(outcome.message), icon=":material/warning:")
        left, right = st.columns(2)
        left.button(f"Replace {label}", key="periods_replace", type="primary", on_click=_save, args=(True,))
        right.button("Cancel", key="periods_cancel", on_click=_cancel)
        return
    if isinstance(outcome, PeriodInfo):
        kept = "" if outcome.version == 1 else f" (version {outcome.version}; the earlier one is kept too)"
        st.success(markdown_text(f"Kept {outcome.label}{kept}, by {outcome.saved_by} at {_when(outcome)}."))
        st.session_state.pop(_OUTCOME)
    elif isinstance(outcome, _periods.StoreProblem):
        st.error(markdown_text(outcome.message), icon=":material/error:")
        st.session_state.pop(_OUTCOME)
    elif isinstance(outcome, str):
        st.error(markdown_text(outcome), icon=":material/error:")
        st.session_state.pop(_OUTCOME)
    st.button(f"Keep as {label}", key="periods_save", type="primary", on_click=_save, args=(False,))


def periods_table(kept: list[PeriodInfo]) -> pd.DataFrame:
    return pd.DataFrame([{
        "Period": k.period, "Saved at": _when(k), "Saved by": k.saved_by, "Version": k.version,
        "Measures": k.measures, "Net budget £000": format_money(k.net_budget),
        "Forecast £000": format_money(k.forecast),
    } for k in kept], columns=["Period", "Saved at", "Saved by", "Version", "Measures", "Net budget £000",
                               "Forecast £000"])


def past_period(kept: list[PeriodInfo]) -> None:
    st.subheader("Open a past period (read only)")
    choice = st.selectbox("Period", range(len(kept)), key="periods_open",
                          format_func=lambda i: f"{kept[i].period} (saved {_when(kept[i])} by {kept[i].saved_by})")
    info = kept[choice]
    wb = _periods.open_period(info)
    if isinstance(wb, _periods.StoreProblem):
        st.error(markdown_text(wb.message), icon=":material/error:")
        return
    if not wb.ok:
        st.error(markdown_text(f"The kept {info.label} can no longer be read: {wb.errors[0]}"))
        return
    ratings = _periods.ratings_of(info, wb)
    counts = count_statuses(ratings)
    st.caption(f"{info.label} as kept: nothing here can be edited.")
    for column, (status, count) in zip(st.columns(len(counts)), counts.items()):
        style = STATUS_STYLES[status]
        column.metric(f"{style.symbol} {style.label}", count, help=style.meaning)
    total = budget_total(wb)
    st.text(f"Net budget £000 {format_money(total['net_budget'])} · forecast outturn £000 "
            f"{format_money(total['forecast']) or 'not entered'}")
    frame = status_frame(wb, ratings)
    st.dataframe(frame, hide_index=True, width="stretch", key="periods_past_table")
    kept_file = _periods.fetch(info)
    if isinstance(kept_file, _periods.StoreProblem):
        st.error(markdown_text(kept_file.message), icon=":material/error:")
        return
    st.download_button(f"Download {info.label} as kept (.xlsx)", kept_file.workbook, kept_file.filename, XLSX,
                       key="periods_download", on_click="ignore")


def since_last_report(kept: list[PeriodInfo]) -> None:
    st.subheader("Since last report")
    current = _state.current().portfolio
    earlier = [k for k in kept if k.period.casefold() != current.reporting_period.strip().casefold()]
    if not earlier:
        st.info("No other period of this year is kept yet. Keep the earlier report (for example the Mid-Year "
                "workbook) as a period to see what moved since.", icon=":material/info:")
        return
    previous = _periods.previous_period()
    default = next((i for i, k in enumerate(earlier) if isinstance(previous, PeriodInfo) and k.id == previous.id),
                   len(earlier) - 1)
    choice = st.selectbox("Since", range(len(earlier)), index=default, key="periods_since",
                          format_func=lambda i: earlier[i].period)
    movement = _periods.since(earlier[choice])
    if isinstance(movement, _periods.StoreProblem):
        st.error(markdown_text(movement.message), icon=":material/error:")
        return
    for problem in movement.problems:
        (st.error if problem.is_error else st.warning)(markdown_text(str(problem)))
    if not movement.ok:
        return
    st.text(f"Since {movement.previous_label}: {movement.current_label}")
    counts = {c: n for c, n in movement.change_counts.items() if n}
    for column, (change, count) in zip(st.columns(max(len(counts), 1)), counts.items()):
        column.metric(change.value, count)
    rows = [r for r, m in zip(movement_rows(movement), movement.measures) if m.moved]
    st.markdown("**Measures whose status or value changed, and new data**")
    if rows:
        frame = pd.DataFrame(rows).rename(columns={
            "code": "PI code", "cohort": "Cohort", "name": "Measure", "previous_period": "Then: period",
            "previous_value": "Then: value", "previous_status": "Then: status", "period": "Now: period",
            "value": "Now: value", "status": "Now: status", "change": "Change"})
        order = {c.value: i for i, c in enumerate((Change.WORSENED, Change.IMPROVED, Change.NEW_DATA,
                                                  Change.NEW_MEASURE, Change.REMOVED_MEASURE))}
        frame = frame.sort_values("Change", key=lambda s: s.map(order), kind="stable")
        st.dataframe(frame, hide_index=True, width="stretch", key="periods_moved")
    else:
        st.text("No measure changed status or value.")
    st.markdown("**Forecast outturn by service (£000)**")
    st.text(movement.total_sentence())
    money = pd.DataFrame(finance_rows(movement))
    if not money.empty:
        for column in ("net_budget", "previous_forecast", "forecast", "movement", "variance"):
            money[column] = money[column].map(format_money)
        money = money.rename(columns={
            "service": "Service", "division": "Division", "net_budget": "Net budget",
            "previous_forecast": f"Forecast at {movement.previous_label}", "forecast": "Forecast now",
            "movement": "Movement", "variance": "Variance"})
        st.dataframe(money, hide_index=True, width="stretch", key="periods_money")


st.title("Reporting year")
wb = _state.current()
p = wb.portfolio
st.text(" · ".join(x for x in (p.council, p.portfolio, p.financial_year, p.reporting_period) if x))
save_section()
kept = _periods.kept_periods()
if isinstance(kept, _periods.StoreProblem):
    st.error(markdown_text(kept.message), icon=":material/error:")
else:
    st.subheader(f"Periods kept for {p.financial_year}")
    if kept:
        st.dataframe(periods_table(kept), hide_index=True, width="stretch", key="periods_table")
        since_last_report(kept)
        past_period(kept)
    else:
        st.text("None yet. Keep the workbook open as its reporting period above.")
