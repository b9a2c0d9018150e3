"""How long the committee pack takes: the Q3 sample, and a workbook ten times its size.

Run from the repository root: ``python -m bench.bench_pack [--runs 5] [--times 10]``. Prints the median of several
warm runs (after one untimed run that loads fonts and the chart renderer), the page count and the PDF size.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import statistics
import sys
import time
from pathlib import Path

from pypdf import PdfReader

import pprr
from pprr.model import PortfolioWorkbook
from pprr.report.pack import build_pack

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "stockport-cfse-2021-22-q3-illustrative.xlsx"


def enlarged(wb: PortfolioWorkbook, times: int) -> PortfolioWorkbook:
    """The workbook with its measures, services, reserves and savings repeated ``times`` times under new names."""

    def copies(items, **renames):
        return tuple(
            dataclasses.replace(item, **{f: f"{getattr(item, f)} R{k}" if k else getattr(item, f) for f in renames})
            for k in range(times) for item in items
        )

    return dataclasses.replace(
        wb,
        measures=copies(wb.measures, code=True),
        budget=copies(wb.budget, service=True),
        reserves=copies(wb.reserves, to_be_used_for=True),
        savings=copies(wb.savings, proposal=True),
    )


def timed(wb: PortfolioWorkbook, runs: int) -> tuple[float, int, int]:
    """(median seconds over ``runs`` warm runs, pages, bytes)."""
    pdf = build_pack(wb)
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        pdf = build_pack(wb)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), len(PdfReader(io.BytesIO(pdf)).pages), len(pdf)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per workbook (median shown)")
    parser.add_argument("--times", type=int, default=10, help="how many times larger the generated workbook is")
    args = parser.parse_args(argv)
    sample = pprr.load_workbook(SAMPLE)
    cases = [("Q3 sample", sample), (f"sample x{args.times}", enlarged(sample, args.times))]
    print(f"{'workbook':<14} {'measures':>8} {'services':>8} {'median s':>9} {'pages':>6} {'PDF kB':>7}")
    for name, wb in cases:
        seconds, pages, size = timed(wb, args.runs)
        print(f"{name:<14} {len(wb.measures):>8} {len(wb.budget):>8} {seconds:>9.2f} {pages:>6} {size / 1024:>7.0f}")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
