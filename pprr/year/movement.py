"""What moved between two reports of one portfolio's year: measures and money.

:func:`compare` takes the workbook of an earlier report (e.g. Mid-Year) and a later one (e.g. Q3 Update) of the same
portfolio and year, rates both with the same rules, and says for every measure and cohort what changed, and for every
service how the forecast outturn moved. Nothing here reads files or keeps state: the command line and the app pass
in workbooks however they got them (a file, a stored reporting period).

Change of a measure (one word per row, in the order the rules are tried):

* **New measure** / **Removed measure**: the PI Code and Cohort is only in the later / only in the earlier report.
* **No new data**: the later report has no number, the same number for the same period as before, or only an
  older figure than the earlier report had.
* **New data**: the earlier report had no number, or only an out-of-date one, and the later one has a current one.
* **Improved** / **Worsened**: the status moved up or down the Red - Amber - Green scale; or, with the status on the
  same step, a newer (or revised) figure moved the good / bad way by more than the trend's Stable band. Figures
  are compared like for like: a cumulative count for different parts of the year per full year, other values only
  when they cover the same kind of period.
* **No change**: a newer or revised figure within the Stable band, on the same status.
* A newer figure for a contextual measure (not judged good or bad), or one that cannot be compared like for like,
  is **New data**.

Problems (never exceptions): workbooks of different portfolios are not compared (an error); different financial
years, or a later report that names an earlier reporting period, are compared with a warning; a measure whose cohort
split changed (one row before, several after, or the other way) is listed as removed and new, with a warning that
names the row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from ..model import Measure, PortfolioWorkbook, Problem, Severity, Value
from ..rules.finance import budget_total
from ..rules.periods import CUMULATIVE
from ..rules.status import (
    STATUS_ORDER,
    Rating,
    Settings,
    Status,
    Trend,
    rate_measures,
    settings_for,
    trend_between,
)
from ..schema import REPORTING_PERIODS, norm_header

MEASURE_COLUMNS = (
    "code", "cohort", "name", "previous_period", "previous_value", "previous_status", "period", "value", "status",
    "change",
)
FINANCE_COLUMNS = ("service", "division", "net_budget", "previous_forecast", "forecast", "movement", "variance")


class Change(str, Enum):
    IMPROVED = "Improved"
    WORSENED = "Worsened"
    NO_CHANGE = "No change"
    NEW_DATA = "New data"
    NO_NEW_DATA = "No new data"
    NEW_MEASURE = "New measure"
    REMOVED_MEASURE = "Removed measure"


# The order the change words are listed in summaries: what a reader wants to see first.
CHANGE_ORDER: tuple[Change, ...] = (
    Change.WORSENED, Change.IMPROVED, Change.NEW_DATA, Change.NO_CHANGE, Change.NO_NEW_DATA, Change.NEW_MEASURE,
    Change.REMOVED_MEASURE,
)
_RANK = {Status.RED: 1, Status.AMBER: 2, Status.GREEN: 3}


@dataclass(frozen=True)
class MeasureMovement:
    """One measure and cohort in the earlier and the later report. Periods are labels such as ``2021/22 Q1-Q2``."""

    code: str
    cohort: str
    name: str
    previous_period: str
    previous_value: Value | None
    previous_status: Status | None  # None: not in the earlier report
    period: str
    value: Value | None
    status: Status | None  # None: not in the later report
    change: Change

    @property
    def label(self) -> str:
        return f"{self.code} {self.cohort}".strip() if self.cohort else self.code

    @property
    def moved(self) -> bool:
        """True when there is something to say: anything but 'No new data' and 'No change'."""
        return self.change not in (Change.NO_NEW_DATA, Change.NO_CHANGE)


@dataclass(frozen=True)
class ServiceMovement:
    """One service's forecast outturn in the earlier and the later report, £000 (None where not given)."""

    service: str
    division: str
    net_budget: float | None
    previous_forecast: float | None
    forecast: float | None
    movement: float | None  # forecast - previous_forecast: positive = the forecast rose
    variance: float | None  # forecast - net_budget: positive = overspend


@dataclass(frozen=True)
class Movement:
    previous_label: str  # "Mid-Year"
    current_label: str  # "Q3 Update"
    measures: tuple[MeasureMovement, ...] = ()
    services: tuple[ServiceMovement, ...] = ()
    problems: tuple[Problem, ...] = ()
    previous_variance: float | None = None  # portfolio total forecast - net budget, £000, in the earlier report
    current_variance: float | None = None  # ... and in the later one

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    @property
    def status_counts(self) -> dict[Status, tuple[int, int]]:
        """(earlier, later) number of measures at each status, in display order, zeros included."""
        before = [m.previous_status for m in self.measures if m.previous_status is not None]
        after = [m.status for m in self.measures if m.status is not None]
        return {s: (before.count(s), after.count(s)) for s in STATUS_ORDER}

    @property
    def change_counts(self) -> dict[Change, int]:
        changes = [m.change for m in self.measures]
        return {c: changes.count(c) for c in CHANGE_ORDER}

    def total_sentence(self) -> str:
        """The portfolio's forecast against budget now and at the earlier report, as one sentence."""
        return total_sentence(self.previous_variance, self.current_variance, self.previous_label)


def _m(thousands: float) -> str:
    """£000 -> ``£0.325m``."""
    return f"£{abs(thousands) / 1000:,.3f}m"


def _position(variance: float) -> str:
    if round(variance, 1) > 0:
        return f"overspend {_m(variance)}"
    if round(variance, 1) < 0:
        return f"underspend {_m(variance)}"
    return "on budget"


def total_sentence(previous: float | None, current: float | None, previous_label: str) -> str:
    """``Forecast overspend £0.325m, £0.087m more than the £0.238m reported at Mid-Year`` (variances in £000)."""
    at = f"at {previous_label}" if previous_label else "in the previous report"
    if current is None:
        return f"No forecast outturn is given yet{'' if previous is None else f'; {_position(previous)} was reported {at}'}."
    now = f"Forecast {_position(current)}"
    if previous is None:
        return f"{now}; no forecast outturn was reported {at}."
    before, after = round(previous, 1), round(current, 1)
    if before == after:
        return f"{now}, unchanged from the {_words(previous)} reported {at}."
    if before > 0 and after > 0:
        more = "more" if after > before else "less"
        return f"{now}, {_m(current - previous)} {more} than the {_m(previous)} reported {at}."
    if before < 0 and after < 0:
        more = "more" if after < before else "less"
        return f"{now}, {_m(current - previous)} {more} than the {_m(previous)} reported {at}."
    way = "worse" if after > before else "better"
    return f"{now}, {_m(current - previous)} {way} than the {_words(previous)} reported {at}."


def _words(variance: float) -> str:
    """``£0.238m overspend``, ``£0.100m underspend`` or ``balanced budget``."""
    if round(variance, 1) > 0:
        return f"{_m(variance)} overspend"
    if round(variance, 1) < 0:
        return f"{_m(variance)} underspend"
    return "balanced budget"


# ---------------------------------------------------------------------------------------------------------------


def _label(wb: PortfolioWorkbook) -> str:
    return wb.portfolio.reporting_period.strip() or "the previous report"


def _same(a: str, b: str) -> bool:
    return norm_header(a) == norm_header(b)


def _portfolio_problems(previous: PortfolioWorkbook, current: PortfolioWorkbook) -> list[Problem]:
    problems: list[Problem] = []
    pp, cp = previous.portfolio, current.portfolio
    for name, wb in (("earlier", previous), ("later", current)):
        if wb.errors:
            count = len(wb.errors)
            problems.append(Problem(Severity.ERROR, "Portfolio", None, None,
                                    f"The {name} workbook has {count} error{'s' if count != 1 else ''}: fix "
                                    f"{'them' if count != 1 else 'it'} before comparing."))
    if pp.portfolio and cp.portfolio and not _same(pp.portfolio, cp.portfolio):
        problems.append(Problem(Severity.ERROR, "Portfolio", cp.rows.get("Portfolio"), "B",
                                f"The workbooks are of different portfolios ('{pp.portfolio}' before, "
                                f"'{cp.portfolio}' now): movement is only shown between reports of one portfolio."))
    if pp.council and cp.council and not _same(pp.council, cp.council):
        problems.append(Problem(Severity.ERROR, "Portfolio", cp.rows.get("Council"), "B",
                                f"The workbooks are of different councils ('{pp.council}' before, "
                                f"'{cp.council}' now): movement is only shown between reports of one portfolio."))
    if pp.financial_year and cp.financial_year and not _same(pp.financial_year, cp.financial_year):
        problems.append(Problem(Severity.WARNING, "Portfolio", cp.rows.get("Financial Year"), "B",
                                f"The workbooks are of different financial years ({pp.financial_year} before, "
                                f"{cp.financial_year} now): the movement spans more than one year."))
    order = {norm_header(p): i for i, p in enumerate(REPORTING_PERIODS)}
    before, after = order.get(norm_header(pp.reporting_period)), order.get(norm_header(cp.reporting_period))
    if (before is not None and after is not None and before > after
            and (not pp.financial_year or _same(pp.financial_year, cp.financial_year))):
        problems.append(Problem(Severity.WARNING, "Portfolio", cp.rows.get("Reporting Period"), "B",
                                f"The earlier workbook is the {pp.reporting_period} report and the later one the "
                                f"{cp.reporting_period} report: check the two are the right way round."))
    return problems


def _cohort_problems(previous: Iterable[Measure], current: Iterable[Measure]) -> list[Problem]:
    """A warning for every PI Code whose cohorts changed wholesale (split, merged, renamed) between the reports.

    A cohort added or retired beside others that stay is simply a new or removed measure.
    """
    def cohorts(measures: Iterable[Measure]) -> dict[str, list[Measure]]:
        out: dict[str, list[Measure]] = {}
        for m in measures:
            out.setdefault(m.code, []).append(m)
        return out

    before, after = cohorts(previous), cohorts(current)
    problems = []
    for code, rows in after.items():
        if code not in before:
            continue
        was = [m.cohort for m in before[code]]
        now = [m.cohort for m in rows]
        if not set(was) & set(now):  # split, merged or renamed: no cohort in common
            def say(names: list[str]) -> str:
                named = [n for n in names if n]
                if not named:
                    return "one row with no cohort"
                return ("cohorts " if len(names) > 1 else "cohort ") + ", ".join(n or "(none)" for n in names)
            problems.append(Problem(
                Severity.WARNING, "Measures", rows[0].row, None,
                f"{code} was reported as {say(was)} and is now {say(now)}: the rows that do not match are listed as "
                "removed and new measures.",
            ))
    return problems


def _period(rating: Rating | None) -> str:
    return rating.latest_label if rating is not None and rating.latest is not None else ""


def measure_change(measure: Measure, before: Rating, after: Rating, settings: Settings) -> Change:
    """The change word for one measure present in both reports (see the module's rules)."""
    if after.latest is None or after.latest.number is None:
        return Change.NO_NEW_DATA
    if before.latest is None or before.latest.number is None:
        return Change.NEW_DATA
    if (after.latest_year or "") < (before.latest_year or ""):  # the newer figure was taken out again
        return Change.NO_NEW_DATA
    if before.out_of_date and not after.out_of_date:
        return Change.NEW_DATA
    b, a = _RANK.get(before.status), _RANK.get(after.status)
    if b is not None and a is not None and a != b:
        return Change.IMPROVED if a > b else Change.WORSENED
    if before.latest_label == after.latest_label and before.latest.number == after.latest.number:
        return Change.NO_NEW_DATA
    old, new = _comparable(measure, before, after)
    if old is None:
        return Change.NEW_DATA
    trend, _ = trend_between(new, old, measure.polarity, settings.stable_pct)
    if trend is Trend.IMPROVING:
        return Change.IMPROVED
    if trend is Trend.DECLINING:
        return Change.WORSENED
    if trend is Trend.STABLE:
        return Change.NO_CHANGE
    return Change.NEW_DATA


def _comparable(measure: Measure, before: Rating, after: Rating) -> tuple[float | None, float]:
    """The two numbers to compare: a cumulative count for different parts of the year is compared per full year
    (858 for Q1-Q2 against 1,300 for Q1-Q3 is 1,716 against 1,733); other values that cover different kinds of
    period are not compared (None)."""
    old, new = before.latest.number, after.latest.number
    was, now = before.latest_period, after.latest_period
    if was is None or now is None:
        return old, new
    if measure.aggregation == CUMULATIVE:
        if was.fraction and now.fraction:
            return old / was.fraction, new / now.fraction
        return (old, new) if was.like(CUMULATIVE) == now.like(CUMULATIVE) else (None, new)
    return (old, new) if was.like(measure.aggregation) == now.like(measure.aggregation) else (None, new)


def compare(previous: PortfolioWorkbook, current: PortfolioWorkbook, settings: Settings | None = None) -> Movement:
    """The movement from ``previous`` (the earlier report) to ``current`` (the later one).

    Each workbook is rated with its own settings (Tolerance %, year, out-of-date rule) unless ``settings`` is given.
    """
    previous_label, current_label = _label(previous), current.portfolio.reporting_period.strip() or "this report"
    problems = _portfolio_problems(previous, current)
    if any(p.is_error for p in problems):
        return Movement(previous_label, current_label, problems=tuple(problems))
    problems += _cohort_problems(previous.measures, current.measures)

    before_settings = settings or settings_for(previous)
    after_settings = settings or settings_for(current)
    before = dict(zip((m.key for m in previous.measures), zip(previous.measures,
                                                             rate_measures(previous.measures, before_settings))))
    rows: list[MeasureMovement] = []
    seen = set()
    for measure, rating in zip(current.measures, rate_measures(current.measures, after_settings)):
        seen.add(measure.key)
        if measure.key not in before:
            rows.append(MeasureMovement(measure.code, measure.cohort, measure.name, "", None, None,
                                        _period(rating), rating.latest, rating.status, Change.NEW_MEASURE))
            continue
        _, old = before[measure.key]
        rows.append(MeasureMovement(
            measure.code, measure.cohort, measure.name, _period(old), old.latest, old.status, _period(rating),
            rating.latest, rating.status, measure_change(measure, old, rating, after_settings),
        ))
    for key, (measure, old) in before.items():
        if key not in seen:
            rows.append(MeasureMovement(measure.code, measure.cohort, measure.name, _period(old), old.latest,
                                        old.status, "", None, None, Change.REMOVED_MEASURE))

    return Movement(
        previous_label, current_label, tuple(rows), _services(previous, current), tuple(problems),
        previous_variance=budget_total(previous)["variance"], current_variance=budget_total(current)["variance"],
    )


def _service_key(service: str, division: str) -> tuple[str, str]:
    return norm_header(service), norm_header(division)


def _services(previous: PortfolioWorkbook, current: PortfolioWorkbook) -> tuple[ServiceMovement, ...]:
    """Services matched on Service and Division (or Service alone, when a service moved division)."""
    by_key = {_service_key(b.service, b.division): b for b in previous.budget}
    by_name: dict[str, list] = {}
    for b in previous.budget:
        by_name.setdefault(norm_header(b.service), []).append(b)
    used: set[int] = set()
    rows = []
    for line in current.budget:
        old = by_key.get(_service_key(line.service, line.division))
        if old is None or id(old) in used:
            candidates = [b for b in by_name.get(norm_header(line.service), []) if id(b) not in used]
            old = candidates[0] if len(candidates) == 1 else None
        if old is not None:
            used.add(id(old))
        before = old.forecast if old is not None else None
        rows.append(ServiceMovement(
            line.service, line.division, line.net_budget, before, line.forecast,
            None if before is None or line.forecast is None else line.forecast - before,
            None if line.net_budget is None or line.forecast is None else line.forecast - line.net_budget,
        ))
    for old in previous.budget:
        if id(old) not in used:
            rows.append(ServiceMovement(old.service, old.division, None, old.forecast, None, None, None))
    return tuple(rows)


# ---------------------------------------------------------------------------------------------------------------
# Flat rows for CSV and tables


def movement_rows(m: Movement) -> list[dict]:
    """One dict per measure and cohort, keys :data:`MEASURE_COLUMNS`: values as written, statuses and changes as words."""
    return [{
        "code": row.code,
        "cohort": row.cohort,
        "name": row.name,
        "previous_period": row.previous_period,
        "previous_value": row.previous_value.raw if row.previous_value is not None else "",
        "previous_status": row.previous_status.value if row.previous_status is not None else "",
        "period": row.period,
        "value": row.value.raw if row.value is not None else "",
        "status": row.status.value if row.status is not None else "",
        "change": row.change.value,
    } for row in m.measures]


def _money(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def finance_rows(m: Movement) -> list[dict]:
    """One dict per service, keys :data:`FINANCE_COLUMNS`, £000 to one decimal (None where not given)."""
    return [{
        "service": s.service,
        "division": s.division,
        "net_budget": _money(s.net_budget),
        "previous_forecast": _money(s.previous_forecast),
        "forecast": _money(s.forecast),
        "movement": _money(s.movement),
        "variance": _money(s.variance),
    } for s in m.services]
