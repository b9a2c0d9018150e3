"""The app shell: every page opens on the illustrative sample without an exception, and sessions stay apart.

AppTest keeps only the page's own output after a rerun (elements the entry script writes before running the page,
such as the sidebar, are not collected again), so the sidebar is checked on a first run with state set beforehand.
"""


import pytest
from apptest import APP, html_paragraphs, html_tables, open_app, open_form
from streamlit.testing.v1 import AppTest

from app.choice import drawn
from app.state import SAMPLE, Working
from pprr import load_workbook
from pprr.safe_text import markdown_text
from pprr.year.edits import make_edit
from pprr.year.store import open_store

pytestmark = pytest.mark.usefixtures("isolated_app")
PAGES = {
    "pages/workbook.py": ("Workbook", "Stockport Metropolitan Borough Council · 2021/22 · Q3 Update"),
    "pages/measures.py": ("Measures", "Showing 93 of 93 measures."),
    "pages/what_if.py": ("What-if", "No scenario yet"),
    "pages/priorities.py": ("Priorities", markdown_text("1. Start well and school readiness")),
    "pages/finance.py": ("Finance", "Children & Family Services"),
    "pages/report.py": ("Report", "1. Start well and school readiness"),
    "pages/glossary.py": ("Glossary", "Showing 22 of 22 terms."),
}


def shown(at: AppTest) -> str:
    """Every piece of text on the page: elements, widget labels and options, table cells."""
    parts = []
    for kind in ("title", "header", "subheader", "caption", "text", "markdown", "info", "warning", "success"):
        parts += [str(e.value) for e in at.get(kind)]
    parts += [e.label for e in at.metric] + [str(e.value) for e in at.metric]
    for widget in (*at.selectbox, *at.multiselect):
        parts += [str(o) for o in widget.options]
    parts += [frame.value.to_string() for frame in at.dataframe]
    parts += [frame.to_string() for frame in html_tables(at)]
    return "\n".join(parts)


def sidebar_text(at: AppTest) -> list[str]:
    """The sidebar's texts: its status box's paragraphs and any alert (its page menu is buttons)."""
    return html_paragraphs(at.sidebar.get("html")) + [str(e.value) for e in at.sidebar.get("warning")]


@pytest.mark.parametrize("page, title, sample_text", [(p, *v) for p, v in PAGES.items()])
def test_every_page_opens_on_the_sample_without_an_error(page, title, sample_text):
    at = open_app(page)
    assert not at.exception
    assert not at.error
    assert [t.value for t in at.title] == [title]
    assert sample_text in shown(at)


def test_the_sidebar_names_the_sample_and_labels_it_illustrative():
    at = open_app()
    assert "stockport-cfse-2021-22-q3-illustrative.xlsx" in sidebar_text(at)
    assert any("ILLUSTRATIVE FIGURES" in text for text in sidebar_text(at))
    assert "No edits yet" in sidebar_text(at)
    menu = next(drawn(e) for e in at.sidebar if drawn(e))
    assert menu == {"labels": ["Workbook", "Measures", "What-if", "Priorities", "Finance", "Report", "Reporting year",
                               "Glossary"], "chosen": 0, "label": "Pages", "kind": "menu"}


def test_the_sidebar_counts_unsaved_edits():
    data = SAMPLE.read_bytes()
    base = load_workbook(data)
    edits = [make_edit(base, "Measures", 2, "2021/22 Actual", "12.5%"),
             make_edit(base, "Budget", 2, "Forecast Outturn", "60")]
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["pprr_working"] = Working(data, "q3.xlsx", "sha-of-q3", base, edits)
    at.run()
    assert "q3.xlsx" in sidebar_text(at)
    assert "2 edits" in sidebar_text(at)
    assert "Not saved: kept in this browser tab only · not yet in a downloaded workbook" in sidebar_text(at)


def test_the_sidebar_shows_a_file_name_as_typed_never_as_markup():
    data = SAMPLE.read_bytes()
    name = '<img src=x onerror="alert(1)">**q3**.xlsx'
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["pprr_working"] = Working(data, name, "sha-of-q3", load_workbook(data), [])
    at.run()
    assert name in sidebar_text(at)
    body = "".join(e.proto.body for e in at.sidebar.get("html"))
    assert "<img" not in body and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;**q3**.xlsx" in body


def test_edits_survive_moving_between_pages():
    at = open_app("pages/measures.py")
    working = at.session_state["pprr_working"]
    working.edits.append(make_edit(working.base, "Measures", 2, "Commentary", "Checked with the midwifery team"))
    working.revision += 1
    at.switch_page("pages/priorities.py").run()
    at.switch_page("pages/measures.py").run()
    assert [e.new for e in at.session_state["pprr_working"].edits] == ["Checked with the midwifery team"]
    assert at.session_state["pprr_derived"].current.measures[0].commentary == "Checked with the midwifery team"


def test_two_sessions_do_not_see_each_others_workbook_or_edits(agreement_bytes):
    first, second = open_app(), open_app()
    first.file_uploader[0].set_value(("agreement.xlsx", agreement_bytes, "application/octet-stream")).run()
    working = first.session_state["pprr_working"]
    working.edits.append(make_edit(working.base, "Measures", 2, "Commentary", "first session only"))
    working.revision += 1
    first.run()
    second.run()
    assert first.session_state["pprr_working"].filename == "agreement.xlsx"
    assert second.session_state["pprr_working"].filename == SAMPLE.name
    assert second.session_state["pprr_working"].edits == []
    assert "first session only" not in shown(second)


def edit_through_the_measures_page(at: AppTest, text: str) -> None:
    at.switch_page("pages/measures.py").run()
    open_form(at, "measures_form_open")
    at.selectbox(key="form_measure").set_value(2)
    at.selectbox(key="form_field").set_value("commentary")
    at.text_area(key="form_value").input(text)
    next(b for b in at.button if b.label == "Save this value").click()
    at.run()


def test_a_first_visit_starts_no_draft():
    at = open_app()
    assert "draft" not in at.query_params
    assert at.session_state["pprr_working"].draft is None


def test_an_edit_is_saved_as_a_draft_that_a_refresh_reopens(agreement_bytes):
    at = open_app()
    at.file_uploader[0].set_value(("agreement.xlsx", agreement_bytes, "application/octet-stream")).run()
    edit_through_the_measures_page(at, "Saved before the refresh")
    token = at.session_state["pprr_working"].draft
    assert token and at.query_params["draft"] == token

    refreshed = AppTest.from_file(str(APP), default_timeout=30)
    refreshed.query_params["draft"] = token
    refreshed.run()
    working = refreshed.session_state["pprr_working"]
    assert working.filename == "agreement.xlsx"
    assert [e.new for e in working.edits] == ["Saved before the refresh"]
    assert refreshed.session_state["pprr_derived"].current.measures[0].commentary == "Saved before the refresh"


def test_an_unknown_draft_opens_the_sample_and_says_so():
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.query_params["draft"] = "A" * 32
    at.run()
    assert at.session_state["pprr_working"].filename == SAMPLE.name
    assert any("expired or was discarded" in i.value for i in at.info)
    assert "draft" not in at.query_params


def test_discarding_the_draft_deletes_it_and_reopens_the_sample():
    at = open_app()
    edit_through_the_measures_page(at, "to be discarded")
    token = at.session_state["pprr_working"].draft
    at.switch_page("pages/workbook.py").run()
    at.button(key="discard_draft").click().run()
    assert at.session_state["pprr_working"].draft == token  # asked first
    at.button(key="discard_yes").click().run()
    assert at.session_state["pprr_working"].edits == []
    assert at.session_state["pprr_working"].draft is None
    assert open_store().drafts.load(token) is None
