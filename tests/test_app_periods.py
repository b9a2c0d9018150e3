"""The Reporting year page: keep the working copy as a period (asking before replacing), list the year's periods,
open a past one read-only, see what moved since the last report; the Measures grid's previous status."""

from __future__ import annotations

import pytest
from apptest import open_app, open_form

from app.state import AGREEMENT, SAMPLE
from pprr import load_workbook
from pprr.year.store import open_store

pytestmark = pytest.mark.usefixtures("isolated_app")
PAGE = "pages/periods.py"


def texts(at) -> str:
    parts = []
    for kind in ("text", "caption", "markdown", "info", "warning", "success", "error", "subheader"):
        parts += [str(e.value) for e in at.get(kind)]
    parts += [frame.value.to_string() for frame in at.dataframe]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts).replace("\\", "")  # Markdown escapes


def upload(at, path) -> None:
    at.switch_page("pages/workbook.py").run()
    at.file_uploader[0].set_value((path.name, path.read_bytes(), "application/octet-stream")).run()


def keep(at, name: str = "A. Officer"):
    at.switch_page(PAGE).run()
    at.text_input(key="periods_saved_by").set_value(name)
    at.button(key="periods_save").click()
    return at.run()


def test_keeping_the_agreement_then_opening_q3_shows_the_movement_since():
    at = open_app()
    upload(at, AGREEMENT)
    keep(at)
    assert "Kept Agreement 2021/22, by A. Officer" in texts(at)
    kept = open_store().periods.list()
    assert [(k.period, k.saved_by, k.version) for k in kept] == [("Agreement", "A. Officer", 1)]
    assert open_store().periods.get("Agreement", kept[0].portfolio, "2021/22").workbook == AGREEMENT.read_bytes()

    upload(at, SAMPLE)
    at.switch_page(PAGE).run()
    shown = texts(at)
    assert not at.exception and "Since Agreement: Q3 Update" in shown
    assert "New data" in shown and "Forecast at Agreement" in shown
    assert "Agreement 2021/22 as kept: nothing here can be edited." in shown


def test_keeping_a_kept_period_asks_first_and_replacing_keeps_both_versions():
    at = open_app()
    keep(at, "First")
    keep(at, "Second")
    assert "already kept (saved by First" in texts(at)
    assert [k.saved_by for k in open_store().periods.list()] == ["First"]
    at.button(key="periods_replace").click().run()
    assert "version 2; the earlier one is kept too" in texts(at)
    assert [(k.saved_by, k.version) for k in open_store().periods.list(all_versions=True)] == [
        ("First", 1), ("Second", 2)]


def test_the_kept_period_is_the_edited_workbook():
    at = open_app("pages/measures.py")
    open_form(at, "measures_form_open")
    at.selectbox(key="form_measure").set_value(2)
    at.selectbox(key="form_field").set_value("commentary")
    at.text_area(key="form_value").input("Kept with this commentary")
    next(b for b in at.button if b.label == "Save this value").click()
    at.run()
    keep(at)
    kept = open_store().periods.list()[0]
    wb = load_workbook(open_store().periods.get(kept.period, kept.portfolio, kept.year).workbook)
    assert wb.measures[0].commentary == "Kept with this commentary"
    assert kept.filename.endswith("-edited.xlsx")


def test_the_measures_grid_shows_the_previous_periods_status():
    at = open_app()
    upload(at, AGREEMENT)
    keep(at)
    upload(at, SAMPLE)
    at.switch_page("pages/measures.py").run()
    frame = at.session_state["measures_view"].frame
    assert frame["previous"].str.endswith("(Agreement)").sum() > 80


def test_an_unreachable_store_is_said_on_the_page_and_the_rest_works(monkeypatch, tmp_path):
    monkeypatch.setenv("PPRR_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    at = open_app(PAGE)
    assert not at.exception
    assert "cannot be reached" in texts(at) and "everything else works" in texts(at)
    at.switch_page("pages/measures.py").run()
    assert not at.exception and (at.session_state["measures_view"].frame["previous"] == "").all()


def test_the_report_page_builds_the_pack_since_the_last_kept_report():
    from io import BytesIO

    from pypdf import PdfReader

    mid_year = SAMPLE.with_name("stockport-cfse-2021-22-mid-year-illustrative.xlsx")
    at = open_app()
    upload(at, mid_year)
    keep(at)
    upload(at, SAMPLE)
    at.switch_page("pages/report.py").run()
    chosen = at.selectbox(key="report_previous")
    assert chosen.value == "Mid-Year 2021/22" and chosen.options[0] == "None"
    at.button(key="build_pack").click().run()
    assert not at.exception
    pdf = at.session_state["report_pdf"][1]
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    assert "Since the Mid-Year report" in text
    chosen.set_value("None").run()
    at.button(key="build_pack").click().run()
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(at.session_state["report_pdf"][1])).pages)
    assert "Since the Mid-Year report" not in text


def test_the_report_page_says_when_no_earlier_report_is_kept():
    at = open_app()
    at.switch_page("pages/report.py").run()
    assert not at.exception
    assert "No earlier reporting period of this year is kept" in texts(at)
