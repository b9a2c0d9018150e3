"""Memory given back once officers' sessions close.

Streamlit keeps a closed tab's session for ``server.disconnectedSessionTTL`` seconds (120 by default) so that a tab
that reconnects finds it. When that time is up, Streamlit's store of disconnected sessions (a time-limited cache)
drops the session without shutting it down: its uploaded files, the bytes behind its download buttons and its
session state stayed in memory for as long as the server ran.

:func:`start` runs one light sweep every :data:`SWEEP_SECONDS`, on the server's own event loop (where Streamlit
handles sessions): sessions past their time are shut down exactly as Streamlit shuts down a session it closes
itself (uploads and downloads released, script thread stopped), and downloads no session shows any more are
deleted. After any session has gone, the collector runs and the C allocator is asked to hand its free pages back
to the operating system (glibc's ``malloc_trim``); without that, memory freed by Python stays in the process.
The server should run with ``MALLOC_ARENA_MAX=2`` (``make run`` sets it; see :func:`arena_note`).

This is process-wide housekeeping and holds no officer's data beyond a session already on its way out. Should a
later Streamlit store sessions differently, the sweep logs once that it cannot run and the app carries on.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger("pprr.app")

SWEEP_SECONDS = 15.0  # how often sessions past their time are looked for
_lock = threading.Lock()
_started = False
_gone: deque[Any] = deque()  # sessions taken out of Streamlit's store since the last sweep (shut down by it)
_releases: list[Callable[[], None]] = []  # what to let go of once no session is left (see when_idle)


def when_idle(release: Callable[[], None]) -> None:
    """Call ``release`` whenever the last session has gone: for caches shared by sessions (parsed workbooks
    keyed by content), which then hold no officer's data once nobody is using the app."""
    if release not in _releases:
        _releases.append(release)


def _release_all() -> None:
    for release in _releases:
        try:
            release()
        except Exception as error:  # noqa: BLE001 - one cache failing to clear must not stop the others
            log.warning("could not release a cache: %s", error)


ARENA_LIMIT = "2"  # glibc malloc arenas the server should run with (MALLOC_ARENA_MAX, set by `make run`)


def _glibc():
    """The C library when it is glibc (which has ``malloc_trim``), else None (musl, macOS)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim.argtypes, libc.malloc_trim.restype = [ctypes.c_size_t], ctypes.c_int
    except (OSError, AttributeError):
        return None
    return libc


_libc = _glibc()
_trim = _libc.malloc_trim if _libc is not None else None


def arena_note(environ: dict[str, str], glibc: bool) -> str | None:
    """What to tell the operator when the server runs on glibc without a limit on its malloc arenas, else None.

    glibc gives each thread that allocates at the same time as another a heap of its own ("arena"), up to 8 per
    core. Every Streamlit script run is a thread, so officers working at once spread their memory over many heaps,
    and the little that outlives their sessions keeps each heap from shrinking (``bench/load.py`` measures it).
    With two arenas the next sessions reuse what the last ones freed. glibc fixes its limit early (by the time the
    app's code runs, the server's own threads have fixed it: ``mallopt`` from here has no effect), so the limit can
    only come from the environment that starts the server.
    """
    if not glibc or environ.get("MALLOC_ARENA_MAX"):
        return None
    return (f"MALLOC_ARENA_MAX is not set: memory freed when sessions close may stay with the server. Start it "
            f"with MALLOC_ARENA_MAX={ARENA_LIMIT} in its environment (make run does).")


def give_back() -> None:
    """Collect garbage, then return the allocator's free pages to the operating system."""
    gc.collect()
    if _trim is not None:
        _trim(0)


def release_upload(uploaded) -> None:
    """Drop an uploaded file from Streamlit's store of uploads once the app has read it.

    Streamlit keeps every file a session uploaded until the session ends, even after the upload box that took it
    is gone: ten refused 19 MB files were 190 MB held. The app keeps what it needs itself (the working copy's
    bytes), so the upload's own copy goes as soon as the file is read, whether it was opened or refused.
    """
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    file_id = getattr(uploaded, "file_id", None)
    if ctx is None or file_id is None or not Runtime.exists():  # no server (a test harness): nothing is stored
        return
    Runtime.instance().uploaded_file_mgr.remove_file(ctx.session_id, file_id)


def _store_of(runtime) -> Any | None:
    """The time-limited cache in which Streamlit keeps disconnected sessions (None if it has none)."""
    cache = getattr(getattr(getattr(runtime, "_session_mgr", None), "_session_storage", None), "_cache", None)
    return cache if callable(getattr(cache, "expire", None)) and hasattr(cache, "_on_remove") else None


def _watch(cache) -> None:
    """Note every session the store lets go of, however it lets go (expiry, eviction, reconnect, close)."""
    previous = cache._on_remove

    def removed(session_id, info) -> None:
        _gone.append(info)
        if previous is not None:
            previous(session_id, info)

    cache._on_remove = removed


def sweep(runtime) -> int:
    """On the event loop: drop the sessions past their time from the store and shut down every session the store
    let go of that has not reconnected. Returns how many sessions were shut down."""
    cache = _store_of(runtime)
    if cache is None:
        return 0
    cache.expire()
    manager = runtime._session_mgr
    closed = 0
    while _gone:
        info = _gone.popleft()
        session = getattr(info, "session", None)
        if session is None or manager.is_active_session(session.id):
            continue  # reconnected: the session lives on under the same id
        session.shutdown()  # does nothing to a session already shut down
        closed += 1
    # A download no session shows any more is marked on one pass and deleted on the next; Streamlit makes a pass
    # after each script run, so the last session's downloads stayed until someone else used the app.
    runtime.media_file_mgr.remove_orphaned_files()
    return closed


def _sessions(runtime) -> int:
    manager = runtime._session_mgr
    cache = _store_of(runtime)
    return len(manager.list_active_sessions()) + (len(cache._data) if cache is not None else 0)


def _run(runtime, loop: asyncio.AbstractEventLoop) -> None:
    seen = _sessions(runtime)
    while not loop.is_closed():
        time.sleep(SWEEP_SECONDS)
        try:
            closed, now = asyncio.run_coroutine_threadsafe(_on_loop(runtime), loop).result(timeout=60)
        except Exception as error:  # noqa: BLE001 - the sweep must outlive any one failure; the operator is told
            if loop.is_closed():
                return
            log.warning("memory sweep skipped: %s", error or type(error).__name__)
            continue
        after_sweep(closed, seen, now)
        seen = now


def after_sweep(closed: int, before: int, now: int) -> None:
    """Once a sweep shut ``closed`` sessions down and the count of sessions went from ``before`` to ``now``: the
    shared caches are emptied when none is left, and freed memory is handed back when any has gone."""
    if now == 0 and (before or closed):
        _release_all()
    if closed or now < before:
        give_back()


async def _on_loop(runtime) -> tuple[int, int]:
    return sweep(runtime), _sessions(runtime)


def start() -> None:
    """Start the sweep once per server process (called on every run; does nothing after the first)."""
    global _started
    from streamlit.runtime import Runtime

    if _started or not Runtime.exists():  # no server (a script run in a test harness): nothing to sweep
        return
    with _lock:
        if _started:
            return
        _started = True
    note = arena_note(dict(os.environ), _libc is not None)
    if note:
        log.warning(note)
    try:
        runtime = Runtime.instance()
        loop = runtime._get_async_objs().eventloop
    except (RuntimeError, AttributeError) as error:
        log.warning("memory sweep not started: %s", error)
        return

    def install() -> None:
        cache = _store_of(runtime)
        if cache is None:
            log.warning("memory sweep not started: this Streamlit keeps disconnected sessions in an unknown store")
            return
        _watch(cache)
        threading.Thread(target=_run, args=(runtime, loop), name="pprr-memory", daemon=True).start()

    loop.call_soon_threadsafe(install)
