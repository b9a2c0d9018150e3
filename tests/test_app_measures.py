"""The Measures page: filters, edits with recomputed status, refused values, the change log, undo and reset."""


import pytest
from apptest import grid_edit, html_tables, open_app, open_form
from streamlit.testing.v1 import AppTest

from pprr.rules.status import Status

pytestmark = pytest.mark.usefixtures("isolated_app")


@pytest.fixture
def at() -> AppTest:
    return open_app("pages/measures.py")


def showing(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Showing"))


def edit(at: AppTest, row: int, field: str, text: str) -> AppTest:
    open_form(at, "measures_form_open")
    at.selectbox(key="form_measure").set_value(row)
    at.selectbox(key="form_field").set_value(field)
    at.text_area(key="form_value").input(text)
    next(b for b in at.button if b.label == "Save this value").click()
    return at.run()


def rating(at: AppTest, index: int):
    return at.session_state["pprr_derived"].ratings[index]


@pytest.mark.parametrize("widget, value, expected, words", [
    ("measures_search", "cfse.1", lambda m: "cfse.1" in m.code.casefold() or "cfse.1" in m.name.casefold(), ""),
    ("measures_search", "smoking", lambda m: "smoking" in m.name.casefold(), ""),
    ("measures_type", ["Contextual"], lambda m: m.measure_type == "Contextual", ", filtered by type Contextual"),
    ("measures_priority", [2, 3], lambda m: m.priority in (2, 3), ", filtered by priorities 2, 3"),
])
def test_filters_narrow_the_grid(at, q3, widget, value, expected, words):
    if widget == "measures_search":
        at.text_input(key=widget).input(value).run()
    else:
        open_form(at, "measures_filters_open").multiselect(key=widget).set_value(value).run()
    count = sum(1 for m in q3.measures if expected(m))
    assert 0 < count < len(q3.measures)
    assert showing(at) == f"Showing {count} of {len(q3.measures)} measures{words}."


def test_status_filter_counts_the_red_measures(at):
    red = sum(1 for r in at.session_state["pprr_derived"].ratings if r.status is Status.RED)
    open_form(at, "measures_filters_open").multiselect(key="measures_status").set_value(["Red"]).run()
    assert showing(at) == f"Showing {red} of 93 measures, filtered by status Red."


def test_the_filters_are_drawn_only_while_their_box_is_open_and_hold_when_it_is_closed(at):
    assert not at.multiselect  # closed: three lists would slow every change to this page
    red = sum(1 for r in at.session_state["pprr_derived"].ratings if r.status is Status.RED)
    open_form(at, "measures_filters_open")
    at.multiselect(key="measures_status").set_value(["Red"]).run()
    at.multiselect(key="measures_priority").set_value([2]).run()
    both = showing(at)
    assert both.startswith("Showing ") and both.endswith(", filtered by status Red; priority 2.")
    at.session_state["measures_filters_open"] = False
    at.run()
    at.run()  # a second run without the lists: Streamlit has forgotten their values by now
    assert not at.multiselect
    assert showing(at) == both
    open_form(at, "measures_filters_open")
    assert at.multiselect(key="measures_status").value == ["Red"]
    assert at.multiselect(key="measures_priority").value == [2]
    at.multiselect(key="measures_priority").set_value([]).run()
    assert showing(at) == f"Showing {red} of 93 measures, filtered by status Red."


def test_the_filters_and_search_hold_across_pages(at):
    at.text_input(key="measures_search").input("smoking").run()
    open_form(at, "measures_filters_open").multiselect(key="measures_type").set_value(["Contextual"]).run()
    before = showing(at)
    at.switch_page("pages/finance.py").run()
    at.switch_page("pages/measures.py").run()
    assert showing(at) == before
    assert at.text_input(key="measures_search").value == "smoking"
    assert open_form(at, "measures_filters_open").multiselect(key="measures_type").value == ["Contextual"]


def test_a_cell_committed_in_another_pages_rows_is_not_taken_here(at):
    grid_edit(at, "what_if_grid", [(2, "actual", "12.5%")])  # the one grid, while it showed What-if's rows
    assert not at.exception
    assert rating(at, 0).status is Status.GREEN
    assert at.session_state["pprr_working"].edits == []


def test_an_edited_actual_changes_the_status_and_is_logged(at):
    assert rating(at, 0).status is Status.GREEN  # CFSE.1: 8.9% against 9.5%, low is good
    edit(at, 2, "actual", "12.5%")
    assert not at.exception
    assert rating(at, 0).status is Status.RED
    assert any("Saved" in s.value and "row 2" in s.value for s in at.success)
    log = html_tables(at)[-1].drop(columns="Time")
    assert log.to_dict("records") == [{"Measure / line": "CFSE.1",
                                       "Name": "Percentage of Mothers smoking at delivery (number)",
                                       "Field": "2021/22 Actual", "Old value": "8.9% (236)", "New value": "12.5%"}]


def test_missing_value_words_are_accepted(at):
    edit(at, 2, "actual", "Awaiting data")
    assert not at.error
    assert at.session_state["pprr_derived"].current.measures[0].actuals[-1][1].missing == "Awaiting data"


def test_an_unreadable_value_is_refused_with_a_message_naming_the_cell(at):
    edit(at, 3, "actual", "lots")
    assert len(at.error) == 1
    message = at.error[0].value
    assert "CFSE" in message and "row 3" in message and "2021" in message and "lots" in message
    assert at.session_state["pprr_working"].edits == []


def test_undo_removes_the_last_edit_and_reset_removes_all(at):
    edit(at, 2, "target", "8%")
    edit(at, 3, "commentary", "Data due in March")
    assert len(at.session_state["pprr_working"].edits) == 2
    at.button(key="undo_edit").click().run()
    assert [e.field for e in at.session_state["pprr_working"].edits] == ["2021/22 Target"]
    at.button(key="reset_edits").click().run()
    assert len(at.session_state["pprr_working"].edits) == 1  # asked first
    at.button(key="reset_no").click().run()
    assert len(at.session_state["pprr_working"].edits) == 1
    at.button(key="reset_edits").click().run()
    at.button(key="reset_yes").click().run()
    assert at.session_state["pprr_working"].edits == []
    assert rating(at, 0).status is Status.GREEN
    assert any("1 changed cell put back as uploaded" in s.value.replace("\\", "") for s in at.success)


def test_one_chosen_change_is_undone_and_the_others_kept(at):
    edit(at, 2, "target", "8%")
    edit(at, 3, "commentary", "Data due in March")
    edit(at, 2, "target", "7%")
    open_form(at, "undo_one_open").selectbox(key="undo_choice").set_value(("Measures", 2, "2021/22 target")).run()
    at.button(key="undo_change").click().run()
    assert [(e.row, e.field) for e in at.session_state["pprr_working"].edits] == [(3, "Commentary")]
    assert rating(at, 0).status is Status.GREEN


def test_cells_committed_in_the_grid_are_recorded_once_in_order(at):
    grid_edit(at, "measures_grid", [(2, "actual", "12.5%"), (2, "actual", "1%"), (3, "commentary", "noted")])
    edits = at.session_state["pprr_working"].edits
    assert [(e.row, e.new) for e in edits] == [(2, "12.5%"), (2, "1%"), (3, "noted")]
    at.run()  # the grid still offers the same cells: nothing is recorded twice
    assert len(at.session_state["pprr_working"].edits) == 3
    assert rating(at, 0).status is Status.GREEN  # 1% is well under the 9.5% target, low is good


def test_a_refused_grid_value_is_not_stored_and_the_grid_is_told_to_show_the_stored_one(at):
    grid_edit(at, "measures_grid", [(3, "actual", "lots")])
    assert at.session_state["pprr_working"].edits == [] and len(at.error) == 1
    assert at.session_state["measures_grid_nonce"] == 1


def test_a_rerun_reuses_the_grid_rows_until_the_working_copy_changes(at):
    first = at.session_state["measures_view"]
    open_form(at, "measures_filters_open")
    at.multiselect(key="measures_status").set_value(["Red"]).run()  # filtering does not rebuild the rows
    assert at.session_state["measures_view"] is first
    edit(at, 2, "actual", "12.5%")
    changed = at.session_state["measures_view"]
    assert changed is not first
    row = changed.frame.set_index("row").loc[2]
    assert (row["actual"], row["status_key"], row["mark"]) == ("12.5%", "Red", "✎ edited")


def test_the_grid_shows_earlier_years_and_the_period_beside_the_latest_value(at):
    frame = at.session_state["measures_view"].frame.set_index("code")
    assert frame.loc["CFSE.32", "latest"] == "812 (232) Q1 and Q2 2021/22 (2021/22 Q1-Q2)"
    assert frame.loc["CFSE.32", "history"] == "2018/19 1,551 (443) · 2019/20 Q1-Q2 858 (245) Q1 and Q2 2019/20"
    assert frame.loc["CSFE.9(iii) EHC Plan", "latest"] == "1% (2018/19 academic)"
    assert frame.loc["CSFE.9(iii) EHC Plan", "history"] == "2018/19 academic 1% · 2019/20 N/A · 2020/21 N/A"
    assert frame.loc["CSFE.9(iii) EHC Plan", "status_key"] == "Out of date"


def test_out_of_date_measures_are_filtered_apart_from_the_red_ones(at):
    ratings = at.session_state["pprr_derived"].ratings
    old = sum(1 for r in ratings if r.status is Status.OUT_OF_DATE)
    assert old and not any(r.status is Status.RED and r.out_of_date for r in ratings)
    open_form(at, "measures_filters_open").multiselect(key="measures_status").set_value(["Out of date"]).run()
    assert showing(at) == f"Showing {old} of 93 measures, filtered by status Out of date."
