"""Checks across rows and sheets, made after every sheet has been read.

Cell-level problems are found while reading; these are the ones that need the whole workbook: duplicates, unknown
priorities, sums that do not add up, and the kinds of slip found in real agreements (a PI code used twice for
different measures, mixed code prefixes, a score shown with a % sign). Source-data slips are warnings: the workbook
is kept as it is and the officer is told.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from ..model import Measure, PortfolioWorkbook, Problem, Severity
from ..rules.values import format_number
from ..schema import norm_header

ROUNDING = 1.0  # £000: sums within this of each other agree (the agreement's own tables round to £000)

_CODE = re.compile(r"^([A-Za-z]+)[.\s]*(.*)$")


def validate(wb: PortfolioWorkbook) -> list[Problem]:
    """Cross-row checks. A problem about a whole measure or budget line names its row and no column."""
    problems: list[Problem] = []
    problems += _priorities(wb)
    problems += _measure_keys(wb)
    problems += _code_prefixes(wb.measures)
    problems += _units(wb.measures)
    problems += _budget_arithmetic(wb)
    problems += _reconciliation(wb)
    problems += _projects(wb)
    problems += _actions(wb.measures)
    if not wb.measures and not any(p.sheet == "Measures" for p in problems):
        problems.append(Problem(Severity.WARNING, "Measures", None, None, "The workbook has no measures yet."))
    return problems


def _actions(measures: tuple[Measure, ...]) -> list[Problem]:
    """An action owner or due date with no action says nothing to the committee: the officer is told."""
    problems = []
    for m in measures:
        if not m.action.strip() and (m.action_owner.strip() or m.action_due.strip()):
            given = " and ".join(x for x, v in (("an Action Owner", m.action_owner), ("an Action Due", m.action_due))
                                 if v.strip())
            problems.append(_p(Severity.WARNING, "Measures", m.row, None,
                               f"{m.label} has {given} but no Action: write the corrective action in the Action "
                               "column."))
    return problems


def _p(severity: Severity, sheet: str, row: int | None, column: str | None, message: str) -> Problem:
    return Problem(severity, sheet, row, column, message)


def _priorities(wb: PortfolioWorkbook) -> list[Problem]:
    out = []
    seen: dict[int, int] = {}
    for p in wb.priorities:
        if p.number in seen:
            out.append(_p(Severity.ERROR, "Priorities", p.row, "A",
                          f"Priority {p.number} is listed twice (also row {seen[p.number]})."))
        seen.setdefault(p.number, p.row)
    if not wb.priorities:
        return out
    for m in wb.measures:
        if m.priority not in seen:
            out.append(_p(Severity.ERROR, "Measures", m.row, None,
                          f"{m.label} belongs to priority {m.priority}, which is not on the Priorities sheet."))
    return out


def _projects(wb: PortfolioWorkbook) -> list[Problem]:
    """Every project belongs to a priority on the Priorities sheet, as every measure does."""
    known = {p.number for p in wb.priorities}
    if not known:
        return []
    return [_p(Severity.ERROR, "Projects", pr.row, None,
               f"{pr.project[:80]} belongs to priority {pr.priority}, which is not on the Priorities sheet.")
            for pr in wb.projects if pr.priority not in known]


def _measure_keys(wb: PortfolioWorkbook) -> list[Problem]:
    out = []
    first: dict[tuple[str, str], int] = {}
    for m in wb.measures:
        key = (m.code.casefold(), m.cohort.casefold())
        if key in first:
            cohort = f" (cohort '{m.cohort}')" if m.cohort else ""
            out.append(_p(Severity.ERROR, "Measures", m.row, None,
                          f"PI Code {m.code}{cohort} is used twice (also row {first[key]}); give each measure and "
                          "cohort its own code or cohort."))
        else:
            first[key] = m.row
    return out


def _code_prefixes(measures: tuple[Measure, ...]) -> list[Problem]:
    out = []
    prefixes = Counter()
    by_number: dict[str, list[Measure]] = defaultdict(list)
    for m in measures:
        match = _CODE.match(m.code)
        if not match:
            continue
        prefix, number = match.group(1).upper(), match.group(2)
        prefixes[prefix] += 1
        by_number[number].append(m)
    if len(prefixes) > 1:
        usual = prefixes.most_common(1)[0][0]
        for m in measures:
            match = _CODE.match(m.code)
            if match and match.group(1).upper() != usual:
                out.append(_p(Severity.WARNING, "Measures", m.row, None,
                              f"{m.code} uses the prefix '{match.group(1)}' where most measures use '{usual}'; "
                              "check the code is right."))
    for number, group in by_number.items():
        if not number or len(group) < 2:
            continue
        codes = {m.code for m in group}
        if len(codes) > 1 and len({norm_header(m.name) for m in group}) > 1:
            listed = " and ".join(sorted(codes))
            for m in group:
                out.append(_p(Severity.WARNING, "Measures", m.row, None,
                              f"{listed} share the number '{number}' but are different measures "
                              f"('{m.name[:60]}'); a reader may confuse them."))
    return out


def _units(measures: tuple[Measure, ...]) -> list[Problem]:
    out = []
    for m in measures:
        values = [v for _, v in m.actuals if v.number is not None]
        if m.unit == "score" and (any(v.percent for v in values) or m.target.percent):
            out.append(_p(Severity.WARNING, "Measures", m.row, None,
                          f"{m.label} is a score but some of its values are shown with a % sign; the number is "
                          "used as it is."))
        elif m.unit == "%":
            plain = [v.raw for v in values if not v.percent]
            if plain and any(v.percent for v in values):
                out.append(_p(Severity.WARNING, "Measures", m.row, None,
                              f"{m.label} is a percentage but '{plain[0]}' has no % sign; check it is a "
                              "percentage."))
        elif m.target.number is not None and values and m.target.percent != values[-1].percent:
            out.append(_p(Severity.WARNING, "Measures", m.row, None,
                              f"{m.label}: the latest actual '{values[-1].raw}' and the target "
                              f"'{m.target.raw}' are not written in the same unit."))
    return out


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= ROUNDING + 1e-9


def _budget_arithmetic(wb: PortfolioWorkbook) -> list[Problem]:
    out = []
    for b in wb.budget:
        if None not in (b.employee, b.non_employee, b.gross_expenditure) and not _close(
                b.employee + b.non_employee, b.gross_expenditure):
            out.append(_p(Severity.WARNING, "Budget", b.row, None,
                          f"{b.service}: employee {format_number(b.employee)} + non-employee "
                          f"{format_number(b.non_employee)} does not equal gross expenditure "
                          f"{format_number(b.gross_expenditure)}."))
        if None not in (b.gross_expenditure, b.gross_income, b.net_budget) and not _close(
                b.gross_expenditure + b.gross_income, b.net_budget):
            out.append(_p(Severity.WARNING, "Budget", b.row, None,
                          f"{b.service}: gross expenditure {format_number(b.gross_expenditure)} plus gross income "
                          f"{format_number(b.gross_income)} does not equal the net budget "
                          f"{format_number(b.net_budget)} (enter income as a negative number)."))
    return out


def division_key(name: str) -> str:
    """Division names match loosely: 'Children & Family Services' = 'children and family services'."""
    return norm_header(name.replace("&", " and "))


def _reconciliation(wb: PortfolioWorkbook) -> list[Problem]:
    if not wb.budget_changes or not wb.budget:
        return []
    out = []
    net_by_division: dict[str, float] = defaultdict(float)
    names: dict[str, str] = {}
    for b in wb.budget:
        net_by_division[division_key(b.division)] += b.net_budget or 0.0
        names.setdefault(division_key(b.division), b.division)
    for i, division in enumerate(wb.budget_divisions):
        key = division_key(division)
        total = sum((dict(c.amounts).get(division) or 0.0) for c in wb.budget_changes)
        if key not in net_by_division:
            if key != "total":
                out.append(_p(Severity.WARNING, "Budget Changes", 1, None,
                              f"The division '{division}' does not match any Division on the Budget sheet."))
            continue
        service_total = net_by_division[key]
        if not _close(total, service_total):
            out.append(_p(Severity.WARNING, "Budget Changes", None, None,
                          f"The reconciliation for {division} comes to {format_number(round(total, 3))} but the "
                          f"Budget sheet's services add up to {format_number(round(service_total, 3))} "
                          f"(a difference of {format_number(round(total - service_total, 3))})."))
    return out
