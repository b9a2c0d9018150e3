"""``pprr check`` over the wild corpus: how helpful is the answer a real-world workbook gets?

Runs ``pprr check`` on every file of ``../shared/corpus/wild/files`` (the repository sits beside ``shared/``), in
one process, and prints:

- how many distinct message texts appear (more is better: answers that say something about the file),
- how many files are called damaged although openpyxl or python-calamine opens them (should be 0),
- how many lines name a Python exception ("(ValueError)", "Error)", ...) (should be 0),
- how many answers name the sheets found (for readable workbooks, all of them),
- any file whose check raised or printed a traceback.

``python -m bench.wild_check [--corpus DIR] [--show]``; ``--show`` prints every file's answer.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
import time
import warnings
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "wild"

EXCEPTION_NAME = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]*)*(?:Error|Exception)\b|BadZipFile|\bErrno\b|Traceback")
SHEET_NAMED = re.compile(r"headings in rows? \d|no headings found|empty sheet|sheets are empty|has no worksheets",
                         re.IGNORECASE)
DAMAGED = re.compile(r"damaged|corrupt", re.IGNORECASE)


def check_file(path: Path) -> tuple[int, list[str]]:
    """``pprr check path`` in this process: exit code and every line it printed (stdout then stderr)."""
    from pprr.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["check", str(path)])
    lines = [line for line in (out.getvalue() + err.getvalue()).splitlines() if line.strip()]
    return code, lines


def opens_elsewhere(path: Path) -> bool:
    """Whether openpyxl or python-calamine opens the file (so it must not be called damaged)."""
    data = path.read_bytes()
    try:
        from python_calamine import CalamineWorkbook

        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
            for name in book.sheet_names[:3]:
                book.get_sheet_by_name(name).to_python()
        return True
    except Exception:  # noqa: BLE001, S110 - any failure means "calamine does not open it"
        pass
    try:
        import openpyxl

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
            for ws in book.worksheets[:3]:
                for _ in ws.iter_rows(max_row=5):
                    pass
            book.close()
        return True
    except (Exception, zipfile.BadZipFile):  # noqa: BLE001
        return False


def message_text(line: str) -> str:
    """A printed line without its place ("Sheet!A1: ") and with quoted names and numbers masked, so two lines that
    say the same thing about different sheets count once."""
    text = re.sub(r"^[^:]{0,60}?: ", "", line, count=1)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--show", action="store_true", help="print every file's answer")
    args = parser.parse_args(argv)
    files = sorted((args.corpus / "files").iterdir())
    if not files:
        print(f"no files in {args.corpus / 'files'}", file=sys.stderr)
        return 1
    texts: set[str] = set()
    damaged, exception_named, crashed, naming_sheets = [], [], [], 0
    started = time.perf_counter()
    for path in files:
        code, lines = check_file(path)
        texts.update(message_text(line) for line in lines)
        if any(EXCEPTION_NAME.search(line) for line in lines):
            exception_named.append(path.name)
        if any(DAMAGED.search(line) for line in lines) and opens_elsewhere(path):
            damaged.append(path.name)
        if code not in (0, 1) or any("Traceback" in line or "could not finish" in line for line in lines):
            crashed.append(path.name)
        if any(SHEET_NAMED.search(line) for line in lines):
            naming_sheets += 1
        if args.show:
            print(f"== {path.name} (exit {code})")
            for line in lines:
                print(f"   {line}")
    elapsed = time.perf_counter() - started
    print(f"files                                   {len(files)}")
    print(f"distinct message texts                  {len(texts)}")
    print(f"answers naming the sheets found         {naming_sheets}")
    print(f"called damaged but opens elsewhere      {len(damaged)}   (floor 0) {' '.join(damaged)}")
    print(f"files with an exception name            {len(exception_named)}   (floor 0) {' '.join(exception_named)}")
    print(f"crashed or unfinished                   {len(crashed)}   (floor 0) {' '.join(crashed)}")
    print(f"seconds for the whole run               {elapsed:.1f}   (2 shared cores: noisy)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
