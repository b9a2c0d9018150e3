"""The Priorities page: each priority's outcome, status summary, measures, commentary and exceptions."""

import re

import pytest
from apptest import APP, choices, html_tables, open_app, open_priority_view, show_priority
from streamlit.testing.v1 import AppTest
from workbooks import MEASURES, make_workbook

from pprr.rules.status import Status
from pprr.safe_text import markdown_text
from pprr.year.edits import make_edit

pytestmark = pytest.mark.usefixtures("isolated_app")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PIXEL = "![seen](https://tracker.example/p.png) <img src=x onerror=alert(1)>"


@pytest.fixture
def at() -> AppTest:
    """The Priorities page showing every priority's section."""
    at = open_app("pages/priorities.py")
    show_priority(at, 0)
    return at


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def card(at: AppTest, first_line: str) -> list[str]:
    """The exception cards whose first line is ``first_line``."""
    return [t for t in texts(at) if t.split("\n")[0] == first_line]


def chart_titles(at: AppTest) -> list[str]:
    """The titles of the status charts drawn (inline SVG, in a Markdown element of their own)."""
    return re.findall(r'<title id="status-chart-\d+-t">([^<]*)</title>', "".join(m.value for m in at.markdown))


def test_every_priority_has_a_section_with_a_chart(at, q3):
    assert [h.value for h in at.header] == ["Overview"] + [markdown_text(f"{p.number}. {p.title}")
                                                          for p in q3.priorities]
    assert chart_titles(at) == ["Measures by status"] * len(q3.priorities)
    assert all(p.outcome in texts(at) for p in q3.priorities if p.outcome)


def test_red_measures_are_listed_as_exceptions_with_their_commentary(at):
    derived = at.session_state["pprr_derived"]
    red = [m for m, r in zip(derived.current.measures, derived.ratings) if r.status is Status.RED]
    assert red
    ratings = dict(zip(derived.current.measures, derived.ratings))
    open_priority_view(at, "Exceptions")
    for measure in red:  # one card each: the measure, why it is Red, and the commentary
        assert (f"✗ Red  {measure.label}: {measure.name}\n\n{ratings[measure].reason}\n\n"
                f"{measure.commentary or 'No commentary given.'}") in texts(at)


def test_a_measure_edited_to_red_becomes_an_exception(at):
    working = at.session_state["pprr_working"]
    first = at.session_state["priorities_view"]
    open_priority_view(at, "Exceptions")
    assert at.session_state["priorities_view"] is first  # a rerun with no change reuses the sections
    assert not card(at, "✗ Red  CFSE.1: Percentage of Mothers smoking at delivery (number)")
    working.edits.append(make_edit(working.base, "Measures", 2, "2021/22 Actual", "12.5%"))
    working.revision += 1
    at.run()
    assert at.session_state["priorities_view"] is not first
    assert card(at, "✗ Red  CFSE.1: Percentage of Mothers smoking at delivery (number)")


def test_priority_commentary_is_saved_as_an_edit_and_shown_as_text(at):
    open_priority_view(at, "Commentary")
    at.text_area(key="priority_commentary_1").input(PIXEL)
    at.button(key="save_commentary_1").click().run()
    edits = at.session_state["pprr_working"].edits
    assert [(e.sheet, e.field, e.new) for e in edits] == [("Priorities", "Commentary", PIXEL)]
    assert at.session_state["pprr_derived"].current.priorities[0].commentary == PIXEL
    assert not any("tracker.example" in m.value for m in at.markdown)


def test_commentary_is_saved_when_the_box_is_left_and_kept_across_pages(at):
    open_priority_view(at, "Commentary")
    at.text_area(key="priority_commentary_2").input("Typed, then off to another page").run()  # the box lost focus
    assert [e.new for e in at.session_state["pprr_working"].edits] == ["Typed, then off to another page"]
    at.switch_page("pages/finance.py").run()
    at.switch_page("pages/priorities.py").run()
    assert at.text_area(key="priority_commentary_2").value == "Typed, then off to another page"


def test_the_overview_lists_every_priority_with_its_counts_each_a_button_that_shows_it(at, q3):
    overview = next(c for c in choices(at) if c["label"] == "Priorities shown")
    assert overview["kind"] == "list" and len(overview["labels"]) == len(q3.priorities) + 1
    for p, label in zip(q3.priorities, overview["labels"]):
        assert label.startswith(f"{p.number}. {p.title}: ✓ Green: ")
    assert overview["labels"][-1] == "Every priority, one after another"
    assert overview["chosen"] == len(q3.priorities)  # the fixture shows every priority


def test_measure_commentary_is_never_rendered_as_markdown(at):
    working = at.session_state["pprr_working"]
    red = next(m for m, r in zip(working.base.measures, at.session_state["pprr_derived"].ratings)
               if r.status is Status.RED)
    working.edits.append(make_edit(working.base, "Measures", red.row, "Commentary", PIXEL))
    working.revision += 1
    open_priority_view(at, "Exceptions")
    assert card(at, f"✗ Red  {red.label}: {red.name}")[0].endswith(f"\n\n{PIXEL}")  # as typed, as plain text
    assert not any("tracker.example" in m.value for m in at.markdown)


def test_many_red_measures_show_the_first_in_full_and_the_rest_in_one_table():
    falling = {"Good Performance": "High", "Unit": "number", "2019/20 Actual": "30", "2020/21 Actual": "20",
               "2021/22 Target": "50"}
    measures = [{**MEASURES[0], **falling, "PI Code": f"RED.{i}", "PI Name": f"Falling measure {i}",
                 "Priority": 1 if i < 30 else 2} for i in range(32)]
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    at.file_uploader[0].set_value(("many-red.xlsx", make_workbook(measures=measures), XLSX)).run()
    at.switch_page("pages/priorities.py").run()
    show_priority(at, 0)  # every priority
    open_priority_view(at, "Exceptions")
    assert not at.exception
    assert all(r.status is Status.RED for r in at.session_state["pprr_derived"].ratings)
    shown = [t.split("\n")[0] for t in texts(at) if t.startswith("✗ Red  ")]
    assert shown == [f"✗ Red  RED.{i}: Falling measure {i}" for i in [*range(25), 30, 31]]
    assert [c.value for c in at.caption if "more Red" in c.value] == ["5 more Red measures in this priority:"]
    more = [list(d.value["Measure"]) for d in at.dataframe if "Reason" in d.value.columns]
    assert more == [[f"RED.{i}" for i in range(25, 30)]]


def test_one_priority_is_shown_at_a_time_the_first_at_first_and_the_picker_opens_each(q3):
    at = open_app("pages/priorities.py")
    assert not at.exception
    sections = [h.value for h in at.header if h.value != "Overview"]
    assert sections == [markdown_text(f"1. {q3.priorities[0].title}")]
    assert chart_titles(at) == ["Measures by status"]
    assert next(c["chosen"] for c in choices(at) if c["label"] == "Priorities shown") == 0
    show_priority(at, 2)
    assert [h.value for h in at.header if h.value != "Overview"] == [markdown_text(f"2. {q3.priorities[1].title}")]
    assert next(c["chosen"] for c in choices(at) if c["label"] == "Priorities shown") == 1
    show_priority(at, 0)  # every priority
    assert len([h.value for h in at.header if h.value != "Overview"]) == len(q3.priorities)


def test_a_section_draws_only_its_open_view_and_keeps_it_across_pages():
    at = open_app("pages/priorities.py")  # priority 1 alone, its measures first
    assert not at.dataframe and len(html_tables(at)) == 1 and "Measure" in html_tables(at)[0].columns
    assert not at.text_area and not any(t.value.startswith("✗ Red  ") for t in at.text)
    at.session_state["priority_view_1"] = "Commentary"
    at.run()
    assert [t.key for t in at.text_area] == ["priority_commentary_1"] and not html_tables(at)
    at.switch_page("pages/finance.py").run()
    at.switch_page("pages/priorities.py").run()
    assert [t.key for t in at.text_area] == ["priority_commentary_1"]  # as the officer left it


def test_each_section_offers_its_four_views_and_marks_the_one_open():
    at = open_app("pages/priorities.py")  # the first priority's section
    assert [c for c in choices(at) if c["kind"] == "row"] == [
        {"labels": ["Measures", "Exceptions", "Commentary", "Key projects"], "chosen": 0,
         "label": "Views of priority 1", "kind": "row"}]
    open_priority_view(at, "Commentary")
    assert next(c["chosen"] for c in choices(at) if c["kind"] == "row") == 2
    assert at.text_area  # the commentary view is drawn, not the measures
    assert not html_tables(at)
