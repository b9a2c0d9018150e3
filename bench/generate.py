"""Valid portfolio workbooks of any size, for timing pprr on portfolios far bigger than the sample.

``python -m bench.generate 10000 -o big.xlsx`` writes a workbook in the template with 10,000 measure rows spread
over 5 to 20 priorities, with values written the way officers write them (percentages with counts, percentages
stored as Excel numbers, rates, period notes, missing-value words, direction-of-travel targets, cohorts), and a
budget, reconciliation, reserves, savings and capital programme that add up. The same size and seed always give
the same bytes.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from pprr import schema

FINANCIAL_YEAR = "2021/22"
COUNCIL = "Benchmark Metropolitan Borough Council"
CAPITAL_YEARS = ("2021/22", "2022/23", "2023/24")
PERCENT_FORMAT = "0.0%"
_FIXED_TIME = datetime(2022, 1, 31, 9, 0, 0)

PRIORITY_TITLES = (
    "Best start in life for every child",
    "Good schools and settings for all",
    "Safe at home and in the community",
    "Support for children with special educational needs",
    "Young people ready for work and adult life",
    "Healthy children and families",
    "Children in care and care leavers thrive",
    "Early help when families need it",
    "Inclusive education and good attendance",
    "Emotional wellbeing and mental health",
    "A skilled and stable workforce",
    "Youth justice and diversion",
    "Stronger communities for families",
    "Value for money in services for children",
    "Safe and sustainable travel to school",
    "Participation and the voice of the child",
    "Digital services for families",
    "Partnership with health",
    "Quality of social work practice",
    "Sufficiency of placements",
)
GROUPS = (
    "children in care", "care leavers aged 19-21", "young people aged 16-17", "pupils eligible for free school meals",
    "children with an EHC Plan", "mothers", "schools", "early years settings", "families supported by Early Help",
    "children in need", "disadvantaged pupils", "young carers",
)
PERCENT_OUTCOMES = (
    "in education, employment or training", "achieving the expected standard at KS2",
    "rated 'Good' or 'Outstanding' by Ofsted", "with an assessment completed within 45 days",
    "with three or more placements in the year", "reviewed within timescale", "persistently absent from school",
    "taking up the funded childcare offer", "in suitable accommodation", "breastfeeding at 6-8 weeks",
)
RATE_SUBJECTS = (
    "children in need", "child protection plans", "children looked after", "first-time entrants to youth justice",
    "hospital admissions for self-harm", "permanent exclusions", "referrals to children's social care",
)
NUMBER_SUBJECTS = (
    "Early Help Assessments completed", "families supported by the Stockport Family programme",
    "referrals to children's social care", "apprenticeships started", "school places created",
    "foster carers approved", "young people engaged in youth work", "EHC needs assessments requested",
)
SCORE_NAMES = (
    "Average Attainment 8 score per pupil", "Progress 8 score", "Value added progress measure - KS1 and KS2",
    "Average point score per entry at Level 3", "Strengths and Difficulties Questionnaire score",
)
DAYS_NAMES = (
    "Average time between entering care and moving in with an adoptive family",
    "Average days to complete an EHC needs assessment", "Average days from referral to first contact",
    "Average length of a child protection plan",
)
SENTENCES = (
    "Performance has improved on the previous year and remains better than statistical neighbours.",
    "Please note the publication of this data has been delayed due to Covid-19.",
    "The target is for Stockport to continue to improve and to perform better than comparator areas.",
    "Data for the current year will be reported in the next Portfolio Performance and Resource Report.",
    "The latest comparable data shows the gap between Stockport and the national average is narrowing.",
    "This indicator measures the proportion of eligible children who take up the offer.",
    "A new recording system was introduced in the autumn term, so figures are not directly comparable.",
    "Demand rose sharply in the second quarter and the service is reviewing staffing levels.",
    "Small numbers mean the percentage can move noticeably from one year to the next.",
    "The service has worked with schools and partners to address the decline seen last year.",
    "Ofsted inspections were suspended in March 2020, so up-to-date figures are not available.",
    "Members asked for a breakdown by locality; this will be included in the mid-year report.",
)
MISSING_WORDS = ("Awaiting data", "N/A", "Not yet available")
PERIOD_NOTES = ("Q4", "Q3", "Dec'20", "(Spring Term 19)", "End of March 19")
COHORT_SETS = (("EHC Plan", "SEN Support"), ("Reading", "Writing", "Maths"))
DIVISIONS = (
    "Children & Family Services", "Education", "Early Help", "Public Health", "Youth Services", "Inclusion",
)
SERVICE_WORDS = (
    "Adoption", "Fostering", "Social Work", "Early Help", "Youth Offending", "SEN Transport", "Leaving Care",
    "School Improvement", "Educational Psychology", "Children's Centres", "Short Breaks", "Safeguarding",
    "Family Support", "Careers Advice", "Residential Care", "Music Service",
)
RESERVE_CATEGORIES = (
    "Reserve Linked to Budget", "Strategic Priority Reserve", "Corporate Reserves", "Directorate Reserve",
    "Budget Resilience Reserve",
)
CHANGE_ITEMS = (
    ("Demand - External Placements", "Contingency Allocation"),
    ("Demand - Internal Foster Care", "Contingency Allocation"),
    ("Inflation Commissioning Budgets", "Inflation"),
    ("Agreed MTFP savings programme", "Savings"),
    ("Removal of one-off funding", "Other"),
    ("Pay award", "Inflation"),
)
GLOSSARY = (
    ("CFSE", "Children, Family Services and Education"),
    ("EHC Plan", "Education, Health and Care Plan"),
    ("SEN", "Special Educational Needs"),
    ("NEET", "Not in Education, Employment or Training"),
    ("GMS", "Greater Manchester Strategy"),
    ("MTFP", "Medium Term Financial Plan"),
)


def actual_years(financial_year: str, count: int) -> list[str]:
    """The ``count`` years ending with the financial year, oldest first ("2018/19" ... "2021/22")."""
    years = [financial_year]
    while len(years) < count:
        years.insert(0, schema.previous_year(years[0]))
    return years


def priority_count(n_measures: int) -> int:
    """5 to 20 priorities: one per 50 measures, within those bounds."""
    return max(5, min(20, n_measures // 50))


class _Sheets:
    """Appends rows to write-only sheets; a float in ``percent_cols`` is written with a percentage format."""

    def __init__(self) -> None:
        self.wb = Workbook(write_only=True)
        self.wb.properties.created = _FIXED_TIME
        self.wb.properties.creator = "pprr bench"

    def sheet(self, name: str, header: list[str]) -> WriteOnlyWorksheet:
        ws = self.wb.create_sheet(name)
        ws.append(header)
        return ws

    def percent(self, ws: WriteOnlyWorksheet, value: object) -> object:
        if not isinstance(value, float):
            return value
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = PERCENT_FORMAT
        return cell

    def save(self) -> bytes:
        out = io.BytesIO()
        self.wb.save(out)
        return _package_as_excel(out.getvalue())


_INLINE = re.compile(rb'<c r="([A-Z]+\d+)"( s="\d+")? t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>',
                     re.DOTALL)
_CELL_REF = re.compile(rb'<c r="([A-Z]+)(\d+)"')
_SST_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _package_as_excel(data: bytes) -> bytes:
    """Repackage openpyxl's write-only output as Excel saves a workbook, with the same bytes for the same content.

    Excel stores text once in a shared-strings table and gives each sheet a ``<dimension>``; write-only mode writes
    text inline and no dimension (which makes read-only openpyxl parse every sheet twice). Entry times and the
    modified date are fixed so that a seed always gives the same file.
    """
    strings: dict[bytes, int] = {}

    def share(m: re.Match) -> bytes:
        index = strings.setdefault(m.group(3), len(strings))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (m.group(1), m.group(2) or b"", index)

    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        parts = {info.filename: zin.read(info) for info in zin.infolist()}
    for name in [n for n in parts if n.startswith("xl/worksheets/sheet")]:
        xml = _INLINE.sub(share, parts[name])
        parts[name] = xml.replace(b"<sheetViews>", b'<dimension ref="%s" /><sheetViews>' % _dimension(xml), 1)
    shared = b"".join(b'<si><t xml:space="preserve">%s</t></si>' % text for text in strings)
    parts["xl/sharedStrings.xml"] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="%d">%s</sst>'
        % (len(strings), shared))
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="%s" /></Types>' % _SST_TYPE)
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="%s" Target="sharedStrings.xml" Id="rIdStrings" /></Relationships>' % _SST_REL)
    fixed = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    parts["docProps/core.xml"] = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                        rb"\g<1>" + fixed + rb"\2", parts["docProps/core.xml"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, content in parts.items():
            zout.writestr(zipfile.ZipInfo(name, date_time=_FIXED_TIME.timetuple()[:6]), content,
                          compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _dimension(xml: bytes) -> bytes:
    """The used range of a sheet's XML, e.g. ``A1:R1001``."""
    last_col, last_row = b"A", 1
    for col, row in _CELL_REF.findall(xml):
        if (len(col), col) > (len(last_col), last_col):
            last_col = col
        last_row = max(last_row, int(row))
    return b"A1:%s%d" % (last_col, last_row)


# ---- measures ----------------------------------------------------------------------------------------------

def _commentary(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.25:
        return ""
    if roll < 0.97:
        return " ".join(rng.choices(SENTENCES, k=rng.randint(1, 6)))
    return "\n\n".join(" ".join(rng.choices(SENTENCES, k=8)) for _ in range(rng.randint(3, 6)))


def _series(rng: random.Random, start: float, step: float, n: int, low: float, high: float) -> list[float]:
    values = [start]
    for _ in range(n - 1):
        values.append(min(high, max(low, values[-1] + rng.uniform(-step, step))))
    return values


def _with_missing(rng: random.Random, cells: list[object], annual: bool) -> list[object]:
    """Older years now and then N/A; the in-year actual often not in yet; a few new measures with no data yet."""
    if rng.random() < 0.03:
        return [None] * (len(cells) - 1) + [rng.choice(MISSING_WORDS)]
    out = [rng.choice(MISSING_WORDS) if rng.random() < 0.08 else c for c in cells[:-1]]
    latest_roll = rng.random()
    if latest_roll < (0.5 if annual else 0.2):
        out.append(None if annual and latest_roll < 0.2 else rng.choice(MISSING_WORDS))
    else:
        out.append(cells[-1])
    return out


def _percent_row(rng: random.Random, n: int) -> tuple[list[object], object, bool]:
    """Actuals and target of a % measure, as text ("10.8% (258)") or as Excel numbers (0.958 formatted 0.0%)."""
    values = _series(rng, rng.uniform(5, 95), 4, n + 1, 0.5, 99.5)
    actuals, target = values[:n], values[n]
    if rng.random() < 0.35:
        return [round(v / 100, 3) for v in actuals], round(target / 100, 3), True
    denominator = rng.randint(40, 6000) if rng.random() < 0.5 else None
    cells = [f"{v:.1f}%" + (f" ({round(v / 100 * denominator)})" if denominator else "") for v in actuals]
    return cells, f"{target:.1f}%", False


def _rate_row(rng: random.Random, n: int) -> tuple[list[object], object, bool]:
    scale = rng.choice((1, 100))
    values = _series(rng, rng.uniform(0.1, 0.9) * scale, 0.1 * scale, n + 1, 0.01, 1.2 * scale)
    digits = 2 if scale == 1 else 1
    cells = [f"{v:.{digits}f} ({max(1, round(v * rng.randint(20, 40)))})" for v in values[:n]]
    return cells, round(values[n], digits), False


def _number_row(rng: random.Random, n: int) -> tuple[list[object], object, bool]:
    values = [round(v) for v in _series(rng, rng.uniform(20, 3000), 150, n + 1, 1, 5000)]
    style = rng.random()
    if style < 0.4:
        cells: list[object] = [float(v) for v in values[:n]]
    elif style < 0.7:
        cells = [f"{v:,} ({max(1, v // rng.randint(2, 6)):,})" for v in values[:n]]
    else:
        cells = [f"{v} ({max(1, v // 4)}) {rng.choice(PERIOD_NOTES)}" for v in values[:n]]
    return cells, float(values[n]), False


def _score_row(rng: random.Random, n: int) -> tuple[list[object], object, bool]:
    start = rng.uniform(-1.5, 1.0) if rng.random() < 0.5 else rng.uniform(30, 60)
    values = _series(rng, start, 0.6, n + 1, -3, 80)
    return [round(v, 2) for v in values[:n]], round(values[n], 2), False


def _days_row(rng: random.Random, n: int) -> tuple[list[object], object, bool]:
    values = [round(v) for v in _series(rng, rng.uniform(20, 500), 40, n + 1, 5, 900)]
    return [float(v) for v in values[:n]], float(values[n]), False


UNIT_ROWS = {"%": _percent_row, "rate": _rate_row, "number": _number_row, "score": _score_row, "days": _days_row}
UNIT_WEIGHTS = {"%": 55, "rate": 10, "number": 20, "score": 8, "days": 7}


def _name(rng: random.Random, unit: str) -> str:
    if unit == "%":
        return f"Percentage of {rng.choice(GROUPS)} {rng.choice(PERCENT_OUTCOMES)}"
    if unit == "rate":
        return f"Rate of {rng.choice(RATE_SUBJECTS)} per 10,000 children aged 0-17 (number)"
    if unit == "number":
        return f"Number of {rng.choice(NUMBER_SUBJECTS)}"
    if unit == "score":
        return f"{rng.choice(SCORE_NAMES)} for {rng.choice(GROUPS)}"
    return f"{rng.choice(DAYS_NAMES)} (days)"


def _target_cell(rng: random.Random, polarity: str, target: object) -> tuple[object, bool]:
    """The financial year's target: a number, a direction of travel, Comparator or N/A. True for Comparator."""
    if polarity == "Contextual":
        return rng.choice(("N/A", None)), False
    roll = rng.random()
    if roll < 0.12:
        return ("Aim to maximise" if polarity == "High" else "To minimise"), False
    if roll < 0.18:
        return "Maintain performance", False
    if roll < 0.22:
        return "N/A", False
    if roll < 0.25:
        return "Comparator", True
    return target, False


def _measure_groups(rng: random.Random, n_measures: int) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(code, cohorts) until exactly ``n_measures`` rows: mostly single rows, some cohort sets sharing a code."""
    left, number = n_measures, 0
    while left > 0:
        number += 1
        cohorts = rng.choice(COHORT_SETS) if rng.random() < 0.08 else ("",)
        subs = rng.randint(2, 3) if rng.random() < 0.1 else 0
        codes = [f"CFSE.{number}({roman})" for roman in ("i", "ii", "iii")[:subs]] or [f"CFSE.{number}"]
        for code in codes:
            if left <= 0:
                return
            cohorts = cohorts if len(cohorts) <= left else ("",)
            left -= len(cohorts)
            yield code, cohorts


def _measure_rows(rng: random.Random, ws: WriteOnlyWorksheet, sheets: _Sheets, n_measures: int,
                  years: list[str], priorities: int) -> Iterator[list[object]]:
    weights = [rng.uniform(0.5, 2.0) for _ in range(priorities)]
    units, unit_weights = list(UNIT_WEIGHTS), list(UNIT_WEIGHTS.values())
    for code, cohorts in _measure_groups(rng, n_measures):
        unit = rng.choices(units, unit_weights)[0]
        name = _name(rng, unit)
        priority = rng.choices(range(1, priorities + 1), weights)[0]
        polarity = rng.choices(("High", "Low", "Contextual"), (55, 35, 10))[0]
        measure_type = "Contextual" if polarity == "Contextual" else rng.choice(("Council", "Partnership"))
        reported = rng.choice(schema.REPORTED)
        for cohort in cohorts:
            cells, target, as_number = UNIT_ROWS[unit](rng, len(years))
            actuals = _with_missing(rng, cells, reported == "Annually")
            target_cell, wants_comparator = _target_cell(rng, polarity, target)
            comparator = target if wants_comparator else (target if rng.random() < 0.2 else None)
            if isinstance(comparator, str):
                comparator = float(comparator.rstrip("%"))
            tolerance = rng.choice((0.5, 1.0, 2.0)) if unit == "%" and not as_number and rng.random() < 0.1 else None
            if as_number:
                actuals = [sheets.percent(ws, v) for v in actuals]
                target_cell = sheets.percent(ws, target_cell)
                comparator = sheets.percent(ws, comparator)
            yield [
                code, cohort or None, name, priority, measure_type, reported, polarity, unit, tolerance,
                *actuals, target_cell, comparator, rng.choice("YN") if rng.random() < 0.3 else "N",
                rng.choice("YN"), _commentary(rng) or None,
            ]


def _write_measures(rng: random.Random, sheets: _Sheets, n_measures: int, years: list[str], priorities: int) -> None:
    header = [
        "PI Code", "Cohort", "PI Name", "Priority", "Measure Type", "Reported", "Good Performance", "Unit",
        "Tolerance", *(schema.actual_header(y) for y in years), schema.target_header(years[-1]), "Comparator",
        "Corporate", "GMS", "Commentary",
    ]
    ws = sheets.sheet(schema.MEASURES.name, header)
    for row in _measure_rows(rng, ws, sheets, n_measures, years, priorities):
        ws.append(row)


# ---- everything else ---------------------------------------------------------------------------------------

def _write_portfolio(sheets: _Sheets, n_measures: int) -> None:
    ws = sheets.sheet(schema.PORTFOLIO.name, ["Field", "Value"])
    values = {
        "Council": COUNCIL,
        "Portfolio": f"Generated portfolio ({n_measures:,} measures)",
        "Financial Year": FINANCIAL_YEAR,
        "Reporting Period": "Q3 Update",
        "Version": "1",
        "Date": "31 January 2022",
        "Approved By": "Portfolio Lead",
        "Tolerance %": schema.DEFAULT_TOLERANCE_PCT,
        "Illustrative": "Yes",
        "Out Of Date After (years)": schema.DEFAULT_OUT_OF_DATE_AFTER,
    }
    for field in schema.COUNCIL_FIELDS:
        ws.append([field, values[field]])


def _write_priorities(rng: random.Random, sheets: _Sheets, priorities: int) -> None:
    ws = sheets.sheet(schema.PRIORITIES.name, ["Priority", "Title", "Outcome", "Commentary"])
    for number in range(1, priorities + 1):
        title = PRIORITY_TITLES[number - 1]
        ws.append([number, title, f"Outcome: {title.lower()}.", _commentary(rng) or None])


def _budget_lines(rng: random.Random, n_budget: int, divisions: list[str]) -> list[list[object]]:
    lines = []
    for i in range(n_budget):
        division = divisions[i % len(divisions)]
        service = f"{rng.choice(SERVICE_WORDS)} {i + 1}"
        if rng.random() < 0.05:
            employee, non_employee, income = 0, 0, -rng.randint(100, 3000)
        else:
            employee, non_employee = rng.randint(0, 6000), rng.randint(0, 9000)
            income = -round((employee + non_employee) * rng.choice((0, 0, 0.1, 0.4, 0.9)))
        gross = employee + non_employee
        net = gross + income
        forecast = net + round(abs(net) * rng.uniform(-0.06, 0.09))
        commentary = rng.choice(SENTENCES) if rng.random() < 0.3 else None
        lines.append([service, division, employee, non_employee, gross, income, net, forecast, commentary])
    return sorted(lines, key=lambda line: divisions.index(line[1]))


def _write_budget(rng: random.Random, sheets: _Sheets, n_budget: int, divisions: list[str]) -> dict[str, int]:
    """The service lines; returns each division's net budget, which the reconciliation must reach."""
    ws = sheets.sheet(schema.BUDGET.name, [c.name for c in schema.BUDGET.columns])
    net_by_division = dict.fromkeys(divisions, 0)
    for line in _budget_lines(rng, n_budget, divisions):
        ws.append(line)
        net_by_division[line[1]] += line[6]
    return net_by_division


def _write_budget_changes(rng: random.Random, sheets: _Sheets, net_by_division: dict[str, int]) -> None:
    divisions = list(net_by_division)
    ws = sheets.sheet(schema.BUDGET_CHANGES.name, ["Item", "Category", *divisions])
    changes = []
    for item, category in CHANGE_ITEMS:
        sign = -1 if category in ("Savings", "Other") else 1
        changes.append([item, category, *(sign * rng.randint(0, 900) for _ in divisions)])
    opening = [net - sum(c[2 + i] for c in changes) for i, net in enumerate(net_by_division.values())]
    ws.append([f"Budget at Q3 {schema.previous_year(FINANCIAL_YEAR)}", "Opening", *opening])
    for row in changes:
        ws.append(row)


def _write_reserves(rng: random.Random, sheets: _Sheets, divisions: list[str], count: int) -> None:
    ws = sheets.sheet(schema.RESERVES.name, [c.name for c in schema.RESERVES.columns])
    for i in range(count):
        ws.append([
            divisions[i % len(divisions)], rng.choice(RESERVE_CATEGORIES), "Directorate Flexibility Reserve",
            f"{rng.choice(SERVICE_WORDS)} staffing", rng.randint(10, 800), "Y" if rng.random() < 0.2 else "N",
        ])


def _write_savings(rng: random.Random, sheets: _Sheets, divisions: list[str], count: int) -> None:
    ws = sheets.sheet(schema.SAVINGS.name, [c.name for c in schema.SAVINGS.columns])
    for i in range(count):
        identified = rng.randint(10, 500) / 1000
        risk = rng.choices(schema.RISK_RATINGS, (6, 3, 1))[0]
        achieved = identified if risk == "Green" else round(identified * rng.uniform(0, 0.8), 3)
        ws.append([
            divisions[i % len(divisions)], f"Saving linked to {rng.choice(SERVICE_WORDS).lower()} redesign",
            risk, identified, achieved, rng.choice(SENTENCES) if risk != "Green" else None,
        ])


def _write_capital(rng: random.Random, sheets: _Sheets, count: int) -> None:
    ws = sheets.sheet(schema.CAPITAL.name, ["Scheme", "Description", *(f"{y} Programme £000" for y in CAPITAL_YEARS),
                                            "Funding"])
    for _ in range(count):
        ws.append([
            f"{rng.choice(SERVICE_WORDS)} building works", "Refurbishment and adaptations",
            *(rng.choice((0, rng.randint(5, 2000))) for _ in CAPITAL_YEARS),
            rng.choice(("Capital Grants", "Borrowing")),
        ])


def _write_glossary(sheets: _Sheets) -> None:
    ws = sheets.sheet(schema.GLOSSARY.name, ["Term", "Meaning"])
    for term, meaning in GLOSSARY:
        ws.append([term, meaning])


def default_budget_lines(n_measures: int) -> int:
    """Budget lines grow with the portfolio: one per 20 measures, at least 6."""
    return max(6, n_measures // 20)


def generate_workbook(n_measures: int, n_budget: int | None = None, seed: int = 0, n_years: int = 4) -> bytes:
    """A valid .xlsx in the pprr template with ``n_measures`` measure rows and ``n_budget`` budget lines.

    ``n_years`` Actual columns (3 or 4) end with the financial year. The same arguments give the same bytes.
    """
    if n_measures < 1:
        raise ValueError("n_measures must be at least 1")
    if n_years not in (3, 4):
        raise ValueError("n_years must be 3 or 4")
    n_budget = default_budget_lines(n_measures) if n_budget is None else n_budget
    rng = random.Random(seed)
    priorities = priority_count(n_measures)
    divisions = list(DIVISIONS[: max(2, min(6, n_budget // 4))])
    years = actual_years(FINANCIAL_YEAR, n_years)
    sheets = _Sheets()
    _write_portfolio(sheets, n_measures)
    _write_priorities(rng, sheets, priorities)
    _write_measures(rng, sheets, n_measures, years, priorities)
    net_by_division = _write_budget(rng, sheets, n_budget, divisions)
    _write_budget_changes(rng, sheets, net_by_division)
    _write_reserves(rng, sheets, divisions, max(4, n_budget // 5))
    _write_savings(rng, sheets, divisions, max(3, n_budget // 8))
    _write_capital(rng, sheets, max(2, n_budget // 20))
    _write_glossary(sheets)
    return sheets.save()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("measures", type=int, help="number of measure rows (one per measure and cohort)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the .xlsx file to write")
    parser.add_argument("--budget-lines", type=int, default=None, help="budget lines (default: measures / 20)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--years", type=int, default=4, choices=(3, 4), help="Actual columns (default 4)")
    args = parser.parse_args(argv)
    args.output.write_bytes(generate_workbook(args.measures, args.budget_lines, args.seed, args.years))
    print(f"wrote {args.output} ({args.measures:,} measures)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
