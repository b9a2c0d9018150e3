"""The Workbook page: headline figures, the problem list, uploads (valid, invalid, over unsaved edits)."""


import pytest
from apptest import open_app, open_form
from streamlit.testing.v1 import AppTest

from app.state import SAMPLE
from pprr.rules import finance
from pprr.rules.status import STATUS_STYLES, count_statuses, rate_measures, settings_for
from pprr.year.edits import make_edit

pytestmark = pytest.mark.usefixtures("isolated_app")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def at() -> AppTest:
    return open_app()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def add_edit(at: AppTest) -> None:
    working = at.session_state["pprr_working"]
    working.edits.append(make_edit(working.base, "Measures", 2, "Commentary", "an unsaved edit"))
    working.revision += 1


def test_headline_shows_the_status_counts_and_money_of_the_sample(at, q3):
    counts = count_statuses(rate_measures(q3.measures, settings_for(q3)))
    shown = metrics(at)
    for status, count in counts.items():
        assert shown[f"{STATUS_STYLES[status].symbol} {STATUS_STYLES[status].label}"] == str(count)
    money = finance.headline(q3)
    assert shown["Net budget £000"] == finance.format_money(money.net_budget)
    assert shown["Forecast outturn £000"] == finance.format_money(money.forecast)
    assert shown["Variance £000: ✗ Red"] == f"Overspend {finance.format_money(money.variance)}"
    count = len(q3.problems)
    assert any(m.value.startswith(f"**{count} problems found** (0 errors, {count} warnings)") for m in at.markdown)
    assert any(t.value.startswith("Next step: on Measures") for t in at.text)


def test_the_page_says_the_sample_is_illustrative_and_states_the_upload_limit(at):
    assert any("ILLUSTRATIVE FIGURES" in w.value for w in at.warning)
    assert at.file_uploader[0].label == "Upload a portfolio workbook (.xlsx, up to 20 MB)"


def test_the_samples_warnings_are_listed_with_severity_sheet_and_cell(at, q3):
    assert not at.dataframe  # the count is said; the list is drawn when its box is opened
    open_form(at, "problems_open")
    table = at.dataframe[0].value
    assert list(table.columns) == ["Severity", "Sheet", "Cell", "Message"]
    assert len(table) == len(q3.problems)
    assert set(table["Severity"]) == {"Warning"}
    assert "A44" in set(table["Cell"])


def test_a_valid_upload_opens_and_replaces_the_working_copy(at, agreement_bytes, agreement):
    at.file_uploader[0].set_value(("agreement.xlsx", agreement_bytes, XLSX)).run()
    assert not at.exception
    assert at.session_state["pprr_working"].filename == "agreement.xlsx"
    assert any("Opened agreement" in s.value for s in at.success)
    assert at.session_state["pprr_derived"].current.portfolio == agreement.portfolio
    assert not any("ILLUSTRATIVE FIGURES" in w.value for w in at.warning)


@pytest.mark.parametrize("name, data", [
    ("notes.xlsx", b"Service,Net Budget\nAdoption,58\n"),
    ("empty.xlsx", b""),
    ("old.xlsx", bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 512),
])
def test_an_invalid_upload_is_refused_with_the_problems_and_the_sample_stays_open(at, name, data):
    at.file_uploader[0].set_value((name, data, XLSX)).run()
    assert not at.exception
    assert at.session_state["pprr_working"].filename == SAMPLE.name
    assert len(at.error) == 1
    assert "was not opened" in at.error[0].value
    rejected = at.dataframe[0].value
    assert "Error" in set(rejected["Severity"])
    assert all(message.strip() for message in rejected["Message"])
    first = rejected[rejected["Severity"] == "Error"]["Message"].iloc[0]
    assert first.split(".")[0] in at.error[0].value.replace("\\", ""), "the box itself says what is wrong"


def test_opening_over_unsaved_edits_asks_first_and_can_keep_them(at, agreement_bytes):
    add_edit(at)
    at.file_uploader[0].set_value(("agreement.xlsx", agreement_bytes, XLSX)).run()
    assert at.session_state["pprr_working"].filename == SAMPLE.name
    assert any("was checked and can be opened. You have 1 edit" in w.value for w in at.warning)
    button(at, "cancel_open").click().run()
    assert at.session_state["pprr_working"].filename == SAMPLE.name
    assert len(at.session_state["pprr_working"].edits) == 1
    assert not [b for b in at.button if b.key == "confirm_open"]


def test_opening_over_unsaved_edits_discards_them_once_confirmed(at):
    add_edit(at)
    button(at, "open_agreement").click().run()
    assert at.session_state["pprr_working"].filename == SAMPLE.name
    button(at, "confirm_open").click().run()
    working = at.session_state["pprr_working"]
    assert working.filename == "stockport-cfse-2021-22-agreement.xlsx"
    assert working.edits == []


def test_the_template_and_samples_can_be_downloaded(at):
    open_form(at, "problems_open")
    open_form(at, "downloads_open")
    labels = {b.label for b in at.get("download_button")}
    assert {"Download the empty template", "Download the Q3 illustrative sample",
            "Download the agreement sample", "Download the problems (CSV)"} <= labels


def test_a_reader_failure_becomes_a_problem_not_a_traceback(at, monkeypatch, agreement_bytes):
    def broken(*args, **kwargs):
        raise RuntimeError("reader defect")

    monkeypatch.setattr("pprr.load_workbook", broken)
    at.file_uploader[0].set_value(("agreement.xlsx", agreement_bytes, XLSX)).run()
    assert not at.exception
    assert "was not opened" in at.error[0].value
    assert "Save As" in at.dataframe[0].value["Message"][0]
    assert at.session_state["pprr_working"].filename == SAMPLE.name


def _kpi_list() -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "KPIs"
    sheet.append(["Ref", "Indicator", "Target", "Q1", "Q2"])
    sheet.append(["K1", "Households helped", 100, 20, 45])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_in_another_layout_is_pointed_at_the_import_not_at_excel(at):
    at.file_uploader[0].set_value(("kpis.xlsx", _kpi_list(), XLSX)).run()
    assert not at.exception
    assert "Import a workbook in your own layout" in at.error[0].value
    assert "Fix this in Excel" not in at.error[0].value
    assert at.session_state["pprr_working"].filename == SAMPLE.name


def test_a_broken_template_workbook_is_still_sent_back_to_excel(at, agreement_bytes):
    from tests.workbooks import make_workbook

    at.file_uploader[0].set_value(("bad.xlsx", make_workbook(measures=[{"PI Code": "X"}]), XLSX)).run()
    assert "Fix this in Excel" in at.error[0].value


def test_a_file_over_the_upload_limit_is_refused_in_words_before_it_is_read_and_is_not_kept(at):
    import tomllib
    from pathlib import Path

    from pprr.workbook import gate

    config = tomllib.loads((Path(__file__).parents[1] / ".streamlit" / "config.toml").read_text())
    assert gate.MAX_UPLOAD_MB == config["server"]["maxUploadSize"]  # the app's own check is the server's limit
    big = b"PK\x03\x04" + bytes((gate.MAX_UPLOAD_MB << 20) + 1)
    at.file_uploader[0].set_value(("big.xlsx", big, XLSX)).run()
    assert not at.exception
    refused = at.error[0].value.replace("\\", "")  # as shown, without Markdown's escapes
    assert "big.xlsx was not opened" in refused and gate.TOO_LARGE in refused  # the size, not a parse failure
    assert "still open" in refused
    assert at.session_state["pprr_working"].filename == SAMPLE.name
    # The refused bytes are not held by the session: only what was said about them.
    values = [at.session_state[key] for key in at.session_state]
    held = [v for value in values for v in (value if isinstance(value, tuple) else (value,))]
    assert not any(isinstance(v, (bytes, bytearray)) and len(v) >= len(big) for v in held)
