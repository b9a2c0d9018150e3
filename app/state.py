"""The working copy of one officer's workbook, kept in this browser session only.

The uploaded bytes, the edit log and the what-if scenario live in ``st.session_state`` (never in module globals or
``st.cache_resource``, which every session shares). Parsing is cached per file content; the workbook as edited and
its ratings are derived from the log and remembered per revision, so a rerun that changed nothing recomputes
nothing. Every change is saved as a draft (:mod:`pprr.year.store.drafts`) whose token is kept in the page URL, so a refresh or a
server restart reopens the same working copy.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

import pprr
from app import memory
from pprr.model import Measure, PortfolioWorkbook, Problem, Severity
from pprr.report.pack import scenario_key
from pprr.rules.status import Rating, Settings, rate_measures, rerate, settings_for
from pprr.schema import MEASURES, target_header
from pprr.year.edits import Edit, apply_edits, make_edit, net_edits
from pprr.year.store import DraftGone, StaleDraft, StoreError, open_store
from pprr.year.store.drafts import (
    Event,
    edit_event,
    reset_event,
    scenario_clear_event,
    scenario_event,
    undo_event,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "stockport-cfse-2021-22-q3-illustrative.xlsx"
AGREEMENT = ROOT / "sample_data" / "stockport-cfse-2021-22-agreement.xlsx"
MID_YEAR_SAMPLE = ROOT / "sample_data" / "stockport-cfse-2021-22-mid-year-illustrative.xlsx"
ENTRY = "streamlit_app.py"
DRAFT_PARAM = "draft"  # the page URL's query parameter holding the draft token
_ENTRY_RAN = "pprr_entry_ran"
_FIRST_RUN = "pprr_first_run"  # True during a session's first run (a new tab, a refresh, or a reconnect)
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
    # Bumped on every change to the edits, so derived values know when to recompute. It starts at a random number
    # so that grids keyed by it never share a key with a grid an earlier session drew in the same tab: a tab that
    # reconnects after a server restart redraws its grids from what the store holds.
    revision: int = field(default_factory=lambda: secrets.randbelow(1 << 40))
    draft: str | None = None  # token of the saved draft, once there is one
    edit_times: list[float | None] = field(default_factory=list)  # when each edit was made (None: before reopening)
    downloaded: tuple[int, int] | None = None  # (revision, net edits) of the last edited workbook downloaded


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


memory.when_idle(_parse.clear)  # shared by sessions: emptied once the last session has gone


def read(data: bytes, filename: str) -> tuple[str, PortfolioWorkbook]:
    """The content hash and the workbook. The reader reports problems rather than raising; should it raise all the
    same, the officer gets a plain problem, never a traceback."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        return sha, _parse(sha, filename, data)
    except Exception:  # noqa: BLE001 - the last guard between a file and the page
        return sha, PortfolioWorkbook(problems=(Problem(Severity.ERROR, "File", None, None, UNREADABLE),))


_SETTLED = False  # process-wide, not user data: whether the long-lived objects are out of the collector's way
# Libraries the pages load on their first run and keep for the server's life (openpyxl alone is 175 modules):
# imported before the freeze, so that the collection after every run does not walk them either.
LONG_LIVED = ("altair", "openpyxl", "pyarrow.pandas_compat", "sqlalchemy.dialects.sqlite", "st_aggrid.collectors",
              "app.import_step", "app.periods", "pprr.workbook.importer", "pprr.workbook.layout_sniff",
              "pprr.workbook.template", "pprr.workbook.writer", "pprr.year.movement")


def settle_memory() -> None:
    """Once per server process: Streamlit collects garbage after every run, walking every object alive. The
    modules loaded by the first run (and :data:`LONG_LIVED`) live as long as the server, so they are frozen out of
    that walk (objects made later are collected as before); this takes most of the collection's time off every
    rerun."""
    global _SETTLED
    if not _SETTLED:
        import gc
        import importlib

        for name in LONG_LIVED:
            importlib.import_module(name)
        gc.collect()
        gc.freeze()
        _SETTLED = True


PAGE_PARAM = "page"  # the page URL's query parameter naming the page open (a file stem, e.g. "measures")


def open_named_page(paths: tuple[str, ...]) -> None:
    """On a session's first run, open the page its address names (``?page=measures``).

    A tab left open across a server restart reconnects to a new session, and its next rerun does not carry its
    page: Streamlit would run the default page and drop the edit the tab just sent. Pointing the run at the page
    named in the address keeps the page, and the edit, as they were.
    """
    if not st.session_state.get(_FIRST_RUN):
        return
    named = st.query_params.get(PAGE_PARAM)
    if named in {Path(path).stem for path in paths}:
        run_page(named)


def run_page(name: str) -> bool:
    """Make this run, already started, run the page ``name`` (its file's stem): called before ``st.navigation``.
    A menu click opens its page in the run the click starts, not in a second run after it. Whether it could."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    from streamlit.util import calc_hash

    ctx = get_script_run_ctx()
    try:
        ctx.pages_manager.set_script_intent(calc_hash(name), name)
    except AttributeError:  # another Streamlit version (or no runtime): the caller falls back
        log.info("could not open the page %s in this run", name)
        return False
    return True


def remember_page(path: str) -> None:
    """Keep the page open in the address, for :func:`open_named_page`."""
    if st.query_params.get(PAGE_PARAM) != Path(path).stem:
        st.query_params[PAGE_PARAM] = Path(path).stem


_KEPT = "pprr_kept_"  # a filter's value, kept while its widget is not drawn


def put_back(key: str, default, allowed=None) -> None:
    """Before the widget ``key`` is drawn: give it back the value last chosen in it. Streamlit forgets a widget's
    value after a run that did not draw it (another page was open, or the box holding it was closed). A list
    value keeps only the choices still in ``allowed`` (another workbook may have other priorities)."""
    if key in st.session_state:
        return
    value = st.session_state.get(_KEPT + key, default)
    if allowed is not None and isinstance(value, list):
        value = [v for v in value if v in allowed]
    st.session_state[key] = value


def chosen(key: str, default):
    """The value last chosen in the widget ``key``, drawn in this run or not (see :func:`put_back`)."""
    if key in st.session_state:
        st.session_state[_KEPT + key] = st.session_state[key]
    return st.session_state.get(_KEPT + key, default)


def start() -> Working:
    """Called by the entry script on every run, before the page: the working copy, its draft token in the URL."""
    memory.start()
    st.session_state[_FIRST_RUN] = _WORKING not in st.session_state
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
        for key in (_SAVED, _UNSAVED, _STALE, _HELD):
            st.session_state.pop(key, None)
        _save_draft()
    return wb


# --- saved drafts ---------------------------------------------------------------------------------------------
#
# The store keeps each draft as an append-only log. What this tab last had acknowledged is kept beside the working
# copy (``_SAVED``); every save sends the difference as log entries, naming the version it extends. Until a save is
# acknowledged the sidebar says the changes are not saved, and why.

_SAVED = "pprr_draft_saved"  # (version, edits, scenario) the store acknowledged for this tab's draft
_UNSAVED = "pprr_draft_unsaved"  # why the latest changes are not in the store, while they are not
_STALE = "pprr_draft_stale"  # set when another window changed the draft: the tab is offered a reload
_HELD = "pprr_draft_held"  # a draft token that could not be opened because the store failed (kept in the URL)
log = logging.getLogger("pprr.app")


def _store():
    return open_store()


def _store_failed(error: StoreError) -> None:
    st.session_state[_UNSAVED] = (f"{error.message} Your changes are kept in this browser tab only; download the "
                                  "edited workbook from the Report page to keep them.")


def _drafts(action):
    """Run ``action(drafts)``; when the store fails, say what failed and carry on with the session copy."""
    try:
        return action(_store().drafts)
    except StoreError as error:
        _store_failed(error)
        return None


def _acknowledged(version: int, edits, scenario) -> None:
    st.session_state[_SAVED] = (version, list(edits), dict(scenario))
    st.session_state.pop(_UNSAVED, None)
    st.session_state.pop(_STALE, None)


def _reopen_draft(token: str | None) -> bool:
    if not token:
        return False
    try:
        draft = _store().drafts.load(token)
    except StoreError as error:
        # The draft may well be intact: say what failed, keep the token in the address, never call it expired.
        st.session_state[_HELD] = token
        st.session_state[_NOTICE] = (f"{error.message} The draft in this address could not be opened just now, so "
                                     "the illustrative sample is open instead; reload the page once the store is "
                                     "back to reopen the draft.")
        return False
    if draft is None or not _install(draft.source, draft.filename, draft=token).ok:
        st.query_params.pop(DRAFT_PARAM, None)
        st.session_state[_NOTICE] = ("The saved draft in this address has expired or was discarded, so the "
                                    "illustrative sample is open instead.")
        return False
    st.session_state.pop(_HELD, None)
    w = st.session_state[_WORKING]
    w.edits.extend(draft.edits)
    w.edit_times.extend([None] * len(draft.edits))
    w.scenario.update(draft.scenario)
    _acknowledged(draft.version, w.edits, w.scenario)
    if draft.edits or draft.scenario:
        when = draft.updated.strftime("%H:%M:%S UTC")
        st.session_state[_NOTICE] = (f"Reopened your draft as last saved at {when}: what you see is what is saved. "
                                     "If you changed something after that (for example while the server was "
                                     "restarting), enter it again.")
    return True


def _events_since(saved_edits: list[Edit], saved_scenario: dict[str, str], w: Working) -> list[Event]:
    """The log entries that turn what the store holds for this tab into the working copy."""
    events: list[Event] = []
    edits = w.edits
    if not edits and saved_edits:
        events.append(reset_event())
    elif edits[:len(saved_edits)] == saved_edits:
        events += [edit_event(e) for e in edits[len(saved_edits):]]
    else:
        common = 0
        while common < min(len(edits), len(saved_edits)) and edits[common] == saved_edits[common]:
            common += 1
        rest = iter(saved_edits[common:])
        if all(any(e == r for r in rest) for e in edits[common:]):  # only removals (undo, put a cell back)
            kept = list(edits[common:])
            for e in saved_edits[common:]:
                if kept and kept[0] == e:
                    kept.pop(0)
                else:
                    events.append(undo_event(e))
        else:
            events += [undo_event(e) for e in reversed(saved_edits[common:])]
            events += [edit_event(e) for e in edits[common:]]
    if not w.scenario and saved_scenario:
        events.append(scenario_clear_event())
    else:
        for key in saved_scenario.keys() - w.scenario.keys():
            events.append(scenario_event(key, ""))
        for key, text in w.scenario.items():
            if saved_scenario.get(key) != text:
                events.append(scenario_event(key, text))
    return events


def _save_draft() -> None:
    """Send the working copy's changes to its draft (created on first save), its token kept in the page URL."""
    w = working()
    if st.session_state.get(_HELD):
        st.session_state[_UNSAVED] = ("The store could not be reached when this page opened, so these changes are "
                                      "not saved. Download the edited workbook from the Report page to keep them.")
        return
    if not w.draft:
        w.draft = _drafts(lambda store: store.create(w.source, w.filename))
        if not w.draft:
            return
        st.query_params[DRAFT_PARAM] = w.draft
        _acknowledged(0, [], {})
    version, saved_edits, saved_scenario = st.session_state.get(_SAVED) or (0, [], {})
    events = _events_since(saved_edits, saved_scenario, w)
    if not events:
        return
    try:
        saved = _store().drafts.append(w.draft, version, events)
    except StaleDraft as stale:
        log.info("draft save refused: %s", stale.reason)
        st.session_state[_STALE] = True
        st.session_state[_UNSAVED] = stale.message + " Your latest change is not saved."
        return
    except StoreError as error:  # DraftGone says its own sentence; locked, read-only, full, missing say theirs
        _store_failed(error)
        if isinstance(error, DraftGone):
            st.session_state[_UNSAVED] = error.message
        return
    if saved.merged:
        _reload_from_store()
        st.session_state[_NOTICE] = "Changes made to this draft in another window were brought in."
    else:
        _acknowledged(saved.version, w.edits, w.scenario)


def _reload_from_store() -> bool:
    """Replace the tab's edits and scenario with what the draft holds; False when it could not be read."""
    w = working()
    draft = _drafts(lambda store: store.load(w.draft)) if w.draft else None
    if draft is None:
        return False
    w.edits[:] = list(draft.edits)
    w.scenario.clear()
    w.scenario.update(draft.scenario)
    w.revision += 1
    _acknowledged(draft.version, w.edits, w.scenario)
    return True


def reload_draft() -> None:
    """Show the draft as the store holds it (after another window changed it); unsaved changes here are dropped."""
    w = working()
    mine = [e for e in net_edits(w.edits) if e not in net_edits((st.session_state.get(_SAVED) or (0, []))[1])]
    if _reload_from_store() and mine:
        listed = "; ".join(f"{e.label} {e.field}: {e.new}" for e in mine[:5])
        st.session_state[_NOTICE] = f"Reloaded the draft. Not saved from this window, enter again if needed: {listed}"


def draft_status() -> tuple[bool, str | None]:
    """(whether everything on screen is in the store, why not when it is not)."""
    why = st.session_state.get(_UNSAVED)
    return why is None, why


def draft_stale() -> bool:
    """True when another window changed this draft and this tab should reload it."""
    return bool(st.session_state.get(_STALE))


def discard_draft() -> None:
    """Delete the saved draft and start again from the illustrative sample."""
    w = working()
    if w.draft:
        _drafts(lambda store: store.discard(w.draft))
    st.query_params.pop(DRAFT_PARAM, None)
    for key in (_SAVED, _UNSAVED, _STALE, _HELD):
        st.session_state.pop(key, None)
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
    w = working()
    w.edits.extend(edits)
    w.edit_times.extend([time.time()] * len(edits))
    _changed()


def _times() -> list[float | None]:
    """One time per edit (a working copy from before times were kept gets None for each)."""
    w = working()
    if len(w.edit_times) != len(w.edits):
        w.edit_times[:] = [None] * len(w.edits)
    return w.edit_times


def undo() -> Edit | None:
    """Take back the latest edit."""
    w = working()
    if not w.edits:
        return None
    _times().pop()
    last = w.edits.pop()
    _changed()
    return last


def undo_cell(cell: tuple[str, int, str]) -> int:
    """Put one changed cell (``Edit.cell``) back to its value before any edit; how many edits that took back."""
    w = working()
    times = _times()
    keep = [(e, t) for e, t in zip(w.edits, times) if e.cell != cell]
    removed = len(w.edits) - len(keep)
    if removed:
        w.edits[:] = [e for e, _ in keep]
        w.edit_times[:] = [t for _, t in keep]
        _changed()
    return removed


def reset() -> int:
    """Take back every edit; how many cells were put back."""
    count = unsaved_count()
    working().edits.clear()
    working().edit_times.clear()
    _changed()
    return count


def changes() -> list[Edit]:
    """One entry per changed cell, from its original value to its latest."""
    return net_edits(working().edits)


def unsaved_count() -> int:
    """Cells changed from the workbook as uploaded (the name is kept for callers; see :func:`edits_state`)."""
    return len(changes())


@dataclass(frozen=True)
class Change:
    """One changed cell as the change log shows it."""

    edit: Edit  # from the original value to the latest
    when: float | None  # time of its latest edit
    name: str  # the measure's name, the service or the priority's title


def change_log() -> list[Change]:
    """The changed cells, most recently changed first."""
    w = working()
    times = _times()
    latest: dict[tuple[str, int, str], float | None] = {}
    order: dict[tuple[str, int, str], int] = {}
    for i, (e, t) in enumerate(zip(w.edits, times)):
        latest[e.cell] = t
        order[e.cell] = i
    wb = current()
    names = {MEASURES.name: {m.row: m.name for m in wb.measures},
             "Budget": {b.row: b.division for b in wb.budget},
             "Priorities": {p.row: p.title for p in wb.priorities}}
    found = [Change(e, latest.get(e.cell), names.get(e.sheet, {}).get(e.row, "")) for e in changes()]
    return sorted(found, key=lambda c: order.get(c.edit.cell, 0), reverse=True)


# --- one vocabulary for where the edits are ------------------------------------------------------------------

NO_EDITS = "No edits yet"
SAVED = "saved in your draft"
NOT_SAVED = "not saved: kept in this browser tab only"
NOT_DOWNLOADED = "not yet in a downloaded workbook"
DOWNLOADED = "all in the workbook you downloaded"
CHANGED_SINCE_DOWNLOAD = "changed since your last download"


def edits_state() -> tuple[str, str]:
    """(headline, where they are) for the edits, in the same words on every page and in the sidebar:
    ``("3 edits", "saved in your draft · not yet in a downloaded workbook")``."""
    w = working()
    count = unsaved_count()
    if not count:
        return NO_EDITS, ""
    kept = SAVED if w.draft and draft_status()[0] else NOT_SAVED
    if w.downloaded is None:
        where = NOT_DOWNLOADED
    elif w.downloaded[0] == w.revision:
        where = DOWNLOADED
    else:
        where = CHANGED_SINCE_DOWNLOAD
    return f"{count} edit{'' if count == 1 else 's'}", f"{kept} · {where}"


def mark_downloaded() -> None:
    """The officer downloaded the edited workbook as it stands now."""
    w = working()
    w.downloaded = (w.revision, unsaved_count())


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


def discard_scenario() -> int:
    """Drop the scenario; how many scenario targets it had."""
    count = len(working().scenario)
    working().scenario.clear()
    _save_draft()
    return count
