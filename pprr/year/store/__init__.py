"""The store: the reporting periods of a portfolio's year and the officers' saved drafts, in one database.

An SQLite file by default (``~/.pprr/pprr.sqlite3``, created owner-only), or the PostgreSQL database that
``PPRR_DATABASE_URL`` names, shared by several app servers. The app and the command line go through
:func:`open_store`; every failure of the database is a :class:`StoreError` saying what it is.
"""

from __future__ import annotations

import threading

from .db import (
    ENV_VAR,
    LATEST,
    Database,
    StoreError,
    StoreFull,
    StoreLocked,
    StoreReadOnly,
    StoreTooNew,
    StoreUnreachable,
    default_url,
)
from .drafts import DraftGone, DraftStore, StaleDraft
from .periods import PeriodExists, PeriodInfo, PeriodNotFound, PeriodStore, PeriodUnnamed, period_order


class Store:
    """Periods and drafts kept in one database."""

    def __init__(self, db: Database):
        self.db = db
        self.periods = PeriodStore(db)
        self.drafts = DraftStore(db)


_opened: dict[str, Database] = {}
_lock = threading.Lock()


def open_store(url: str | None = None) -> Store:
    """The store at ``url`` (default: ``$PPRR_DATABASE_URL`` or the SQLite file), opened once per process.

    Raises :class:`StoreError` when it cannot be opened: unreachable, read-only and too old to use, or newer than
    this pprr.
    """
    key = url or default_url()
    with _lock:
        db = _opened.get(key)
        if db is None:
            db = Database(key)
            _opened[key] = db
    return Store(db)


def forget_opened() -> None:
    """Close every database this process opened (they are opened again on next use)."""
    with _lock:
        for db in _opened.values():
            db.dispose()
        _opened.clear()


__all__ = [
    "ENV_VAR",
    "LATEST",
    "Database",
    "DraftGone",
    "DraftStore",
    "PeriodExists",
    "PeriodInfo",
    "PeriodNotFound",
    "PeriodStore",
    "PeriodUnnamed",
    "StaleDraft",
    "Store",
    "StoreError",
    "StoreFull",
    "StoreLocked",
    "StoreReadOnly",
    "StoreTooNew",
    "StoreUnreachable",
    "default_url",
    "forget_opened",
    "open_store",
    "period_order",
]
