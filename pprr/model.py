"""The portfolio as pprr sees it: plain, immutable records read from the workbook.

Every record remembers the worksheet row it came from (``row``, 1-based as in Excel) so that problems can point at
a cell and edits can be written back to exactly the cell they came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "Error"
    WARNING = "Warning"


@dataclass(frozen=True)
class Problem:
    """Something wrong with the workbook, said so an officer can find and fix it."""

    severity: Severity
    sheet: str
    row: int | None
    column: str | None  # Excel column letter, e.g. "F"
    message: str

    @property
    def cell(self) -> str:
        """``F12``, ``row 12``, ``column F`` or ``""`` when the problem is about the whole sheet or file."""
        if self.row is not None and self.column:
            return f"{self.column}{self.row}"
        if self.row is not None:
            return f"row {self.row}"
        if self.column:
            return f"column {self.column}"
        return ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class Value:
    """A cell as an officer wrote it (``raw``) and what it means.

    ``10.8% (258)`` -> number 10.8, count 258, percent True. ``222 (60) Q4`` -> 222, count 60, period "Q4".
    ``Awaiting data`` -> number None, missing "Awaiting data". A blank cell -> raw "", missing "".
    """

    raw: str
    number: float | None = None
    count: float | None = None
    period: str | None = None
    missing: str | None = None
    percent: bool = False

    @property
    def has_number(self) -> bool:
        return self.number is not None

    @property
    def is_blank(self) -> bool:
        return self.raw.strip() == ""


class TargetKind(str, Enum):
    NUMBER = "Number"
    MAXIMISE = "Maximise"
    MINIMISE = "Minimise"
    MAINTAIN = "Maintain"
    COMPARATOR = "Comparator"
    NONE = "No target"


@dataclass(frozen=True)
class Target:
    raw: str
    kind: TargetKind
    number: float | None = None
    percent: bool = False

    @property
    def is_direction_of_travel(self) -> bool:
        return self.kind in (TargetKind.MAXIMISE, TargetKind.MINIMISE, TargetKind.MAINTAIN)


@dataclass(frozen=True)
class Portfolio:
    council: str = ""
    portfolio: str = ""
    financial_year: str = ""  # "2021/22"
    reporting_period: str = ""  # Agreement, Q1, Mid-Year, Q3 Update, Annual
    version: str = ""
    date: str = ""
    approved_by: str = ""
    tolerance_pct: float = 5.0
    illustrative: bool = False
    committee: str = ""
    meeting_date: str = ""
    agenda_item: str = ""
    report_of: str = ""
    officer_contact: str = ""
    recommendations: tuple[str, ...] = ()  # one per line as written; empty: the standard wording
    out_of_date_after: float = 1.0  # years; see pprr.rules.status
    comparator_set: str = "Statistical Neighbours"  # the set a "Comparator" target is rated against
    # (the same default as schema.DEFAULT_COMPARATOR_SET; the reader always sets it)
    rows: dict[str, int] = field(default_factory=dict, compare=False)  # field name -> sheet row


@dataclass(frozen=True)
class Priority:
    row: int
    number: int
    title: str
    outcome: str = ""
    commentary: str = ""


@dataclass(frozen=True)
class Benchmark:
    """One comparator of a measure: a set ("Statistical Neighbours", "England"), its value and the year it is for."""

    set: str
    value: Value
    year: str = ""

    @property
    def number(self) -> float | None:
        return self.value.number


@dataclass(frozen=True)
class Measure:
    row: int
    code: str
    cohort: str
    name: str
    priority: int
    measure_type: str  # Council / Partnership / Contextual
    reported: str  # Monthly / Quarterly / Termly / Annually
    polarity: str  # High / Low / Contextual
    unit: str = ""
    tolerance: float | None = None  # absolute, in the measure's unit
    actuals: tuple[tuple[str, Value], ...] = ()  # ("2019/20", Value), oldest first, as the columns stand
    target: Target = Target("", TargetKind.NONE)
    comparator: float | None = None
    corporate: bool = False
    gms: bool = False
    commentary: str = ""
    action: str = ""  # corrective action when off target
    action_owner: str = ""
    action_due: str = ""  # as written, or a date as "31 March 2022"
    year_basis: str = "Financial"  # Financial / Academic / Calendar: what the Actual columns' years are
    aggregation: str = "Snapshot"  # Snapshot (a rate or level) / Cumulative (a count that builds through the year)
    data_lag: float | None = None  # years: extra age allowed before the latest value is out of date
    new: bool = False  # a measure new this year
    theme: str = ""  # the agreement's sub-heading the measure sits under
    benchmarks: tuple[Benchmark, ...] = ()  # comparator sets, in column order

    def benchmark(self, name: str) -> Benchmark | None:
        """The comparator of set ``name`` (case and spaces ignored), if the measure has one."""
        wanted = " ".join(name.split()).casefold()
        return next((b for b in self.benchmarks if " ".join(b.set.split()).casefold() == wanted), None)

    @property
    def key(self) -> tuple[str, str]:
        return (self.code, self.cohort)

    @property
    def label(self) -> str:
        return f"{self.code} {self.cohort}".strip() if self.cohort else self.code


@dataclass(frozen=True)
class BudgetLine:
    """A service's revenue budget, £000."""

    row: int
    service: str
    division: str
    employee: float | None = None
    non_employee: float | None = None
    gross_expenditure: float | None = None
    gross_income: float | None = None
    net_budget: float | None = None
    forecast: float | None = None
    commentary: str = ""


@dataclass(frozen=True)
class BudgetChange:
    """One line of the cash-limit reconciliation: amounts per division, £000."""

    row: int
    item: str
    category: str
    amounts: tuple[tuple[str, float | None], ...] = ()


@dataclass(frozen=True)
class Reserve:
    row: int
    division: str
    category: str
    narration: str
    to_be_used_for: str
    approved_use: float | None  # £000
    not_drawn_down: bool = False


@dataclass(frozen=True)
class Saving:
    row: int
    division: str
    proposal: str
    risk: str  # Green / Amber / Red
    identified_m: float | None
    achieved_m: float | None
    information: str = ""


@dataclass(frozen=True)
class CapitalScheme:
    row: int
    scheme: str
    description: str
    programme: tuple[tuple[str, float | None], ...] = ()  # ("2021/22", £000)
    funding: str = ""


@dataclass(frozen=True)
class GlossaryEntry:
    row: int
    term: str
    meaning: str


@dataclass(frozen=True)
class NarrativeParagraph:
    """One paragraph of the agreement's own words, under its heading (Introduction, Vision ...)."""

    row: int
    heading: str
    text: str


@dataclass(frozen=True)
class Project:
    """A strategy, programme or project a priority is delivered by (one row per project or per milestone)."""

    row: int
    priority: int
    project: str
    milestone: str = ""
    lead: str = ""
    due: str = ""
    status: str = ""  # one of schema.PROJECT_STATUSES, or "" before progress is first reported
    commentary: str = ""

    @property
    def label(self) -> str:
        return f"{self.project}: {self.milestone}" if self.milestone else self.project


@dataclass(frozen=True)
class FinancialRisk:
    row: int
    division: str
    risk: str
    value: float | None = None  # £000
    mitigation: str = ""


@dataclass(frozen=True)
class OneOffResource:
    row: int
    investment: str
    value: float | None  # £000
    purpose: str = ""


@dataclass(frozen=True)
class PortfolioWorkbook:
    """Everything read from one workbook. Problems are kept beside the data, never raised."""

    portfolio: Portfolio = field(default_factory=Portfolio)
    priorities: tuple[Priority, ...] = ()
    measures: tuple[Measure, ...] = ()
    budget: tuple[BudgetLine, ...] = ()
    budget_changes: tuple[BudgetChange, ...] = ()
    budget_divisions: tuple[str, ...] = ()  # the division columns of Budget Changes, in order
    reserves: tuple[Reserve, ...] = ()
    savings: tuple[Saving, ...] = ()
    capital: tuple[CapitalScheme, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()
    narrative: tuple[NarrativeParagraph, ...] = ()
    projects: tuple[Project, ...] = ()
    financial_risks: tuple[FinancialRisk, ...] = ()
    one_off_resources: tuple[OneOffResource, ...] = ()
    comparator_sets: tuple[str, ...] = ()  # the Measures sheet's comparator sets, in column order
    actual_years: tuple[str, ...] = ()  # every "YYYY/YY Actual" column, oldest first
    problems: tuple[Problem, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)

    @property
    def ok(self) -> bool:
        return not self.errors

    def priority(self, number: int) -> Priority | None:
        return next((p for p in self.priorities if p.number == number), None)

    def measure(self, code: str, cohort: str = "") -> Measure | None:
        return next((m for m in self.measures if m.key == (code, cohort)), None)
