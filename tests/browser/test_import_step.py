"""The Import step on the Workbook page, in Chromium: upload a council's own layout, confirm the mapping column by
column, read the preview, download the workbook, then open it in the app."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pprr import load_workbook

from .helpers import TIMEOUT_MS, download, error_boxes, expect_open, open_app, save_full_page, settle

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from import_layouts import corporate_kpis

pytestmark = pytest.mark.browser


def test_a_council_layout_is_imported_confirmed_downloaded_and_opened(app_server, page, screenshots, tmp_path):
    open_app(page, app_server.url)
    data, expected = corporate_kpis()
    page.get_by_text("Upload your own spreadsheet and map its columns", exact=True).click()
    step = page.get_by_test_id("stFileUploader").filter(has_text="Your council's workbook")
    with page.expect_file_chooser() as chooser:
        step.get_by_test_id("stBaseButton-secondary").click()
    chooser.value.set_files(files=[{"name": "corporate-kpis.xlsx", "mimeType": "application/octet-stream",
                                    "buffer": data}])
    expect(page.get_by_text("Sheet 'KPIs': headings in row 4; looks like a list of performance measures: 5 rows "
                            "with Ref, Indicator", exact=False)).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)
    commentary = page.get_by_test_id("stSelectbox").filter(has_text="Commentary").first
    expect(commentary).to_contain_text("Commentary")
    choice = commentary.get_by_role("combobox")
    choice.click()
    choice.press("ArrowDown")  # opens the list, as the keyboard does
    page.get_by_role("option", name="Leave out", exact=True).click()
    settle(page)
    expect(page.get_by_text("5 measures under 2 priorities and 0 budget lines", exact=False)).to_be_visible(
        timeout=TIMEOUT_MS)
    save_full_page(page, screenshots / "workbook-import-step.png")
    assert error_boxes(page) == []
    saved = tmp_path / "imported.xlsx"
    download(page, "Download the imported workbook").save_as(saved)
    wb = load_workbook(saved)
    assert wb.ok and {m.code for m in wb.measures} == set(expected.measures)
    assert all(m.commentary == "" for m in wb.measures)  # the column the officer left out
    assert {m.code: dict(m.actuals)["2023/24"].raw for m in wb.measures}["NBC01"] == "24.5% Q3"
    mapping = download(page, "Download the mapping (.toml)")
    assert '"Commentary" = "Leave out"' in Path(mapping.path()).read_text(encoding="utf-8")
    page.get_by_role("button", name="Open the imported workbook").click()
    expect(page.get_by_text("Opened corporate-kpis-pprr.xlsx.")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)
    expect_open(page, "corporate-kpis-pprr.xlsx")
