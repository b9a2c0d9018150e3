"""A project's progress changed in the Priorities page's projects table, in real Chromium, and downloaded."""

from __future__ import annotations

import openpyxl
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from .helpers import Q3_SAMPLE, download, expect_edits, go_to, open_app, open_priority_view, settle

pytestmark = pytest.mark.browser

# The projects table's columns, in pixels, as pages/priorities.py sets them; Status is the sixth.
STATUS_X = 260 + 200 + 150 + 100 + 110 + 60
ROW_H = 35  # the data grid's header and row height


def test_a_project_status_edited_in_the_table_downloads_into_the_workbook(app_server, page, tmp_path):
    open_app(page, app_server.url)
    go_to(page, "Priorities")
    open_priority_view(page, "Key projects")
    expect(page.get_by_text("5 projects: On track 4 · At risk 1", exact=True)).to_be_visible()
    table = page.get_by_test_id("stMain").get_by_test_id("stDataFrame").first  # priority 1's projects
    table.scroll_into_view_if_needed()
    editor = page.locator('[id^="gdg-overlay"]')
    for _ in range(3):  # the data grid draws on a canvas: a double-click before it is ready selects nothing
        box = table.bounding_box()
        page.mouse.dblclick(box["x"] + STATUS_X, box["y"] + ROW_H + 4 * ROW_H + ROW_H / 2)  # Early Years provision
        try:
            editor.first.wait_for(state="visible", timeout=3000)
            break
        except PlaywrightTimeout:
            continue
    expect(editor).to_be_visible()  # the cell's editor is open
    page.keyboard.type("Off track")
    page.keyboard.press("Enter")
    expect(page.get_by_text("5 projects: On track 4 · Off track 1", exact=True)).to_be_visible(timeout=30_000)
    settle(page)
    expect_edits(page, 1)

    go_to(page, "Report")
    saved = download(page, "Download the edited workbook")
    edited = tmp_path / saved.suggested_filename
    saved.save_as(edited)
    before = openpyxl.load_workbook(Q3_SAMPLE)["Projects"]
    after = openpyxl.load_workbook(edited)["Projects"]
    changed = {(c.coordinate, c.value, after[c.coordinate].value)
               for row in before.iter_rows() for c in row if c.value != after[c.coordinate].value}
    assert changed == {("F6", "At risk", "Off track")}
