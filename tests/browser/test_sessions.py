"""Two officers on one server, side by side: neither sees the other's upload or edits."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from pprr.rules.status import Status

from .helpers import (
    AGREEMENT,
    Q3_SAMPLE,
    badge,
    cell,
    edit_cell,
    expect_edits,
    expect_open,
    go_to,
    open_app,
    search_measures,
    upload,
)

pytestmark = pytest.mark.browser

CODE = "CFSE.56"
NOTE = "Officer A: return interviews reviewed"
Q3_NOTE = "Episodes of running away rose in the autumn term"  # the Q3 sample's own commentary for CFSE.56


def show_measure(page, code: str = CODE) -> None:
    go_to(page, "Measures")
    search_measures(page, code)


def test_two_sessions_never_see_each_others_uploads_or_edits(app_server, page, new_page):
    first, second = page, new_page()
    open_app(first, app_server.url)
    open_app(second, app_server.url)

    upload(first, AGREEMENT)
    show_measure(first)
    edit_cell(first, CODE, "commentary", NOTE)
    expect(cell(first, CODE, "commentary")).to_have_text(NOTE)
    expect_edits(first, 1)

    show_measure(second)
    expect_open(second, Q3_SAMPLE.name)
    expect_edits(second, 0)
    expect(cell(second, CODE, "commentary")).to_contain_text(Q3_NOTE)
    expect(cell(second, CODE, "actual")).to_have_text("4.8")
    edit_cell(second, CODE, "actual", "4.95")
    expect(cell(second, CODE, "status")).to_have_text(badge(Status.RED))
    expect_edits(second, 1)

    go_to(first, "Workbook")
    show_measure(first)
    expect_open(first, AGREEMENT.name)
    expect_edits(first, 1)
    expect(cell(first, CODE, "commentary")).to_have_text(NOTE)
    expect(cell(first, CODE, "actual")).to_have_text("")
    expect(cell(first, CODE, "status")).to_have_text(badge(Status.GREEN))

