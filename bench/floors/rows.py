"""The rows the bare floor apps show: the measures of the workbook named by ``PPRR_BENCH_WORKBOOK`` (the sample when
unset), as plain text columns, so the floors draw what pprr draws."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

import pprr

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "stockport-cfse-2021-22-q3-illustrative.xlsx"


def measure_rows() -> pd.DataFrame:
    path = Path(os.environ.get("PPRR_BENCH_WORKBOOK") or SAMPLE)
    wb = pprr.load_workbook(path.read_bytes(), path.name)
    rows = [{"row": m.row, "code": m.label, "name": m.name, "actual": m.actuals[-1][1].raw if m.actuals else "",
             "target": m.target.raw, "status": "", "commentary": m.commentary} for m in wb.measures]
    return pd.DataFrame(rows)


def status_of(actual: str) -> str:
    """The one column the grid floor recomputes after an edit."""
    try:
        return "✓ Green" if float(str(actual).replace(",", "").rstrip("%")) >= 0 else "✗ Red"
    except ValueError:
        return "? No data"
