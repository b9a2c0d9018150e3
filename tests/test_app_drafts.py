"""Drafts in the app: two windows on one draft, a refused stale save, and store failures said as what they are."""

from __future__ import annotations

import pytest
from apptest import APP, open_app, open_form
from streamlit.testing.v1 import AppTest

from pprr.year.store import open_store

pytestmark = pytest.mark.usefixtures("isolated_app")


def edit(at: AppTest, row: int, text: str) -> AppTest:
    at.switch_page("pages/measures.py").run()
    open_form(at, "measures_form_open")
    at.selectbox(key="form_measure").set_value(row)
    at.selectbox(key="form_field").set_value("commentary")
    at.text_area(key="form_value").input(text)
    next(b for b in at.button if b.label == "Save this value").click()
    return at.run()


def reopen(token: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.query_params["draft"] = token
    return at.run()


def kept(token: str) -> list[str]:
    return [e.new for e in open_store().drafts.load(token).edits]


def sidebar(at: AppTest) -> str:
    """What the sidebar says about saving: 'Not saved: <why>' or nothing."""
    why = at.session_state["pprr_draft_unsaved"] if "pprr_draft_unsaved" in at.session_state else None  # noqa: SIM401 - no .get here
    return f"Not saved: {why}" if why else ""


def test_two_windows_editing_different_cells_both_keep_their_edits():
    first = edit(open_app(), 2, "first window")
    token = first.session_state["pprr_working"].draft
    second = reopen(token)
    edit(second, 3, "second window")
    edit(first, 4, "first again")  # first is a version behind: merged, and shows the second window's edit
    assert kept(token) == ["first window", "second window", "first again"]
    assert [e.new for e in first.session_state["pprr_working"].edits] == kept(token)


def test_two_windows_editing_the_same_cell_the_stale_one_is_told_and_nothing_is_overwritten():
    first = edit(open_app(), 2, "first window")
    token = first.session_state["pprr_working"].draft
    second = reopen(token)
    edit(second, 2, "second window")
    edit(first, 2, "first again, stale")
    assert kept(token) == ["first window", "second window"]
    text = sidebar(first)
    assert "Not saved: This draft was changed in another window: reload to see both." in text
    first.switch_page("streamlit_app.py").run()
    first.button(key="reload_draft").click().run()
    assert [e.new for e in first.session_state["pprr_working"].edits] == ["first window", "second window"]
    assert any("first again, stale" in i.value for i in first.info)
    assert "Not saved" not in sidebar(first)


def test_a_read_only_store_says_read_only_and_keeps_the_edit_in_the_tab(monkeypatch, tmp_path):
    at = edit(open_app(), 2, "saved")
    token = at.session_state["pprr_working"].draft
    monkeypatch.setenv("PPRR_DATABASE_URL", f"sqlite:///{tmp_path / 'pprr.sqlite3'}?mode=ro")
    edit(at, 3, "not saved")
    assert "Not saved: The pprr store is read-only" in sidebar(at)
    assert [e.new for e in at.session_state["pprr_working"].edits] == ["saved", "not saved"]
    assert at.query_params["draft"] == token
    monkeypatch.setenv("PPRR_DATABASE_URL", f"sqlite:///{tmp_path / 'pprr.sqlite3'}")
    edit(at, 4, "back")  # once the store is writable the unsaved edit goes in with the next one
    assert kept(token) == ["saved", "not saved", "back"]
    assert "Not saved" not in sidebar(at)


def test_a_deleted_store_is_reported_missing_and_the_token_stays_in_the_address(tmp_path):
    at = edit(open_app(), 2, "saved")
    token = at.session_state["pprr_working"].draft
    for f in tmp_path.glob("pprr.sqlite3*"):
        f.unlink()
    edit(at, 3, "after the file went")
    assert "Not saved: The pprr store cannot be reached" in sidebar(at)
    refreshed = reopen(token)
    assert refreshed.query_params["draft"] == token
    notes = " ".join(i.value for i in refreshed.info)
    assert "cannot be reached" in notes and "expired" not in notes


def test_a_save_to_a_discarded_draft_says_it_is_no_longer_kept():
    first = edit(open_app(), 2, "first window")
    token = first.session_state["pprr_working"].draft
    open_store().drafts.discard(token)  # Discard pressed in another window
    edit(first, 3, "after the discard")
    assert "Not saved: This draft is no longer kept" in sidebar(first)


def test_a_reopened_draft_says_it_shows_what_was_saved():
    at = edit(open_app(), 2, "saved")
    refreshed = reopen(at.session_state["pprr_working"].draft)
    assert any("Reopened your draft as last saved at" in i.value and "what you see is what is saved" in i.value
               for i in refreshed.info)
