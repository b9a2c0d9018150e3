"""pprr import: council layouts made in tests/import_layouts.py go in through the command line and come out as
template workbooks that ``pprr check`` accepts, with every measure and value where it belongs."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from import_layouts import LAYOUTS, corporate_kpis, kpi_list_higher_is_better, merged_quarters

from pprr import load_workbook
from pprr.cli import main
from pprr.rules.status import Settings, rate_measures
from pprr.workbook import importer


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _import(tmp_path: Path, capsys, name: str, data: bytes, *extra) -> tuple[int, str, str, Path]:
    source = tmp_path / f"{name}.xlsx"
    source.write_bytes(data)
    out = tmp_path / f"{name}-portfolio.xlsx"
    code, stdout, stderr = run(capsys, "import", source, "-o", out, *extra)
    return code, stdout, stderr, out


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_each_layout_imports_and_passes_check_with_every_value_in_place(tmp_path, capsys, name):
    data, expected = LAYOUTS[name]()
    code, out, err, written = _import(tmp_path, capsys, name, data)
    assert code == 0, err
    assert written.exists()
    check_code, check_out, _ = run(capsys, "check", written)
    assert check_code == 0, check_out
    assert " 0 errors" in check_out
    wb = load_workbook(written)
    for field, value in expected.portfolio.items():
        got = {"Council": wb.portfolio.council, "Financial Year": wb.portfolio.financial_year,
               "Reporting Period": wb.portfolio.reporting_period}[field]
        assert got == value, field
    titles = {p.number: p.title for p in wb.priorities}
    by_code = {m.code: m for m in wb.measures}
    assert set(by_code) == set(expected.measures)
    year = wb.portfolio.financial_year
    for code, want in expected.measures.items():
        m = by_code[code]
        assert titles[m.priority] == want["priority"], code
        assert m.polarity == want["polarity"], code
        assert m.target.raw == want["target"], code
        actuals = dict(m.actuals)
        assert actuals[year].raw == want["latest"], code
        for earlier, raw in want.get("years", {}).items():
            assert actuals[earlier].raw == raw, (code, earlier)
        if "name" in want:
            assert m.name == want["name"]
        if "reported" in want:
            assert m.reported == want["reported"]
    by_service = {b.service: b for b in wb.budget}
    assert set(by_service) == set(expected.budget)
    for service, want in expected.budget.items():
        b = by_service[service]
        assert (b.division, b.net_budget, b.forecast) == (want["division"], want["net"], want["forecast"])
    for words in expected.left_out:
        assert words.casefold() in out.casefold()


def test_the_latest_quarter_filled_is_rated_with_its_period_kept(tmp_path, capsys):
    data, _ = corporate_kpis()
    _, out, _, written = _import(tmp_path, capsys, "kpis", data)
    wb = load_workbook(written)
    ratings = dict(zip([m.code for m in wb.measures], rate_measures(wb.measures, Settings()), strict=True))
    assert ratings["NBC01"].latest.period == "Q3" and ratings["NBC01"].status.value == "Red"
    assert ratings["NBC02"].status.value == "Green"
    assert ratings["NBC05"].status.value == "Contextual"
    # every quarter is kept beside the year's actual, and the file's own RAG beside pprr's
    sheet = openpyxl.load_workbook(written)["Measures"]
    headings = [c.value for c in sheet[1]]
    for heading in ("2023/24 Q1", "2023/24 Q2", "2023/24 Q3", "Source RAG", "Lead Officer"):
        assert heading in headings
    row = [c.value for c in sheet[2]]
    assert row[headings.index("Source RAG")] == "Red" and row[headings.index("2023/24 Q1")] == 0.19
    assert "Source RAG" in out and "differ" in out


def test_the_mapping_round_trips_and_imports_next_quarter_in_one_step(tmp_path, capsys):
    data, _ = corporate_kpis()
    mapping_file = tmp_path / "mapping.toml"
    code, _out, err, _ = _import(tmp_path, capsys, "q3", data, "--save-mapping", mapping_file)
    assert code == 0, err
    saved = importer.mapping_from_text(mapping_file.read_text(encoding="utf-8"))
    source = importer.read_import_source(data, "q3.xlsx")
    assert saved.sheets[0].columns == importer.propose(source).sheets[0].columns
    assert importer.mapping_from_text(importer.mapping_to_toml(saved)).sheets == saved.sheets
    q4, expected = corporate_kpis(q4=True)
    code, _, err, written = _import(tmp_path, capsys, "q4", q4, "--mapping", mapping_file, "--period", "Annual")
    assert code == 0, err
    wb = load_workbook(written)
    assert wb.portfolio.reporting_period == "Annual"
    latest = {m.code: dict(m.actuals)["2023/24"].raw for m in wb.measures}
    assert latest["NBC01"] == expected.measures["NBC01"]["latest"] == "23.0% Q4"


def test_a_mapping_that_no_longer_fits_names_sheet_row_and_column_and_writes_nothing(tmp_path, capsys):
    data, _ = corporate_kpis()
    mapping_file = tmp_path / "mapping.toml"
    _import(tmp_path, capsys, "q3", data, "--save-mapping", mapping_file)
    renamed = mapping_file.read_text(encoding="utf-8").replace('"Indicator" = "PI Name"',
                                                              '"Indicator name" = "PI Name"')
    mapping_file.write_text(renamed, encoding="utf-8")
    code, _, err, written = _import(tmp_path, capsys, "next", data, "--mapping", mapping_file)
    assert code == 1 and not written.exists()
    assert "KPIs!row 4: The mapping maps the column 'Indicator name' to PI Name" in err
    assert "renamed" in err and "nothing was written" in err
    assert "Error" not in err.replace("error", "")


def test_two_columns_mapped_to_one_field_is_refused(tmp_path, capsys):
    data, _ = corporate_kpis()
    source = importer.read_import_source(data, "kpis.xlsx")
    mapping = importer.propose(source)
    mapping.sheets[0].columns["Commentary"] = "PI Name"
    with pytest.raises(importer.ImportProblem) as refused:
        importer.build(source, mapping)
    [problem] = refused.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("KPIs", 4, "K")
    assert problem.message == ("Columns B ('Indicator') and K ('Commentary') are both mapped to PI Name: map only "
                               "one of them to PI Name.")


def test_no_measure_column_mapped_is_refused_and_nothing_written(tmp_path, capsys):
    data, _ = kpi_list_higher_is_better()
    mapping_file = tmp_path / "mapping.toml"
    _import(tmp_path, capsys, "list", data, "--save-mapping", mapping_file)
    text = mapping_file.read_text(encoding="utf-8")
    text = text.replace('"PI" = "PI Code"', '"PI" = "Leave out"').replace(
        '"Performance Indicator" = "PI Name"', '"Performance Indicator" = "Commentary"')
    mapping_file.write_text(text, encoding="utf-8")
    code, _, err, written = _import(tmp_path, capsys, "list2", data, "--mapping", mapping_file)
    assert code == 1 and not written.exists()
    assert "KPI list!row 1: No column of the 'KPI list' sheet is mapped to PI Name or PI Code" in err


def test_a_workbook_with_nothing_to_import_says_what_each_sheet_is(tmp_path, capsys):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Date", "Start time", "End time"])
    book.active.append(["2024-01-02", "09:00", "17:00"])
    buffer = io.BytesIO()
    book.save(buffer)
    code, _, err, written = _import(tmp_path, capsys, "timesheet", buffer.getvalue())
    assert code == 1 and not written.exists()
    assert "No sheet of timesheet.xlsx looks like a list of performance measures or a budget" in err
    assert "'Sheet' has headings in row 1" in err


def test_two_row_headings_are_joined_and_the_higher_is_better_column_gives_polarity(tmp_path, capsys):
    data, _ = merged_quarters()
    source = importer.read_import_source(data, "asc.xlsx")
    [sheet] = importer.propose(source).sheets
    assert (sheet.heading_row, sheet.heading_rows) == (4, 2)
    assert sheet.columns == {"Measure": "PI Name", "Code": "PI Code", "Higher is better": "Good Performance",
                             "Quarter 1 Actual": "In-Year Period", "Quarter 1 Target": "In-Year Target",
                             "Quarter 2 Actual": "In-Year Period", "Quarter 2 Target": "In-Year Target",
                             "Annual Target": "Target"}


def test_xls_and_ods_sources_are_read_but_the_template_reader_sends_them_to_import(tmp_path):
    from pprr.workbook import gate

    ods = (Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "wild" / "files" /
           "roo__type_openoffice.xlsx")
    if not ods.exists():
        pytest.skip("the wild corpus (../shared/corpus/wild) is not beside the repository")
    data = ods.read_bytes()
    assert gate.check_upload(data, "timesheet.ods", for_import=True) == []
    assert [p.message for p in load_workbook(data).problems] == [gate.ODS]
    assert "use pprr import" in gate.ODS and "use pprr import" in gate.OLD_XLS
    source = importer.read_import_source(data, "timesheet.ods")
    assert source.layouts["Sheet1"].heading_row == 2
