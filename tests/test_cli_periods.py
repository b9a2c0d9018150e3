"""pprr periods add / list, and pprr movement --since a kept period; store failures end in one line, exit 1."""

from __future__ import annotations

import csv
import io
import socket

import pytest

from pprr.cli import main
from pprr.year.store import LATEST, forget_opened
from pprr.year.store.db import Database, schema_versions

AGREEMENT = "sample_data/stockport-cfse-2021-22-agreement.xlsx"
Q3 = "sample_data/stockport-cfse-2021-22-q3-illustrative.xlsx"


@pytest.fixture(autouse=True)
def store_here(monkeypatch, store_url):
    monkeypatch.setenv("PPRR_DATABASE_URL", store_url)
    monkeypatch.chdir(__import__("pathlib").Path(__file__).resolve().parents[1])
    yield store_url
    forget_opened()


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_then_list_as_csv(capsys):
    assert run(capsys, "periods", "add", Q3, "--saved-by", "A. Officer")[0] == 0
    assert run(capsys, "periods", "add", AGREEMENT, "--saved-by", "B. Officer")[0] == 0
    code, out, _ = run(capsys, "periods", "list", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["period"], r["saved_by"], r["version"]) for r in rows] == [
        ("Agreement", "B. Officer", "1"), ("Q3 Update", "A. Officer", "1")]
    assert list(rows[0])[:7] == ["portfolio", "year", "period", "saved_at", "measures", "net_budget", "forecast"]
    assert rows[1]["portfolio"] == "Children, Family Services and Education" and rows[1]["year"] == "2021/22"
    assert rows[1]["measures"] == "93" and rows[1]["net_budget"] == "44511.3" and rows[1]["forecast"] == "44836.3"


def test_adding_a_kept_period_again_needs_replace(capsys):
    run(capsys, "periods", "add", Q3, "--saved-by", "First")
    code, out, err = run(capsys, "periods", "add", Q3, "--saved-by", "Second")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "already kept (saved by First" in err and "--replace" in err
    code, out, _ = run(capsys, "periods", "add", Q3, "--saved-by", "Second", "--replace")
    assert code == 0 and "version 2" in out
    code, out, _ = run(capsys, "periods", "list", "--format", "csv")
    assert [(r["saved_by"], r["version"]) for r in csv.DictReader(io.StringIO(out))] == [("Second", "2")]


def test_movement_since_a_kept_period_is_the_same_as_since_its_file(capsys):
    run(capsys, "periods", "add", AGREEMENT)
    by_name = run(capsys, "movement", Q3, "--since", "Agreement", "--format", "csv")
    by_file = run(capsys, "movement", Q3, "--since", AGREEMENT, "--format", "csv")
    assert by_name[0] == 0 and by_name[1] == by_file[1] and by_name[1].count("\n") > 90
    finance = run(capsys, "movement", Q3, "--since", "agreement", "--finance")
    assert finance[0] == 0 and "Agreement" in finance[1]


def test_movement_since_an_unknown_period_says_so_in_one_line(capsys):
    code, out, err = run(capsys, "movement", Q3, "--since", "Mid-Year")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "no reporting period of that name is kept" in err


def test_a_store_newer_than_the_code_is_one_line_and_exit_1(capsys, store_here):
    db = Database(store_here)
    with db.writing() as conn:
        conn.execute(schema_versions.insert().values(version=LATEST + 3, applied_at=0.0))
    db.dispose()
    code, out, err = run(capsys, "periods", "list")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "newer version of pprr" in err and "Traceback" not in err


def test_a_read_only_store_is_one_line_and_exit_1(capsys, monkeypatch, store_here, request):
    run(capsys, "periods", "list")  # creates the store
    forget_opened()
    if store_here.startswith("sqlite"):
        monkeypatch.setenv("PPRR_DATABASE_URL", store_here + "?mode=ro")
    else:
        name = store_here.rsplit("/", 1)[1]
        request.getfixturevalue("postgres_server").sql(
            f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    code, out, err = run(capsys, "periods", "add", Q3)
    assert out == ""
    assert code == 1 and err.count("\n") == 1 and "read-only" in err
    assert run(capsys, "periods", "list")[0] == 0  # reading still works


def test_an_unreachable_store_is_one_line_and_exit_1(capsys, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("PPRR_DATABASE_URL", f"postgresql://nobody@127.0.0.1:{port}/pprr")
    code, out, err = run(capsys, "periods", "list")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "cannot be reached" in err and "Traceback" not in err
