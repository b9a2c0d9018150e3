"""How long one draft save takes with 1 draft in the store and with 3,000 (SQLite file, or --url).

    .venv/bin/python -m bench.store_save [--url postgresql://...]

A save appends to one draft's log through its primary key and expiry goes through the index on the last change,
so the cost should not grow with the number of drafts. Prints the median of 200 saves for each size.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from pprr.year.edits import Edit
from pprr.year.store import Database
from pprr.year.store.drafts import DraftStore, edit_event

SOURCE = (Path(__file__).resolve().parents[1] / "sample_data" / "stockport-cfse-2021-22-q3-illustrative.xlsx")


def median_save_ms(store: DraftStore, token: str, saves: int = 200) -> float:
    version = store.load(token).version
    times = []
    for n in range(saves):
        edit = Edit("Measures", 5, "Commentary", "", f"note {n}", "CFSE.1")
        start = time.perf_counter()
        version = store.append(token, version, [edit_event(edit)]).version
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a store address (default: a new SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = DraftStore(Database(args.url or f"sqlite:///{folder}/pprr.sqlite3"))
        data = SOURCE.read_bytes()
        first = store.create(data, "q3.xlsx")
        one = median_save_ms(store, first)
        for _ in range(2999):
            store.create(data, "q3.xlsx")
        many = median_save_ms(store, first)
        print(f"median save: {one:.2f} ms with 1 draft, {many:.2f} ms with 3,000 drafts (floor: flat)")


if __name__ == "__main__":
    main()
