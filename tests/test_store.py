"""The store on SQLite and on a real PostgreSQL: reporting periods, drafts as a versioned log, failures by name."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import stat
import threading

import pytest
import sqlalchemy as sa

from pprr.year.edits import Edit
from pprr.year.store import (
    LATEST,
    DraftGone,
    PeriodExists,
    PeriodNotFound,
    StaleDraft,
    StoreError,
    StoreFull,
    StoreLocked,
    StoreReadOnly,
    StoreTooNew,
    StoreUnreachable,
    open_store,
)
from pprr.year.store.db import Database, default_url, draft_events, drafts, schema_versions
from pprr.year.store.drafts import (
    DraftStore,
    edit_event,
    replay,
    reset_event,
    scenario_clear_event,
    scenario_event,
    undo_event,
)
from pprr.year.store.periods import PeriodStore

DAY = 86_400.0
E1 = Edit("Measures", 5, "2021/22 Actual", "", "9.1% (258)", "CFSE.1")
E2 = Edit("Measures", 5, "Commentary", "", "=HYPERLINK(\"x\") — ŵ 📈\nline two", "CFSE.1")
E3 = Edit("Budget", 3, "Forecast Outturn", "5891", "6,100", "Social Worker Teams")
E1_AGAIN = Edit("Measures", 5, "2021/22 Actual", "9.1% (258)", "9.3%", "CFSE.1")


class Clock:
    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(store_url) -> Database:
    database = Database(store_url)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def draft_store(db, clock) -> DraftStore:
    return DraftStore(db, clock=clock)


@pytest.fixture
def period_store(db, clock) -> PeriodStore:
    return PeriodStore(db, clock=clock)


def _as_period(wb, period: str, **portfolio):
    return dataclasses.replace(wb, portfolio=dataclasses.replace(wb.portfolio, reporting_period=period,
                                                                  **portfolio))


# --- reporting periods -----------------------------------------------------------------------------------------


def test_a_saved_period_keeps_the_workbook_who_and_when_and_its_headline(period_store, q3, q3_bytes, clock):
    info = period_store.save(q3_bytes, q3, "q3.xlsx", "A. Officer")
    got = period_store.get("Q3 Update", q3.portfolio.portfolio, "2021/22")
    assert got.workbook == q3_bytes and got.saved_by == "A. Officer" and got.saved_at == clock.now
    assert (got.period, got.year, got.version, got.measures) == ("Q3 Update", "2021/22", 1, len(q3.measures))
    assert got.net_budget == pytest.approx(44511.3) and got.forecast == pytest.approx(44836.3)
    assert info.id == got.id


def test_saving_a_kept_period_again_needs_replace_and_keeps_the_replaced_version(period_store, q3, q3_bytes, clock):
    period_store.save(q3_bytes, q3, "q3.xlsx", "First")
    with pytest.raises(PeriodExists, match=r"Q3 Update 2021/22 is already kept \(saved by First"):
        period_store.save(b"other bytes", q3, "q3b.xlsx", "Second")
    clock.now += 60
    period_store.save(b"other bytes", q3, "q3b.xlsx", "Second", replace=True)
    assert period_store.get("Q3 Update", q3.portfolio.portfolio, "2021/22").workbook == b"other bytes"
    assert period_store.get("q3 update", q3.portfolio.portfolio, "2021/22", version=1).workbook == q3_bytes
    listed = period_store.list()
    assert [(p.period, p.version, p.saved_by) for p in listed] == [("Q3 Update", 2, "Second")]
    assert [p.version for p in period_store.list(all_versions=True)] == [1, 2]


def test_periods_list_in_the_years_order_and_the_previous_one_is_found(period_store, q3, q3_bytes):
    for name in ("Q3 Update", "Agreement", "Mid-Year"):
        period_store.save(q3_bytes, _as_period(q3, name), f"{name}.xlsx", "Officer")
    period_store.save(q3_bytes, _as_period(q3, "Q1", financial_year="2022/23"), "next.xlsx", "Officer")
    assert [(p.year, p.period) for p in period_store.list()] == [
        ("2021/22", "Agreement"), ("2021/22", "Mid-Year"), ("2021/22", "Q3 Update"), ("2022/23", "Q1")]
    assert period_store.previous(q3).period == "Mid-Year"
    assert period_store.previous(_as_period(q3, "Agreement")) is None
    with pytest.raises(PeriodNotFound, match="No reporting period 'Annual'"):
        period_store.get("Annual", q3.portfolio.portfolio, "2021/22")


def test_two_portfolios_of_one_council_share_the_store(period_store, q3, q3_bytes):
    period_store.save(q3_bytes, q3, "a.xlsx", "A")
    period_store.save(q3_bytes, _as_period(q3, "Q3 Update", portfolio="Adult Social Care"), "b.xlsx", "B")
    assert sorted(p.portfolio for p in period_store.list()) == ["Adult Social Care", q3.portfolio.portfolio]
    assert [p.saved_by for p in period_store.list(portfolio="Adult Social Care")] == ["B"]


def test_concurrent_saves_of_one_period_let_exactly_one_in(store_url, q3, q3_bytes):
    # Eight "servers", each with its own engine on the same database, save the same new period at once.
    stores = [PeriodStore(Database(store_url)) for _ in range(8)]
    barrier = threading.Barrier(len(stores))
    outcomes: list[str] = []

    def save(n: int) -> None:
        barrier.wait()
        try:
            stores[n].save(q3_bytes, q3, f"{n}.xlsx", f"officer {n}")
            outcomes.append("saved")
        except PeriodExists:
            outcomes.append("told")

    threads = [threading.Thread(target=save, args=(n,)) for n in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["saved"] + ["told"] * 7
    assert [p.version for p in stores[0].list(all_versions=True)] == [1]
    for s in stores:
        s.db.dispose()


def test_concurrent_replacements_each_keep_their_own_version_or_are_told(store_url, q3, q3_bytes):
    first = PeriodStore(Database(store_url))
    first.save(q3_bytes, q3, "0.xlsx", "officer 0")
    stores = [PeriodStore(Database(store_url)) for _ in range(6)]
    barrier = threading.Barrier(len(stores))
    outcomes: list[str] = []

    def replace(n: int) -> None:
        barrier.wait()
        try:
            stores[n].save(f"book {n}".encode(), q3, f"{n}.xlsx", f"officer {n}", replace=True)
            outcomes.append("saved")
        except PeriodExists:
            outcomes.append("told")

    threads = [threading.Thread(target=replace, args=(n,)) for n in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    versions = first.list(all_versions=True)
    assert [p.version for p in versions] == list(range(1, 2 + outcomes.count("saved")))
    assert outcomes.count("saved") >= 1
    # Every kept version is whole: its bytes are the ones its saver sent.
    for p in versions[1:]:
        n = p.saved_by.split()[-1]
        assert first.get("Q3 Update", q3.portfolio.portfolio, "2021/22", version=p.version).workbook == \
            f"book {n}".encode()


# --- drafts ----------------------------------------------------------------------------------------------------


def test_a_draft_round_trips_bytes_name_edits_in_order_and_scenario(draft_store):
    token = draft_store.create(b"PK\x03\x04 workbook bytes", "cfse q3.xlsx")
    saved = draft_store.append(token, 0, [edit_event(E1), edit_event(E2), edit_event(E3),
                                          scenario_event("CFSE.1|", "9.0%")])
    assert (saved.version, saved.merged) == (4, False)
    draft = draft_store.load(token)
    assert (draft.source, draft.filename, draft.edits, draft.scenario, draft.version) == (
        b"PK\x03\x04 workbook bytes", "cfse q3.xlsx", (E1, E2, E3), {"CFSE.1|": "9.0%"}, 4)


def test_the_log_replays_undo_reset_and_scenario_changes():
    events = [edit_event(E1), edit_event(E2), undo_event(E2), edit_event(E3), scenario_event("A", "1"),
              scenario_event("B", "2"), scenario_event("A", ""), reset_event(), edit_event(E1_AGAIN)]
    assert replay(events) == ([E1_AGAIN], {"B": "2"})
    assert replay([scenario_event("A", "1"), scenario_clear_event()]) == ([], {})


def test_a_reopened_store_still_has_the_draft(store_url, clock):
    token = DraftStore(Database(store_url), clock=clock).create(b"bytes", "a.xlsx")
    DraftStore(Database(store_url), clock=clock).append(token, 0, [edit_event(E1)])
    assert DraftStore(Database(store_url), clock=clock).load(token).edits == (E1,)


def test_a_stale_save_touching_the_same_cell_is_refused_and_nothing_is_lost(draft_store):
    token = draft_store.create(b"x", "a.xlsx")
    draft_store.append(token, 0, [edit_event(E1)])  # window A, acknowledged as version 1
    with pytest.raises(StaleDraft, match="changed in another window: reload to see both") as refused:
        draft_store.append(token, 0, [edit_event(E1_AGAIN)])  # window B still on version 0, same cell
    assert refused.value.version == 1
    assert draft_store.load(token).edits == (E1,)


def test_a_stale_save_touching_other_cells_is_merged(draft_store):
    token = draft_store.create(b"x", "a.xlsx")
    draft_store.append(token, 0, [edit_event(E1)])
    saved = draft_store.append(token, 0, [edit_event(E3)])
    assert (saved.version, saved.merged) == (2, True)
    assert draft_store.load(token).edits == (E1, E3)


def test_a_stale_reset_or_undo_of_a_cell_changed_elsewhere_is_refused(draft_store):
    token = draft_store.create(b"x", "a.xlsx")
    draft_store.append(token, 0, [edit_event(E1)])
    draft_store.append(token, 1, [edit_event(E3)])
    with pytest.raises(StaleDraft):
        draft_store.append(token, 1, [reset_event()])
    with pytest.raises(StaleDraft):
        draft_store.append(token, 1, [undo_event(E3)])
    assert draft_store.append(token, 1, [undo_event(E1)]).merged
    assert draft_store.load(token).edits == (E3,)


def test_many_threads_saving_to_one_draft_never_lose_an_acknowledged_edit(store_url):
    stores = [DraftStore(Database(store_url)) for _ in range(6)]
    token = stores[0].create(b"x", "a.xlsx")
    acknowledged: list[Edit] = []
    lock = threading.Lock()

    def window(n: int) -> None:
        version = 0
        for k in range(8):
            e = Edit("Measures", 10 + n, "Commentary", "", f"{n}-{k}", f"M{n}")
            for _attempt in range(50):
                try:
                    version = stores[n].append(token, version, [edit_event(e)]).version
                    with lock:
                        acknowledged.append(e)
                    break
                except StaleDraft as stale:
                    version = stale.version  # reload, then save again
                except StoreLocked:
                    pass

    threads = [threading.Thread(target=window, args=(n,)) for n in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    kept = stores[0].load(token)
    assert len(acknowledged) == 48 and sorted(kept.edits, key=str) == sorted(acknowledged, key=str)
    assert kept.version == 48


@pytest.mark.parametrize("token", ["", "nope", "' OR '1'='1", "x" * 32, "%", "A" * 1000])
def test_an_unknown_token_finds_nothing_and_saves_nothing(draft_store, token):
    draft_store.create(b"someone else's", "a.xlsx")
    assert draft_store.load(token) is None
    with pytest.raises(DraftGone):
        draft_store.append(token, 0, [edit_event(E1)])


def test_tokens_are_unguessable_and_never_see_each_others_data(draft_store):
    first, second = draft_store.create(b"first", "one.xlsx"), draft_store.create(b"second", "two.xlsx")
    draft_store.append(first, 0, [edit_event(E1)])
    draft_store.append(second, 0, [edit_event(E2)])
    assert first != second and len(first) == len(second) == 32
    assert (draft_store.load(first).source, draft_store.load(first).edits) == (b"first", (E1,))
    assert (draft_store.load(second).source, draft_store.load(second).edits) == (b"second", (E2,))


def test_a_discarded_draft_is_gone_and_a_save_to_it_says_so(draft_store):
    kept, gone = draft_store.create(b"kept", "a.xlsx"), draft_store.create(b"gone", "b.xlsx")
    draft_store.discard(gone)
    assert draft_store.load(gone) is None
    with pytest.raises(DraftGone, match="no longer kept"):
        draft_store.append(gone, 0, [edit_event(E1)])
    assert draft_store.load(kept).source == b"kept"


def test_drafts_expire_after_the_maximum_age_since_their_last_save(db, clock):
    store = DraftStore(db, max_age_days=14, clock=clock)
    old, fresh = store.create(b"old", "a.xlsx"), store.create(b"fresh", "b.xlsx")
    store.append(old, 0, [edit_event(E1)])
    clock.now += 10 * DAY
    store.append(fresh, 0, [edit_event(E1)])  # saving renews the draft
    clock.now += 5 * DAY
    assert store.load(old) is None
    with pytest.raises(DraftGone):
        store.append(old, 1, [edit_event(E2)])
    assert store.load(fresh).edits == (E1,)
    assert store.expire() == 1
    with db.reading() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(drafts)).scalar() == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(draft_events)).scalar() == 1


def test_expiry_goes_through_the_index_on_the_last_change(db):
    with db.reading() as conn:
        indexes = sa.inspect(conn).get_indexes("drafts")
    assert any(ix["column_names"] == ["updated"] for ix in indexes)
    if db.dialect == "sqlite":
        with db.reading() as conn:
            plan = " ".join(str(r) for r in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN DELETE FROM drafts WHERE updated < 5").all())
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan


def test_edits_are_stored_as_json_not_pickled(db, draft_store):
    draft_store.append(draft_store.create(b"x", "a.xlsx"), 0, [edit_event(E1)])
    with db.reading() as conn:
        stored = conn.execute(sa.select(draft_events.c.payload)).scalar_one()
    assert stored.startswith('{"sheet": "Measures", "row": 5, "field": "2021/22 Actual"')


# --- where the store is, its files, its schema -----------------------------------------------------------------


def test_the_address_comes_from_the_environment_or_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("PPRR_DATABASE_URL", "postgresql://u@h/db")
    assert default_url() == "postgresql://u@h/db"
    monkeypatch.delenv("PPRR_DATABASE_URL")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_url() == f"sqlite:///{tmp_path}/.pprr/pprr.sqlite3"


def test_the_sqlite_file_is_owner_only_in_an_owner_only_folder_and_in_wal_mode(tmp_path):
    path = tmp_path / "new" / "pprr.sqlite3"
    open_store(f"sqlite:///{path}").drafts.create(b"x", "a.xlsx")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for extra in path.parent.iterdir():
        assert stat.S_IMODE(extra.stat().st_mode) & 0o077 == 0, extra
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_an_older_store_opens_after_an_upgrade_with_its_data(store_url, q3, q3_bytes):
    old = Database(store_url, migrate_to=1)  # a store made before drafts moved in
    PeriodStore(old).save(q3_bytes, q3, "q3.xlsx", "Before")
    assert old.version() == 1
    with old.reading() as conn:
        assert not sa.inspect(conn).has_table("drafts")
    old.dispose()
    upgraded = Database(store_url)
    assert upgraded.version() == LATEST
    assert [p.saved_by for p in PeriodStore(upgraded).list()] == ["Before"]
    assert DraftStore(upgraded).load(DraftStore(upgraded).create(b"x", "a.xlsx")).source == b"x"
    upgraded.dispose()


def test_a_store_newer_than_the_code_is_refused_with_a_clear_message(db, store_url):
    with db.writing() as conn:
        conn.execute(schema_versions.insert().values(version=LATEST + 1, applied_at=0.0))
    with pytest.raises(StoreTooNew, match=f"newer version of pprr \\(schema {LATEST + 1}; this pprr knows {LATEST}\\)"):
        Database(store_url)


# --- failures, each by its own name ----------------------------------------------------------------------------


def test_a_deleted_sqlite_file_is_reported_missing_never_recreated_empty(tmp_path):
    path = tmp_path / "pprr.sqlite3"
    store = DraftStore(Database(f"sqlite:///{path}"))
    token = store.create(b"x", "a.xlsx")
    for f in tmp_path.glob("pprr.sqlite3*"):
        f.unlink()
    with pytest.raises(StoreUnreachable, match="cannot be reached"):
        store.load(token)
    with pytest.raises(StoreUnreachable):
        store.append(token, 0, [edit_event(E1)])
    assert not path.exists()


def test_a_read_only_sqlite_store_can_be_read_but_a_save_says_read_only(tmp_path):
    path = tmp_path / "pprr.sqlite3"
    writable = DraftStore(Database(f"sqlite:///{path}"))
    token = writable.create(b"x", "a.xlsx")
    writable.append(token, 0, [edit_event(E1)])
    read_only = DraftStore(Database(f"sqlite:///{path}?mode=ro"))
    assert read_only.load(token).edits == (E1,)  # reads never write
    with pytest.raises(StoreReadOnly, match="read-only") as failure:
        read_only.append(token, 1, [edit_event(E2)])
    assert "readonly" in failure.value.reason
    assert writable.load(token).edits == (E1,)


def test_a_locked_sqlite_store_says_locked_within_the_busy_timeout(tmp_path):
    path = tmp_path / "pprr.sqlite3"
    store = DraftStore(Database(f"sqlite:///{path}"))
    token = store.create(b"x", "a.xlsx")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreLocked, match="busy"):
            store.append(token, 0, [edit_event(E1)])
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert store.append(token, 0, [edit_event(E1)]).version == 1


def test_a_full_sqlite_store_says_full_and_keeps_what_it_had(tmp_path):
    path = tmp_path / "pprr.sqlite3"
    db = Database(f"sqlite:///{path}")
    store = DraftStore(db)
    token = store.create(b"x", "a.xlsx")
    store.append(token, 0, [edit_event(E1)])
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]

    @sa.event.listens_for(db.engine, "connect")
    def _cap(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    big = Edit("Measures", 5, "Commentary", "", "x" * 200_000, "CFSE.1")
    with pytest.raises(StoreFull, match="full"):
        store.append(token, 1, [edit_event(big)])
    assert store.load(token).edits == (E1,)


def test_a_stopped_postgresql_server_is_unreachable_and_loses_nothing_once_back(tmp_path):
    from postgres import PostgresServer

    server = PostgresServer().start()
    try:
        url = server.create_database("pprr")
        store = DraftStore(Database(url))
        token = store.create(b"x", "a.xlsx")
        store.append(token, 0, [edit_event(E1)])
        server.stop()
        with pytest.raises(StoreUnreachable, match="cannot be reached"):
            store.append(token, 1, [edit_event(E2)])
        with pytest.raises(StoreUnreachable):
            store.load(token)
        server.start()
        assert store.append(token, 1, [edit_event(E2)]).version == 2
        assert store.load(token).edits == (E1, E2)
    finally:
        server.destroy()


def test_a_read_only_postgresql_database_is_read_but_a_save_says_read_only(postgres_server):
    url = postgres_server.create_database(f"ro_{os.getpid()}")
    store = DraftStore(Database(url))
    token = store.create(b"x", "a.xlsx")
    postgres_server.sql(f"ALTER DATABASE ro_{os.getpid()} SET default_transaction_read_only = on")
    read_only = DraftStore(Database(url))
    read_only.db.engine.dispose()
    assert read_only.load(token).source == b"x"
    with pytest.raises(StoreReadOnly):
        read_only.append(token, 0, [edit_event(E1)])


def test_a_locked_postgresql_row_says_locked(postgres_server):
    import psycopg

    url = postgres_server.create_database(f"lock_{os.getpid()}")
    store = DraftStore(Database(url))
    token = store.create(b"x", "a.xlsx")
    with psycopg.connect(f"host=127.0.0.1 port={postgres_server.port} user=pprr dbname=lock_{os.getpid()}") as c:
        c.execute("LOCK TABLE drafts IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(StoreLocked, match="busy"):
            store.append(token, 0, [edit_event(E1)])
    assert store.append(token, 0, [edit_event(E1)]).version == 1


def test_every_failure_kind_has_its_own_officer_sentence():
    kinds = [StoreUnreachable, StoreReadOnly, StoreLocked, StoreFull, StoreTooNew, DraftGone]
    sentences = {k("reason").message for k in kinds}
    assert len(sentences) == len(kinds)
    assert all("expired" not in s for s in sentences if s != DraftGone("r").message)
    assert all(isinstance(k("r"), StoreError) for k in kinds)
