"""Finance: budget against forecast, variances, the cash-limit reconciliation, savings and reserves; then the capital
programme, the key financial risks and the allocated one-off resources.

The forecast outturn per service can be edited in the grid; variance and the service RAG are recomputed from it.
The tables and charts are worked out once per revision of the working copy (:class:`View`), so a rerun that
changed nothing recomputes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app import grid as _grid
from app import html_table
from app import state as _state
from app.choice import choice
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
    _grid.Column("service", "Service", 190, pinned=True, tooltip=True),
    _grid.Column("status", "Budget RAG", 110, status=True, pinned=True),
    _grid.Column("net_budget", "Net budget £000", 135, numeric=True),
    _grid.Column("forecast", "Forecast outturn £000", 160, editable=True, numeric=True),
    _grid.Column("variance", "Variance £000", 125, numeric=True),
    _grid.Column("variance_pct", "Variance %", 110, numeric=True),
    _grid.Column("division", "Division", 200, tooltip=True),
    _grid.Column("mark", "Edited", 90),
    _grid.Column(_grid.ROW_ID, "Sheet row", hidden=True),
    _grid.Column(_grid.STATUS_KEY, "", hidden=True),
    _grid.Column(_grid.EDITED, "", hidden=True),
)


def badge(status_value: str) -> str:
    style = STATUS_STYLES[Status(status_value)]
    return f"{style.symbol} {style.label}"


def percent(value: float | None) -> str:
    """A variance percentage as the money beside it is shown: one decimal, negatives in brackets."""
    if value is None or pd.isna(value):
        return ""
    shown = finance.format_money(value, 1)
    return f"({shown[1:-1]}%)" if shown.startswith("(") else f"{shown}%"


def budget_frame(wb: PortfolioWorkbook) -> pd.DataFrame:
    edited = {e.row for e in _state.changes() if e.sheet == BUDGET.name and e.field == FORECAST}
    table = finance.budget_table(wb, _state.settings())
    rows = []
    for line, t in zip(wb.budget, table.to_dict("records")):
        rows.append({
            _grid.ROW_ID: line.row, "service": line.service, "division": line.division,
            "net_budget": finance.format_money(t["net_budget"]), "mark": "✎ edited" if line.row in edited else "",
            "forecast": finance.format_money(t["forecast"]), "variance": finance.format_money(t["variance"]),
            "variance_pct": percent(t["variance_pct"]),
            "status": badge(t["rag"]), _grid.STATUS_KEY: t["rag"],
            _grid.EDITED: "forecast" if line.row in edited else "",
        })
    return pd.DataFrame(rows, columns=[c.field for c in COLUMNS])


MONEY = ("Net budget £000", "Forecast outturn £000", "Variance £000")  # the budget totals' money columns


def summary_frame(wb: PortfolioWorkbook) -> pd.DataFrame:
    summary = finance.budget_summary(wb)
    money = ["net_budget", "forecast", "variance"]
    shown = summary[["label", *money]].copy()
    for column in money:
        shown[column] = shown[column].map(finance.format_money)
    return shown.rename(columns={"label": "Division", **dict(zip(money, MONEY))})


_CHARTS = "finance_chart_specs"  # (title, the figures it was drawn from) -> Vega-Lite specification


def chart_figures(wb: PortfolioWorkbook) -> dict[str, tuple[tuple, Callable]]:
    """Each chart's title, the figures it draws (empty when the workbook has none) and how to make it. Each is
    drawn across the page, filling it (the faceted budget chart cannot, so its plots get a fixed width)."""
    return {
        "Budget and forecast": (wb.budget, lambda: charts.budget_forecast_chart(wb, width=BUDGET_PLOT)),
        "Variance": (wb.budget if any(line.forecast is not None for line in wb.budget) else (),
                     lambda: charts.variance_chart(wb, width=charts.CONTAINER)),
        "Reconciliation": (wb.budget_changes, lambda: charts.reconciliation_chart(wb, width=charts.CONTAINER)),
        "Reserves": (wb.reserves, lambda: charts.reserves_chart(wb, width=charts.CONTAINER)),
        "Savings": (wb.savings, lambda: charts.savings_chart(wb, width=charts.CONTAINER)),
    }


def chart_spec(wb: PortfolioWorkbook, title: str) -> dict | None:
    """The chart ``title``'s Vega-Lite specification, or None when the workbook has no figures for it. Built only
    when its tab is open, and again only when the figures it draws have changed (a forecast edit changes two of
    the five), without Altair's schema check: the specifications are written in code and checked by the tests."""
    figures, make = chart_figures(wb)[title]
    if not figures:
        return None
    built: dict = st.session_state.setdefault(_CHARTS, {})
    memo = (title, figures, wb.portfolio)
    if memo not in built:
        for old in [key for key in built if key[0] == title]:  # the chart as drawn from older figures
            del built[old]
        built[memo] = make().to_dict(validate=False)
    return built[memo]


@dataclass(frozen=True)
class View:
    """What the page shows for one state of the working copy."""

    source: _state.Derived  # the working copy's derived state these were worked out from
    budget: pd.DataFrame
    summary: pd.DataFrame


def view() -> View:
    """The page's tables, worked out again only when the working copy has changed."""
    derived = _state.derived()
    memo: View | None = st.session_state.get(_VIEW)
    if memo is None or memo.source is not derived:
        wb = derived.current
        memo = View(derived, budget_frame(wb), summary_frame(wb))
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
    """The same edit without the grid, for keyboard users; drawn only while its box is open."""
    box = st.expander("Edit a forecast by service", key="finance_form_open", on_change="rerun")
    if not box.open:
        return
    with box, st.form("forecast_form"):
        services = {line.row: f"{line.service} ({line.division})" for line in wb.budget}
        row = st.selectbox("Service", list(services), format_func=services.get, key="forecast_service")
        text = st.text_input("Forecast outturn £000", key="forecast_value", help="e.g. 1,234 or (165)")
        if st.form_submit_button("Save this forecast"):
            record([(row, "forecast", text)], wb)
            st.rerun()


def grid_key() -> str:
    return f"finance_grid_{_state.working().sha[:12]}"


def take_grid_edits() -> bool:
    """Record the forecasts committed in the grid since the last run, before the tables are worked out; whether
    there were any."""
    cells = [(c.row, c.field, c.text) for c in _grid.new_edits(grid_key()) if c.field == "forecast"]
    if cells:
        record(cells, _state.current())
    return bool(cells)


def refresh() -> tuple[pd.DataFrame, int, bool]:
    """When a forecast is committed, the grid's rows with it, at once (the rest of the page follows in a second
    run)."""
    taken = take_grid_edits()
    return view().budget, st.session_state.get(_NONCE, 0), taken


def budget_section() -> None:
    """The grid and its tables; a forecast committed in the grid shows its variance and RAG at once."""
    take_grid_edits()
    wb, shown = _state.current(), view()
    with _grid.above():
        st.title("Finance")
        st.header("Service budgets")
        st.caption("All money in £000; negatives in brackets. Double-click a forecast outturn (or select it and "
                   "press Enter) to edit it (brackets or a minus sign for negatives); variance and the budget RAG "
                   "update as soon as the value is committed. Tab leaves the grid.")
        with st.container(key="finance_messages"):
            message = st.session_state.pop(_MESSAGE, None)
            if message:
                st.error(markdown_text(message))
    _grid.show(shown.budget, COLUMNS, grid_key(), height=420, sync=st.session_state.get(_NONCE, 0),
               refresh=refresh)
    forecast_form(wb)
    rag_key = st.expander("How the budget RAG is set", key="finance_key_open", on_change="rerun")
    if rag_key.open:  # drawn only while open
        with rag_key:
            for status, meaning in budget_key(_state.settings()):
                st.text(f"{badge(status.value)}: {meaning}")
    st.html(html_table.table(shown.summary, "Budget totals by division (£000)", numeric=MONEY))


def chart(title: str, spec: dict | None) -> None:
    if spec is not None:
        st.vega_lite_chart(spec=spec, key=f"chart_{title}", width="stretch")
    else:
        st.caption(f"{title}: the workbook has no figures for this chart.")


def capital_risks_one_off(wb: PortfolioWorkbook) -> None:
    """The rest of the agreement's finance section: capital programme, key financial risks, one-off resources."""
    st.subheader("Capital programme (£000)")
    if wb.capital:
        table = finance.capital_table(wb)
        years = finance.capital_years(wb)
        frame = pd.DataFrame({"Scheme": table["scheme"], "Funding": table["funding"],
                              **{f"{y} £000": table[y].map(finance.format_money) for y in years},
                              "Total £000": table["total"].map(finance.format_money)})
        st.dataframe(frame, hide_index=True, width="stretch", key="capital_table")
        for scheme in (s for s in wb.capital if s.description):
            st.caption(markdown_text(f"{scheme.scheme}: {scheme.description}"))
    else:
        st.text("The workbook lists no capital schemes.")
    st.subheader("Key financial risks (£000)")
    if wb.financial_risks:
        frame = pd.DataFrame([(r.division, r.risk, finance.format_money(r.value), r.mitigation)
                              for r in wb.financial_risks], columns=["Division", "Risk", "Value £000", "Mitigation"])
        st.dataframe(frame, hide_index=True, width="stretch", key="financial_risks",
                     column_config={"Risk": st.column_config.TextColumn(width=420),
                                    "Mitigation": st.column_config.TextColumn(width=520)})
        known = [r.value for r in wb.financial_risks if r.value is not None]
        if known:
            st.text(f"Quantified risks: £{finance.format_money(sum(known))}k")
    else:
        st.text("The workbook lists no financial risks (Financial Risks sheet).")
    st.subheader("Allocated one-off resources (£000)")
    if wb.one_off_resources:
        frame = pd.DataFrame([(o.investment, finance.format_money(o.value), o.purpose) for o in wb.one_off_resources],
                             columns=["Investment", "Value £000", "Purpose"])
        st.dataframe(frame, hide_index=True, width="stretch", key="one_off_resources",
                     column_config={"Purpose": st.column_config.TextColumn(width=700)})
        st.text(f"Total: £{finance.format_money(sum(o.value or 0 for o in wb.one_off_resources))}k")
    else:
        st.text("The workbook lists no one-off resources (One-Off Resources sheet).")



def variance_commentary(wb: PortfolioWorkbook) -> None:
    """Each service's variance beside the officer's explanation, largest first, as the pack prints them."""
    table = finance.variance_commentary(wb, _state.settings())
    st.subheader("Variances explained")
    if table.empty:
        st.caption("No service has a forecast variance.")
        return
    frame = pd.DataFrame({
        "Service": table["service"], "Variance £000": table["variance"].map(finance.format_money),
        "Budget RAG": table["rag"].map(badge), "Commentary": table["commentary"].replace("", "No commentary given."),
    })
    st.html(html_table.table(frame, "Variances explained", numeric=("Variance £000",), wide=("Commentary",),
                             whole=("Budget RAG",)))


FURTHER = "Capital, risks and one-off resources"
_SHOWN = "finance_tab"  # the view shown below the budgets, kept while the officer is on other pages


def further_views(wb: PortfolioWorkbook) -> None:
    """Below the budgets, one view at a time: the variances explained, each chart, the rest of the agreement's
    finance. Only the view shown is drawn, and only its chart is built (five charts and four tables at once take
    long to draw, and building two Altair charts again after each forecast edit took most of its run)."""
    names = ["Variances explained", *chart_figures(wb), FURTHER]
    if st.session_state.get(_SHOWN) not in names:
        st.session_state[_SHOWN] = names[0]
    name = st.session_state[_SHOWN]
    choice(names, names.index(name), key="finance_views", label="Finance views",
           on_choose=lambda index: st.session_state.__setitem__(_SHOWN, names[index]))
    if name == names[0]:
        variance_commentary(wb)
    elif name == FURTHER:
        capital_risks_one_off(wb)
    else:
        chart(name, chart_spec(wb, name))


budget_section()
further_views(_state.current())
