"""The committee pack: the portfolio report as an A4 PDF a scrutiny clerk can send to members as it is.

``build_pack(wb, PackOptions(...))`` returns the PDF bytes. Sections: cover, contents (with page numbers and PDF
bookmarks), summary (status counts, exceptions, finance headline), one section per priority, finance, and the
status key with the glossary. Ratings come from :mod:`pprr.rules.status`, money from :mod:`pprr.rules.finance`, charts from
:mod:`pprr.report.charts`; the look of the pages is :mod:`pprr.report.pdf_style`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import struct
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Image, PageBreak, Spacer

from ..model import Measure, PortfolioWorkbook, Priority
from ..rules import finance
from ..rules.status import (
    SAVINGS_RISK_KEY,
    STATUS_ORDER,
    STATUS_STYLES,
    TREND_ARROWS,
    TREND_COLOURS,
    TREND_KEY,
    Rating,
    Settings,
    Status,
    budget_key,
    budget_rag,
    count_statuses,
    rate_measures,
    settings_for,
    status_key,
)
from ..rules.values import UnreadableValue, parse_target
from . import charts
from .pdf_style import (
    CONTENT_W,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    PAGE_H,
    Contents,
    Furniture,
    Heading,
    HeadingParagraph,
    PackDocument,
    Plain,
    badge,
    esc,
    grid,
    markup,
    para,
    paras,
    subheading,
)

SECTIONS = ("cover", "contents", "summary", "priorities", "finance", "key")
TITLES = {
    "cover": "Cover",
    "contents": "Contents",
    "summary": "Summary",
    "priorities": "Performance by priority",
    "finance": "Finance",
    "key": "Status key and glossary",
}
CHART_SCALE = 2  # chart pixels per point of print size: sharp on paper
VARIANCE_CHART_LIMIT = 40  # services drawn in the variance chart; a longer chart would not print legibly
ILLUSTRATIVE = "ILLUSTRATIVE FIGURES"
SCENARIO = "SCENARIO"
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class PackOptions:
    sections: tuple[str, ...] | None = None  # None = all, in SECTIONS order
    priorities: tuple[int, ...] | None = None  # None = all
    exceptions_only: bool = False  # priority sections show only the Red measures
    scenario_targets: dict[str, str] | None = None  # scenario_key(measure) -> what-if target text


def scenario_key(measure: Measure) -> str:
    """``CODE|COHORT``: how a what-if target names its measure."""
    return f"{measure.code}|{measure.cohort}"


def apply_scenario(wb: PortfolioWorkbook, targets: dict[str, str]) -> PortfolioWorkbook:
    """The workbook with what-if targets in place of the official ones. Raises ValueError on an unknown measure
    or a target that cannot be read."""
    known = {scenario_key(m) for m in wb.measures}
    unknown = sorted(set(targets) - known)
    if unknown:
        raise ValueError(f"Scenario target for a measure not in the workbook: {', '.join(unknown[:5])}")
    measures = []
    for m in wb.measures:
        text = targets.get(scenario_key(m))
        if text is not None:
            try:
                m = dataclasses.replace(m, target=parse_target(text))
            except UnreadableValue as exc:
                raise ValueError(f"Scenario target for {m.label}: {exc}") from None
        measures.append(m)
    return dataclasses.replace(wb, measures=tuple(measures))


@dataclass(frozen=True)
class _Pack:
    """Everything the sections draw from, worked out once."""

    wb: PortfolioWorkbook  # scenario targets applied
    settings: Settings
    priorities: tuple[Priority, ...]  # the chosen ones, in workbook order
    rated: tuple[tuple[Measure, Rating], ...]  # measures of the chosen priorities, workbook order
    options: PackOptions
    charts: dict[str, bytes] = dataclasses.field(default_factory=dict)  # chart name -> PNG

    def chart(self, name: str) -> list:
        """The chart as an image flowable, or nothing when the workbook has nothing to draw."""
        return [_image(self.charts[name])] if name in self.charts else []

    def of(self, number: int) -> list[tuple[Measure, Rating]]:
        return [(m, r) for m, r in self.rated if m.priority == number]


def _priorities(wb: PortfolioWorkbook, chosen: tuple[int, ...] | None) -> tuple[Priority, ...]:
    numbers = list(dict.fromkeys([p.number for p in wb.priorities] + [m.priority for m in wb.measures]))
    if chosen is not None:
        missing = [n for n in chosen if n not in numbers]
        if missing:
            raise ValueError(f"Priority {missing[0]} is not in the workbook (it has {', '.join(map(str, numbers))})")
        numbers = [n for n in numbers if n in chosen]
    return tuple(wb.priority(n) or Priority(row=0, number=n, title=f"Priority {n}") for n in numbers)


def _prepare(wb: PortfolioWorkbook, options: PackOptions) -> _Pack:
    unknown = [s for s in options.sections or () if s not in SECTIONS]
    if unknown:
        raise ValueError(f"Unknown pack section '{unknown[0]}' (choose from {', '.join(SECTIONS)})")
    if options.scenario_targets:
        wb = apply_scenario(wb, options.scenario_targets)
    settings = settings_for(wb)
    priorities = _priorities(wb, options.priorities)
    numbers = {p.number for p in priorities}
    rated = tuple((m, r) for m, r in zip(wb.measures, rate_measures(wb.measures, settings)) if m.priority in numbers)
    return _Pack(wb, settings, priorities, rated, options)


def _wanted_charts(pack: _Pack, sections: list[str]) -> dict[str, Callable[[], object]]:
    """The charts the chosen sections show, as functions that make them."""
    wb = pack.wb
    wanted: dict[str, Callable[[], object]] = {}
    if "summary" in sections and pack.rated:
        chosen = dataclasses.replace(wb, priorities=pack.priorities, measures=tuple(m for m, _ in pack.rated))
        wanted["status"] = lambda: charts.status_chart(chosen, tuple(r for _, r in pack.rated))
    if "finance" in sections:
        if any(line.forecast is not None for line in wb.budget):
            wanted["variance"] = lambda: charts.variance_chart(wb, limit=VARIANCE_CHART_LIMIT)
        if wb.budget_changes:
            wanted["reconciliation"] = lambda: charts.reconciliation_chart(wb)
        if any(r.approved_use is not None for r in wb.reserves):
            wanted["reserves"] = lambda: charts.reserves_chart(wb)
        if wb.savings:
            wanted["savings"] = lambda: charts.savings_chart(wb)
    return wanted


def _render_charts(pack: _Pack, sections: list[str]) -> _Pack:
    """Every chart of the pack rendered to PNG, side by side (the renderer runs outside the interpreter lock)."""
    wanted = _wanted_charts(pack, sections)
    with ThreadPoolExecutor(max_workers=4) as pool:
        rendered = dict(zip(wanted, pool.map(lambda make: charts.chart_png(make(), CHART_SCALE), wanted.values())))
    return dataclasses.replace(pack, charts=rendered)


# ---------------------------------------------------------------------------------------------------------------
# Small pieces


def _image(png: bytes, max_height: float = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM - 30 * mm) -> Image:
    """A chart PNG at print size (a chart pixel is 0.75 pt), shrunk to fit the frame."""
    px_w, px_h = struct.unpack(">II", png[16:24])  # the PNG header's width and height
    width, height = px_w / CHART_SCALE * 0.75, px_h / CHART_SCALE * 0.75
    shrink = min(1.0, CONTENT_W / width, max_height / height)
    image = Image(io.BytesIO(png), width=width * shrink, height=height * shrink)
    image.hAlign = "LEFT"
    image.spaceBefore = 2 * mm
    image.spaceAfter = 4 * mm
    return image


def _money(x: float | None, decimals: int = 0, bold: bool = False) -> Plain:
    return Plain((finance.format_money(x, decimals), "cell_right_bold" if bold else "cell_right"))


def _cell(text: object, style: str = "cell") -> Plain:
    return Plain(("" if text is None else text, style))


def _head(*names: str, right_from: int = 1) -> list:
    return [Plain((n, "cell_head_right" if i >= right_from else "cell_head")) for i, n in enumerate(names)]


def _status_fill(status: Status) -> str:
    return STATUS_STYLES[status].colour


def _latest(measure: Measure, rating: Rating) -> tuple[str, str] | None:
    """(latest value, its year): the one rated, else the last one given."""
    if rating.latest is not None:
        return rating.latest.raw, rating.latest_label
    shown = [(year, v) for year, v in measure.actuals if not v.is_blank]
    if shown:
        year, value = shown[-1]
        return value.raw, year
    return None


def _latest_cell(measure: Measure, rating: Rating) -> Plain:
    latest = _latest(measure, rating)
    return Plain((latest[0], "cell"), (latest[1], "cell_small")) if latest else _cell("—")


def _trend(rating: Rating) -> Plain:
    if rating.trend is None:
        return _cell("")
    return Plain((f"{rating.arrow} {rating.trend.value}", "cell", TREND_COLOURS[rating.trend]))


def _measure_title(measure: Measure) -> str:
    return f"{measure.label} · {measure.name}"


def _count_line(counts: dict[Status, int]) -> str:
    return " · ".join(f"{STATUS_STYLES[s].label} {n}" for s, n in counts.items())


# ---------------------------------------------------------------------------------------------------------------
# Sections


def _cover(pack: _Pack) -> list:
    p = pack.wb.portfolio
    kind = "Agreement" if p.reporting_period.casefold() == "agreement" else "Report"
    story = [
        Spacer(1, 25 * mm),
        HeadingParagraph(Heading(TITLES["cover"], 0, "cover", "subtitle", toc=False), text=p.council or "Council"),
        para(p.portfolio or "Portfolio", "title"),
        para(f"Portfolio Performance and Resources {kind}", "subtitle"),
        para(" ".join(x for x in (p.reporting_period, p.financial_year) if x), "subtitle"),
        Spacer(1, 8 * mm),
    ]
    fields = [("Council", p.council), ("Portfolio", p.portfolio), ("Financial year", p.financial_year),
              ("Reporting period", p.reporting_period), ("Version", p.version), ("Date", p.date),
              ("Approved by", p.approved_by)]
    story.append(grid([[_cell(k, "cell_bold"), _cell(v)] for k, v in fields], [45 * mm, 110 * mm], head_rows=0))
    if p.illustrative:
        story += [para(ILLUSTRATIVE, "mark"),
                  para("The in-year figures in this pack are illustrative, not published results.")]
    if pack.options.scenario_targets:
        story += [para(SCENARIO, "mark"),
                  para(f"What-if targets replace the official targets of {len(pack.options.scenario_targets)} "
                       "measure(s); statuses in this pack are rated against them.")]
    if pack.options.priorities is not None:
        shown = ", ".join(f"{pr.number}. {pr.title}" for pr in pack.priorities)
        story.append(para(f"Priorities included: {shown}", "note"))
    if pack.options.exceptions_only:
        story.append(para("Exceptions only: the priority sections show only the measures rated Red.", "note"))
    return story


def _contents(pack: _Pack) -> list:
    return [HeadingParagraph(Heading(TITLES["contents"], 0, "contents", toc=False)), Contents()]


def _counts_table(pack: _Pack) -> list:
    head = [markup("Priority", "cell_head")] + [badge(s) for s in STATUS_ORDER] + _head("Total", right_from=0)
    rows, bold = [head], []
    for pr in pack.priorities:
        counts = count_statuses(r for _, r in pack.of(pr.number))
        rows.append([_cell(f"{pr.number}. {pr.title}")] + [_money(n) for n in counts.values()]
                    + [_money(sum(counts.values()))])
    counts = count_statuses(r for _, r in pack.rated)
    rows.append([_cell("All priorities", "cell_bold")] + [_money(n, bold=True) for n in counts.values()]
                + [_money(sum(counts.values()), bold=True)])
    bold.append(len(rows) - 1)
    fills = {(i + 1, 0): _status_fill(s) for i, s in enumerate(STATUS_ORDER)}
    widths = [CONTENT_W - 5 * 22 * mm - 13 * mm] + [22 * mm] * 5 + [13 * mm]
    return [grid(rows, widths, fills=fills, bold_rows=tuple(bold))]


def _headline(pack: _Pack) -> list:
    h = finance.headline(pack.wb)
    rows = [
        _head("Finance headline", "Amount"),
        [_cell("Net budget (£000)"), _money(h.net_budget)],
        [_cell("Forecast outturn (£000)"), _money(h.forecast)],
        [_cell("Variance (£000; overspend positive, underspend in brackets)"), _money(h.variance)],
        [_cell("Reserves: approved use (£000)"), _money(h.reserves)],
        [_cell("Savings identified (£m)"), _money(h.savings_identified_m, 3)],
        [_cell("Savings achieved (£m)"), _money(h.savings_achieved_m, 3)],
    ]
    return [grid(rows, [110 * mm, 30 * mm])]


def _exception(measure: Measure, rating: Rating) -> list:
    latest = _latest(measure, rating)
    return [
        para(_measure_title(measure), "h3"),
        para(f"Priority {measure.priority} · latest {' '.join(latest) if latest else '—'} · {rating.reason}", "note"),
        *paras(measure.commentary),
    ]


def _summary(pack: _Pack) -> list:
    story = [HeadingParagraph(Heading(TITLES["summary"], 0, "summary")),
             *subheading("Status of measures"), *_counts_table(pack), *pack.chart("status"),
             *subheading("Finance headline"), *_headline(pack)]
    reds = [(m, r) for m, r in pack.rated if r.status is Status.RED]
    story += subheading(f"Exceptions: measures rated Red ({len(reds)})")
    if not reds:
        story.append(para("No measure is rated Red."))
    for measure, rating in reds:
        story += _exception(measure, rating)
    return story


def _measures_table(rated: list[tuple[Measure, Rating]]) -> list:
    rows = [_head("Code", "Measure", "Reported", "Latest", "Target", "Status", "Trend", right_from=9)]
    fills = {}
    for measure, rating in rated:
        name = f"{esc(measure.name)}<br/><font size=7 color='#5A5A5A'>{esc(rating.reason)}</font>"
        code = Plain((measure.code, "cell_bold"), *([(measure.cohort, "cell")] if measure.cohort else []))
        rows.append([code, markup(name, "cell"), _cell(measure.reported), _latest_cell(measure, rating),
                     _cell(measure.target.raw or "—"), badge(rating.status), _trend(rating)])
        fills[(5, len(rows) - 1)] = _status_fill(rating.status)
    widths = [23 * mm, CONTENT_W - 130 * mm, 17 * mm, 26 * mm, 21 * mm, 23 * mm, 20 * mm]
    return [grid(rows, widths, fills=fills)]


def _priority(pack: _Pack, pr: Priority) -> list:
    rated = pack.of(pr.number)
    counts = count_statuses(r for _, r in rated)
    story = [HeadingParagraph(Heading(f"Priority {pr.number}: {pr.title}", 1, f"priority-{pr.number}"))]
    if pr.outcome:
        story.append(markup(f"<b>Outcome:</b> {esc(pr.outcome, 2000)}"))
    story.append(para(f"{len(rated)} measures: {_count_line(counts)}", "note"))
    if pr.commentary.strip():
        story += [*subheading("Commentary"), *paras(pr.commentary)]
    shown = [(m, r) for m, r in rated if r.status is Status.RED] if pack.options.exceptions_only else rated
    story += subheading("Exceptions: measures rated Red" if pack.options.exceptions_only else "Measures")
    if not shown:
        story.append(para("No measure in this priority is rated Red." if rated else "No measures."))
        return story
    story += _measures_table(shown)
    with_text = [(m, r) for m, r in shown if m.commentary.strip()]
    if with_text:
        story += subheading("Measure commentary")
    for measure, rating in with_text:
        story += [markup(f"{esc(_measure_title(measure), 600)} · {esc(rating.badge)}", "h3"),
                  *paras(measure.commentary)]
    return story


def _priorities_section(pack: _Pack) -> list:
    story = [HeadingParagraph(Heading(TITLES["priorities"], 0, "priorities"))]
    for i, pr in enumerate(pack.priorities):
        if i:
            story.append(PageBreak())
        story += _priority(pack, pr)
    return story


def _budget_table(pack: _Pack) -> list:
    table = finance.budget_table(pack.wb, pack.settings)
    services = list(zip(pack.wb.budget, (row for _, row in table.iterrows())))
    rows = [_head("Service", "Gross exp.", "Gross income", "Net budget", "Forecast", "Variance", "Var. %", "RAG")]
    fills, bold, spans = {}, [], []

    def add(cells: list, status: Status | None) -> None:
        rows.append(cells + [badge(status) if status else ""])
        if status:
            fills[(7, len(rows) - 1)] = _status_fill(status)

    for _, total in finance.budget_summary(pack.wb).iterrows():
        label = total["label"]
        if total["level"] == "division":
            rows.append([_cell(label, "cell_bold")] + [""] * 7)
            spans.append((len(rows) - 1, 0, 7))
            for line, row in (s for s in services if s[0].division == total["label"]):
                pct = "" if row["variance_pct"] is None else f"{row['variance_pct']:.1f}%".replace("-", "−")
                add([_cell(line.service), _money(line.gross_expenditure), _money(line.gross_income),
                     _money(line.net_budget), _money(line.forecast), _money(row["variance"]),
                     markup(esc(pct), "cell_right")], Status(row["rag"]))
            label = f"{label} sub-total"
        status = None
        if total["variance"] is not None:
            status = budget_rag(total["net_budget"], total["net_budget"] + total["variance"], pack.settings)
        add([_cell(label, "cell_bold")] + [_money(total[c], bold=True) for c in
             ("gross_expenditure", "gross_income", "net_budget", "forecast", "variance")] + [""], status)
        bold.append(len(rows) - 1)
    widths = [CONTENT_W - 5 * 17 * mm - 15 * mm - 21 * mm] + [17 * mm] * 5 + [15 * mm, 21 * mm]
    return [grid(rows, widths, fills=fills, bold_rows=tuple(bold), spans=tuple(spans))]


def _reconciliation(pack: _Pack) -> list:
    recon = finance.reconciliation(pack.wb)
    if not pack.wb.budget_changes:
        return [para("The workbook has no cash-limit reconciliation (Budget Changes sheet).")]
    n = len(recon.divisions) + 1
    num_w = max(15 * mm, min(24 * mm, (CONTENT_W - 60 * mm) / n))
    rows = [[markup("Item", "cell_head")] + [_cell(d, "cell_head_right") for d in recon.divisions]
            + _head("Total", right_from=0)]
    bold = []
    for line in recon.lines:
        strong = line.kind != "item"
        rows.append([_cell(line.label, "cell_bold" if strong else "cell")]
                    + [_money(a, bold=strong) for a in (*line.amounts, line.total)])
        if strong:
            bold.append(len(rows) - 1)
    story = [grid(rows, [CONTENT_W - n * num_w] + [num_w] * n, bold_rows=tuple(bold))]
    for check in recon.checks:
        if check.service_total is None:
            text = f"{check.division}: no service in the Budget sheet has this division."
        else:
            verdict = "agrees (within ±1 rounding)" if check.agrees else "does NOT agree"
            text = (f"{check.division}: reconciliation {finance.format_money(check.closing)} against service table "
                    f"{finance.format_money(check.service_total)}, difference "
                    f"{finance.format_money(check.difference)}: {verdict}.")
        story.append(para(text, "note"))
    return story + pack.chart("reconciliation")


def _reserves(pack: _Pack) -> list:
    if not pack.wb.reserves:
        return [para("The workbook lists no earmarked reserves.")]
    rows = [_head("Reserve category", "Reserve narration", "To be used for", "Approved use", right_from=3)]
    bold, spans = [], []
    for _, total in finance.reserves_by(pack.wb, "division").iterrows():
        rows.append([_cell(total["division"], "cell_bold"), "", "", ""])
        spans.append((len(rows) - 1, 0, 3))
        for r in (r for r in pack.wb.reserves if r.division == total["division"]):
            amount = ("*" if r.not_drawn_down else "") + finance.format_money(r.approved_use)
            rows.append([_cell(r.category), _cell(r.narration), _cell(r.to_be_used_for),
                         markup(esc(amount), "cell_right")])
        rows.append([_cell(f"Total – {total['division']}", "cell_bold"), "", "", _money(total["approved_use"], bold=True)])
        bold.append(len(rows) - 1)
    rows.append([_cell("Total reserves", "cell_bold"), "", "", _money(finance.reserves_total(pack.wb), bold=True)])
    bold.append(len(rows) - 1)
    story = [grid(rows, [40 * mm, 45 * mm, CONTENT_W - 107 * mm, 22 * mm], bold_rows=tuple(bold),
                  spans=tuple(spans))]
    if any(r.not_drawn_down for r in pack.wb.reserves):
        story.append(para("* Reserves from the previous year not drawn down.", "note"))
    return story + pack.chart("reserves")


def _savings(pack: _Pack) -> list:
    if not pack.wb.savings:
        return [para("The workbook lists no savings proposals.")]
    rows = [_head("Proposal", "Risk", "Identified £m", "Achieved £m", "Additional information", right_from=2)]
    rows[0][-1] = markup("Additional information", "cell_head")
    fills, bold, spans = {}, [], []
    for _, total in finance.savings_by_division(pack.wb).iterrows():
        rows.append([_cell(total["division"], "cell_bold"), "", "", "", ""])
        spans.append((len(rows) - 1, 0, 4))
        for s in (s for s in pack.wb.savings if s.division == total["division"]):
            known = s.risk in {st.value for st in (Status.GREEN, Status.AMBER, Status.RED)}
            risk = badge(Status(s.risk)) if known else _cell(s.risk)
            rows.append([_cell(s.proposal), risk, _money(s.identified_m, 3), _money(s.achieved_m, 3),
                         _cell(s.information)])
            if known:
                fills[(1, len(rows) - 1)] = _status_fill(Status(s.risk))
        rows.append([_cell(f"Subtotal – {total['division']}", "cell_bold"), "",
                     _money(total["identified_m"], 3, True), _money(total["achieved_m"], 3, True), ""])
        bold.append(len(rows) - 1)
    rows.append([_cell("Total", "cell_bold"), "", _money(finance.savings_identified(pack.wb), 3, True),
                 _money(finance.savings_achieved(pack.wb), 3, True), ""])
    bold.append(len(rows) - 1)
    story = [grid(rows, [55 * mm, 20 * mm, 22 * mm, 22 * mm, CONTENT_W - 119 * mm], fills=fills,
                  bold_rows=tuple(bold), spans=tuple(spans))]
    story.append(para("Risk rating key (the agreement's own definitions)", "h3"))
    key_rows = [[badge(Status(risk)), _cell(text)] for risk, text in SAVINGS_RISK_KEY.items()]
    story.append(grid(key_rows, [22 * mm, CONTENT_W - 22 * mm], head_rows=0,
                      fills={(0, i): _status_fill(Status(risk)) for i, risk in enumerate(SAVINGS_RISK_KEY)}))
    return story + pack.chart("savings")


def _capital(pack: _Pack) -> list:
    if not pack.wb.capital:
        return [para("The workbook lists no capital schemes.")]
    table = finance.capital_table(pack.wb)
    years = finance.capital_years(pack.wb)
    num_w = max(16 * mm, min(24 * mm, (CONTENT_W - 70 * mm) / (len(years) + 1)))
    rows = [_head("Scheme", *[f"{y} £000" for y in years], "Total £000")]
    for i, (_, row) in enumerate(table.iterrows()):
        last = i == len(table) - 1
        rows.append([_cell(row["scheme"], "cell_bold" if last else "cell")]
                    + [_money(row[y], bold=last) for y in years] + [_money(row["total"], bold=True)])
    story = [grid(rows, [CONTENT_W - num_w * (len(years) + 1)] + [num_w] * (len(years) + 1),
                  bold_rows=(len(rows) - 1,))]
    for scheme in pack.wb.capital:
        details = " · ".join(x for x in (scheme.description, f"Funding: {scheme.funding}" if scheme.funding else "")
                             if x)
        if details:
            story.append(markup(f"<b>{esc(scheme.scheme)}</b>: {esc(details, 2000)}", "note"))
    return story


def _finance(pack: _Pack) -> list:
    story = [HeadingParagraph(Heading(TITLES["finance"], 0, "finance")),
             *subheading("Revenue budget (£000)", "finance-budget")]
    if pack.wb.budget:
        story += _budget_table(pack)
        story.append(para("Variance = forecast outturn − net budget: overspend positive, underspend in brackets. "
                          "RAG as explained in the status key.", "note"))
        story += pack.chart("variance") or [para("No forecast outturn has been entered yet.", "note")]
    else:
        story.append(para("The workbook has no service budget lines."))
    story += [*subheading("Cash-limit reconciliation (£000)", "finance-reconciliation"), *_reconciliation(pack),
              *subheading("Earmarked reserves (£000)", "finance-reserves"), *_reserves(pack),
              *subheading("Savings programme (£m)", "finance-savings"), *_savings(pack),
              *subheading("Capital programme (£000)", "finance-capital"), *_capital(pack)]
    return story


def _key_table(entries: list[tuple[Status, str]]) -> list:
    rows = [[badge(s), _cell(text)] for s, text in entries]
    fills = {(0, i): _status_fill(s) for i, (s, _) in enumerate(entries)}
    return [grid(rows, [26 * mm, CONTENT_W - 26 * mm], head_rows=0, fills=fills)]


def _key(pack: _Pack) -> list:
    arrows = " ".join(f"{a} {d}" for d, a in TREND_ARROWS.items())
    story = [HeadingParagraph(Heading(TITLES["key"], 0, "key")),
             *subheading("Measure status"), *_key_table(status_key(pack.settings)),
             *subheading("Trend"),
             grid([[_cell(name, "cell_bold"), _cell(text)] for name, text in TREND_KEY],
                  [40 * mm, CONTENT_W - 40 * mm], head_rows=0),
             para(f"Arrows: {arrows}.", "note"),
             *subheading("Service budget RAG"), *_key_table(budget_key(pack.settings))]
    glossary = pack.wb.glossary
    story += subheading("Glossary", "glossary")
    if glossary:
        rows = [_head("Term", "Meaning", right_from=2)] + [[_cell(g.term, "cell_bold"), _cell(g.meaning)]
                                                           for g in glossary]
        story.append(grid(rows, [30 * mm, CONTENT_W - 30 * mm]))
    else:
        story.append(para("The workbook has no glossary."))
    return story


_BUILDERS = {"cover": _cover, "contents": _contents, "summary": _summary, "priorities": _priorities_section,
             "finance": _finance, "key": _key}


def _furniture(pack: _Pack, today: dt.date) -> Furniture:
    p = pack.wb.portfolio
    period = " ".join(y for y in (p.reporting_period, p.financial_year) if y)
    header = " · ".join(x for x in (p.portfolio, period) if x)
    marks = ((ILLUSTRATIVE,) if p.illustrative else ()) + ((SCENARIO,) if pack.options.scenario_targets else ())
    return Furniture(header or "Portfolio report", today.strftime("%-d %B %Y"), marks)


def build_pack(wb: PortfolioWorkbook, options: PackOptions = PackOptions(), progress: Progress | None = None) -> bytes:
    """The committee pack as PDF bytes. ``progress(fraction, message)`` is called as the work goes on."""
    report = progress or (lambda fraction, message: None)
    report(0.0, "Rating measures")
    pack = _prepare(wb, options)
    chosen = [s for s in SECTIONS if options.sections is None or s in options.sections]
    report(0.1, "Drawing charts")
    pack = _render_charts(pack, chosen)
    report(0.4, "Writing sections")
    story = []
    for section in chosen:
        part = _BUILDERS[section](pack)
        if story and part:
            story.append(PageBreak())
        story += part
    buffer = io.BytesIO()
    p = pack.wb.portfolio
    doc = PackDocument(buffer, _furniture(pack, dt.date.today()), title=f"{p.portfolio} {p.reporting_period}".strip())
    doc.setProgressCallBack(_layout_progress(report))
    doc.build(story or [para("No sections were chosen.")])
    report(1.0, "Done")
    return buffer.getvalue()


def _layout_progress(report: Progress) -> Callable[[str, int], None]:
    """Turns reportlab's progress through the story into 0.45 .. 0.95 of the whole, in 1% steps."""
    state = {"size": 1, "shown": 0.45}

    def on_progress(kind: str, value: int) -> None:
        if kind == "SIZE_EST":
            state["size"] = max(value, 1)
        elif kind == "PROGRESS":
            fraction = 0.45 + 0.5 * min(value / state["size"], 1.0)
            if fraction >= state["shown"] + 0.01:
                state["shown"] = fraction
                report(fraction, "Laying out pages")

    return on_progress
