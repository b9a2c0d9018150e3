"""The portfolio's charts, as Altair charts: the app shows them, the PDF pack prints them (:func:`chart_png`).

Workbook text (service names, items, categories) only ever enters a chart as data, never inside a Vega expression.
Status colours come from :data:`pprr.rules.status.STATUS_STYLES`. Money is £000 unless the title says £m; every chart has
a title and labelled axes, in sizes that stay legible when printed.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import altair as alt
import vl_convert

from ..model import PortfolioWorkbook
from ..rules import finance
from ..rules.status import STATUS_ORDER, STATUS_STYLES, Status
from .chart_data import (
    WATERFALL_COLOURS,
    reserves_data,
    savings_data,
    variance_data,
    waterfall_data,
)

FONTS = Path(__file__).parent / "fonts"
FONT = "DejaVu Sans"
WIDTH = 460
ROW_STEP = 20  # pixels per bar row: room for every row's 12 px label
LABEL_LIMIT = 230  # pixels of an axis label before it is cut with an ellipsis
NEUTRAL = STATUS_STYLES[Status.CONTEXTUAL].colour
MUTED = STATUS_STYLES[Status.NO_DATA].colour
PNG_CACHE = 32  # renderings kept per process, keyed by the whole chart specification
CONTAINER = "container"  # a chart width that fills the element it is shown in (the app); PNGs need pixels
Width = int | str


def _title(title: str) -> alt.TitleParams:
    """The chart's title, its closing words in brackets set as a subtitle: a title is cut short at the width of
    the plot (about 470 px in a window 800 px wide)."""
    head, bracket, rest = title.partition(" (")
    if not bracket or not rest.endswith(")"):
        return alt.TitleParams(title, anchor="start", fontSize=15, font=FONT)
    return alt.TitleParams(head, subtitle=rest[:-1], anchor="start", fontSize=15, font=FONT, subtitleFont=FONT,
                           subtitleFontSize=12, subtitleColor="#222")


def _styled(chart: alt.TopLevelMixin, title: str) -> alt.TopLevelMixin:
    return (
        chart.properties(title=_title(title))
        .configure(font=FONT)
        .configure_axis(labelFontSize=12, titleFontSize=12, labelLimit=LABEL_LIMIT, labelColor="#222",
                        titleColor="#222")
        .configure_legend(labelFontSize=12, titleFontSize=12, orient="bottom", labelLimit=LABEL_LIMIT)
        .configure_header(labelFontSize=12, titleFontSize=12, labelFont=FONT, titleFont=FONT)
        .configure_view(stroke=None)
    )


def _sized(chart: alt.TopLevelMixin, width: Width, height) -> alt.TopLevelMixin:
    """``chart`` at ``width`` pixels, or filling its container with the height its rows need."""
    chart = chart.properties(width=width, height=height)
    if width == CONTAINER:
        chart = chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    return chart


def _padded(values: list[float], share: float, zero: bool = True) -> list[float]:
    """An axis domain around ``values`` with room for the bar labels on both sides."""
    lo, hi = min(values), max(values)
    pad = max((hi - lo) * share, 1.0)
    return [lo - pad if (lo < 0 or not zero) else 0.0, hi + pad]


def budget_forecast_chart(wb: PortfolioWorkbook, width: int = WIDTH - 140) -> alt.TopLevelMixin:
    """Net budget and forecast outturn per service, services grouped by division; ``width`` is each division's
    plot in pixels (a faceted chart cannot fill its container)."""
    table = finance.budget_table(wb)
    long = table.melt(id_vars=["service", "division"], value_vars=["net_budget", "forecast"],
                      var_name="measure", value_name="amount").dropna(subset=["amount"])
    long["measure"] = long["measure"].map({"net_budget": "Net budget", "forecast": "Forecast outturn"})
    long["amount"] = long["amount"].astype(float)
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("service:N", title=None, sort=list(dict.fromkeys(table["service"]))),
            yOffset=alt.YOffset("measure:N", sort=["Net budget", "Forecast outturn"]),
            x=alt.X("amount:Q", title="£000"),
            color=alt.Color("measure:N", title=None, sort=["Net budget", "Forecast outturn"],
                            scale=alt.Scale(range=[MUTED, NEUTRAL])),
            row=alt.Row("division:N", title=None, sort=list(dict.fromkeys(table["division"])),
                        header=alt.Header(labelAngle=0, labelOrient="top", labelAnchor="start",
                                          labelFontWeight="bold")),
            tooltip=["service", "division", "measure", alt.Tooltip("amount:Q", format=",.0f", title="£000")],
        )
        .properties(width=width, height=alt.Step(11))
        .resolve_scale(y="independent")
    )
    return _styled(chart, "Net budget and forecast outturn by service (£000)")


def _rag_scale(rags: list[str]) -> alt.Scale:
    shown = [s.value for s in STATUS_ORDER if s.value in rags]
    return alt.Scale(domain=shown, range=[STATUS_STYLES[Status(r)].colour for r in shown])


def variance_chart(wb: PortfolioWorkbook, limit: int | None = None, width: Width = WIDTH - 100) -> alt.TopLevelMixin:
    """Forecast variance per service: overspend right, underspend left, coloured by the service's RAG as the budget
    table rates it, each bar labelled in £000 (negatives in brackets). Numbers from :func:`variance_data`."""
    data, title = variance_data(wb, limit)
    data = data.drop(columns=["colour"])
    base = alt.Chart(data).encode(
        y=alt.Y("service:N", title=None, sort=list(data["service"]), axis=alt.Axis(labelOverlap=False)),
        x=alt.X("variance:Q", title="Variance, £000 (forecast − net budget)",
                scale=alt.Scale(domain=_padded([0.0, *data["variance"]], 0.25))),
    )
    bars = base.mark_bar().encode(
        color=alt.Color("rag:N", title="Budget RAG", scale=_rag_scale(list(data["rag"]))),
        tooltip=["service", alt.Tooltip("label:N", title="Variance £000"), alt.Tooltip("rag:N", title="RAG")],
    )
    right = base.transform_filter(alt.datum.variance >= 0).mark_text(align="left", dx=4, fontSize=11)
    left = base.transform_filter(alt.datum.variance < 0).mark_text(align="right", dx=-4, fontSize=11)
    chart = _sized(alt.layer(bars, right.encode(text="label:N"), left.encode(text="label:N")), width,
                   alt.Step(ROW_STEP))
    return _styled(chart, title)


def reconciliation_chart(wb: PortfolioWorkbook, width: Width = WIDTH - 120) -> alt.TopLevelMixin:
    """The cash-limit reconciliation as a waterfall: opening budget, each change, the closing budget."""
    data = waterfall_data(finance.reconciliation(wb))
    base = alt.Chart(data).encode(y=alt.Y("step:N", title=None, sort=list(data["step"]),
                                          axis=alt.Axis(labelOverlap=False)))
    changes = data[data["kind"] != "Budget"]
    low = min([*data["end"], *changes["start"]]) if len(data) else 0.0
    domain = _padded([low, *data["end"], *data["start"][data["kind"] != "Budget"]], 0.3, zero=False)
    bars = base.mark_bar(clip=True).encode(
        x=alt.X("start:Q", title="£000, all divisions (the axis does not start at zero)",
                scale=alt.Scale(domain=domain, zero=False)),
        x2="end:Q",
        color=alt.Color("kind:N", title=None, sort=list(WATERFALL_COLOURS),
                        scale=alt.Scale(domain=[k for k in WATERFALL_COLOURS if k in set(data["kind"])],
                                        range=[c for k, c in WATERFALL_COLOURS.items() if k in set(data["kind"])])),
        tooltip=["label", alt.Tooltip("amount:N", title="£000"), "kind"],
    )
    labels = base.mark_text(align="left", dx=4, fontSize=11).encode(x=alt.X("max_end:Q"), text="amount:N")
    labels = labels.transform_calculate(max_end="max(datum.start, datum.end)")
    chart = _sized(alt.layer(bars, labels), width, alt.Step(ROW_STEP))
    return _styled(chart, "Cash-limit reconciliation (£000)")


def savings_chart(wb: PortfolioWorkbook, width: Width | None = None) -> alt.TopLevelMixin:
    """Savings identified and achieved (£000) by risk rating, one bar each, named on the axis (no legend needed:
    the rating and the kind are written beside every bar). Numbers from :func:`savings_data`."""
    data = savings_data(wb)
    data["bar"] = [f"{r}: {k.lower()}" for r, k in zip(data["risk"], data["kind"])]
    base = alt.Chart(data).encode(
        y=alt.Y("bar:N", title=None, sort=list(data["bar"]), axis=alt.Axis(labelOverlap=False)),
        x=alt.X("amount:Q", title="£000", scale=alt.Scale(domain=_padded([0.0, *data["amount"]], 0.2))),
    )
    bars = base.mark_bar().encode(
        color=alt.Color("colour:N", scale=None, legend=None),
        tooltip=["risk", "kind", alt.Tooltip("label:N", title="£000")],
    )
    text = base.mark_text(align="left", dx=4, fontSize=11).encode(text="label:N")
    chart = _sized(alt.layer(bars, text), width or WIDTH - 160, alt.Step(ROW_STEP))
    return _styled(chart, "Savings identified and achieved by risk rating (£000)")


def reserves_chart(wb: PortfolioWorkbook, width: Width = WIDTH - 160) -> alt.TopLevelMixin:
    """Approved use of reserves (£000) by reserve category, stacked by division. Numbers from
    :func:`pprr.report.chart_data.reserves_data`."""
    table, totals, order, colours = reserves_data(wb)
    bars = alt.Chart(table).mark_bar().encode(
        y=alt.Y("category:N", title=None, sort=order),
        x=alt.X("sum(approved_use):Q", title="Approved use, £000"),
        color=alt.Color("division:N", title="Division",
                        scale=alt.Scale(domain=list(colours), range=list(colours.values()))),
        tooltip=["category", "division", alt.Tooltip("sum(approved_use):Q", format=",.0f", title="£000")],
    )
    text = alt.Chart(totals).mark_text(align="left", dx=4, fontSize=11).encode(
        y=alt.Y("category:N", sort=order), x="approved_use:Q", text="label:N")
    chart = _sized(alt.layer(bars, text), width, alt.Step(22))
    return _styled(chart, "Reserves: approved use by category (£000)")


@functools.cache
def register_fonts() -> None:
    """Make the embedded fonts available to the chart renderer (once per process)."""
    vl_convert.register_font_directory(str(FONTS))


def chart_png(chart: alt.TopLevelMixin, scale: float = 2) -> bytes:
    """Render a chart to PNG, offline. The last PNG_CACHE renderings are kept, keyed by the chart's whole
    specification (its data included), so a chart that has not changed is not drawn again; the same
    specification always gives the same picture, so nothing of one workbook can show in another's."""
    return _png(json.dumps(chart.to_dict(), sort_keys=True), scale)


@functools.lru_cache(maxsize=PNG_CACHE)
def _png(spec: str, scale: float) -> bytes:
    register_fonts()
    return vl_convert.vegalite_to_png(spec, scale=scale)
