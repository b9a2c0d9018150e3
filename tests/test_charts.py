"""The Altair charts: the right data, status colours from the one source, workbook text kept out of expressions."""

from __future__ import annotations

import dataclasses

import pytest

from pprr.model import (
    BudgetChange,
    BudgetLine,
    Measure,
    Portfolio,
    PortfolioWorkbook,
    Priority,
    Reserve,
    Saving,
    Target,
    TargetKind,
)
from pprr.report import chart_data, charts
from pprr.rules.status import STATUS_STYLES, Status
from pprr.rules.values import parse_text

HOSTILE = "') || alert(1) || datum['x"  # text that would break out of a Vega expression string


def _measure(code: str, priority: int, actual: str, target: float) -> Measure:
    return Measure(row=2, code=code, cohort="", name=f"Measure {code}", priority=priority, measure_type="Council",
                   reported="Annually", polarity="High", actuals=(("2020/21", parse_text(actual)),),
                   target=Target(str(target), TargetKind.NUMBER, number=target))


WORKBOOK = PortfolioWorkbook(
    portfolio=Portfolio(portfolio="Test", financial_year="2021/22"),
    priorities=(Priority(2, 1, HOSTILE), Priority(3, 2, "Second")),
    measures=(_measure("A1", 1, "50", 50), _measure("A2", 1, "10", 50), _measure("B1", 2, "49", 50)),
    budget=(
        BudgetLine(2, HOSTILE, "Children", net_budget=100, forecast=150),
        BudgetLine(3, "Fostering", "Children", net_budget=200, forecast=180),
        BudgetLine(4, "Transport", "Education", net_budget=50, forecast=50),
        BudgetLine(5, "Unforecast", "Education", net_budget=50),
    ),
    budget_changes=(
        BudgetChange(2, "Opening", "Opening", (("Children", 250.0), ("Education", 90.0))),
        BudgetChange(3, HOSTILE, "Demand", (("Children", 60.0),)),
        BudgetChange(4, "Saving", "Savings", (("Education", -10.0),)),
    ),
    budget_divisions=("Children", "Education"),
    reserves=(Reserve(2, "Children", HOSTILE, "n", "u", 100.0), Reserve(3, "Education", "Corporate", "n", "u", 40.0)),
    savings=(Saving(2, "Children", "P1", "Green", 0.05, 0.05), Saving(3, "Children", "P2", "Red", 0.1, 0.0)),
)

ALL = [charts.budget_forecast_chart, charts.variance_chart, charts.reconciliation_chart, charts.savings_chart,
       charts.reserves_chart]


def _data(spec: dict) -> list[dict]:
    return [row for values in spec["datasets"].values() for row in values]


def _expressions(node, found: list[str]) -> list[str]:
    """Every string of a spec that Vega evaluates as an expression."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("expr", "test", "calculate", "filter", "labelExpr", "signal") and isinstance(value, str):
                found.append(value)
            _expressions(value, found)
    elif isinstance(node, list):
        for item in node:
            _expressions(item, found)
    return found


@pytest.mark.parametrize("make", ALL)
def test_charts_have_a_title_and_keep_workbook_text_out_of_expressions(make):
    spec = make(WORKBOOK).to_dict()
    assert spec["title"]["text"]
    assert spec["config"]["font"] == charts.FONT
    assert all(HOSTILE not in expr and "alert" not in expr for expr in _expressions(spec, []))


@pytest.mark.parametrize("make", [charts.budget_forecast_chart, charts.variance_chart,
                                  charts.reconciliation_chart, charts.reserves_chart])
def test_workbook_text_reaches_the_chart_as_data(make):
    assert any(HOSTILE in str(value) for row in _data(make(WORKBOOK).to_dict()) for value in row.values())


def test_variance_chart_labels_and_colours_follow_the_budget_rag():
    spec = charts.variance_chart(WORKBOOK).to_dict()
    rows = {r["service"]: r for r in _data(spec)}
    assert set(rows) == {HOSTILE, "Fostering", "Transport"}  # no forecast, no bar
    assert (rows[HOSTILE]["label"], rows[HOSTILE]["rag"]) == ("50", "Red")
    assert (rows["Fostering"]["label"], rows["Fostering"]["rag"]) == ("(20)", "Green")
    assert rows["Transport"]["rag"] == "Green"
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale == {"domain": ["Green", "Red"],  # only the ratings drawn
                     "range": [STATUS_STYLES[Status.GREEN].colour, STATUS_STYLES[Status.RED].colour]}


def test_an_amber_overspend_is_drawn_amber():
    line = dataclasses.replace(WORKBOOK.budget[1], net_budget=5000, forecast=5010)  # +10: under 5% and £100k
    wb = dataclasses.replace(WORKBOOK, budget=(line,))
    rows = _data(charts.variance_chart(wb).to_dict())
    assert [(r["rag"], r["label"]) for r in rows] == [("Amber", "10")]


def test_reconciliation_colours_say_nothing_good_or_bad():
    scale = charts.reconciliation_chart(WORKBOOK).to_dict()["layer"][0]["encoding"]["color"]["scale"]
    assert scale["domain"] == ["Budget", "Increase", "Decrease"]
    status_colours = {STATUS_STYLES[s].colour for s in (Status.GREEN, Status.AMBER, Status.RED)}
    assert not status_colours & set(scale["range"])


def test_variance_chart_limit_keeps_the_largest_variances_in_workbook_order():
    spec = charts.variance_chart(WORKBOOK, limit=2).to_dict()
    assert [r["service"] for r in _data(spec)] == [HOSTILE, "Fostering"]
    assert "2 largest of 4 services" in spec["title"]["text"]
    assert len(_data(charts.variance_chart(WORKBOOK, limit=3).to_dict())) == 3


def test_reconciliation_waterfall_steps():
    rows = _data(charts.reconciliation_chart(WORKBOOK).to_dict())
    assert [(r["kind"], r["start"], r["end"]) for r in rows] == [
        ("Budget", 0, 340), ("Increase", 340, 400), ("Decrease", 400, 390), ("Budget", 0, 390)]
    assert rows[1]["step"] == f"2. {HOSTILE}"


def test_the_priorities_page_bar_is_the_packs_status_chart_of_one_priority_in_the_status_colours():
    one = dataclasses.replace(WORKBOOK, priorities=WORKBOOK.priorities[:1], measures=WORKBOOK.measures[:2])
    bar = chart_data.priority_status_bar(one)
    assert bar.title == "Measures by status" and [row.label for row in bar.rows] == [""]  # named around it
    drawn = (Status.GREEN, Status.RED)  # the legend shows only what is drawn, in status order
    assert bar.legend == tuple((STATUS_STYLES[s].label, STATUS_STYLES[s].colour) for s in drawn)
    assert [(seg.name, seg.colour, seg.end - seg.start) for seg in bar.rows[0].segments] == [
        ("Green", STATUS_STYLES[Status.GREEN].colour, 1), ("Red", STATUS_STYLES[Status.RED].colour, 1)]
    assert bar.description == "Bar chart of the priority's measures by status: Green 1, Red 1."
    several = chart_data.status_bars(WORKBOOK)  # the packs' chart keeps a labelled bar per priority
    assert several.title == "Measures by status and priority"
    assert [row.label for row in several.rows] == [f"1. {HOSTILE}", "2. Second"]
    empty = dataclasses.replace(one, measures=())
    assert chart_data.priority_status_bar(empty) is None


def test_savings_chart_colours_ratings_from_status_styles_in_thousands():
    spec = charts.savings_chart(WORKBOOK).to_dict()
    rows = {r["bar"]: r for r in _data(spec)}
    assert rows["Green: achieved"]["colour"] == STATUS_STYLES[Status.GREEN].colour
    assert rows["Red: identified"]["label"] == "100"  # £0.1m
    assert spec["layer"][0]["encoding"]["color"]["legend"] is None  # every bar is named on its axis


def test_chart_png_renders_offline():
    png = charts.chart_png(charts.variance_chart(WORKBOOK))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 5_000


def test_chart_png_draws_an_unchanged_chart_once_and_a_changed_one_again():
    first = charts.chart_png(charts.variance_chart(WORKBOOK))
    assert charts.chart_png(charts.variance_chart(WORKBOOK)) is first  # kept, not drawn again
    line = dataclasses.replace(WORKBOOK.budget[1], forecast=260)
    changed = dataclasses.replace(WORKBOOK, budget=(WORKBOOK.budget[0], line, *WORKBOOK.budget[2:]))
    redrawn = charts.chart_png(charts.variance_chart(changed))
    assert redrawn.startswith(b"\x89PNG") and redrawn != first
    assert charts.chart_png(charts.variance_chart(WORKBOOK), scale=1) != first  # the scale is part of the key


def test_chart_png_keeps_a_bounded_number_of_renderings():
    for n in range(charts.PNG_CACHE + 2):
        wb = dataclasses.replace(WORKBOOK, savings=(dataclasses.replace(WORKBOOK.savings[0], achieved_m=n / 1000),))
        charts.chart_png(charts.savings_chart(wb), scale=0.5)
    assert charts._png.cache_info().currsize == charts.PNG_CACHE


def test_sample_charts_render(q3):
    for make in ALL:
        assert charts.chart_png(make(q3), scale=1).startswith(b"\x89PNG")


@pytest.mark.parametrize("make", [charts.variance_chart, charts.reconciliation_chart, charts.reserves_chart,
                                  charts.savings_chart])
def test_a_chart_fills_its_container_only_when_asked(make):
    spec = make(WORKBOOK, width=charts.CONTAINER).to_dict()
    assert spec["width"] == "container" and spec["autosize"]["type"] == "fit-x"
    fixed = make(WORKBOOK).to_dict()
    assert isinstance(fixed["width"], int) and "autosize" not in fixed  # the pack's PNGs need pixels


@pytest.mark.parametrize("make", [charts.variance_chart, charts.reconciliation_chart])
def test_every_bar_row_keeps_its_label(make):
    spec = make(WORKBOOK).to_dict()
    assert spec["layer"][0]["encoding"]["y"]["axis"]["labelOverlap"] is False
    assert spec["height"] == {"step": charts.ROW_STEP}


@pytest.mark.parametrize("title, text, subtitle", [
    ("Forecast variance by service (£000; overspend positive, underspend in brackets)",
     "Forecast variance by service", "£000; overspend positive, underspend in brackets"),
    ("Cash-limit reconciliation (£000)", "Cash-limit reconciliation", "£000"),
    ("Reserves: approved use", "Reserves: approved use", None),
    ("Savings (£000) by rating", "Savings (£000) by rating", None),  # brackets not at the end: one line
])
def test_a_titles_closing_words_in_brackets_are_its_subtitle(title, text, subtitle):
    params = charts._title(title).to_dict()
    assert params["text"] == text
    assert params.get("subtitle") == subtitle
