"""Workbook: what is open, its headline figures and problems; open another workbook or download the template."""

import pandas as pd
import streamlit as st

from app import state as _state
from pprr.model import PortfolioWorkbook, Problem
from pprr.rules import finance
from pprr.rules.status import STATUS_STYLES, count_statuses
from pprr.safe_text import csv_safe, markdown_text
from pprr.workbook.template import template_bytes
from pprr.year.store.drafts import DEFAULT_MAX_AGE_DAYS

LIMIT_MB = st.get_option("server.maxUploadSize")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PENDING = "workbook_pending"  # (bytes, filename) waiting for the officer to confirm discarding edits
_OUTCOME = "workbook_outcome"  # (filename, PortfolioWorkbook) of the last file the officer tried to open
_NONCE = "workbook_upload_nonce"  # changed to clear the uploader once its file has been handled


def problems_frame(problems: tuple[Problem, ...]) -> pd.DataFrame:
    rows = [(p.severity.value, p.sheet, p.cell, p.message) for p in problems]
    return pd.DataFrame(rows, columns=["Severity", "Sheet", "Cell", "Message"])


def problems_csv(problems: tuple[Problem, ...]) -> bytes:
    return problems_frame(problems).map(csv_safe).to_csv(index=False).encode("utf-8-sig")


def show_problems(problems: tuple[Problem, ...], filename: str, key: str) -> None:
    st.dataframe(problems_frame(problems), hide_index=True, width="stretch", key=f"{key}_table")
    st.download_button("Download the problems (CSV)", problems_csv(problems), f"{filename}-problems.csv",
                       "text/csv", key=f"{key}_csv", on_click="ignore")


def request_open(data: bytes, filename: str) -> None:
    """Open a file now, or ask first when that would discard edits."""
    st.session_state[_NONCE] = st.session_state.get(_NONCE, 0) + 1
    if _state.unsaved_count():
        st.session_state[_PENDING] = (data, filename)
    else:
        open_file(data, filename)


def open_file(data: bytes, filename: str) -> None:
    st.session_state.pop(_PENDING, None)
    st.session_state[_OUTCOME] = (filename, _state.open_workbook(data, filename))


def cancel_open() -> None:
    st.session_state.pop(_PENDING, None)


def headline(wb: PortfolioWorkbook) -> None:
    p = wb.portfolio
    st.subheader(markdown_text(p.portfolio or "Portfolio"))
    st.text(" · ".join(x for x in (p.council, p.financial_year, p.reporting_period, p.version) if x))
    counts = count_statuses(_state.ratings())
    for column, (status, count) in zip(st.columns(len(counts)), counts.items()):
        style = STATUS_STYLES[status]
        column.metric(f"{style.symbol} {style.label}", count, help=style.meaning)
    money = finance.headline(wb)
    net, forecast, variance = st.columns(3)
    net.metric("Net budget £000", finance.format_money(money.net_budget))
    forecast.metric("Forecast outturn £000", finance.format_money(money.forecast) or "Not entered")
    variance.metric("Variance £000", finance.format_money(money.variance) or "—",
                    help="Forecast outturn minus net budget: overspend positive, underspend in brackets.")


def outcome() -> None:
    """What became of the file the officer last tried to open: said once when opened, kept while refused."""
    filename, wb = st.session_state[_OUTCOME]
    if wb.ok:
        st.session_state.pop(_OUTCOME)
        st.success(f"Opened {markdown_text(filename)}.")
        return
    errors = wb.errors
    first = "  \n".join(f"• {markdown_text(str(p))}" for p in errors[:3])
    more = f"  \n…and {len(errors) - 3} more, listed below." if len(errors) > 3 else ""
    st.error(f"{markdown_text(filename)} was not opened:  \n{first}{more}  \nFix this in Excel and upload it "
             "again. The workbook you had open is still open.")
    show_problems(wb.problems, filename, "rejected")


def upload() -> None:
    st.subheader("Open a workbook")
    pending = st.session_state.get(_PENDING)
    if pending:
        count = _state.unsaved_count()
        st.warning(f"You have {count} unsaved edit(s). Opening {markdown_text(pending[1])} discards them; download "
                   "the edited workbook from the Report page first to keep them.")
        left, right = st.columns(2)
        left.button(f"Open {markdown_text(pending[1])} and discard my edits", key="confirm_open", type="primary",
                    on_click=open_file, args=pending)
        right.button("Keep my edits", key="cancel_open", on_click=cancel_open)
    if _OUTCOME in st.session_state:
        outcome()
    nonce = st.session_state.get(_NONCE, 0)
    uploaded = st.file_uploader(
        f"Upload a portfolio workbook (.xlsx, up to {LIMIT_MB} MB)", type=["xlsx"], key=f"upload_{nonce}",
        max_upload_size=LIMIT_MB,
        help="Fill in the template below, or upload last quarter's workbook. Nothing you upload is shared.",
    )
    if uploaded is not None:
        request_open(uploaded.getvalue(), uploaded.name)
        st.rerun()
    left, right = st.columns(2)
    left.button("Open the Q3 illustrative sample", key="open_sample", on_click=request_open,
                args=(_state.SAMPLE.read_bytes(), _state.SAMPLE.name))
    right.button("Open the 2021/22 agreement sample", key="open_agreement", on_click=request_open,
                 args=(_state.AGREEMENT.read_bytes(), _state.AGREEMENT.name))


def draft_panel() -> None:
    st.subheader("Saved draft")
    if not _state.working().draft:
        st.text("Your first edit starts a draft, saved in this page's address, so a refresh or a server restart "
                "does not lose your work.")
        return
    st.text(f"Your edits and what-if scenario are saved as a draft in this page's address: bookmark it to come back. "
            f"A draft untouched for {DEFAULT_MAX_AGE_DAYS} days is deleted.")
    st.button("Discard draft", key="discard_draft", on_click=_state.discard_draft,
              help="Deletes the saved draft with its edits and scenario, and opens the illustrative sample.")


def downloads() -> None:
    st.subheader("Templates and samples")
    template, sample, mid_year, agreement = st.columns(4)
    template.download_button("Download the empty template", template_bytes, "pprr-template.xlsx", XLSX,
                             key="download_template", on_click="ignore")
    sample.download_button("Download the Q3 illustrative sample", _state.SAMPLE.read_bytes(), _state.SAMPLE.name,
                           XLSX, key="download_sample", on_click="ignore")
    mid_year.download_button("Download the Mid-Year illustrative sample", _state.MID_YEAR_SAMPLE.read_bytes(),
                             _state.MID_YEAR_SAMPLE.name, XLSX, key="download_mid_year", on_click="ignore",
                             help="The same portfolio at Mid-Year: compare it with the Q3 sample to see what moved.")
    agreement.download_button("Download the agreement sample", _state.AGREEMENT.read_bytes(),
                              _state.AGREEMENT.name, XLSX, key="download_agreement", on_click="ignore")


st.title("Workbook")
working = _state.working()
wb = _state.current()
if wb.portfolio.illustrative:
    st.warning("ILLUSTRATIVE FIGURES: this workbook is marked as illustrative. Its in-year figures are made up to "
               "show how the tool works; they are not the council's reported data.", icon=":material/warning:")
st.caption(f"Open: {markdown_text(working.filename)}")
headline(wb)
upload()
draft_panel()
st.subheader("Problems found in the open workbook")
if wb.problems:
    st.caption("Warnings do not stop the workbook loading; check each one. Sort by clicking a column header.")
    show_problems(wb.problems, working.filename, "open_problems")
else:
    st.text("No problems found.")
downloads()
