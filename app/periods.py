"""The reporting year in the app: keep the working copy as a reporting period, open past periods, and say what
moved since the last report.

Everything goes through :mod:`pprr.year.store`. When the store cannot be used (unreachable, read-only, newer than
this pprr) the functions here say so in a :class:`StoreProblem` and the rest of the app goes on working on the
uploaded workbook alone. Past periods are read with the same parser as an upload, cached by content.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from app import memory
from app import state as _state
from pprr.model import PortfolioWorkbook
from pprr.report.pack import scenario_key
from pprr.rules.status import Rating, Status, rate_measures, settings_for
from pprr.workbook.writer import write_edited_workbook
from pprr.year.movement import Movement, compare
from pprr.year.store import PeriodExists, PeriodInfo, PeriodNotFound, StoreError, open_store
from pprr.year.store.periods import Period

log = logging.getLogger("pprr.app")
_PROBLEM = "periods_store_problem"


@dataclass(frozen=True)
class StoreProblem:
    """Why the store could not be used just now, for the officer."""

    message: str


def _failed(error: StoreError) -> StoreProblem:
    return StoreProblem(f"{error.message} The reporting year cannot be shown or saved just now; everything else "
                        "works on the workbook you have open.")


def kept_periods() -> list[PeriodInfo] | StoreProblem:
    """The periods kept for the open workbook's portfolio and year, in the year's order."""
    p = _state.current().portfolio
    try:
        return [k for k in open_store().periods.list(portfolio=p.portfolio.strip(), year=p.financial_year.strip())
                if k.council == p.council.strip()]
    except StoreError as error:
        return _failed(error)


def edited_workbook_bytes() -> bytes:
    """The working copy as a file: the upload with the officer's edits written in (the file as reported)."""
    w = _state.working()
    return write_edited_workbook(w.source, w.base, list(w.edits))


def save_working_copy(saved_by: str, replace: bool = False) -> PeriodInfo | PeriodExists | StoreProblem | str:
    """Keep the working copy as the period its Portfolio sheet names.

    Returns what was kept, the :class:`PeriodExists` refusal (ask before replacing), a :class:`StoreProblem`, or a
    message when the edited workbook cannot be written.
    """
    w = _state.working()
    try:
        data = edited_workbook_bytes()
    except ValueError as error:
        return str(error)
    try:
        return open_store().periods.save(data, _state.current(), _edited_name(w.filename), saved_by, replace=replace)
    except PeriodExists as exists:
        return exists
    except StoreError as error:
        if error.kind == "unnamed":
            return error.message
        return _failed(error)


def _edited_name(filename: str) -> str:
    return filename if not _state.working().edits else f"{Path(filename).stem}-edited.xlsx"


def fetch(info: PeriodInfo) -> Period | StoreProblem:
    """A kept period with its workbook's bytes."""
    try:
        return open_store().periods.get(info.period, info.portfolio, info.year, council=info.council,
                                        version=info.version)
    except PeriodNotFound as error:
        return StoreProblem(error.message)
    except StoreError as error:
        return _failed(error)


def open_period(info: PeriodInfo) -> PortfolioWorkbook | StoreProblem:
    """A kept period's workbook, read (cached by its content)."""
    kept = fetch(info)
    if isinstance(kept, StoreProblem):
        return kept
    return _state.read(kept.workbook, kept.filename)[1]


@st.cache_data(max_entries=32, show_spinner=False)
def _ratings(sha: str, _wb: PortfolioWorkbook) -> tuple[Rating, ...]:
    return rate_measures(_wb.measures, settings_for(_wb))


memory.when_idle(_ratings.clear)  # shared by sessions: emptied once the last session has gone


def ratings_of(info: PeriodInfo, wb: PortfolioWorkbook) -> tuple[Rating, ...]:
    return _ratings(info.sha256, wb)


def previous_period() -> PeriodInfo | None | StoreProblem:
    """The latest kept period before the open workbook's own (None when there is none)."""
    current = _state.current()
    try:
        return open_store().periods.previous(current)
    except StoreError as error:
        if error.kind == "unnamed":
            return None
        return _failed(error)


def previous_ratings() -> tuple[str, dict[str, Status]] | None:
    """(the previous period's name, its status per measure key ``CODE|COHORT``) for the Measures grid; None when
    no earlier period is kept or the store cannot be read (the grid then shows no previous status)."""
    info = previous_period()
    if not isinstance(info, PeriodInfo):
        return None
    wb = open_period(info)
    if isinstance(wb, StoreProblem) or not wb.ok:
        return None
    return info.period, {scenario_key(m): r.status for m, r in zip(wb.measures, ratings_of(info, wb))}


def since(info: PeriodInfo) -> Movement | StoreProblem:
    """What moved between a kept period and the working copy, in the command line's words."""
    wb = open_period(info)
    if isinstance(wb, StoreProblem):
        return wb
    if not wb.ok:
        return StoreProblem(f"The kept {info.label} can no longer be read: {wb.errors[0]}")
    return compare(wb, _state.current())
