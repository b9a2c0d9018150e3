"""The database under the store: where it is, its tables, its schema version, and what its failures mean.

One code path serves an SQLite file (the default, ``~/.pprr/pprr.sqlite3``) and a PostgreSQL server shared by
several app servers (``PPRR_DATABASE_URL=postgresql://user@host/db``). The tables are keyed by council, portfolio
and year so that several portfolios of one council, and several officers, can share one store.

The schema is versioned in ``pprr_schema`` (one row per applied migration). Opening an older store applies the
missing migrations in one transaction; a store written by a newer pprr is refused with a message saying so; a
store already at the current version is opened without writing anything, so a read-only store can still be read.

Every database failure is turned into one of a few :class:`StoreError` kinds (unreachable, read-only, locked, full,
newer than the code), each with a sentence an officer can read and a reason an operator can act on.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

log = logging.getLogger("pprr.store")

ENV_VAR = "PPRR_DATABASE_URL"
DEFAULT_PATH = Path("~/.pprr/pprr.sqlite3")
BUSY_TIMEOUT_MS = 3000  # how long a write waits for another writer before the store reports itself locked
PG_CONNECT_TIMEOUT_S = 5

metadata = sa.MetaData()

schema_versions = sa.Table(
    "pprr_schema", metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.Float, nullable=False),
)

councils = sa.Table(
    "councils", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
)

portfolios = sa.Table(
    "portfolios", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("council_id", sa.Integer, sa.ForeignKey("councils.id"), nullable=False),
    sa.Column("name", sa.String(300), nullable=False),
    sa.UniqueConstraint("council_id", "name", name="uq_portfolio"),
)

periods = sa.Table(
    "periods", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("portfolio_id", sa.Integer, sa.ForeignKey("portfolios.id"), nullable=False),
    sa.Column("year", sa.String(16), nullable=False),
    sa.Column("period", sa.String(64), nullable=False),
    # 1 for the first save of a period, then one more for each replacement; every version is kept.
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("filename", sa.String(300), nullable=False),
    sa.Column("workbook", sa.LargeBinary, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("saved_by", sa.String(200), nullable=False),
    sa.Column("saved_at", sa.Float, nullable=False),
    sa.Column("measures", sa.Integer, nullable=False),
    sa.Column("net_budget", sa.Float),
    sa.Column("forecast", sa.Float),
    sa.UniqueConstraint("portfolio_id", "year", "period", "version", name="uq_period_version"),
)

drafts = sa.Table(
    "drafts", metadata,
    sa.Column("token", sa.String(64), primary_key=True),
    sa.Column("filename", sa.String(300), nullable=False),
    sa.Column("source", sa.LargeBinary, nullable=False),
    # The number of the last event in the draft's log: a save names the version it extends.
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False, index=True),
)

draft_events = sa.Table(
    "draft_events", metadata,
    sa.Column("token", sa.String(64), sa.ForeignKey("drafts.token", ondelete="CASCADE"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)

# Migration n creates what version n added. A store at version k < LATEST gets k+1..LATEST applied in order.
MIGRATIONS: dict[int, tuple[sa.Table, ...]] = {
    1: (councils, portfolios, periods),
    2: (drafts, draft_events),
}
LATEST = max(MIGRATIONS)


# --- failures ------------------------------------------------------------------------------------------------


class StoreError(Exception):
    """The store could not do what was asked. ``message`` is for the officer, ``reason`` for the operator."""

    kind = "failed"
    message = "The pprr store could not be used just now."

    def __init__(self, reason: str, message: str | None = None):
        super().__init__(message or self.message)
        self.reason = reason
        if message:
            self.message = message

    def __str__(self) -> str:
        return self.message


class StoreUnreachable(StoreError):
    kind = "unreachable"
    message = "The pprr store cannot be reached (its database is missing or its server is not answering)."


class StoreReadOnly(StoreError):
    kind = "read-only"
    message = "The pprr store is read-only, so nothing can be saved in it."


class StoreLocked(StoreError):
    kind = "locked"
    message = "The pprr store is busy (locked by another program) and did not answer in time."


class StoreFull(StoreError):
    kind = "full"
    message = "The pprr store is full (no space left for its database)."


class StoreTooNew(StoreError):
    kind = "newer"
    message = "The pprr store was written by a newer version of pprr: upgrade pprr to use it."


_PG_STATES = {
    "25006": StoreReadOnly,  # read_only_sql_transaction
    "55P03": StoreLocked,  # lock_not_available (lock_timeout)
    "57014": StoreLocked,  # query_canceled (statement_timeout)
    "40P01": StoreLocked,  # deadlock_detected
    "53100": StoreFull,  # disk_full
    "53200": StoreFull,  # out_of_memory
    "53300": StoreUnreachable,  # too_many_connections
    "3D000": StoreUnreachable,  # invalid_catalog_name: no such database
    "42P01": StoreUnreachable,  # undefined_table: the store's tables are gone
    "57P01": StoreUnreachable,  # admin_shutdown
    "57P02": StoreUnreachable,  # crash_shutdown
    "57P03": StoreUnreachable,  # cannot_connect_now
}
_SQLITE_TEXT = (
    ("readonly database", StoreReadOnly),
    ("read-only", StoreReadOnly),
    ("database is locked", StoreLocked),
    ("database table is locked", StoreLocked),
    ("database or disk is full", StoreFull),
    ("disk i/o error", StoreUnreachable),
    ("unable to open database", StoreUnreachable),
    ("no such table", StoreUnreachable),
    ("file is not a database", StoreUnreachable),
)


def classify(error: BaseException, where: str) -> StoreError:
    """The :class:`StoreError` a driver's failure amounts to, its reason naming the database and the cause."""
    orig = getattr(error, "orig", None) or error
    text = " ".join(str(orig).split())[:300]
    state = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)
    kind: type[StoreError] = StoreUnreachable
    if state:
        kind = _PG_STATES.get(state) or (StoreUnreachable if state.startswith("08") else StoreError)
    elif isinstance(orig, sqlite3.Error) or "sqlite" in type(orig).__module__:
        lowered = text.lower()
        kind = next((k for needle, k in _SQLITE_TEXT if needle in lowered), StoreError)
    elif isinstance(error, exc.OperationalError | exc.InterfaceError):
        kind = StoreUnreachable
    elif isinstance(error, exc.DatabaseError):
        kind = StoreError
    return kind(f"{where}: {text}")


# --- where the store is --------------------------------------------------------------------------------------


def default_url() -> str:
    """``$PPRR_DATABASE_URL``, else the SQLite file ``~/.pprr/pprr.sqlite3``."""
    url = os.environ.get(ENV_VAR, "").strip()
    return url or f"sqlite:///{DEFAULT_PATH.expanduser()}"


def describe(url: sa.URL) -> str:
    """The database's address without its password, for logs and messages."""
    return url.render_as_string(hide_password=True)


def _normalise(url: str | sa.URL) -> sa.URL:
    u = sa.make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    if u.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise StoreUnreachable(f"unsupported database {u.drivername!r}",
                               "PPRR_DATABASE_URL names a database pprr cannot use: give an sqlite:/// file or "
                               "a postgresql:// address.")
    return u


def _sqlite_file(u: sa.URL) -> Path | None:
    if not u.drivername.startswith("sqlite") or not u.database or u.database == ":memory:":
        return None
    return Path(u.database).expanduser()


def _create_owner_only(path: Path) -> None:
    """The database file and its folder, readable by the server's user only (0600 in 0700), in WAL mode so that
    readers never wait for a writer."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
        os.chmod(path.parent, 0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
        os.close(fd)
        con = sqlite3.connect(path)
        try:
            con.execute("PRAGMA journal_mode=WAL")
        finally:
            con.close()


# --- the database ----------------------------------------------------------------------------------------------


class Database:
    """An engine on the store's database, its schema checked (and brought up to date) when opened."""

    def __init__(self, url: str | sa.URL | None = None, *, migrate_to: int = LATEST):
        self.url = _normalise(url or default_url())
        self.where = describe(self.url)
        self.dialect = "sqlite" if self.url.drivername.startswith("sqlite") else "postgresql"
        self.engine = self._engine()
        self._check_schema(migrate_to)

    def _engine(self) -> Engine:
        if self.dialect == "postgresql":
            engine = sa.create_engine(
                self.url, pool_pre_ping=True, pool_size=5, max_overflow=10,
                connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S,
                              "options": f"-c lock_timeout={BUSY_TIMEOUT_MS} -c statement_timeout=30000"},
            )
            return engine
        path = _sqlite_file(self.url)
        if path is not None:
            try:
                _create_owner_only(path)
            except OSError as error:
                raise classify_os(error, self.where) from None
            # The file must already exist: a database deleted under a running server is reported as missing,
            # never silently recreated empty. One connection per use (no pool) so each use sees the file anew.
            target = f"file:{path}?mode=rw"
            if self.url.query.get("mode") == "ro":
                target = f"file:{path}?mode=ro"
            engine = sa.create_engine("sqlite://", poolclass=NullPool,
                                      creator=lambda: sqlite3.connect(target, uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                                                                      check_same_thread=False))
        else:
            engine = sa.create_engine(self.url)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # transactions are begun below, not by the driver
            dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            dbapi_connection.execute("PRAGMA foreign_keys = ON")
            dbapi_connection.execute("PRAGMA synchronous = FULL")  # an acknowledged save survives a crash

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection):
            # A writing transaction takes the write lock at once, so it never fails half-way on a stale snapshot.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("pprr_write") else "BEGIN")

        return engine

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only transaction (never writes, so it works on a read-only store)."""
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except exc.SQLAlchemyError as error:
            raise self._failed(error, "reading") from None
        except OSError as error:
            raise classify_os(error, self.where) from None

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A writing transaction: all of it is committed, or none of it. On SQLite it holds the write lock from
        the start; a unique-key violation is raised as SQLAlchemy's IntegrityError, everything else as a
        :class:`StoreError`."""
        try:
            with self.engine.connect() as conn:
                conn.execution_options(pprr_write=True)
                with conn.begin():
                    yield conn
        except exc.IntegrityError:
            raise  # a unique key said no: the caller knows what that means (another save got in first)
        except exc.SQLAlchemyError as error:
            raise self._failed(error, "writing") from None
        except OSError as error:
            raise classify_os(error, self.where) from None

    def _failed(self, error: exc.SQLAlchemyError, doing: str) -> StoreError:
        failure = classify(error, f"{self.where} ({doing})")
        log.warning("pprr store %s: %s", failure.kind, failure.reason)
        return failure

    def version(self) -> int:
        """The schema version the database is at (0 for an empty database)."""
        with self.reading() as conn:
            if not sa.inspect(conn).has_table(schema_versions.name):
                return 0
            return conn.execute(sa.select(sa.func.max(schema_versions.c.version))).scalar() or 0

    def _check_schema(self, migrate_to: int) -> None:
        found = self.version()
        if found > LATEST:
            failure = StoreTooNew(f"{self.where}: schema version {found}, this pprr knows up to {LATEST}",
                                  f"The pprr store was written by a newer version of pprr (schema {found}; this "
                                  f"pprr knows {LATEST}): upgrade pprr to use it.")
            log.warning("pprr store %s: %s", failure.kind, failure.reason)
            raise failure
        if found >= migrate_to:
            return
        with self.writing() as conn:
            if self.dialect == "postgresql":  # two servers opening one new store migrate it one after the other
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(7720011)"))
            schema_versions.create(conn, checkfirst=True)
            done = conn.execute(sa.select(sa.func.max(schema_versions.c.version))).scalar() or 0
            for number in range(done + 1, migrate_to + 1):
                for table in MIGRATIONS[number]:
                    table.create(conn, checkfirst=True)
                conn.execute(schema_versions.insert().values(version=number, applied_at=time.time()))
                log.info("pprr store %s: schema migrated to version %d", self.where, number)

    def dispose(self) -> None:
        self.engine.dispose()


def classify_os(error: OSError, where: str) -> StoreError:
    import errno

    reason = f"{where}: {error.strerror or error}"
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreReadOnly(reason)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return StoreFull(reason)
    return StoreUnreachable(reason)
