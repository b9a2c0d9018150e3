"""The wild corpus: 146 real workbooks written by other software (../shared/corpus/wild, beside the repository).

Every file gets an answer in plain words: a readable workbook not in the template is answered with its sheets
(heading row and what each looks like) and the next step; nothing that openpyxl or python-calamine opens is called
damaged; no message shows a Python exception name.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from pathlib import Path

import pytest

from pprr import load_workbook
from pprr.cli import main
from pprr.workbook import gate
from pprr.workbook.reader import NOT_TEMPLATE, is_not_template

WILD = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "wild"
FILES = sorted((WILD / "files").iterdir()) if (WILD / "files").is_dir() else []
pytestmark = pytest.mark.skipif(not FILES, reason=f"the wild corpus is not beside the repository ({WILD})")

EXCEPTION_NAME = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]*)*(?:Error|Exception)\b|BadZipFile|\bErrno\b|Traceback")


def _opens_elsewhere(data: bytes) -> bool:
    from python_calamine import CalamineWorkbook

    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
            for name in book.sheet_names[:3]:
                book.get_sheet_by_name(name).to_python()
        return True
    except Exception:  # noqa: BLE001, S110 - any failure means calamine does not open it
        pass
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
            for ws in book.worksheets[:3]:
                list(ws.iter_rows(max_row=5))
            book.close()
        return True
    except Exception:  # noqa: BLE001
        return False


def _check(path: Path) -> tuple[int, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["check", str(path)])
    return code, [line for line in (out.getvalue() + err.getvalue()).splitlines() if line.strip()]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_file_gets_a_plain_answer(path):
    data = path.read_bytes()
    code, lines = _check(path)
    assert code == 1 and lines
    assert not any(EXCEPTION_NAME.search(line) for line in lines), lines
    if any(re.search("damaged|corrupt", line, re.IGNORECASE) for line in lines):
        assert not _opens_elsewhere(data), lines
    wb = load_workbook(data)
    if is_not_template(wb):
        messages = [str(p) for p in wb.problems]
        assert len(messages) == len(set(messages)), "one message per problem, no echo"
        assert lines[-1].startswith("Next step: pprr import") and "pprr template -o template.xlsx" in lines[-1]


def test_readable_workbooks_are_answered_with_their_sheets():
    answered = [path for path in FILES if is_not_template(load_workbook(path))]
    assert len(answered) >= 110


def test_utf16_parts_backslash_paths_and_many_sheets_are_read():
    def outline(name: str) -> list[str]:
        wb = load_workbook(WILD / "files" / name)
        assert wb.problems[0].message.startswith(NOT_TEMPLATE), wb.problems
        return [str(p) for p in wb.problems]

    assert "Sheet1: No headings found (1 row of values)." in outline("phpspreadsheet__utf16be.bom.xlsx")
    assert any(line.startswith("Blatt1: ") for line in outline("roo__Pfand_from_windows_phone.xlsx"))
    backslashes = outline("phpspreadsheet__Zip-Windows-Directory-Separator.xlsx")
    assert backslashes[1].startswith("Sheet: Headings in row 1; a table of 2 rows with Key ID, Key, English")
    assert outline("openpyxl__bigfoot.xlsx")[1] == (
        "File: All 1,024 sheets are empty: 'sheet #0', 'sheet #1', 'sheet #2', 'sheet #3', 'sheet #4' and 1,019 "
        "more.")


def test_macros_are_judged_by_what_is_inside():
    labelled_only = (WILD / "files" / "poi__stress024.xlsx").read_bytes()  # labelled macro-enabled, no VBA part
    assert gate.check_upload(labelled_only) == []
    with_vba = (WILD / "files" / "xlsxwriter__macro01.xlsm").read_bytes()
    assert [p.message for p in gate.check_upload(with_vba)] == [gate.MACROS]


def test_an_opendocument_file_with_an_excel_name_is_sent_to_import():
    wb = load_workbook(WILD / "files" / "roo__type_openoffice.xlsx")
    assert [p.message for p in wb.problems] == [gate.ODS]
