"""Report: the committee pack (PDF, and the same pack as one accessible HTML page), the edited workbook and a CSV of
measure statuses."""

import dataclasses
import io
import time
from pathlib import Path

import streamlit as st

from app import periods as _periods
from app import state as _state
from pprr.report.html_pack import build_html
from pprr.report.pack import SECTIONS, TITLES, PackOptions, build_pack
from pprr.report.tables import comparator_status_rows, status_columns, write_csv
from pprr.workbook.writer import write_edited_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PDF = "report_pdf"  # (what it was built from, PDF bytes, HTML text)
# Each update of the progress bar is a message to the browser and a redraw of the page there, which on a busy
# machine costs as much as the build: a new step's words show at once, a step's advance at most this often (s).
PROGRESS_EVERY = 0.25


def options_chosen(has_scenario: bool) -> PackOptions:
    wb = _state.current()
    titles = {p.number: f"{p.number}. {p.title}" for p in wb.priorities}
    sections = st.multiselect("Sections", SECTIONS, default=SECTIONS, format_func=TITLES.get, key="report_sections")
    priorities = st.multiselect("Priorities", list(titles), default=list(titles), format_func=titles.get,
                                key="report_priorities")
    exceptions_only = st.checkbox("Exceptions only: the Red measures, each set out once under Exceptions, instead "
                                  "of every measure", key="report_exceptions_only")
    previous = previous_report()
    with_scenario = st.checkbox("Include the what-if scenario (every page is marked SCENARIO)",
                                key="report_scenario", disabled=not has_scenario,
                                help=None if has_scenario else "There is no what-if scenario to include.")
    return PackOptions(
        sections=tuple(sections),
        priorities=tuple(priorities),
        exceptions_only=exceptions_only,
        scenario_targets=dict(_state.working().scenario) if with_scenario and has_scenario else None,
        previous=previous,
    )


def previous_report():
    """The kept period the pack says "since the last report" against: the latest one before the open workbook's
    own by default, any kept one on request, or none. The store being unavailable leaves the choice at none."""
    kept = _periods.kept_periods()
    if isinstance(kept, _periods.StoreProblem):
        st.caption(f"Since the last report: {kept.message}")
        return None
    own = _state.current().portfolio.reporting_period.strip().casefold()
    choices = [k for k in kept if k.period.casefold() != own]
    if not choices:
        st.caption("No earlier reporting period of this year is kept, so the pack says nothing of what moved "
                   "since the last report. Keep each report on the Reporting year page.")
        return None
    latest = _periods.previous_period()
    labels = {k.label: k for k in choices}
    default = next((i + 1 for i, k in enumerate(choices) if k == latest), 0)
    chosen = st.selectbox("Since the last report: compare with", ["None", *labels], index=default,
                          key="report_previous",
                          help="The pack's summary, exceptions and finance say what moved since this report.")
    if chosen == "None":
        return None
    wb = _periods.open_period(labels[chosen])
    if isinstance(wb, _periods.StoreProblem) or not wb.ok:
        st.warning(f"The kept {chosen} could not be read, so the pack leaves out what moved since it.")
        return None
    return wb


def progress_bar():
    """A progress bar and the function that moves it: (fraction, words) -> None, drawn when the words change and
    otherwise at most every PROGRESS_EVERY seconds."""
    bar = st.progress(0.0, text="Starting")
    shown = {"text": "Starting", "at": time.monotonic()}

    def move(fraction: float, text: str) -> None:
        now = time.monotonic()
        if text != shown["text"] or now - shown["at"] >= PROGRESS_EVERY:
            bar.progress(fraction, text=text)
            shown.update(text=text, at=now)

    return bar, move


def build(options: PackOptions, built_from: tuple) -> None:
    """Both packs from the same choices: the PDF (most of the time) then the HTML page, with progress shown."""
    bar, move = progress_bar()
    try:
        wb = _state.current()
        pdf = build_pack(wb, options, progress=lambda fraction, text: move(
            0.85 * fraction, "PDF written" if fraction >= 1 else text))
        move(0.9, "Writing the HTML pack")
        html = build_html(wb, options).encode("utf-8")
    except ValueError as exc:
        bar.empty()
        st.error(f"The pack could not be built: {exc}")
        return
    bar.empty()
    st.session_state[_PDF] = (built_from, pdf, html)


def pack() -> None:
    st.header("Committee pack")
    st.caption("The PDF is the pack to circulate; the HTML page says the same in a form every reader can use "
               "(screen readers, zoom, reflow), to publish beside it.")
    working = _state.working()
    options = options_chosen(bool(working.scenario))
    # What the pack was built from: the previous report by its name (a workbook's repr is large and slow).
    built_from = (working.sha, working.revision, repr(dataclasses.replace(options, previous=None)),
                  st.session_state.get("report_previous") if options.previous is not None else None)
    if st.button("Build the pack", key="build_pack", type="primary"):
        build(options, built_from)
    ready = st.session_state.get(_PDF)
    if ready and ready[0] == built_from:
        stem = Path(working.filename).stem
        left, right = st.columns(2)
        left.download_button("Download the PDF pack", ready[1], f"{stem}-pack.pdf", "application/pdf",
                             key="download_pack", on_click="ignore")
        right.download_button("Download the accessible HTML pack", ready[2], f"{stem}-pack.html", "text/html",
                              key="download_pack_html", on_click="ignore")
    elif ready:
        st.caption("The choices or the figures have changed since the pack was built: build it again.")


def statuses_csv() -> bytes:
    buffer = io.StringIO()
    wb = _state.current()
    write_csv(comparator_status_rows(wb, _state.ratings()), buffer, status_columns(wb))
    return buffer.getvalue().encode("utf-8-sig")


_EDITED = "report_edited_workbook"  # ((sha, revision), bytes or the reason it could not be written)


def edited_workbook() -> bytes | str:
    """The edited workbook, written once per revision of the edits; a message when it cannot be written."""
    working = _state.working()
    key = (working.sha, working.revision)
    memo = st.session_state.get(_EDITED)
    if memo is None or memo[0] != key:
        try:
            result: bytes | str = write_edited_workbook(working.source, working.base, list(working.edits))
        except ValueError as exc:
            result = f"The edited workbook could not be written: {exc}."
        memo = (key, result)
        st.session_state[_EDITED] = memo
    return memo[1]


def downloads() -> None:
    st.header("Edited workbook and statuses")
    working = _state.working()
    headline, where = _state.edits_state()
    st.caption(f"{headline}{': ' + where if where else ''}. The edited workbook is the file you uploaded with your "
               "edits written in; every other cell stays as it was. The what-if scenario is not included unless you "
               "adopted it.")
    stem = Path(working.filename).stem
    left, right = st.columns(2)
    edited = edited_workbook()
    if isinstance(edited, str):
        left.error(edited)
    else:
        left.download_button("Download the edited workbook", edited, f"{stem}-edited.xlsx", XLSX,
                             key="download_workbook", on_click=_state.mark_downloaded, type="primary")
    right.download_button("Download measure statuses (CSV)", statuses_csv(), f"{stem}-statuses.csv", "text/csv",
                          key="download_statuses", on_click="ignore")


st.title("Report")
pack()
downloads()
