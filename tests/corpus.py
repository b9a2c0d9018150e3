"""The bad-file corpus, generated in code: hostile uploads, files that break parsers, and odd but valid cells.

Every file is built from scratch by a small function, so nothing binary is committed and each case says how it was
made. ``HOSTILE`` files must be refused by the upload gate with the given message; ``BROKEN`` files pass the gate
(their zip and XML prolog are sound) but make a parser raise, so the reader must turn that into a problem.
The odd-cell builders make valid template workbooks with one unusual thing in them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import json
import random
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.styles import PatternFill
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from workbooks import MEASURES, make_workbook

from pprr.schema import column_letter
from pprr.workbook import gate

ROOT = Path(__file__).resolve().parents[1]
SHEET1 = "xl/worksheets/sheet1.xml"  # Portfolio
MEASURES_PART = "xl/worksheets/sheet3.xml"

# ---------------------------------------------------------------------------------------------------------------
# Valid workbooks in the template (tests/workbooks.py), and openpyxl edits of them


@functools.cache
def plain_workbook() -> bytes:
    return make_workbook()


def edited(data: bytes, edit: Callable[[openpyxl.Workbook], None]) -> bytes:
    """The workbook opened in openpyxl, changed by ``edit`` and saved again."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_first_measure(**fields: object) -> bytes:
    """The test workbook with fields of its first measure (CFSE.1) replaced, by header."""
    return make_workbook(measures=[{**MEASURES[0], **fields}, *MEASURES[1:]])


def measure_cell(index: int, header: str) -> tuple[int, str]:
    """(sheet row, column letter) of a Measures cell: data row 0 is sheet row 2."""
    return index + 2, column_letter(list(MEASURES[0]).index(header))


# ---------------------------------------------------------------------------------------------------------------
# Zip surgery


def rezip(data: bytes, replace: dict[str, bytes] | None = None, drop: tuple[str, ...] = ()) -> bytes:
    """The same zip with some members replaced (or added) and some dropped, re-deflated honestly."""
    replace = dict(replace or {})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename not in drop:
                dst.writestr(info.filename, replace.pop(info.filename, None) or src.read(info))
        for name, content in replace.items():
            dst.writestr(name, content)
    return out.getvalue()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


@dataclass(frozen=True)
class RawMember:
    """A zip member written byte by byte, so its headers can say anything."""

    name: str
    payload: bytes  # as stored: deflated or not
    crc: int
    declared_size: int
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0


def deflated(content: bytes, name: str) -> RawMember:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = compressor.compress(content) + compressor.flush()
    return RawMember(name, payload, zlib.crc32(content), len(content))


def raw_zip(parts: list[RawMember]) -> bytes:
    """A zip from raw members: local headers, data, central directory and end record (no zip64)."""
    out = io.BytesIO()
    central = []
    for part in parts:
        offset = out.tell()
        name = part.name.encode()
        fixed = (20, part.flags, part.method, 0, 0x21, part.crc, len(part.payload), part.declared_size, len(name))
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fixed, 0) + name + part.payload)
        central.append(
            struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, *fixed, 0, 0, 0, 0, 0, offset) + name
        )
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory), start, 0))
    return out.getvalue()


def raw_members(data: bytes) -> list[RawMember]:
    """Every member of an honest zip as a RawMember (deflated again), ready to be tampered with."""
    return [deflated(content, name) for name, content in members(data).items()]


def with_member(data: bytes, replacement: RawMember) -> bytes:
    """A workbook's members with one of them replaced by a raw (possibly lying) member."""
    parts = [p for p in raw_members(data) if p.name != replacement.name]
    return raw_zip(parts + [replacement])


def zeros_member(name: str, size: int, declared_size: int | None = None) -> RawMember:
    """``size`` zero bytes deflated at level 9 in 1 MB steps (1 GB takes about two seconds and gives ~1 MB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = b"\0" * (1 << 20)
    chunks, crc, left = [], 0, size
    while left:
        piece = block[: min(left, len(block))]
        chunks.append(compressor.compress(piece))
        crc = zlib.crc32(piece, crc)
        left -= len(piece)
    chunks.append(compressor.flush())
    return RawMember(name, b"".join(chunks), crc, size if declared_size is None else declared_size)


# ---------------------------------------------------------------------------------------------------------------
# Hostile files: refused by the gate


def _ole2(*stream_names: str) -> bytes:
    """A small OLE2 compound file: header, FAT sector and a directory sector naming the given streams."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIII", header, 44, 1, 1, 0, 0x1000)  # one FAT sector, directory at sector 1
    struct.pack_into("<IIII", header, 60, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    header[76:80] = struct.pack("<I", 0)
    header[80:512] = b"\xff" * 432
    fat = struct.pack("<II", 0xFFFFFFFD, 0xFFFFFFFE) + b"\xff" * 504
    directory = bytearray()
    for kind, name in [(5, "Root Entry")] + [(2, n) for n in stream_names]:
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\0\0"
        entry[: len(encoded)] = encoded
        struct.pack_into("<HBB", entry, 64, len(encoded), kind, 1)
        directory += entry
    directory += b"\0" * (-len(directory) % 512)
    return bytes(header) + fat + bytes(directory)


def _truncated() -> bytes:
    data = plain_workbook()
    return data[: len(data) // 2]


def _zip_not_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("readme.txt", "Quarterly figures attached.")
        zf.writestr("figures.csv", "PI Code,Actual\nCFSE.1,9.1%\n")
    return out.getvalue()


_WORD_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def _word_document() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _WORD_TYPES)
        zf.writestr("word/document.xml", b'<?xml version="1.0"?><w:document xmlns:w="urn:w"/>')
    return out.getvalue()


def _content_types_swapped(old: str, new: str) -> bytes:
    data = plain_workbook()
    types = members(data)["[Content_Types].xml"].replace(old.encode(), new.encode())
    return rezip(data, {"[Content_Types].xml": types})


_XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def _macro_enabled() -> bytes:
    data = _content_types_swapped(_XLSX_MAIN, "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    return rezip(data, {"xl/vbaProject.bin": _ole2("VBA", "PROJECT")})


def _vba_part_only() -> bytes:
    return rezip(plain_workbook(), {"xl/vbaProject.bin": _ole2("VBA", "PROJECT")})


def _binary_workbook() -> bytes:
    return _content_types_swapped(_XLSX_MAIN, "application/vnd.ms-excel.sheet.binary.macroEnabled.main")


def _no_workbook_part() -> bytes:
    return rezip(plain_workbook(), drop=("xl/workbook.xml",))


def _strict_open_xml() -> bytes:
    data = plain_workbook()
    book = members(data)["xl/workbook.xml"].replace(
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", gate._STRICT_NS
    )
    return rezip(data, {"xl/workbook.xml": book})


def zip_bomb(size: int, declared_size: int | None = None) -> bytes:
    """A real workbook whose Measures sheet is ``size`` zero bytes (declared as ``declared_size``)."""
    return with_member(plain_workbook(), zeros_member(MEASURES_PART, size, declared_size))


def _bomb_200mb() -> bytes:
    return zip_bomb(200 << 20)


def _bomb_lying_sizes() -> bytes:
    """200 MB of zeros declared as 40 kB: the declared sizes pass every cap, the inflated data does not."""
    return zip_bomb(200 << 20, declared_size=40_000)


def _bomb_total() -> bytes:
    """Two parts, each under the per-part and ratio caps as declared, whose declared sizes add up past the total cap."""
    size = (gate.MAX_MEMBER_MB << 20) - 1
    noise = random.Random(1).randbytes(size // (gate.MAX_RATIO // 2))
    fillers = [RawMember(f"xl/media/filler{n}.xml", noise, 0, size) for n in range(2)]
    return raw_zip(raw_members(plain_workbook()) + fillers)


def _too_many_parts() -> bytes:
    parts = raw_members(plain_workbook())
    empty = deflated(b"", "x")
    return raw_zip(parts + [RawMember(f"xl/extra/{n}.xml", empty.payload, 0, 0) for n in range(gate.MAX_MEMBERS)])


def _flagged_member(flags: int) -> Callable[[], bytes]:
    def build() -> bytes:
        parts = raw_members(plain_workbook())
        return raw_zip([dataclasses.replace(p, flags=flags) if p.name == MEASURES_PART else p for p in parts])

    return build


def _needs_zip_version(version: int) -> bytes:
    """Every central directory entry says a reader needs zip version ``version`` (Excel writes 2.0)."""
    data = bytearray(plain_workbook())
    for match in re.finditer(rb"PK\x01\x02", bytes(data)):
        struct.pack_into("<H", data, match.start() + 6, version)
    return bytes(data)


def _bzip2_member() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain_workbook())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info), compress_type=zipfile.ZIP_BZIP2)
    return out.getvalue()


def _damaged_deflate() -> bytes:
    """A sheet whose deflate stream is cut short while its headers still give the full sizes."""
    sheet = deflated(members(plain_workbook())[MEASURES_PART], MEASURES_PART)
    short = RawMember(sheet.name, sheet.payload[: len(sheet.payload) // 2], sheet.crc, sheet.declared_size)
    return with_member(plain_workbook(), short)


def _stored_size_lie() -> bytes:
    content = members(plain_workbook())[MEASURES_PART]
    lie = RawMember(MEASURES_PART, content, zlib.crc32(content), len(content) * 50, method=zipfile.ZIP_STORED)
    return with_member(plain_workbook(), lie)


_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
    + ']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    "<si><t>&lol9;</t></si></sst>"
)


def _entity_bomb() -> bytes:
    return rezip(plain_workbook(), {"xl/sharedStrings.xml": _LAUGHS.encode()})


def _with_prolog(xml: bytes, prolog: bytes) -> bytes:
    """XML with ``prolog`` put after its XML declaration (or first, when it has none)."""
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        return xml[:end] + prolog + xml[end:]
    return prolog + xml


def _portfolio_sheet_with(prolog: bytes, encoding: str = "utf-8") -> bytes:
    sheet = _with_prolog(members(plain_workbook())[SHEET1], prolog).decode()
    if encoding != "utf-8":
        sheet = f'<?xml version="1.0" encoding="{encoding.upper()}"?>' + sheet
    return rezip(plain_workbook(), {SHEET1: sheet.encode(encoding)})


def _external_entity() -> bytes:
    return _portfolio_sheet_with(b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')


def _doctype_utf16() -> bytes:
    return _portfolio_sheet_with(b'<!DOCTYPE worksheet [<!ENTITY a "aaaa">]>', "utf-16")


def _doctype_behind_long_comment() -> bytes:
    padding = b"<!--" + b" " * gate.XML_PROLOG_BYTES + b"-->"
    return _portfolio_sheet_with(padding + b'<!DOCTYPE x [<!ENTITY a "b">]>')


def _random_bytes() -> bytes:
    return random.Random(5).randbytes(4096)


@dataclass(frozen=True)
class Case:
    name: str  # the file name it is uploaded under
    build: Callable[[], bytes]
    message: str  # what the gate says

    @functools.cached_property
    def data(self) -> bytes:
        return self.build()


HOSTILE = (
    Case("empty.xlsx", lambda: b"", gate.EMPTY),
    Case("oversized.xlsx", lambda: b"PK\x03\x04" + bytes(gate.MAX_UPLOAD_MB << 20), gate.TOO_LARGE),
    Case("truncated.xlsx", _truncated, gate.TRUNCATED),
    Case("password.xlsx", lambda: _ole2("EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"), gate.ENCRYPTED),
    Case("old-excel.xlsx", lambda: _ole2("Workbook", "\x05SummaryInformation"), gate.OLD_XLS),
    Case("pdf.xlsx", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", gate.PDF),
    Case("web-page.xlsx", lambda: b"<!DOCTYPE html>\n<html><body><table><tr><td>1</td></tr></table>", gate.HTML),
    Case("excel-web-page.xlsx",
         lambda: b'<html xmlns:o="urn:schemas-microsoft-com:office:office">\n<head></head>', gate.HTML),
    Case("xml-spreadsheet.xlsx",
         lambda: b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook/>', gate.XML),
    Case("measures.xlsx", lambda: b"PI Code,PI Name,2021/22 Actual\nCFSE.1,Re-referrals,9.1%\n", gate.CSV),
    Case("measures-utf16.xlsx", lambda: "PI Code\tPI Name\r\nCFSE.1\tRe-referrals\r\n".encode("utf-16"), gate.CSV),
    Case("notes.xlsx", lambda: b"Quarter three figures to follow.\n", gate.TEXT),
    Case("noise.xlsx", _random_bytes, gate.UNKNOWN),
    Case("archive.xlsx", _zip_not_workbook, gate.NOT_WORKBOOK),
    Case("letter.xlsx", _word_document, gate.NOT_WORKBOOK),
    Case("no-workbook-part.xlsx", _no_workbook_part, gate.NOT_WORKBOOK),
    Case("macros.xlsx", _macro_enabled, gate.MACROS),
    Case("vba-part.xlsx", _vba_part_only, gate.MACROS),
    Case("binary.xlsx", _binary_workbook, gate.BINARY),
    Case("strict.xlsx", _strict_open_xml, gate.STRICT),
    Case("bomb-200mb.xlsx", _bomb_200mb, gate.PART_TOO_BIG),
    Case("bomb-lying-sizes.xlsx", _bomb_lying_sizes, gate.SIZES_LIE),
    Case("bomb-total.xlsx", _bomb_total, gate.TOO_BIG_INSIDE),
    Case("too-many-parts.xlsx", _too_many_parts, gate.TOO_MANY_PARTS),
    Case("encrypted-part.xlsx", _flagged_member(0x01), gate.ENCRYPTED_PART),
    Case("strong-encryption-part.xlsx", _flagged_member(0x40), gate.ENCRYPTED_PART),
    Case("patched-data-part.xlsx", _flagged_member(0x20), gate.ODD_COMPRESSION),
    Case("zip-version-22.xlsx", lambda: _needs_zip_version(223), gate.TRUNCATED),
    Case("bzip2.xlsx", _bzip2_member, gate.ODD_COMPRESSION),
    Case("damaged-deflate.xlsx", _damaged_deflate, gate.TRUNCATED),
    Case("stored-size-lie.xlsx", _stored_size_lie, gate.SIZES_LIE),
    Case("entity-bomb.xlsx", _entity_bomb, gate.DOCTYPE),
    Case("external-entity.xlsx", _external_entity, gate.DOCTYPE),
    Case("doctype-utf16.xlsx", _doctype_utf16, gate.DOCTYPE),
    Case("doctype-after-comment.xlsx", _doctype_behind_long_comment, gate.LONG_PROLOG),
)  # fmt: skip


@functools.cache
def bomb_1gb() -> Case:
    """The field-notes bomb: about 1 MB on disk, 1 GB declared and inflated. Build once per session."""
    return Case("bomb-1gb.xlsx", lambda: zip_bomb(1 << 30), gate.PART_TOO_BIG)


# ---------------------------------------------------------------------------------------------------------------
# Broken files: they pass the gate, then a parser raises; the reader must report them


def _sheet_replaced(transform: Callable[[bytes], bytes]) -> Callable[[], bytes]:
    def build() -> bytes:
        data = plain_workbook()
        return rezip(data, {MEASURES_PART: transform(members(data)[MEASURES_PART])})

    return build


BROKEN = (
    Case("unclosed-tag.xlsx", _sheet_replaced(lambda xml: xml[: len(xml) // 2]), ""),
    Case("raw-control-char.xlsx", _sheet_replaced(lambda xml: xml.replace(b"<c ", b"<c \x07", 1)), ""),
    Case("not-xml-sheet.xlsx", _sheet_replaced(lambda xml: b"this is not xml"), ""),
    Case("missing-sheet-part.xlsx", lambda: rezip(plain_workbook(), drop=(MEASURES_PART,)), ""),
    Case("garbage-styles.xlsx", lambda: rezip(plain_workbook(), {"xl/styles.xml": b"<styleSheet><numFmts count='x'>"}),
         ""),
    Case("bad-cell-ref.xlsx", _sheet_replaced(lambda xml: xml.replace(b'r="A2"', b'r="!!"', 1)), ""),
    Case("column-past-xfd.xlsx", _sheet_replaced(lambda xml: xml.replace(b'r="C2"', b'r="ZZZZ2"', 1)), ""),
)  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# Odd but valid cells

EXCEL_MAX_ROW = 1_048_576
EXCEL_MAX_CELL_CHARS = 32_767
LATEST = "2020/21 Actual"  # the test workbook's right-most Actual column


def _set_measures_cell(row: int, column: str, value: object) -> Callable[[openpyxl.Workbook], None]:
    def edit(book: openpyxl.Workbook) -> None:
        book["Measures"][f"{column}{row}"] = value

    return edit


def last_row_styled() -> bytes:
    """The test workbook with one yellow, empty cell at Measures!A1048576."""

    def edit(book: openpyxl.Workbook) -> None:
        book["Measures"].cell(row=EXCEL_MAX_ROW, column=1).fill = PatternFill("solid", fgColor="FFFF00")

    return edited(plain_workbook(), edit)


def last_row_value() -> bytes:
    """The test workbook with a PI code typed at Measures!A1048576, a million rows below the measures."""
    return edited(plain_workbook(), _set_measures_cell(EXCEL_MAX_ROW, "A", "CFSE.99"))


def lying_dimension(count: int = 12) -> bytes:
    """``count`` measures in a sheet whose stored <dimension> claims A1:B2."""
    rows = [{**MEASURES[0], "PI Code": f"CFSE.{100 + n}"} for n in range(count)]
    data = make_workbook(measures=rows)
    sheet = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', members(data)[MEASURES_PART])
    return rezip(data, {MEASURES_PART: sheet})


def formula_without_value() -> bytes:
    """CFSE.1's latest actual is a formula with no saved value (written by a program, never opened in Excel)."""
    return edited(plain_workbook(), _set_measures_cell(*measure_cell(0, LATEST), "=SUM(9,0.1)"))


def error_cell() -> bytes:
    """CFSE.1's latest actual is the error value #DIV/0!."""
    return edited(plain_workbook(), _set_measures_cell(*measure_cell(0, LATEST), "#DIV/0!"))


def na_and_none_codes() -> bytes:
    return make_workbook(measures=[{**MEASURES[0], "PI Code": "NA", "Cohort": "None"},
                                   {**MEASURES[1], "PI Code": "None", "PI Name": "None"}])  # fmt: skip


def dated(epoch_1904: bool) -> bytes:
    """The Portfolio sheet's Date is a real date (31 January 2022), in a 1900- or 1904-epoch workbook."""

    def edit(book: openpyxl.Workbook) -> None:
        if epoch_1904:
            book.epoch = CALENDAR_MAC_1904
        sheet = book["Portfolio"]
        row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "Date")
        sheet.cell(row, 2).value = dt.datetime(2022, 1, 31)
        sheet.cell(row, 2).number_format = "dd/mm/yyyy"

    return edited(plain_workbook(), edit)


CONTROL_COMMENTARY = "Before_x0007_ after_x000B_ end"  # how Excel stores BEL and VT inside cell text


def control_characters() -> bytes:
    return with_first_measure(Commentary=CONTROL_COMMENTARY)


RTL_AND_EMOJI = "تحسن الأداء 📈 — שיפור 👍🏽 Gwelliant ŵ ŷ"


def rtl_and_emoji() -> bytes:
    return with_first_measure(**{"PI Name": RTL_AND_EMOJI, "Commentary": RTL_AND_EMOJI})


def long_commentary(length: int = EXCEL_MAX_CELL_CHARS) -> str:
    words = "Performance improved against the target in the quarter, with 258 of 2,381 referrals repeated. "
    return (words * (length // len(words) + 1))[:length]


def long_commentary_workbook() -> bytes:
    return with_first_measure(Commentary=long_commentary())


# ---------------------------------------------------------------------------------------------------------------
# Running a file through pprr in a child process with bounded memory and time

PYTHON = sys.executable
CHILD_MEMORY_BYTES = 1536 << 20
CHILD_TIMEOUT_S = 120  # a bound on a hung child, far above the second or so a file takes

_LOAD_SCRIPT = """
import json, sys
from pprr import load_workbook
wb = load_workbook(sys.argv[1])
print(json.dumps({"codes": [m.label for m in wb.measures],
                  "problems": [[p.severity.value, p.sheet, p.row, p.column, p.message] for p in wb.problems]}))
"""
_BOUNDED = (
    "import resource, runpy, sys; "
    "resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit})); "
    "sys.argv = sys.argv[1:]; "
    "runpy.run_module(sys.argv[0], run_name='__main__') if sys.argv[0] != '-c' else exec(sys.argv.pop(1))"
)


def start_bounded(module: str, *args: str) -> subprocess.Popen:
    """``python -m module args...`` (or ``python -c code args...`` when module is "-c") from the project root,
    limited to CHILD_MEMORY_BYTES of address space by ``resource.setrlimit(RLIMIT_AS)`` in the child."""
    code = _BOUNDED.format(limit=CHILD_MEMORY_BYTES)
    return subprocess.Popen([PYTHON, "-c", code, module, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


def finish_bounded(child: subprocess.Popen) -> subprocess.CompletedProcess:
    """Wait for a child started by start_bounded; a child still running after CHILD_TIMEOUT_S is killed and raises."""
    try:
        out, err = child.communicate(timeout=CHILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def load_in_child(path: Path) -> dict:
    """``load_workbook(path)`` in a bounded child: the measures' labels and the problems, as plain JSON."""
    done = finish_bounded(start_bounded("-c", _LOAD_SCRIPT, str(path)))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
