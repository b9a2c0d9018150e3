"""What a sheet in someone else's layout looks like: where its headings are, which rows hold data, what it is.

Councils keep measures and budgets in spreadsheets of their own: a title or two above the headings, headings over
two rows (a merged "Quarter 1" over "Actual" and "Target"), blank spacer columns, group rows ("Priority 1: Safe
children") and total rows. :func:`sniff` finds the heading row and the data under it; :func:`field_for` names the
template field a heading means, by the words officers use; :func:`describe` says in one line what the sheet looks
like. The importer and the reader's answer for a workbook not in the template both stand on this.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass, field

from ..rules.values import cell_text
from .xlsx import Grid

SCAN_ROWS = 30  # headings are looked for in the first rows only

# --- the words officers use for each template field -----------------------------------------------------------

# Measures: each field with its synonyms, compared after :func:`heading_key` (case, punctuation, years and money
# units taken out). Order matters only for the display of choices.
MEASURE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "PI Code": ("pi code", "code", "ref", "reference", "pi", "pi ref", "pi no", "kpi ref", "kpi code", "kpi no",
                "kpi id", "indicator ref", "indicator code", "measure ref", "measure code", "measure id",
                "id", "no", "ref no", "reference number", "indicator id", "pi number", "indicator no", "lpi",
                "bvpi", "ni"),
    "PI Name": ("pi name", "indicator", "measure", "kpi", "kpis", "performance indicator", "indicator name", "measure name",
                "kpi name", "kpi description", "description", "indicator description", "measure description",
                "performance measure", "title", "name", "metric", "kpi title", "indicator title",
                "performance indicator name", "definition", "key performance indicator"),
    "Cohort": ("cohort", "breakdown", "sub group"),
    "Priority": ("priority", "theme", "outcome", "objective", "priority area", "corporate priority",
                 "strategic priority", "council priority", "outcome area", "ambition", "strategic objective",
                 "service area", "directorate", "department", "portfolio", "council plan priority"),
    "Good Performance": ("good performance", "polarity", "direction", "good is", "higher is better",
                         "lower is better", "is higher better", "bigger is better", "smaller is better",
                         "better is", "good performance is", "desired direction", "aim", "high or low",
                         "higher or lower is better", "direction of improvement", "good direction"),
    "Target": ("target", "annual target", "year end target", "full year target", "target for year", "tgt",
               "end of year target", "yearly target", "goal", "target value"),
    "Latest Actual": ("latest", "latest actual", "current", "current performance", "latest performance",
                      "latest value", "actual", "performance", "ytd", "year to date", "value", "result",
                      "current value", "latest data", "actual to date", "current position", "latest outturn",
                      "actual ytd", "ytd actual", "performance to date"),
    "Earlier Year Actual": ("baseline", "outturn", "last year", "previous year", "prior year", "previous outturn",
                            "last year outturn", "baseline value", "actual last year", "previous year actual",
                            "prior year outturn", "final outturn"),
    "Unit": ("unit", "units", "unit of measure", "format", "measure unit"),
    "Reported": ("reported", "frequency", "reporting frequency", "how often", "periodicity", "collection frequency",
                 "frequency of reporting", "reporting cycle"),
    "Measure Type": ("measure type", "type", "indicator type", "kpi type", "pi type"),
    "Tolerance": ("tolerance", "threshold", "amber threshold", "amber tolerance"),
    "Comparator": ("comparator", "benchmark", "national average", "england average", "statistical neighbours",
                   "regional average", "nearest neighbours", "national", "england", "comparator average",
                   "benchmark value", "core cities", "north west", "family group"),
    "Commentary": ("commentary", "comments", "comment", "notes", "note", "narrative", "explanation", "update",
                   "progress", "remarks", "analysis", "commentary and actions", "progress update",
                   "performance commentary", "officer commentary", "actions", "action"),
    "Lead Officer": ("lead officer", "owner", "responsible officer", "lead", "officer", "accountable officer",
                     "kpi owner", "measure owner", "responsible", "contact", "lead manager", "data owner",
                     "indicator owner", "accountable", "responsible person"),
    "Source RAG": ("rag", "rag status", "status", "rating", "rag rating", "performance status", "red amber green",
                   "traffic light", "current rag", "rag rating current", "overall status", "performance rating"),
    "Corporate": ("corporate",),
    "GMS": ("gms",),
}

BUDGET_SYNONYMS: dict[str, tuple[str, ...]] = {
    "Service": ("service", "service area", "cost centre", "cost center", "budget heading", "area", "activity",
                "service description", "budget area", "budget line", "description", "service name", "budget",
                "cost centre name", "service line", "function", "budget holder area", "name"),
    "Division": ("division", "directorate", "department", "portfolio", "service group", "head of service",
                 "division name", "directorate name", "business unit"),
    "Net Budget": ("net budget", "budget", "annual budget", "revised budget", "current budget", "net revised budget",
                   "approved budget", "full year budget", "net annual budget", "revised net budget",
                   "current net budget", "net current budget", "net", "budget net", "working budget",
                   "latest budget", "original budget", "net expenditure budget", "cash limit"),
    "Forecast Outturn": ("forecast outturn", "forecast", "projected outturn", "projection", "outturn",
                         "year end forecast", "full year forecast", "forecast spend", "projected", "forecast net",
                         "net forecast", "projected spend", "forecast net outturn", "projected net outturn",
                         "forecast year end", "estimated outturn", "forecast outturn net"),
    "Variance": ("variance", "forecast variance", "projected variance", "over under spend", "overspend",
                 "under overspend", "variance to budget", "over underspend", "net variance", "variation",
                 "variance over under", "forecast over under spend", "over under", "projected over under spend"),
    "Gross Expenditure": ("gross expenditure", "expenditure", "gross spend", "total expenditure", "spend",
                          "gross budget"),
    "Gross Income": ("gross income", "income", "total income"),
    "Employee Expenditure": ("employee expenditure", "employees", "employee", "staffing", "pay", "staff costs",
                             "employee costs"),
    "Non-Employee Expenditure": ("non employee expenditure", "non employee", "non pay", "running costs",
                                 "non employee costs", "other expenditure"),
    "Commentary": MEASURE_SYNONYMS["Commentary"],
    "Source RAG": MEASURE_SYNONYMS["Source RAG"],
}

MONTHS = ("apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "jan", "feb", "mar")  # the council year
_MONTH_WORDS = {name: i for i, names in enumerate((
    ("apr", "april"), ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december"), ("jan", "january"), ("feb", "february"),
    ("mar", "march"))) for name in names}
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[/\-–]\s*(\d{2}|(?:19|20)\d{2})(?!\d)")
_YEAR_SHORT = re.compile(r"(?<![\d/])(?:fy\s*)?(\d{2})\s*/\s*(\d{2})(?![\d/])", re.IGNORECASE)
_QUARTER = re.compile(r"\b(?:q|qtr|quarter)\s*([1-4])\b", re.IGNORECASE)
_MONTH = re.compile(r"\b(" + "|".join(sorted(_MONTH_WORDS, key=len, reverse=True)) + r")\b[\s'\-]*(\d{2,4})?",
                    re.IGNORECASE)
_PERIOD_NUMBER = re.compile(r"^\s*(?:p|period)\s*(\d{1,2})\s*$", re.IGNORECASE)
_MONEY_UNIT = re.compile(r"£\s*(?:000s?|'000s?|k|m|million|s)?|\(\s*£?\s*(?:000|k|m)\s*\)", re.IGNORECASE)
_NON_WORD = re.compile(r"[^0-9a-z%#]+")
_TOTAL = re.compile(r"^\s*(?:grand\s+|net\s+|overall\s+)?(?:sub[\s\-]?)?totals?\b|\b(?:sub[\s\-]?)?totals?\s*$",
                    re.IGNORECASE)


def heading_key(text: str) -> str:
    """A heading reduced to its words: lower case, no years, money units or punctuation ('Target 2021/22 (£000)'
    -> 'target')."""
    text = str(text).casefold().replace("&", " and ")
    text = _YEAR.sub(" ", text)
    text = _YEAR_SHORT.sub(" ", text)
    text = _MONEY_UNIT.sub(" ", text)
    text = _NON_WORD.sub(" ", text)
    return " ".join(w for w in text.split() if w not in ("the", "of", "a", "in", "for", "to", "be", "is") or
                    len(text.split()) <= 2)


def heading_year(text: str) -> str | None:
    """The financial year a heading names, as '2021/22' ('Target 2021/22', '2021-22 Outturn', 'FY21/22')."""
    m = _YEAR.search(str(text))
    if m:
        start = int(m.group(1))
        end = int(m.group(2)[-2:])
        if end == (start + 1) % 100:
            return f"{start}/{end:02d}"
        return None
    m = _YEAR_SHORT.search(str(text))
    if m and int(m.group(2)) == (int(m.group(1)) + 1) % 100:
        return f"20{m.group(1)}/{m.group(2)}"
    return None


def period_of(heading: object) -> str | None:
    """The in-year period a heading names: 'Q1' ... 'Q4' for quarters, 'Apr' ... 'Mar' for months, else None."""
    if isinstance(heading, (_dt.date, _dt.datetime)):
        return MONTHS[(heading.month - 4) % 12].title()
    text = str(heading)
    q = _QUARTER.search(text)
    if q:
        return f"Q{q.group(1)}"
    m = _MONTH.search(text)
    if m and (len(text.strip()) <= 16 or heading_key(text).split()[0] in _MONTH_WORDS):
        return MONTHS[_MONTH_WORDS[m.group(1).casefold()]].title()
    p = _PERIOD_NUMBER.match(text)
    if p and 1 <= int(p.group(1)) <= 12:
        return MONTHS[int(p.group(1)) - 1].title()
    return None


def period_year(heading: object) -> str | None:
    """The financial year a month heading with a year falls in: 'Dec 2023', 'Jan-24' or a date for 1 Jan 2024 ->
    '2023/24'; None for anything else."""
    if isinstance(heading, (_dt.date, _dt.datetime)):
        month, year = heading.month, heading.year
    else:
        m = _MONTH.search(str(heading))
        if m is None or not m.group(2):
            return None
        month = (_MONTH_WORDS[m.group(1).casefold()] + 3) % 12 + 1
        year = int(m.group(2)) if len(m.group(2)) == 4 else 2000 + int(m.group(2)[-2:])
    start = year if month >= 4 else year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def period_order(period: str) -> int:
    """Where a period falls in the council year: Apr 0 ... Mar 11; Q1 2, Q2 5, Q3 8, Q4 11 (its last month)."""
    if period.startswith("Q") and period[1:].isdigit():
        return int(period[1:]) * 3 - 1
    return MONTHS.index(period.casefold()) if period.casefold() in MONTHS else -1


def is_total(text: str) -> bool:
    return bool(_TOTAL.search(text or ""))


@functools.cache
def _keyed(options: tuple[str, ...]) -> tuple[str, ...]:
    """Synonyms reduced as headings are (see heading_key), so 'higher is better' meets 'Higher is better'."""
    return tuple(dict.fromkeys(k for o in options if (k := heading_key(o))))


def _match(key: str, synonyms: dict[str, tuple[str, ...]]) -> tuple[str | None, int]:
    """The field whose synonym matches ``key`` best: (field, strength). 3 exact, 2 every word of a synonym of two
    or more words, 1 a one-word synonym as a word of the heading."""
    if not key:
        return None, 0
    words = key.split()
    best: tuple[str | None, int, int] = (None, 0, 0)
    for name, options in synonyms.items():
        for option in _keyed(options):
            if key == option:
                strength = 3
            elif " " in option and all(w in words for w in option.split()):
                strength = 2
            elif " " not in option and option in words and len(option) > 2:
                strength = 1
            else:
                continue
            rank = (strength, len(option))
            if rank > best[1:]:
                best = (name, *rank)
    return best[0], best[1]


def field_for(heading: object, kind: str) -> tuple[str | None, int]:
    """The template field a heading means on a sheet of ``kind`` ("measures" or "budget"), with its strength
    (0 when nothing matched). Quarter and month headings are in-year periods on a measures sheet."""
    text = cell_text(heading) if not isinstance(heading, str) else heading
    key = heading_key(text)
    if kind == "measures":
        period = period_of(heading)
        if period is not None:
            if "target" in key.split():
                return "In-Year Target", 3
            if not any(w in key.split() for w in ("commentary", "comments", "rag", "status", "notes")):
                return "In-Year Period", 3
        found, strength = _match(key, MEASURE_SYNONYMS)
        if found == "Target" and "target" not in key.split() and "goal" not in key.split() and strength < 3:
            found, strength = None, 0
        return found, strength
    return _match(key, BUDGET_SYNONYMS)


# --- finding the headings -------------------------------------------------------------------------------------


@dataclass
class Layout:
    """Where a sheet's headings and data are. Rows and columns are 0-based."""

    sheet: str
    heading_row: int | None = None  # the last heading row (the one just above the data)
    heading_rows: int = 1  # 2 for headings over two rows
    headings: list[str] = field(default_factory=list)  # one per column, "" where there is none
    data_rows: list[int] = field(default_factory=list)
    total_rows: list[int] = field(default_factory=list)
    sections: dict[int, str] = field(default_factory=dict)  # a group row ("Priority 1: ...") above data rows
    titles: list[str] = field(default_factory=list)  # text above the headings
    kind: str = "empty"  # measures, budget, table, values (no headings found), empty
    fields: dict[int, tuple[str, int]] = field(default_factory=dict)  # column -> (field, strength) by heading

    @property
    def first_heading_row(self) -> int | None:
        return None if self.heading_row is None else self.heading_row - self.heading_rows + 1

    def used_columns(self) -> list[int]:
        return [c for c, h in enumerate(self.headings) if h]


def _filled(value: object) -> bool:
    return value is not None and value != "" and not (isinstance(value, str) and not value.strip())


def _is_texty(value: object) -> bool:
    if isinstance(value, str):
        text = value.strip()
        return bool(text) and len(text) <= 120 and not re.fullmatch(r"[\d.,%£()\-\s]+", text)
    return isinstance(value, (_dt.date, _dt.datetime))  # a month written as a date heading


def sniff(grid: Grid, merged: list | tuple = ()) -> Layout:
    """The heading row, data rows, totals and group rows of one sheet, and what kind of table it is."""
    layout = Layout(grid.name)
    rows = grid.rows
    if not any(_filled(v) for row in rows for v in row):
        return layout
    best, best_score = None, 0.0
    for r in range(min(len(rows), SCAN_ROWS)):
        score = _heading_score(rows, r)
        if score > best_score:
            best, best_score = r, score
    if best is None:
        layout.kind = "values"
        layout.data_rows = [r for r, row in enumerate(rows) if any(_filled(v) for v in row)]
        return layout
    _, lower = _two_rows(rows, best, merged)
    if lower is not None:
        return layout_at(grid, lower, 2, merged)
    return layout_at(grid, best, 1, merged)


def layout_at(grid: Grid, heading_row: int, heading_rows: int = 1, merged: list | tuple = ()) -> Layout:
    """The layout of a sheet whose (last) heading row is ``heading_row`` (0-based), over ``heading_rows`` rows:
    the headings, data rows, totals and group rows under it, and what kind of table it is."""
    layout = Layout(grid.name)
    rows = grid.rows
    upper = heading_row - 1 if heading_rows == 2 and heading_row > 0 else None
    width = max((len(row) for row in rows), default=0)
    headings = []
    carried = ""
    merged_over = _merged_columns(merged, upper, grid) if upper is not None else {}
    for c in range(width):
        low = _heading_text(grid.value(heading_row, c))
        if upper is None:
            headings.append(low)
            continue
        high = _heading_text(grid.value(upper, c))
        if high:
            carried = high
        elif c in merged_over:
            high = merged_over[c]
        elif low and carried and c > 0 and _heading_text(grid.value(heading_row, c - 1)):
            high = carried  # a group heading over the columns to its right, written once
        else:
            carried = ""
        if high and low and heading_key(high) != heading_key(low):
            headings.append(f"{high} {low}")
        else:
            headings.append(low or high)
    layout.heading_row = heading_row
    layout.heading_rows = 2 if upper is not None else 1
    layout.titles = [t for r in range(layout.first_heading_row) for t in
                     (cell_text(v).strip() for v in (rows[r] if r < len(rows) else ())) if t]
    _read_body(grid, layout, headings)
    layout.headings = headings
    _classify(layout, grid)
    return layout


def _heading_text(value: object) -> str:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return f"{value:%b %Y}"
    return " ".join(cell_text(value).split()) if _filled(value) else ""


def _heading_score(rows: list[list], r: int) -> float:
    row = rows[r]
    filled = [v for v in row if _filled(v)]
    texts = [v for v in filled if _is_texty(v)]
    if len(texts) < 2 or len(texts) < 0.6 * len(filled):
        return 0.0
    known = sum(1 for v in texts if field_for(v, "measures")[1] >= 2 or field_for(v, "budget")[1] >= 2)
    below = 0
    for rr in range(r + 1, min(len(rows), r + 6)):
        values = rows[rr]
        if sum(1 for v in values if _filled(v)) >= 2:
            below += 1
    if below == 0:
        return 0.0
    distinct = len({cell_text(v).casefold() for v in texts})
    return distinct + 2.0 * known + 0.5 * below - 0.01 * r


def _two_rows(rows: list[list], r: int, merged) -> tuple[int | None, int | None]:
    """(upper, lower) heading rows when the headings found at row ``r`` run over two rows, else (None, None)."""
    def texts(row_index: int) -> dict[int, object]:
        if row_index < 0 or row_index >= len(rows):
            return {}
        return {c: v for c, v in enumerate(rows[row_index]) if _filled(v)}

    here = texts(r)
    above = texts(r - 1)
    if len(above) >= 2 and all(_is_texty(v) for v in above.values()) and _groups(above, here, merged, r - 1):
        return r - 1, r
    below = texts(r + 1)
    if len(below) >= 2 and all(_is_texty(v) for v in below.values()) and _groups(here, below, merged, r):
        return r, r + 1
    return None, None


def _groups(upper: dict[int, object], lower: dict[int, object], merged, upper_row: int) -> bool:
    """Whether ``upper`` reads as group headings over ``lower``: a merged cell across columns, or a heading with
    sub-headings under it and blanks beside it."""
    spans = [m for m in merged if m[0][0] == upper_row and m[1][1] > m[0][1]]
    if spans:
        return True
    repeated = len(lower) > len(upper) and len({heading_key(cell_text(v)) for v in lower.values()}) < len(lower)
    gaps = any(c not in upper for c in lower) and any(c not in lower for c in upper)
    return repeated or (gaps and len(lower) > len(upper))


def _merged_columns(merged, row: int, grid: Grid) -> dict[int, str]:
    """Column -> the text of the merged cell that starts in ``row`` and spans over that column."""
    spans = {}
    for (r0, c0), (r1, c1) in merged:
        if r0 <= row <= r1 and c1 > c0:
            text = _heading_text(grid.value(r0, c0))
            for c in range(c0 + 1, c1 + 1):
                spans[c] = text
    return spans


def _read_body(grid: Grid, layout: Layout, headings: list[str]) -> None:
    rows = grid.rows
    pending_section: tuple[int, str] | None = None
    for r in range(layout.heading_row + 1, len(rows)):
        values = rows[r]
        filled = [(c, v) for c, v in enumerate(values) if _filled(v)]
        if not filled:
            continue
        first_text = next((cell_text(v).strip() for _, v in filled[:3] if isinstance(v, str)), "")
        if is_total(first_text):
            layout.total_rows.append(r)
            continue
        if len(filled) == 1 and isinstance(filled[0][1], str):
            pending_section = (r, filled[0][1].strip())
            continue
        if pending_section is not None:
            layout.sections[pending_section[0]] = pending_section[1]
            pending_section = None
        layout.data_rows.append(r)


def _classify(layout: Layout, grid: Grid) -> None:
    measures = {c: field_for(h, "measures") for c, h in enumerate(layout.headings) if h}
    budget = {c: field_for(h, "budget") for c, h in enumerate(layout.headings) if h}
    m_fields = {f for f, s in measures.values() if f and s}
    b_fields = {f for f, s in budget.values() if f and s}
    measure_values = {"Target", "Latest Actual", "In-Year Period", "Earlier Year Actual", "Good Performance",
                      "Source RAG", "In-Year Target"}
    m_score = (2 if m_fields & {"PI Name", "PI Code"} else 0) + len(m_fields & measure_values) + 0.5 * (
        "In-Year Period" in m_fields)
    b_score = (2 if "Net Budget" in b_fields else 0) + len(b_fields & {"Forecast Outturn", "Variance",
                                                                       "Gross Expenditure", "Gross Income"})
    b_score += 1 if ("Service" in b_fields and b_fields & {"Net Budget", "Forecast Outturn"}) else 0
    money = _mostly_numbers(grid, layout, [c for c, (f, _) in budget.items() if f in ("Net Budget",
                                                                                     "Forecast Outturn")])
    values_named = m_fields & {"Target", "In-Year Period", "Earlier Year Actual", "In-Year Target"} or (
        "Latest Actual" in m_fields and m_fields & {"Good Performance", "Unit", "Reported", "Comparator"})
    if m_score >= 3 and m_fields & {"PI Name", "PI Code"} and values_named and m_score >= b_score:
        layout.kind, layout.fields = "measures", {c: v for c, v in measures.items() if v[0]}
    elif b_score >= 3 and money:
        layout.kind, layout.fields = "budget", {c: v for c, v in budget.items() if v[0]}
    else:
        layout.kind = "table"


def _mostly_numbers(grid: Grid, layout: Layout, columns: list[int]) -> bool:
    from ..rules.values import UnreadableValue, parse_number

    for c in columns:
        good = bad = 0
        for r in layout.data_rows[:50]:
            value = grid.value(r, c)
            if not _filled(value):
                continue
            try:
                parse_number(value)
                good += 1
            except UnreadableValue:
                bad += 1
        if good and good >= bad:
            return True
    return False


# --- saying what a sheet looks like ---------------------------------------------------------------------------

_KIND_WORDS = {"measures": "a list of performance measures", "budget": "a budget"}


def heading_summary(headings: list[str], limit: int = 6) -> str:
    """The headings in a short list, a run of quarters or months shortened: 'Indicator, Target, Q1 ... Q4'."""
    shown: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) > 2:
            shown.append(f"{run[0]} ... {run[-1]}")
        else:
            shown.extend(run)
        run.clear()

    for heading in (h for h in headings if h):
        if period_of(heading) is not None and len(heading) <= 16:
            run.append(heading)
            continue
        flush()
        shown.append(heading)
    flush()
    text = ", ".join(_short(h) for h in shown[:limit])
    return text + (f" and {len(shown) - limit} more" if len(shown) > limit else "")


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(layout: Layout) -> str:
    """One line on what the sheet looks like, for officers."""
    if layout.kind == "empty":
        return "empty"
    if layout.kind == "values":
        count = len(layout.data_rows)
        return f"no headings found ({count} row{'s' if count != 1 else ''} of values)"
    count = len(layout.data_rows)
    rows_word = f"{count} row{'s' if count != 1 else ''}"
    where = (f"headings in rows {layout.first_heading_row + 1}-{layout.heading_row + 1}" if layout.heading_rows == 2
             else f"headings in row {layout.heading_row + 1}")
    with_headings = heading_summary(layout.headings)
    if layout.kind in _KIND_WORDS:
        return f"{where}; looks like {_KIND_WORDS[layout.kind]}: {rows_word} with {with_headings}"
    return f"{where}; a table of {rows_word} with {with_headings} (not performance measures or a budget)"
