"""Finance: budget against forecast, variances, the cash-limit reconciliation, savings and reserves.

The forecast outturn per service can be edited in the grid; variance and the service RAG are recomputed from it.
The tables and charts are worked out once per revision of the working copy (:class:`View`), so a rerun that
changed nothing recomputes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app import grid as _grid
from app import state as _state
from pprr.model import PortfolioWorkbook
from pprr.report import charts
from pprr.rules import finance
from pprr.rules.status import STATUS_STYLES, Status, budget_key
from pprr.rules.values import UnreadableValue
from pprr.safe_text import markdown_text
from pprr.schema import BUDGET
from pprr.year.edits import FORECAST

_MESSAGE = "finance_message"
_NONCE = "finance_grid_nonce"
_VIEW = "finance_view"
BUDGET_PLOT = 480  # pixels of each division's plot in the budget chart: with its labels, it fits a 1366 px screen
COLUMNS = (
    _grid.Column("service", "Service", 215, pinned=True, tooltip=True),
    _grid.Column("net_budget", "Net budget £000", 135, numeric=True),
    _grid.Column("forecast", "Forecast outturn £000", 160, editable=True, numeric=True),
    _grid.Column("variance", "Variance £000", 125, numeric=True),
    _grid.Column("variance_pct", "Variance %", 110, numeric=True),
    _grid.Column("status", "Budget RAG", 120, status=True),
    _grid.Column("division", "Division", 200, tooltip=True),
    _grid.Column("mark", "Edited", 90),
    _grid.Column(_grid.ROW_ID, "Sheet row", 90, numeric=True),
    _grid.Column(_grid.STATUS_KEY, "", hidden=True),
    _grid.Column(_grid.EDITED, "", hidden=True),
)


def badge(status_value: str) -> str:
    style = STATUS_STYLES[Status(status_value)]
    return f"{style.symbol} {style.label}"


def budget_frame(wb: PortfolioWorkbook) -> pd.DataFrame:
    edited = {e.row for e in _state.changes() if e.sheet == BUDGET.name and e.field == FORECAST}
    table = finance.budget_table(wb, _state.settings())
    rows = []
    for line, t in zip(wb.budget, table.to_dict("records")):
        rows.append({
            _grid.ROW_ID: line.row, "service": line.service, "division": line.division,
            "net_budget": finance.format_money(t["net_budget"]), "mark": "✎ edited" if line.row in edited else "",
            "forecast": finance.format_money(t["forecast"]), "variance": finance.format_money(t["variance"]),
            "variance_pct": "" if t["variance_pct"] is None else f"{t['variance_pct']:.1f}%",
            "status": badge(t["rag"]), _grid.STATUS_KEY: t["rag"],
            _grid.EDITED: "forecast" if line.row in edited else "",
        })
    return pd.DataFrame(rows, columns=[c.field for c in COLUMNS])


def summary_frame(wb: PortfolioWorkbook) -> pd.DataFrame:
    summary = finance.budget_summary(wb)
    money = ["net_budget", "forecast", "variance"]
    shown = summary[["label", *money]].copy()
    for column in money:
        shown[column] = shown[column].map(finance.format_money)
    return shown.rename(columns={"label": "Division", "net_budget": "Net budget £000",
                                 "forecast": "Forecast outturn £000", "variance": "Variance £000"})


def chart_specs(wb: PortfolioWorkbook) -> dict[str, dict | None]:
    """Each chart's title and Vega-Lite specification, or None when the workbook has no figures for it. Each is
    drawn across the page, filling it (the faceted budget chart cannot, so its plots get a fixed width)."""
    wanted: tuple[tuple[str, bool, Callable], ...] = (
        ("Budget and forecast", bool(wb.budget), lambda: charts.budget_forecast_chart(wb, width=BUDGET_PLOT)),
        ("Variance", any(line.forecast is not None for line in wb.budget),
         lambda: charts.variance_chart(wb, width=charts.CONTAINER)),
        ("Reconciliation", bool(wb.budget_changes), lambda: charts.reconciliation_chart(wb, width=charts.CONTAINER)),
        ("Reserves", bool(wb.reserves), lambda: charts.reserves_chart(wb, width=charts.CONTAINER)),
        ("Savings", bool(wb.savings), lambda: charts.savings_chart(wb, width=charts.CONTAINER)),
    )
    return {title: make().to_dict() if has_data else None for title, has_data, make in wanted}


@dataclass(frozen=True)
class View:
    """What the page shows for one state of the working copy."""

    source: _state.Derived  # the working copy's derived state these were worked out from
    budget: pd.DataFrame
    summary: pd.DataFrame
    charts: dict[str, dict | None]


def view() -> View:
    """The page's tables and charts, worked out again only when the working copy has changed."""
    derived = _state.derived()
    memo: View | None = st.session_state.get(_VIEW)
    if memo is None or memo.source is not derived:
        wb = derived.current
        memo = View(derived, budget_frame(wb), summary_frame(wb), chart_specs(wb))
        st.session_state[_VIEW] = memo
    return memo


def record(cells: list[tuple[int, str, str]], wb: PortfolioWorkbook) -> None:
    services = {line.row: line.service for line in wb.budget}
    refused = []
    for row, _, text in cells:
        try:
            _state.edit(BUDGET.name, row, FORECAST, text)
        except (UnreadableValue, ValueError) as exc:
            refused.append(f"{services.get(row, '')} (Budget sheet, row {row}, column '{FORECAST}'): {exc}. "
                           "The value was not stored.")
    if refused:
        st.session_state[_NONCE] = st.session_state.get(_NONCE, 0) + 1
        st.session_state[_MESSAGE] = "\n\n".join(refused)


def forecast_form(wb: PortfolioWorkbook) -> None:
    with st.expander("Edit a forecast by service"), st.form("forecast_form"):
        services = {line.row: f"{line.service} ({line.division})" for line in wb.budget}
        row = st.selectbox("Service", list(services), format_func=services.get, key="forecast_service")
        text = st.text_input("Forecast outturn £000", key="forecast_value", help="e.g. 1,234 or (165)")
        if st.form_submit_button("Save this forecast"):
            record([(row, "forecast", text)], wb)
            st.rerun()


def budget_grid(wb: PortfolioWorkbook, shown: View) -> None:
    st.subheader("Service budgets")
    st.caption("Double-click a forecast outturn to edit it (£000; brackets or a minus sign for negatives). "
               "Variance and the budget RAG are recomputed as soon as the value is committed.")
    message = st.session_state.pop(_MESSAGE, None)
    if message:
        st.error(markdown_text(message))
    frame = shown.budget
    working = _state.working()
    key = f"finance_grid_{working.sha[:12]}_{working.revision}_{st.session_state.get(_NONCE, 0)}"
    returned = _grid.show(frame, COLUMNS, key, height=420)
    cells = _grid.changed_cells(frame, returned, ("forecast",))
    if cells:
        record(cells, wb)
        st.rerun()
    forecast_form(wb)
    with st.expander("How the budget RAG is set"):
        for status, meaning in budget_key(_state.settings()):
            st.text(f"{badge(status.value)}: {meaning}")
    st.dataframe(shown.summary, hide_index=True, width="stretch", key="budget_summary")


def chart(title: str, spec: dict | None) -> None:
    if spec is not None:
        st.vega_lite_chart(spec=spec, key=f"chart_{title}", width="stretch")
    else:
        st.caption(f"{title}: the workbook has no figures for this chart.")


def variance_commentary(wb: PortfolioWorkbook) -> None:
    """Each service's variance beside the officer's explanation, largest first, as the pack prints them."""
    table = finance.variance_commentary(wb, _state.settings())
    st.subheader("Variances explained")
    if table.empty:
        st.caption("No service has a forecast variance.")
        return
    st.dataframe(pd.DataFrame({
        "Service": table["service"], "Variance £000": table["variance"].map(finance.format_money),
        "Budget RAG": table["rag"].map(badge), "Commentary": table["commentary"].replace("", "No commentary given."),
    }), hide_index=True, width="stretch", key="variance_commentary",
        column_config={"Commentary": st.column_config.TextColumn(width="large")})


st.title("Finance")
wb = _state.current()
shown = view()
budget_grid(wb, shown)
variance_commentary(wb)
for title, spec in shown.charts.items():
    chart(title, spec)
