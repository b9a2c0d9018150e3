"""Build the two bundled sample workbooks from the reviewed TSV transcriptions.

    python sample_data/build_samples.py

Reads ``sample_data/source/*.tsv`` (the source of truth: Stockport's Children, Family Services and Education
Portfolio Performance and Resources Agreement 2021/22, transcribed) and writes, with openpyxl only:

* ``stockport-cfse-2021-22-agreement.xlsx``: the agreement as published;
* ``stockport-cfse-2021-22-q3-illustrative.xlsx``: the same plus the ``q3_*.tsv`` illustrative in-year values
  (a ``2021/22 Actual`` column, forecast outturn, savings achieved, officer commentary). These values are invented
  for demonstration and the workbook says so (Illustrative = Yes).
* ``stockport-cfse-2021-22-mid-year-illustrative.xlsx``: the same portfolio at Mid-Year, from the ``mid_year_*.tsv``
  illustrative values (invented too, Illustrative = Yes, project progress included), so that the movement from
  Mid-Year to Q3 can be seen.

Every workbook takes each measure's Year Basis and Aggregation from ``measure_periods.tsv`` (Financial and Snapshot
where a measure is not listed).

  (a ``2021/22 Actual`` column, forecast outturn, savings achieved, project progress, officer commentary). These
  values are invented for demonstration and the workbook says so (Illustrative = Yes).

``measure_extras.tsv`` (keyed by PI Code + Cohort) adds the Theme, New Measure and comparator-set columns to the
Measures sheet; ``narrative.tsv``, ``projects.tsv``, ``financial_risks.tsv`` and ``one_off_resources.tsv`` are
sheets of their own.

TSV conventions (see ``source/README.md``): UTF-8, tab-separated, first row is the header, no quoting; a literal
backslash-n (two characters) inside a cell is a line break. Measure actual and target cells hold the text as the
agreement prints it. A plain percentage ("23.4%") is written as the number 0.234 with a percent format showing the
same decimals; a plain number ("-0.02", "1850") as a number; anything else ("10.8% (258)", "Awaiting data") as text.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font, PatternFill

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"
AGREEMENT_XLSX = HERE / "stockport-cfse-2021-22-agreement.xlsx"
Q3_XLSX = HERE / "stockport-cfse-2021-22-q3-illustrative.xlsx"
MID_YEAR_XLSX = HERE / "stockport-cfse-2021-22-mid-year-illustrative.xlsx"
IN_YEAR_TITLES = {"q3": "Q3 (illustrative)", "mid_year": "Mid-Year (illustrative)"}
PERIOD_COLUMNS = ["Year Basis", "Aggregation", "Data Lag (years)"]

YEAR = "2021/22"
Q3_ACTUAL = f"{YEAR} Actual"
MONEY_FORMAT = "#,##0;(#,##0)"
MONEY_M_FORMAT = "0.000"
FIXED_TIME = dt.datetime(2021, 6, 8, 9, 0, 0)  # workbook properties: keep the build deterministic

ACTION_COLUMNS = ["Action", "Action Owner", "Action Due"]
MEASURE_COLUMNS = [
    "PI Code",
    "Cohort",
    "PI Name",
    "Priority",
    "Measure Type",
    "Reported",
    "Good Performance",
    "Unit",
    "Tolerance",
    "2018/19 Actual",
    "2019/20 Actual",
    "2020/21 Actual",
    "2021/22 Target",
    "Comparator",
    "Corporate",
    "GMS",
    "Commentary",
    "Note",
]
VALUE_COLUMNS = {"2018/19 Actual", "2019/20 Actual", "2020/21 Actual", Q3_ACTUAL, "2021/22 Target"}
BUDGET_COLUMNS = [
    "Service",
    "Division",
    "Employee Expenditure",
    "Non-Employee Expenditure",
    "Gross Expenditure",
    "Gross Income",
    "Net Budget",
    "Forecast Outturn",
    "Commentary",
]
DIVISIONS = ("Children & Family Services", "Education")

# Closed lists (mirrors pprr/schema.py; this script deliberately does not import pprr). "Annual" is the agreement's
# own spelling for three measures and is kept as published.
MEASURE_TYPES = {"Council", "Partnership", "Contextual"}
REPORTED = {"Monthly", "Quarterly", "Termly", "Annually", "Annual"}
POLARITIES = {"High", "Low", "Contextual"}
UNITS = {"%", "rate", "number", "score", "days"}
RISK = {"Green", "Amber", "Red"}

WIDTHS = {
    "Field": 22,
    "Value": 60,
    "Priority": 10,
    "Title": 45,
    "Outcome": 60,
    "Commentary": 80,
    "PI Code": 14,
    "Cohort": 13,
    "PI Name": 60,
    "Measure Type": 14,
    "Reported": 12,
    "Good Performance": 12,
    "Unit": 8,
    "Tolerance": 11,
    "Comparator": 12,
    "Corporate": 10,
    "GMS": 7,
    "Note": 14,
    "Service": 42,
    "Division": 27,
    "Item": 55,
    "Category": 24,
    "Reserve Category": 26,
    "Reserve Narration": 40,
    "To Be Used For": 50,
    "Approved Use": 12,
    "Not Drawn Down": 10,
    "Proposal": 40,
    "Risk Rating": 11,
    "Value Identified £m": 12,
    "Value Achieved £m": 12,
    "Additional Information": 60,
    "Scheme": 36,
    "Description": 60,
    "Funding": 18,
    "Term": 12,
    "Meaning": 70,
    "Theme": 22,
    "New Measure": 9,
    "Heading": 28,
    "Text": 100,
    "Project": 45,
    "Milestone": 40,
    "Lead": 24,
    "Due": 16,
    "Status": 12,
    "Risk": 50,
    "Value £000": 12,
    "Mitigation": 70,
    "Investment": 36,
    "Purpose": 80,
}
WRAP = {
    "Title",
    "Outcome",
    "Commentary",
    "PI Name",
    "To Be Used For",
    "Additional Information",
    "Description",
    "Meaning",
    "Item",
    "Value",
    "Text",
    "Project",
    "Milestone",
    "Risk",
    "Mitigation",
    "Purpose",
}
EXTRA_KEY = ["PI Code", "Cohort"]
PROJECT_COLUMNS = ["Priority", "Project", "Milestone", "Lead", "Due", "Status", "Commentary"]
PROJECT_STATUSES = {"Complete", "On track", "At risk", "Off track", "Not started"}

PLAIN_PERCENT = re.compile(r"^-?\d+(?:\.(\d+))?%$")
PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.(\d+))?$")


class SourceError(Exception):
    pass


# ---------------------------------------------------------------- reading


def read_tsv(name: str) -> list[dict[str, str]]:
    path = SOURCE / name
    with path.open(encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    header = lines[0].split("\t")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != len(header):
            raise SourceError(f"{name} line {number}: {len(cells)} cells, header has {len(header)}")
        rows.append({h: c.replace("\\n", "\n") for h, c in zip(header, cells)})
    return rows


def expect_columns(name: str, rows: list[dict[str, str]], columns: list[str]) -> None:
    if rows and list(rows[0]) != columns:
        raise SourceError(f"{name}: columns {list(rows[0])}, expected {columns}")


def check_choice(
    name: str, row: dict[str, str], column: str, allowed: set[str], blank_ok: bool = False
) -> None:
    value = row[column]
    if value == "" and blank_ok:
        return
    if value not in allowed:
        raise SourceError(f"{name}: {column} {value!r} not in {sorted(allowed)} ({row})")


def money(text: str) -> int | float | None:
    """£000 as written: "3664" and "3664.0" -> 3664, "3663.6" -> 3663.6 (budget lines are held to £100)."""
    text = text.strip()
    if text == "":
        return None
    amount = Decimal(text)
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def money_m(text: str) -> float | None:
    text = text.strip()
    return None if text == "" else float(Decimal(text))


# ---------------------------------------------------------------- cell values


def measure_value(text: str) -> tuple[object, str | None]:
    """A measure's actual or target as an officer's Excel would hold it: (value, number_format)."""
    text = text.strip()
    if text == "":
        return None, None
    m = PLAIN_PERCENT.match(text)
    if m:
        decimals = len(m.group(1) or "")
        value = float(Decimal(text[:-1]) / 100)
        return value, "0%" if decimals == 0 else "0." + "0" * decimals + "%"
    m = PLAIN_NUMBER.match(text)
    if m:
        decimals = len(m.group(1) or "")
        if decimals == 0:
            return int(text), "0"
        return float(Decimal(text)), "0." + "0" * decimals
    return text, None


# ---------------------------------------------------------------- writing


def set_text(cell, value: str) -> None:
    cell.value = value
    cell.data_type = TYPE_STRING  # never a formula, even if the text starts with "="


def write_sheet(
    wb: Workbook,
    title: str,
    columns: list[str],
    rows: list[list[object]],
    formats: dict[str, str] | None = None,
) -> None:
    """Header row bold and frozen; rows are lists of values or (value, number_format) tuples."""
    ws = wb.create_sheet(title)
    formats = formats or {}
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for c, name in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=c)
        set_text(cell, name)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = cell.column_letter
        ws.column_dimensions[letter].width = WIDTHS.get(name, 14)
    for r, row in enumerate(rows, start=2):
        for c, (name, item) in enumerate(zip(columns, row), start=1):
            cell = ws.cell(row=r, column=c)
            value, fmt = item if isinstance(item, tuple) else (item, None)
            if isinstance(value, str):
                set_text(cell, value)
            else:
                cell.value = value
            fmt = fmt or formats.get(name)
            if fmt and value is not None and not isinstance(value, str):
                cell.number_format = fmt
            cell.alignment = Alignment(wrap_text=name in WRAP, vertical="top")
    ws.freeze_panes = "A2"


def text_or_none(text: str) -> str | None:
    return text if text != "" else None


def build(q3: bool = False, in_year: str | None = None) -> Workbook:
    """The agreement; with ``q3`` (or ``in_year="q3"``) the Q3 sample; with ``in_year="mid_year"`` the Mid-Year one."""
    prefix = in_year or ("q3" if q3 else None)
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "pprr sample_data/build_samples.py"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.title = "Stockport CFSE Portfolio Performance and Resources " + (
        IN_YEAR_TITLES[prefix] if prefix else "Agreement 2021/22"
    )

    # Portfolio
    portfolio = read_tsv("portfolio.tsv")
    expect_columns("portfolio.tsv", portfolio, ["Field", "Value"])
    fields = {r["Field"]: r["Value"] for r in portfolio}
    if prefix:
        for r in read_tsv(f"{prefix}_portfolio.tsv"):
            if r["Field"] not in fields:
                raise SourceError(f"{prefix}_portfolio.tsv: unknown field {r['Field']!r}")
            fields[r["Field"]] = r["Value"]
    if prefix == "q3":
        # the committee pack's front matter (illustrative): new fields, after the agreement's own
        for r in read_tsv("q3_front_matter.tsv"):
            if r["Field"] in fields:
                raise SourceError(f"q3_front_matter.tsv: {r['Field']!r} is already set")
            fields[r["Field"]] = r["Value"]
    rows = []
    for field, value in fields.items():
        rows.append([field, float(value) if field in ("Tolerance %", "Out Of Date After (years)") else value])
    write_sheet(wb, "Portfolio", ["Field", "Value"], rows)

    # Priorities
    priorities = read_tsv("priorities.tsv")
    expect_columns("priorities.tsv", priorities, ["Priority", "Title", "Outcome", "Commentary"])
    if prefix and (SOURCE / f"{prefix}_priorities.tsv").exists():
        extra = {r["Priority"]: r["Commentary"] for r in read_tsv(f"{prefix}_priorities.tsv")}
        if set(extra) - {p["Priority"] for p in priorities}:
            raise SourceError(f"{prefix}_priorities.tsv: unknown priority")
        for p in priorities:
            p["Commentary"] = extra.get(p["Priority"], p["Commentary"])
    write_sheet(
        wb,
        "Priorities",
        ["Priority", "Title", "Outcome", "Commentary"],
        [[int(p["Priority"]), p["Title"], p["Outcome"], text_or_none(p["Commentary"])] for p in priorities],
    )

    # Measures
    measures = read_tsv("measures.tsv")
    expect_columns("measures.tsv", measures, MEASURE_COLUMNS)
    keys = [(m["PI Code"], m["Cohort"]) for m in measures]
    if len(set(keys)) != len(keys):
        raise SourceError("measures.tsv: duplicate PI Code + Cohort")
    for m in measures:
        check_choice("measures.tsv", m, "Measure Type", MEASURE_TYPES)
        check_choice("measures.tsv", m, "Reported", REPORTED)
        check_choice("measures.tsv", m, "Good Performance", POLARITIES)
        check_choice("measures.tsv", m, "Unit", UNITS, blank_ok=True)
        check_choice("measures.tsv", m, "Corporate", {"Y", "N"})
        check_choice("measures.tsv", m, "GMS", {"Y", "N"})
    columns = list(MEASURE_COLUMNS)
    if prefix:
        q3_rows = read_tsv(f"{prefix}_measures.tsv")
        expect_columns(f"{prefix}_measures.tsv", q3_rows, ["PI Code", "Cohort", Q3_ACTUAL, "Commentary"])
        extra = {(r["PI Code"], r["Cohort"]): r for r in q3_rows}
        unknown = set(extra) - set(keys)
        missing = set(keys) - set(extra)
        if unknown or missing:
            raise SourceError(f"{prefix}_measures.tsv: unknown {sorted(unknown)}, missing {sorted(missing)}")
        for m in measures:
            e = extra[(m["PI Code"], m["Cohort"])]
            m[Q3_ACTUAL] = e[Q3_ACTUAL]
            if e["Commentary"]:
                m["Commentary"] = e["Commentary"]
        columns.insert(columns.index("2021/22 Target"), Q3_ACTUAL)
    # corrective actions on some Red measures (Q3, illustrative), in their own columns after Commentary; the
    # agreement has the columns, empty
    actions = {(r["PI Code"], r["Cohort"]): r for r in read_tsv("q3_actions.tsv")} if prefix == "q3" else {}
    if set(actions) - set(keys):
        raise SourceError(f"q3_actions.tsv: unknown {sorted(set(actions) - set(keys))}")
    for m in measures:
        a = actions.get((m["PI Code"], m["Cohort"]), {})
        for name in ACTION_COLUMNS:
            m[name] = a.get(name, "")
    columns += ACTION_COLUMNS
    periods = read_tsv("measure_periods.tsv")
    expect_columns("measure_periods.tsv", periods, ["PI Code", "Cohort", *PERIOD_COLUMNS])
    by_key = {(r["PI Code"], r["Cohort"]): r for r in periods}
    if len(by_key) != len(periods) or set(by_key) - set(keys):
        raise SourceError(f"measure_periods.tsv: duplicate or unknown {sorted(set(by_key) - set(keys))}")
    for m in measures:
        found = by_key.get((m["PI Code"], m["Cohort"]), {})
        m["Year Basis"] = found.get("Year Basis") or "Financial"
        m["Aggregation"] = found.get("Aggregation") or "Snapshot"
        m["Data Lag (years)"] = found.get("Data Lag (years)", "")
        check_choice("measure_periods.tsv", m, "Year Basis", {"Financial", "Academic", "Calendar"})
        check_choice("measure_periods.tsv", m, "Aggregation", {"Snapshot", "Cumulative"})
    columns[columns.index("Commentary"):columns.index("Commentary")] = PERIOD_COLUMNS
    extras = read_tsv("measure_extras.tsv")
    extra_columns = list(extras[0])[len(EXTRA_KEY):] if extras else []
    if extras and list(extras[0])[: len(EXTRA_KEY)] != EXTRA_KEY:
        raise SourceError(f"measure_extras.tsv: the first columns must be {EXTRA_KEY}")
    by_key = {(e["PI Code"], e["Cohort"]): e for e in extras}
    if len(by_key) != len(extras) or set(by_key) - set(keys):
        raise SourceError(f"measure_extras.tsv: duplicate or unknown measures {sorted(set(by_key) - set(keys))}")
    for m in measures:
        e = by_key.get((m["PI Code"], m["Cohort"]), {})
        check_choice("measure_extras.tsv", e or {"New Measure": "N"}, "New Measure", {"Y", "N"})
        for name in extra_columns:
            m[name] = e.get(name, "")
    comparator_columns = [c for c in extra_columns if c.endswith("Comparator")]
    sets = [c for c in extra_columns if c not in ("Theme", "New Measure")]
    columns[columns.index("Comparator") + 1 : columns.index("Comparator") + 1] = sets
    columns[columns.index("GMS") + 1 : columns.index("GMS") + 1] = ["New Measure", "Theme"]
    rows = []
    for m in measures:
        row: list[object] = []
        for name in columns:
            text = m[name]
            if name in VALUE_COLUMNS or name in comparator_columns:
                row.append(measure_value(text))
            elif name in ("Priority",):
                row.append(int(text))
            elif name in ("Tolerance", "Comparator", "Data Lag (years)"):
                row.append(float(text) if text else None)
            else:
                row.append(text_or_none(text))
        rows.append(row)
    write_sheet(wb, "Measures", columns, rows)

    # Budget
    budget = read_tsv("budget.tsv")
    expect_columns("budget.tsv", budget, BUDGET_COLUMNS)
    for b in budget:
        check_choice("budget.tsv", b, "Division", set(DIVISIONS))
    if prefix:
        extra = {r["Service"]: r for r in read_tsv(f"{prefix}_budget.tsv")}
        if set(extra) != {b["Service"] for b in budget}:
            raise SourceError(f"{prefix}_budget.tsv: services differ from budget.tsv")
        for b in budget:
            b["Forecast Outturn"] = extra[b["Service"]]["Forecast Outturn"]
            b["Commentary"] = extra[b["Service"]]["Commentary"]
    money_cols = BUDGET_COLUMNS[2:8]
    rows = [
        [b["Service"], b["Division"], *[money(b[c]) for c in money_cols], text_or_none(b["Commentary"])]
        for b in budget
    ]
    write_sheet(wb, "Budget", BUDGET_COLUMNS, rows, {c: MONEY_FORMAT for c in money_cols})

    # Budget Changes
    changes = read_tsv("budget_changes.tsv")
    cols = ["Item", "Category", *DIVISIONS]
    expect_columns("budget_changes.tsv", changes, cols)
    rows = [[c["Item"], c["Category"], *[money(c[d]) for d in DIVISIONS]] for c in changes]
    write_sheet(wb, "Budget Changes", cols, rows, {d: MONEY_FORMAT for d in DIVISIONS})

    # Reserves
    reserves = read_tsv("reserves.tsv")
    cols = [
        "Division",
        "Reserve Category",
        "Reserve Narration",
        "To Be Used For",
        "Approved Use",
        "Not Drawn Down",
    ]
    expect_columns("reserves.tsv", reserves, cols)
    for r in reserves:
        check_choice("reserves.tsv", r, "Division", set(DIVISIONS))
        check_choice("reserves.tsv", r, "Not Drawn Down", {"Y", "N"})
    rows = [
        [
            r["Division"],
            r["Reserve Category"],
            r["Reserve Narration"],
            r["To Be Used For"],
            money(r["Approved Use"]),
            r["Not Drawn Down"],
        ]
        for r in reserves
    ]
    write_sheet(wb, "Reserves", cols, rows, {"Approved Use": MONEY_FORMAT})

    # Savings
    savings = read_tsv("savings.tsv")
    cols = [
        "Division",
        "Proposal",
        "Risk Rating",
        "Value Identified £m",
        "Value Achieved £m",
        "Additional Information",
    ]
    expect_columns("savings.tsv", savings, cols)
    if prefix and (SOURCE / f"{prefix}_savings.tsv").exists():
        extra = {r["Proposal"]: r for r in read_tsv(f"{prefix}_savings.tsv")}
        if set(extra) != {s["Proposal"] for s in savings}:
            raise SourceError(f"{prefix}_savings.tsv: proposals differ from savings.tsv")
        for s in savings:
            for c in ("Risk Rating", "Value Achieved £m", "Additional Information"):
                s[c] = extra[s["Proposal"]][c]
    for s in savings:
        check_choice("savings.tsv", s, "Risk Rating", RISK)
        check_choice("savings.tsv", s, "Division", set(DIVISIONS))
    rows = [
        [
            s["Division"],
            s["Proposal"],
            s["Risk Rating"],
            money_m(s["Value Identified £m"]),
            money_m(s["Value Achieved £m"]),
            text_or_none(s["Additional Information"]),
        ]
        for s in savings
    ]
    write_sheet(
        wb,
        "Savings",
        cols,
        rows,
        {"Value Identified £m": MONEY_M_FORMAT, "Value Achieved £m": MONEY_M_FORMAT},
    )

    # Capital
    capital = read_tsv("capital.tsv")
    cols = ["Scheme", "Description", "2021/22 Programme", "2022/23 Programme", "Funding"]
    expect_columns("capital.tsv", capital, cols)
    rows = [
        [
            c["Scheme"],
            c["Description"],
            money(c["2021/22 Programme"]),
            money(c["2022/23 Programme"]),
            c["Funding"],
        ]
        for c in capital
    ]
    write_sheet(
        wb, "Capital", cols, rows, {"2021/22 Programme": MONEY_FORMAT, "2022/23 Programme": MONEY_FORMAT}
    )

    # Glossary
    glossary = read_tsv("glossary.tsv")
    expect_columns("glossary.tsv", glossary, ["Term", "Meaning"])
    write_sheet(wb, "Glossary", ["Term", "Meaning"], [[g["Term"], g["Meaning"]] for g in glossary])

    # Narrative
    narrative = read_tsv("narrative.tsv")
    expect_columns("narrative.tsv", narrative, ["Heading", "Text"])
    write_sheet(wb, "Narrative", ["Heading", "Text"], [[n["Heading"], n["Text"]] for n in narrative])

    # Projects: the agreement's delivery plan; each in-year copy adds its progress (and projects added in year)
    projects = read_tsv("projects.tsv")
    expect_columns("projects.tsv", projects, PROJECT_COLUMNS)
    if prefix:
        q3_rows = read_tsv(f"{prefix}_projects.tsv")
        expect_columns(f"{prefix}_projects.tsv", q3_rows, PROJECT_COLUMNS)
        known = {(p["Priority"], p["Project"], p["Milestone"]): p for p in projects}
        for r in q3_rows:
            p = known.get((r["Priority"], r["Project"], r["Milestone"]))
            if p is None:
                last = max((i for i, q in enumerate(projects) if q["Priority"] == r["Priority"]), default=-1)
                projects.insert(last + 1, dict(r))
                continue
            for c in ("Lead", "Due", "Status"):
                p[c] = r[c]
            if r["Commentary"]:
                p["Commentary"] = r["Commentary"]
    for p in projects:
        check_choice("projects.tsv", p, "Status", PROJECT_STATUSES, blank_ok=True)
    write_sheet(
        wb,
        "Projects",
        PROJECT_COLUMNS,
        [[int(p["Priority"]), *[text_or_none(p[c]) for c in PROJECT_COLUMNS[1:]]] for p in projects],
    )

    # Financial Risks
    risks = read_tsv("financial_risks.tsv")
    cols = ["Division", "Risk", "Value £000", "Mitigation"]
    expect_columns("financial_risks.tsv", risks, cols)
    for r in risks:
        check_choice("financial_risks.tsv", r, "Division", set(DIVISIONS))
    rows = [[r["Division"], r["Risk"], money(r["Value £000"]), text_or_none(r["Mitigation"])] for r in risks]
    write_sheet(wb, "Financial Risks", cols, rows, {"Value £000": MONEY_FORMAT})

    # One-Off Resources
    one_off = read_tsv("one_off_resources.tsv")
    cols = ["Investment", "Value £000", "Purpose"]
    expect_columns("one_off_resources.tsv", one_off, cols)
    rows = [[o["Investment"], money(o["Value £000"]), text_or_none(o["Purpose"])] for o in one_off]
    write_sheet(wb, "One-Off Resources", cols, rows, {"Value £000": MONEY_FORMAT})
    return wb


def save_reproducibly(wb: Workbook, path: Path) -> None:
    """Save so that the same TSVs give the same bytes: fixed zip entry times and a fixed modified date (openpyxl
    stamps the current time on both), so regenerating without a change leaves git with nothing to commit."""
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data)
    path.write_bytes(out.getvalue())


def main() -> int:
    try:
        agreement = build(q3=False)
        q3 = build(q3=True)
        mid_year = build(in_year="mid_year")
    except SourceError as exc:
        print(f"build_samples: {exc}", file=sys.stderr)
        return 1
    save_reproducibly(agreement, AGREEMENT_XLSX)
    save_reproducibly(q3, Q3_XLSX)
    save_reproducibly(mid_year, MID_YEAR_XLSX)
    print(f"wrote {AGREEMENT_XLSX.relative_to(HERE.parent)}, {Q3_XLSX.relative_to(HERE.parent)} and "
          f"{MID_YEAR_XLSX.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
