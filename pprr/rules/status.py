"""Status (RAG) and trend rules, written down once.

The app, the PDF pack and the command line all rate measures and budget lines here, and take the words, colours
and symbols for each status from :data:`STATUS_STYLES`, so a rule or a colour is changed in one place only.

Rules (documented for officers in the README and printed as the pack's status key by :func:`status_key`):

* The *latest actual* is the value in the right-most Actual column that has a number; the *previous actual* is the
  one before it.
* Numeric target ``t``, actual ``a``: polarity High -> gap = a - t; Low -> gap = t - a.
  Green when gap >= 0; Amber when gap < 0 and |gap| <= tolerance (the measure's own Tolerance, else
  Tolerance % of |t|, so a zero target with no Tolerance has no amber band); Red otherwise. Gaps are in the
  measure's own units (percentage points for percentages), never a ratio, so negative and zero targets work.
* Direction-of-travel targets (maximise / minimise / maintain) are rated the same way against the previous actual
  (maximise = High, minimise = Low, maintain = the measure's own polarity); no previous actual -> No data.
* A target of ``Comparator`` is rated against the chosen comparator set (:mod:`pprr.rules.benchmarks`), else the
  Comparator column.
* Good performance Contextual, or no target -> Contextual.
* No latest actual -> No data, with the reason the workbook gives.
* Trend compares the latest actual with the previous one: Stable within 0.5% of the earlier value's magnitude
  (or both zero); otherwise Improving / Declining by polarity, or Up / Down for contextual measures.
* Budget: variance = forecast outturn - net budget (positive = overspend). Green when variance <= 0; Red when
  the overspend is at least the lower of 5% of |net budget| and £100k; Amber otherwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from ..model import Measure, PortfolioWorkbook, TargetKind, Value
from ..schema import DEFAULT_COMPARATOR_SET
from .benchmarks import comparator_for
from .values import format_number


class Status(str, Enum):
    GREEN = "Green"
    AMBER = "Amber"
    RED = "Red"
    NO_DATA = "No data"
    CONTEXTUAL = "Contextual"


class Trend(str, Enum):
    IMPROVING = "Improving"
    DECLINING = "Declining"
    STABLE = "Stable"
    UP = "Up"
    DOWN = "Down"


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
    Status.AMBER: StatusStyle("Amber", "!", "#B86E00", "#FFE3B0", "#5C3700", "Slightly off target, within tolerance"),
    Status.RED: StatusStyle("Red", "✗", "#B3261E", "#F7C9C5", "#5C0F0A", "Off target by more than the tolerance"),
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
    comparator_set: str = DEFAULT_COMPARATOR_SET  # a "Comparator" target is rated against this set


@dataclass(frozen=True)
class Rating:
    status: Status
    reason: str
    trend: Trend | None = None
    direction: str | None = None  # "up", "down", "flat": where the value moved, whatever polarity says
    latest: Value | None = None
    latest_year: str | None = None
    previous: Value | None = None
    previous_year: str | None = None
    compared_with: float | None = None  # the target, comparator or previous actual used
    gap: float | None = None  # positive = better than compared_with

    @property
    def style(self) -> StatusStyle:
        return STATUS_STYLES[self.status]

    @property
    def arrow(self) -> str:
        return TREND_ARROWS.get(self.direction or "", "")

    @property
    def badge(self) -> str:
        """``✓ Green``: symbol and word, for tables where colour may not show."""
        return f"{self.style.symbol} {self.style.label}"


def _show(number: float, percent: bool) -> str:
    return format_number(number) + ("%" if percent else "")


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


def _older(measure: Measure, year: str, missing: str) -> str:
    """' (2019/20; 2021/22: Awaiting data)' when the latest number is older than the right-most Actual column."""
    if not measure.actuals or measure.actuals[-1][0] == year:
        return ""
    return f" ({year}; {missing})" if missing else f" ({year})"


def rag_from_gap(gap: float, tolerance: float) -> Status:
    """Green at or better than the comparison, Amber within ``tolerance`` of it, Red beyond."""
    gap = round(gap, 9)
    if gap >= 0:
        return Status.GREEN
    if abs(gap) <= round(tolerance, 9):
        return Status.AMBER
    return Status.RED


def rate_measure(measure: Measure, settings: Settings = Settings()) -> Rating:
    """The status, trend and a one-line reason for one measure (one cohort)."""
    latest, previous, missing = latest_actuals(measure)
    trend = direction = None
    if latest and previous:
        trend, direction = trend_between(latest[1].number, previous[1].number, measure.polarity, settings.stable_pct)
    base = {
        "trend": trend,
        "direction": direction,
        "latest": latest[1] if latest else None,
        "latest_year": latest[0] if latest else None,
        "previous": previous[1] if previous else None,
        "previous_year": previous[0] if previous else None,
    }
    target = measure.target
    polarity = measure.polarity
    if target.is_direction_of_travel:
        polarity = _TRAVEL_POLARITY.get(target.kind, measure.polarity)

    if measure.polarity == "Contextual" or polarity not in ("High", "Low") or target.kind is TargetKind.NONE:
        why = "contextual measure, not rated" if measure.polarity == "Contextual" else "no target set, not rated"
        if latest:
            why = f"{_show(latest[1].number, latest[1].percent)} ({latest[0]}): {why}"
        return Rating(Status.CONTEXTUAL, why, **base)

    if not latest:
        return Rating(Status.NO_DATA, f"No actual yet: {missing}" if missing else "No actual yet", **base)

    a_val = latest[1]
    a = a_val.number
    percent = a_val.percent or target.percent
    if target.kind is TargetKind.NUMBER:
        t, against = target.number, "target"
    elif target.kind is TargetKind.COMPARATOR:
        found = comparator_for(measure, settings.comparator_set)
        if found is None:
            return Rating(Status.NO_DATA, f"Target is the comparator, but no {settings.comparator_set} or "
                                          "Comparator value is given", **base)
        t, against = found
    else:
        if not previous:
            return Rating(
                Status.NO_DATA,
                f"{_show(a, percent)}: target is to {target.kind.value.lower()}, no earlier actual to compare with",
                **base,
            )
        t, against = previous[1].number, f"previous {previous[0]}"

    gap = a - t if polarity == "High" else t - a
    tolerance = measure.tolerance if measure.tolerance is not None else settings.tolerance_pct / 100 * abs(t)
    status = rag_from_gap(gap, tolerance)
    off = round(abs(gap), 6)
    unit = (" pt" if off == 1 else " pts") if percent else ""
    if status is Status.GREEN:
        verdict = "on target" if against == "target" else \
            f"at or better than {'previous' if against.startswith('previous ') else against}"
    elif status is Status.AMBER:
        verdict = f"{format_number(off)}{unit} off, within tolerance of {format_number(round(tolerance, 6))}{unit}"
    else:
        verdict = f"{format_number(off)}{unit} off, beyond tolerance of {format_number(round(tolerance, 6))}{unit}"
    aim = _polarity_words(polarity)
    if target.is_direction_of_travel:
        aim = f"aim to {target.kind.value.lower()}" + (f", {aim}" if target.kind is TargetKind.MAINTAIN else "")
    reason = f"{_show(a, percent)}{_older(measure, latest[0], missing)} vs {against} {_show(t, percent)} ({aim}): {verdict}"
    return Rating(status, reason, compared_with=t, gap=gap, **base)


def rate_measures(measures: Iterable[Measure], settings: Settings = Settings()) -> tuple[Rating, ...]:
    return tuple(rate_measure(m, settings) for m in measures)


def rerate(previous: PortfolioWorkbook, previous_ratings: tuple[Rating, ...], current: PortfolioWorkbook,
           settings: Settings = Settings()) -> tuple[Rating, ...]:
    """``rate_measures(current.measures, settings)``, re-rating only the measures that changed.

    ``previous_ratings`` are the ratings of ``previous.measures`` with the same ``settings``. A measure is reused
    when it is the very object it was (:func:`pprr.year.edits.apply_edits` rebuilds only edited measures); everything
    is re-rated when the measures were added, removed, or may all have moved: a new Actual year or a new tolerance.
    """
    if (len(previous_ratings) != len(previous.measures) or len(previous.measures) != len(current.measures)
            or previous.actual_years != current.actual_years
            or previous.portfolio.tolerance_pct != current.portfolio.tolerance_pct
            or previous.portfolio.comparator_set != current.portfolio.comparator_set):
        return rate_measures(current.measures, settings)
    return tuple(rating if measure is before else rate_measure(measure, settings)
                 for before, measure, rating in zip(previous.measures, current.measures, previous_ratings))


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
    """The status rules in plain words, for the app's key and the pack's status key."""
    pct = format_number(settings.tolerance_pct)
    return [
        (Status.GREEN, ("The latest actual meets or beats the target (for 'maximise', 'minimise' or 'maintain' "
                       "targets: the previous actual).")),
        (Status.AMBER, (f"The latest actual misses the target by no more than the tolerance: the measure's own "
                       f"tolerance where one is set, otherwise {pct}% of the target. A target of zero has no amber "
                       "band unless the measure sets a tolerance.")),
        (Status.RED, "The latest actual misses the target by more than the tolerance."),
        (Status.NO_DATA, ("There is no actual to rate yet (for example 'Awaiting data'), or nothing to compare "
                         "it with.")),
        (Status.CONTEXTUAL, ("The measure is monitored for context, or has no target: it is not rated good or "
                            "bad.")),
    ]


TREND_KEY: list[tuple[str, str]] = [
    ("Improving / Declining", ("The latest actual compared with the one before it, judged by whether high or low "
                              "is good. The arrow shows which way the value moved.")),
    ("Stable", "The two differ by no more than 0.5% of the earlier value."),
    ("Up / Down", "Contextual measures: the direction only, not judged."),
]


def budget_key(settings: Settings = Settings()) -> list[tuple[Status, str]]:
    return [
        (Status.GREEN, "Forecast at or under the net budget."),
        (Status.AMBER, "Forecast overspend below the red threshold."),
        (Status.RED, (f"Forecast overspend of at least {format_number(settings.budget_red_pct)}% of the net budget "
                     f"or £{format_number(settings.budget_red_abs)}k, whichever is lower.")),
        (Status.NO_DATA, "No forecast outturn entered yet."),
    ]
