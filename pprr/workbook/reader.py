"""Turn a portfolio workbook into a :class:`PortfolioWorkbook` and a list of problems an officer can act on.

``load_workbook`` never raises for anything wrong with the file: every issue becomes a :class:`Problem` with the
sheet, row and column where it was found.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import os
import threading
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.etree.ElementTree import ParseError

from .. import schema
from ..model import (
    Benchmark,
    BudgetChange,
    BudgetLine,
    CapitalScheme,
    FinancialRisk,
    GlossaryEntry,
    Measure,
    NarrativeParagraph,
    OneOffResource,
    Portfolio,
    PortfolioWorkbook,
    Priority,
    Problem,
    Project,
    Reserve,
    Saving,
    Severity,
    Target,
    TargetKind,
    Value,
)
from ..rules.values import UnreadableValue, cell_text, parse_number, parse_target, parse_value, parse_yes_no
from ..schema import column_letter, norm_header
from .validate import validate
from .xlsx import Grid, SheetTooLarge, read_grids

Source = str | os.PathLike | bytes | bytearray


def read_source(source: Source) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source)
    return Path(source).read_bytes()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_workbook(source: Source, filename: str | None = None) -> PortfolioWorkbook:
    """Read, parse and validate a workbook. Problems are returned in ``.problems``, never raised."""
    try:
        data = read_source(source)
    except OSError as exc:
        return PortfolioWorkbook(problems=(_file_problem(f"The file could not be opened: {exc.strerror or exc}."),))
    if filename is None and not isinstance(source, (bytes, bytearray)):
        filename = Path(source).name
    return parse_workbook_bytes(data, filename)


def parse_workbook_bytes(data: bytes, filename: str | None = None) -> PortfolioWorkbook:
    from .gate import check_upload  # the upload gate runs before any parser

    gate_problems = check_upload(data, filename)
    if any(p.is_error for p in gate_problems):
        return PortfolioWorkbook(problems=tuple(gate_problems))
    with _cycle_collection_paused():
        return _parse_checked_bytes(data, gate_problems)


UNREADABLE = ("Neither pprr nor the spreadsheet libraries it uses can read this file as a workbook: a part Excel "
              "needs is missing or damaged. Open it in Excel, save it as an Excel Workbook (.xlsx) and try again.")
NOT_TEMPLATE = "This workbook is not laid out as the pprr template"


def _parse_checked_bytes(data: bytes, gate_problems: list[Problem]) -> PortfolioWorkbook:
    try:
        grids = read_grids(data, _known_sheet)
        if not _template_like(grids):
            return PortfolioWorkbook(problems=tuple(outline_problems(read_grids(data), data)))
    except SheetTooLarge as exc:
        return PortfolioWorkbook(problems=(Problem(Severity.ERROR, exc.sheet, None, None, str(exc)),))
    except MemoryError:
        return PortfolioWorkbook(problems=(_file_problem("The workbook is too large to read."),))
    except (zipfile.BadZipFile, zlib.error, ParseError, KeyError, ValueError, TypeError, IndexError, RuntimeError,
            EOFError, OSError, AttributeError, LookupError):
        return PortfolioWorkbook(problems=(_file_problem(UNREADABLE),))
    wb = build_workbook(grids)
    return wb if not gate_problems else _with_problems(wb, gate_problems)


_REQUIRED_SHEETS = frozenset(norm_header(sheet.name) for sheet in schema.SHEETS if sheet.required)


def _template_like(grids: dict[str, Grid]) -> bool:
    """Whether the workbook is meant to be in the template: two of its required sheets, or one whose row 1 holds
    the template's headings. Anything else gets the outline of what it holds instead of a list of missing sheets."""
    present = [name for name in grids if norm_header(name) in _REQUIRED_SHEETS]
    if len(present) >= 2:
        return True
    for name in present:
        sheet = schema.SHEETS_BY_NAME[norm_header(name)]
        row = {norm_header(cell_text(v)) for v in (grids[name].rows[0] if grids[name].rows else ())}
        if sum(norm_header(c.name) in row for c in sheet.columns if c.required) >= 2:
            return True
    return False


MAX_SHEETS_LISTED = 12


def is_not_template(wb: PortfolioWorkbook) -> bool:
    """Whether the workbook's problems are the outline of a workbook not in the template (see outline_problems)."""
    return bool(wb.problems) and wb.problems[0].message.startswith(NOT_TEMPLATE)


def outline_problems(grids: dict[str, Grid], data: bytes | None = None) -> list[Problem]:
    """The answer for a readable workbook that is not in the template: one line saying so, then each sheet with
    its heading row and what it looks like (empty sheets together in one line)."""
    from .layout_sniff import describe, sniff
    from .xlsx import merged_ranges

    names = list(grids)
    count = f"{len(names):,} sheets" if len(names) != 1 else "only sheet"
    lead = (f"{NOT_TEMPLATE}: {'none of its ' + count if len(names) != 1 else 'its ' + count} is a Portfolio, "
            "Priorities, Measures or Budget sheet. What it holds is listed below: import it to map its columns "
            "to the template's, or start from the empty template.")
    if not names:
        lead = f"{NOT_TEMPLATE}: it has no worksheets. Start from the empty template."
    problems = [_file_problem(lead)]
    layouts = {name: sniff(grid) for name, grid in grids.items()}
    filled = [name for name, layout in layouts.items() if layout.kind != "empty"]
    empty = [name for name in names if name not in filled]
    merged = merged_ranges(data, filled[:MAX_SHEETS_LISTED]) if data is not None else {}
    for name in filled[:MAX_SHEETS_LISTED]:
        layout = sniff(grids[name], merged.get(name, ())) if merged.get(name) else layouts[name]
        text = describe(layout)
        problems.append(Problem(Severity.WARNING, name, None, None, text[:1].upper() + text[1:] + "."))
    if len(filled) > MAX_SHEETS_LISTED:
        problems.append(Problem(Severity.WARNING, "File", None, None,
                                f"…and {len(filled) - MAX_SHEETS_LISTED:,} more sheets with values."))
    if empty:
        shown = ", ".join(f"'{n}'" for n in empty[:5]) + (f" and {len(empty) - 5:,} more" if len(empty) > 5 else "")
        count = len(empty)
        text = (f"All {count:,} sheets are empty: {shown}." if count == len(names) and count > 1 else
                f"{count:,} empty sheet{'s' if count != 1 else ''}: {shown}.")
        problems.append(Problem(Severity.WARNING, "File", None, None, text))
    return problems


_pauses = 0
_pauses_lock = threading.Lock()
_resume_collection = False


@contextlib.contextmanager
def _cycle_collection_paused():
    """Pause Python's cycle collector while a workbook is read: reading builds a great many small acyclic objects,
    and each collection would walk all of them again. Collection resumes (if it was on) when the last concurrent
    read ends."""
    global _pauses, _resume_collection
    with _pauses_lock:
        if _pauses == 0:
            _resume_collection = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pauses_lock:
            _pauses -= 1
            if _pauses == 0 and _resume_collection:
                gc.enable()


_KNOWN_SHEETS = frozenset(norm_header(sheet.name) for sheet in schema.SHEETS)


def _known_sheet(name: str) -> bool:
    return norm_header(name) in _KNOWN_SHEETS


def _file_problem(message: str) -> Problem:
    return Problem(Severity.ERROR, "File", None, None, message)


def _with_problems(wb: PortfolioWorkbook, problems) -> PortfolioWorkbook:
    return replace(wb, problems=tuple(problems) + wb.problems)


# --- sheets -------------------------------------------------------------------------------------------------


@dataclass
class _Sheet:
    """A sheet's grid with its header located: columns by normalised header name."""

    grid: Grid
    name: str
    problems: list[Problem]
    columns: dict[str, int] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    parsed: dict[tuple, object] = field(default_factory=dict)  # memo of parsed cells: values repeat ("N/A")
    _by_header: dict[str, int | None] = field(default_factory=dict)

    def col(self, header: str) -> int | None:
        if header not in self._by_header:
            self._by_header[header] = self.columns.get(norm_header(header))
        return self._by_header[header]

    def data_rows(self):
        """(worksheet row number, values) for every non-blank row under the header."""
        for r in range(1, len(self.grid.rows)):
            values = self.grid.rows[r]
            if any(v != "" and v is not None and (not isinstance(v, str) or not v.isspace()) for v in values):
                yield r, values

    def problem(self, severity: Severity, r: int | None, c: int | None, message: str) -> None:
        self.problems.append(Problem(severity, self.name, None if r is None else r + 1,
                                     None if c is None else column_letter(c), message))

    def text(self, r: int, header: str) -> str:
        c = self.col(header)
        return self.text_at(r, c, None if c is None else self.grid.value(r, c))

    def text_at(self, r: int, c: int | None, value: object) -> str:
        """The stripped text of ``value``, the cell at (r, c), warning when it is a formula with no saved value."""
        if self.grid.unsaved_formulas and (r, c) in self.grid.unsaved_formulas:
            self.problem(Severity.WARNING, r, c,
                         "This formula has no saved value (the file was never opened in Excel); open and save it "
                         "in Excel so pprr can read the result.")
        return value.strip() if isinstance(value, str) else cell_text(value).strip()


def _locate(grids: dict[str, Grid], sheet: schema.Sheet, problems: list[Problem]) -> _Sheet | None:
    wanted = norm_header(sheet.name)
    grid = next((g for name, g in grids.items() if norm_header(name) == wanted), None)
    if grid is None:
        if sheet.required:
            problems.append(Problem(Severity.ERROR, sheet.name, None, None,
                                    f"The workbook has no '{sheet.name}' sheet: add one laid out as in the "
                                    "template."))
        return None
    s = _Sheet(grid, grid.name, problems)
    header = grid.rows[0] if grid.rows else ()
    for c, value in enumerate(header):
        text = cell_text(value).strip()
        s.headers.append(text)
        key = norm_header(text)
        if not key:
            continue
        if key in s.columns:
            s.problem(Severity.WARNING, 0, c, f"The heading '{text}' appears twice; pprr reads the first one "
                                              f"(column {column_letter(s.columns[key])}).")
            continue
        s.columns[key] = c
    missing = [col.name for col in sheet.columns if col.required and norm_header(col.name) not in s.columns]
    if missing:
        s.problem(Severity.ERROR, 0, None, _missing_headings(grid, missing))
    return None if missing else s


def _missing_headings(grid: Grid, missing: list[str]) -> str:
    """One message for the headings a sheet lacks in row 1: what row 1 holds, and where the headings seem to be."""
    from .layout_sniff import heading_summary, sniff

    names = ", ".join(f"'{m}'" for m in missing[:-1]) + (" or " if len(missing) > 1 else "") + f"'{missing[-1]}'"
    text = f"The '{grid.name}' sheet has no {names} heading in row 1, where pprr reads its headings"
    layout = sniff(grid)
    row1 = [cell_text(v).strip() for v in (grid.rows[0] if grid.rows else ()) if cell_text(v).strip()]
    if layout.heading_row is not None and layout.first_heading_row > 0:
        return (f"{text}; its headings seem to be in row {layout.first_heading_row + 1} "
                f"({heading_summary(layout.headings, 5)}). Delete the rows above them and name the columns as in "
                "the template, or import the workbook.")
    if row1:
        return f"{text}; row 1 holds {heading_summary(row1, 5)}. Name the columns as in the template."
    return f"{text}; row 1 is empty. Put the headings in row 1, named as in the template."


def _number(s: _Sheet, r: int, header: str, what: str | None = None, required: bool = False) -> float | None:
    c = s.col(header)
    return None if c is None else _number_at(s, r, c, s.grid.value(r, c), what or header, required)


def _number_at(s: _Sheet, r: int, c: int, raw: object, what: str, required: bool = False) -> float | None:
    try:
        number = parse_number(raw)
    except UnreadableValue as exc:
        s.problem(Severity.ERROR if required else Severity.WARNING, r, c, f"{what}: {exc}.")
        return None
    if number is None:
        if required:
            s.problem(Severity.ERROR, r, c, f"{what} is empty.")
        return None
    if s.grid.percent and (r, c) in s.grid.percent:
        number = float(f"{number * 100:.12g}")
    return number


@functools.cache
def _folded(choices: tuple[str, ...]) -> dict[str, str]:
    return {choice.casefold(): choice for choice in choices}


def _choice(s: _Sheet, r: int, header: str, choices: tuple[str, ...], synonyms: dict[str, str] | None = None,
            severity: Severity = Severity.WARNING) -> str:
    c = s.col(header)
    return s.text(r, header) if c is None else _choice_at(s, r, c, s.grid.value(r, c), header, choices, synonyms,
                                                          severity)


def _choice_at(s: _Sheet, r: int, c: int, raw: object, header: str, choices: tuple[str, ...],
               synonyms: dict[str, str] | None = None, severity: Severity = Severity.WARNING) -> str:
    text = s.text_at(r, c, raw)
    if not text:
        return text
    choice = _folded(choices).get(text.casefold())
    if choice is not None:
        return choice
    fixed = (synonyms or {}).get(text.casefold())
    if fixed:
        s.problem(Severity.WARNING, r, c, f"{header} '{text}' is read as '{fixed}'.")
        return fixed
    s.problem(severity, r, c, f"{header} '{text}' is not one of: {', '.join(choices)}.")
    return text


def _yes_no(s: _Sheet, r: int, header: str) -> bool:
    c = s.col(header)
    return False if c is None else _yes_no_at(s, r, c, s.grid.value(r, c), header)


def _yes_no_at(s: _Sheet, r: int, c: int, raw: object, header: str) -> bool:
    flag = parse_yes_no(raw)
    if flag is None:
        s.problem(Severity.WARNING, r, c, f"{header} should be Y or N, not '{s.text_at(r, c, raw)}'; read as N.")
        return False
    return flag


# --- the workbook -------------------------------------------------------------------------------------------


def build_workbook(grids: dict[str, Grid]) -> PortfolioWorkbook:
    problems: list[Problem] = []
    portfolio = _read_portfolio(grids, problems)
    priorities = _read_priorities(grids, problems)
    measures, actual_years = _read_measures(grids, portfolio, problems)
    budget = _read_budget(grids, problems)
    changes, divisions = _read_budget_changes(grids, problems)
    wb = PortfolioWorkbook(
        portfolio=portfolio,
        priorities=priorities,
        measures=measures,
        budget=budget,
        budget_changes=changes,
        budget_divisions=divisions,
        reserves=_read_rows(grids, schema.RESERVES, problems, _reserve),
        savings=_read_rows(grids, schema.SAVINGS, problems, _saving),
        capital=_read_capital(grids, problems),
        glossary=_read_rows(grids, schema.GLOSSARY, problems, _glossary),
        narrative=_read_rows(grids, schema.NARRATIVE, problems, _narrative),
        projects=_read_rows(grids, schema.PROJECTS, problems, _project),
        financial_risks=_read_rows(grids, schema.FINANCIAL_RISKS, problems, _financial_risk),
        one_off_resources=_read_rows(grids, schema.ONE_OFF_RESOURCES, problems, _one_off),
        comparator_sets=tuple(dict.fromkeys(b.set for m in measures for b in m.benchmarks)),
        actual_years=actual_years,
    )
    problems.extend(_point_at_key_column(validate(wb), grids))
    order = {Severity.ERROR: 0, Severity.WARNING: 1}
    problems.sort(key=lambda p: order[p.severity])
    return replace(wb, problems=tuple(problems))


_KEY_COLUMNS = {"Measures": "PI Code", "Budget": "Service", "Priorities": "Priority", "Budget Changes": "Item",
                "Projects": "Project", "Financial Risks": "Risk", "One-Off Resources": "Investment"}


def _point_at_key_column(problems: list[Problem], grids: dict[str, Grid]) -> list[Problem]:
    """A problem about a whole row points at the row's key cell (its PI Code, Service ...), so it can be found."""
    letters = {}
    for sheet, header in _KEY_COLUMNS.items():
        grid = next((g for name, g in grids.items() if norm_header(name) == norm_header(sheet)), None)
        if grid and grid.rows:
            heads = [norm_header(cell_text(v)) for v in grid.rows[0]]
            if norm_header(header) in heads:
                letters[sheet] = column_letter(heads.index(norm_header(header)))
    return [replace(p, column=letters[p.sheet]) if p.row and not p.column and p.sheet in letters else p
            for p in problems]


_PERIOD_SYNONYMS = {"mid year": "Mid-Year", "midyear": "Mid-Year", "q3": "Q3 Update", "quarter 3": "Q3 Update",
                    "annual report": "Annual", "q2": "Mid-Year"}


def _read_portfolio(grids, problems) -> Portfolio:
    s = _locate(grids, schema.PORTFOLIO, problems)
    if s is None:
        return Portfolio()
    fields: dict[str, tuple[int, object]] = {}
    known = {norm_header(f): f for f in schema.PORTFOLIO_FIELDS}
    fc, vc = s.col("Field"), s.col("Value")
    for r, values in s.data_rows():
        name = cell_text(values[fc] if fc < len(values) else None).strip()
        field_name = known.get(norm_header(name))
        if field_name is None:
            continue
        fields[field_name] = (r, s.grid.value(r, vc))

    def text(name: str) -> str:
        return cell_text(fields[name][1]).strip() if name in fields else ""

    for name in ("Council", "Portfolio", "Financial Year"):
        if not text(name):
            r = fields[name][0] if name in fields else None
            s.problem(Severity.ERROR, r, vc if r is not None else None,
                      f"The Portfolio sheet needs a value for '{name}'.")
    year = text("Financial Year").replace(" ", "")
    if year and not schema.YEAR_RE.match(year):
        s.problem(Severity.ERROR, fields["Financial Year"][0], vc,
                  f"Financial Year '{year}' should look like 2021/22.")
    period = text("Reporting Period")
    if period:
        match = next((p for p in schema.REPORTING_PERIODS if p.casefold() == period.casefold()), None)
        match = match or _PERIOD_SYNONYMS.get(period.casefold())
        if match is None:
            s.problem(Severity.WARNING, fields["Reporting Period"][0], vc,
                      f"Reporting Period '{period}' is not one of: {', '.join(schema.REPORTING_PERIODS)}.")
        period = match or period
    tolerance = schema.DEFAULT_TOLERANCE_PCT
    if "Tolerance %" in fields and fields["Tolerance %"][1] not in (None, ""):
        r, raw = fields["Tolerance %"]
        try:
            tolerance = parse_number(raw)
            if (r, vc) in s.grid.percent:
                tolerance *= 100
            if tolerance < 0:
                raise UnreadableValue("a tolerance cannot be negative")
        except UnreadableValue as exc:
            s.problem(Severity.WARNING, r, vc, f"Tolerance %: {exc}; the default of "
                                              f"{schema.DEFAULT_TOLERANCE_PCT:g}% is used.")
            tolerance = schema.DEFAULT_TOLERANCE_PCT
    illustrative = False
    if "Illustrative" in fields:
        r, raw = fields["Illustrative"]
        flag = parse_yes_no(raw)
        if flag is None:
            s.problem(Severity.WARNING, r, vc, f"Illustrative should be Yes or No, not '{cell_text(raw)}'.")
        illustrative = bool(flag)

    def date(name: str) -> str:
        return _date_text(fields.get(name, (None, None))[1])

    recommendations = tuple(line.strip() for line in text("Recommendations").splitlines() if line.strip())
    out_of_date_after = schema.DEFAULT_OUT_OF_DATE_AFTER
    name = "Out Of Date After (years)"
    if name in fields and fields[name][1] not in (None, ""):
        r, raw = fields[name]
        try:
            out_of_date_after = parse_number(raw)
            if out_of_date_after < 0:
                raise UnreadableValue("it cannot be negative")
        except UnreadableValue as exc:
            s.problem(Severity.WARNING, r, vc, f"{name} should be a number of years such as 1: {exc}; the "
                                              f"default of {schema.DEFAULT_OUT_OF_DATE_AFTER:g} is used.")
            out_of_date_after = schema.DEFAULT_OUT_OF_DATE_AFTER
    comparator_set = " ".join(text("Comparator Set").split()) or schema.DEFAULT_COMPARATOR_SET
    return Portfolio(
        council=text("Council"),
        portfolio=text("Portfolio"),
        financial_year=year,
        reporting_period=period,
        version=text("Version"),
        date=date("Date"),
        approved_by=text("Approved By"),
        tolerance_pct=float(tolerance),
        illustrative=illustrative,
        committee=text("Committee"),
        meeting_date=date("Meeting Date"),
        agenda_item=text("Agenda Item"),
        report_of=text("Report Of"),
        officer_contact=text("Officer Contact"),
        recommendations=recommendations,
        out_of_date_after=float(out_of_date_after),
        comparator_set=comparator_set,
        rows={name: r + 1 for name, (r, _) in fields.items()},
    )


def _read_priorities(grids, problems) -> tuple[Priority, ...]:
    s = _locate(grids, schema.PRIORITIES, problems)
    if s is None:
        return ()
    out = []
    for r, _ in s.data_rows():
        number = _number(s, r, "Priority", required=True)
        if number is None:
            continue
        if not float(number).is_integer():
            s.problem(Severity.ERROR, r, s.col("Priority"), f"Priority '{number:g}' should be a whole number.")
            continue
        title = s.text(r, "Title")
        if not title:
            s.problem(Severity.WARNING, r, s.col("Title"), f"Priority {int(number)} has no title.")
        out.append(Priority(row=r + 1, number=int(number), title=title, outcome=s.text(r, "Outcome"),
                            commentary=s.text(r, "Commentary")))
    return tuple(out)


_REPORTED_SYNONYMS = {"annual": "Annually", "yearly": "Annually", "quarter": "Quarterly", "month": "Monthly",
                      "termly ": "Termly", "term": "Termly"}
_POLARITY_SYNONYMS = {"higher": "High", "lower": "Low", "high is good": "High", "low is good": "Low",
                      "n/a": "Contextual", "na": "Contextual"}
_BASIS_SYNONYMS = {"financial year": "Financial", "fy": "Financial", "academic year": "Academic",
                   "school year": "Academic", "calendar year": "Calendar"}
_AGGREGATION_SYNONYMS = {"point in time": "Snapshot", "snap shot": "Snapshot", "cumulative count": "Cumulative",
                         "year to date": "Cumulative", "ytd": "Cumulative"}
_UNIT_SYNONYMS = {"percent": "%", "percentage": "%", "count": "number", "no.": "number", "day": "days"}


def _read_measures(grids, portfolio: Portfolio, problems) -> tuple[tuple[Measure, ...], tuple[str, ...]]:
    s = _locate(grids, schema.MEASURES, problems)
    if s is None:
        return (), ()
    # A year's Actual or Target heading repeated is read from its first column, as _locate's warning says.
    actual_by_year: dict[str, int] = {}
    target_cols: dict[str, int] = {}
    for c, header in enumerate(s.headers):
        m = schema.ACTUAL_RE.match(header)
        if m:
            actual_by_year.setdefault(m.group(1), c)
        t = schema.TARGET_RE.match(header)
        if t:
            target_cols.setdefault(t.group(1), c)
    actual_cols = sorted(actual_by_year.items())
    year = portfolio.financial_year
    target_col = target_cols.get(year)
    if target_col is None and target_cols:
        if year:
            s.problem(Severity.WARNING, 0, None, f"There is no '{year} Target' column; the measures are shown "
                                                 "without targets.")
    elif not target_cols:
        s.problem(Severity.WARNING, 0, None, "The Measures sheet has no 'YYYY/YY Target' column.")
    if not actual_cols:
        s.problem(Severity.WARNING, 0, None, "The Measures sheet has no 'YYYY/YY Actual' column.")
    cols = _MeasureColumns.of(s, target_col)
    out = []
    for r, row in s.data_rows():
        measure = _measure(s, r, _padded(row, cols.width), cols, actual_cols, code=s.text_at(r, cols.code,
                                                                                           row[cols.code]))
        if measure is not None:
            out.append(measure)
    return tuple(out), tuple(y for y, _ in actual_cols)


@dataclass(frozen=True)
class _MeasureColumns:
    """The Measures sheet's column indexes, resolved once for every row (None: the optional column is absent)."""

    code: int
    priority: int
    polarity: int
    cohort: int | None
    name: int | None
    measure_type: int | None
    reported: int | None
    unit: int | None
    tolerance: int | None
    target: int | None
    comparator: int | None
    corporate: int | None
    gms: int | None
    commentary: int | None
    action: int | None
    action_owner: int | None
    action_due: int | None
    year_basis: int | None
    aggregation: int | None
    data_lag: int | None
    width: int
    new: int | None = None
    theme: int | None = None
    comparators: tuple[tuple[str, int, int | None], ...] = ()  # (set, value column, year column)

    @classmethod
    def of(cls, s: _Sheet, target: int | None) -> _MeasureColumns:
        named = {key: s.col(header) for key, header in (
            ("code", "PI Code"), ("priority", "Priority"), ("polarity", "Good Performance"), ("cohort", "Cohort"),
            ("name", "PI Name"), ("measure_type", "Measure Type"), ("reported", "Reported"), ("unit", "Unit"),
            ("tolerance", "Tolerance"), ("comparator", "Comparator"), ("corporate", "Corporate"), ("gms", "GMS"),
            ("commentary", "Commentary"), ("year_basis", "Year Basis"), ("aggregation", "Aggregation"),
            ("data_lag", "Data Lag (years)"), ("action", "Action"), ("action_owner", "Action Owner"),
            ("action_due", "Action Due"), ("new", "New Measure"), ("theme", "Theme"))}
        return cls(target=target, width=len(s.headers), comparators=_comparator_columns(s), **named)


def _comparator_columns(s: _Sheet) -> tuple[tuple[str, int, int | None], ...]:
    """Each '<Set> Comparator' column with its '<Set> Comparator Year' column, in the sheet's column order."""
    years: dict[str, int] = {}
    for c, header in enumerate(s.headers):
        m = schema.COMPARATOR_YEAR_RE.match(header)
        if m:
            years.setdefault(norm_header(m.group(1)), c)
    out, seen = [], set()
    for c, header in enumerate(s.headers):
        m = schema.COMPARATOR_SET_RE.match(header)
        if m and not schema.COMPARATOR_YEAR_RE.match(header) and norm_header(m.group(1)) not in seen:
            name = " ".join(m.group(1).split())
            seen.add(norm_header(name))
            out.append((name, c, years.get(norm_header(name))))
    return tuple(out)


def _padded(row: list, width: int) -> list:
    """``row`` with None for the cells beyond its end, so that every column index in ``width`` reads."""
    return row if len(row) >= width else [*row, *(None,) * (width - len(row))]


def _measure(s: _Sheet, r: int, row: list, cols: _MeasureColumns, actual_cols: list[tuple[str, int]],
             code: str) -> Measure | None:
    """One Measures row (``row`` padded to the header's width), or None when it cannot be rated at all."""
    if not code:
        s.problem(Severity.ERROR, r, cols.code, "This row has no PI Code.")
        return None
    priority = _number_at(s, r, cols.priority, row[cols.priority], "Priority", required=True)
    if priority is None:
        return None
    polarity = _choice_at(s, r, cols.polarity, row[cols.polarity], "Good Performance", schema.POLARITIES,
                          _POLARITY_SYNONYMS, Severity.ERROR)
    if polarity not in schema.POLARITIES:
        return None
    actuals = tuple((y, _measure_value(s, r, c, row[c], code)) for y, c in actual_cols)
    target = Target("", TargetKind.NONE)
    if cols.target is not None:
        raw = row[cols.target]
        try:
            target = _parsed(s, parse_target, raw, r, cols.target)
        except UnreadableValue as exc:
            s.problem(Severity.WARNING, r, cols.target, f"{code} target: {exc}.")
            target = Target(cell_text(raw), TargetKind.NONE)

    def text(c: int | None) -> str:
        return "" if c is None else s.text_at(r, c, row[c])

    def choice(c: int | None, header: str, choices: tuple[str, ...], synonyms: dict[str, str] | None = None) -> str:
        return "" if c is None else _choice_at(s, r, c, row[c], header, choices, synonyms)

    def number(c: int | None, what: str) -> float | None:
        return None if c is None else _number_at(s, r, c, row[c], f"{code} {what}")

    def yes_no(c: int | None, header: str) -> bool:
        return False if c is None else _yes_no_at(s, r, c, row[c], header)

    def setting(c: int | None, header: str, choices: tuple[str, ...], synonyms: dict[str, str]) -> str:
        """An optional closed-list column: the default (first choice) when blank or not one of the list."""
        if c is None or not s.text_at(r, c, row[c]):
            return choices[0]
        text = s.text_at(r, c, row[c])
        fixed = _folded(choices).get(text.casefold()) or synonyms.get(text.casefold())
        if fixed is None:
            s.problem(Severity.WARNING, r, c, f"{code} {header} '{text}' is not one of: {', '.join(choices)}; "
                                              f"read as {choices[0]}.")
            return choices[0]
        if fixed.casefold() != text.casefold():
            s.problem(Severity.WARNING, r, c, f"{header} '{text}' is read as '{fixed}'.")
        return fixed

    lag = number(cols.data_lag, "Data Lag (years)")
    if lag is not None and lag < 0:
        s.problem(Severity.WARNING, r, cols.data_lag, f"{code} Data Lag (years) cannot be negative; read as 0.")
        lag = None

    return Measure(
        row=r + 1,
        code=code,
        cohort=text(cols.cohort),
        name=text(cols.name),
        priority=int(priority),
        measure_type=choice(cols.measure_type, "Measure Type", schema.MEASURE_TYPES),
        reported=choice(cols.reported, "Reported", schema.REPORTED, _REPORTED_SYNONYMS),
        polarity=polarity,
        unit=choice(cols.unit, "Unit", schema.UNITS, _UNIT_SYNONYMS),
        tolerance=number(cols.tolerance, "tolerance"),
        actuals=actuals,
        target=target,
        comparator=number(cols.comparator, "comparator"),
        corporate=yes_no(cols.corporate, "Corporate"),
        gms=yes_no(cols.gms, "GMS"),
        commentary=text(cols.commentary),
        action=text(cols.action),
        action_owner=text(cols.action_owner),
        action_due=_date_text(row[cols.action_due]) if cols.action_due is not None else "",
        year_basis=setting(cols.year_basis, "Year Basis", schema.YEAR_BASES, _BASIS_SYNONYMS),
        aggregation=setting(cols.aggregation, "Aggregation", schema.AGGREGATIONS, _AGGREGATION_SYNONYMS),
        data_lag=lag,
        new=yes_no(cols.new, "New Measure"),
        theme=" ".join(text(cols.theme).split()),
        benchmarks=tuple(b for name, vc, yc in cols.comparators
                         if (b := _benchmark(s, r, row, name, vc, yc, code)) is not None),
    )


def _benchmark(s: _Sheet, r: int, row: list, name: str, vc: int, yc: int | None, code: str) -> Benchmark | None:
    """A comparator set's value for one measure, or None when the cell is blank."""
    raw = row[vc]
    value = _measure_value(s, r, vc, raw, f"{code} {name} comparator")
    if value.is_blank:
        return None
    year = "" if yc is None else s.text_at(r, yc, row[yc])
    return Benchmark(set=name, value=value, year=year)
def _date_text(raw: object) -> str:
    """A date cell as ``31 March 2022``; anything else as written."""
    if hasattr(raw, "strftime"):
        return f"{raw.day} {raw:%B %Y}"
    return cell_text(raw).strip()


def _measure_value(s: _Sheet, r: int, c: int, raw: object, code: str) -> Value:
    if s.grid.unsaved_formulas and (r, c) in s.grid.unsaved_formulas:
        s.problem(Severity.WARNING, r, c, f"{code}: this formula has no saved value (the file was never opened in "
                                          "Excel); open and save it in Excel so pprr can read the result.")
        return Value("", missing="Formula with no saved value")
    try:
        return _parsed(s, parse_value, raw, r, c)
    except UnreadableValue as exc:
        s.problem(Severity.WARNING, r, c, f"{code}: {exc}.")
        return Value(cell_text(raw), missing="Unreadable value")


def _parsed(s: _Sheet, parse: Callable, raw: object, r: int, c: int):
    """``parse(raw, number format of the cell at (r, c))``, once per distinct cell within the sheet (the results are
    frozen)."""
    formats = s.grid.formats
    key = (parse, raw.__class__, raw, formats.get((r, c)) if formats else None)
    found = s.parsed.get(key)
    if found is None:
        found = s.parsed[key] = parse(raw, key[3])
    return found


def _read_budget(grids, problems) -> tuple[BudgetLine, ...]:
    s = _locate(grids, schema.BUDGET, problems)
    if s is None:
        return ()
    out = []
    for r, _ in s.data_rows():
        service = s.text(r, "Service")
        if not service:
            s.problem(Severity.ERROR, r, s.col("Service"), "This budget row has no Service name.")
            continue
        if _looks_like_total(service):
            s.problem(Severity.WARNING, r, s.col("Service"),
                      f"'{service}' looks like a total row; pprr computes totals itself, so this row is left out "
                      "of the sums. Delete it from the workbook.")
            continue
        division = s.text(r, "Division")
        if not division:
            s.problem(Severity.ERROR, r, s.col("Division"), f"{service} has no Division.")
        out.append(BudgetLine(
            row=r + 1,
            service=service,
            division=division,
            employee=_number(s, r, "Employee Expenditure", f"{service} employee expenditure"),
            non_employee=_number(s, r, "Non-Employee Expenditure", f"{service} non-employee expenditure"),
            gross_expenditure=_number(s, r, "Gross Expenditure", f"{service} gross expenditure"),
            gross_income=_number(s, r, "Gross Income", f"{service} gross income"),
            net_budget=_number(s, r, "Net Budget", f"{service} net budget", required=True),
            forecast=_number(s, r, "Forecast Outturn", f"{service} forecast outturn"),
            commentary=s.text(r, "Commentary"),
        ))
    return tuple(out)


def _looks_like_total(name: str) -> bool:
    folded = name.casefold()
    return folded.startswith("total") or folded.endswith("total") or "sub-total" in folded or "subtotal" in folded


def _read_budget_changes(grids, problems) -> tuple[tuple[BudgetChange, ...], tuple[str, ...]]:
    s = _locate(grids, schema.BUDGET_CHANGES, problems)
    if s is None:
        return (), ()
    fixed = {norm_header("Item"), norm_header("Category")}
    divisions = [(h, c) for c, h in enumerate(s.headers) if norm_header(h) and norm_header(h) not in fixed
                 and norm_header(h) not in ("total", "notes", "note")]
    out = []
    for r, _ in s.data_rows():
        item = s.text(r, "Item")
        if not item:
            s.problem(Severity.WARNING, r, s.col("Item"), "This reconciliation row has no Item; it is left out.")
            continue
        if _looks_like_total(item) and norm_header(s.text(r, "Category")) != "opening":
            s.problem(Severity.WARNING, r, s.col("Item"),
                      f"'{item}' looks like a total row; pprr computes totals itself, so it is left out.")
            continue
        amounts = tuple((d, _number(s, r, d, f"{item} ({d})")) for d, _ in divisions)
        out.append(BudgetChange(row=r + 1, item=item, category=s.text(r, "Category"), amounts=amounts))
    return tuple(out), tuple(d for d, _ in divisions)


def _read_rows(grids, sheet: schema.Sheet, problems, make: Callable[[_Sheet, int], object]) -> tuple:
    s = _locate(grids, sheet, problems)
    if s is None:
        return ()
    return tuple(item for r, _ in s.data_rows() if (item := make(s, r)) is not None)


def _reserve(s: _Sheet, r: int) -> Reserve:
    return Reserve(
        row=r + 1,
        division=s.text(r, "Division"),
        category=s.text(r, "Reserve Category"),
        narration=s.text(r, "Reserve Narration"),
        to_be_used_for=s.text(r, "To Be Used For"),
        approved_use=_number(s, r, "Approved Use", "Approved use"),
        not_drawn_down=_yes_no(s, r, "Not Drawn Down"),
    )


def _saving(s: _Sheet, r: int) -> Saving | None:
    proposal = s.text(r, "Proposal")
    if _looks_like_total(proposal) or _looks_like_total(s.text(r, "Division")):
        s.problem(Severity.WARNING, r, s.col("Proposal"),
                  f"'{proposal}' looks like a total row; pprr computes totals itself, so it is left out.")
        return None
    return Saving(
        row=r + 1,
        division=s.text(r, "Division"),
        proposal=proposal,
        risk=_choice(s, r, "Risk Rating", schema.RISK_RATINGS),
        identified_m=_number(s, r, "Value Identified £m", "Value identified"),
        achieved_m=_number(s, r, "Value Achieved £m", "Value achieved"),
        information=s.text(r, "Additional Information"),
    )


def _narrative(s: _Sheet, r: int) -> NarrativeParagraph | None:
    text = s.text(r, "Text")
    if not text:
        return None
    return NarrativeParagraph(row=r + 1, heading=" ".join(s.text(r, "Heading").split()), text=text)


def _project(s: _Sheet, r: int) -> Project | None:
    project = s.text(r, "Project")
    if not project:
        s.problem(Severity.ERROR, r, s.col("Project"), "This project row has no Project name.")
        return None
    number = _number(s, r, "Priority", f"{project}: Priority", required=True)
    if number is None:
        return None
    if not float(number).is_integer():
        s.problem(Severity.ERROR, r, s.col("Priority"), f"{project}: Priority '{number:g}' should be a whole number.")
        return None
    return Project(
        row=r + 1,
        priority=int(number),
        project=project,
        milestone=s.text(r, "Milestone"),
        lead=s.text(r, "Lead"),
        due=_due(s, r),
        status=_choice(s, r, "Status", schema.PROJECT_STATUSES, _PROJECT_STATUS_SYNONYMS),
        commentary=s.text(r, "Commentary"),
    )


_PROJECT_STATUS_SYNONYMS = {"completed": "Complete", "done": "Complete", "on-track": "On track",
                            "ontrack": "On track", "at-risk": "At risk", "off-track": "Off track",
                            "not yet started": "Not started", "green": "On track", "amber": "At risk",
                            "red": "Off track"}


def _due(s: _Sheet, r: int) -> str:
    """The Due cell as written; a date cell as '31 March 2022'."""
    c = s.col("Due")
    value = None if c is None else s.grid.value(r, c)
    if hasattr(value, "strftime"):
        return f"{value.day} {value:%B %Y}"
    return s.text(r, "Due")


def _financial_risk(s: _Sheet, r: int) -> FinancialRisk | None:
    risk = s.text(r, "Risk")
    if not risk:
        s.problem(Severity.WARNING, r, s.col("Risk"), "This financial risk row has no Risk; it is left out.")
        return None
    return FinancialRisk(row=r + 1, division=s.text(r, "Division"), risk=risk,
                         value=_number(s, r, "Value £000", f"{risk[:60]}: value"),
                         mitigation=s.text(r, "Mitigation"))


def _one_off(s: _Sheet, r: int) -> OneOffResource | None:
    investment = s.text(r, "Investment")
    if not investment:
        s.problem(Severity.WARNING, r, s.col("Investment"), "This one-off resource row has no Investment; it is "
                                                            "left out.")
        return None
    if _looks_like_total(investment):
        s.problem(Severity.WARNING, r, s.col("Investment"),
                  f"'{investment}' looks like a total row; pprr computes totals itself, so it is left out.")
        return None
    return OneOffResource(row=r + 1, investment=investment,
                          value=_number(s, r, "Value £000", f"{investment}: value"),
                          purpose=s.text(r, "Purpose"))


def _glossary(s: _Sheet, r: int) -> GlossaryEntry:
    return GlossaryEntry(row=r + 1, term=s.text(r, "Term"), meaning=s.text(r, "Meaning"))


def _read_capital(grids, problems) -> tuple[CapitalScheme, ...]:
    s = _locate(grids, schema.CAPITAL, problems)
    if s is None:
        return ()
    years = [(m.group(1), c) for c, h in enumerate(s.headers) if (m := schema.PROGRAMME_RE.match(h))]
    out = []
    for r, _ in s.data_rows():
        scheme = s.text(r, "Scheme")
        if _looks_like_total(scheme):
            s.problem(Severity.WARNING, r, s.col("Scheme"),
                      f"'{scheme}' looks like a total row; pprr computes totals itself, so it is left out.")
            continue
        programme = tuple((y, _number(s, r, s.headers[c], f"{scheme} {y} programme")) for y, c in years)
        out.append(CapitalScheme(row=r + 1, scheme=scheme, description=s.text(r, "Description"),
                                 programme=programme, funding=s.text(r, "Funding")))
    return tuple(out)
