"""Workbook text is shown as text: HTML, script, Markdown images and AgGrid's ``::JSCODE::`` marker stay inert."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect
from workbooks import MEASURES, PRIORITIES, make_workbook

from pprr.rules.status import Status

from .helpers import badge, cell, go_to, open_app, open_priority_view, section_text, upload_bytes

pytestmark = pytest.mark.browser

IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=1</script>"
PIXEL = "![t](http://127.0.0.1:9/pixel.png)"  # a tracking pixel, were the text rendered as Markdown
JSCODE = "::JSCODE::window.__pwned=1::JSCODE::"  # run as code by AgGrid, were it put in the grid options
PIXEL_PORT = 9

PORTFOLIO_NAME = f"Children {IMG}"
PRIORITY_TITLE = f"Start well {SCRIPT}"
PRIORITY_NOTE = f"{PIXEL} {IMG}"
NAME = f"Mothers smoking at delivery {IMG}"
NOTE = f"{SCRIPT} {PIXEL}"


def hostile_workbook() -> bytes:
    """CFSE.1 (low is good, target 9.5%) is Red at 12%, so its name and commentary are shown as an exception."""
    measures = [{**m, JSCODE: "extra column"} for m in MEASURES]
    measures[0].update({"PI Name": NAME, "2020/21 Actual": "12%", "Commentary": NOTE})
    measures[1].update({"Commentary": JSCODE})
    priorities = [dict(p) for p in PRIORITIES]
    priorities[0].update({"Title": PRIORITY_TITLE, "Commentary": PRIORITY_NOTE})
    return make_workbook(portfolio={"Portfolio": PORTFOLIO_NAME}, priorities=priorities, measures=measures)


def expect_no_script_ran(page: Page) -> None:
    for frame in page.frames:
        assert frame.evaluate("() => typeof window.__pwned") == "undefined", frame.url


def test_workbook_text_is_shown_verbatim_and_never_runs_or_fetches(app_server, context, page):
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    open_app(page, app_server.url)
    upload_bytes(page, "hostile.xlsx", hostile_workbook())
    expect(page.get_by_role("heading", name=PORTFOLIO_NAME)).to_be_visible()
    expect_no_script_ran(page)

    go_to(page, "Measures")
    expect(cell(page, "CFSE.1", "name")).to_have_text(NAME)
    expect(cell(page, "CFSE.1", "status")).to_have_text(badge(Status.RED))
    expect(cell(page, "CFSE.1", "commentary")).to_have_text(NOTE)
    expect(cell(page, "CFSE.5", "commentary")).to_have_text(JSCODE)
    expect_no_script_ran(page)

    go_to(page, "Priorities")
    open_priority_view(page, "Exceptions")
    section = section_text(page, f"1. {PRIORITY_TITLE}")
    exceptions = section.split("Exceptions (Red measures)")[1]
    assert f"CFSE.1: {NAME}" in exceptions
    assert NOTE in exceptions
    open_priority_view(page, "Commentary")
    expect(page.get_by_label("Officers' commentary for priority 1")).to_have_value(PRIORITY_NOTE)
    expect_no_script_ran(page)

    assert requests, "the page's requests were not recorded"
    assert [url for url in requests if urlparse(url).port == PIXEL_PORT] == []
