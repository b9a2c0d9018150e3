"""The What-if page: scenario targets kept apart, statuses that move, adopt and discard."""


import pytest
from apptest import open_app
from streamlit.testing.v1 import AppTest

from pprr.edits import make_edit
from pprr.status import Status, count_statuses

pytestmark = pytest.mark.usefixtures("isolated_app")


@pytest.fixture
def at() -> AppTest:
    return open_app("pages/what_if.py")


def set_target(at: AppTest, row: int, text: str) -> AppTest:
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
    assert moved(at) == (f"✓ Green {before[Status.GREEN]} → {before[Status.GREEN] - 1} · "
                         f"✗ Red {before[Status.RED]} → {before[Status.RED] + 1}")
    table = at.dataframe[0].value
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
    assert at.dataframe[0].value["Scenario status"].tolist() == ["✓ Green"]


def test_adopting_turns_the_scenario_into_target_edits(at):
    set_target(at, 2, "8%")
    at.button(key="adopt_scenario").click().run()
    working = at.session_state["pprr_working"]
    assert working.scenario == {}
    assert [(e.row, e.field, e.old, e.new) for e in working.edits] == [(2, "2021/22 Target", "9.5%", "8%")]
    assert at.session_state["pprr_derived"].ratings[0].status is Status.RED


def test_discarding_leaves_the_official_targets_alone(at):
    set_target(at, 2, "8%")
    at.button(key="discard_scenario").click().run()
    assert at.session_state["pprr_working"].scenario == {}
    assert at.session_state["pprr_working"].edits == []
    assert any("No scenario yet" in i.value for i in at.info)


def test_an_unreadable_scenario_target_is_refused(at):
    set_target(at, 2, "lower please")
    assert len(at.error) == 1 and "lower please" in at.error[0].value
    assert at.session_state["pprr_working"].scenario == {}
