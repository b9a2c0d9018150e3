"""Saved drafts: an officer's working copy, kept so edits survive a browser refresh and a server restart.

A draft holds the uploaded workbook's bytes, its file name, the edits made so far (the change log, in order) and
the what-if scenario (measure key -> target text). It lives in an embedded SQLite database and is found only by
its token, an unguessable ``secrets.token_urlsafe(24)`` that the app keeps in the page URL: without the token a
draft cannot be reached, and two tokens never share data.

The database is ``$PPRR_DRAFTS_DB`` when set, else ``~/.pprr/drafts.sqlite3`` (its folder is created readable by
the server's user only). Drafts untouched for ``max_age_days`` (default 14) are deleted whenever a store is opened
and are never returned. Edits and scenario are stored as JSON, never pickled. Every call opens its own connection
(WAL mode, busy timeout), so one store may be shared by the server's threads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from pathlib import Path

from .edits import Edit

ENV_VAR = "PPRR_DRAFTS_DB"
DEFAULT_PATH = Path("~/.pprr/drafts.sqlite3")
DEFAULT_MAX_AGE_DAYS = 14
BUSY_TIMEOUT_S = 10.0
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")  # what secrets.token_urlsafe(24) gives

_SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    token TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    source BLOB NOT NULL,
    edits TEXT NOT NULL,
    scenario TEXT NOT NULL,
    updated REAL NOT NULL
)
"""


@dataclasses.dataclass(frozen=True)
class Draft:
    source: bytes
    filename: str
    edits: tuple[Edit, ...]
    scenario: dict[str, str]
    updated: dt.datetime  # UTC


def default_path() -> Path:
    """Where drafts are kept: ``$PPRR_DRAFTS_DB``, else ``~/.pprr/drafts.sqlite3``."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH).expanduser()


class DraftStore:
    """Drafts in one SQLite file. ``clock`` gives seconds since the epoch (injectable for tests)."""

    def __init__(
        self,
        path: str | os.PathLike | None = None,
        max_age_days: float = DEFAULT_MAX_AGE_DAYS,
        clock: Callable[[], float] = time.time,
    ):
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.max_age_s = max_age_days * 86_400
        self._clock = clock
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self._connect() as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute(_SCHEMA)
        self.expire()

    def create(self, source_bytes: bytes, filename: str) -> str:
        """A new draft of an uploaded workbook, with no edits yet; returns its token."""
        token = secrets.token_urlsafe(24)
        with self._connect() as con:
            con.execute(
                "INSERT INTO drafts (token, filename, source, edits, scenario, updated) VALUES (?, ?, ?, ?, ?, ?)",
                (token, filename, bytes(source_bytes), "[]", "{}", self._clock()),
            )
        return token

    def save(self, token: str, edits: Iterable[Edit], scenario: Mapping[str, str] | None = None) -> bool:
        """Replace a draft's edits and scenario; False when the token is unknown or expired."""
        if not _TOKEN.match(token or ""):
            return False
        edits_json = json.dumps([dataclasses.asdict(e) for e in edits], ensure_ascii=False)
        scenario_json = json.dumps(dict(scenario or {}), ensure_ascii=False)
        with self._connect() as con:
            cursor = con.execute(
                "UPDATE drafts SET edits = ?, scenario = ?, updated = ? WHERE token = ? AND updated >= ?",
                (edits_json, scenario_json, self._clock(), token, self._oldest()),
            )
        return cursor.rowcount == 1

    def load(self, token: str) -> Draft | None:
        """The draft saved under ``token``, or None when there is none (unknown, discarded or expired)."""
        if not _TOKEN.match(token or ""):
            return None
        with self._connect() as con:
            row = con.execute(
                "SELECT source, filename, edits, scenario, updated FROM drafts WHERE token = ? AND updated >= ?",
                (token, self._oldest()),
            ).fetchone()
        if row is None:
            return None
        source, filename, edits, scenario, updated = row
        return Draft(
            source=bytes(source),
            filename=filename,
            edits=tuple(Edit(**e) for e in json.loads(edits)),
            scenario=json.loads(scenario),
            updated=dt.datetime.fromtimestamp(updated, dt.UTC),
        )

    def discard(self, token: str) -> None:
        """Delete a draft (nothing happens for an unknown token)."""
        with self._connect() as con:
            con.execute("DELETE FROM drafts WHERE token = ?", (token,))

    def expire(self) -> int:
        """Delete every draft untouched for longer than the store's maximum age; returns how many went."""
        with self._connect() as con:
            return con.execute("DELETE FROM drafts WHERE updated < ?", (self._oldest(),)).rowcount

    def _oldest(self) -> float:
        return self._clock() - self.max_age_s

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One connection per call: committed on success, rolled back on error, always closed."""
        with closing(sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)) as con, con:
            yield con
