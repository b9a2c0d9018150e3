"""The working copy of one officer's workbook, kept in this browser session only.

The uploaded bytes, the edit log and the what-if scenario live in ``st.session_state`` (never in module globals or
``st.cache_resource``, which every session shares). Parsing is cached per file content; the workbook as edited and
its ratings are derived from the log and remembered per revision, so a rerun that changed nothing recomputes
nothing. Every change is saved as a draft (:mod:`pprr.year.drafts`) whose token is kept in the page URL, so a refresh or a
server restart reopens the same working copy.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

import pprr
from pprr.model import Measure, PortfolioWorkbook, Problem, Severity
from pprr.report.pack import scenario_key
from pprr.rules.status import Rating, Settings, rate_measures, rerate, settings_for
from pprr.schema import MEASURES, target_header
from pprr.year.drafts import DraftStore
from pprr.year.edits import Edit, apply_edits, make_edit, net_edits

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "stockport-cfse-2021-22-q3-illustrative.xlsx"
AGREEMENT = ROOT / "sample_data" / "stockport-cfse-2021-22-agreement.xlsx"
MID_YEAR_SAMPLE = ROOT / "sample_data" / "stockport-cfse-2021-22-mid-year-illustrative.xlsx"
ENTRY = "streamlit_app.py"
DRAFT_PARAM = "draft"  # the page URL's query parameter holding the draft token
_ENTRY_RAN = "pprr_entry_ran"
_NOTICE = "pprr_notice"
_WORKING = "pprr_working"
_DERIVED = "pprr_derived"
UNREADABLE = ("The file could not be read as a portfolio workbook. Open it in Excel, use Save As 'Excel Workbook "
              "(.xlsx)' and upload it again.")


@dataclass
class Working:
    """What this session has open: the file as uploaded, the officer's edits and the what-if scenario."""

    source: bytes
    filename: str
    sha: str
    base: PortfolioWorkbook
    edits: list[Edit] = field(default_factory=list)
    scenario: dict[str, str] = field(default_factory=dict)  # measure key "CODE|COHORT" -> scenario target text
    revision: int = 0  # bumped on every change to the edits, so derived values know when to recompute
    draft: str | None = None  # token of the saved draft, once there is one


@dataclass(frozen=True)
class Derived:
    key: tuple[str, int]
    current: PortfolioWorkbook
    settings: Settings
    ratings: tuple[Rating, ...]


@st.cache_data(show_spinner="Reading the workbook…", max_entries=16)
def _parse(sha: str, filename: str, _data: bytes) -> PortfolioWorkbook:
    """The workbook read from ``_data``; cached by content hash (the bytes themselves are not hashed again)."""
    return pprr.load_workbook(_data, filename)


def read(data: bytes, filename: str) -> tuple[str, PortfolioWorkbook]:
    """The content hash and the workbook. The reader reports problems rather than raising; should it raise all the
    same, the officer gets a plain problem, never a traceback."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        return sha, _parse(sha, filename, data)
    except Exception:  # noqa: BLE001 - the last guard between a file and the page
        return sha, PortfolioWorkbook(problems=(Problem(Severity.ERROR, "File", None, None, UNREADABLE),))


def start() -> Working:
    """Called by the entry script on every run, before the page: the working copy, its draft token in the URL."""
    st.session_state[_ENTRY_RAN] = True
    w = working()
    if w.draft and st.query_params.get(DRAFT_PARAM) != w.draft:
        st.query_params[DRAFT_PARAM] = w.draft
    return w


def working() -> Working:
    """The session's working copy: the draft named in the URL, else the illustrative Q3 sample.

    Until some session has run the entry script (and so ``st.navigation``), Streamlit serves a page's address by
    running its file in ``pages/`` on its own, without the app's settings and navigation: such a run is sent
    to the entry script first.
    """
    if not st.session_state.get(_ENTRY_RAN):
        st.switch_page(ENTRY, query_params=st.query_params.to_dict())  # keeps the draft token
    if _WORKING not in st.session_state and not _reopen_draft(st.query_params.get(DRAFT_PARAM)):
        _install(SAMPLE.read_bytes(), SAMPLE.name)
    return st.session_state[_WORKING]


def _install(data: bytes, filename: str, draft: str | None = None) -> PortfolioWorkbook:
    sha, wb = read(data, filename)
    if wb.ok:
        st.session_state[_WORKING] = Working(source=data, filename=filename, sha=sha, base=wb, draft=draft)
        st.session_state.pop(_DERIVED, None)
    return wb


def open_workbook(data: bytes, filename: str) -> PortfolioWorkbook:
    """Read ``data``; when it has no errors it replaces the working copy and its draft (edits start empty)."""
    previous = st.session_state.get(_WORKING)
    wb = _install(data, filename)
    if wb.ok:
        if previous is not None and previous.draft:
            _drafts(lambda store: store.discard(previous.draft))
        st.query_params.pop(DRAFT_PARAM, None)
        _save_draft()
    return wb


# --- saved drafts ---------------------------------------------------------------------------------------------


def _drafts(action):
    """Run ``action(store)``; when the drafts database fails, say so and carry on with the session copy."""
    try:
        return action(DraftStore())
    except (sqlite3.Error, OSError):
        st.session_state[_NOTICE] = ("Your edits could not be saved as a draft just now. They are kept in this "
                                    "browser tab; download the edited workbook from the Report page to keep them.")
        return None


def _reopen_draft(token: str | None) -> bool:
    if not token:
        return False
    draft = _drafts(lambda store: store.load(token))
    if draft is None or not _install(draft.source, draft.filename, draft=token).ok:
        st.query_params.pop(DRAFT_PARAM, None)
        st.session_state[_NOTICE] = ("The saved draft in this address has expired or was discarded, so the "
                                    "illustrative sample is open instead.")
        return False
    w = st.session_state[_WORKING]
    w.edits.extend(draft.edits)
    w.scenario.update(draft.scenario)
    return True


def _save_draft() -> None:
    """Save the working copy as a draft (created on first save), its token kept in the page URL."""
    w = working()
    if not w.draft:
        w.draft = _drafts(lambda store: store.create(w.source, w.filename))
        if not w.draft:
            return
        st.query_params[DRAFT_PARAM] = w.draft
    _drafts(lambda store: store.save(w.draft, w.edits, w.scenario))


def discard_draft() -> None:
    """Delete the saved draft and start again from the illustrative sample."""
    w = working()
    if w.draft:
        _drafts(lambda store: store.discard(w.draft))
    st.query_params.pop(DRAFT_PARAM, None)
    _install(SAMPLE.read_bytes(), SAMPLE.name)


def notice() -> str | None:
    """A message about drafts for the officer, shown once."""
    return st.session_state.pop(_NOTICE, None)


def derived() -> Derived:
    w = working()
    key = (w.sha, w.revision)
    memo: Derived | None = st.session_state.get(_DERIVED)
    if memo is None or memo.key != key:
        current = apply_edits(w.base, w.edits)
        settings = settings_for(current)
        if memo is not None and memo.key[0] == w.sha and memo.settings == settings:
            # Only the measures an edit rebuilt are rated again: the work follows the change, not the workbook.
            ratings = rerate(memo.current, memo.ratings, current, settings)
        else:
            ratings = rate_measures(current.measures, settings)
        memo = Derived(key, current, settings, ratings)
        st.session_state[_DERIVED] = memo
    return memo


def current() -> PortfolioWorkbook:
    """The workbook as it stands with the officer's edits."""
    return derived().current


def ratings() -> tuple[Rating, ...]:
    """One rating per measure of :func:`current`, in the same order."""
    return derived().ratings


def settings() -> Settings:
    return derived().settings


# --- the edit log ---------------------------------------------------------------------------------------------


def edit(sheet: str, row: int, field_name: str, text: str) -> Edit | None:
    """Record one cell edit; None when the text is what the cell already holds.

    Raises :class:`pprr.rules.values.UnreadableValue` (a message for the officer) when the value cannot be read.
    """
    made = make_edit(current(), sheet, row, field_name, text)
    if made.new == made.old:
        return None
    _append([made])
    return made


def _changed() -> None:
    working().revision += 1
    _save_draft()


def _append(edits: list[Edit]) -> None:
    working().edits.extend(edits)
    _changed()


def undo() -> Edit | None:
    w = working()
    if not w.edits:
        return None
    last = w.edits.pop()
    _changed()
    return last


def reset() -> None:
    working().edits.clear()
    _changed()


def changes() -> list[Edit]:
    """One entry per changed cell, from its original value to its latest."""
    return net_edits(working().edits)


def unsaved_count() -> int:
    return len(changes())


# --- the what-if scenario -------------------------------------------------------------------------------------


def target_field(wb: PortfolioWorkbook) -> str:
    return target_header(wb.portfolio.financial_year.strip())


def _scenario_edits(wb: PortfolioWorkbook, scenario: dict[str, str]) -> list[Edit]:
    by_key = {scenario_key(m): m for m in wb.measures}
    field_name = target_field(wb)
    return [make_edit(wb, MEASURES.name, by_key[key].row, field_name, text)
            for key, text in scenario.items() if key in by_key]


def set_scenario_target(measure: Measure, text: str) -> None:
    """Put a scenario target on a measure (blank text removes it). Raises UnreadableValue for an unreadable one."""
    scenario = working().scenario
    key = scenario_key(measure)
    if not text.strip() or text.strip() == measure.target.raw:
        scenario.pop(key, None)
    else:
        _scenario_edits(current(), {key: text})
        scenario[key] = text.strip()
    _save_draft()


def scenario_workbook() -> PortfolioWorkbook:
    """The current workbook with the scenario's targets in place of the official ones (never written out)."""
    wb = current()
    return apply_edits(wb, _scenario_edits(wb, working().scenario))


def adopt_scenario() -> int:
    """Turn the scenario's targets into edits in the log; returns how many targets changed."""
    made = [e for e in _scenario_edits(current(), working().scenario) if e.new != e.old]
    working().scenario.clear()
    _append(made)
    return len(made)


def discard_scenario() -> None:
    working().scenario.clear()
    _save_draft()
