"""Shared fixtures: the bundled sample workbooks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_AGREEMENT = ROOT / "sample_data" / "stockport-cfse-2021-22-agreement.xlsx"
SAMPLE_Q3 = ROOT / "sample_data" / "stockport-cfse-2021-22-q3-illustrative.xlsx"


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def agreement_bytes() -> bytes:
    return SAMPLE_AGREEMENT.read_bytes()


@pytest.fixture(scope="session")
def q3_bytes() -> bytes:
    return SAMPLE_Q3.read_bytes()


@pytest.fixture(scope="session")
def agreement(agreement_bytes):
    from pprr import load_workbook

    return load_workbook(agreement_bytes)


@pytest.fixture(scope="session")
def q3(q3_bytes):
    from pprr import load_workbook

    return load_workbook(q3_bytes)


@pytest.fixture
def isolated_app(tmp_path, monkeypatch):
    """An app session of its own: an empty store and no parsed workbooks cached from other tests."""
    import streamlit as st

    monkeypatch.setenv("PPRR_DATABASE_URL", f"sqlite:///{tmp_path / 'pprr.sqlite3'}")
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the whole test run, torn down at the end."""
    from postgres import PostgresServer

    try:
        server = PostgresServer().start()
    except (RuntimeError, OSError) as error:
        pytest.fail(str(error))
    yield server
    server.destroy()


_databases = iter(range(1, 1_000_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """An empty store's address: an SQLite file, or a new database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'pprr.sqlite3'}"
    server = request.getfixturevalue("postgres_server")
    return server.create_database(f"t{next(_databases)}_{os.getpid()}")
