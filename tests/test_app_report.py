"""The Report page: the PDF and HTML packs built on request, the edited workbook and the statuses CSV."""

import io

import pytest
from apptest import open_app
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("isolated_app")


@pytest.fixture
def at() -> AppTest:
    return open_app("pages/report.py", timeout=60)


def downloads(at: AppTest) -> set[str]:
    return {b.label for b in at.get("download_button")}


def test_the_workbook_and_csv_downloads_are_offered(at):
    assert not at.exception
    assert {"Download the edited workbook", "Download measure statuses (CSV)"} <= downloads(at)
    assert "Download the PDF pack" not in downloads(at)


def test_the_scenario_option_is_off_without_a_scenario(at):
    assert at.checkbox(key="report_scenario").disabled


def test_building_the_pack_offers_a_pdf_of_the_chosen_priorities(at):
    at.multiselect(key="report_priorities").set_value([1])
    at.checkbox(key="report_exceptions_only").check()
    at.button(key="build_pack").click().run()
    assert not at.exception and not at.error
    pdf = at.session_state["report_pdf"][1]
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Start well and school readiness" in text
    assert "Special educational needs and disabilities" not in text
    assert {"Download the PDF pack", "Download the accessible HTML pack"} <= downloads(at)
    html = at.session_state["report_pdf"][2].decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Start well and school readiness" in html
    assert "Special educational needs and disabilities" not in html


def test_a_built_pack_is_withdrawn_when_the_choices_change(at):
    at.button(key="build_pack").click().run()
    at.multiselect(key="report_sections").set_value(["cover", "summary"]).run()
    assert "Download the PDF pack" not in downloads(at)
    assert any("build it again" in c.value for c in at.caption)
