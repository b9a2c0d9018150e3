"""Delivery plans, benchmarks and the rest of the agreement: read, checked, edited, downloaded, rated and printed.

Workbooks are made by code (``tests/workbooks.py``) or are the bundled samples transcribed from the agreement.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from workbooks import MEASURES, make_workbook

from pprr import load_workbook
from pprr.model import Benchmark, Measure, Project, Target, TargetKind, Value
from pprr.report.html_pack import build_html
from pprr.report.pack import PackOptions, build_pack
from pprr.report.tables import STATUS_COLUMNS, comparator_status_rows, status_columns, workbook_ratings
from pprr.rules.agreement import (
    count_projects,
    flag_key,
    flags_text,
    group_measures,
    needs_attention,
    project_badge,
)
from pprr.rules.benchmarks import Comparison, comparator_for, judge
from pprr.rules.status import Settings, Status, rate_measure
from pprr.rules.values import UnreadableValue
from pprr.schema import PROJECT_STATUSES
from pprr.workbook.writer import write_edited_workbook
from pprr.year.edits import COMMENTARY, STATUS, apply_edits, make_edit
from pprr.year.projects import project_changes

ROOT = Path(__file__).resolve().parents[1]
AGREEMENT = ROOT / "sample_data" / "stockport-cfse-2021-22-agreement.xlsx"
Q3 = ROOT / "sample_data" / "stockport-cfse-2021-22-q3-illustrative.xlsx"

PROJECTS = [
    {"Priority": 1, "Project": "Start Well Strategy", "Milestone": "", "Lead": "Start Well service",
     "Due": "March 2023", "Status": "On track", "Commentary": "On plan."},
    {"Priority": 1, "Project": "Healthy Child Programme", "Milestone": "Contacts face to face", "Lead": "",
     "Due": "", "Status": "At risk", "Commentary": ""},
    {"Priority": 2, "Project": "Poverty Proofing Programme", "Milestone": "", "Lead": "", "Due": "",
     "Status": "", "Commentary": "Ten further schools."},
]
RISKS = [
    {"Division": "Education", "Risk": "DSG High Needs deficit", "Value £000": 1667, "Mitigation": "New school."},
    {"Division": "Education", "Risk": "SEN transport", "Value £000": None, "Mitigation": ""},
]
ONE_OFF = [{"Investment": "Targeted Youth Support", "Value £000": 150, "Purpose": "Detached youth work."}]
NARRATIVE = [{"Heading": "Introduction", "Text": "The emphasis must be the recovery."},
             {"Heading": "Introduction", "Text": "Second paragraph."}, {"Heading": "Vision", "Text": "Best start."}]


def benchmarked(rows=MEASURES) -> list[dict]:
    """The default measures with comparator sets on the first two, a theme each and a New flag on one."""
    out = []
    for i, row in enumerate(rows):
        row = dict(row)
        row["Theme"] = "Attainment" if i % 2 else "Early years"
        row["New Measure"] = "Y" if i == 0 else "N"
        row["Statistical Neighbours Comparator"] = {0: 9.0, 1: 50}.get(i)
        row["Statistical Neighbours Comparator Year"] = "2019/20" if i in (0, 1) else None
        row["England Comparator"] = {0: 11.0}.get(i)
        out.append(row)
    return out


def full_workbook(**more) -> bytes:
    return make_workbook(measures=benchmarked(), sheets={"Projects": PROJECTS, "Financial Risks": RISKS,
                                                         "One-Off Resources": ONE_OFF, "Narrative": NARRATIVE},
                         **more)


@pytest.fixture(scope="module")
def q3():
    return load_workbook(Q3)


# --- reading and checking --------------------------------------------------------------------------------------


def test_new_sheets_and_columns_are_read():
    wb = load_workbook(full_workbook())
    assert wb.ok, wb.errors
    assert [p.project for p in wb.projects] == [p["Project"] for p in PROJECTS]
    assert wb.projects[1] == Project(row=3, priority=1, project="Healthy Child Programme",
                                     milestone="Contacts face to face", status="At risk")
    assert wb.projects[2].status == ""
    assert [(r.risk, r.value) for r in wb.financial_risks] == [("DSG High Needs deficit", 1667.0),
                                                               ("SEN transport", None)]
    assert [(o.investment, o.value) for o in wb.one_off_resources] == [("Targeted Youth Support", 150.0)]
    assert [(n.heading, n.text) for n in wb.narrative][1] == ("Introduction", "Second paragraph.")
    assert wb.comparator_sets == ("Statistical Neighbours", "England")
    first = wb.measures[0]
    assert first.benchmarks == (Benchmark("Statistical Neighbours", Value("9", 9.0), "2019/20"),
                                Benchmark("England", Value("11", 11.0), ""))
    assert first.new and not wb.measures[1].new
    assert [m.theme for m in wb.measures[:2]] == ["Early years", "Attainment"]
    assert wb.portfolio.comparator_set == "Statistical Neighbours"


def test_an_upload_without_the_new_sheets_and_columns_reads_as_before():
    plain = load_workbook(make_workbook())
    assert plain.ok
    assert (plain.projects, plain.financial_risks, plain.one_off_resources, plain.narrative) == ((), (), (), ())
    assert plain.comparator_sets == ()
    assert all(m.benchmarks == () and m.theme == "" and not m.new for m in plain.measures)
    assert not [p for p in plain.problems if p.sheet in ("Projects", "Financial Risks", "One-Off Resources",
                                                          "Narrative")]
    assert status_columns(plain) == STATUS_COLUMNS
    assert list(comparator_status_rows(plain)[0]) == list(STATUS_COLUMNS)


def test_problems_name_sheet_row_and_column_in_officer_words():
    bad_projects = [dict(PROJECTS[0], Priority=7), dict(PROJECTS[1], Status="Late"), dict(PROJECTS[2], Project="")]
    risks = [dict(RISKS[0], **{"Value £000": "about a million"})]
    wb = load_workbook(make_workbook(sheets={"Projects": bad_projects, "Financial Risks": risks,
                                             "One-Off Resources": [{"Investment": "Total", "Value £000": 1}]},
                                     measures=benchmarked()))
    messages = {str(p) for p in wb.problems}
    assert "Projects!B2: Start Well Strategy belongs to priority 7, which is not on the Priorities sheet." in messages
    assert any(m.startswith("Projects!F3: Status 'Late' is not one of: Complete, On track") for m in messages)
    assert "Projects!B4: This project row has no Project name." in messages
    assert any(m.startswith("Financial Risks!C2: DSG High Needs deficit: value:") for m in messages)
    assert any(m.startswith("One-Off Resources!A2: 'Total' looks like a total row") for m in messages)
    assert not any("Traceback" in m or "Error:" in m for m in messages)
    assert wb.projects[1].status == "Late"  # kept as written, never silently lost


def test_a_missing_required_column_of_a_new_sheet_is_an_error():
    wb = load_workbook(make_workbook(sheets={"Projects": [{"Priority": 1, "Status": "On track"}]}))
    assert ("Projects!row 1: The 'Projects' sheet has no 'Project' heading in row 1, where pprr reads its headings; "
            "row 1 holds Priority, Status. Name the columns as in the template.") in {
        str(p) for p in wb.errors}


def test_the_sample_carries_the_agreement(q3):
    agreement = load_workbook(AGREEMENT)
    assert agreement.ok and q3.ok
    names = {p.project for p in agreement.projects}
    for programme in ("Start Well and School Readiness Strategy 2020-2023", "The Healthy Child Programme",
                      "Early Help Strategy 2020-2023", "SEND Strategy", "Written Statement of Action (WSOA)",
                      "DSG review proposals", "Corporate Parenting Strategy 2020-2023"):
        assert programme in names
    assert {p.priority for p in agreement.projects} == {1, 2, 3, 4, 5}
    assert all(p.status == "" for p in agreement.projects)  # the agreement plans; progress is reported later
    dsg = next(r for r in agreement.financial_risks if "£1.667m" in r.risk)
    assert dsg.value == 1667 and "Dedicated Schools Grant" in dsg.risk
    assert [(o.investment, o.value) for o in agreement.one_off_resources] == [("Targeted Youth Support", 150.0)]
    cin = agreement.measure("CFSE.17(ii)")
    assert (cin.benchmark("Statistical Neighbours").number, cin.benchmark("England").number) == (-1.66, -1.49)
    assert cin.benchmark("statistical  neighbours").year == "2018/19"
    assert [t for t in dict.fromkeys(m.theme for m in agreement.measures if m.priority == 2)] == [
        "Attainment", "Attendance and Exclusion", "Attainment (Post 16)"]
    assert agreement.narrative[0].heading == "Portfolio holder's introduction"
    assert {m.code for m in agreement.measures if m.new} >= {"CFSE.10", "CFSE.11", "CFSE.29", "CFSE.55"}


# --- benchmarks -------------------------------------------------------------------------------------------------


def measure(polarity="High", benchmarks=(), comparator=None, tolerance=None, target=None) -> Measure:
    return Measure(row=2, code="X.1", cohort="", name="x", priority=1, measure_type="Council", reported="Annually",
                   polarity=polarity, actuals=(("2020/21", Value("10", 10.0)),),
                   target=target or Target("Comparator", TargetKind.COMPARATOR), comparator=comparator,
                   tolerance=tolerance, benchmarks=tuple(benchmarks))


SN = Benchmark("Statistical Neighbours", Value("9", 9.0), "2019/20")
ENGLAND = Benchmark("England", Value("12", 12.0), "2019/20")


@pytest.mark.parametrize(("polarity", "latest", "expected"), [
    ("High", 10.0, Comparison.BETTER), ("High", 8.0, Comparison.WORSE), ("High", 9.4, Comparison.SIMILAR),
    ("Low", 10.0, Comparison.WORSE), ("Low", 8.0, Comparison.BETTER), ("Low", 8.6, Comparison.SIMILAR),
])
def test_better_similar_worse_follows_polarity(polarity, latest, expected):
    judged = judge(measure(polarity, [SN]), latest, "Statistical Neighbours", tolerance_pct=5)
    assert judged.comparison is expected
    assert judged.text.startswith({Comparison.BETTER: "better than", Comparison.WORSE: "worse than",
                                   Comparison.SIMILAR: "similar to"}[expected])
    assert judged.text.endswith("Statistical Neighbours (9 (2019/20))")


def test_similar_uses_the_measures_own_tolerance_and_contextual_is_not_judged():
    assert judge(measure("High", [SN], tolerance=2), 10.5, "Statistical Neighbours").comparison is Comparison.SIMILAR
    assert judge(measure("High", [SN], tolerance=1), 10.5, "Statistical Neighbours").comparison is Comparison.BETTER
    contextual = judge(measure("Contextual", [SN]), 10.0, "Statistical Neighbours")
    assert contextual.comparison is None and contextual.text == "Statistical Neighbours 9 (2019/20)"
    assert judge(measure("High", [SN]), 10.0, "England").text == ""


def test_a_comparator_target_is_rated_against_the_chosen_set_then_the_comparator_column():
    m = measure("High", [SN, ENGLAND], comparator=20.0)
    sn = rate_measure(m, Settings())
    assert sn.status is Status.GREEN and sn.compared_with == 9.0 and "Statistical Neighbours 2019/20" in sn.reason
    england = rate_measure(m, Settings(comparator_set="England"))
    assert england.status is Status.RED and england.compared_with == 12.0
    fallback = rate_measure(m, Settings(comparator_set="North West"))
    assert fallback.compared_with == 20.0 and "vs comparator" in fallback.reason
    nothing = rate_measure(measure("High"), Settings())
    assert nothing.status is Status.NO_DATA and "no Statistical Neighbours or Comparator value" in nothing.reason
    assert comparator_for(measure("High", [SN]), "statistical neighbours") == (9.0, "Statistical Neighbours 2019/20")


def test_the_portfolio_comparator_set_setting_reaches_the_ratings():
    rows = benchmarked()
    rows[0] = dict(rows[0], **{"2021/22 Target": "Comparator"})
    for chosen, want in (("Statistical Neighbours", 9.0), ("England", 11.0)):
        wb = load_workbook(make_workbook(measures=rows, portfolio={"Comparator Set": chosen}))
        assert wb.portfolio.comparator_set == chosen
        assert workbook_ratings(wb)[0].compared_with == want


def test_status_csv_has_one_column_per_comparator_set():
    wb = load_workbook(full_workbook())
    columns = status_columns(wb)
    assert columns[len(STATUS_COLUMNS):] == ("statistical_neighbours", "statistical_neighbours_year", "england",
                                             "england_year", "vs_statistical_neighbours")
    first = comparator_status_rows(wb)[0]
    assert (first["statistical_neighbours"], first["statistical_neighbours_year"], first["england"]) == (
        9.0, "2019/20", 11.0)


def test_pprr_status_csv_on_the_sample_carries_the_agreements_comparators():
    out = subprocess.run([sys.executable, "-m", "pprr.cli", "status", str(AGREEMENT), "--format", "csv"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    rows = {(r["code"], r["cohort"]): r for r in csv.DictReader(io.StringIO(out))}
    cin = rows[("CFSE.17(ii)", "")]
    assert (cin["statistical_neighbours"], cin["england"]) == ("-1.66", "-1.49")
    assert cin["statistical_neighbours_year"] == "2018/19"
    assert rows[("CFSE.42", "")]["north_west"] == "0.31"
    assert rows[("CFSE.14", "")]["statistical_neighbours"] == "67.43"
    assert rows[("CFSE.1", "")]["statistical_neighbours"] == ""


# --- flags, themes, projects ------------------------------------------------------------------------------------


def test_flags_and_their_key():
    m = dataclasses.replace(measure(), gms=True, new=True)
    assert flags_text(m) == "GMS · New"
    assert [marker for marker, _ in flag_key([m])] == ["GMS", "New"]
    assert [marker for marker, _ in flag_key()] == ["C", "GMS", "New"]


def test_measures_group_by_theme_then_type_in_agreement_order():
    def m(code, theme, kind):
        return dataclasses.replace(measure(), code=code, theme=theme, measure_type=kind)

    items = [m("A", "Youth Offending", "Partnership"), m("B", "Safeguarding", "Contextual"),
             m("C", "Safeguarding", "Partnership"), m("D", "Youth Offending", "Partnership"),
             m("E", "Safeguarding", "Contextual")]
    groups = [(g.theme, g.type_heading, [x.code for x in g.items]) for g in group_measures(items)]
    assert groups == [("Youth Offending", "Partnership measures", ["A", "D"]),
                      ("Safeguarding", "Contextual measures", ["B", "E"]),
                      ("Safeguarding", "Partnership measures", ["C"])]


def test_project_words_and_attention_list():
    projects = [Project(2, 1, "A", status="At risk"), Project(3, 1, "B", status="Off track"),
                Project(4, 1, "C"), Project(5, 2, "D", status="Complete")]
    assert [p.project for p in needs_attention(projects)] == ["B", "A"]
    assert project_badge(projects[0]) == "! At risk" and project_badge(projects[2]) == "? Not reported"
    counts = count_projects(projects)
    assert (counts["At risk"], counts["Off track"], counts["Not reported"], counts["On track"]) == (1, 1, 1, 0)


def test_project_changes_since_the_last_report():
    before = load_workbook(full_workbook())
    moved = [dict(PROJECTS[0], Status="Off track"), dict(PROJECTS[2], Status="Complete"),
             {"Priority": 2, "Project": "Staying Close pilot", "Status": "Not started"}]
    after = load_workbook(make_workbook(measures=benchmarked(), sheets={"Projects": moved}))
    changes = project_changes(before, after)
    assert [(c.kind, c.project.project, c.previous_status, c.current_status, c.direction) for c in changes] == [
        ("changed", "Start Well Strategy", "On track", "Off track", "slipped"),
        ("changed", "Poverty Proofing Programme", "", "Complete", ""),
        ("added", "Staying Close pilot", "", "Not started", ""),
        ("removed", "Healthy Child Programme", "At risk", "", ""),
    ]
    assert changes[0].text == "Start Well Strategy: On track → Off track"
    assert project_changes(before, before) == ()


# --- edits and the download -------------------------------------------------------------------------------------


def test_project_status_and_commentary_edits_download_into_the_workbook():
    data = full_workbook()
    wb = load_workbook(data)
    target = wb.projects[2]
    edits = [make_edit(wb, "Projects", target.row, STATUS, "at risk"),
             make_edit(wb, "projects", target.row, COMMENTARY, "=HYPERLINK(\"http://x\") slipped")]
    assert edits[0].new == "At risk" and edits[0].old == "" and edits[0].label == "Poverty Proofing Programme"
    out = write_edited_workbook(data, wb, edits)
    again = load_workbook(out)
    assert again.projects == apply_edits(wb, edits).projects
    assert again.projects[2].status == "At risk"
    ws = openpyxl.load_workbook(BytesIO(out))["Projects"]
    assert ws["F4"].value == "At risk" and ws["G4"].data_type == "s"
    before = openpyxl.load_workbook(BytesIO(data))
    after = openpyxl.load_workbook(BytesIO(out))
    for name in before.sheetnames:
        for row_before, row_after in zip(before[name].iter_rows(), after[name].iter_rows(), strict=True):
            for a, b in zip(row_before, row_after, strict=True):
                if (name, a.coordinate) not in {("Projects", "F4"), ("Projects", "G4")}:
                    assert a.value == b.value, (name, a.coordinate)


def test_an_unknown_project_status_is_refused_with_the_choices():
    wb = load_workbook(full_workbook())
    with pytest.raises(UnreadableValue, match="not a project status: choose one of Complete, On track"):
        make_edit(wb, "Projects", wb.projects[0].row, STATUS, "Late")
    with pytest.raises(ValueError, match="cannot be edited"):
        make_edit(wb, "Projects", wb.projects[0].row, "Lead", "Someone")


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda s: s.strip() and not s.strip().isdigit())


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    projects=st.lists(st.fixed_dictionaries({
        "Priority": st.sampled_from([1, 2]), "Project": _text, "Milestone": st.one_of(st.just(""), _text),
        "Lead": st.one_of(st.just(""), _text), "Due": st.one_of(st.just(""), _text),
        "Status": st.sampled_from(["", *PROJECT_STATUSES]), "Commentary": st.one_of(st.just(""), _text)}),
        min_size=1, max_size=6),
    risks=st.lists(st.fixed_dictionaries({
        "Division": _text, "Risk": _text, "Value £000": st.one_of(st.none(), st.integers(-5000, 5000)),
        "Mitigation": st.one_of(st.just(""), _text)}), max_size=4),
    edits=st.lists(st.tuples(st.integers(0, 5), st.sampled_from([STATUS, COMMENTARY]),
                             st.one_of(st.sampled_from(["", *PROJECT_STATUSES]), _text)), max_size=4),
)
def test_new_sheets_round_trip_through_the_writer(projects, risks, edits):
    data = make_workbook(sheets={"Projects": projects, "Financial Risks": risks},
                         headers={"Financial Risks": ["Division", "Risk", "Value £000", "Mitigation"]})
    wb = load_workbook(data)
    assert wb.ok, wb.errors
    assert [p.project for p in wb.projects] == [p["Project"].strip() for p in projects]
    assert [r.value for r in wb.financial_risks] == [None if r["Value £000"] is None else float(r["Value £000"])
                                                     for r in risks]
    unedited = load_workbook(write_edited_workbook(data, wb, []))
    assert unedited.projects == wb.projects and unedited.financial_risks == wb.financial_risks
    made = []
    for index, field, text in edits:
        project = wb.projects[index % len(wb.projects)]
        if field == STATUS and text not in ("", *PROJECT_STATUSES):
            continue
        current = apply_edits(wb, made)
        made.append(make_edit(current, "Projects", project.row, field, text))
    out = load_workbook(write_edited_workbook(data, wb, made))
    assert out.projects == apply_edits(wb, made).projects
    assert out.financial_risks == wb.financial_risks and out.measures == wb.measures


# --- the pack ---------------------------------------------------------------------------------------------------


MID_YEAR = ROOT / "sample_data" / "stockport-cfse-2021-22-mid-year-illustrative.xlsx"
HOSTILE = "<b>bold</b> & <img src='/etc/passwd'/>"


def pack_text(wb, **options) -> str:
    """The PDF pack's text, as pypdf reads it, white space flattened."""
    reader = PdfReader(BytesIO(build_pack(wb, PackOptions(**options))))
    return _flat("\n".join(page.extract_text() for page in reader.pages))


def html_text(wb, **options) -> str:
    """The HTML pack's text as a reader hears it (tags out, entities read, white space flattened)."""
    return _flat(html.unescape(re.sub(r"<[^>]+>", " ", build_html(wb, PackOptions(**options)))))


def _flat(text: str) -> str:
    return " ".join(text.split())


def between(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i:text.index(end, i + len(start))]


@pytest.fixture(scope="module")
def q3_packs(q3) -> dict[str, str]:
    """The Q3 sample's pack against the Mid-Year report, in both formats."""
    mid_year = load_workbook(MID_YEAR)
    options = {"sections": ("summary", "priorities", "finance", "key"), "previous": mid_year}
    return {"pdf": pack_text(q3, **options), "html": html_text(q3, **options)}


@pytest.fixture(scope="module")
def agreement_packs() -> dict[str, str]:
    wb = load_workbook(AGREEMENT)
    return {"pdf": pack_text(wb), "html": html_text(wb)}


FORMATS = ("pdf", "html")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_samples_pack_has_key_projects_per_priority_naming_the_agreements_programmes(q3, q3_packs, fmt):
    text = q3_packs[fmt]
    for n in range(1, 6):
        start = text.index(f"Priority {n}: ", text.index("Performance by priority"))
        part = text[start:text.index("Measures", start)]
        assert "Progress on key projects" in part, n
        names = [p.project for p in q3.projects if p.priority == n]
        assert all(name in part for name in names), n
    for programme in ("Start Well and School Readiness Strategy 2020-2023", "The Healthy Child Programme",
                      "Early Help Strategy 2020-2023", "Written Statement of Action (WSOA)", "SEND Strategy",
                      "Corporate Parenting Strategy 2020-2023", "Youth Justice and Targeted Youth Support"):
        assert programme in text
    # status as symbol and word, lead and due beside each project
    priority_4 = between(text, "Priority 4: Special", "Measures")
    assert "✗ Off track" in priority_4 and "✓ Complete" in priority_4 and "! At risk" in priority_4
    assert "Inclusion Services" in priority_4 and "November 2021" in priority_4
    assert "4 projects: Complete 1 · On track 1 · At risk 1 · Off track 1." in priority_4


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_summary_lists_projects_at_risk_or_off_track_as_it_lists_exceptions(q3, q3_packs, fmt):
    text = q3_packs[fmt]
    flagged = [p for p in q3.projects if p.status in ("At risk", "Off track")]
    summary = between(text, f"Projects at risk or off track ({len(flagged)})", "Finance headline")
    assert all(p.project in summary for p in flagged)
    assert summary.index("DSG review proposals") < summary.index("Early Years provision")  # off track first
    assert "Off track" in summary and "Inclusion Services" in summary
    assert "Team Around the Early Years" not in summary  # on track: under its priority only
    assert "Since the Mid-Year report: 13 changed status, 8 improved, 5 slipped, 3 added." in summary


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_projects_change_of_status_since_the_last_report_is_shown_beside_it(q3, q3_packs, fmt):
    text = q3_packs[fmt]
    priority_4 = between(text, "Priority 4: Special", "Measures")
    assert "Change since Mid-Year" in priority_4
    assert "At risk → Off track (slipped)" in priority_4 and "At risk → On track (improved)" in priority_4
    assert "No change" in priority_4  # the Joint Commissioning Plan stayed At risk
    assert "Added" in between(text, "Priority 3: Early", "Measures")  # the mental health in schools programme
    without = pack_text(q3, sections=("priorities",), priorities=(4,))
    assert "Change since" not in without and "Progress on key projects" in without


def test_the_mid_year_sample_has_its_own_project_statuses():
    mid_year, q3 = load_workbook(MID_YEAR), load_workbook(Q3)
    assert all(p.status for p in mid_year.projects)
    changes = project_changes(mid_year, q3)
    moved = {c.project.project: (c.previous_status, c.current_status) for c in changes if c.kind == "changed"}
    assert moved["DSG review proposals"] == ("At risk", "Off track")
    assert moved["The Healthy Child Programme"] == ("At risk", "On track")
    assert {c.project.project for c in changes if c.kind == "added"} == {
        "Mental health in schools programme", "Safer Streets programme", "Staying Close pilot"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_portfolio_holders_introduction_and_vision_are_near_the_front(q3, q3_packs, fmt):
    text = q3_packs[fmt]
    intro = text.index("Portfolio holder's introduction")
    assert text.index("Summary") < intro < text.index("Vision") < text.index("Status of measures")
    assert "Cllr Colin Foster" in text[intro:text.index("Vision")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_samples_pack_has_financial_risks_with_the_dsg_deficit_and_one_off_resources(q3_packs, fmt):
    text = q3_packs[fmt]
    risks = between(text, "Key financial risks (£000)", "Allocated one-off resources (£000)")
    assert "£1.667m deficit within the Dedicated Schools Grant (DSG) High Needs block" in risks
    assert "1,667" in risks and "Total quantified 1,967" in risks  # 1,667 + the HV/SN savings' 300
    assert "New secondary special school" in risks  # its mitigation beside it
    one_off = text[text.index("Allocated one-off resources (£000)"):]
    assert "Targeted Youth Support 150" in one_off


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_samples_pack_groups_measure_tables_under_theme_headings(q3_packs, fmt):
    text = q3_packs[fmt]
    priority_2 = between(text, "Priority 2: Education", "Priority 3: Early help")
    positions = [priority_2.index(theme) for theme in ("Attainment: Partnership measures",
                                                       "Attendance and Exclusion: Partnership measures",
                                                       "Attainment (Post 16): Partnership measures")]
    assert positions == sorted(positions)
    start = text.index("Priority 5: Children and young people")
    priority_5 = text[start:text.index("Finance", start)]
    for theme in ("Youth Offending", "Safeguarding: Contextual measures",
                  "Looked after children, care leavers and adoption", "Public health measures"):
        assert theme in priority_5
    # flags beside the code, with their key
    assert "CFSE.1 [GMS]" in text and "[GMS] Indicator in the Greater Manchester Strategy Outcomes Dashboard" in text
    assert "Measure flags" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_benchmarks_sit_in_each_priority_with_year_and_judgement(q3_packs, fmt):
    text = q3_packs[fmt]
    priority_2 = between(text, "Priority 2: Education", "Priority 3: Early help")
    benchmarks = priority_2[priority_2.index("Benchmarks"):]
    assert "Against Statistical Neighbours" in benchmarks
    row = benchmarks[benchmarks.index("CFSE.17(ii)"):benchmarks.index("CFSE.17(iii)")]
    assert "-1.66 2018/19" in row and "-1.49 2018/19" in row
    assert any(word in row for word in ("▲ Better", "= Similar", "▼ Worse"))
    assert "Better / worse than" in text  # the key
    # the measure table's comparator is the chosen set's, with its year
    measures = priority_2[priority_2.index("CFSE.17(ii)"):priority_2.index("CFSE.17(iii)")]
    assert "-1.66 Statistical Neighbours 2018/19" in measures


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_agreement_pack_keeps_what_belongs_to_a_plan(agreement_packs, fmt):
    text = agreement_packs[fmt]
    assert "Portfolio holder's introduction" in text and "Key projects" in text
    assert "Start Well and School Readiness Strategy 2020-2023" in text
    assert "Attainment: Partnership measures" in text and "-1.66" in text and "[GMS]" in text
    assert "1,667" in text and "Targeted Youth Support" in text
    for absent in ("Progress on key projects", "Projects at risk", "Not reported", "Against Statistical",
                   "Change since", "Project progress"):
        assert absent not in text, absent


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_pack_escapes_workbook_text_in_the_new_sections(fmt):
    wb = load_workbook(make_workbook(measures=[dict(MEASURES[0], Theme=HOSTILE)], sheets={
        "Projects": [dict(PROJECTS[0], Project=HOSTILE, Commentary=HOSTILE, Lead=HOSTILE),
                     dict(PROJECTS[1], Status="At risk", Milestone=HOSTILE),
                     dict(PROJECTS[1], Status=HOSTILE, Milestone="Unknown status")],
        "Financial Risks": [dict(RISKS[0], Risk=HOSTILE, Mitigation=HOSTILE)],
        "One-Off Resources": [dict(ONE_OFF[0], Investment=HOSTILE, Purpose=HOSTILE)],
        "Narrative": [{"Heading": HOSTILE, "Text": HOSTILE}]}))
    if fmt == "pdf":
        text = pack_text(wb)
    else:
        page = build_html(wb, PackOptions())
        assert "<img" not in page and "<b>bold" not in page  # never markup
        text = _flat(html.unescape(re.sub(r"<[^>]+>", " ", page)))
    # narrative heading and text, project (table and the summary's list), milestone, commentary, lead, theme,
    # risk, mitigation, investment, purpose, and a status word kept as written
    # (spaces left out: the PDF's narrow columns wrap it, and pypdf reads a wrap as a space)
    squeezed = "".join(text.split())
    assert squeezed.count("".join(HOSTILE.split())) >= 13, squeezed.count("".join(HOSTILE.split()))


def test_project_badges_take_their_colours_from_the_measure_statuses_and_are_legible():
    from pprr.rules.agreement import PROJECT_STYLES
    from pprr.rules.status import STATUS_STYLES

    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    for name, style in PROJECT_STYLES.items():
        assert (style.fill, style.text) == (STATUS_STYLES[style.tone].fill, STATUS_STYLES[style.tone].text)
        high, low = sorted((luminance(style.fill), luminance(style.text)), reverse=True)
        assert (high + 0.05) / (low + 0.05) >= 4.5, name
    assert PROJECT_STYLES["Off track"].tone is Status.RED and PROJECT_STYLES["At risk"].tone is Status.AMBER


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_pack_without_the_new_sheets_has_none_of_their_sections(fmt):
    wb = load_workbook(make_workbook())
    text = pack_text(wb) if fmt == "pdf" else html_text(wb)
    for heading in ("Progress on key projects", "Key projects", "Projects at risk", "Key financial risks",
                    "Allocated one-off", "Benchmarks", "Measure flags", "Project progress", "Flags:",
                    "Partnership measures"):
        assert heading not in text


# --- template, instructions and pprr check ----------------------------------------------------------------------


def test_the_template_and_its_instructions_cover_every_new_sheet_and_column():
    from pprr.workbook.template import template_bytes

    book = openpyxl.load_workbook(BytesIO(template_bytes("2021/22")))
    assert book.sheetnames[-4:] == ["Narrative", "Projects", "Financial Risks", "One-Off Resources"]
    measures = [c.value for c in book["Measures"][1]]
    for header in ("Statistical Neighbours Comparator", "Statistical Neighbours Comparator Year",
                   "England Comparator", "New Measure", "Theme"):
        assert header in measures
    status_lists = [dv.formula1 for dv in book["Projects"].data_validations.dataValidation]
    assert '"Complete,On track,At risk,Off track,Not started"' in status_lists
    portfolio = {r[0].value: r[1].value for r in book["Portfolio"].iter_rows(min_row=2)}
    assert portfolio["Comparator Set"] == "Statistical Neighbours"
    instructions = {r[0].value: r[1].value for r in book["Instructions"].iter_rows(min_row=2)}
    for topic in ("Benchmarks", "Flags and themes", "Delivery plans", "Narrative", "Projects", "Financial Risks",
                  "One-Off Resources"):
        assert topic in instructions
    assert "Comparator Set" in instructions["Targets"]
    assert "Value £000" in instructions["Financial Risks"] and "Mitigation" in instructions["Financial Risks"]
    assert "'<Set> Comparator Year'" in instructions["Benchmarks"]


def test_pprr_check_reports_the_new_sheets_problems_by_cell(tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(make_workbook(sheets={"Projects": [dict(PROJECTS[0], Status="Late")]}))
    run = subprocess.run([sys.executable, "-m", "pprr.cli", "check", str(path)], capture_output=True, text=True,
                         check=False,
                         cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr  # a warning does not stop the workbook loading
    assert "Projects!F2: Status 'Late' is not one of: Complete, On track, At risk, Off track, Not started." in (
        run.stdout)
    assert "Traceback" not in run.stdout + run.stderr
