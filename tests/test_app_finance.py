"""The Finance page: charts, division totals with brackets, and forecasts edited with variance recomputed."""

import json

import pytest
from apptest import choices, html_tables, open_app, open_form
from streamlit.testing.v1 import AppTest

from pprr.rules import finance

pytestmark = pytest.mark.usefixtures("isolated_app")


@pytest.fixture
def at() -> AppTest:
    return open_app("pages/finance.py")


def set_forecast(at: AppTest, row: int, text: str) -> AppTest:
    open_form(at, "finance_form_open")
    at.selectbox(key="forecast_service").set_value(row)
    at.text_input(key="forecast_value").input(text)
    next(b for b in at.button if b.label == "Save this forecast").click()
    return at.run()


def totals(at: AppTest) -> dict:
    summary = html_tables(at)[0]
    return summary.set_index("Division").iloc[-1].to_dict()


CHART_TABS = ("Budget and forecast", "Variance", "Reconciliation", "Reserves", "Savings")


def drawn_charts(at: AppTest) -> list:
    """The charts drawn on each chart tab, opened one after another as an officer clicks them."""
    found = []
    for title in CHART_TABS:
        at.session_state["finance_tab"] = title
        at.run()
        assert not at.exception
        found.append(list(at.get("vega_lite_chart")))
    return found


def test_the_page_opens_on_the_variances_explained_with_no_chart_drawn(at):
    assert not at.exception
    views = next(c for c in choices(at) if c["label"] == "Finance views")
    assert views["labels"] == ["Variances explained", *CHART_TABS, "Capital, risks and one-off resources"]
    assert views["chosen"] == 0
    assert len(at.get("vega_lite_chart")) == 0  # a chart is drawn only on its own tab
    assert "Variances explained" in [s.value for s in at.subheader]


def test_each_of_the_five_finance_charts_is_drawn_on_its_tab(at):
    assert [len(charts) for charts in drawn_charts(at)] == [1] * 5


def test_the_charts_are_drawn_one_per_row_filling_it_but_the_faceted_one(at):
    specs = [json.loads(chart.proto.spec) for charts in drawn_charts(at) for chart in charts]
    assert [s["title"]["text"].split(" ")[0] for s in specs] == ["Net", "Forecast", "Cash-limit", "Reserves:",
                                                                  "Savings"]
    assert [s["width"] for s in specs[1:]] == ["container"] * 4
    assert isinstance(specs[0]["width"], int) and "row" in specs[0]["encoding"]
    assert not at.columns  # no side-by-side charts


def test_division_totals_match_the_finance_rules(at, q3):
    total = finance.budget_total(q3)
    assert totals(at) == {"Net budget £000": finance.format_money(total["net_budget"]),
                          "Forecast outturn £000": finance.format_money(total["forecast"]),
                          "Variance £000": finance.format_money(total["variance"])}


def test_an_edited_forecast_recomputes_variance_and_rag(at, q3):
    line = q3.budget[0]  # Adoption Counts: net budget 58
    before = finance.budget_total(q3)
    set_forecast(at, line.row, "(42)")
    assert not at.exception and not at.error
    current = at.session_state["pprr_derived"].current
    assert current.budget[0].forecast == -42
    table = finance.budget_table(current)
    assert table.loc[0, "variance"] == -42 - line.net_budget
    assert table.loc[0, "rag"] == "Green"
    expected = before["variance"] + (-42 - line.forecast)
    assert totals(at)["Variance £000"] == finance.format_money(expected)


def test_an_overspend_turns_the_service_red(at, q3):
    line = q3.budget[0]
    set_forecast(at, line.row, str(line.net_budget + 100))
    assert finance.budget_table(at.session_state["pprr_derived"].current).loc[0, "rag"] == "Red"


def test_an_unreadable_forecast_is_refused_naming_the_service_and_row(at, q3):
    set_forecast(at, q3.budget[0].row, "about 60")
    assert len(at.error) == 1
    assert "Adoption Counts" in at.error[0].value and f"row {q3.budget[0].row}" in at.error[0].value
    assert at.session_state["pprr_working"].edits == []


def chart_specs(at) -> dict:
    """The charts built so far, by title."""
    key = "finance_chart_specs"
    built = at.session_state[key] if key in at.session_state else {}  # noqa: SIM401 - AppTest has no .get
    return {memo[0]: spec for memo, spec in built.items()}


def open_tab(at: AppTest, title: str) -> AppTest:
    at.session_state["finance_tab"] = title
    return at.run()


def test_a_chart_is_built_when_its_tab_opens_and_again_only_when_its_figures_change(at, q3):
    assert chart_specs(at) == {}  # the page opens on the variances explained: no chart built
    first = at.session_state["finance_view"]
    at.run()
    assert at.session_state["finance_view"] is first
    for title in ("Variance", "Reserves"):
        open_tab(at, title)
    first_charts = chart_specs(at)
    assert set(first_charts) == {"Variance", "Reserves"}
    at.run()
    assert all(chart_specs(at)[title] is spec for title, spec in first_charts.items())
    set_forecast(at, q3.budget[0].row, "(42)")
    changed = at.session_state["finance_view"]
    assert changed is not first
    assert changed.budget.loc[0, "forecast"] == "(42)" and changed.budget.loc[0, "mark"] == "✎ edited"
    assert chart_specs(at)["Reserves"] is first_charts["Reserves"]  # a forecast changes nothing in it
    open_tab(at, "Variance")
    assert chart_specs(at)["Variance"] != first_charts["Variance"]  # built again from the new figures
    built = at.session_state["finance_chart_specs"]
    assert [memo[0] for memo in built].count("Variance") == 1  # the chart of the old figures is let go


def test_each_variance_is_shown_with_its_commentary_largest_first(at, q3):
    table = next(d for d in html_tables(at) if "Commentary" in d.columns)
    variances = [b for b in q3.budget if b.forecast is not None and round(b.forecast - b.net_budget) != 0]
    assert len(table) == len(variances)
    first = max(variances, key=lambda b: abs(b.forecast - b.net_budget))
    assert table.iloc[0]["Service"] == first.service and table.iloc[0]["Commentary"] == first.commentary
    for line in variances:
        assert line.commentary in set(table["Commentary"])
