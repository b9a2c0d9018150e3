"""The store in the browser: keep Mid-Year, open Q3, see the movement; two windows on one draft; kill -9 of the
server during a burst of edits, then the open tab's next edit is kept and the screen matches the store."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from pprr.year.edits import net_edits
from pprr.year.store import Database
from pprr.year.store.drafts import DraftStore

from .conftest import AppServer
from .helpers import (
    GRID_IFRAME,
    Q3_SAMPLE,
    ROOT,
    TIMEOUT_MS,
    cell,
    edit_cell,
    go_to,
    open_app,
    save_full_page,
    search_measures,
    settle,
    sidebar,
    upload,
)

pytestmark = pytest.mark.browser
MID_YEAR = ROOT / "sample_data" / "stockport-cfse-2021-22-mid-year-illustrative.xlsx"
CODE = "CFSE.56"
ROW = 80  # CFSE.56's row on the Q3 sample's Measures sheet


def token_of(page: Page) -> str:
    return parse_qs(urlparse(page.url).query)["draft"][0]


def kept(server: AppServer, token: str) -> dict[tuple[str, int, str], str]:
    """The draft's cells as the store holds them: (sheet, row, field) -> latest text."""
    draft = DraftStore(Database(f"sqlite:///{server.drafts_db}")).load(token)
    return {(e.sheet, e.row, e.field): e.new for e in net_edits(list(draft.edits))}


def reporting_year(page: Page) -> None:
    go_to(page, "Reporting year")


def test_keep_mid_year_then_open_q3_and_see_what_moved(app_server, page, screenshots):
    open_app(page, app_server.url)
    upload(page, MID_YEAR)
    reporting_year(page)
    page.get_by_label("Kept by").fill("Mid-Year Officer")
    page.get_by_label("Kept by").press("Enter")
    settle(page)
    page.get_by_role("button", name="Keep as Mid-Year 2021/22").click()
    settle(page)
    expect(page.get_by_text("Kept Mid-Year 2021/22, by Mid-Year Officer")).to_be_visible()

    go_to(page, "Workbook")
    upload(page, Q3_SAMPLE)
    reporting_year(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("Since Mid-Year: Q3 Update")).to_be_visible()
    expect(main.get_by_text("Forecast overspend £0.325m")).to_be_visible()
    for word in ("Improved", "Worsened", "New data"):
        expect(main.get_by_test_id("stMetricLabel").filter(has_text=re.compile(rf"^{word}$"))).to_have_count(1)
    save_full_page(page, screenshots / "reporting-year.png")

    go_to(page, "Measures")
    search_measures(page, CODE)
    expect(cell(page, CODE, "previous")).to_contain_text("(Mid-Year)")


def test_two_windows_on_one_draft_keep_both_edits_and_the_stale_one_is_told(app_server, page, new_page):
    open_app(page, app_server.url)
    go_to(page, "Measures")
    search_measures(page, CODE)
    edit_cell(page, CODE, "actual", "4.95")
    token = token_of(page)

    other = new_page()
    open_app(other, page.url)
    go_to(other, "Measures")
    search_measures(other, CODE)
    expect(cell(other, CODE, "actual")).to_have_text("4.95")
    edit_cell(other, CODE, "commentary", "From the second window")  # a different cell

    edit_cell(page, CODE, "target", "5.5")  # the first window is a version behind: merged
    expect(cell(page, CODE, "commentary")).to_have_text("From the second window")
    assert set(kept(app_server, token).values()) == {"4.95", "From the second window", "5.5"}

    edit_cell(other, CODE, "actual", "5.10")  # the second window has not seen the target yet: merged as well
    edit_cell(page, CODE, "actual", "6.20")  # the same cell, changed meanwhile: refused, and said
    expect(sidebar(page).get_by_text("This draft was changed in another window: reload to see both.",
                                     exact=False)).to_be_visible()
    assert kept(app_server, token)[("Measures", next(iter(
        k for k, v in kept(app_server, token).items() if v == "5.10"))[1], "2021/22 Actual")] == "5.10"
    page.get_by_role("button", name="Reload the draft").click()
    settle(page)
    go_to(page, "Measures")
    search_measures(page, CODE)
    expect(cell(page, CODE, "actual")).to_have_text("5.10")
    expect(sidebar(page).get_by_text("Not saved", exact=False)).to_have_count(0)


def test_kill_9_during_an_edit_burst_then_the_next_edit_is_kept_and_the_screen_matches_the_store(
        tmp_path_factory, page):
    server = AppServer(tmp_path_factory.mktemp("kill") / "pprr.sqlite3").start()
    grid_frame = page.frame_locator(GRID_IFRAME)
    try:
        open_app(page, server.url)
        go_to(page, "Measures")
        search_measures(page, CODE)
        for round_ in range(2):
            for n in range(3):
                edit_cell(page, CODE, "commentary", f"burst {round_}.{n}")
            token = token_of(page)
            cell(page, CODE, "actual").dblclick()
            editor = grid_frame.locator(".ag-cell-editor input").first
            editor.fill(f"7.7{round_}")
            editor.press("Enter")
            os.kill(server.proc.pid, 9)  # mid-edit: the value just typed may or may not have reached the store
            server.proc.wait()
            server.start()
            expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-connection-state", "CONNECTED",
                                                                   timeout=TIMEOUT_MS)
            settle(page)
            held = kept(server, token)
            assert held[("Measures", ROW, "Commentary")] == f"burst {round_}.2"  # every acknowledged edit
            # The reconnected tab reruns at once in a new session: it stays on its page, shows what the store holds
            # and says so (a value typed into the grid as the server died, and not saved, is not shown as saved).
            expect(page.get_by_text("Reopened your draft as last saved at", exact=False)).to_be_visible(
                timeout=TIMEOUT_MS)
            settle(page)
            expect(page.get_by_text("Showing 93 of 93 measures.")).to_have_count(1, timeout=TIMEOUT_MS)
            search_measures(page, CODE)
            expect(page.locator("h1").first).to_have_text("Measures")
            held = kept(server, token)
            expect(cell(page, CODE, "commentary")).to_have_text(held[("Measures", ROW, "Commentary")])
            expect(cell(page, CODE, "actual")).to_have_text(held.get(("Measures", ROW, "2021/22 Actual"), "4.8"))
            # The first edit made in what is now on screen is kept, and the screen matches the store.
            edit_cell(page, CODE, "commentary", f"first edit after restart {round_}")
            assert kept(server, token)[("Measures", ROW, "Commentary")] == f"first edit after restart {round_}"
            expect(cell(page, CODE, "commentary")).to_have_text(f"first edit after restart {round_}")
            expect(sidebar(page).get_by_text("Not saved", exact=False)).to_have_count(0)
            open_app(page, page.url)  # a refresh shows the same
            go_to(page, "Measures")
            search_measures(page, CODE)
            expect(cell(page, CODE, "commentary")).to_have_text(f"first edit after restart {round_}")
    finally:
        if server.proc.poll() is None:
            os.kill(server.proc.pid, 9)
        server.proc.wait()


def test_the_store_file_is_owner_only(app_server, page):
    open_app(page, app_server.url)
    go_to(page, "Measures")
    search_measures(page, CODE)
    edit_cell(page, CODE, "commentary", "owner only")
    path = Path(app_server.drafts_db)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
