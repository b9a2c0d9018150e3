"""The pack is built without pandas, numpy, openpyxl or Altair, from the same rows the app's tables and charts use.

``pprr pack`` runs as a fresh process each time, so what it imports is most of what it costs beyond laying out
the pages (bench/bench_pack.py times it against a bare reportlab floor). These tests hold the behaviour that keeps
it lean: no heavy import on the pack's path, the app's DataFrames made from the very rows the packs read, and the
defusedxml safety check still refusing to start without importing openpyxl.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from pprr.model import Portfolio, PortfolioWorkbook, Reserve
from pprr.report import chart_data
from pprr.rules import finance
from pprr.workbook import gate, xlsx

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "stockport-cfse-2021-22-q3-illustrative.xlsx"
HEAVY = ("pandas", "numpy", "openpyxl", "altair", "vl_convert", "xml.sax.saxutils")


def _imported_after(code: str) -> list[str]:
    run = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
                         cwd=ROOT, capture_output=True, text=True, check=True, timeout=120)
    loaded = set(run.stdout.split())
    return [name for name in HEAVY if name in loaded]


def test_building_both_packs_imports_no_heavy_library():
    code = (f"import pprr\nfrom pprr.report.pack import build_pack\nfrom pprr.report.html_pack import build_html\n"
            f"wb = pprr.load_workbook({str(SAMPLE)!r})\nassert len(build_pack(wb)) > 100_000\n"
            f"assert '<svg' in build_html(wb)")
    assert _imported_after(code) == []


def test_the_pack_command_imports_no_heavy_library(tmp_path):
    out = tmp_path / "pack.pdf"
    code = f"from pprr.cli import main\nassert main(['pack', {str(SAMPLE)!r}, '-o', {str(out)!r}]) == 0"
    assert _imported_after(code) == []
    assert out.read_bytes().startswith(b"%PDF")


def test_the_lean_check_can_fail():
    """The same check sees a heavy import when there is one."""
    assert _imported_after("import pprr.report.charts") != []


@pytest.mark.parametrize("value", [None, float("nan"), np.nan, np.float64("nan"), pd.NA, pd.NaT, 0, 0.0, -1.5, "",
                                   "text", Decimal("1.5"), np.float64(2.0), False])
def test_missing_says_what_pandas_isna_says(value):
    assert finance.missing(value) is bool(pd.isna(value))


def test_money_of_a_blank_is_empty_and_of_a_number_as_before():
    assert [finance.format_money(x) for x in (None, math.nan, pd.NA, 57.5, -165.0, np.float64(1234.4))] == \
        ["", "", "", "58", "(165)", "1,234"]


def test_the_apps_tables_are_the_packs_rows(q3):
    pairs = [
        (finance.budget_table(q3), finance.budget_rows(q3)),
        (finance.variance_commentary(q3), finance.variance_rows(q3)),
        (finance.budget_summary(q3), finance.summary_rows(q3)),
        (finance.reserves_table(q3), finance.reserves_rows(q3)),
        (finance.reserves_by(q3, "division"), finance.reserves_by_rows(q3, "division")),
        (finance.reserves_by(q3, "category"), finance.reserves_by_rows(q3, "category")),
        (finance.savings_by_risk(q3), finance.savings_risk_rows(q3)),
        (finance.savings_by_division(q3), finance.savings_division_rows(q3)),
    ]
    for frame, rows in pairs:
        assert len(rows) > 0
        assert list(frame.columns) == list(rows[0])
        assert frame.to_dict("records") == rows
    capital = finance.capital_table(q3)
    assert capital.values.tolist() == finance.capital_rows(q3)
    assert list(capital.columns) == ["scheme", "funding", *finance.capital_years(q3), "total"]


def test_the_apps_chart_data_are_the_vector_charts_rows(q3):
    frame, title = chart_data.variance_data(q3, 5)
    rows, same_title = chart_data.variance_rows(q3, 5)
    assert (frame.to_dict("records"), title) == (rows, same_title) and len(rows) == 5
    assert chart_data.waterfall_data(finance.reconciliation(q3)).to_dict("records") == \
        chart_data.waterfall_rows(finance.reconciliation(q3))
    assert chart_data.savings_data(q3).to_dict("records") == chart_data.savings_rows(q3)
    lines, totals, order, colours = chart_data.reserves_data(q3)
    assert (lines.to_dict("records"), totals.to_dict("records"), order, colours) == chart_data.reserves_rows(q3)


def test_reserve_categories_largest_first_and_equal_ones_as_first_seen():
    wb = PortfolioWorkbook(portfolio=Portfolio(portfolio="P"), reserves=tuple(
        Reserve(row, "D", category, "n", "u", amount)
        for row, (category, amount) in enumerate([("Small", 10.0), ("Tie B", 50.0), ("Big", 90.0),
                                                  ("Tie A", 50.0)], start=2)))
    assert chart_data.reserves_rows(wb)[2] == ["Big", "Tie B", "Tie A", "Small"]
    bars = chart_data.reserves_bars(wb)
    assert [row.label for row in bars.rows] == ["Big", "Tie B", "Tie A", "Small"]


def test_pprr_refuses_to_start_without_defusedxml_and_without_importing_openpyxl():
    env = dict(os.environ, OPENPYXL_DEFUSEDXML="False")
    code = "import sys\ntry:\n    import pprr\nexcept RuntimeError as e:\n    print('refused', 'openpyxl' in sys.modules, e)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                            check=True)
    assert result.stdout.startswith("refused False ") and "defusedxml" in result.stdout


def test_reading_through_openpyxl_checks_openpyxls_own_flag(monkeypatch, q3_bytes):
    assert xlsx._read_with_openpyxl(q3_bytes, None)  # the fallback reader reads the sample
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(RuntimeError, match="defusedxml"):
        xlsx._read_with_openpyxl(q3_bytes, None)
    with pytest.raises(RuntimeError, match="defusedxml"):
        gate.assert_safe_xml_parser()
