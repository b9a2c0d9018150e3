"""Reporting periods: each a whole workbook as reported (edits included), kept with who saved it and when.

A period is named by its workbook's Portfolio sheet: council, portfolio, financial year and reporting period
(Agreement, Q1, Mid-Year, Q3 Update, Annual). Saving a period that is already kept is refused unless ``replace``
is given; a replacement becomes the period's next version and every earlier version is kept. Two saves of one
period at the same moment (two sessions, or two app servers on one PostgreSQL) cannot both win: the database's
unique key on (portfolio, year, period, version) lets one in and the other is told.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy import exc

from ...model import PortfolioWorkbook
from ...rules.finance import budget_total
from ...schema import REPORTING_PERIODS
from .db import Database, StoreError, councils, periods, portfolios


class PeriodExists(StoreError):
    kind = "exists"


class PeriodNotFound(StoreError):
    kind = "not found"


class PeriodUnnamed(StoreError):
    kind = "unnamed"


@dataclasses.dataclass(frozen=True)
class PeriodInfo:
    """One saved version of a reporting period, without its workbook bytes."""

    id: int
    council: str
    portfolio: str
    year: str
    period: str
    version: int
    filename: str
    sha256: str
    saved_by: str
    saved_at: float  # seconds since the epoch
    measures: int
    net_budget: float | None
    forecast: float | None

    @property
    def saved(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.saved_at, dt.UTC)

    @property
    def label(self) -> str:
        return f"{self.period} {self.year}"


@dataclasses.dataclass(frozen=True)
class Period(PeriodInfo):
    workbook: bytes = b""


def period_order(name: str) -> int:
    """Where a period falls in the year: Agreement first, Annual last, unknown names after them."""
    folded = name.strip().casefold()
    for i, known in enumerate(REPORTING_PERIODS):
        if known.casefold() == folded:
            return i
    return len(REPORTING_PERIODS)


def _key(wb: PortfolioWorkbook) -> tuple[str, str, str, str]:
    p = wb.portfolio
    council, portfolio, year, period = (p.council.strip(), p.portfolio.strip(), p.financial_year.strip(),
                                        p.reporting_period.strip())
    missing = [name for name, value in (("Portfolio", portfolio), ("Financial Year", year),
                                        ("Reporting Period", period)) if not value]
    if missing:
        raise PeriodUnnamed(f"workbook without {', '.join(missing)}",
                            f"The Portfolio sheet does not give the {' or '.join(missing)}, so the workbook "
                            "cannot be kept as a reporting period.")
    return council, portfolio, year, period


_COLUMNS = (periods.c.id, councils.c.name.label("council"), portfolios.c.name.label("portfolio"), periods.c.year,
            periods.c.period, periods.c.version, periods.c.filename, periods.c.sha256, periods.c.saved_by,
            periods.c.saved_at, periods.c.measures, periods.c.net_budget, periods.c.forecast)
_JOINED = periods.join(portfolios, periods.c.portfolio_id == portfolios.c.id).join(
    councils, portfolios.c.council_id == councils.c.id)


class PeriodStore:
    """The reporting periods kept in one :class:`Database`."""

    def __init__(self, db: Database, clock: Callable[[], float] = time.time):
        self.db = db
        self._clock = clock

    def save(self, workbook: bytes, wb: PortfolioWorkbook, filename: str, saved_by: str,
             replace: bool = False) -> PeriodInfo:
        """Keep ``workbook`` (the file as reported, edits applied; ``wb`` is it read) as its period.

        Raises :class:`PeriodExists` when the period is kept already and ``replace`` is not given, or when another
        save of the same period got in first.
        """
        council, portfolio, year, period = _key(wb)
        total = budget_total(wb)
        who = saved_by.strip() or "unknown"
        now = self._clock()
        try:
            return self._save(workbook, wb, filename, who, replace, now, council, portfolio, year, period, total)
        except exc.IntegrityError:
            raise PeriodExists(f"{portfolio} {year} {period} saved concurrently",
                               f"{period} {year} was saved from somewhere else at the same moment, so this save "
                               "was not kept. Look at the periods list, then replace it if you need to.") from None

    def _save(self, workbook, wb, filename, who, replace, now, council, portfolio, year, period, total) -> PeriodInfo:
        with self.db.writing() as conn:
            portfolio_id = self._portfolio_id(conn, council, portfolio)
            latest = conn.execute(
                sa.select(periods.c.version, periods.c.saved_by, periods.c.saved_at)
                .where(periods.c.portfolio_id == portfolio_id, periods.c.year == year, periods.c.period == period)
                .order_by(periods.c.version.desc()).limit(1)).first()
            if latest is not None and not replace:
                when = dt.datetime.fromtimestamp(latest.saved_at, dt.UTC).strftime("%d %b %Y %H:%M UTC")
                raise PeriodExists(f"{portfolio} {year} {period} kept already (version {latest.version})",
                                   f"{period} {year} is already kept (saved by {latest.saved_by}, {when}). "
                                   "Replace it to keep this one instead; the earlier one stays on record.")
            version = (latest.version if latest else 0) + 1
            # The unique key (portfolio, year, period, version) lets only one of two simultaneous saves in.
            new_id = conn.execute(periods.insert().values(
                portfolio_id=portfolio_id, year=year, period=period, version=version, filename=filename,
                workbook=bytes(workbook), sha256=hashlib.sha256(workbook).hexdigest(), saved_by=who,
                saved_at=now, measures=len(wb.measures), net_budget=total["net_budget"],
                forecast=total["forecast"])).inserted_primary_key[0]
        return PeriodInfo(new_id, council, portfolio, year, period, version, filename,
                          hashlib.sha256(workbook).hexdigest(), who, now, len(wb.measures), total["net_budget"],
                          total["forecast"])

    def _portfolio_id(self, conn, council: str, portfolio: str) -> int:
        council_id = self._get_or_create(conn, councils, {"name": council})
        return self._get_or_create(conn, portfolios, {"council_id": council_id, "name": portfolio})

    def _get_or_create(self, conn, table: sa.Table, values: dict) -> int:
        where = [table.c[k] == v for k, v in values.items()]
        found = conn.execute(sa.select(table.c.id).where(*where)).scalar()
        if found is not None:
            return found
        if self.db.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        conn.execute(insert(table).values(**values).on_conflict_do_nothing())
        return conn.execute(sa.select(table.c.id).where(*where)).scalar_one()

    def list(self, portfolio: str | None = None, year: str | None = None,
             all_versions: bool = False) -> list[PeriodInfo]:
        """The kept periods (latest version of each unless ``all_versions``), in the year's order."""
        query = sa.select(*_COLUMNS).select_from(_JOINED)
        if portfolio is not None:
            query = query.where(portfolios.c.name == portfolio)
        if year is not None:
            query = query.where(periods.c.year == year)
        if not all_versions:
            newer = periods.alias("newer")
            query = query.where(~sa.exists().where(
                newer.c.portfolio_id == periods.c.portfolio_id, newer.c.year == periods.c.year,
                newer.c.period == periods.c.period, newer.c.version > periods.c.version))
        with self.db.reading() as conn:
            rows = conn.execute(query).all()
        found = [PeriodInfo(**row._mapping) for row in rows]
        return sorted(found, key=lambda p: (p.council, p.portfolio, p.year, period_order(p.period), p.period,
                                            p.version))

    def get(self, period: str, portfolio: str, year: str, council: str | None = None,
            version: int | None = None) -> Period:
        """One kept period with its workbook: the latest version unless ``version`` is given."""
        query = (sa.select(*_COLUMNS, periods.c.workbook).select_from(_JOINED)
                 .where(portfolios.c.name == portfolio, periods.c.year == year,
                        sa.func.lower(periods.c.period) == period.strip().lower()))
        if council is not None:
            query = query.where(councils.c.name == council)
        if version is not None:
            query = query.where(periods.c.version == version)
        with self.db.reading() as conn:
            row = conn.execute(query.order_by(periods.c.version.desc()).limit(1)).first()
        if row is None:
            raise PeriodNotFound(f"no period {period!r} for {portfolio} {year}",
                                 f"No reporting period '{period}' of {portfolio} {year} is kept in the store.")
        return Period(**row._mapping)

    def previous(self, wb: PortfolioWorkbook) -> PeriodInfo | None:
        """The latest kept period of ``wb``'s portfolio and year that comes before ``wb``'s own period."""
        _council, portfolio, year, period = _key(wb)
        here = period_order(period)
        earlier = [p for p in self.list(portfolio=portfolio, year=year)
                   if p.council == wb.portfolio.council.strip() and period_order(p.period) < here]
        return earlier[-1] if earlier else None
