"""Sessions past Streamlit's hold on closed tabs are shut down, so their uploads, downloads and state are let go.

Run against Streamlit's own session manager and session store (a time-limited cache), with stand-in sessions that
record their shutdown; the server-level figures are measured by ``python -m bench.load``.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.memory_session_storage import MemorySessionStorage
from streamlit.runtime.session_manager import ActiveSessionInfo, SessionInfo
from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

from app import memory

ROOT = Path(__file__).resolve().parents[1]
HOLD = 0.2  # seconds a closed tab's session is kept (Streamlit's disconnectedSessionTTL, 120 s by default)


class Session:
    """Stands in for an AppSession: an id, and whether it was shut down."""

    def __init__(self, session_id: str):
        self.id = session_id
        self.shutdowns = 0

    def shutdown(self) -> None:
        self.shutdowns += 1


@pytest.fixture
def runtime():
    storage = MemorySessionStorage(ttl_seconds=HOLD)
    manager = WebsocketSessionManager(storage, uploaded_file_manager=None, script_cache=None,
                                      message_enqueued_callback=None)
    cache = memory._store_of(SimpleNamespace(_session_mgr=manager))
    assert cache is not None, "Streamlit's store of closed sessions is no longer where the sweep looks for it"
    memory._gone.clear()
    memory._watch(cache)
    media = MediaFileManager(MemoryMediaFileStorage("/media"))
    yield SimpleNamespace(_session_mgr=manager, storage=storage, media_file_mgr=media)
    memory._gone.clear()


def closed_tab(runtime, session_id: str) -> Session:
    session = Session(session_id)
    runtime.storage.save(SessionInfo(client=None, session=session))
    return session


def test_a_session_past_the_hold_is_shut_down(runtime):
    session = closed_tab(runtime, "a")
    assert memory.sweep(runtime) == 0 and session.shutdowns == 0  # still within the hold: it may reconnect
    time.sleep(HOLD * 1.5)
    assert memory.sweep(runtime) == 1
    assert session.shutdowns == 1
    assert runtime.storage.list() == []


def test_a_session_the_store_dropped_on_its_own_is_shut_down_at_the_next_sweep(runtime):
    old = closed_tab(runtime, "old")
    time.sleep(HOLD * 1.5)
    new = closed_tab(runtime, "new")  # saving reaps the expired entry without shutting it down
    assert runtime.storage.get("old") is None and old.shutdowns == 0
    assert memory.sweep(runtime) == 1
    assert (old.shutdowns, new.shutdowns) == (1, 0)


def test_a_session_that_reconnected_is_not_shut_down(runtime):
    session = closed_tab(runtime, "back")
    # What Streamlit does when the tab comes back: the session is active again and leaves the store.
    runtime._session_mgr._active_session_info_by_id["back"] = ActiveSessionInfo(client=object(), session=session)
    runtime.storage.delete("back")
    time.sleep(HOLD * 1.5)
    assert memory.sweep(runtime) == 0
    assert session.shutdowns == 0


def test_a_session_is_shut_down_once(runtime):
    session = closed_tab(runtime, "twice")
    time.sleep(HOLD * 1.5)
    memory.sweep(runtime)
    memory.sweep(runtime)
    assert session.shutdowns == 1


def test_downloads_no_session_shows_are_deleted_within_two_sweeps(runtime):
    media = runtime.media_file_mgr
    url = media.add(b"a committee pack", "application/pdf", "download_pack", "pack.pdf", is_for_static_download=True)
    file_id = url.rsplit("/", 1)[1].split(".")[0]
    memory.sweep(runtime)
    assert media.read_file(file_id) is not None  # still shown by its session
    media.clear_session_refs()  # what a session's shutdown does (outside a script run the session is "dontcare")
    memory.sweep(runtime)  # marked
    memory.sweep(runtime)  # deleted
    assert media.read_file(file_id) is None


def test_shared_caches_are_emptied_once_the_last_session_has_gone(monkeypatch):
    released, trimmed = [], []
    monkeypatch.setattr(memory, "_releases", [])
    monkeypatch.setattr(memory, "give_back", lambda: trimmed.append(1))
    memory.when_idle(lambda: released.append(1))
    memory.after_sweep(closed=1, before=3, now=2)  # sessions left: the caches stay, memory is handed back
    assert (released, trimmed) == ([], [1])
    memory.after_sweep(closed=0, before=2, now=0)  # the last two tabs were closed for good
    assert (released, trimmed) == ([1], [1, 1])
    memory.after_sweep(closed=0, before=0, now=0)  # idle already: nothing more to do
    assert (released, trimmed) == ([1], [1, 1])


def test_the_parse_cache_is_one_of_them():
    from app import periods, state

    assert state._parse.clear in memory._releases and periods._ratings.clear in memory._releases


@pytest.mark.parametrize(("environ", "glibc", "told"), [
    ({}, True, True),  # glibc's default: up to 8 heaps per core
    ({"MALLOC_ARENA_MAX": "2"}, True, False),
    ({"MALLOC_ARENA_MAX": ""}, True, True),  # set but empty: glibc ignores it
    ({}, False, False),  # musl or macOS: no glibc arenas to limit
])
def test_the_operator_is_told_when_the_server_runs_without_an_arena_limit(environ, glibc, told):
    note = memory.arena_note(environ, glibc)
    assert (note is not None) == told
    if told:
        assert f"MALLOC_ARENA_MAX={memory.ARENA_LIMIT}" in note and "make run" in note


def arena_limit_under_make(env: dict[str, str]) -> str:
    """MALLOC_ARENA_MAX as a recipe of the project's Makefile sees it, started with ``env``."""
    shown = subprocess.run(["make", "-s", "--no-print-directory", "-f", "Makefile", "--eval",
                            "arena-limit: ; @echo $$MALLOC_ARENA_MAX", "arena-limit"],
                           cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return shown.stdout.strip()


def test_make_starts_every_server_with_the_arena_limit():
    """glibc reads MALLOC_ARENA_MAX only when a process starts, so it comes from the Makefile's environment: the
    app server of `make run` and every server the tests and benchmarks start inherit it."""
    env = {k: v for k, v in os.environ.items() if k not in {"MALLOC_ARENA_MAX", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}
    assert arena_limit_under_make(env) == memory.ARENA_LIMIT
    assert arena_limit_under_make({**env, "MALLOC_ARENA_MAX": "4"}) == "4"  # an operator's own setting is kept
