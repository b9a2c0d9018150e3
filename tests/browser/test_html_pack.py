"""The HTML committee pack in a real Chromium: axe-core finds no violation, and the page reads as a document."""

from __future__ import annotations

import pytest

from pprr.report.html_pack import build_html
from pprr.report.pack import PackOptions

from .axe import WITH_BEST_PRACTICE, describe, run_axe

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def q3_html(q3):
    return build_html(q3)


def _open(page, tmp_path, html: str):
    path = tmp_path / "pack.html"
    path.write_text(html, encoding="utf-8")
    page.route("**/*", lambda route: route.abort() if not route.request.url.startswith("file:") else route.continue_())
    page.goto(path.as_uri())
    return page


def test_html_pack_has_no_axe_violations(page, tmp_path, q3_html, screenshots):
    _open(page, tmp_path, q3_html)
    violations = run_axe(page, tags=WITH_BEST_PRACTICE)
    page.screenshot(path=str(screenshots / "html-pack-top.png"))
    assert violations == [], describe(violations)


def test_html_pack_reads_as_a_document(page, tmp_path, q3_html):
    _open(page, tmp_path, q3_html)
    assert page.evaluate("document.documentElement.lang") == "en-GB"
    assert page.locator("h1").count() == 1
    assert page.locator("h2#exceptions").inner_text().startswith("Exceptions (")
    assert page.locator("svg[role=img] > title").count() >= 4  # every chart has a title and a text alternative
    assert page.locator("svg[role=img] > desc").first.text_content().strip()
    assert page.locator("th[scope=col]").count() > 50 and page.locator("th[scope=row]").count() > 50
    page.get_by_role("link", name="Finance", exact=True).click()
    assert page.evaluate("location.hash") == "#finance"


def test_html_pack_agreement_and_hostile_text_have_no_violations(page, tmp_path, agreement):
    import dataclasses

    wb = agreement
    hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    wb = dataclasses.replace(wb, priorities=(dataclasses.replace(wb.priorities[0], commentary=hostile),
                                             *wb.priorities[1:]))
    html = build_html(wb, PackOptions())
    _open(page, tmp_path, html)
    assert page.locator("script").count() == 0 and page.locator("img").count() == 0
    assert hostile in page.locator("main").inner_text()
    violations = run_axe(page, tags=WITH_BEST_PRACTICE)
    assert violations == [], describe(violations)


def test_axe_finds_a_violation_when_there_is_one(page, tmp_path):
    _open(page, tmp_path, '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main>'
                          '<h1>t</h1><table><tr><th></th><td>1</td></tr></table>'
                          '<p style="color:#BBB">faint</p></main></body></html>')
    found = {v["id"] for v in run_axe(page, tags=WITH_BEST_PRACTICE)}
    assert {"color-contrast", "empty-table-header"} <= found
