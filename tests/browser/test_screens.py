"""Every page at 1366×768: a full-page screenshot in tests/artifacts/screenshots/, and no error or exception box."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from pprr.workbook.gate import CSV

from .helpers import (
    PAGES,
    Q3_SAMPLE,
    error_boxes,
    expect_open,
    go_to,
    open_app,
    open_file,
    save_full_page,
    table_after,
)

pytestmark = pytest.mark.browser


def slug(title: str) -> str:
    return title.lower().replace(" ", "-")


@pytest.mark.parametrize("title", PAGES)
def test_every_page_draws_without_an_error(app_server, page, screenshots, title):
    open_app(page, app_server.url)
    go_to(page, title)
    save_full_page(page, screenshots / f"{slug(title)}.png")
    assert error_boxes(page) == []


def test_a_csv_renamed_xlsx_gets_one_plain_line_and_no_traceback(app_server, page, screenshots):
    open_app(page, app_server.url)
    open_file(page, "budget.xlsx", b"Service,Net Budget\nSocial Work Teams,5891\nExternal Placements,7594\n")
    alert = page.get_by_test_id("stAlertContentError")
    expect(alert).to_contain_text("budget.xlsx was not opened")
    expect(alert).to_contain_text(CSV)  # the box itself says what is wrong and what to do
    expect(alert).to_contain_text("The workbook you had open is still open.")
    save_full_page(page, screenshots / "workbook-refused-upload.png")
    boxes = error_boxes(page)
    assert len(boxes) == 1 and CSV in boxes[0]
    assert table_after(alert) == ["Error", "File", "", CSV]
    assert "\n" not in CSV
    expect_open(page, Q3_SAMPLE.name)
