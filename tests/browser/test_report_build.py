"""The Report page's Build in real Chromium: progress shown in words while the packs are built, then both downloads."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from bench.generate import generate_workbook
from bench.report_build import WATCH_PROGRESS  # the text of every progress bar drawn, in order

from .helpers import download, go_to, open_app, settle, upload_bytes

pytestmark = pytest.mark.browser


def test_building_the_pack_shows_its_progress_then_offers_both_packs(app_server, page, tmp_path):
    open_app(page, app_server.url)
    # A portfolio of 400 measures: its pack takes long enough to build that every step is drawn, however warm the
    # server is (the sample's can be built between two frames, and the bar is gone before the browser draws it).
    upload_bytes(page, "measures-400.xlsx", generate_workbook(400, seed=7))
    go_to(page, "Report")
    expect(page.get_by_role("button", name="Download the PDF pack", exact=True)).to_have_count(0)
    page.evaluate(WATCH_PROGRESS)
    page.get_by_role("button", name="Build the pack", exact=True).click()
    expect(page.get_by_role("button", name="Download the PDF pack", exact=True)).to_be_enabled(timeout=120_000)
    settle(page)
    seen = page.evaluate("() => window.__progress")
    # every 2% of the layout is shown; steps faster than a frame may be drawn over before the browser shows them
    assert "Laying out pages" in seen, seen
    assert set(seen) <= {"Starting", "Rating measures", "Writing sections", "Laying out pages", "PDF written",
                         "Writing the HTML pack"}, seen
    assert page.get_by_test_id("stProgress").count() == 0  # the bar goes when the packs are ready

    pdf = tmp_path / "pack.pdf"
    download(page, "Download the PDF pack").save_as(pdf)
    reader = PdfReader(pdf)
    assert len(reader.pages) > 30
    assert "Portfolio Performance and Resources Report" in (reader.metadata.title or "")
    html = tmp_path / "pack.html"
    download(page, "Download the accessible HTML pack").save_as(html)
    text = html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in text and "<svg" in text
