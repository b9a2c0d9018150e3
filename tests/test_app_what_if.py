"""The What-if page: scenario targets kept apart, statuses that move, adopt and discard."""


import pandas as pd
import pytest
from apptest import grid_edit, html_tables, open_app, open_form
from streamlit.testing.v1 import AppTest

from pages import what_if
from pprr.rules.status import Status, count_statuses, rate_measures
from pprr.year.edits import make_edit

pytestmark = pytest.mark.usefixtures("isolated_app")


@pytest.fixture
def at() -> AppTest:
    return open_app("pages/what_if.py")


def set_target(at: AppTest, row: int, text: str) -> AppTest:
    open_form(at, "what_if_form_open")
    at.selectbox(key="what_if_measure").set_value(row)
    at.text_input(key="what_if_target").input(text)
    next(b for b in at.button if b.label == "Set scenario target").click()
    return at.run()


def moved(at: AppTest) -> str:
    return at.text[0].value


def counts(at: AppTest) -> dict[Status, int]:
    return count_statuses(at.session_state["pprr_derived"].ratings)


def test_a_scenario_target_moves_a_status_without_touching_the_official_one(at):
    before = counts(at)
    set_target(at, 2, "8%")  # CFSE.1: 8.9% against 8%, low is good -> Red instead of Green
    assert not at.exception and not at.error
    assert moved(at) == (f"✓ Green {before[Status.GREEN]} → {before[Status.GREEN] - 1}\n"
                         f"✗ Red {before[Status.RED]} → {before[Status.RED] + 1}")
    table = html_tables(at)[0]
    assert table[["Measure", "Official target", "Official status", "Scenario target", "Scenario status"]].to_dict(
        "records") == [{"Measure": "CFSE.1", "Official target": "9.5%", "Official status": "✓ Green",
                        "Scenario target": "8%", "Scenario status": "✗ Red"}]
    assert counts(at) == before
    assert at.session_state["pprr_working"].edits == []


def test_the_scenario_is_rated_on_edited_actuals(at):
    working = at.session_state["pprr_working"]
    working.edits.append(make_edit(working.base, "Measures", 2, "2021/22 Actual", "7.5%"))
    working.revision += 1
    set_target(at, 2, "8%")  # 7.5% now beats the scenario's 8%: the status does not move
    assert moved(at) == "No status count changes with this scenario."
    assert html_tables(at)[0]["Scenario status"].tolist() == ["✓ Green"]


def test_adopting_asks_first_then_turns_the_scenario_into_target_edits(at):
    set_target(at, 2, "8%")
    at.button(key="adopt_scenario").click().run()
    assert at.session_state["pprr_working"].edits == []  # asked, not done
    assert any("Adopt makes the 1 scenario target official" in w.value for w in at.warning)
    at.button(key="adopt_yes").click().run()
    assert any(s.value.replace("\\", "").startswith("Adopted: 1 scenario target") for s in at.success)
    working = at.session_state["pprr_working"]
    assert working.scenario == {}
    assert [(e.row, e.field, e.old, e.new) for e in working.edits] == [(2, "2021/22 Target", "9.5%", "8%")]
    assert at.session_state["pprr_derived"].ratings[0].status is Status.RED


def test_discarding_asks_first_and_leaves_the_official_targets_alone(at):
    set_target(at, 2, "8%")
    at.button(key="discard_scenario").click().run()
    assert len(at.session_state["pprr_working"].scenario) == 1  # asked, not done
    at.button(key="discard_no").click().run()
    assert len(at.session_state["pprr_working"].scenario) == 1
    at.button(key="discard_scenario").click().run()
    at.button(key="discard_yes").click().run()
    assert at.session_state["pprr_working"].scenario == {}
    assert at.session_state["pprr_working"].edits == []
    assert any(s.value.replace("\\", "").startswith("Discarded: the scenario") for s in at.success)
    assert any("No scenario yet" in t.value for t in at.text)


def test_an_unreadable_scenario_target_is_refused(at):
    set_target(at, 2, "lower please")
    assert len(at.error) == 1 and "lower please" in at.error[0].value
    assert at.session_state["pprr_working"].scenario == {}


# --- the grid -------------------------------------------------------------------------------------------------


def grid_frame(at: AppTest) -> pd.DataFrame:
    return at.session_state[what_if.VIEW].frame.set_index("row")


def grid_keys(at: AppTest) -> list[str]:
    return [e.proto.id for e in at.get("component_instance")]


def type_in_grid(at: AppTest, cells: dict[int, str]) -> AppTest:
    """The officer commits each scenario target cell of ``cells`` (sheet row -> text) in the grid."""
    return grid_edit(at, "what_if_grid", [(row, what_if.SCENARIO, text) for row, text in cells.items()])


def test_the_grid_lists_every_measure_with_no_scenario_target_yet(at):
    assert len(at.get("component_instance")) == 1
    frame = grid_frame(at)
    assert len(frame) == len(at.session_state["pprr_derived"].current.measures)
    assert (frame[what_if.SCENARIO] == "").all() and (frame["official_status"] == frame["scenario_status"]).all()
    assert frame.loc[2, ["code", "official_target", "official_status"]].tolist() == ["CFSE.1", "9.5%", "✓ Green"]


def test_a_target_set_in_the_form_shows_in_the_same_grid(at):
    before = grid_keys(at)
    set_target(at, 2, "8%")
    row = grid_frame(at).loc[2]
    assert (row[what_if.SCENARIO], row["scenario_status"], row["status_key"], row["edited"]) == (
        "8%", "✗ Red", "Red", what_if.SCENARIO)
    assert row["official_status"] == "✓ Green"
    assert grid_keys(at) == before  # the browser keeps its grid and takes the new rows into it


def test_discarding_shows_the_grid_without_the_scenario(at):
    set_target(at, 2, "8%")
    at.button(key="discard_scenario").click().run()
    at.button(key="discard_yes").click().run()
    assert grid_frame(at).loc[2, what_if.SCENARIO] == ""


def test_the_priority_filter_narrows_the_grid(at, q3):
    assert not at.multiselect  # drawn only while its box is open
    open_form(at, "what_if_filter_open").multiselect(key="what_if_priority").set_value([2]).run()
    count = sum(1 for m in q3.measures if m.priority == 2)
    assert 0 < count < len(q3.measures)
    assert any(c.value.startswith(f"Showing {count} of {len(q3.measures)} measures, priority 2.")
               for c in at.caption)


def test_targets_typed_in_the_grid_go_into_the_scenario(at):
    type_in_grid(at, {2: "8%", 3: "Aim to maximise"})
    assert not at.exception and not at.error
    scenario = at.session_state["pprr_working"].scenario
    assert set(scenario.values()) == {"8%", "Aim to maximise"} and len(scenario) == 2
    assert html_tables(at)[0]["Scenario target"].tolist() == ["8%", "Aim to maximise"]
    assert at.session_state["pprr_working"].edits == []
    assert grid_frame(at).loc[2, "scenario_status"] == "✗ Red"  # in the same run that took the cell


def test_a_cell_the_grid_still_offers_is_taken_once(at):
    type_in_grid(at, {2: "8%"})
    set_target(at, 2, "")  # dropped from the scenario by the form; the grid's log still holds its "8%"
    at.run()
    assert at.session_state["pprr_working"].scenario == {}


def test_an_emptied_grid_cell_drops_the_measure_from_the_scenario(at):
    set_target(at, 2, "8%")
    set_target(at, 3, "Aim to maximise")
    type_in_grid(at, {2: ""})
    assert list(at.session_state["pprr_working"].scenario.values()) == ["Aim to maximise"]
    assert grid_frame(at).loc[2, what_if.SCENARIO] == ""


def test_an_unreadable_grid_target_is_refused_naming_the_measure(at):
    type_in_grid(at, {2: "lower please", 3: "Aim to maximise"})
    assert len(at.error) == 1
    assert at.error[0].value.startswith(r"CFSE\.1\: \'lower please\'")  # the text is shown escaped
    assert list(at.session_state["pprr_working"].scenario.values()) == ["Aim to maximise"]
    assert grid_frame(at).loc[2, what_if.SCENARIO] == ""


def test_only_the_measures_the_scenario_touches_are_rated_again(at):
    """The scenario's ratings are the official ones, object for object, for every measure it leaves alone, and
    what rating every measure from scratch would give for the ones it touches."""
    official = at.session_state["pprr_derived"]
    set_target(at, 2, "8%")
    shown = at.session_state[what_if.VIEW]
    assert shown.source is official
    measures = shown.workbook.measures
    assert shown.ratings == rate_measures(measures, official.settings)
    fresh = [m.row for m, r, o in zip(measures, shown.ratings, official.ratings) if r is not o]
    assert fresh == [2]
    at.run()  # a rerun with nothing new works nothing out again
    assert at.session_state[what_if.VIEW] is shown
