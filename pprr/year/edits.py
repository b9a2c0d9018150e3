"""The officer's working copy: edits to a loaded workbook, checked with the reader's own rules.

An :class:`Edit` names one cell by sheet, worksheet row and column header, and keeps the text before and after.
:func:`make_edit` refuses a value the workbook reader could not read, so nothing unreadable is ever stored;
:func:`apply_edits` gives the workbook as it stands with the edits made; :func:`net_edits` reduces a change log to
the cells that really changed. The same edits are written into the uploaded file by :mod:`pprr.workbook.writer`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from ..model import BudgetLine, Measure, PortfolioWorkbook, Priority, Project, Value
from ..rules.values import UnreadableValue, format_number, parse_number, parse_target, parse_text
from ..safe_text import excel_text
from ..schema import (
    ACTUAL_RE,
    BUDGET,
    MEASURES,
    PRIORITIES,
    PROJECT_STATUSES,
    PROJECTS,
    YEAR_RE,
    actual_header,
    norm_header,
    target_header,
)

COMMENTARY = "Commentary"
FORECAST = "Forecast Outturn"
STATUS = "Status"  # a project's progress (Projects sheet)
EDITABLE_SHEETS = (MEASURES.name, BUDGET.name, PRIORITIES.name, PROJECTS.name)


@dataclasses.dataclass(frozen=True)
class Edit:
    """One cell changed by an officer: ``old`` and ``new`` are the text as shown and as typed."""

    sheet: str
    row: int
    field: str
    old: str
    new: str
    label: str

    @property
    def cell(self) -> tuple[str, int, str]:
        return (self.sheet, self.row, norm_header(self.field))


def in_year_actual(wb: PortfolioWorkbook) -> str | None:
    """The header of the financial year's Actual column, whether or not the workbook has it yet."""
    year = wb.portfolio.financial_year.strip()
    return actual_header(year) if YEAR_RE.match(year) else None


def editable_fields(wb: PortfolioWorkbook, sheet: str) -> tuple[str, ...]:
    """The column headers an officer may edit on ``sheet``."""
    name = _sheet_name(sheet)
    if name == MEASURES.name:
        fields = [actual_header(year) for year in wb.actual_years]
        in_year = in_year_actual(wb)
        if in_year and in_year not in fields:
            fields.append(in_year)
        if in_year:
            fields.append(target_header(wb.portfolio.financial_year.strip()))
        return (*fields, COMMENTARY)
    if name == BUDGET.name:
        return (FORECAST, COMMENTARY)
    if name == PROJECTS.name:
        return (STATUS, COMMENTARY)
    return (COMMENTARY,)


def make_edit(wb: PortfolioWorkbook, sheet: str, row: int, field: str, text: str) -> Edit:
    """An edit of one cell, checked as the reader would read it.

    Raises :class:`UnreadableValue` (message for the officer) when the text is not a value the column accepts,
    and ValueError when the sheet, row or column is not one that can be edited.
    """
    name = _sheet_name(sheet)
    canonical = _field_name(wb, name, field)
    record = _record_at(wb, name, row)
    new = _checked_text(canonical, text)
    return Edit(name, row, canonical, _current_text(record, canonical), new, _label(record))


def apply_edits(wb: PortfolioWorkbook, edits: Iterable[Edit]) -> PortfolioWorkbook:
    """The workbook with ``edits`` made, in order (a later edit of the same cell wins).

    Only the edited records are rebuilt; each edited table is walked once to put them back in place.
    """
    by_sheet: dict[str, dict[int, list[Edit]]] = {}
    for edit in edits:
        by_sheet.setdefault(edit.sheet, {}).setdefault(edit.row, []).append(edit)
    if not by_sheet:
        return wb
    unknown = set(by_sheet) - set(EDITABLE_SHEETS)
    if unknown:
        raise ValueError(f"Cannot edit the {', '.join(sorted(unknown))} sheet")
    changes: dict[str, object] = {}
    new_years = _added_years(wb, by_sheet.get(MEASURES.name, {}))
    if MEASURES.name in by_sheet or new_years:
        changes["measures"] = _rebuild(wb.measures, by_sheet.get(MEASURES.name, {}), _edit_measure, new_years)
        changes["actual_years"] = tuple(sorted(wb.actual_years + new_years))
    if BUDGET.name in by_sheet:
        changes["budget"] = _rebuild(wb.budget, by_sheet[BUDGET.name], _edit_budget_line)
    if PRIORITIES.name in by_sheet:
        changes["priorities"] = _rebuild(wb.priorities, by_sheet[PRIORITIES.name], _edit_priority)
    if PROJECTS.name in by_sheet:
        changes["projects"] = _rebuild(wb.projects, by_sheet[PROJECTS.name], _edit_project)
    return dataclasses.replace(wb, **changes)


def net_edits(edits: Iterable[Edit]) -> list[Edit]:
    """One edit per cell, from its first old value to its last new value; cells back at their original are dropped.

    Cells keep the order in which they were first edited.
    """
    first: dict[tuple[str, int, str], Edit] = {}
    last: dict[tuple[str, int, str], Edit] = {}
    for edit in edits:
        first.setdefault(edit.cell, edit)
        last[edit.cell] = edit
    return [
        dataclasses.replace(last[key], old=start.old)
        for key, start in first.items()
        if last[key].new != start.old
    ]


def _sheet_name(sheet: str) -> str:
    for name in EDITABLE_SHEETS:
        if norm_header(name) == norm_header(sheet):
            return name
    raise ValueError(f"Cannot edit the {sheet} sheet: only {', '.join(EDITABLE_SHEETS)} can be edited")


def _field_name(wb: PortfolioWorkbook, sheet: str, field: str) -> str:
    allowed = editable_fields(wb, sheet)
    for name in allowed:
        if norm_header(name) == norm_header(field):
            return name
    raise ValueError(f"'{field}' cannot be edited on the {sheet} sheet; editable: {', '.join(allowed)}")


def _record_at(wb: PortfolioWorkbook, sheet: str, row: int) -> Measure | BudgetLine | Priority | Project:
    records = {MEASURES.name: wb.measures, BUDGET.name: wb.budget, PRIORITIES.name: wb.priorities,
               PROJECTS.name: wb.projects}[sheet]
    for record in records:
        if record.row == row:
            return record
    raise ValueError(f"The {sheet} sheet has no entry at row {row}")


def _checked_text(field: str, text: str) -> str:
    """The text to store, raising UnreadableValue when the field's parser cannot read it.

    Surrounding spaces are dropped, as the reader drops them; commentary is otherwise kept as typed, with line
    endings as an .xlsx cell stores them (``\n``).
    """
    if field == COMMENTARY:
        try:
            return excel_text(text).strip()
        except ValueError as exc:
            raise UnreadableValue(str(exc)) from None
    text = text.strip()
    if field == STATUS:
        return project_status_text(text)
    if ACTUAL_RE.match(field):
        parse_text(text)
    elif field == FORECAST:
        parse_number(text)
    else:
        parse_target(text)
    return text


def project_status_text(text: str) -> str:
    """A project status as stored: one of the closed list (any capitals), or blank; UnreadableValue otherwise."""
    text = " ".join(text.split())
    if not text:
        return ""
    match = next((s for s in PROJECT_STATUSES if s.casefold() == text.casefold()), None)
    if match is None:
        raise UnreadableValue(f"'{text}' is not a project status: choose one of {', '.join(PROJECT_STATUSES)}")
    return match


def _current_text(record: Measure | BudgetLine | Priority | Project, field: str) -> str:
    if field == COMMENTARY:
        return record.commentary
    if field == STATUS:
        return record.status
    if field == FORECAST:
        return "" if record.forecast is None else format_number(record.forecast)
    actual = ACTUAL_RE.match(field)
    if actual:
        return next((value.raw for year, value in record.actuals if year == actual.group(1)), "")
    return record.target.raw


def _label(record: Measure | BudgetLine | Priority) -> str:
    if isinstance(record, Measure):
        return record.label
    if isinstance(record, BudgetLine):
        return record.service
    if isinstance(record, Project):
        return record.label
    return f"Priority {record.number}"


def _added_years(wb: PortfolioWorkbook, measure_edits: dict[int, list[Edit]]) -> tuple[str, ...]:
    """Actual years the edits bring into the workbook: a new year whose cells end with a value in at least one.

    A new year edited only to blank adds nothing, as the writer then adds no column.
    """
    final: dict[tuple[int, str], str] = {}
    for edits in measure_edits.values():
        for edit in edits:
            actual = ACTUAL_RE.match(edit.field)
            if actual and actual.group(1) not in wb.actual_years:
                final[(edit.row, actual.group(1))] = edit.new
    return tuple(sorted({year for (_, year), new in final.items() if new}))


def _rebuild(records: tuple, edits_by_row: dict[int, list[Edit]], edit_record: Callable, *extra) -> tuple:
    rebuilt = []
    found = 0
    for record in records:
        edits = edits_by_row.get(record.row)
        if edits:
            found += 1
        rebuilt.append(edit_record(record, edits or (), *extra))
    if found != len(edits_by_row):
        missing = sorted(set(edits_by_row) - {r.row for r in records})
        raise ValueError(f"No entry at row(s) {', '.join(map(str, missing))} to edit")
    return tuple(rebuilt)


def _edit_measure(measure: Measure, edits: Iterable[Edit], new_years: tuple[str, ...]) -> Measure:
    if not edits and not new_years:
        return measure
    actuals = dict(measure.actuals)
    for year in new_years:
        actuals.setdefault(year, Value("", missing=""))
    changes: dict[str, object] = {}
    for edit in edits:
        actual = ACTUAL_RE.match(edit.field)
        if actual and actual.group(1) in actuals:
            actuals[actual.group(1)] = parse_text(edit.new)
        elif actual:
            continue  # a new year left blank: no column, nothing to record
        elif edit.field == COMMENTARY:
            changes["commentary"] = edit.new
        else:
            changes["target"] = parse_target(edit.new)
    if len(actuals) != len(measure.actuals) or any(actuals[y] is not v for y, v in measure.actuals):
        changes["actuals"] = tuple(sorted(actuals.items(), key=lambda year_value: year_value[0]))
    return dataclasses.replace(measure, **changes) if changes else measure


def _edit_budget_line(line: BudgetLine, edits: Iterable[Edit]) -> BudgetLine:
    changes: dict[str, object] = {}
    for edit in edits:
        if edit.field == FORECAST:
            changes["forecast"] = parse_number(edit.new)
        else:
            changes["commentary"] = edit.new
    return dataclasses.replace(line, **changes) if changes else line


def _edit_project(project: Project, edits: Iterable[Edit]) -> Project:
    for edit in edits:
        field = "status" if edit.field == STATUS else "commentary"
        project = dataclasses.replace(project, **{field: edit.new})
    return project


def _edit_priority(priority: Priority, edits: Iterable[Edit]) -> Priority:
    for edit in edits:
        priority = dataclasses.replace(priority, commentary=edit.new)
    return priority
