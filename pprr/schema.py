"""The workbook template: the contract between pprr and the officers who fill it in.

One sheet per table. Headers are matched case-insensitively with surrounding spaces ignored; column order is free;
extra columns are kept and ignored. Money is in £000 unless the header says £m. This module is the single place
that names sheets, columns and the closed lists used by the reader, the validator, the template writer and the app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COUNCIL_FIELDS = (
    "Council",
    "Portfolio",
    "Financial Year",
    "Reporting Period",
    "Version",
    "Date",
    "Approved By",
    "Tolerance %",
    "Illustrative",
    "Out Of Date After (years)",
    "Comparator Set",
)
# Optional front matter of the committee pack (Portfolio sheet): who the report goes to, when and from whom.
FRONT_MATTER_FIELDS = (
    "Committee",
    "Meeting Date",
    "Agenda Item",
    "Report Of",
    "Officer Contact",
    "Recommendations",
)
PORTFOLIO_FIELDS = COUNCIL_FIELDS + FRONT_MATTER_FIELDS
# The standard wording of a portfolio report's recommendations, as the scrutiny minutes quote it; ``{period}``
# and ``{year}`` are the report's reporting period and financial year.
DEFAULT_RECOMMENDATIONS = (
    "Consider the {period} Portfolio Performance and Resource Report;",
    "Review the progress against delivering key projects, priority outcomes, targets and budgets for {year};",
    ("Highlight key areas of and responsibility for taking forward corrective action to address any performance "
     "or resource issues;"),
    ("Highlight any significant issues or changes to be fed back to the Cabinet alongside the Corporate "
     "Performance and Resource Report;"),
    "Identify how areas of strong performance and good practice can be shared in other services.",
)

REPORTING_PERIODS = ("Agreement", "Q1", "Mid-Year", "Q3 Update", "Annual")
MEASURE_TYPES = ("Council", "Partnership", "Contextual")
REPORTED = ("Monthly", "Quarterly", "Termly", "Annually")
POLARITIES = ("High", "Low", "Contextual")
UNITS = ("%", "rate", "number", "score", "days")
YES_NO = ("Y", "N")
RISK_RATINGS = ("Green", "Amber", "Red")
DEFAULT_TOLERANCE_PCT = 5.0
YEAR_BASES = ("Financial", "Academic", "Calendar")
AGGREGATIONS = ("Snapshot", "Cumulative")
DEFAULT_OUT_OF_DATE_AFTER = 1.0  # years
PROJECT_STATUSES = ("Complete", "On track", "At risk", "Off track", "Not started")
DEFAULT_COMPARATOR_SET = "Statistical Neighbours"

# Words officers use for "no value yet". Matched case-insensitively; the reason is kept as written.
MISSING_WORDS = (
    "Awaiting data",
    "Awaiting Publication",
    "Not yet available",
    "Data not available",
    "N/A",
    "NA",
)
MAXIMISE_WORDS = ("Aim to maximise", "To maximise", "Maximise")
MINIMISE_WORDS = ("Aim to minimise", "To minimise", "Minimise")
MAINTAIN_WORDS = ("Maintain performance", "Maintain")
NO_TARGET_WORDS = ("N/A", "NA", "No target", "")
COMPARATOR_WORDS = ("Comparator",)

YEAR_RE = re.compile(r"^\s*(\d{4})\s*/\s*(\d{2})\s*$")
ACTUAL_RE = re.compile(r"^\s*(\d{4}/\d{2})\s+actual\s*$", re.IGNORECASE)
TARGET_RE = re.compile(r"^\s*(\d{4}/\d{2})\s+target\s*$", re.IGNORECASE)
PROGRAMME_RE = re.compile(r"^\s*(\d{4}/\d{2})\s+programme(\s*£000)?\s*$", re.IGNORECASE)
# A comparator set's own columns on the Measures sheet: "Statistical Neighbours Comparator" (the value) and
# "Statistical Neighbours Comparator Year" (the year it is for). The plain "Comparator" column is not a set.
COMPARATOR_SET_RE = re.compile(r"^\s*(\S.*?)\s+comparator\s*$", re.IGNORECASE)
COMPARATOR_YEAR_RE = re.compile(r"^\s*(\S.*?)\s+comparator\s+year\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = True
    choices: tuple[str, ...] = ()  # a closed list: a dropdown in the template
    width: int = 14
    kind: str = "text"  # text, number, int, money, money_m, yesno
    help: str = ""


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    required: bool = True
    help: str = ""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


PORTFOLIO = Sheet(
    "Portfolio",
    (Column("Field", width=22), Column("Value", width=60)),
    help="Two columns, Field and Value: "
    + ", ".join(COUNCIL_FIELDS)
    + ". Tolerance % is the amber band as a percentage of the target (default 5). Out Of Date After (years) is "
    "how old the latest value may be before it is shown as Out of date instead of being rated (default 1: in "
    "2021/22, data for 2020/21 is the latest available and 2019/20 or earlier is out of date). Comparator Set "
    "names the comparator set a 'Comparator' target is rated against (default Statistical Neighbours). Optional, for "
    "the committee pack's front page: "
    + ", ".join(FRONT_MATTER_FIELDS)
    + ". Meeting Date is the pack's date. Officer Contact may list several officers, one per line. "
    "Recommendations: one per line; left blank, the standard wording (a) to (e) is printed.",
)

PRIORITIES = Sheet(
    "Priorities",
    (
        Column("Priority", kind="int", width=10, help="The priority's number, 1, 2, 3 ..."),
        Column("Title", width=60),
        Column("Outcome", required=False, width=60),
        Column("Commentary", required=False, width=80),
    ),
)

MEASURES = Sheet(
    "Measures",
    (
        Column("PI Code", width=14),
        Column("Cohort", required=False, width=14, help='Blank, or e.g. "EHC Plan", "SEN Support", "Reading".'),
        Column("PI Name", width=60),
        Column("Priority", kind="int", width=10),
        Column("Measure Type", choices=MEASURE_TYPES, width=14),
        Column("Reported", choices=REPORTED, width=12),
        Column("Good Performance", choices=POLARITIES, width=12),
        Column("Unit", required=False, choices=UNITS, width=10),
        Column("Tolerance", required=False, kind="number", width=11,
               help="Optional amber band in the measure's own unit; overrides Tolerance %."),
        Column("Comparator", required=False, kind="number", width=12),
        Column("Corporate", required=False, choices=YES_NO, kind="yesno", width=10),
        Column("GMS", required=False, choices=YES_NO, kind="yesno", width=8),
        Column("New Measure", required=False, choices=YES_NO, kind="yesno", width=9,
               help="Y for a measure new this year (shown with a 'New' marker)."),
        Column("Theme", required=False, width=22,
               help="The sub-heading the measure sits under in the agreement (Attainment, Youth Offending ...); "
               "measures are grouped by it, in the order the themes first appear."),
        Column("Commentary", required=False, width=80),
        Column("Action", required=False, width=60,
               help="The corrective action for a measure off target, printed with it in the pack's exceptions."),
        Column("Action Owner", required=False, width=24, help="Who is responsible for the action."),
        Column("Action Due", required=False, width=14, help="When the action is due: a date, or text such as "
               "'March 2022'."),
        Column("Year Basis", required=False, choices=YEAR_BASES, width=12,
               help="What the Actual columns' years are: Financial (April to March, the default), Academic "
                    "(September to August, e.g. exam results) or Calendar (the first year of the heading)."),
        Column("Aggregation", required=False, choices=AGGREGATIONS, width=12,
               help="Snapshot (the default): a rate or level at a point in time. Cumulative: a count that builds "
                    "through the year; a part-year value (e.g. Q1-Q2, or this year's value to date) is compared "
                    "with the target pro rata."),
        Column("Data Lag (years)", required=False, kind="number", width=10,
               help="For statistics published late: the extra years the latest value may be old before it is "
                    "Out of date (blank = 0)."),
    ),
    help="One row per measure and cohort. Add one 'YYYY/YY Actual' column per year (oldest first) and the "
    "'YYYY/YY Target' column of the financial year. Benchmarks: add a '<Set> Comparator' column per comparator "
    "set (for example 'Statistical Neighbours Comparator', 'England Comparator', 'North West Comparator') with "
    "the comparator's value, and optionally a '<Set> Comparator Year' column with the year it is for.",
)

BUDGET = Sheet(
    "Budget",
    (
        Column("Service", width=40),
        Column("Division", width=28),
        Column("Employee Expenditure", required=False, kind="money", width=12),
        Column("Non-Employee Expenditure", required=False, kind="money", width=12),
        Column("Gross Expenditure", required=False, kind="money", width=12),
        Column("Gross Income", required=False, kind="money", width=12),
        Column("Net Budget", kind="money", width=12),
        Column("Forecast Outturn", required=False, kind="money", width=12),
        Column("Commentary", required=False, width=60),
    ),
    help="£000. One row per service; sub-totals and totals are computed by pprr, do not type them in. "
    "Income is entered as a negative number.",
)

BUDGET_CHANGES = Sheet(
    "Budget Changes",
    (
        Column("Item", width=50),
        Column("Category", required=False, width=26),
    ),
    required=False,
    help="The cash-limit reconciliation, £000: one column per division after Item and Category. The first row is "
    "the opening budget (Category 'Opening'); totals are computed.",
)

RESERVES = Sheet(
    "Reserves",
    (
        Column("Division", width=28),
        Column("Reserve Category", width=26),
        Column("Reserve Narration", width=36),
        Column("To Be Used For", width=50),
        Column("Approved Use", kind="money", width=12),
        Column("Not Drawn Down", required=False, choices=YES_NO, kind="yesno", width=10),
    ),
    required=False,
    help="£000. Not Drawn Down = Y marks a previous year's reserve not drawn down (shown as * in the agreement).",
)

SAVINGS = Sheet(
    "Savings",
    (
        Column("Division", width=28),
        Column("Proposal", width=50),
        Column("Risk Rating", choices=RISK_RATINGS, width=12),
        Column("Value Identified £m", kind="money_m", width=12),
        Column("Value Achieved £m", required=False, kind="money_m", width=12),
        Column("Additional Information", required=False, width=60),
    ),
    required=False,
)

CAPITAL = Sheet(
    "Capital",
    (
        Column("Scheme", width=40),
        Column("Description", required=False, width=60),
        Column("Funding", required=False, width=24),
    ),
    required=False,
    help="£000. Add one 'YYYY/YY Programme' column per year.",
)

GLOSSARY = Sheet(
    "Glossary",
    (Column("Term", width=16), Column("Meaning", width=70)),
    required=False,
)

NARRATIVE = Sheet(
    "Narrative",
    (
        Column("Heading", width=30, help="For example Introduction, Vision, Outcomes; rows with the same heading "
               "are consecutive paragraphs of one section."),
        Column("Text", width=100),
    ),
    required=False,
    help="The agreement's own words: the portfolio holder's introduction, the vision and the like, one paragraph "
    "per row, in the order they are printed.",
)

PROJECTS = Sheet(
    "Projects",
    (
        Column("Priority", kind="int", width=10),
        Column("Project", width=45, help="The strategy, programme or project the priority is delivered by."),
        Column("Milestone", required=False, width=40, help="Optional: one row per milestone of a project."),
        Column("Lead", required=False, width=22),
        Column("Due", required=False, width=14, help="A date, or a period such as 'March 2022' or 'Q4'."),
        Column("Status", required=False, choices=PROJECT_STATUSES, width=12,
               help="Blank until progress is first reported."),
        Column("Commentary", required=False, width=80),
    ),
    required=False,
    help="The delivery plan: the strategies, programmes and projects each priority is delivered by ('Delivered "
    "by' in the agreement), one row per project or per milestone.",
)

FINANCIAL_RISKS = Sheet(
    "Financial Risks",
    (
        Column("Division", width=28),
        Column("Risk", width=50),
        Column("Value £000", required=False, kind="money", width=12),
        Column("Mitigation", required=False, width=70),
    ),
    required=False,
    help="£000. The key challenges and risks to the budget, with the amount at risk where it is known.",
)

ONE_OFF_RESOURCES = Sheet(
    "One-Off Resources",
    (
        Column("Investment", width=40),
        Column("Value £000", kind="money", width=12),
        Column("Purpose", required=False, width=80),
    ),
    required=False,
    help="£000. Allocated one-off resources: investments agreed for this portfolio on top of its cash limit.",
)

SHEETS = (PORTFOLIO, PRIORITIES, MEASURES, BUDGET, BUDGET_CHANGES, RESERVES, SAVINGS, CAPITAL, GLOSSARY,
          NARRATIVE, PROJECTS, FINANCIAL_RISKS, ONE_OFF_RESOURCES)
SHEETS_BY_NAME = {s.name.casefold(): s for s in SHEETS}


def norm_header(text: object) -> str:
    """How headers are compared: case-insensitive, surrounding and repeated spaces ignored."""
    return " ".join(str(text if text is not None else "").split()).casefold()


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def actual_header(year: str) -> str:
    return f"{year} Actual"


def target_header(year: str) -> str:
    return f"{year} Target"


def previous_year(year: str) -> str | None:
    """"2021/22" -> "2020/21"."""
    m = YEAR_RE.match(year or "")
    if not m:
        return None
    start = int(m.group(1)) - 1
    return f"{start}/{(start + 1) % 100:02d}"
