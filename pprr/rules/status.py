"""Status (RAG) and trend rules, written down once.

The app, the PDF pack and the command line all rate measures and budget lines here, and take the words, colours
and symbols for each status from :data:`STATUS_STYLES`, so a rule or a colour is changed in one place only.

Rules (documented for officers in the README and printed as the pack's status key by :func:`status_key`):

* The *latest actual* is the value in the right-most Actual column that has a number. Every value covers a period
  (:mod:`pprr.rules.periods`): its column's year on the measure's Year Basis, refined by the note in the cell
  (``Q1-Q2``, ``Spring Term 18``, ``Dec'20``); a Cumulative measure's value for the report's own year with no note
  covers the year to date. The *previous actual* is the latest earlier one for the same kind of period.
* Numeric target ``t``, actual ``a``: polarity High -> gap = a - t; Low -> gap = t - a.
  Green when gap >= 0; Amber when gap < 0 and |gap| <= tolerance (the measure's own Tolerance, else
  Tolerance % of |t|, so a zero target with no Tolerance has no amber band); Red otherwise. Gaps are in the
  measure's own units (percentage points for percentages), never a ratio, so negative and zero targets work.
* A Cumulative measure's part-year value is compared with the full-year target pro rata for the share of the year
  it covers (Q1-Q2 against half the target; its own Tolerance scaled the same way).
* Direction-of-travel targets (maximise / minimise / maintain) are rated the same way against the previous actual
  (maximise = High, minimise = Low, maintain = the measure's own polarity); for a Cumulative measure with no
  earlier value for the same kind of period, against the earlier value pro rata; otherwise no previous actual ->
  No data.
* A target of ``Comparator`` is rated against the Comparator column.
* Good performance Contextual, or no target -> Contextual.
* No latest actual -> No data, with the reason the workbook gives.
* Out of date: a latest actual whose period is more than Out Of Date After years (Portfolio sheet, default 1) plus
  the measure's Data Lag older than the report's financial year -> Out of date, whatever it would otherwise be;
  the rating keeps that status as ``would_be`` and the reason says it ("1% (2018/19) would be Red against a
  target of 10%; no data since"). Out-of-date measures are never Red, so never exceptions.
* Trend compares the latest actual with the previous one (same kind of period): Stable within 0.5% of the earlier
  value's magnitude (or both zero); otherwise Improving / Declining by polarity, or Up / Down for contextual
  measures; Not comparable when earlier values exist but none for the same kind of period. ``trend_reason`` names
  both periods ("51% (2021/22) against 49% (2018/19)").
* Budget: variance = forecast outturn - net budget (positive = overspend). Green when variance <= 0; Red when
  the overspend is at least the lower of 5% of |net budget| and £100k; Amber otherwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from ..model import Measure, PortfolioWorkbook, TargetKind, Value
from .periods import CUMULATIVE, Period, value_period
from .values import format_number


class Status(str, Enum):
    GREEN = "Green"
    AMBER = "Amber"
    RED = "Red"
    OUT_OF_DATE = "Out of date"
    NO_DATA = "No data"
    CONTEXTUAL = "Contextual"


class Trend(str, Enum):
    IMPROVING = "Improving"
    DECLINING = "Declining"
    STABLE = "Stable"
    UP = "Up"
    DOWN = "Down"
    NOT_COMPARABLE = "Not comparable"


@dataclass(frozen=True)
class StatusStyle:
    label: str  # the word shown beside the colour
    symbol: str  # shown with the word, so status never depends on colour alone
    colour: str  # strong colour (chart marks, PDF cell fill with white text)
    fill: str  # light background (grid cells)
    text: str  # text colour on ``fill``
    meaning: str  # one line for keys and legends


STATUS_STYLES: dict[Status, StatusStyle] = {
    Status.GREEN: StatusStyle("Green", "✓", "#1E7B34", "#CDEBD3", "#0B3D17", "On or better than target"),
    Status.AMBER: StatusStyle("Amber", "!", "#A15F00", "#FFE3B0", "#5C3700", "Slightly off target, within tolerance"),
    Status.RED: StatusStyle("Red", "✗", "#B3261E", "#F7C9C5", "#5C0F0A", "Off target by more than the tolerance"),
    Status.OUT_OF_DATE: StatusStyle("Out of date", "◷", "#6B3FA0", "#E6DCF2", "#3A1F5E",
                                    "Latest data too old to rate as current"),
    Status.NO_DATA: StatusStyle("No data", "?", "#6B6B6B", "#E4E4E4", "#2B2B2B", "No actual to rate yet"),
    Status.CONTEXTUAL: StatusStyle("Contextual", "◆", "#2F5D9B", "#D6E2F3", "#13294A", "Monitored for context, not rated"),
}
STATUS_ORDER: tuple[Status, ...] = tuple(STATUS_STYLES)

TREND_ARROWS = {"up": "↑", "down": "↓", "flat": "→"}
TREND_COLOURS: dict[Trend, str] = {
    Trend.IMPROVING: STATUS_STYLES[Status.GREEN].colour,
    Trend.DECLINING: STATUS_STYLES[Status.RED].colour,
    Trend.STABLE: STATUS_STYLES[Status.AMBER].colour,
    Trend.UP: STATUS_STYLES[Status.NO_DATA].colour,
    Trend.DOWN: STATUS_STYLES[Status.NO_DATA].colour,
    Trend.NOT_COMPARABLE: STATUS_STYLES[Status.NO_DATA].colour,
}

# The agreement's own definitions of the savings risk ratings (Stockport PPRA 2021/22, section 3.5).
SAVINGS_RISK_KEY: dict[str, str] = {
    "Green": "good confidence (90% plus) the saving is/will be delivered or minor variances (<£0.050m) that will be "
    "contained within the portfolio.",
    "Amber": "progressing at a reasonable pace, action plan being pursued may have some slippage across years "
    "and/or the final position may also be a little unclear.",
    "Red": "Significant issues arising or further detailed consultation required which may be complex/ "
    "contentious.",
}


@dataclass(frozen=True)
class Settings:
    """The thresholds behind every rating. Tolerance % comes from the workbook's Portfolio sheet."""

    tolerance_pct: float = 5.0  # amber band, % of |target|
    stable_pct: float = 0.5  # trend is Stable within this % of the earlier value's magnitude
    budget_red_pct: float = 5.0  # Red overspend: at least this % of |net budget| ...
    budget_red_abs: float = 100.0  # ... or this many £000, whichever is lower
    financial_year: str = ""  # the report's year ("2021/22"): how old a value is, what "year to date" means
    reporting_period: str = ""  # Agreement, Q1, Mid-Year, Q3 Update, Annual
    out_of_date_after: float = 1.0  # years: a latest value older than this (plus the measure's lag) is out of date


def settings_for(wb: PortfolioWorkbook) -> Settings:
    """The settings a workbook's own Portfolio sheet gives: Tolerance %, year, reporting period, Out Of Date After."""
    p = wb.portfolio
    return Settings(tolerance_pct=p.tolerance_pct, financial_year=p.financial_year,
                    reporting_period=p.reporting_period, out_of_date_after=p.out_of_date_after)


@dataclass(frozen=True)
class Rating:
    status: Status
    reason: str
    trend: Trend | None = None
    direction: str | None = None  # "up", "down", "flat": where the value moved, whatever polarity says
    latest: Value | None = None
    latest_year: str | None = None  # the Actual column of the latest value
    previous: Value | None = None  # the earlier value the trend compared with (same kind of period)
    previous_year: str | None = None
    compared_with: float | None = None  # the target, comparator or previous actual used (pro rata where it was)
    gap: float | None = None  # positive = better than compared_with
    would_be: Status | None = None  # Out of date: the status the latest value would have if it were current
    latest_period: Period | None = None  # what the latest value covers
    previous_period: Period | None = None
    trend_reason: str = ""  # "51% (2021/22) against 49% (2018/19)", or why there is no trend
    against: str = field(default="", repr=False)  # what the value was rated against: "a target of 3%"

    @property
    def style(self) -> StatusStyle:
        return STATUS_STYLES[self.status]

    @property
    def out_of_date(self) -> bool:
        return self.status is Status.OUT_OF_DATE

    @property
    def latest_label(self) -> str:
        """The period the latest value covers, e.g. ``2021/22 Q1-Q2``; ``""`` with no latest value."""
        if self.latest is None:
            return ""
        if self.latest_period is not None:
            return self.latest_period.label
        return " ".join(x for x in (self.latest_year or "", self.latest.period or "") if x)

    @property
    def previous_label(self) -> str:
        if self.previous is None:
            return ""
        if self.previous_period is not None:
            return self.previous_period.label
        return " ".join(x for x in (self.previous_year or "", self.previous.period or "") if x)

    @property
    def arrow(self) -> str:
        return TREND_ARROWS.get(self.direction or "", "")

    @property
    def badge(self) -> str:
        """``✓ Green``: symbol and word, for tables where colour may not show."""
        return f"{self.style.symbol} {self.style.label}"


def _group(text: str) -> str:
    """Thousands separators on a plain number's whole part: ``1551`` -> ``1,551``."""
    sign = "-" if text.startswith("-") else ""
    whole, dot, fraction = text.lstrip("-").partition(".")
    if len(whole) > 3 and whole.isdigit():
        whole = f"{int(whole):,}"
    return f"{sign}{whole}{dot}{fraction}"


def _show(number: float, percent: bool) -> str:
    return _group(format_number(number)) + ("%" if percent else "")


def _show_like(number: float, like: float, percent: bool) -> str:
    """``number`` shown to as many decimals as ``like`` is written with (a pro rata figure beside its source)."""
    decimals = len(format_number(like).partition(".")[2])
    shown = float(Decimal(str(number)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
    return _show(shown, percent)


_POLARITY_WORDS = {"High": "high is good", "Low": "low is good"}
_TRAVEL_POLARITY = {TargetKind.MAXIMISE: "High", TargetKind.MINIMISE: "Low"}


def _polarity_words(polarity: str) -> str:
    return _POLARITY_WORDS.get(polarity, "contextual")


def latest_actuals(measure: Measure) -> tuple[tuple[str, Value] | None, tuple[str, Value] | None, str]:
    """(latest, previous, missing reason): the two right-most actuals with a number, and why the latest is missing."""
    latest = previous = None
    reason = ""
    for year, value in reversed(measure.actuals):
        if value.number is not None:
            if latest is not None:
                previous = (year, value)
                break
            latest = (year, value)
        elif latest is None and not reason and value.missing:
            reason = f"{value.missing} ({year})"
    return latest, previous, reason


def actual_periods(measure: Measure, settings: Settings = Settings()) -> tuple[tuple[str, Value, Period | None], ...]:
    """Every actual with the period it covers (column year, the measure's Year Basis, the note in the cell)."""
    return tuple(
        (year, value, value_period(year, value.period, measure.year_basis, measure.aggregation,
                                   settings.financial_year, settings.reporting_period))
        for year, value in measure.actuals
    )


def history(measure: Measure, settings: Settings = Settings()) -> tuple[tuple[str, Value], ...]:
    """Every Actual of the measure, oldest first, as (period label, value): ``("2018/19", 1%)``,
    ``("2021/22 Q1-Q2", 858 (245))``; a missing value keeps its column's year and its reason."""
    out = []
    for year, value, period in actual_periods(measure, settings):
        out.append(((period.label if period is not None and value.number is not None else year), value))
    return tuple(out)


def history_text(measure: Measure, settings: Settings = Settings(), sep: str = " · ", before: str = "") -> str:
    """``2018/19 1% · 2019/20 N/A · 2020/21 N/A``: every Actual with its period, blanks left out; with ``before``
    (``"2021/22"``) only the Actual columns of earlier years."""
    shown = [entry for entry, (year, _) in zip(history(measure, settings), measure.actuals, strict=True)
             if not before or year < before]
    return sep.join(f"{label} {value.raw}" for label, value in shown if not value.is_blank)


def trend_between(latest: float, previous: float, polarity: str, stable_pct: float = 0.5) -> tuple[Trend, str]:
    """Trend and the direction the value moved, from the previous actual to the latest."""
    diff = latest - previous
    if (latest == 0 and previous == 0) or abs(diff) <= stable_pct / 100 * abs(previous) + 1e-12:
        return Trend.STABLE, "flat"
    direction = "up" if diff > 0 else "down"
    if polarity == "High":
        return (Trend.IMPROVING if diff > 0 else Trend.DECLINING), direction
    if polarity == "Low":
        return (Trend.IMPROVING if diff < 0 else Trend.DECLINING), direction
    return (Trend.UP if diff > 0 else Trend.DOWN), direction


def rag_from_gap(gap: float, tolerance: float) -> Status:
    """Green at or better than the comparison, Amber within ``tolerance`` of it, Red beyond."""
    gap = round(gap, 9)
    if gap >= 0:
        return Status.GREEN
    if abs(gap) <= round(tolerance, 9):
        return Status.AMBER
    return Status.RED


def _label(year: str, value: Value, period: Period | None) -> str:
    return period.label if period is not None else " ".join(x for x in (year, value.period or "") if x)


def _is_out_of_date(measure: Measure, period: Period | None, settings: Settings) -> bool:
    age = period.age(settings.financial_year) if period is not None else None
    return age is not None and age > settings.out_of_date_after + (measure.data_lag or 0)


def rate_measure(measure: Measure, settings: Settings = Settings()) -> Rating:
    """The status, trend and a one-line reason for one measure (one cohort)."""
    actuals = actual_periods(measure, settings)
    numeric = [a for a in actuals if a[1].number is not None]
    latest = numeric[-1] if numeric else None
    missing = since = ""  # why the columns after the latest number are empty: "Awaiting data (2020/21)"
    for year, value, _ in reversed(actuals):
        if value.number is not None:
            break
        if value.missing:
            missing, since = f"{value.missing} ({year})", f"{year}: {value.missing}"
            break
    cumulative = measure.aggregation == CUMULATIVE
    agg = measure.aggregation
    like = earlier = None
    if latest:
        key = latest[2].like(agg) if latest[2] is not None else None
        like = next((a for a in reversed(numeric[:-1]) if a[2] is not None and a[2].like(agg) == key), None)
        earlier = numeric[-2] if len(numeric) > 1 else None

    trend = direction = None
    trend_reason = ""
    if latest and like:
        trend, direction = trend_between(latest[1].number, like[1].number, measure.polarity, settings.stable_pct)
        trend_reason = (f"{_show(latest[1].number, latest[1].percent)} ({_label(*latest)}) against "
                        f"{_show(like[1].number, like[1].percent)} ({_label(*like)})")
    elif latest and earlier:
        trend = Trend.NOT_COMPARABLE
        trend_reason = (f"{_show(latest[1].number, latest[1].percent)} ({_label(*latest)}) and "
                        f"{_show(earlier[1].number, earlier[1].percent)} ({_label(*earlier)}) cover different "
                        "periods; no earlier figure for the same kind of period")
    base = {
        "trend": trend,
        "direction": direction,
        "latest": latest[1] if latest else None,
        "latest_year": latest[0] if latest else None,
        "latest_period": latest[2] if latest else None,
        "previous": like[1] if like else None,
        "previous_year": like[0] if like else None,
        "previous_period": like[2] if like else None,
        "trend_reason": trend_reason,
    }
    rating = _rate(measure, settings, latest, like, earlier, missing, cumulative, base)
    if latest and _is_out_of_date(measure, latest[2], settings):
        return _out_of_date(rating, latest, since)
    return rating


def _out_of_date(rating: Rating, latest, missing: str) -> Rating:
    """The rating of a value too old to rate as current: Out of date, keeping what it would be."""
    since = f"; no data since ({missing})" if missing else "; no data since"
    shown = f"{_show(latest[1].number, latest[1].percent)} ({_label(*latest)})"
    if rating.status in (Status.GREEN, Status.AMBER, Status.RED):
        why = f"{shown} would be {rating.status.value} against {rating.against}{since}"
    else:
        why = f"{shown}: {rating.against}{since}"
    fields = {k: getattr(rating, k) for k in rating.__dataclass_fields__ if k not in ("status", "reason", "against")}
    return Rating(Status.OUT_OF_DATE, why, **{**fields, "would_be": rating.status})


def _rate(measure: Measure, settings: Settings, latest, like, earlier, missing: str, cumulative: bool,
          base: dict) -> Rating:
    target = measure.target
    polarity = measure.polarity
    if target.is_direction_of_travel:
        polarity = _TRAVEL_POLARITY.get(target.kind, measure.polarity)

    if measure.polarity == "Contextual" or polarity not in ("High", "Low") or target.kind is TargetKind.NONE:
        why = "contextual measure, not rated" if measure.polarity == "Contextual" else "no target set, not rated"
        if latest:
            older = f"; {missing}" if missing else ""
            return Rating(Status.CONTEXTUAL, f"{_show(latest[1].number, latest[1].percent)} ({_label(*latest)}"
                                             f"{older}): {why}", against=why, **base)
        return Rating(Status.CONTEXTUAL, why, against=why, **base)

    if not latest:
        return Rating(Status.NO_DATA, f"No actual yet: {missing}" if missing else "No actual yet", **base)

    _year, a_val, period = latest
    a = a_val.number
    percent = a_val.percent or target.percent
    fraction = period.fraction if period is not None else None
    part_year = cumulative and fraction is not None and fraction < 1
    shown = _show(a, percent)
    when = f"{_label(*latest)}; {missing}" if missing else _label(*latest)
    tolerance_scale = 1.0
    if target.kind in (TargetKind.NUMBER, TargetKind.COMPARATOR):
        if target.kind is TargetKind.NUMBER:
            full, against = target.number, "target"
        else:
            if measure.comparator is None:
                why = "Target is the comparator, but no Comparator value is given"
                return Rating(Status.NO_DATA, why, against="no comparator to compare it with", **base)
            full, against = measure.comparator, "comparator"
        t = full
        if part_year:
            t, tolerance_scale = full * fraction, fraction
            phrase = (f"{_show_like(t, full, percent)} pro rata of a full-year {against} of {_show(full, percent)}")
            lead = f"{shown} for {period.part} against {phrase}"
            aim_at = f"{when}; "
        else:
            phrase = f"a {against} of {_show(t, percent)}" if against == "target" else f"the comparator {_show(t, percent)}"
            lead = f"{shown} ({when}) vs {against} {_show(t, percent)}"
            aim_at = ""
        aim = _polarity_words(polarity)
    else:
        compare = like
        if compare is None and cumulative and earlier is not None:
            ef = earlier[2].fraction if earlier[2] is not None else None
            if fraction is not None and ef:
                compare = earlier
        if compare is None:
            what = "no earlier actual" if earlier is None else "no earlier actual for the same kind of period"
            why = f"{shown} ({when}): target is to {target.kind.value.lower()}, {what} to compare with"
            return Rating(Status.NO_DATA, why, against=f"{what} to compare it with", **base)
        _p_year, p_val, p_period = compare
        p = p_val.number
        p_label = _label(*compare)
        pf = p_period.fraction if p_period is not None else None
        aim = f"aim to {target.kind.value.lower()}" + (f", {_polarity_words(polarity)}"
                                                        if target.kind is TargetKind.MAINTAIN else "")
        against = "previous"
        if cumulative and fraction is not None and pf and abs(fraction - pf) > 1e-9:
            t = p * fraction / pf
            tolerance_scale = 1.0
            whole = "a full-year" if pf == 1 else f"the {p_period.part}"
            part = period.part or "the year"
            pro = f"{_show_like(t, p, percent)} pro rata of {whole} {_show(p, percent)}"
            phrase = f"{pro} ({p_label})"
            lead = f"{shown} for {part} against {pro}"
            aim_at = f"{_label(*latest)} against {p_label}; "
        else:
            t = p
            phrase = f"the previous {_show(p, percent)} ({p_label})"
            lead = f"{shown} ({when}) against {_show(p, percent)} ({p_label})"
            aim_at = ""

    gap = a - t if polarity == "High" else t - a
    if measure.tolerance is not None:
        tolerance = measure.tolerance * tolerance_scale
    else:
        tolerance = settings.tolerance_pct / 100 * abs(t)
    status = rag_from_gap(gap, tolerance)
    off = round(abs(gap), 6)
    unit = (" pt" if off == 1 else " pts") if percent else ""
    if status is Status.GREEN:
        verdict = "on target" if against == "target" else f"at or better than {against}"
    elif status is Status.AMBER:
        verdict = f"{format_number(off)}{unit} off, within tolerance of {format_number(round(tolerance, 6))}{unit}"
    else:
        verdict = f"{format_number(off)}{unit} off, beyond tolerance of {format_number(round(tolerance, 6))}{unit}"
    reason = f"{lead}, {aim}: {verdict}" if lead.endswith(")") else f"{lead} ({aim_at}{aim}): {verdict}"
    return Rating(status, reason, compared_with=t, gap=gap, against=phrase, **base)


def rate_measures(measures: Iterable[Measure], settings: Settings = Settings()) -> tuple[Rating, ...]:
    return tuple(rate_measure(m, settings) for m in measures)


def rerate(previous: PortfolioWorkbook, previous_ratings: tuple[Rating, ...], current: PortfolioWorkbook,
           settings: Settings = Settings()) -> tuple[Rating, ...]:
    """``rate_measures(current.measures, settings)``, re-rating only the measures that changed.

    ``previous_ratings`` are the ratings of ``previous.measures`` with the same ``settings``. A measure is reused
    when it is the very object it was (:func:`pprr.year.edits.apply_edits` rebuilds only edited measures); everything
    is re-rated when the measures were added, removed, or may all have moved: a new Actual year, a new tolerance,
    another financial year or reporting period, or another Out Of Date After.
    """
    before, after = previous.portfolio, current.portfolio
    if (len(previous_ratings) != len(previous.measures) or len(previous.measures) != len(current.measures)
            or previous.actual_years != current.actual_years
            or before.tolerance_pct != after.tolerance_pct
            or before.financial_year != after.financial_year
            or before.reporting_period != after.reporting_period
            or before.out_of_date_after != after.out_of_date_after):
        return rate_measures(current.measures, settings)
    return tuple(rating if measure is before_m else rate_measure(measure, settings)
                 for before_m, measure, rating in zip(previous.measures, current.measures, previous_ratings))


def count_statuses(statuses: Iterable[Status | Rating]) -> dict[Status, int]:
    """Counts for every status, in display order, zeros included."""
    counts = Counter(s.status if isinstance(s, Rating) else Status(s) for s in statuses)
    return {s: counts.get(s, 0) for s in STATUS_ORDER}


def budget_variance(net_budget: float | None, forecast: float | None) -> float | None:
    if net_budget is None or forecast is None:
        return None
    return forecast - net_budget


def budget_rag(net_budget: float | None, forecast: float | None, settings: Settings = Settings()) -> Status:
    """Service budget RAG on the forecast overspend against the net budget (£000)."""
    variance = budget_variance(net_budget, forecast)
    if variance is None:
        return Status.NO_DATA
    variance = round(variance, 6)
    if variance <= 0:
        return Status.GREEN
    threshold = min(settings.budget_red_pct / 100 * abs(net_budget), settings.budget_red_abs)
    return Status.RED if variance >= threshold else Status.AMBER


def status_key(settings: Settings = Settings()) -> list[tuple[Status, str]]:
    """The status rules in plain words, for the app's key, the pack's status key and the README."""
    pct = format_number(settings.tolerance_pct)
    years = format_number(settings.out_of_date_after)
    return [
        (Status.GREEN, ("The latest actual meets or beats the target (for 'maximise', 'minimise' or 'maintain' "
                       "targets: the previous actual for the same kind of period).")),
        (Status.AMBER, (f"The latest actual misses the target by no more than the tolerance: the measure's own "
                       f"tolerance where one is set, otherwise {pct}% of the target. A target of zero has no amber "
                       "band unless the measure sets a tolerance.")),
        (Status.RED, ("The latest actual misses the target by more than the tolerance. A count that builds "
                     "through the year (Aggregation 'Cumulative') is compared with the target pro rata for the "
                     "part of the year it covers.")),
        (Status.OUT_OF_DATE, (f"The latest actual is for a period more than {years} year{'s' if years != '1' else ''} "
                             "before the report's year (plus the measure's Data Lag): shown with the status it "
                             "would have, not counted as on or off target and never an exception.")),
        (Status.NO_DATA, ("There is no actual to rate yet (for example 'Awaiting data'), or nothing to compare "
                         "it with.")),
        (Status.CONTEXTUAL, ("The measure is monitored for context, or has no target: it is not rated good or "
                            "bad.")),
    ]


TREND_KEY: list[tuple[str, str]] = [
    ("Improving / Declining", ("The latest actual compared with the one for the same kind of period before it (a "
                              "full year with a full year, Q1-Q2 with Q1-Q2, a term with the same term), judged "
                              "by whether high or low is good. The arrow shows which way the value moved.")),
    ("Stable", "The two differ by no more than 0.5% of the earlier value."),
    ("Up / Down", "Contextual measures: the direction only, not judged."),
    ("Not comparable", ("No earlier actual covers the same kind of period (for example an Autumn term against "
                        "Spring terms, or Q1-Q3 against full years), so no trend is shown.")),
]


def budget_key(settings: Settings = Settings()) -> list[tuple[Status, str]]:
    return [
        (Status.GREEN, "Forecast at or under the net budget."),
        (Status.AMBER, "Forecast overspend below the red threshold."),
        (Status.RED, (f"Forecast overspend of at least {format_number(settings.budget_red_pct)}% of the net budget "
                     f"or £{format_number(settings.budget_red_abs)}k, whichever is lower.")),
        (Status.NO_DATA, "No forecast outturn entered yet."),
    ]
