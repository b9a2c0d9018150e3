"""Saved drafts: a working copy survives a new store (a server restart), expires, and is reached only by its token."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import pytest

from pprr.year.drafts import DraftStore, default_path
from pprr.year.edits import Edit

DAY = 86_400.0
EDITS = (
    Edit("Measures", 5, "2021/22 Actual", "", "9.1% (258)", "CFSE.1"),
    Edit("Measures", 5, "Commentary", "", "=HYPERLINK(\"x\") — ŵ 📈\nline two", "CFSE.1"),
    Edit("Budget", 3, "Forecast Outturn", "5891", "6,100", "Social Worker Teams"),
)


class Clock:
    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path, clock) -> DraftStore:
    return DraftStore(tmp_path / "drafts.sqlite3", clock=clock)


def test_round_trip_keeps_bytes_name_edits_in_order_and_scenario(store, clock):
    token = store.create(b"PK\x03\x04 workbook bytes", "cfse q3.xlsx")
    assert store.save(token, EDITS, {"CFSE.1": "9.0%"})
    draft = store.load(token)
    assert (draft.source, draft.filename, draft.edits, draft.scenario) == (
        b"PK\x03\x04 workbook bytes", "cfse q3.xlsx", EDITS, {"CFSE.1": "9.0%"})
    assert draft.updated == dt.datetime.fromtimestamp(clock.now, dt.UTC)


def test_a_new_draft_has_no_edits_and_no_scenario(store):
    draft = store.load(store.create(b"x", "a.xlsx"))
    assert (draft.edits, draft.scenario) == ((), {})


def test_a_reopened_store_still_has_the_draft(tmp_path, clock):
    token = DraftStore(tmp_path / "d.sqlite3", clock=clock).create(b"bytes", "a.xlsx")
    DraftStore(tmp_path / "d.sqlite3", clock=clock).save(token, EDITS[:1])
    assert DraftStore(tmp_path / "d.sqlite3", clock=clock).load(token).edits == EDITS[:1]


def test_tokens_are_unguessable_and_never_see_each_others_data(store):
    first, second = store.create(b"first", "one.xlsx"), store.create(b"second", "two.xlsx")
    store.save(first, EDITS[:1], {"A": "1"})
    store.save(second, EDITS[1:], {"B": "2"})
    assert first != second and len(first) == len(second) == 32
    assert (store.load(first).source, store.load(first).edits, store.load(first).scenario) == (
        b"first", EDITS[:1], {"A": "1"})
    assert (store.load(second).source, store.load(second).edits, store.load(second).scenario) == (
        b"second", EDITS[1:], {"B": "2"})


@pytest.mark.parametrize("token", ["", "nope", "' OR '1'='1", "x" * 32, "%", "A" * 1000])
def test_an_unknown_token_finds_nothing_and_saves_nothing(store, token):
    store.create(b"someone else's", "a.xlsx")
    assert store.load(token) is None
    assert store.save(token, EDITS) is False


def test_discard_removes_only_that_draft(store):
    kept, gone = store.create(b"kept", "a.xlsx"), store.create(b"gone", "b.xlsx")
    store.discard(gone)
    assert store.load(gone) is None and store.save(gone, EDITS) is False
    assert store.load(kept).source == b"kept"


def test_drafts_expire_after_the_maximum_age_since_their_last_save(tmp_path, clock):
    store = DraftStore(tmp_path / "d.sqlite3", max_age_days=14, clock=clock)
    old, fresh = store.create(b"old", "a.xlsx"), store.create(b"fresh", "b.xlsx")
    clock.now += 10 * DAY
    store.save(fresh, EDITS)  # saving renews the draft
    clock.now += 5 * DAY
    assert store.load(old) is None and store.save(old, EDITS) is False
    assert store.load(fresh).edits == EDITS
    assert store.expire() == 1


def test_opening_a_store_deletes_expired_drafts(tmp_path, clock):
    path = tmp_path / "d.sqlite3"
    DraftStore(path, max_age_days=1, clock=clock).create(b"old", "a.xlsx")
    clock.now += 2 * DAY
    DraftStore(path, max_age_days=1, clock=clock)
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT COUNT(*) FROM drafts").fetchone() == (0,)


def test_edits_are_stored_as_json_not_pickled(store, tmp_path):
    store.save(store.create(b"x", "a.xlsx"), EDITS[:1])
    with sqlite3.connect(tmp_path / "drafts.sqlite3") as con:
        (stored,) = con.execute("SELECT edits FROM drafts").fetchone()
    assert stored.startswith('[{"sheet": "Measures", "row": 5, "field": "2021/22 Actual"')


def test_the_database_uses_wal_so_readers_do_not_block_a_save(store, tmp_path):
    with sqlite3.connect(tmp_path / "drafts.sqlite3") as con:
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_threads_saving_their_own_drafts_keep_their_own_edits(store):
    tokens = [store.create(f"book {n}".encode(), f"{n}.xlsx") for n in range(8)]

    def work(n: int) -> None:
        for k in range(10):
            store.save(tokens[n], [Edit("Measures", n + 2, "Commentary", "", f"{n}-{k}", f"M{n}")])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [store.load(t).edits[0].new for t in tokens] == [f"{n}-9" for n in range(8)]


def test_the_path_comes_from_the_environment_or_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("PPRR_DRAFTS_DB", str(tmp_path / "x.sqlite3"))
    assert default_path() == tmp_path / "x.sqlite3"
    assert DraftStore().path == tmp_path / "x.sqlite3"
    monkeypatch.delenv("PPRR_DRAFTS_DB")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_path() == tmp_path / ".pprr" / "drafts.sqlite3"
