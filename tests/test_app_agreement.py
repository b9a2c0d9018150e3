"""The rest of the agreement in the app: key projects on the Priorities page (and their updates), comparator,
theme and flag columns in the Measures grid, capital, risks and one-off resources on the Finance page, the Glossary
page, and a workbook without any of it."""

import pytest
from apptest import APP, html_tables, open_app, open_form, open_priority_view, show_priority
from streamlit.testing.v1 import AppTest
from workbooks import make_workbook

from pprr.rules.agreement import progress_line, projects_of
from pprr.year.edits import COMMENTARY, STATUS

pytestmark = pytest.mark.usefixtures("isolated_app")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PIXEL = "![seen](https://tracker.example/p.png) <img src=x onerror=alert(1)>"


def texts(at: AppTest) -> list[str]:
    return [str(t.value) for t in at.text]


def frames(at: AppTest, column: str) -> list:
    """The tables with ``column``, drawn as canvas grids or as plain tables."""
    return [d.value for d in at.dataframe if column in d.value.columns] + [
        t for t in html_tables(at) if column in t.columns]


def test_each_priority_shows_its_projects_with_their_progress(q3):
    at = open_app("pages/priorities.py")
    show_priority(at, 0)  # every priority
    open_priority_view(at, "Key projects")
    assert not at.exception
    tables = frames(at, "Progress")
    assert len(tables) == len(q3.priorities)
    for priority, table in zip(q3.priorities, tables, strict=True):
        projects = projects_of(q3, priority.number)
        assert list(table["Project"]) == [p.project for p in projects]
        assert progress_line(projects) in texts(at)
    first = tables[0]
    assert list(first["Progress"])[:5] == ["→ On track"] * 4 + ["! At risk"]
    open_priority_view(at, "Measures")
    measures = frames(at, "Theme")[1]
    assert "Attainment" in set(measures["Theme"]) and "GMS" in set(measures["Flags"])


def test_a_projects_progress_is_updated_as_an_edit_that_downloads(q3):
    at = open_app("pages/priorities.py")
    show_priority(at, 4)
    open_priority_view(at, "Key projects")
    project = projects_of(q3, 4)[3]  # DSG review proposals: Off track
    assert project.project == "DSG review proposals"
    at.selectbox(key="project_pick_4").set_value(3).run()
    status = next(s for s in at.selectbox if s.key and s.key.startswith("project_status_4_3_"))
    status.set_value("At risk")
    commentary = next(t for t in at.text_area if t.key and t.key.startswith("project_commentary_4_3_"))
    commentary.input(PIXEL)
    at.button(key="save_project_4").click().run()
    assert not at.exception
    edits = at.session_state["pprr_working"].edits
    assert [(e.sheet, e.row, e.field, e.old, e.new) for e in edits] == [
        ("Projects", project.row, STATUS, "Off track", "At risk"),
        ("Projects", project.row, COMMENTARY, project.commentary, PIXEL)]
    table = frames(at, "Progress")[0]  # priority 4, the one shown
    assert list(table["Progress"])[3] == "! At risk"
    assert PIXEL in list(table["Commentary"])  # shown as the text typed, in a table cell


def test_the_measures_grid_carries_comparators_themes_and_flags():
    at = open_app("pages/measures.py")
    assert not at.exception
    frame = at.session_state["measures_view"].frame
    row = frame[frame["code"] == "CFSE.17(ii)"].iloc[0]
    assert (row["cmp_0"], row["cmp_1"]) == ("-1.66 (2018/19)", "-1.49 (2018/19)")
    assert row["versus"] == "better than Statistical Neighbours (-1.66 (2018/19))"
    assert row["theme"] == "Attainment"
    assert frame[frame["code"] == "CFSE.10"].iloc[0]["flags"] == "New"


def test_the_finance_page_shows_capital_risks_and_one_off_resources():
    at = open_app("pages/finance.py")
    at.session_state["finance_tab"] = "Capital, risks and one-off resources"
    at.run()
    assert not at.exception
    subheaders = [s.value for s in at.subheader]
    assert subheaders[-3:] == ["Capital programme (£000)", "Key financial risks (£000)",
                               "Allocated one-off resources (£000)"]
    risks = frames(at, "Mitigation")[0]
    dsg = risks[risks["Value £000"] == "1,667"]
    assert len(dsg) == 1 and "£1.667m deficit" in dsg.iloc[0]["Risk"]
    one_off = frames(at, "Purpose")[0]
    assert list(one_off["Investment"]) == ["Targeted Youth Support"] and list(one_off["Value £000"]) == ["150"]
    assert list(frames(at, "Funding")[0]["Scheme"]) == ["Short breaks for disabled children", "Total"]


def test_the_glossary_page_lists_and_searches_the_terms(q3):
    at = open_app("pages/glossary.py")
    assert not at.exception
    assert [t.value for t in at.title] == ["Glossary"]
    assert len(frames(at, "Meaning")[0]) == len(q3.glossary)
    at.text_input(key="glossary_search").input("special educational").run()
    assert set(frames(at, "Meaning")[0]["Term"]) == {"SEN", "SENCos", "SEND"}


def test_the_introduction_is_on_the_priorities_page_as_plain_text(q3):
    at = open_app("pages/priorities.py")
    assert q3.narrative[0].text not in texts(at)  # drawn when its box is opened
    open_form(at, "narrative_open")
    assert q3.narrative[0].text in texts(at)


def test_a_workbook_without_the_new_sheets_shows_what_is_missing_and_no_error():
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    at.file_uploader[0].set_value(("plain.xlsx", make_workbook(), XLSX)).run()
    for page in ("pages/priorities.py", "pages/finance.py", "pages/glossary.py", "pages/measures.py"):
        at.switch_page(page).run()
        assert not at.exception and not at.error, page
    at.switch_page("pages/priorities.py").run()
    open_priority_view(at, "Key projects")
    assert "No projects are listed for this priority (Projects sheet)." in texts(at)
    assert not frames(at, "Progress")
    at.switch_page("pages/finance.py").run()
    at.session_state["finance_tab"] = "Capital, risks and one-off resources"
    at.run()
    assert "The workbook lists no financial risks (Financial Risks sheet)." in texts(at)
    at.switch_page("pages/measures.py").run()
    assert "versus" not in at.session_state["measures_view"].frame.columns
