import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from workbooks import make_workbook

from pprr import load_workbook
from pprr.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def valid(tmp_path) -> Path:
    path = tmp_path / "portfolio.xlsx"
    path.write_bytes(make_workbook())
    return path


@pytest.fixture
def broken(tmp_path) -> Path:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(make_workbook(drop=("Budget",), portfolio={"Council": None}))
    return path


def test_check_valid_workbook_exits_0_with_a_summary(capsys, valid):
    code, out, err = run(capsys, "check", valid)
    assert (code, err) == (0, "")
    assert out.splitlines() == [("portfolio.xlsx: 0 errors, 0 warnings; 6 measures, 3 budget lines; "
                                "the workbook can be used.")]


def test_check_sample_lists_the_source_warnings(capsys, agreement):
    code, out, _ = run(capsys, "check", ROOT / "sample_data" / "stockport-cfse-2021-22-agreement.xlsx")
    lines = out.splitlines()
    assert code == 0
    assert lines[:-1] == [str(p) for p in agreement.problems]
    assert any("CSFE" in line for line in lines)
    assert lines[-1].endswith("the workbook can be used.")


def test_check_workbook_with_errors_lists_errors_first_and_exits_1(capsys, broken):
    code, out, err = run(capsys, "check", broken)
    wb = load_workbook(broken)
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert lines[:len(wb.errors)] == [str(p) for p in wb.errors]
    assert "Budget: The workbook has no 'Budget' sheet" in out
    assert lines[-1].startswith(f"broken.xlsx: {len(wb.errors)} errors")


def _bad_files() -> dict[str, bytes]:
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    good = make_workbook()
    return {
        "text": b"PI Code,PI Name\nCFSE.1,Smoking\n",
        "empty": b"",
        "random": bytes(range(256)) * 40,
        "zip": zipped.getvalue(),
        "truncated": good[: len(good) // 2],
        "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    }


@pytest.mark.parametrize("kind", sorted(_bad_files()))
def test_check_a_file_that_is_not_a_workbook_gives_one_clear_line(capsys, tmp_path, kind):
    path = tmp_path / "report.xlsx"
    path.write_bytes(_bad_files()[kind])
    code, out, err = run(capsys, "check", path)
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err and len(err) > 30


def test_check_text_renamed_xlsx_in_a_real_process(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("Minutes of the meeting\n")
    done = subprocess.run([sys.executable, "-m", "pprr.cli", "check", str(path)], check=False, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [("File: This is a plain text file, not an Excel workbook: upload the .xlsx "
                                        "workbook.")]


def test_check_missing_file_and_directory(capsys, tmp_path):
    assert run(capsys, "check", tmp_path / "nope.xlsx")[1:] == ("", (f"pprr check: {tmp_path / 'nope.xlsx'}: "
                                                                     "no such file\n"))
    code, _, err = run(capsys, "check", tmp_path)
    assert code == 1 and err.endswith("not a file\n")


def test_status_csv(capsys, valid):
    code, out, err = run(capsys, "status", valid, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert (code, err) == (0, "")
    assert rows[0] == ["code", "cohort", "priority", "name", "latest_period", "actual", "target", "status", "trend",
                       "reason", "data_period", "out_of_date"]
    assert rows[1][:8] == ["CFSE.1", "", "1", "Children in low income families", "2020/21", "9.1%", "9.5%", "Green"]
    assert rows[1][10:] == ["2020/21", "No"]
    assert len(rows) == 7


def test_status_csv_says_which_period_and_whether_out_of_date(capsys):
    code, out, _ = run(capsys, "status", ROOT / "sample_data" / "stockport-cfse-2021-22-q3-illustrative.xlsx",
                       "--format", "csv")
    rows = {(r["code"], r["cohort"]): r for r in csv.DictReader(io.StringIO(out))}
    assert code == 0
    ehc = rows[("CSFE.9(iii)", "EHC Plan")]
    assert (ehc["data_period"], ehc["out_of_date"], ehc["status"]) == ("2018/19 academic", "Yes", "Out of date")
    assert (rows[("CFSE.32", "")]["data_period"], rows[("CFSE.32", "")]["out_of_date"]) == ("2021/22 Q1-Q2", "No")
    assert rows[("CFSE.1", "")]["data_period"] == "2021/22"


def test_status_table_and_output_file(capsys, valid, tmp_path):
    code, out, _ = run(capsys, "status", valid)
    assert code == 0 and "Contextual" in out and "CFSE.13" in out
    target = tmp_path / "status.csv"
    code, out, err = run(capsys, "status", valid, "--format", "csv", "-o", target)
    assert (code, out) == (0, "") and "Wrote" in err
    assert target.read_text(encoding="utf-8").startswith("code,cohort,priority,")


def test_budget_csv(capsys, valid):
    code, out, _ = run(capsys, "budget", valid, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0
    assert rows[0] == ["service", "division", "net_budget", "forecast", "variance", "variance_pct", "rag"]
    assert rows[1][:5] == ["Social Worker Teams", "Children & Family Services", "5891", "6100", "209"]
    assert rows[1][5] == "3.55"  # 209 / 5,891, to two places
    assert rows[1][6] == "Red"


def test_budget_table_shows_brackets(capsys, valid):
    code, out, _ = run(capsys, "budget", valid)
    assert code == 0 and "(165)" in out and "(94)" in out


@pytest.mark.parametrize("command", ["status", "budget"])
def test_tables_refuse_a_workbook_with_errors(capsys, broken, command):
    code, out, err = run(capsys, command, broken, "--format", "csv")
    assert (code, out) == (1, "")
    assert "Council" in err and "pprr check" in err and "Traceback" not in err


def test_template(capsys, tmp_path):
    target = tmp_path / "template.xlsx"
    code, _, err = run(capsys, "template", "-o", target, "--year", "2022/23")
    assert code == 0 and "Wrote" in err
    assert load_workbook(target).portfolio.financial_year == "2022/23"
    assert run(capsys, "template", "-o", tmp_path / "missing" / "t.xlsx")[0] == 1


def test_pack(capsys, valid, tmp_path):
    target = tmp_path / "pack.pdf"
    scenario = tmp_path / "what-if.json"
    scenario.write_text(json.dumps({"CFSE.5": "97%", "CFSE.13 Writing": 0.2}))
    code, out, err = run(capsys, "pack", valid, "-o", target, "--priority", 1, "--section", "Summary",
                         "--section", "priorities", "--exceptions-only", "--scenario", scenario)
    assert (code, out) == (0, ""), err
    assert target.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--section", "appendix"], "unknown section appendix"),
        (["--priority", "9"], "priority 9 is not in the workbook"),
    ],
)
def test_pack_refuses_unknown_options(capsys, valid, tmp_path, extra, message):
    code, _, err = run(capsys, "pack", valid, "-o", tmp_path / "p.pdf", *extra)
    assert code == 1 and message in err
    assert not (tmp_path / "p.pdf").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"CFSE.99": "5"}', "no measure CFSE.99"),
        ('["CFSE.1"]', "JSON object"),
        ("{not json", "not valid JSON"),
        ('{"CFSE.1": "better"}', "better"),
    ],
)
def test_pack_refuses_a_bad_scenario(capsys, valid, tmp_path, content, message):
    scenario = tmp_path / "s.json"
    scenario.write_text(content)
    code, _, err = run(capsys, "pack", valid, "-o", tmp_path / "p.pdf", "--scenario", scenario)
    assert code == 1 and message in err and "Traceback" not in err


def test_pack_refuses_a_workbook_with_errors(capsys, broken, tmp_path):
    code, _, err = run(capsys, "pack", broken, "-o", tmp_path / "p.pdf")
    assert code == 1 and "error" in err


def test_command_line_mistakes_exit_2(capsys):
    assert run(capsys, "frobnicate")[0] == 2
    assert run(capsys)[0] == 2
    assert run(capsys, "--help")[0] == 0
