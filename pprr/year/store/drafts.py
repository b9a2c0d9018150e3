"""Saved drafts: an officer's working copy, kept so that no acknowledged edit is lost.

A draft holds the uploaded workbook's bytes and file name and an append-only log of what was done to it: cell
edits, undos, resets and what-if targets, in order. The working copy is the log replayed. The draft's version is
the number of its last log entry; every save names the version it extends. When another window (or another app
server) has saved meanwhile, the save is merged if the two touch different cells, and otherwise refused with
:class:`StaleDraft`, so two windows never silently overwrite each other.

A draft is found only by its token, an unguessable ``secrets.token_urlsafe(24)`` kept in the page address. Reading
a draft never writes. Drafts untouched for ``max_age_days`` (default 14) are never returned, and are deleted now and
then through the index on their last-change time, never by a scan in every request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy import exc

from ..edits import Edit
from .db import Database, StoreError, draft_events, drafts

DEFAULT_MAX_AGE_DAYS = 14
EXPIRE_EVERY_S = 3600.0  # how often (at most) one process deletes expired drafts
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")  # what secrets.token_urlsafe(24) gives

EDIT, UNDO, RESET, SCENARIO, SCENARIO_CLEAR = "edit", "undo", "reset", "scenario", "scenario-clear"


class DraftGone(StoreError):
    kind = "gone"
    message = ("This draft is no longer kept: it was discarded in another window or has expired. Your changes "
               "since are still in this window; download the edited workbook from the Report page to keep them.")


class StaleDraft(StoreError):
    kind = "stale"
    message = "This draft was changed in another window: reload to see both."

    def __init__(self, reason: str, version: int):
        super().__init__(reason)
        self.version = version


@dataclasses.dataclass(frozen=True)
class Event:
    """One entry of a draft's log."""

    kind: str
    payload: dict

    @property
    def touches(self) -> frozenset:
        """What the entry changes: cells, scenario keys, or everything of one kind."""
        if self.kind in (EDIT, UNDO):
            e = _edit(self.payload)
            return frozenset({("cell", *e.cell)})
        if self.kind == RESET:
            return frozenset({("cell", "*")})
        if self.kind == SCENARIO:
            return frozenset({("scenario", self.payload["key"])})
        return frozenset({("scenario", "*")})


def edit_event(e: Edit) -> Event:
    return Event(EDIT, dataclasses.asdict(e))


def undo_event(e: Edit) -> Event:
    return Event(UNDO, dataclasses.asdict(e))


def reset_event() -> Event:
    return Event(RESET, {})


def scenario_event(key: str, text: str) -> Event:
    """Set a what-if target for measure ``key`` (blank text removes it)."""
    return Event(SCENARIO, {"key": key, "text": text})


def scenario_clear_event() -> Event:
    return Event(SCENARIO_CLEAR, {})


def _edit(payload: dict) -> Edit:
    return Edit(**payload)


def replay(events: Iterable[Event]) -> tuple[list[Edit], dict[str, str]]:
    """The edit list and the what-if scenario that a log amounts to."""
    edits: list[Edit] = []
    scenario: dict[str, str] = {}
    for event in events:
        if event.kind == EDIT:
            edits.append(_edit(event.payload))
        elif event.kind == UNDO:
            undone = _edit(event.payload)
            for i in range(len(edits) - 1, -1, -1):
                if edits[i] == undone:
                    del edits[i]
                    break
        elif event.kind == RESET:
            edits.clear()
        elif event.kind == SCENARIO:
            if event.payload["text"]:
                scenario[event.payload["key"]] = event.payload["text"]
            else:
                scenario.pop(event.payload["key"], None)
        elif event.kind == SCENARIO_CLEAR:
            scenario.clear()
    return edits, scenario


def _overlap(a: frozenset, b: frozenset) -> bool:
    for kind, *rest in a:
        for other_kind, *other in b:
            if kind == other_kind and (rest == other or rest == ["*"] or other == ["*"]):
                return True
    return False


@dataclasses.dataclass(frozen=True)
class Draft:
    source: bytes
    filename: str
    version: int
    events: tuple[Event, ...]
    updated: dt.datetime  # UTC

    @property
    def edits(self) -> tuple[Edit, ...]:
        return tuple(replay(self.events)[0])

    @property
    def scenario(self) -> dict[str, str]:
        return replay(self.events)[1]


@dataclasses.dataclass(frozen=True)
class Saved:
    version: int
    merged: bool  # True when other windows' saves were merged in: reload to show them


class DraftStore:
    """The drafts kept in one :class:`Database`. ``clock`` gives seconds since the epoch (injectable for tests)."""

    _expiry_lock: ClassVar[threading.Lock] = threading.Lock()
    _last_expiry: ClassVar[dict[str, float]] = {}  # store address -> when this process last expired drafts

    def __init__(self, db: Database, max_age_days: float = DEFAULT_MAX_AGE_DAYS,
                 clock: Callable[[], float] = time.time):
        self.db = db
        self.max_age_s = max_age_days * 86_400
        self._clock = clock

    def _oldest(self) -> float:
        return self._clock() - self.max_age_s

    def create(self, source_bytes: bytes, filename: str) -> str:
        """A new draft of an uploaded workbook, with an empty log (version 0); returns its token."""
        token = secrets.token_urlsafe(24)
        now = self._clock()
        with self.db.writing() as conn:
            conn.execute(drafts.insert().values(token=token, filename=filename, source=bytes(source_bytes),
                                                version=0, created=now, updated=now))
        self.expire_now_and_then()
        return token

    def load(self, token: str) -> Draft | None:
        """The draft saved under ``token``; None when there is none (unknown, discarded or expired).

        Raises :class:`StoreError` when the store cannot be read: that is never reported as "no draft".
        """
        if not _TOKEN.match(token or ""):
            return None
        with self.db.reading() as conn:
            row = conn.execute(sa.select(drafts.c.source, drafts.c.filename, drafts.c.version, drafts.c.updated)
                               .where(drafts.c.token == token, drafts.c.updated >= self._oldest())).first()
            if row is None:
                return None
            events = conn.execute(sa.select(draft_events.c.kind, draft_events.c.payload)
                                  .where(draft_events.c.token == token, draft_events.c.seq <= row.version)
                                  .order_by(draft_events.c.seq)).all()
        return Draft(source=bytes(row.source), filename=row.filename, version=row.version,
                     events=tuple(Event(kind, json.loads(payload)) for kind, payload in events),
                     updated=dt.datetime.fromtimestamp(row.updated, dt.UTC))

    def append(self, token: str, base_version: int, events: Sequence[Event]) -> Saved:
        """Add ``events`` to the draft's log after ``base_version``; all of them are kept, or none.

        When the draft has moved on since ``base_version``, the events are added after the newer ones if they touch
        different cells (``Saved.merged``), else :class:`StaleDraft` is raised. :class:`DraftGone` when the draft
        is no longer kept.
        """
        if not _TOKEN.match(token or ""):
            raise DraftGone(f"malformed draft token of {len(token or '')} characters")
        now = self._clock()
        payloads = [(e.kind, json.dumps(e.payload, ensure_ascii=False)) for e in events]
        try:
            return self._append(token, base_version, events, payloads, now)
        except exc.IntegrityError:
            raise StaleDraft("another save took the next version first", base_version + 1) from None

    def _append(self, token: str, base_version: int, events: Sequence[Event], payloads: list, now: float) -> Saved:
        with self.db.writing() as conn:
            query = sa.select(drafts.c.version, drafts.c.updated).where(drafts.c.token == token)
            if self.db.dialect == "postgresql":
                query = query.with_for_update()
            row = conn.execute(query).first()
            if row is None or row.updated < self._oldest():
                raise DraftGone("draft not found (discarded, expired or store emptied)")
            merged = False
            if row.version != base_version:
                newer = conn.execute(sa.select(draft_events.c.kind, draft_events.c.payload)
                                     .where(draft_events.c.token == token, draft_events.c.seq > base_version)
                                     .order_by(draft_events.c.seq)).all()
                theirs = frozenset().union(*(Event(k, json.loads(p)).touches for k, p in newer))
                mine = frozenset().union(*(e.touches for e in events))
                if row.version < base_version or _overlap(theirs, mine):
                    raise StaleDraft(f"save on version {base_version}, draft at {row.version}", row.version)
                merged = True
            version = row.version
            if payloads:  # the key (token, seq) lets only one save take each version
                conn.execute(draft_events.insert(), [
                    {"token": token, "seq": version + i, "kind": kind, "payload": payload, "at": now}
                    for i, (kind, payload) in enumerate(payloads, start=1)])
                version += len(payloads)
            moved = conn.execute(drafts.update()
                                 .where(drafts.c.token == token, drafts.c.version == row.version)
                                 .values(version=version, updated=now)).rowcount
            if moved != 1:
                raise StaleDraft(f"draft moved past version {row.version} during the save", row.version)
        return Saved(version, merged)

    def discard(self, token: str) -> None:
        """Delete a draft and its log (nothing happens for an unknown token)."""
        with self.db.writing() as conn:
            conn.execute(draft_events.delete().where(draft_events.c.token == token))
            conn.execute(drafts.delete().where(drafts.c.token == token))

    def expire(self) -> int:
        """Delete every draft untouched for longer than the maximum age, through the index; returns how many."""
        cutoff = self._oldest()
        with self.db.writing() as conn:
            old = sa.select(drafts.c.token).where(drafts.c.updated < cutoff).scalar_subquery()
            conn.execute(draft_events.delete().where(draft_events.c.token.in_(old)))
            return conn.execute(drafts.delete().where(drafts.c.updated < cutoff)).rowcount

    def expire_now_and_then(self) -> None:
        """Expire old drafts at most once an hour per store and process; a failure here never fails a save."""
        now = self._clock()
        with self._expiry_lock:
            if now - self._last_expiry.get(self.db.where, float("-inf")) < EXPIRE_EVERY_S:
                return
            self._last_expiry[self.db.where] = now
        try:
            self.expire()
        except StoreError:
            pass  # logged by the database layer; the next window tries again
