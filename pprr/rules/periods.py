"""The period a value covers: its Actual column's year, the measure's Year Basis, and the note in the cell.

``2018/19`` (a financial year), ``2021/22 academic``, ``2021/22 Q1-Q2``, ``Spring Term 2018``, ``Dec 2020``,
``2015/16 – 2017/18``: :func:`value_period` reads what officers write beside a value and gives a :class:`Period`
with a label for people, the share of the year it covers (for comparing a cumulative count with a full-year target
pro rata), the kind of period it is (so that trends compare like with like) and the year its data ends in (so that
old data is seen to be old).

Notes read (case does not matter; other words around them are kept on the value and ignored here):

* ``Q4``, ``Q1-Q2``, ``Q1 and Q2``, ``Q3-Q4``, ``Q1-Q3``: quarters of the year (financial quarters: Q1 = April to
  June). A year written with them (``Q1 2019/20``) is the year.
* ``YTD`` / ``year to date``: in the report's own year, the quarters up to the reporting period (Q3 Update ->
  Q1-Q3).
* ``Spring Term 18``, ``Autumn Term 21``, ``Summer Term 20/21``: a school term (Autumn is the first term of an
  academic year, Spring and Summer the later ones: Spring Term 2018 is in 2017/18).
* ``Dec'20``, ``End of March 19``, ``March 2019``: a month (as at, or up to, its end).
* ``15/16 – 17/18``: several years together (a rolling average); its data ends in the last one.
* ``18/19``, ``2016/17``: the year the value is for, when it is not the column's.

A Cumulative measure's value in the report's own financial year with no note covers the year to date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from ..schema import AGGREGATIONS, YEAR_BASES, YEAR_RE

BASES = YEAR_BASES
SNAPSHOT, CUMULATIVE = AGGREGATIONS

# Reporting period -> the last quarter of the financial year it reports on (year to date).
YEAR_TO_DATE: dict[str, int] = {"q1": 1, "mid-year": 2, "q3 update": 3, "annual": 4}

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")
_FIRST_MONTH = {"Financial": 4, "Academic": 9, "Calendar": 1}

_YY = r"(\d{4}|\d{2})"
_RANGE = re.compile(rf"(?<![\d/]){_YY}\s*/\s*(\d{{2}})\s*(?:-|–|—|to)\s*{_YY}\s*/\s*(\d{{2}})(?![\d/])", re.IGNORECASE)
_YEAR = re.compile(rf"(?<![\d/.]){_YY}\s*/\s*(\d{{2}})(?![\d/])")
_TERM = re.compile(rf"\b(autumn|spring|summer)\s+term\s*{_YY}?(?:\s*/\s*(\d{{2}}))?", re.IGNORECASE)
_QUARTERS = re.compile(r"\bq\s*([1-4])\s*(?:-|–|—|to|and|&)\s*q\s*([1-4])\b", re.IGNORECASE)
_QUARTER = re.compile(r"\bq\s*([1-4])\b", re.IGNORECASE)
_MONTH = re.compile(r"\b(end\s+of\s+)?(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
                    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s*[’']?\s*(\d{4}|\d{2})\b", re.IGNORECASE)
_YTD = re.compile(r"\b(ytd|year\s+to\s+date)\b", re.IGNORECASE)


def _year4(text: str) -> int:
    n = int(text)
    return n if n >= 100 else 2000 + n


def year_start(year: str) -> int | None:
    """``2021/22`` -> 2021; None when it is not a year like that."""
    m = YEAR_RE.match(year or "")
    return int(m.group(1)) if m else None


def year_label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


@dataclass(frozen=True)
class Period:
    """What a value covers. ``start`` is the first calendar year of the (financial, academic) year, or the year."""

    start: int
    basis: str = "Financial"  # Financial / Academic / Calendar
    kind: str = "year"  # year, quarters, term, month, years, ytd
    first: int = 0  # quarters: first quarter; month: the month (1-12); years: the first year's start
    last: int = 0  # quarters: last quarter
    term: str = ""  # Autumn / Spring / Summer
    end_of: bool = False  # month: "End of March 19"

    @cached_property
    def year(self) -> str:
        """The year as a column names it: ``2021/22`` (``2021`` for a calendar year)."""
        return str(self.start) if self.basis == "Calendar" else year_label(self.start)

    @property
    def part(self) -> str:
        """The part of the year, without the year: ``Q1-Q2``, ``Q4``, ``Apr-Dec``; ``""`` for a whole year."""
        if self.kind == "quarters":
            return f"Q{self.first}" if self.first == self.last else f"Q{self.first}-Q{self.last}"
        if self.kind == "month":
            first = _FIRST_MONTH[self.basis]
            return _MONTH_NAMES[first - 1][:3] + "-" + _MONTH_NAMES[self.first - 1][:3] if self.first != first \
                else _MONTH_NAMES[first - 1][:3]
        if self.kind == "term":
            return f"{self.term} Term"
        if self.kind == "ytd":
            return "year to date"
        return ""

    @cached_property
    def label(self) -> str:
        if self.kind == "year":
            return {"Academic": f"{self.year} academic", "Calendar": self.year}.get(self.basis, self.year)
        if self.kind == "quarters":
            return f"{self.year} {self.part}"
        if self.kind == "term":
            calendar = self.start if self.term == "Autumn" else self.start + 1
            return f"{self.term} Term {calendar}"
        if self.kind == "month":
            calendar = self.start + (1 if self.first < _FIRST_MONTH[self.basis] else 0)
            if self.end_of:
                return f"End of {_MONTH_NAMES[self.first - 1]} {calendar}"
            return f"{_MONTH_NAMES[self.first - 1][:3]} {calendar}"
        if self.kind == "years":
            return f"{year_label(self.first)} – {year_label(self.start)}"
        return f"{self.year} YTD"

    @property
    def fraction(self) -> float | None:
        """The share of the year covered (1 for a whole year); None when it is not known or not one year."""
        if self.kind == "year":
            return 1.0
        if self.kind == "quarters":
            return (self.last - self.first + 1) / 4
        if self.kind == "term":
            return 1 / 3
        if self.kind == "month":
            return ((self.first - _FIRST_MONTH[self.basis]) % 12 + 1) / 12
        return None

    @property
    def is_part_year(self) -> bool:
        return self.fraction is not None and self.fraction < 1

    def like(self, aggregation: str = SNAPSHOT) -> tuple:
        """The kind of period, for like-for-like comparisons: a full year, Q1-Q2, a Spring term, ...

        For a Snapshot measure a value at the year's end (Q4, the last month) stands for the whole year.
        """
        if self.kind == "quarters":
            if aggregation != CUMULATIVE and self.first == self.last == 4:
                return ("year", self.basis)
            return ("quarters", self.first, self.last)
        if self.kind == "month":
            if aggregation != CUMULATIVE and (self.first - _FIRST_MONTH[self.basis]) % 12 == 11:
                return ("year", self.basis)
            return ("month", self.first)
        if self.kind == "term":
            return ("term", self.term)
        if self.kind == "years":
            return ("years", self.start - self.first)
        if self.kind == "ytd":
            return ("ytd",)
        return ("year", self.basis)

    def age(self, financial_year: str) -> int | None:
        """Whole years between the year this value's data ends in and the report's year (0 = this year)."""
        start = year_start(financial_year)
        return None if start is None else start - self.start

    def __str__(self) -> str:
        return self.label


def column_period(year: str, basis: str = "Financial") -> Period | None:
    """The whole year an Actual column names, on the measure's basis (``2021/22`` Calendar is 2021)."""
    start = year_start(year)
    if start is None:
        return None
    return Period(start, basis if basis in BASES else "Financial")


@lru_cache(maxsize=8192)
def value_period(year: str, note: str | None, basis: str = "Financial", aggregation: str = SNAPSHOT,
                 financial_year: str = "", reporting_period: str = "") -> Period | None:
    """The period of a value in the ``year`` Actual column, refined by the ``note`` written in its cell.

    ``financial_year`` and ``reporting_period`` are the report's: they say what "year to date" covers. None when
    ``year`` is not a year. Pure, so remembered: the same few notes recur across a workbook's measures.
    """
    base = column_period(year, basis)
    if base is None:
        return None
    basis = base.basis
    text = note or ""
    ytd_quarters = YEAR_TO_DATE.get((reporting_period or "").strip().casefold())
    in_report_year = year_start(financial_year) == year_start(year)

    m = _RANGE.search(text)
    if m:
        first, last = _year4(m.group(1)), _year4(m.group(3))
        if first <= last:
            return Period(last, basis, "years", first=first)
        return base

    m = _TERM.search(text)
    if m:
        term = m.group(1).capitalize()
        if m.group(2) and m.group(3):  # "Summer Term 20/21": the academic year
            start = _year4(m.group(2))
        elif m.group(2):  # "Spring Term 18": the calendar year of the term
            calendar = _year4(m.group(2))
            start = calendar if term == "Autumn" else calendar - 1
        else:
            start = base.start
        return Period(start, "Academic", "term", term=term)

    m = _MONTH.search(text)
    if m:
        month = _MONTHS.index(m.group(2)[:3].casefold()) + 1
        calendar = _year4(m.group(3))
        start = calendar if month >= _FIRST_MONTH[basis] else calendar - 1
        return Period(start, basis, "month", first=month, end_of=bool(m.group(1)))

    start = base.start
    y = _YEAR.search(text)
    if y and int(y.group(2)) == (_year4(y.group(1)) + 1) % 100:
        start = _year4(y.group(1))

    m = _QUARTERS.search(text)
    if m:
        first, last = sorted((int(m.group(1)), int(m.group(2))))
        return Period(start, basis, "quarters", first=first, last=last)
    m = _QUARTER.search(text)
    if m:
        q = int(m.group(1))
        return Period(start, basis, "quarters", first=q, last=q)

    if _YTD.search(text):
        if in_report_year and ytd_quarters is not None and start == base.start:
            return Period(start, basis, "quarters", first=1, last=ytd_quarters) if ytd_quarters < 4 \
                else Period(start, basis)
        return Period(start, basis, "ytd")
    if (aggregation == CUMULATIVE and not text.strip() and basis == "Financial" and in_report_year
            and ytd_quarters is not None and ytd_quarters < 4):
        return Period(start, basis, "quarters", first=1, last=ytd_quarters)
    return Period(start, basis)
