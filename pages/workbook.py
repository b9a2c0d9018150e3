"""Workbook: what is open, its headline figures and problems; open another workbook or download the template."""

import pandas as pd
import streamlit as st

from app import import_step, memory
from app import state as _state
from pprr.model import PortfolioWorkbook, Problem, Severity
from pprr.rules import finance
from pprr.rules.status import STATUS_STYLES, Status, budget_rag, count_statuses
from pprr.safe_text import csv_safe, markdown_text
from pprr.workbook.reader import is_not_template
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


def tile_style() -> str:
    """Each status tile in its status's fill and text colours (from :data:`pprr.rules.status.STATUS_STYLES`)."""
    rules = []
    for status, style in STATUS_STYLES.items():
        tile = f'[class*="st-key-tile_{status.name.lower()}"]'
        rules.append(f"{tile} {{ background: {style.fill}; border-radius: 0.4rem; padding: 0.5rem 0.75rem; }}")
        rules.append(f"{tile} p, {tile} [data-testid='stMetricValue'], {tile} svg {{ color: {style.text}; }}")
    rules.append('[class*="st-key-tile_"] [data-testid="stMetricLabel"] *, [class*="st-key-tile_"] '
                 '[data-testid="stMetricValue"] * { white-space: normal; overflow: visible; text-overflow: clip; '
                 'word-break: normal; overflow-wrap: normal; }')
    rules.append('[class*="_variance"] [data-testid="stMetricValue"] { font-size: 1.6rem; }')
    # In a narrow window the tiles, the money and the upload box wrap onto further rows instead of squeezing their
    # words into a letter a line.
    for key, width in (("headline_row", "18rem"), ("status_tiles", "7.5rem"), ("money_row", "7rem")):  # nested last
        block = f'.st-key-{key} > div > [data-testid="stHorizontalBlock"], .st-key-{key} > [data-testid="stHorizontalBlock"]'
        rules.append(f"{block} {{ flex-wrap: wrap; }}")
        rules.append(f'.st-key-{key} [data-testid="stColumn"] {{ min-width: {width}; flex: 1 1 {width}; }}')
    return "<style>" + "\n".join(rules) + "</style>"


def variance_words(variance: float | None) -> str:
    """``Overspend 325`` / ``Underspend (120)`` / ``On budget`` (£000)."""
    if variance is None:
        return "No forecast entered"
    if round(variance, 6) > 0:
        return f"Overspend {finance.format_money(variance)}"
    if round(variance, 6) < 0:
        return f"Underspend {finance.format_money(variance)}"
    return "On budget"


def next_step(wb: PortfolioWorkbook, counts: dict[Status, int]) -> str:
    warnings = sum(1 for p in wb.problems if p.severity is Severity.WARNING)
    edits = _state.unsaved_count()
    if counts[Status.RED]:
        step = (f"Next step: on Measures, filter Status to Red and check the {counts[Status.RED]} Red measures' "
                "in-year actuals and commentary.")
    else:
        step = "Next step: on Measures, enter this quarter's in-year actuals."
    if warnings:
        step += f" Check the {warnings} warning{'' if warnings == 1 else 's'} listed below."
    if edits:
        step += " When you are done, download the edited workbook from Report."
    return step


def headline(wb: PortfolioWorkbook) -> None:
    """The portfolio, its status tiles, then the money, the problems and the next step beside the upload box."""
    p = wb.portfolio
    st.header(markdown_text(p.portfolio or "Portfolio"))
    st.text(" · ".join(x for x in (p.council, p.financial_year, p.reporting_period, p.version) if x))
    st.html(tile_style())
    counts = count_statuses(_state.ratings())
    for column, (status, count) in zip(st.container(key="status_tiles").columns(len(counts)), counts.items()):
        style = STATUS_STYLES[status]
        with column.container(key=f"tile_{status.name.lower()}"):
            st.metric(f"{style.symbol} {style.label}", count, help=style.meaning)
    summary, opening = st.container(key="headline_row").columns([3, 2], gap="large")
    with summary:
        money_and_next(wb, counts)
    with opening:
        upload()


def money_and_next(wb: PortfolioWorkbook, counts: dict[Status, int]) -> None:
    money = finance.headline(wb)
    rag = budget_rag(money.net_budget, money.forecast, _state.settings()) if money.net_budget is not None \
        else Status.NO_DATA
    net, forecast, variance = st.container(key="money_row").columns(3)
    net.metric("Net budget £000", finance.format_money(money.net_budget))
    forecast.metric("Forecast outturn £000", finance.format_money(money.forecast) or "Not entered")
    style = STATUS_STYLES[rag]
    with variance.container(key=f"tile_{rag.name.lower()}_variance"):
        st.metric(f"Variance £000: {style.symbol} {style.label}", variance_words(money.variance),
                  help="Forecast outturn minus net budget. Overspend is a positive variance; an underspend is shown "
                       "in brackets. The RAG follows the budget rule on the Finance page.")
    problems = len(wb.problems)
    errors = sum(1 for x in wb.problems if x.severity is Severity.ERROR)
    st.markdown(f"**{problems} problem{'' if problems == 1 else 's'} found** "
                f"({errors} error{'' if errors == 1 else 's'}, {problems - errors} "
                f"warning{'' if problems - errors == 1 else 's'}): listed under *Problems found* below.")
    st.text(next_step(wb, counts))


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
    if is_not_template(wb):
        step = ("Use **Import a workbook in your own layout** on this page to map its columns to the template's, "
                "or download the empty template below.")
    else:
        step = "Fix this in Excel and upload it again."
    st.error(f"{markdown_text(filename)} was not opened:  \n{first}{more}  \n{step} The workbook you had open is "
             "still open.")
    show_problems(wb.problems, filename, "rejected")


def upload() -> None:
    st.header("Open a workbook")
    pending = st.session_state.get(_PENDING)
    if pending:
        headline_text, where = _state.edits_state()
        st.warning(f"{markdown_text(pending[1])} was checked and can be opened. You have {headline_text.lower()} "
                   f"({where}). Opening it discards them and their draft; download the edited workbook from the "
                   "Report page first to keep them.")
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
        data, name = uploaded.getvalue(), uploaded.name
        memory.release_upload(uploaded)  # read: the server's copy of the upload goes now, opened or refused
        request_open(data, name)
        st.rerun()
    st.button("Open the Q3 illustrative sample", key="open_sample", on_click=request_open, width="stretch",
              args=(_state.SAMPLE.read_bytes(), _state.SAMPLE.name))
    st.button("Open the 2021/22 agreement sample", key="open_agreement", on_click=request_open, width="stretch",
              args=(_state.AGREEMENT.read_bytes(), _state.AGREEMENT.name))


_CONFIRM_DISCARD = "workbook_confirm_discard"
_DISCARDED = "workbook_discarded"


def ask_discard(ask: bool) -> None:
    st.session_state[_CONFIRM_DISCARD] = ask


def discard() -> None:
    st.session_state[_CONFIRM_DISCARD] = False
    count = _state.unsaved_count()
    _state.discard_draft()
    st.session_state[_DISCARDED] = (f"Draft discarded: its {count} edit{'' if count == 1 else 's'} and what-if "
                                    "scenario are deleted. The illustrative sample is open.")


def draft_panel() -> None:
    st.header("Your draft")
    done = st.session_state.pop(_DISCARDED, None)
    if done:
        st.success(done)
    if not _state.working().draft:
        st.text("No edits yet. Your first edit starts a draft, saved in this page's address, so a refresh or a "
                "server restart does not lose your work.")
        return
    headline_text, where = _state.edits_state()
    st.text(f"{headline_text}: {where}. The draft (edits and what-if scenario) is kept in this page's address: "
            f"bookmark it to come back. A draft untouched for {DEFAULT_MAX_AGE_DAYS} days is deleted.")
    if st.session_state.get(_CONFIRM_DISCARD):
        with st.container(border=True):
            st.warning("Discard deletes the draft with all its edits and its what-if scenario, and opens the "
                       "illustrative sample. This cannot be undone.")
            yes, no = st.columns(2)
            yes.button("Yes, discard the draft", key="discard_yes", type="primary", on_click=discard)
            no.button("No, keep it", key="discard_no", on_click=ask_discard, args=(False,))
    else:
        st.button("Discard draft…", key="discard_draft", on_click=ask_discard, args=(True,),
                  help="Asks first. Deletes the saved draft with its edits and scenario, and opens the illustrative "
                       "sample.")


def open_problems(wb: PortfolioWorkbook, filename: str) -> None:
    """The open workbook's problems: their count always, the list while its box is open (drawn only then: the
    page is left for another more often than the list is read)."""
    st.header("Problems found in the open workbook")
    if not wb.problems:
        st.text("No problems found.")
        return
    count = len(wb.problems)
    box = st.expander(f"The {count} problem{'' if count == 1 else 's'}, with sheet and cell", key="problems_open",
                      on_change="rerun")
    if not box.open:
        return
    with box:
        st.caption("Warnings do not stop the workbook loading; check each one. Sort by clicking a column header.")
        show_problems(wb.problems, filename, "open_problems")


def downloads() -> None:
    """The empty template and the samples, drawn only while their box is open."""
    st.header("Templates and samples")
    box = st.expander("Download the empty template or a sample workbook", key="downloads_open", on_change="rerun")
    if not box.open:
        return
    left, right = box.columns(2)
    template, sample, mid_year, agreement = left, right, left, right
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
               "show how the tool works; they are not the council's reported data.")
st.caption(f"Open: {markdown_text(working.filename)}")
headline(wb)
import_step.render(request_open)
draft_panel()
open_problems(wb, working.filename)
downloads()
