"""An officer's quarter: upload the workbook, edit an actual in the grid, read the exception, download the edit."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from pprr.rules.status import Status

from .helpers import (
    Q3_SAMPLE,
    TIMEOUT_MS,
    badge,
    cell,
    download,
    edit_cell,
    expect_edits,
    go_to,
    open_app,
    open_priority_view,
    search_measures,
    section_text,
    show_priority,
    upload,
)

pytestmark = pytest.mark.browser

CODE = "CFSE.56"  # Quarterly, low is good, target 4.6; the Q3 sample's 4.8 is Amber, 4.95 is Red
ACTUAL = "2021/22 Actual"


def measure_cell(path: Path, code: str, header: str) -> tuple[str, int, int]:
    """(sheet, row, column) of the Measures cell in column ``header`` of the row whose PI code is ``code``."""
    sheet = openpyxl.load_workbook(path)["Measures"]
    headers = [c.value for c in sheet[1]]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == code)
    return "Measures", row, headers.index(header) + 1


def differences(before: Path, after: Path) -> dict[tuple[str, int, int], tuple[object, object]]:
    """Every cell, of every sheet, whose value differs between two workbooks: (sheet, row, column) -> (old, new)."""
    old, new = openpyxl.load_workbook(before), openpyxl.load_workbook(after)
    assert new.sheetnames == old.sheetnames
    found = {}
    for name in old.sheetnames:
        a, b = old[name], new[name]
        for row in range(1, max(a.max_row, b.max_row) + 1):
            for column in range(1, max(a.max_column, b.max_column) + 1):
                was, now = a.cell(row, column).value, b.cell(row, column).value
                if was != now:
                    found[(name, row, column)] = (was, now)
    return found


def test_an_edited_actual_changes_status_shows_as_an_exception_and_is_the_only_change_downloaded(
        app_server, page, tmp_path):
    open_app(page, app_server.url)
    upload(page, Q3_SAMPLE)

    go_to(page, "Measures")
    search_measures(page, CODE)
    expect(cell(page, CODE, "status")).to_have_text(badge(Status.AMBER))
    edit_cell(page, CODE, "actual", "4.95")
    # The grid shows the new status in the run the commit starts; the message above it comes with the page's next run.
    expect(page.get_by_test_id("stMain").get_by_test_id("stAlert").filter(
        has_text=f"Saved in your draft: {CODE} (Measures sheet")).to_be_visible(timeout=TIMEOUT_MS)
    expect(cell(page, CODE, "actual")).to_have_text("4.95")
    expect(cell(page, CODE, "status")).to_have_text(badge(Status.RED))
    expect_edits(page, 1)

    go_to(page, "Priorities")
    show_priority(page, "5. Children and young people live happily and safely within their families")
    open_priority_view(page, "Exceptions")
    exceptions = section_text(page, "5.").split("Exceptions (Red measures)")[1]
    assert f"{badge(Status.RED)}  {CODE}: Children running away from home" in exceptions
    assert "4.95 (2021/22) vs target 4.6 (low is good)" in exceptions

    go_to(page, "Report")
    saved = download(page, "Download the edited workbook")
    edited = tmp_path / saved.suggested_filename
    saved.save_as(edited)
    assert differences(Q3_SAMPLE, edited) == {measure_cell(Q3_SAMPLE, CODE, ACTUAL): (4.8, 4.95)}
