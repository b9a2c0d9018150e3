"""An edit is kept as a draft named in the page address: a refresh and a server restart keep it; discarding ends it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from pprr.rules.status import Status

from .helpers import (
    Q3_SAMPLE,
    badge,
    cell,
    edit_cell,
    expect_edits,
    expect_open,
    go_to,
    open_app,
    search_measures,
    settle,
)

pytestmark = pytest.mark.browser

CODE = "CFSE.56"


def draft_token(url: str) -> str | None:
    return parse_qs(urlparse(url).query).get("draft", [None])[0]


def expect_edit_kept(page: Page) -> None:
    expect_edits(page, 1)
    expect_open(page, Q3_SAMPLE.name)
    go_to(page, "Measures")
    search_measures(page, CODE)
    expect(cell(page, CODE, "actual")).to_have_text("4.95")
    expect(cell(page, CODE, "status")).to_have_text(badge(Status.RED))


def test_a_draft_survives_a_refresh_and_a_server_restart_until_discarded(app_server, page, new_page):
    open_app(page, app_server.url)
    go_to(page, "Measures")
    search_measures(page, CODE)
    edit_cell(page, CODE, "actual", "4.95")
    expect(cell(page, CODE, "status")).to_have_text(badge(Status.RED))
    token = draft_token(page.url)
    assert token and len(token) >= 32

    page.reload()
    settle(page)
    assert draft_token(page.url) == token
    expect_edit_kept(page)
    address = page.url

    app_server.restart()
    after_restart = new_page()
    open_app(after_restart, address)
    expect_edit_kept(after_restart)

    go_to(after_restart, "Workbook")
    after_restart.get_by_role("button", name="Discard draft…").click()
    settle(after_restart)
    expect_edits(after_restart, 1)  # asked first
    after_restart.get_by_role("button", name="Yes, discard the draft").click()
    settle(after_restart)
    expect(after_restart.get_by_text("Draft discarded: its 1 edit and what-if scenario are deleted.")).to_be_visible()
    expect_edits(after_restart, 0)
    expect(after_restart).not_to_have_url(re.compile(r"[?&]draft="))

    open_app(after_restart, address)
    expect(after_restart.get_by_text("The saved draft in this address has expired or was discarded")).to_be_visible()
    expect_edits(after_restart, 0)
    expect_open(after_restart, Q3_SAMPLE.name)
