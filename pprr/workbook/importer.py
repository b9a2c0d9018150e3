"""Import a council's own spreadsheet into the template: find its headings, propose which column is which template
field, let the officer confirm or change that, and write a template workbook that ``pprr check`` accepts.

A :class:`Mapping` says, per sheet, what the sheet is (measures, budget or left out), where its headings are and
which template field each column goes to. :func:`propose` makes one from the headings (the words officers use, see
:mod:`.layout_sniff`) and from what the values look like; :func:`mapping_to_toml` and :func:`mapping_from_text`
save and read it, so next quarter's file of the same layout imports in one step; :func:`fit_mapping` applies a
saved mapping to a new file and says exactly which sheet, row and column no longer fit. :func:`build` writes the
workbook and lists everything it could not map, every default it stated and every row it left out.

Values keep their text as officers wrote them. Quarter and month columns are in-year periods: the latest one
filled is the measure's actual for the year, written with its period ("45% Q3") so the reader's period notes
apply; every period column is kept beside it.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import schema
from ..model import PortfolioWorkbook, Problem, Severity
from ..rules.values import (
    UnreadableValue,
    cell_text,
    format_number,
    parse_number,
    parse_value,
    percent_decimals,
)
from ..schema import column_letter, norm_header
from .layout_sniff import (
    Layout,
    field_for,
    heading_key,
    heading_year,
    layout_at,
    period_of,
    period_order,
    period_year,
    sniff,
)
from .xlsx import Grid, merged_ranges, read_source_grids

MAPPING_FORMAT = "pprr import mapping"
MAPPING_VERSION = 1
KEEP = "Keep as extra column"
LEAVE_OUT = "Leave out"
MEASURES, BUDGET, SKIP = "measures", "budget", "skip"
SHEET_KINDS = {MEASURES: "Performance measures", BUDGET: "Budget", SKIP: "Leave out"}

# What a column of each kind of sheet can be mapped to, in the order the app offers them.
MEASURE_ROLES = ("PI Code", "PI Name", "Cohort", "Priority", "Good Performance", "Target", "Latest Actual",
                 "In-Year Period", "In-Year Target", "Earlier Year Actual", "Unit", "Reported", "Measure Type",
                 "Tolerance", "Comparator", "Corporate", "GMS", "Commentary", "Lead Officer", "Source RAG")
BUDGET_ROLES = ("Service", "Division", "Net Budget", "Forecast Outturn", "Variance", "Gross Expenditure",
                "Gross Income", "Employee Expenditure", "Non-Employee Expenditure", "Commentary", "Source RAG")
ROLE_HELP = {
    "Latest Actual": "this year's actual, as written",
    "In-Year Period": "a quarter or month of this year: the latest filled is this year's actual",
    "In-Year Target": "the target for a quarter or month, kept beside it",
    "Earlier Year Actual": "a previous year's actual: the year is read from the heading",
    "Source RAG": "the file's own rating, kept to compare with pprr's",
    "Lead Officer": "kept as a column beside the measure",
    "Variance": "used only to work out the forecast when the file has none",
}
_REPEATABLE = {"In-Year Period", "In-Year Target", "Earlier Year Actual"}
PORTFOLIO_FIELDS = ("Council", "Portfolio", "Financial Year", "Reporting Period")


def roles_for(kind: str) -> tuple[str, ...]:
    return (*(MEASURE_ROLES if kind == MEASURES else BUDGET_ROLES), KEEP, LEAVE_OUT)


class ImportProblem(Exception):
    """Why an import cannot be done, as problems naming sheet, row and column. Nothing is written."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


# --- the mapping ----------------------------------------------------------------------------------------------


@dataclass
class SheetMapping:
    sheet: str
    kind: str  # measures, budget or skip
    heading_row: int  # 1-based, the row just above the data (the lower one of two heading rows)
    heading_rows: int = 1
    columns: dict[str, str] = field(default_factory=dict)  # column heading (as keyed by column_keys) -> role


@dataclass
class Mapping:
    sheets: list[SheetMapping] = field(default_factory=list)
    portfolio: dict[str, str] = field(default_factory=dict)  # Council, Portfolio, Financial Year, Reporting Period
    defaults: dict[str, str] = field(default_factory=dict)  # Portfolio field -> how its value was chosen, when the
    #                                                          file did not state it (not saved with the mapping)

    def sheet(self, name: str) -> SheetMapping | None:
        return next((s for s in self.sheets if s.sheet == name), None)


@dataclass
class Source:
    """A workbook to import from: its sheets' values, merged ranges and the layout found on each."""

    name: str
    grids: dict[str, Grid]
    merged: dict[str, list]
    layouts: dict[str, Layout]

    def layout(self, sheet: SheetMapping) -> Layout:
        found = self.layouts.get(sheet.sheet)
        if found is not None and found.heading_row == sheet.heading_row - 1 and \
                found.heading_rows == sheet.heading_rows:
            return found
        return layout_at(self.grids[sheet.sheet], sheet.heading_row - 1, sheet.heading_rows,
                         self.merged.get(sheet.sheet, ()))


def read_import_source(data: bytes, filename: str = "workbook.xlsx") -> Source:
    """Check a file with the upload gate (as an import source: .xlsx, .xls or .ods) and read every sheet."""
    from .gate import check_upload
    from .reader import UNREADABLE
    from .xlsx import SheetTooLarge

    refused = check_upload(data, filename, for_import=True)
    if refused:
        raise ImportProblem(refused)
    try:
        grids = read_source_grids(data)
    except SheetTooLarge as exc:
        raise ImportProblem([Problem(Severity.ERROR, exc.sheet, None, None, str(exc))]) from None
    except MemoryError:
        raise ImportProblem([_file("The workbook is too large to read.")]) from None
    except Exception:  # noqa: BLE001 - whatever the libraries raise, the officer gets one plain sentence
        raise ImportProblem([_file(UNREADABLE)]) from None
    layouts = {name: sniff(grid) for name, grid in grids.items()}
    wanted = [name for name, layout in layouts.items() if layout.kind != "empty"][:50]
    merged = merged_ranges(data, wanted)
    for name, ranges in merged.items():
        if ranges:
            layouts[name] = sniff(grids[name], ranges)
    return Source(Path(filename).name, grids, merged, layouts)


def _file(message: str) -> Problem:
    return Problem(Severity.ERROR, "File", None, None, message)


def column_keys(layout: Layout, grid: Grid) -> dict[int, str]:
    """Column index -> the key a mapping names it by: its heading, 'Column F' when it has none (columns with
    neither heading nor data are left out), and the heading with its column letter when it appears twice."""
    keys: dict[int, str] = {}
    seen: set[str] = set()
    for c, heading in enumerate(layout.headings):
        if not heading and not any(_filled(grid.value(r, c)) for r in layout.data_rows[:200]):
            continue
        key = heading or f"Column {column_letter(c)}"
        if key.casefold() in seen:
            key = f"{key} ({column_letter(c)})"
        seen.add(key.casefold())
        keys[c] = key
    return keys


def _filled(value: object) -> bool:
    return value is not None and value != "" and not (isinstance(value, str) and not value.strip())


def _keys(source: Source, sheet: str, layout: Layout) -> dict[int, str]:
    return column_keys(layout, source.grids[sheet])


# --- proposing a mapping --------------------------------------------------------------------------------------

_RAG_WORDS = {"red", "amber", "green", "r", "a", "g", "blue", "grey", "gray", "on target", "off target",
              "on track", "off track", "at risk", "achieved", "not achieved", "met", "not met", "n/a", "ra", "ag"}
_HIGH_WORDS = {"high", "higher", "higher is better", "up", "increase", "maximise", "maximize", "bigger",
               "bigger is better", "more", "more is better", "↑", "h", "high is good", "good is high", "aim high",
               "aim to maximise", "aim to increase", "increase is good", "hib", "higher better", "larger"}
_LOW_WORDS = {"low", "lower", "lower is better", "down", "decrease", "minimise", "minimize", "smaller",
              "smaller is better", "less", "less is better", "↓", "l", "low is good", "good is low", "aim low",
              "aim to minimise", "aim to reduce", "reduce", "decrease is good", "lib", "lower better"}
_CONTEXT_WORDS = {"contextual", "context", "n/a", "na", "neither", "monitor", "monitoring", "none", "-",
                  "no polarity", "not applicable", "data only", "tracking"}
_FREQUENCY = {"monthly": "Monthly", "month": "Monthly", "quarterly": "Quarterly", "quarter": "Quarterly",
              "qtrly": "Quarterly", "termly": "Termly", "term": "Termly", "annually": "Annually", "annual": "Annually",
              "yearly": "Annually", "year": "Annually", "annualy": "Annually", "biannual": "Termly",
              "6 monthly": "Termly", "half yearly": "Termly", "six monthly": "Termly", "bi annual": "Termly"}
_CODE_LIKE = re.compile(r"^[A-Za-z]{1,8}[\s._\-/]?\d+[A-Za-z0-9.()\-/]*$|^\d{1,3}(?:\.\d{1,3}){0,2}[a-z]?$")


def _column_values(source: Source, sheet: str, layout: Layout, c: int, limit: int = 60) -> list:
    grid = source.grids[sheet]
    return [v for r in layout.data_rows[:limit] if _filled(v := grid.value(r, c))]


def _shape(values: list) -> str | None:
    """What a column's values look like: rag, polarity, frequency, code, text (long), number, or None."""
    if not values:
        return None
    texts = [" ".join(str(v).split()).casefold() for v in values if isinstance(v, str)]
    share = len(texts) / len(values)
    if texts and share > 0.8:
        if sum(t in _RAG_WORDS for t in texts) >= 0.8 * len(texts) and any(t in ("red", "amber", "green", "r", "a",
                                                                               "g") for t in texts):
            return "rag"
        if sum(t in _HIGH_WORDS | _LOW_WORDS for t in texts) >= 0.8 * len(texts):
            return "polarity"
        if sum(t in _FREQUENCY for t in texts) >= 0.8 * len(texts):
            return "frequency"
        if sum(bool(_CODE_LIKE.match(t)) for t in texts) >= 0.8 * len(texts) and \
                len(set(texts)) >= 0.8 * len(texts):
            return "code"
        if sum(len(t) for t in texts) / len(texts) > 20:
            return "text"
    numbers = 0
    for v in values:
        try:
            if parse_number(v) is not None:
                numbers += 1
        except UnreadableValue:
            pass
    return "number" if numbers >= 0.6 * len(values) else None


def propose(source: Source, portfolio: dict[str, str] | None = None) -> Mapping:
    """The proposed mapping: every sheet that looks like measures or a budget, each column by name, then by what
    its values look like; columns with data that match nothing are kept as extra columns."""
    mapping = Mapping()
    for name, layout in source.layouts.items():
        if layout.kind not in (MEASURES, BUDGET):
            continue
        mapping.sheets.append(propose_sheet(source, name, layout.kind, layout))
    mapping.portfolio = propose_portfolio(source, mapping, portfolio or {})
    return mapping


def propose_sheet(source: Source, name: str, kind: str, layout: Layout | None = None) -> SheetMapping:
    """The proposed column mapping of one sheet read as ``kind`` (the app calls this when the officer changes
    what a sheet is or where its headings are)."""
    layout = layout or source.layouts[name]
    keys = _keys(source, name, layout)
    roles: dict[int, str] = {}
    strengths: dict[int, int] = {}
    for c in keys:
        heading = layout.headings[c] if c < len(layout.headings) else ""
        role, strength = field_for(heading, kind) if heading else (None, 0)
        if role:
            roles[c], strengths[c] = role, strength
    if kind == MEASURES:
        _settle_years(layout, roles)
    _one_column_each(roles, strengths, keys, layout, kind)
    for c in keys:
        if c in roles:
            continue
        role = _by_values(_shape(_column_values(source, name, layout, c)), kind, set(roles.values()))
        roles[c] = role or (KEEP if _column_values(source, name, layout, c, 5) else LEAVE_OUT)
    if kind == MEASURES:
        _name_and_code(source, name, layout, roles)
    return SheetMapping(name, kind, (layout.heading_row or 0) + 1, layout.heading_rows,
                        {keys[c]: roles[c] for c in keys})


def _settle_years(layout: Layout, roles: dict[int, str]) -> None:
    """A target or actual heading with a year: the latest year's target is the target (the others are kept),
    an actual of the target's year is the latest actual."""
    targets = [(heading_year(layout.headings[c]) or "", c) for c, r in roles.items() if r == "Target"]
    if len(targets) > 1:
        keep = max(targets)[1]
        for _, c in targets:
            if c != keep:
                roles[c] = KEEP
    year = max(targets)[0] if targets else ""
    for c, role in list(roles.items()):
        heading_years = heading_year(layout.headings[c])
        if role == "Earlier Year Actual" and year and heading_years == year and "Latest Actual" not in \
                roles.values():
            roles[c] = "Latest Actual"
        elif role == "Latest Actual" and heading_years and year and heading_years < year:
            roles[c] = "Earlier Year Actual"


def _one_column_each(roles: dict[int, str], strengths: dict[int, int], keys: dict[int, str], layout: Layout,
                     kind: str) -> None:
    """A field taken by two columns goes to the better-named one (then the leftmost); the other is looked at
    again by its values."""
    by_role: dict[str, list[int]] = {}
    for c, role in roles.items():
        if role not in _REPEATABLE and role not in (KEEP, LEAVE_OUT):
            by_role.setdefault(role, []).append(c)
    for role, columns in by_role.items():
        if len(columns) < 2:
            continue
        best = max(columns, key=lambda c: (strengths.get(c, 0), -c))
        for c in columns:
            if c != best:
                del roles[c]


def _by_values(shape: str | None, kind: str, taken: set[str]) -> str | None:
    wanted = {
        MEASURES: {"rag": "Source RAG", "polarity": "Good Performance", "frequency": "Reported", "code": "PI Code",
                   "text": "PI Name"},
        BUDGET: {"rag": "Source RAG", "text": "Service"},
    }[kind].get(shape or "")
    if wanted and wanted not in taken:
        return wanted
    if shape == "text" and "Commentary" not in taken:
        return "Commentary"
    return None


def _name_and_code(source: Source, sheet: str, layout: Layout, roles: dict[int, str]) -> None:
    """Swap the PI Code and PI Name proposals when their values say the opposite (a 'KPI' column of codes)."""
    code = next((c for c, r in roles.items() if r == "PI Code"), None)
    name = next((c for c, r in roles.items() if r == "PI Name"), None)
    code_shape = _shape(_column_values(source, sheet, layout, code)) if code is not None else None
    name_shape = _shape(_column_values(source, sheet, layout, name)) if name is not None else None
    if code is not None and code_shape == "text" and (name is None or name_shape == "code"):
        roles[code] = "PI Name"
        if name is not None:
            roles[name] = "PI Code"
    elif name is not None and code is None and name_shape == "code":
        roles[name] = "PI Code"


_PERIOD_WORDS = (("q1", "Q1"), ("quarter 1", "Q1"), ("q2", "Mid-Year"), ("quarter 2", "Mid-Year"),
                 ("mid-year", "Mid-Year"), ("mid year", "Mid-Year"), ("half year", "Mid-Year"),
                 ("q3", "Q3 Update"), ("quarter 3", "Q3 Update"), ("q4", "Annual"), ("quarter 4", "Annual"),
                 ("year end", "Annual"), ("annual report", "Annual"), ("outturn", "Annual"))
_COUNCIL = re.compile(r"^(.*\b(?:council|authority))\b", re.IGNORECASE)


def propose_portfolio(source: Source, mapping: Mapping, given: dict[str, str]) -> dict[str, str]:
    """Council, Portfolio, Financial Year and Reporting Period: given (command line) first, then what the file
    states in its title rows and headings."""
    titles = [t for s in mapping.sheets for t in source.layouts[s.sheet].titles] if mapping.sheets else []
    titles += [t for layout in source.layouts.values() for t in layout.titles]
    out = {k: v for k, v in given.items() if v}
    mapping.defaults = {}
    if "Financial Year" not in out:
        out["Financial Year"] = _year_stated(source, mapping, titles)
        if not out["Financial Year"]:
            out["Financial Year"] = _current_year()
            mapping.defaults["Financial Year"] = "the current financial year; the file does not say (give --year)"
    if "Reporting Period" not in out:
        out["Reporting Period"] = _period_stated(source, mapping, titles)
        if not out["Reporting Period"]:
            mapping.defaults["Reporting Period"] = "left blank; the file does not say (give --period)"
    if "Council" not in out:
        council = next((m.group(1).strip() for t in titles if (m := _COUNCIL.match(t))), "")
        out["Council"] = council
    if "Portfolio" not in out:
        title = next((t for t in titles if len(t) <= 120), "")
        title = re.sub(r"\b(?:19|20)\d{2}\s*[/\-–]\s*\d{2,4}\b|\b(?:q[1-4]|quarter\s*[1-4])\b", "", title,
                       flags=re.IGNORECASE)
        council = out.get("Council", "")
        if council and title.casefold().startswith(council.casefold()):
            title = title[len(council):]
        title = " ".join(title.replace("–", "-").split()).strip(" -:,")
        out["Portfolio"] = title or Path(source.name).stem.replace("_", " ").strip()
        if not title:
            mapping.defaults["Portfolio"] = "the file's name; the file has no title row (give --portfolio)"
    return out


def _year_stated(source: Source, mapping: Mapping, titles: list[str]) -> str:
    target_years, period_years, earlier = [], [], []
    for sheet in mapping.sheets:
        layout = source.layout(sheet)
        keys = _keys(source, sheet.sheet, layout)
        for c, key in keys.items():
            role = sheet.columns.get(key)
            year = heading_year(layout.headings[c]) if c < len(layout.headings) else None
            if not year and role == "In-Year Period":
                year = period_year(layout.headings[c])
            if not year:
                continue
            if role == "Target":
                target_years.append(year)
            elif role in ("In-Year Period", "In-Year Target", "Latest Actual", "Net Budget", "Forecast Outturn"):
                period_years.append(year)
            elif role == "Earlier Year Actual":
                earlier.append(year)
    title_years = [y for t in titles if (y := heading_year(t))]
    for years in (target_years, title_years, period_years):
        if years:
            return max(years)
    if earlier:
        return _next_year(max(earlier))
    return ""


def _next_year(year: str) -> str:
    start = int(year[:4]) + 1
    return f"{start}/{(start + 1) % 100:02d}"


def _current_year() -> str:
    from .template import current_financial_year

    return current_financial_year()


def _period_stated(source: Source, mapping: Mapping, titles: list[str]) -> str:
    for title in titles:
        folded = title.casefold()
        for word, period in _PERIOD_WORDS:
            if re.search(r"(?<![a-z0-9])" + re.escape(word) + r"(?![a-z0-9])", folded):
                return period
    latest = -1
    for sheet in mapping.sheets:
        if sheet.kind != MEASURES:
            continue
        layout = source.layout(sheet)
        keys = _keys(source, sheet.sheet, layout)
        for c, key in keys.items():
            if sheet.columns.get(key) == "In-Year Period" and _column_values(source, sheet.sheet, layout, c):
                period = period_of(layout.headings[c])
                latest = max(latest, period_order(period) if period else -1)
    if latest < 0:
        return ""
    return ("Q1", "Mid-Year", "Q3 Update", "Annual")[latest // 3]


# --- applying a saved mapping to a new file -------------------------------------------------------------------


def _year_masked(text: str) -> str:
    return re.sub(r"(?:19|20)\d{2}\s*[/\-–]\s*\d{2,4}|\b\d{2}\s*/\s*\d{2}\b", "YEAR", norm_header(text))


def fit_mapping(source: Source, saved: Mapping, given: dict[str, str] | None = None) -> tuple[Mapping, list[str]]:
    """A saved mapping applied to this file: every sheet and heading it names must be there (a heading whose year
    moved on, 'Target 2023/24' for 'Target 2022/23', still fits). Raises ImportProblem naming the sheet, row and
    column that no longer fit; returns the mapping and notes on columns new since the mapping was saved."""
    problems, notes = [], []
    fitted = Mapping(portfolio=dict(saved.portfolio))
    for sheet in saved.sheets:
        if sheet.sheet not in source.grids:
            problems.append(Problem(Severity.ERROR, sheet.sheet, None, None,
                                    f"The mapping reads a sheet named '{sheet.sheet}', which {source.name} does not "
                                    f"have (its sheets: {_listed(source.grids)}). Rename the sheet or the "
                                    "mapping's 'sheet' entry."))
            continue
        if sheet.kind == SKIP:
            fitted.sheets.append(sheet)
            continue
        grid = source.grids[sheet.sheet]
        if sheet.heading_row < 1 or sheet.heading_row > len(grid.rows):
            problems.append(Problem(Severity.ERROR, sheet.sheet, sheet.heading_row, None,
                                    f"The mapping puts the headings in row {sheet.heading_row}, but the sheet has "
                                    f"{len(grid.rows)} rows."))
            continue
        layout = source.layout(sheet)
        keys = _keys(source, sheet.sheet, layout)
        by_key = {key.casefold(): key for key in keys.values()}
        by_masked = {}
        for key in keys.values():
            by_masked.setdefault(_year_masked(key), []).append(key)
        columns: dict[str, str] = {}
        for heading, role in sheet.columns.items():
            found = by_key.get(heading.casefold())
            if found is None and len(by_masked.get(_year_masked(heading), ())) == 1:
                found = by_masked[_year_masked(heading)][0]
            if found is None:
                if role in (LEAVE_OUT, KEEP):
                    notes.append(f"{sheet.sheet}: the column '{heading}' is no longer in the file.")
                    continue
                problems.append(Problem(
                    Severity.ERROR, sheet.sheet, sheet.heading_row, None,
                    f"The mapping maps the column '{heading}' to {role}, but row {sheet.heading_row} of the "
                    f"'{sheet.sheet}' sheet has no such heading (it has: {_listed(keys.values(), 8)}). Was it "
                    "renamed? Change the mapping file to the new heading, or make a new mapping."))
                continue
            columns[found] = role
        new = [c for c, key in keys.items() if key not in columns]
        if new:
            proposed = propose_sheet(source, sheet.sheet, sheet.kind, layout)
            for c in new:
                key = keys[c]
                columns[key] = proposed.columns.get(key, LEAVE_OUT)
                notes.append(f"{sheet.sheet}: the column '{key}' (column {column_letter(c)}) is not in the mapping; "
                             f"read as {columns[key]}, as proposed.")
        ordered = {keys[c]: columns[keys[c]] for c in keys if keys[c] in columns}
        fitted.sheets.append(replace(sheet, columns=ordered))
    if problems:
        raise ImportProblem(problems)
    fitted.portfolio = propose_portfolio(source, fitted, {**saved.portfolio, **(given or {})})
    return fitted, notes


def _listed(names, limit: int = 6) -> str:
    names = list(names)
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


# --- checking a mapping ---------------------------------------------------------------------------------------


def check_mapping(source: Source, mapping: Mapping) -> list[Problem]:
    """What stops this mapping being imported: a sheet with no measure (or service) column, a field taken by two
    columns, nothing to import at all."""
    problems = []
    for sheet in mapping.sheets:
        if sheet.kind == SKIP:
            continue
        layout = source.layout(sheet)
        keys = _keys(source, sheet.sheet, layout)
        letters = {key: column_letter(c) for c, key in keys.items()}
        taken: dict[str, list[str]] = {}
        for key, role in sheet.columns.items():
            if role in roles_for(sheet.kind)[:-2] and role not in _REPEATABLE:
                taken.setdefault(role, []).append(key)
            elif role not in roles_for(sheet.kind):
                problems.append(Problem(Severity.ERROR, sheet.sheet, sheet.heading_row, letters.get(key),
                                        f"'{role}' is not something a column of a {SHEET_KINDS[sheet.kind].lower()} "
                                        f"sheet can be mapped to (column '{key}'); choose one of: "
                                        f"{', '.join(roles_for(sheet.kind))}."))
        for role, keys_taken in taken.items():
            if len(keys_taken) > 1:
                named = " and ".join(f"{letters.get(k, '?')} ('{k}')" for k in keys_taken)
                problems.append(Problem(Severity.ERROR, sheet.sheet, sheet.heading_row, letters.get(keys_taken[1]),
                                        f"Columns {named} are both mapped to {role}: map only one of them to "
                                        f"{role}."))
        roles = set(sheet.columns.values())
        if sheet.kind == MEASURES and not roles & {"PI Name", "PI Code"}:
            problems.append(Problem(Severity.ERROR, sheet.sheet, sheet.heading_row, None,
                                    f"No column of the '{sheet.sheet}' sheet is mapped to PI Name or PI Code "
                                    f"(headings in row {sheet.heading_row}: {_listed(keys.values(), 6)}): map the "
                                    "column that names each measure, or leave the sheet out."))
        if sheet.kind == BUDGET:
            for needed in ("Service", "Net Budget"):
                if needed not in roles:
                    problems.append(Problem(Severity.ERROR, sheet.sheet, sheet.heading_row, None,
                                            f"No column of the '{sheet.sheet}' sheet is mapped to {needed} "
                                            f"(headings in row {sheet.heading_row}: {_listed(keys.values(), 6)})."))
    if not any(s.kind != SKIP for s in mapping.sheets) and not problems:
        outline = "; ".join(f"'{n}' {_short_kind(layout)}" for n, layout in list(source.layouts.items())[:8])
        problems.append(_file(f"No sheet of {source.name} looks like a list of performance measures or a budget "
                              f"({outline}). Choose what each sheet is and map its columns."))
    year = mapping.portfolio.get("Financial Year", "")
    if year and not schema.YEAR_RE.match(year):
        problems.append(_file(f"Financial Year '{year}' should look like 2023/24."))
    return problems


def _short_kind(layout: Layout) -> str:
    return {"empty": "is empty", "values": "has no headings"}.get(
        layout.kind, f"has headings in row {(layout.heading_row or 0) + 1}")


# --- building the workbook ------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    data: bytes  # the template workbook (.xlsx)
    workbook: PortfolioWorkbook  # as pprr reads it back
    notes: list[str]  # defaults stated, rows left out, columns not mapped, ratings compared
    measures: list[dict]  # the rows written to the Measures sheet (for a preview)
    budget: list[dict]  # the rows written to the Budget sheet


@dataclass
class _Cell:
    """A value to write: what the source cell held, with its number format (a % format is kept)."""

    value: object
    number_format: str | None = None

    @property
    def text(self) -> str:
        return _display(self.value, self.number_format)


def _display(value: object, number_format: str | None = None) -> str:
    """A cell as the officer sees it: a 0.45 with a % format is '45%'."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    decimals = percent_decimals(number_format)
    if decimals is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{format_number(float(f'{value * 100:.10g}'), decimals)}%"
    if isinstance(value, float):
        return format_number(float(f"{value:.12g}"))
    return cell_text(value).strip()


def build(source: Source, mapping: Mapping) -> ImportResult:
    """Write the template workbook for ``mapping``. Raises ImportProblem when the mapping cannot be imported."""
    problems = check_mapping(source, mapping)
    if problems:
        raise ImportProblem(problems)
    builder = _Builder(source, mapping)
    for sheet in mapping.sheets:
        if sheet.kind == MEASURES:
            builder.measures_sheet(sheet)
        elif sheet.kind == BUDGET:
            builder.budget_sheet(sheet)
    return builder.finish()


class _Builder:
    def __init__(self, source: Source, mapping: Mapping):
        self.source = source
        self.mapping = mapping
        self.year = mapping.portfolio.get("Financial Year") or _current_year()
        self.notes: list[str] = []
        self.priorities: dict[str, tuple[int, str]] = {}  # key -> (number, title)
        self.measures: list[dict] = []
        self.budget: list[dict] = []
        self.extra_measure_columns: list[str] = []
        self.extra_budget_columns: list[str] = []
        self.actual_years: set[str] = set()
        self.codes: dict[tuple[str, str], int] = {}
        self.source_rag: list[tuple[str, str]] = []  # (measure label, source rating)

    # -- measures --

    def measures_sheet(self, sheet: SheetMapping) -> None:
        layout = self.source.layout(sheet)
        grid = self.source.grids[sheet.sheet]
        keys = _keys(self.source, sheet.sheet, layout)
        role_cols: dict[str, list[int]] = {}
        for c, key in keys.items():
            role_cols.setdefault(sheet.columns.get(key, LEAVE_OUT), []).append(c)

        def one(role: str) -> int | None:
            return role_cols.get(role, [None])[0]

        periods = sorted(((period_of(layout.headings[c]) or "", c) for c in role_cols.get("In-Year Period", [])),
                         key=lambda pc: (period_order(pc[0]), pc[1]))
        period_targets = {period_of(layout.headings[c]) or "": c for c in role_cols.get("In-Year Target", [])}
        earlier = self._earlier_years(layout, role_cols.get("Earlier Year Actual", []))
        reported_default = "Monthly" if any(p[:1] != "Q" for p, _ in periods if p) and periods else (
            "Quarterly" if periods else "Annually")
        polarity_col = one("Good Performance")
        polarity_heading = heading_key(layout.headings[polarity_col]) if polarity_col is not None else ""
        priority_col = one("Priority")
        section = ""
        sheet_priority = sheet.sheet
        code_prefix = "".join(w[0] for w in re.findall(r"[A-Za-z]+", sheet.sheet)).upper()[:4] or "M"
        for period_name in ("In-Year Period", "In-Year Target"):
            for c in role_cols.get(period_name, []):
                self._extra(self.extra_measure_columns, self._period_heading(layout, c, period_name))
        for role in ("Lead Officer", "Source RAG"):
            if role in role_cols:
                self._extra(self.extra_measure_columns, role)
        kept = [(c, self._kept_heading(keys[c])) for c in role_cols.get(KEEP, [])]
        for _, heading in kept:
            self._extra(self.extra_measure_columns, heading)
        generated = contextual = 0
        unread_polarity: list[str] = []
        sections = dict(layout.sections)
        for ordinal, r in enumerate(layout.data_rows, start=1):
            for sr in [s for s in sections if s < r]:
                section = sections.pop(sr)

            def cell(c: int | None, r: int = r) -> _Cell:
                if c is None:
                    return _Cell(None)
                return _Cell(grid.value(r, c), grid.formats.get((r, c)))

            name = cell(one("PI Name")).text
            code = cell(one("PI Code")).text
            if not name and not code:
                self.notes.append(f"{sheet.sheet} row {r + 1}: no measure name or code; left out.")
                continue
            if not code:
                code = f"{code_prefix}.{ordinal}"
                generated += 1
            cohort = cell(one("Cohort")).text
            priority_text = cell(priority_col).text if priority_col is not None else ""
            priority = self._priority(priority_text or section or sheet_priority)
            row: dict[str, object] = {"PI Code": code, "Cohort": cohort, "PI Name": name, "Priority": priority}
            row["Measure Type"] = self._closed(cell(one("Measure Type")).text, schema.MEASURE_TYPES, "Council",
                                               sheet.sheet, r, "Measure Type")
            frequency = cell(one("Reported")).text
            row["Reported"] = _FREQUENCY.get(frequency.casefold(), "") or self._closed(
                frequency, schema.REPORTED, reported_default, sheet.sheet, r, "Reported")
            target_cell = cell(one("Target"))
            polarity = _polarity(cell(polarity_col).text, polarity_heading) if polarity_col is not None else None
            if polarity is None:
                polarity = _polarity_from_target(target_cell.text)
            if polarity is None:
                polarity = "Contextual"
                contextual += 1
                unread_polarity.append(code)
            row["Good Performance"] = polarity
            row["Unit"] = self._unit(cell(one("Unit")).text, [cell(c) for _, c in periods] + [
                cell(one("Latest Actual")), target_cell])
            for role in ("Tolerance", "Comparator", "Corporate", "GMS", "Commentary", "Lead Officer", "Source RAG"):
                if one(role) is not None:
                    row[role] = cell(one(role))
            for year, c in earlier:
                row[schema.actual_header(year)] = cell(c)
            latest, latest_period = self._latest(cell(one("Latest Actual")), [(p, cell(c)) for p, c in periods])
            if latest is not None:
                row[schema.actual_header(self.year)] = latest
            if _filled(target_cell.value):
                row[schema.target_header(self.year)] = target_cell
            elif latest_period in period_targets:
                row[schema.target_header(self.year)] = cell(period_targets[latest_period])
            for period_name in ("In-Year Period", "In-Year Target"):
                for c in role_cols.get(period_name, []):
                    row[self._period_heading(layout, c, period_name)] = cell(c)
            for c, heading in kept:
                row[heading] = cell(c)
            self._unique(row, sheet.sheet, r)
            if one("Source RAG") is not None and cell(one("Source RAG")).text:
                label = f"{row['PI Code']} {row['Cohort']}".strip()
                self.source_rag.append((label, cell(one("Source RAG")).text))
            self.measures.append(row)
        if generated:
            self.notes.append(f"{sheet.sheet}: {generated} measures had no code in the file; they are numbered "
                              f"{code_prefix}.1, {code_prefix}.2 ... by their place in the sheet.")
        if unread_polarity:
            self.notes.append(f"{sheet.sheet}: good performance (high or low) could not be read for {contextual} "
                              f"measure{'s' if contextual != 1 else ''}, set to Contextual (not rated): "
                              f"{', '.join(unread_polarity[:12])}{' ...' if len(unread_polarity) > 12 else ''}. "
                              "Set High or Low in the Good Performance column.")
        if priority_col is None and not layout.sections:
            self.notes.append(f"{sheet.sheet}: no priority column; the measures are under one priority named "
                              f"'{sheet_priority}'.")
        if one("Measure Type") is None:
            self.notes.append(f"{sheet.sheet}: Measure Type is Council for every measure (no column gave it).")
        if one("Reported") is None:
            self.notes.append(f"{sheet.sheet}: Reported is {reported_default} for every measure"
                              f"{' (from its ' + ('month' if reported_default == 'Monthly' else 'quarter') + ' columns)' if periods else ''}.")
        for r in layout.total_rows:
            self.notes.append(f"{sheet.sheet} row {r + 1}: '{_row_label(grid, r)}' is a total row; left out.")

    def _earlier_years(self, layout: Layout, columns: list[int]) -> list[tuple[str, int]]:
        out, used = [], set()
        unnamed = []
        for c in columns:
            year = heading_year(layout.headings[c])
            if year and year not in used and year < self.year:
                out.append((year, c))
                used.add(year)
            else:
                unnamed.append(c)
        year = self.year
        for c in reversed(unnamed):
            year = schema.previous_year(year) or year
            while year in used:
                year = schema.previous_year(year) or year
            out.append((year, c))
            used.add(year)
            self.notes.append(f"{layout.sheet}: the column '{layout.headings[c] or column_letter(c)}' is read as "
                              f"the {year} actual.")
        for year, _ in out:
            self.actual_years.add(year)
        return sorted(out)

    def _period_heading(self, layout: Layout, c: int, role: str) -> str:
        heading = layout.headings[c] or column_letter(c)
        period = period_of(heading) or heading
        label = f"{self.year} {period}" + (" Target" if role == "In-Year Target" else "")
        return label if norm_header(heading) in (norm_header(period), norm_header(f"{period} target")) else \
            f"{label} ({heading})"

    def _latest(self, latest: _Cell, periods: list[tuple[str, _Cell]]) -> tuple[_Cell | None, str]:
        if _filled(latest.value):
            self.actual_years.add(self.year)
            return latest, ""
        numeric = [(p, c) for p, c in periods if _filled(c.value) and _has_number(c)]
        if numeric:
            period, found = numeric[-1]
            self.actual_years.add(self.year)
            return _Cell(f"{found.text} {self._period_note(period)}"), period
        texts = [(p, c) for p, c in periods if _filled(c.value)]
        if texts:
            self.actual_years.add(self.year)
            return texts[-1][1], texts[-1][0]
        return None, ""

    def _period_note(self, period: str) -> str:
        if period.startswith("Q") or not period:
            return period
        start = int(self.year[:4])
        month = period_order(period)
        return f"{period}'{(start + (1 if month >= 9 else 0)) % 100:02d}"

    def _priority(self, text: str) -> int:
        text = " ".join(str(text).split())
        key = text.casefold()
        if key not in self.priorities:
            m = re.match(r"^(?:priority|theme|outcome|objective)?\s*(\d{1,2})\s*[.:)\-–]?\s*(.*)$", text,
                         re.IGNORECASE)
            used = {n for n, _ in self.priorities.values()}
            if m and int(m.group(1)) not in used and int(m.group(1)) > 0:
                number, title = int(m.group(1)), m.group(2).strip() or text
            else:
                number, title = max(used, default=0) + 1, text
            self.priorities[key] = (number, title)
        return self.priorities[key][0]

    def _closed(self, text: str, choices: tuple[str, ...], default: str, sheet: str, r: int, what: str) -> str:
        if not text:
            return default
        found = next((c for c in choices if c.casefold() == text.casefold()), None)
        if found is None:
            self.notes.append(f"{sheet} row {r + 1}: {what} '{text}' is not one of {', '.join(choices)}; "
                              f"{default} is used.")
        return found or default

    def _unit(self, text: str, cells: list[_Cell]) -> str:
        folded = text.casefold().strip()
        units = {"%": "%", "percent": "%", "percentage": "%", "rate": "rate", "number": "number", "no": "number",
                 "no.": "number", "count": "number", "score": "score", "days": "days", "day": "days"}
        if folded in units:
            return units[folded]
        if any(percent_decimals(c.number_format) is not None or "%" in c.text for c in cells if _filled(c.value)):
            return "%"
        return ""

    def _unique(self, row: dict, sheet: str, r: int) -> None:
        key = (str(row["PI Code"]).casefold(), str(row["Cohort"]).casefold())
        if key not in self.codes:
            self.codes[key] = r
            return
        cohort = row["PI Name"] if row["PI Name"] and (str(row["PI Code"]).casefold(),
                                                       str(row["PI Name"]).casefold()) not in self.codes else ""
        row["Cohort"] = cohort or f"Row {r + 1}"
        self.codes[(str(row["PI Code"]).casefold(), str(row["Cohort"]).casefold())] = r
        self.notes.append(f"{sheet} row {r + 1}: the code {row['PI Code']} is used again; this row's cohort is "
                          f"'{row['Cohort']}'.")

    @staticmethod
    def _extra(columns: list[str], heading: str) -> None:
        if heading not in columns:
            columns.append(heading)

    @staticmethod
    def _kept_heading(key: str) -> str:
        template = {norm_header(c.name) for s in (schema.MEASURES, schema.BUDGET) for c in s.columns}
        if norm_header(key) in template or schema.ACTUAL_RE.match(key) or schema.TARGET_RE.match(key):
            return f"{key} (as in the file)"
        return key

    # -- budget --

    def budget_sheet(self, sheet: SheetMapping) -> None:
        layout = self.source.layout(sheet)
        grid = self.source.grids[sheet.sheet]
        keys = _keys(self.source, sheet.sheet, layout)
        col = {}
        kept = []
        for c, key in keys.items():
            role = sheet.columns.get(key, LEAVE_OUT)
            if role == KEEP:
                kept.append((c, self._kept_heading(key)))
            elif role != LEAVE_OUT:
                col.setdefault(role, c)
        scale, said = self._money_scale(layout, grid, col)
        if said:
            self.notes.append(f"{sheet.sheet}: {said}")
        for _, heading in kept:
            self._extra(self.extra_budget_columns, heading)
        if "Source RAG" in col:
            self._extra(self.extra_budget_columns, "Source RAG")
        division = ""
        sections = dict(layout.sections)
        for r in layout.data_rows:
            for sr in [s for s in sections if s < r]:
                division = sections.pop(sr)

            def value(role: str, r: int = r) -> object:
                return grid.value(r, col[role]) if role in col else None

            service = _display(value("Service"))
            if not service:
                self.notes.append(f"{sheet.sheet} row {r + 1}: no service name; left out.")
                continue

            def money(role: str, r: int = r) -> float | None:
                raw = value(role)
                try:
                    number = parse_number(raw) if _filled(raw) else None
                except UnreadableValue:
                    self.notes.append(f"{sheet.sheet} row {r + 1}: {role} '{_display(raw)}' is not a number; left "
                                      "blank.")
                    return None
                return None if number is None else float(f"{number * scale:.10g}")

            net = money("Net Budget")
            if net is None:
                self.notes.append(f"{sheet.sheet} row {r + 1}: '{service}' has no budget figure; left out.")
                continue
            forecast = money("Forecast Outturn")
            if forecast is None and "Variance" in col and "Forecast Outturn" not in col:
                variance = money("Variance")
                forecast = None if variance is None else float(f"{net + variance:.10g}")
            row = {"Service": service,
                   "Division": _display(value("Division")) or division or sheet.sheet,
                   "Net Budget": net, "Forecast Outturn": forecast}
            for role in ("Employee Expenditure", "Non-Employee Expenditure", "Gross Expenditure", "Gross Income"):
                if role in col:
                    row[role] = money(role)
            if "Commentary" in col:
                row["Commentary"] = _display(value("Commentary"))
            if "Source RAG" in col:
                row["Source RAG"] = _display(value("Source RAG"))
            for c, heading in kept:
                row[heading] = _Cell(grid.value(r, c), grid.formats.get((r, c)))
            self.budget.append(row)
        if "Division" not in col and not layout.sections:
            self.notes.append(f"{sheet.sheet}: no division column; every service is in the division "
                              f"'{sheet.sheet}'.")
        if "Forecast Outturn" not in col:
            self.notes.append(f"{sheet.sheet}: " + ("the forecast is the budget plus the variance column."
                                                     if "Variance" in col else "no forecast column."))
        for r in layout.total_rows:
            self.notes.append(f"{sheet.sheet} row {r + 1}: '{_row_label(grid, r)}' is a total row; left out (pprr "
                              "adds up the services).")

    def _money_scale(self, layout: Layout, grid: Grid, col: dict[str, int]) -> tuple[float, str]:
        heading = layout.headings[col["Net Budget"]] if "Net Budget" in col else ""
        text = " ".join([heading, *layout.titles]).casefold().replace(" ", "")
        if re.search(r"£m|£million|\(m\)", text):
            return 1000.0, "amounts are in £m in the file; written in £000."
        if re.search(r"£0{3}|£'0{3}|£k|\(k\)|£000s", text):
            return 1.0, ""
        values = []
        for r in layout.data_rows[:100]:
            try:
                number = parse_number(grid.value(r, col["Net Budget"])) if "Net Budget" in col else None
            except UnreadableValue:
                number = None
            if number is not None:
                values.append(abs(number))
        values.sort()
        if "£" in text or (values and values[len(values) // 2] >= 100_000):
            return 0.001, "amounts are in whole pounds in the file; written in £000."
        return 1.0, "amounts are read as £000, as the template has them (no unit in the headings)."

    # -- writing --

    def finish(self) -> ImportResult:
        from .reader import parse_workbook_bytes

        data = self._write()
        wb = parse_workbook_bytes(data, "imported.xlsx")
        if wb.errors:
            raise ImportProblem([replace(p, message=f"In the imported workbook: {p.message}") for p in wb.errors])
        self._compare_ratings(wb)
        return ImportResult(data, wb, self.notes, self.measures, self.budget)

    def _compare_ratings(self, wb: PortfolioWorkbook) -> None:
        if not self.source_rag:
            return
        from ..rules.status import Settings, rate_measures

        ratings = {m.label: r for m, r in zip(wb.measures, rate_measures(
            wb.measures, Settings(tolerance_pct=wb.portfolio.tolerance_pct)), strict=True)}
        words = {"r": "Red", "red": "Red", "a": "Amber", "amber": "Amber", "g": "Green", "green": "Green"}
        agree, differ = 0, []
        for label, given in self.source_rag:
            ours = ratings.get(label) or ratings.get(label.split(" ")[0])
            theirs = words.get(given.casefold().strip())
            if ours is None or theirs is None:
                continue
            if ours.status.value == theirs:
                agree += 1
            else:
                differ.append(f"{label}: file {theirs}, pprr {ours.status.value}")
        if agree or differ:
            self.notes.append(f"The file's own RAG is kept in the Source RAG column: {agree} agree with pprr's "
                              f"rating, {len(differ)} differ" + (f" ({'; '.join(differ[:8])}"
                                                                  f"{' ...' if len(differ) > 8 else ''})."
                                                                  if differ else "."))

    def _write(self) -> bytes:
        from openpyxl import Workbook

        from .template import _columns, _dropdown, _header, _instructions

        start = int(self.year[:4])
        book = Workbook()
        book.remove(book.active)
        _instructions(book.create_sheet("Instructions"), start)
        for sheet in schema.SHEETS:
            ws = book.create_sheet(sheet.name)
            if sheet is schema.PORTFOLIO:
                _header(ws, list(sheet.columns))
                self._portfolio(ws, _dropdown)
                continue
            if sheet is schema.MEASURES:
                columns = self._measure_columns()
                rows = self.measures
            elif sheet is schema.BUDGET:
                columns = list(sheet.columns) + [schema.Column(h, required=False) for h in self.extra_budget_columns]
                rows = self.budget
            elif sheet is schema.PRIORITIES:
                columns = list(sheet.columns)
                rows = [{"Priority": n, "Title": t} for n, t in sorted(self.priorities.values())]
            else:
                columns = _columns(sheet, start)
                rows = []
            _header(ws, columns)
            for index, column in enumerate(columns):
                if column.choices:
                    _dropdown(ws, column.choices, f"{column_letter(index)}2:{column_letter(index)}"
                                                  f"{max(len(rows) + 1, 2000)}")
            for r, row in enumerate(rows, start=2):
                for c, column in enumerate(columns, start=1):
                    if column.name in row:
                        _put(ws.cell(r, c), row[column.name])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def _measure_columns(self) -> list[schema.Column]:
        columns = list(schema.MEASURES.columns)
        at = [c.name for c in columns].index("Tolerance") + 1
        years = sorted(self.actual_years | {schema.previous_year(self.year) or self.year})
        columns[at:at] = [schema.Column(schema.actual_header(y), required=False) for y in years] + [
            schema.Column(schema.target_header(self.year), required=False)]
        return columns + [schema.Column(h, required=False, width=14) for h in self.extra_measure_columns]

    def _portfolio(self, ws, dropdown) -> None:
        values = {"Council": self.mapping.portfolio.get("Council") or "Not stated",
                  "Portfolio": self.mapping.portfolio.get("Portfolio") or "Imported portfolio",
                  "Financial Year": self.year,
                  "Reporting Period": self.mapping.portfolio.get("Reporting Period", ""),
                  "Version": f"Imported from {self.source.name}",
                  "Date": f"{_dt.date.today().day} {_dt.date.today():%B %Y}",
                  "Tolerance %": schema.DEFAULT_TOLERANCE_PCT, "Illustrative": "No"}
        for r, name in enumerate(schema.COUNCIL_FIELDS, start=2):
            ws.cell(r, 1, name)
            value = values.get(name)
            if value not in (None, ""):
                _put(ws.cell(r, 2), int(value) if isinstance(value, float) and value.is_integer() else value)
            if name == "Reporting Period":
                dropdown(ws, schema.REPORTING_PERIODS, f"B{r}")
        for name in ("Council", "Portfolio"):
            if not self.mapping.portfolio.get(name):
                self.notes.insert(0, f"{name} is not stated in the file: '{values[name]}' is written; change it "
                                     "on the Portfolio sheet (or give --" + name.casefold() + ").")
        for name, how in self.mapping.defaults.items():
            if self.mapping.portfolio.get(name):
                self.notes.insert(0, f"{name} '{self.mapping.portfolio[name]}' is {how}.")
            else:
                self.notes.insert(0, f"{name} is {how}.")


def _row_label(grid: Grid, r: int) -> str:
    """The first text of a row, to name it in a note."""
    return next((_display(v) for v in grid.rows[r] if isinstance(v, str) and v.strip()), f"row {r + 1}")[:60]


def _has_number(cell: _Cell) -> bool:
    try:
        return parse_value(cell.value, cell.number_format).number is not None
    except UnreadableValue:
        return False


def _polarity(text: str, heading: str) -> str | None:
    folded = " ".join(text.split()).casefold().rstrip(".")
    if not folded:
        return None
    yes, no = folded in ("y", "yes", "true", "1", "✓"), folded in ("n", "no", "false", "0")
    if yes or no:
        if "lower" in heading or "smaller" in heading:
            return "Low" if yes else "High"
        if "higher" in heading or "bigger" in heading or "high" in heading:
            return "High" if yes else "Low"
        return None
    if folded in _HIGH_WORDS or folded.startswith(("higher", "high", "bigger", "increase", "up")):
        return "High"
    if folded in _LOW_WORDS or folded.startswith(("lower", "low", "smaller", "decrease", "down", "reduc")):
        return "Low"
    if folded in _CONTEXT_WORDS:
        return "Contextual"
    return None


def _polarity_from_target(text: str) -> str | None:
    folded = text.casefold()
    if "maximi" in folded or "increase" in folded:
        return "High"
    if "minimi" in folded or "reduce" in folded:
        return "Low"
    return None


def _put(cell, value: object) -> None:
    """Write a value as the source had it: text stays text (never a formula), a % number keeps its format."""
    from ..safe_text import excel_text

    number_format = None
    if isinstance(value, _Cell):
        value, number_format = value.value, value.number_format
    if value is None or value == "":
        return
    if isinstance(value, bool):
        value = "Yes" if value else "No"
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        value = cell_text(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            value = str(value)
        else:
            cell.value = value
            if number_format and percent_decimals(number_format) is not None:
                cell.number_format = number_format
            return
    text = str(value)
    try:
        text = excel_text(text)
    except ValueError:
        text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)[:32_767]
    cell.value = text
    cell.data_type = "s"


# --- the mapping file -----------------------------------------------------------------------------------------


def mapping_to_toml(mapping: Mapping, source_name: str = "") -> str:
    """The mapping as a TOML file an officer can read and edit."""
    lines = [f"# {MAPPING_FORMAT}: which column of the council's workbook goes where in the pprr template.",
             "# Use it with: pprr import NEXT.xlsx -o portfolio.xlsx --mapping THIS.toml",
             ("# Each column is mapped to one of the fields listed for its sheet's kind, or to "
              f"\"{KEEP}\" or \"{LEAVE_OUT}\"."),
             f"#   measures: {', '.join(MEASURE_ROLES)}",
             f"#   budget: {', '.join(BUDGET_ROLES)}",
             f"format = {_toml(MAPPING_FORMAT)}", f"version = {MAPPING_VERSION}"]
    if source_name:
        lines.append(f"made_from = {_toml(source_name)}")
    lines += ["", "[portfolio]"]
    for name in PORTFOLIO_FIELDS:
        if mapping.portfolio.get(name):
            lines.append(f"{_toml(name)} = {_toml(mapping.portfolio[name])}")
    for sheet in mapping.sheets:
        lines += ["", "[[sheets]]", f"sheet = {_toml(sheet.sheet)}", f"kind = {_toml(sheet.kind)}",
                  f"heading_row = {sheet.heading_row}", f"heading_rows = {sheet.heading_rows}",
                  "[sheets.columns]"]
        lines += [f"{_toml(heading)} = {_toml(role)}" for heading, role in sheet.columns.items()]
    return "\n".join(lines) + "\n"


def _toml(text: str) -> str:
    out = []
    for ch in str(text):
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def mapping_from_text(text: str, name: str = "mapping") -> Mapping:
    """A mapping file (TOML, or JSON of the same shape) read back; ImportProblem says what is wrong with it."""
    def bad(message: str) -> ImportProblem:
        return ImportProblem([Problem(Severity.ERROR, name, None, None, message)])

    try:
        data = json.loads(text) if text.lstrip().startswith("{") else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise bad(f"The mapping file cannot be read: {str(exc).splitlines()[0]}.") from None
    if not isinstance(data, dict) or data.get("format") != MAPPING_FORMAT:
        raise bad(f"This is not a pprr import mapping (it should say format = \"{MAPPING_FORMAT}\"); make one with "
                  "pprr import --save-mapping.")
    portfolio = data.get("portfolio", {})
    if not isinstance(portfolio, dict):
        raise bad("[portfolio] should hold Council, Portfolio, Financial Year and Reporting Period.")
    mapping = Mapping(portfolio={k: str(v) for k, v in portfolio.items() if k in PORTFOLIO_FIELDS and v})
    for index, entry in enumerate(data.get("sheets", []), start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("sheet"), str):
            raise bad(f"Sheet entry {index} has no 'sheet' name.")
        kind = entry.get("kind", MEASURES)
        if kind not in SHEET_KINDS:
            raise bad(f"Sheet '{entry['sheet']}': kind '{kind}' should be measures, budget or skip.")
        heading_row, heading_rows = entry.get("heading_row", 1), entry.get("heading_rows", 1)
        if not isinstance(heading_row, int) or heading_row < 1 or heading_rows not in (1, 2):
            raise bad(f"Sheet '{entry['sheet']}': heading_row should be a row number and heading_rows 1 or 2.")
        columns = entry.get("columns", {})
        if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
            raise bad(f"Sheet '{entry['sheet']}': columns should map each heading to a field name.")
        mapping.sheets.append(SheetMapping(entry["sheet"], kind, heading_row, heading_rows, dict(columns)))
    return mapping


def preview_rows(result: ImportResult, limit: int = 8) -> list[dict]:
    """The first measures as pprr reads them back from the imported workbook: code, name, priority, polarity,
    target, latest actual and pprr's status."""
    from ..rules.status import Settings, rate_measures

    wb = result.workbook
    ratings = rate_measures(wb.measures[:limit], Settings(tolerance_pct=wb.portfolio.tolerance_pct))
    rows = []
    for m, rating in zip(wb.measures[:limit], ratings, strict=True):
        rows.append({"PI Code": m.code, "Cohort": m.cohort, "PI Name": m.name, "Priority": m.priority,
                     "Good Performance": m.polarity, "Target": m.target.raw,
                     "Latest actual": rating.latest.raw if rating.latest else "",
                     "Status": rating.status.value})
    return rows


def budget_preview_rows(result: ImportResult, limit: int = 8) -> list[dict]:
    return [{"Service": b.service, "Division": b.division, "Net Budget £000": b.net_budget,
             "Forecast Outturn £000": b.forecast} for b in result.workbook.budget[:limit]]
