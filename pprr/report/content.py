"""What the committee pack says, section by section, independent of how it is printed.

Each section is a function from the worked-out :class:`Pack` to a list of blocks (:class:`Heading`, :class:`Text`,
:class:`Items`, :class:`Table`, :class:`Figure`, :class:`Break`, :class:`ContentsList`). The PDF pack
(:mod:`pprr.report.pack`) and the HTML pack (:mod:`pprr.report.html_pack`) draw the same blocks, so both say the
same thing. To add a section: write its function and add it to :data:`SECTIONS` and :data:`BUILDERS`.

Ratings come from :mod:`pprr.rules.status`, money from :mod:`pprr.rules.finance`, chart numbers from
:mod:`pprr.report.chart_data`. All text here is plain text: the renderers escape it for their format.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Measure, PortfolioWorkbook, Priority, TargetKind
from ..rules import finance
from ..rules.agreement import flag_marks
from ..rules.status import (
    SAVINGS_RISK_KEY,
    STATUS_ORDER,
    STATUS_STYLES,
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
from ..rules.values import UnreadableValue, format_number, format_value, parse_target
from ..schema import DEFAULT_RECOMMENDATIONS
from . import chart_data
from .vector import BarChart

if TYPE_CHECKING:  # the movement module is loaded only when a previous report is given
    from ..year.movement import Movement

SECTIONS = ("cover", "contents", "summary", "exceptions", "priorities", "finance", "key")
TITLES = {
    "cover": "Cover",
    "contents": "Contents",
    "summary": "Summary",
    "exceptions": "Exceptions",
    "priorities": "Performance by priority",
    "finance": "Finance",
    "key": "Status key and glossary",
}
VARIANCE_CHART_LIMIT = 40  # services drawn in the variance chart; a longer chart would not print legibly
LARGEST_VARIANCES = 8  # services listed with their commentary in the summary
HIGHLIGHTS = 6
ILLUSTRATIVE = "ILLUSTRATIVE FIGURES"
SCENARIO = "SCENARIO"
LETTERS = "abcdefghijklmnopqrstuvwxyz"


# ---------------------------------------------------------------------------------------------------------------
# Blocks


@dataclass(frozen=True)
class Heading:
    """A heading; with ``key`` it is a bookmark (and, with ``toc``, a contents entry). Levels: 0 section,
    1 sub-section, 2 minor heading, 3 an item's heading (an exception, a measure's commentary)."""

    text: str
    level: int
    key: str | None = None
    toc: bool = True
    style: str = ""  # "cover": the cover's large heading


@dataclass(frozen=True)
class Text:
    text: str
    style: str = "body"  # body, lead, note, small, title, subtitle, mark
    label: str = ""  # a bold lead-in: "Outcome:"


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]
    lettered: bool = False  # (a), (b) ...


@dataclass(frozen=True)
class Cell:
    text: str = ""
    numeric: bool = False
    bold: bool = False
    status: Status | None = None  # drawn as a badge: symbol and word on the status's fill
    note: str = ""  # a second, smaller line (a measure's sentence under its name)
    titled: bool = False  # the first line is a title in bold (a measure's code above its name)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n") if self.text else []


@dataclass(frozen=True)
class Table:
    caption: str  # says what the table is; the HTML caption, the PDF's heading says it already
    head: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...]  # millimetres; one may be 0: it takes the rest of the width
    totals: frozenset[int] = frozenset()  # shaded total rows
    groups: frozenset[int] = frozenset()  # rows whose first cell names a group and spans the table
    row_header: bool = True  # the first cell of a row names it (<th scope="row">)


@dataclass(frozen=True)
class Figure:
    chart: BarChart
    key: str  # unique in the pack


@dataclass(frozen=True)
class Break:
    """A new page in print."""


@dataclass(frozen=True)
class ContentsList:
    """The contents: every heading with ``toc`` and a key, with page numbers in print."""


Block = Heading | Text | Items | Table | Figure | Break | ContentsList


# ---------------------------------------------------------------------------------------------------------------
# The pack's facts, worked out once


@dataclass(frozen=True)
class PackOptions:
    sections: tuple[str, ...] | None = None  # None = all, in SECTIONS order
    priorities: tuple[int, ...] | None = None  # None = all
    exceptions_only: bool = False  # the Red measures (set out once, under Exceptions) instead of every measure
    scenario_targets: dict[str, str] | None = None  # scenario_key(measure) -> what-if target text
    previous: PortfolioWorkbook | None = None  # the last report, for "change since the last report"
    generated: dt.datetime | None = None  # when the pack was made (small print); None = now


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
class Pack:
    """Everything the sections draw from."""

    wb: PortfolioWorkbook  # scenario targets applied
    settings: Settings
    priorities: tuple[Priority, ...]  # the chosen ones, in workbook order
    rated: tuple[tuple[Measure, Rating], ...]  # measures of the chosen priorities, workbook order
    options: PackOptions
    sections: tuple[str, ...]
    movement: Movement | None = None  # since the last report, when one is given

    @property
    def previous_status(self) -> dict[tuple[str, str], Status]:
        """Each measure's status at the last report (measures it had)."""
        if self.movement is None:
            return {}
        return {(m.code, m.cohort): m.previous_status for m in self.movement.measures if m.previous_status}

    @property
    def agreement(self) -> bool:
        """At the Agreement the pack is the plan: no forecast, variance, status or exceptions."""
        return self.wb.portfolio.reporting_period.casefold() == "agreement"

    def of(self, number: int) -> list[tuple[Measure, Rating]]:
        return [(m, r) for m, r in self.rated if m.priority == number]

    @property
    def exceptions(self) -> list[tuple[Measure, Rating]]:
        return [] if self.agreement else [(m, r) for m, r in self.rated if r.status is Status.RED]

    @property
    def previous_period(self) -> str:
        return self.movement.previous_label if self.movement else ""


def _priorities(wb: PortfolioWorkbook, chosen: tuple[int, ...] | None) -> tuple[Priority, ...]:
    numbers = list(dict.fromkeys([p.number for p in wb.priorities] + [m.priority for m in wb.measures]))
    if chosen is not None:
        missing = [n for n in chosen if n not in numbers]
        if missing:
            raise ValueError(f"Priority {missing[0]} is not in the workbook (it has {', '.join(map(str, numbers))})")
        numbers = [n for n in numbers if n in chosen]
    return tuple(wb.priority(n) or Priority(row=0, number=n, title=f"Priority {n}") for n in numbers)


def prepare(wb: PortfolioWorkbook, options: PackOptions) -> Pack:
    unknown = [s for s in options.sections or () if s not in SECTIONS]
    if unknown:
        raise ValueError(f"Unknown pack section '{unknown[0]}' (choose from {', '.join(SECTIONS)})")
    if options.scenario_targets:
        wb = apply_scenario(wb, options.scenario_targets)
    settings = settings_for(wb)
    priorities = _priorities(wb, options.priorities)
    numbers = {p.number for p in priorities}
    rated = tuple((m, r) for m, r in zip(wb.measures, rate_measures(wb.measures, settings)) if m.priority in numbers)
    movement = None
    if options.previous is not None:
        from ..year.movement import compare

        movement = compare(options.previous, wb)
        if not movement.ok:
            raise ValueError(next(str(p) for p in movement.problems if p.is_error))
    chosen = tuple(s for s in SECTIONS if options.sections is None or s in options.sections)
    pack = Pack(wb, settings, priorities, rated, options, chosen, movement)
    if pack.agreement or (options.exceptions_only and "exceptions" in chosen):
        # the plan has no exceptions; an exceptions-only pack sets each Red measure out once, under Exceptions
        skip = {"exceptions"} if pack.agreement else {"priorities"}
        pack = dataclasses.replace(pack, sections=tuple(s for s in chosen if s not in skip))
    return pack


# ---------------------------------------------------------------------------------------------------------------
# Words


def money(x: float | None, decimals: int = 0) -> str:
    return finance.format_money(x, decimals)


def percent(x: float | None) -> str:
    """``3.9%``, a negative in brackets ``(3.9%)`` like every negative in the pack; ``""`` for None."""
    if x is None:
        return ""
    text = f"{abs(x):.1f}%"
    return f"({text})" if round(x, 1) < 0 else text


def _decimals(x: float) -> int:
    text = format_number(x)
    return len(text.split(".")[1]) if "." in text else 0


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def tolerance_of(measure: Measure, rating: Rating, settings: Settings) -> float | None:
    """The amber band the rating used (the measure's own Tolerance, else Tolerance % of the value compared with)."""
    if rating.compared_with is None:
        return None
    return measure.tolerance if measure.tolerance is not None else settings.tolerance_pct / 100 * abs(
        rating.compared_with)


def _sentence_case(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else ""


def sentence(measure: Measure, rating: Rating, settings: Settings) -> str:
    """The rating in words a councillor reads as a sentence:
    ``1.0% (2021/22) against a target of 3.0%: 2.0 points short, outside the 0.15-point tolerance.``"""
    latest = rating.latest
    if rating.status is Status.NO_DATA and latest is None:
        why = rating.reason.split(": ", 1)[1] if ": " in rating.reason else ""
        return f"No figure to rate yet{f' ({why})' if why else ''}."
    if (rating.status in (Status.NO_DATA, Status.CONTEXTUAL, Status.OUT_OF_DATE) or latest is None
            or rating.compared_with is None or rating.gap is None):
        return _sentence_case(rating.reason)
    pct = latest.percent or measure.target.percent
    d = max(_decimals(latest.number), _decimals(rating.compared_with), 1 if pct else 0)
    sign = "%" if pct else ""

    def show(x: float) -> str:
        return f"{x:,.{d}f}{sign}"

    kind = measure.target.kind
    if "pro rata" in rating.against or kind not in (TargetKind.NUMBER, TargetKind.COMPARATOR):
        against = rating.against or f"{show(rating.compared_with)}"
    elif kind is TargetKind.NUMBER:
        against = f"a target of {show(rating.compared_with)}"
    else:
        against = f"the comparator of {show(rating.compared_with)}"
    gap = abs(rating.gap)
    unit = (" point" if round(gap, d) == 1 else " points") if pct else ""
    period = rating.latest_label or rating.latest_year or ""
    head = f"{format_value(latest.raw) if not pct else show(latest.number)}{f' ({period})' if period else ''} " \
           f"against {against}"
    if rating.status is Status.GREEN:
        return f"{head}: on target." if round(gap, d) == 0 else f"{head}: {gap:,.{d}f}{unit} better."
    tolerance = tolerance_of(measure, rating, settings) or 0.0
    band = f"{format_number(round(tolerance, 6))}{'-point' if pct else ''} tolerance"
    where = "within" if rating.status is Status.AMBER else "outside"
    return f"{head}: {gap:,.{d}f}{unit} short, {where} the {band}."


def years_text(measure: Measure, rating: Rating) -> str:
    """Every Actual the workbook gives, one per line, ``2019/20: 1,551 (443)``; the rated one is the last."""
    lines = [f"{year}: {format_value(v.raw)}" for year, v in measure.actuals if not v.is_blank]
    return "\n".join(lines) or "—"


def _measure_title(measure: Measure) -> str:
    return f"{measure.label} · {measure.name}"


def _status_cell(status: Status) -> Cell:
    s = STATUS_STYLES[status]
    return Cell(f"{s.symbol} {s.label}", status=status)


def _trend_text(rating: Rating) -> str:
    return f"{rating.arrow} {rating.trend.value}" if rating.trend else ""


def _period(wb: PortfolioWorkbook) -> str:
    p = wb.portfolio
    return " ".join(x for x in (p.reporting_period, p.financial_year) if x)


def pack_date(pack: Pack) -> str:
    """The document's date: the meeting's, else the Portfolio sheet's Date."""
    p = pack.wb.portfolio
    return p.meeting_date or p.date


def generated(pack: Pack) -> str:
    when = pack.options.generated or dt.datetime.now()
    return f"{when.day} {when:%B %Y} at {when:%H:%M}"


# ---------------------------------------------------------------------------------------------------------------
# Sections


def cover(pack: Pack) -> list[Block]:
    p = pack.wb.portfolio
    kind = "Agreement" if pack.agreement else "Report"
    blocks: list[Block] = [
        Heading(p.council or "Council", 0, "cover", toc=False, style="cover"),
        Text(p.portfolio or "Portfolio", "title"),
        Text(f"Portfolio Performance and Resources {kind}: {_period(pack.wb)}".rstrip(": "), "subtitle"),
    ]
    facts = [("Committee", p.committee), ("Meeting date", p.meeting_date), ("Agenda item", p.agenda_item),
             ("Report of", p.report_of), ("Financial year", p.financial_year),
             ("Reporting period", p.reporting_period), ("Version", p.version),
             ("Date", "" if p.meeting_date else p.date), ("Approved by", p.approved_by)]
    rows = tuple((Cell(k, bold=True), Cell(v)) for k, v in facts if v)
    if rows:
        blocks.append(Table("About this report", (Cell("Item"), Cell("Detail")), rows, (45, 0)))
    if p.illustrative:
        blocks += [Text(ILLUSTRATIVE, "mark"), Text("The in-year figures in this pack are illustrative, not "
                                                    "published results.")]
    if pack.options.scenario_targets:
        blocks += [Text(SCENARIO, "mark"),
                   Text(f"What-if targets replace the official targets of {len(pack.options.scenario_targets)} "
                        "measure(s); statuses in this pack are rated against them.")]
    recommendations = p.recommendations or tuple(
        r.format(period=_period(pack.wb) or "portfolio", year=p.financial_year or "the year")
        for r in DEFAULT_RECOMMENDATIONS)
    blocks += [Heading("Recommendations", 2, toc=False),
               Text(f"The {p.committee or 'Committee'} is recommended to:"),
               Items(recommendations, lettered=True)]
    if p.officer_contact:
        blocks += [Heading("Officer contact", 2, toc=False), Text(p.officer_contact)]
    if pack.options.priorities is not None:
        shown = ", ".join(f"{pr.number}. {pr.title}" for pr in pack.priorities)
        blocks.append(Text(f"Priorities included: {shown}", "note"))
    if pack.options.exceptions_only and not pack.agreement:
        blocks.append(Text("Exceptions only: the measures rated Red are set out, each once, under Exceptions; "
                           "the other measures are counted in the summary.", "note"))
    blocks.append(Text(f"Generated by pprr on {generated(pack)}.", "small"))
    return blocks


def contents(pack: Pack) -> list[Block]:
    return [Heading(TITLES["contents"], 0, "contents", toc=False), ContentsList()]


def _status_key_short() -> Table:
    rows = tuple((_status_cell(s), Cell(STATUS_STYLES[s].meaning)) for s in STATUS_ORDER)
    return Table("Status key", (Cell("Status"), Cell("Meaning")), rows, (30, 0), row_header=False)


def _change(now: int, before: int | None) -> str:
    if before is None:
        return ""
    diff = now - before
    return "±0" if diff == 0 else f"{'+' if diff > 0 else '−'}{abs(diff)}"


def _counts_table(pack: Pack) -> Table:
    shown = [s for s in STATUS_ORDER if any(r.status is s for _, r in pack.rated)] or [Status.GREEN]
    previous = pack.previous_status
    head = (Cell("Priority"), *(Cell(STATUS_STYLES[s].label, numeric=True) for s in shown), Cell("Total", True))
    rows, totals = [], []

    def line(label: str, rated: list[tuple[Measure, Rating]], bold: bool = False) -> tuple[Cell, ...]:
        counts = count_statuses(r for _, r in rated)
        before = None
        if previous:
            before = count_statuses(previous[m.key] for m, _ in rated if m.key in previous)
            before = {k: v for k, v in before.items()}
        cells = []
        for s in shown:
            change = _change(counts[s], before[s] if before else None)
            cells.append(Cell(str(counts[s]) + (f"\n({change})" if change else ""), numeric=True, bold=bold))
        return (Cell(label, bold=bold), *cells, Cell(str(len(rated)), numeric=True, bold=bold))

    for pr in pack.priorities:
        rows.append(line(f"{pr.number}. {pr.title}", pack.of(pr.number)))
    rows.append(line("All priorities", list(pack.rated), bold=True))
    totals.append(len(rows) - 1)
    widths = (0, *(21 if len(shown) > 5 else 22,) * len(shown), 14)
    caption = "Measures by status and priority"
    if previous:
        caption += f"; in brackets, the change since the {pack.previous_period} report"
    return Table(caption, head, tuple(rows), widths, totals=frozenset(totals))


def _highlights(pack: Pack) -> list[str]:
    """Measures that improved to Green since the last report, then other improvements since then, then Green
    measures whose trend improved the most."""
    out: list[str] = []
    rated = {m.key: (m, r) for m, r in pack.rated}
    if pack.movement is not None:
        from ..year.movement import Change

        improved = [mm for mm in pack.movement.measures if mm.change is Change.IMPROVED and mm.label and
                    (mm.code, mm.cohort) in rated]
        improved.sort(key=lambda mm: mm.status is not Status.GREEN)
        for mm in improved[:HIGHLIGHTS]:
            m, r = rated[(mm.code, mm.cohort)]
            was = f"{mm.previous_status.value} at {pack.previous_period}" if mm.previous_status else ""
            now = "now Green" if r.status is Status.GREEN else f"now {r.status.value}"
            out.append(f"{m.label} {m.name}: {now}{f' (was {was})' if was and mm.previous_status is not r.status else ''}"
                       f". {sentence(m, r, pack.settings)}")
    if len(out) < HIGHLIGHTS:
        improving = [(m, r) for m, r in pack.rated if r.status is Status.GREEN and r.trend is not None
                     and r.trend.value == "Improving" and r.latest is not None and r.previous is not None
                     and not any(line.startswith(f"{m.label} ") for line in out)]

        def rise(item: tuple[Measure, Rating]) -> float:
            _, r = item
            base = abs(r.previous.number) or 1.0
            return abs(r.latest.number - r.previous.number) / base

        for m, r in sorted(improving, key=rise, reverse=True)[:HIGHLIGHTS - len(out)]:
            out.append(f"{m.label} {m.name}: improved from {format_value(r.previous.raw)} "
                       f"({r.previous_label or r.previous_year}) to {format_value(r.latest.raw)} "
                       f"({r.latest_label or r.latest_year}), on target.")
    return out


def _out_of_date_table(pack: Pack) -> Table | None:
    old = [(m, r) for m, r in pack.rated if r.status is Status.OUT_OF_DATE]
    if not old:
        return None
    rows = []
    for m, r in old:
        would = STATUS_STYLES[r.would_be].label if r.would_be else "—"
        rows.append((Cell(f"{m.label}\n{m.name}", titled=True), Cell(format_value(r.latest.raw) if r.latest else "—"),
                     Cell(r.latest_label or "—"), Cell(would)))
    return Table("Measures whose latest data is out of date (not rated, not exceptions)",
                 (Cell("Measure"), Cell("Latest value"), Cell("Period it covers"), Cell("Would be")), tuple(rows),
                 (0, 30, 38, 24))


def _since_table(pack: Pack) -> list[Block]:
    """What moved since the last report: the counts of each kind of change and the measures whose status moved."""
    mv = pack.movement
    if mv is None:
        return []
    from ..year.movement import Change
    chosen = {m.key for m, _ in pack.rated}
    moved = [mm for mm in mv.measures if (mm.code, mm.cohort) in chosen or mm.change is Change.REMOVED_MEASURE]
    counts = {c: sum(1 for mm in moved if mm.change is c) for c in Change}
    words = ", ".join(f"{c.value.lower()} {n}" for c, n in counts.items() if n)
    blocks: list[Block] = [Heading(f"Since the {mv.previous_label} report", 1, "summary-since"),
                           Text(f"Measures compared with the {mv.previous_label} report: {words or 'none'}.")]
    changed = [mm for mm in moved if mm.previous_status is not None and mm.status is not None
               and mm.previous_status is not mm.status]
    if changed:
        rows = tuple((Cell(f"{mm.label}\n{mm.name}", titled=True), _status_cell(mm.previous_status), _status_cell(mm.status),
                      Cell(mm.change.value)) for mm in changed)
        blocks.append(Table(f"Measures whose status changed since the {mv.previous_label} report",
                            (Cell("Measure"), Cell(mv.previous_label), Cell(mv.current_label), Cell("Change")), rows,
                            (0, 28, 28, 24)))
    return blocks


def _headline_rows(pack: Pack) -> list[tuple[Cell, ...]]:
    h = finance.headline(pack.wb)
    rows = [(Cell("Net budget"), Cell(money(h.net_budget), True))]
    if not pack.agreement:
        rows += [(Cell("Forecast outturn"), Cell(money(h.forecast), True)),
                 (Cell("Variance (overspend positive, underspend in brackets)"), Cell(money(h.variance), True))]
    rows += [(Cell("Reserves: approved use"), Cell(money(h.reserves), True)),
             (Cell("Savings identified"), Cell(money(h.savings_identified_m * 1000), True))]
    if not pack.agreement:
        rows.append((Cell("Savings achieved"), Cell(money(h.savings_achieved_m * 1000), True)))
    return rows


def _largest_variances(pack: Pack) -> Table | None:
    table = finance.variance_rows(pack.wb, pack.settings)
    if not table:
        return None
    rows = tuple((Cell(r["service"]), Cell(money(r["variance"]), True), _status_cell(Status(r["rag"])),
                  Cell(r["commentary"] or "No commentary given."))
                 for r in table[:LARGEST_VARIANCES])
    more = len(table) - LARGEST_VARIANCES
    caption = "The largest forecast variances, largest first (£000)"
    if more > 0:
        caption += f"; {more} more in the Finance section"
    return Table(caption, (Cell("Service"), Cell("Variance £000", True), Cell("RAG"), Cell("Commentary")), rows,
                 (40, 22, 22, 0))


def summary(pack: Pack) -> list[Block]:
    p = pack.wb.portfolio
    blocks: list[Block] = [Heading(TITLES["summary"], 0, "summary")]
    n, prios = len(pack.rated), len(pack.priorities)
    if pack.agreement:
        blocks.append(Text(f"This agreement sets out {_plural(n, 'measure')} under {_plural(prios, 'priority')}"
                           .replace("prioritys", "priorities")
                           + f" for {p.financial_year or 'the year'}, with their baselines and targets, and the "
                             "portfolio's budget, reserves, savings and capital programme.", "lead"))
        blocks += agreement.narrative(pack)
        rows = []
        for pr in pack.priorities:
            rated = pack.of(pr.number)
            with_target = sum(1 for m, _ in rated if m.target.kind is not TargetKind.NONE)
            rows.append((Cell(f"{pr.number}. {pr.title}"), Cell(str(len(rated)), True), Cell(str(with_target), True)))
        rows.append((Cell("All priorities", bold=True), Cell(str(n), True, True),
                     Cell(str(sum(1 for m, _ in pack.rated if m.target.kind is not TargetKind.NONE)), True, True)))
        blocks += [Heading("Measures", 1, "summary-measures"),
                   Table("Measures by priority", (Cell("Priority"), Cell("Measures", True), Cell("With a target", True)),
                         tuple(rows), (0, 25, 30), totals=frozenset({len(rows) - 1}))]
        blocks += [Heading("Finance (£000)", 1, "summary-finance"),
                   Table("The budget in brief (£000)", (Cell("Item"), Cell("£000", True)),
                         tuple(_headline_rows(pack)), (0, 30))]
        return blocks
    reds = pack.exceptions
    old = sum(1 for _, r in pack.rated if r.status is Status.OUT_OF_DATE)
    since = f" since the {pack.previous_period} report" if pack.movement else ""
    lead = (f"This {_period(pack.wb)} report covers {_plural(n, 'measure')} under "
            f"{_plural(prios, 'priority')}".replace("prioritys", "priorities")
            + (f", and what changed{since}" if since else "")
            + f". {_plural(len(reds), 'measure')} {'is' if len(reds) == 1 else 'are'} rated Red and set out under "
              "Exceptions, each with its corrective action, owner and due date."
            + (f" {_plural(old, 'measure')} {'rests' if old == 1 else 'rest'} on out-of-date data and "
               f"{'is' if old == 1 else 'are'} listed apart, not rated." if old else ""))
    blocks.append(Text(lead, "lead"))
    blocks += agreement.narrative(pack)
    blocks += [Heading("Status of measures", 1, "summary-status"), _status_key_short(), _counts_table(pack)]
    if pack.movement:
        blocks.append(Text(f"In brackets: the change in each count{since}.", "note"))
    chart = chart_data.status_bars(
        dataclasses.replace(pack.wb, priorities=pack.priorities, measures=tuple(m for m, _ in pack.rated)),
        tuple(r for _, r in pack.rated))
    if chart is not None:
        blocks.append(Figure(chart, "chart-status"))
    blocks += _since_table(pack)
    highlights = _highlights(pack)
    blocks.append(Heading("Highlights", 1, "summary-highlights"))
    blocks.append(Items(tuple(highlights)) if highlights else Text("No measure improved to Green in this report."))
    out_of_date = _out_of_date_table(pack)
    if out_of_date is not None:
        blocks += [Heading("Out-of-date data", 1, "summary-out-of-date"),
                   Text("The latest figure of these measures is too old to rate as current (see the status key); "
                        "they are not exceptions.", "note"), out_of_date]
    blocks += agreement.projects_needing_attention(pack)
    blocks.append(Heading("Finance headline (£000)", 1, "summary-finance"))
    if pack.movement is not None:
        blocks.append(Text(pack.movement.total_sentence()))
    blocks.append(Table("Finance headline (£000)", (Cell("Item"), Cell("£000", True)), tuple(_headline_rows(pack)),
                        (0, 30)))
    largest = _largest_variances(pack)
    if largest is not None:
        blocks += [Heading("Largest variances, with their commentary", 2), largest]
    return blocks


def _exception_blocks(pack: Pack, measure: Measure, rating: Rating) -> list[Block]:
    blocks: list[Block] = [Heading(f"{_measure_title(measure)} · {STATUS_STYLES[rating.status].label}", 3),
                           Text(sentence(measure, rating, pack.settings))]
    rows = [(Cell("Corrective action", bold=True), Cell(measure.action.strip() or "None recorded in the workbook.")),
            (Cell("Owner", bold=True), Cell(measure.action_owner.strip() or "—")),
            (Cell("Due", bold=True), Cell(measure.action_due.strip() or "—"))]
    blocks.append(Table(f"Corrective action for {measure.label}", (Cell("Item"), Cell("Detail")), tuple(rows),
                        (38, 0)))
    if measure.commentary.strip():
        blocks.append(Text(measure.commentary.strip()))
    return blocks


def exceptions(pack: Pack) -> list[Block]:
    reds = pack.exceptions
    blocks: list[Block] = [Heading(f"{TITLES['exceptions']} ({len(reds)})", 0, "exceptions")]
    if not reds:
        return blocks + [Text("No measure is rated Red.")]
    blocks.append(Text("Each measure rated Red, with the corrective action, its owner and due date, and the "
                       "officer's commentary.", "lead"))
    for pr in pack.priorities:
        mine = [(m, r) for m, r in reds if m.priority == pr.number]
        if not mine:
            continue
        blocks.append(Heading(f"Exceptions in priority {pr.number}: {pr.title}", 1, f"exceptions-{pr.number}"))
        for measure, rating in mine:
            blocks += _exception_blocks(pack, measure, rating)
    return blocks


def _measures_table(pack: Pack, rated: list[tuple[Measure, Rating]], caption: str) -> Table:
    rows = []
    plan = pack.agreement
    for measure, rating in rated:
        name = f"{measure.label}{flag_marks(measure)}\n{measure.name}"
        note = "" if plan else sentence(measure, rating, pack.settings)
        comparator = agreement.comparator_text(pack, measure)
        row = [Cell(name, note=note, titled=True), Cell(years_text(measure, rating)), Cell(format_value(measure.target.raw) or "—"),
               Cell(comparator)]
        if not plan:
            row += [_status_cell(rating.status), Cell(_trend_text(rating))]
        rows.append(tuple(row))
    head = [Cell("Measure"), Cell("Actuals by year"), Cell("Target"), Cell("Comparator")]
    widths = [0, 36, 24, 24]
    if not plan:
        head += [Cell("Status"), Cell("Trend")]
        widths = [0, 30, 21, 24, 22, 22]
    return Table(caption, tuple(head), tuple(rows), tuple(widths))


def _priority(pack: Pack, pr: Priority) -> list[Block]:
    rated = pack.of(pr.number)
    blocks: list[Block] = [Heading(f"Priority {pr.number}: {pr.title}", 1, f"priority-{pr.number}")]
    if pr.outcome:
        blocks.append(Text(pr.outcome, label="Outcome:"))
    if pack.agreement:
        blocks.append(Text(f"{_plural(len(rated), 'measure')}.", "note"))
    else:
        counts = " · ".join(f"{STATUS_STYLES[s].label} {c}" for s, c in count_statuses(r for _, r in rated).items()
                            if c)
        blocks.append(Text(f"{_plural(len(rated), 'measure')}: {counts or 'none'}.", "note"))
    if pr.commentary.strip():
        blocks += [Heading("Commentary", 2), Text(pr.commentary.strip())]
    blocks += agreement.key_projects(pack, pr)
    blocks.append(Heading("Measures", 2))
    if not rated:
        return blocks + [Text("No measures.")]
    blocks += agreement.priority_measures(pack, rated, pr)
    with_text = [(m, r) for m, r in rated if m.commentary.strip()]
    if with_text:
        blocks.append(Heading("Measure commentary", 2))
    for measure, rating in with_text:
        if not pack.agreement and rating.status is Status.RED and "exceptions" in pack.sections:
            blocks.append(Text(f"{_measure_title(measure)}: rated Red; its commentary and corrective action are "
                               "under Exceptions.", "note"))
            continue
        status = "" if pack.agreement else f" · {STATUS_STYLES[rating.status].label}"
        blocks += [Heading(f"{_measure_title(measure)}{status}", 3), Text(measure.commentary.strip())]
    return blocks


def priorities(pack: Pack) -> list[Block]:
    blocks: list[Block] = [Heading(TITLES["priorities"], 0, "priorities")]
    for i, pr in enumerate(pack.priorities):
        if i:
            blocks.append(Break())
        blocks += _priority(pack, pr)
    return blocks


def _budget_plan(pack: Pack) -> Table:
    rows, totals, groups = [], [], []
    for total in finance.summary_rows(pack.wb):
        label = total["label"]
        if total["level"] == "division":
            rows.append((Cell(label, bold=True), Cell(), Cell(), Cell()))
            groups.append(len(rows) - 1)
            for line in (b for b in pack.wb.budget if b.division == label):
                rows.append((Cell(line.service), Cell(money(line.gross_expenditure), True),
                             Cell(money(line.gross_income), True), Cell(money(line.net_budget), True)))
            label = f"{label} sub-total"
        rows.append((Cell(label, bold=True), Cell(money(total["gross_expenditure"]), True, True),
                     Cell(money(total["gross_income"]), True, True), Cell(money(total["net_budget"]), True, True)))
        totals.append(len(rows) - 1)
    return Table("Revenue budget by service (£000)", (Cell("Service"), Cell("Gross expenditure", True),
                                                     Cell("Gross income", True), Cell("Net budget", True)),
                 tuple(rows), (0, 30, 30, 30), frozenset(totals), frozenset(groups))


def _budget_table(pack: Pack) -> Table:
    rows, totals, groups = [], [], []
    movement = _service_movement(pack)
    by_row = dict(zip((b.row for b in pack.wb.budget), finance.budget_rows(pack.wb, pack.settings)))

    def pct(variance, net) -> str:
        return percent(variance / abs(net) * 100) if variance is not None and net else ""

    for total in finance.summary_rows(pack.wb):
        label = total["label"]
        if total["level"] == "division":
            rows.append((Cell(label, bold=True),) + (Cell(),) * (6 + bool(movement)))
            groups.append(len(rows) - 1)
            for line in (b for b in pack.wb.budget if b.division == label):
                row = by_row[line.row]
                cells = [Cell(line.service), Cell(money(line.net_budget), True), Cell(money(line.forecast), True),
                         Cell(money(row["variance"]), True), Cell(pct(row["variance"], line.net_budget), True)]
                if movement:
                    cells.append(Cell(movement.get(line.service, ""), True))
                cells += [_status_cell(Status(row["rag"])), Cell(line.commentary.strip())]
                rows.append(tuple(cells))
            label = f"{label} sub-total"
        status = Status.NO_DATA
        if total["variance"] is not None:
            status = budget_rag(total["net_budget"], total["net_budget"] + total["variance"], pack.settings)
        cells = [Cell(label, bold=True), Cell(money(total["net_budget"]), True, True),
                 Cell(money(total["forecast"]), True, True), Cell(money(total["variance"]), True, True),
                 Cell(pct(total["variance"], total["net_budget"]), True, True)]
        if movement:
            cells.append(Cell(movement.get(f"total:{total['label']}", ""), True, True))
        cells += [_status_cell(status), Cell()]
        rows.append(tuple(cells))
        totals.append(len(rows) - 1)
    head = [Cell("Service"), Cell("Net budget", True), Cell("Forecast", True), Cell("Variance", True),
            Cell("Var. %", True)]
    widths = [34, 18, 18, 18, 16]
    if movement:
        head.append(Cell(f"Change since {pack.previous_period}", True))
        widths.append(20)
    head += [Cell("RAG"), Cell("Commentary")]
    widths += [21, 0]
    return Table("Revenue budget: forecast and variance by service (£000)", tuple(head), tuple(rows),
                 tuple(widths), frozenset(totals), frozenset(groups))


def _service_movement(pack: Pack) -> dict[str, str]:
    """Service (and ``total:<label>``) -> the forecast's change since the last report, £000; empty without one."""
    if pack.movement is None:
        return {}
    out: dict[str, str] = {}
    by_division: dict[str, float] = {}
    for sm in pack.movement.services:
        if sm.forecast is None and sm.net_budget is None:
            continue  # a service of the last report only
        if sm.previous_forecast is None and sm.movement is None:
            out[sm.service] = "—"
        else:
            out[sm.service] = money(sm.movement)
        if sm.movement is not None:
            by_division[sm.division] = by_division.get(sm.division, 0.0) + sm.movement
    for division, amount in by_division.items():
        out[f"total:{division}"] = money(amount)
    if by_division:
        out[f"total:{finance.summary_rows(pack.wb)[-1]['label']}"] = money(sum(by_division.values()))
    return out


def _reconciliation(pack: Pack) -> list[Block]:
    if not pack.wb.budget_changes:
        return [Text("The workbook has no cash-limit reconciliation (Budget Changes sheet).")]
    recon = finance.reconciliation(pack.wb)
    n = len(recon.divisions) + 1
    rows, totals = [], []
    for line in recon.lines:
        strong = line.kind != "item"
        rows.append((Cell(line.label, bold=strong), *(Cell(money(a), True, strong) for a in (*line.amounts,
                                                                                              line.total))))
        if strong:
            totals.append(len(rows) - 1)
    width = max(16, min(24, 120 / n))
    blocks: list[Block] = [Table("Cash-limit reconciliation (£000)",
                                 (Cell("Item"), *(Cell(d, True) for d in recon.divisions), Cell("Total", True)),
                                 tuple(rows), (0, *(width,) * n), frozenset(totals))]
    for check in recon.checks:
        if check.service_total is None:
            text = f"{check.division}: no service in the Budget sheet has this division."
        else:
            verdict = "agrees (within ±1 rounding)" if check.agrees else "does NOT agree"
            text = (f"{check.division}: reconciliation {money(check.closing)} against service table "
                    f"{money(check.service_total)}, difference {money(check.difference)}: {verdict}.")
        blocks.append(Text(text, "note"))
    chart = chart_data.reconciliation_bars(pack.wb)
    return blocks + ([Figure(chart, "chart-reconciliation")] if chart else [])


def _reserves(pack: Pack) -> list[Block]:
    if not pack.wb.reserves:
        return [Text("The workbook lists no earmarked reserves.")]
    rows, totals, groups = [], [], []
    for total in finance.reserves_by_rows(pack.wb, "division"):
        rows.append((Cell(total["division"], bold=True), Cell(), Cell(), Cell()))
        groups.append(len(rows) - 1)
        for r in (r for r in pack.wb.reserves if r.division == total["division"]):
            rows.append((Cell(r.category), Cell(r.narration), Cell(r.to_be_used_for),
                         Cell(("*" if r.not_drawn_down else "") + money(r.approved_use), True)))
        rows.append((Cell(f"Total – {total['division']}", bold=True), Cell(), Cell(),
                     Cell(money(total["approved_use"]), True, True)))
        totals.append(len(rows) - 1)
    rows.append((Cell("Total reserves", bold=True), Cell(), Cell(), Cell(money(finance.reserves_total(pack.wb)),
                                                                        True, True)))
    totals.append(len(rows) - 1)
    blocks: list[Block] = [Table("Earmarked reserves (£000)", (Cell("Reserve category"), Cell("Reserve narration"),
                                                              Cell("To be used for"), Cell("Approved use", True)),
                                 tuple(rows), (38, 42, 0, 24), frozenset(totals), frozenset(groups))]
    if any(r.not_drawn_down for r in pack.wb.reserves):
        blocks.append(Text("* Reserves from the previous year not drawn down.", "note"))
    chart = chart_data.reserves_bars(pack.wb)
    return blocks + ([Figure(chart, "chart-reserves")] if chart else [])


def _savings(pack: Pack) -> list[Block]:
    if not pack.wb.savings:
        return [Text("The workbook lists no savings proposals.")]
    plan = pack.agreement
    rows, totals, groups = [], [], []
    known = {s.value for s in (Status.GREEN, Status.AMBER, Status.RED)}

    def k(x: float | None) -> str:
        return money(None if x is None else x * 1000)

    blank = (Cell(),) * (3 if plan else 4)
    for total in finance.savings_division_rows(pack.wb):
        rows.append((Cell(total["division"], bold=True), *blank))
        groups.append(len(rows) - 1)
        for s in (s for s in pack.wb.savings if s.division == total["division"]):
            risk = _status_cell(Status(s.risk)) if s.risk in known else Cell(s.risk)
            cells = [Cell(s.proposal), risk, Cell(k(s.identified_m), True)]
            if not plan:
                cells.append(Cell(k(s.achieved_m), True))
            rows.append((*cells, Cell(s.information)))
        cells = [Cell(f"Subtotal – {total['division']}", bold=True), Cell(), Cell(k(total["identified_m"]), True, True)]
        if not plan:
            cells.append(Cell(k(total["achieved_m"]), True, True))
        rows.append((*cells, Cell()))
        totals.append(len(rows) - 1)
    cells = [Cell("Total", bold=True), Cell(), Cell(k(finance.savings_identified(pack.wb)), True, True)]
    if not plan:
        cells.append(Cell(k(finance.savings_achieved(pack.wb)), True, True))
    rows.append((*cells, Cell()))
    totals.append(len(rows) - 1)
    head = [Cell("Proposal"), Cell("Risk"), Cell("Identified", True)] + ([] if plan else [Cell("Achieved", True)])
    widths = [52, 24, 22] + ([] if plan else [22])
    blocks: list[Block] = [  # the key first: no coloured rating before its meaning is given
        Table("Savings risk ratings (the agreement's own definitions)", (Cell("Rating"), Cell("Meaning")),
              tuple((_status_cell(Status(risk)), Cell(text)) for risk, text in SAVINGS_RISK_KEY.items()), (26, 0),
              row_header=False),
        Table("Savings programme (£000)", (*head, Cell("Additional information")), tuple(rows), (*widths, 0),
              frozenset(totals), frozenset(groups)),
    ]
    chart = chart_data.savings_bars(pack.wb, achieved=not plan)
    return blocks + ([Figure(chart, "chart-savings")] if chart else [])


def _capital(pack: Pack) -> list[Block]:
    if not pack.wb.capital:
        return [Text("The workbook lists no capital schemes.")]
    table = finance.capital_rows(pack.wb)  # scheme, funding, each year, total
    years = finance.capital_years(pack.wb)
    width = max(16, min(24, 110 / (len(years) + 1)))
    rows = []
    for i, row in enumerate(table):
        last = i == len(table) - 1
        rows.append((Cell(row[0], bold=last), *(Cell(money(amount), True, last) for amount in row[2:-1]),
                     Cell(money(row[-1]), True, True)))
    blocks: list[Block] = [Table("Capital programme (£000)", (Cell("Scheme"), *(Cell(y, True) for y in years),
                                                              Cell("Total", True)),
                                 tuple(rows), (0, *(width,) * (len(years) + 1)), frozenset({len(rows) - 1}))]
    for scheme in pack.wb.capital:
        details = " · ".join(x for x in (scheme.description, f"Funding: {scheme.funding}" if scheme.funding else "")
                             if x)
        if details:
            blocks.append(Text(details, "note", label=f"{scheme.scheme}:"))
    return blocks


def finance_section(pack: Pack) -> list[Block]:
    blocks: list[Block] = [Heading(TITLES["finance"], 0, "finance"),
                           Heading("Revenue budget (£000)", 1, "finance-budget")]
    if not pack.wb.budget:
        blocks.append(Text("The workbook has no service budget lines."))
    elif pack.agreement:
        blocks.append(_budget_plan(pack))
    else:
        blocks.append(Text("Variance = forecast outturn − net budget: overspend positive, underspend in brackets; "
                           "percentages of the net budget. RAG as in the status key. Each service's commentary is "
                           "beside its figures.", "note"))
        blocks.append(_budget_table(pack))
        chart = chart_data.variance_bars(pack.wb, VARIANCE_CHART_LIMIT)
        blocks += [Figure(chart, "chart-variance")] if chart else [Text("No forecast outturn has been entered yet.",
                                                                         "note")]
    blocks += [Heading("Cash-limit reconciliation (£000)", 1, "finance-reconciliation"), *_reconciliation(pack),
               Heading("Earmarked reserves (£000)", 1, "finance-reserves"), *_reserves(pack),
               Heading("Savings programme (£000)", 1, "finance-savings"), *_savings(pack),
               Heading("Capital programme (£000)", 1, "finance-capital"), *_capital(pack)]
    return blocks + agreement.finance_extras(pack)


def _key_table(caption: str, entries: list[tuple[Status, str]]) -> Table:
    return Table(caption, (Cell("Status"), Cell("Meaning")),
                 tuple((_status_cell(s), Cell(text)) for s, text in entries), (28, 0), row_header=False)


def key(pack: Pack) -> list[Block]:
    blocks: list[Block] = [Heading("Glossary" if pack.agreement else TITLES["key"], 0, "key")]
    if not pack.agreement:
        blocks += [Heading("Measure status", 1, "key-status"), _key_table("Measure status", status_key(pack.settings)),
                   Heading("Trend", 1, "key-trend"),
                   Table("Trend", (Cell("Trend"), Cell("Meaning")),
                         tuple((Cell(name, bold=True), Cell(text)) for name, text in TREND_KEY), (44, 0)),
                   Heading("Service budget RAG", 1, "key-budget"),
                   _key_table("Service budget RAG", budget_key(pack.settings)), *agreement.keys(pack)]
        blocks.append(Heading("Glossary", 1, "glossary"))
    glossary = pack.wb.glossary
    if glossary:
        blocks.append(Table("Glossary", (Cell("Term"), Cell("Meaning")),
                            tuple((Cell(g.term, bold=True), Cell(g.meaning)) for g in glossary), (32, 0)))
    else:
        blocks.append(Text("The workbook has no glossary."))
    return blocks


BUILDERS: dict[str, Callable[[Pack], list[Block]]] = {
    "cover": cover, "contents": contents, "summary": summary, "exceptions": exceptions,
    "priorities": priorities, "finance": finance_section, "key": key,
}


def document(pack: Pack) -> list[Block]:
    """Every chosen section's blocks, each section on a new page."""
    blocks: list[Block] = []
    for name in pack.sections:
        part = BUILDERS[name](pack)
        if blocks and part:
            blocks.append(Break())
        blocks += part
    return blocks


# The rest of the agreement (narrative, projects, themes, benchmarks, financial risks) is written with the blocks
# above, so it is imported once they exist.
from . import agreement_content as agreement
