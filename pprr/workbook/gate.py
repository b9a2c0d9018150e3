"""The upload gate: what an uploaded file must pass, on its raw bytes, before any parser sees it.

A council runs one pprr server for many officers, so one bad upload must not take it down. The gate sniffs the
bytes (never the file name), refuses files that are not an Excel workbook with a message saying what to do, and
checks the zip before anything inflates it: member count, declared sizes, compression ratio, encrypted members and
XML that declares a DOCTYPE or entities. The declared sizes are then checked against the real ones by inflating
each member in small chunks, stopping as soon as a member gives more than it declared, so a zip whose headers lie
is refused after at most ``MAX_TOTAL_MB`` of inflating and in constant memory.
"""

from __future__ import annotations

import io
import os
import re
import struct
import sys
import zipfile
import zlib

from ..model import Problem, Severity

MAX_UPLOAD_MB = 20  # also the app's upload limit (.streamlit/config.toml, server.maxUploadSize)
MAX_MEMBERS = 10_000  # Excel writes about two parts per sheet: a 1,024-sheet workbook has some 2,100
MAX_MEMBER_MB = 100  # declared uncompressed size of one part
MAX_TOTAL_MB = 150  # declared uncompressed size of all parts together
MAX_RATIO = 200  # uncompressed / compressed, for parts larger than RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 1 << 20
XML_PROLOG_BYTES = 64 << 10  # how far into a part the XML declaration, comments and DOCTYPE may reach

_MB = 1 << 20
_CHUNK = 64 << 10
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_LOCAL_HEADER = struct.Struct("<4s22xHH")
_ENCRYPTED_FLAGS = 0x01 | 0x40  # general purpose flags: encrypted, strong encryption
_PATCHED_FLAG = 0x20  # compressed patched data
_STRICT_NS = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
_CONTENT_TYPES = "[Content_Types].xml"
_DEFAULT_WORKBOOK = "xl/workbook.xml"
_WORKBOOK_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)
_MACRO_TYPES = (
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml",
)
_BINARY_TYPE = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_MACRO_PARTS = ("vbaproject.bin",)  # judged by what is inside: a VBA project part, or an Excel 4 macro sheet
_MACRO_FOLDER = "xl/macrosheets/"
_OVERRIDE = re.compile(rb"<(?:\w+:)?Override\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(rb"""\b(PartName|ContentType)\s*=\s*["']([^"']*)["']""")
_NAME_START = re.compile(r"<[A-Za-z_:\u00c0-\uffff]")

_SAVE_AS = "open it in Excel and use File > Save As > Excel Workbook (.xlsx)"
EMPTY = "The file is empty: choose the workbook again, or save it in Excel and upload the saved copy."
TOO_LARGE = f"The file is larger than {MAX_UPLOAD_MB} MB: remove unused sheets or images and save it again."
TRUNCATED = "The file is incomplete or damaged (it may not have finished copying): save it again in Excel and upload it."
ENCRYPTED = "The workbook is password-protected: remove the password (File > Info > Protect Workbook) and save again."
OLD_XLS = "This is an old-style Excel file (.xls): use pprr import (Import in the app), or save it as .xlsx in Excel."
ODS = "This is an OpenDocument spreadsheet (.ods): use pprr import (Import in the app), or save it as .xlsx."
PDF = "This is a PDF, not an Excel workbook: upload the .xlsx workbook the report was made from."
HTML = f"This is a web page (HTML) saved with an Excel name, not a workbook: {_SAVE_AS}."
XML = f"This is an XML file (perhaps an Excel 2003 XML spreadsheet), not a workbook: {_SAVE_AS}."
CSV = f"This is a CSV or text file, not an Excel workbook: {_SAVE_AS}."
TEXT = "This is a plain text file, not an Excel workbook: upload the .xlsx workbook."
UNKNOWN = "This is not an Excel workbook (.xlsx): upload the workbook saved from Excel as .xlsx."
NOT_WORKBOOK = "This is a zip file but not an Excel workbook: upload the workbook saved from Excel as .xlsx."
MACROS = f"This is a macro-enabled workbook (.xlsm): save it as .xlsx without macros ({_SAVE_AS})."
BINARY = f"This is an Excel Binary Workbook (.xlsb): {_SAVE_AS}."
STRICT = "This workbook is saved as Strict Open XML: use File > Save As > Excel Workbook (.xlsx), not Strict Open XML."
TOO_MANY_PARTS = f"The workbook has more than {MAX_MEMBERS} internal parts: it cannot be a report workbook."
TOO_BIG_INSIDE = (
    f"The workbook unpacks to more than {MAX_TOTAL_MB} MB: remove unused rows, sheets or formatting and save again."
)
PART_TOO_BIG = f"One sheet unpacks to more than {MAX_MEMBER_MB} MB: remove unused rows or formatting and save again."
BOMB = "The workbook unpacks to far more than its size suggests and was refused: save it again in Excel."
SIZES_LIE = "The workbook's internal sizes do not match its contents and it was refused: save it again in Excel."
ENCRYPTED_PART = "Part of the workbook is encrypted: remove the password in Excel and save again."
ODD_COMPRESSION = f"The workbook uses a compression Excel does not write: {_SAVE_AS}."
DOCTYPE = "The workbook contains XML declarations (DOCTYPE or ENTITY) that Excel never writes and was refused."
LONG_PROLOG = "The workbook's XML starts with an unusually long header that Excel never writes and was refused."


class _Refused(Exception):
    """Raised inside the gate to stop at the first reason to refuse; never leaves this module."""


def check_upload(data: bytes, filename: str | None = None, for_import: bool = False) -> list[Problem]:
    """Problems that stop this upload before any parser runs: empty when the bytes may go to the reader.

    Every problem is an error on sheet "File" with a one-line message telling the officer what to do.
    ``filename`` only sharpens a message (a ``.csv`` name says CSV); the bytes decide. ``for_import`` also lets
    through what python-calamine reads as a source to import from: old Excel (.xls) and OpenDocument (.ods), with
    every zip check still made on an .ods.
    """
    try:
        _check(bytes(data), filename or "", for_import)
    except _Refused as refusal:
        return [Problem(Severity.ERROR, "File", None, None, str(refusal))]
    return []


def assert_safe_xml_parser() -> None:
    """Fail loudly when openpyxl is not parsing with defusedxml (an entity bomb would crash the process).

    Once openpyxl is imported its own flag decides. Before that the same rule openpyxl applies when it is imported
    is read without importing it (openpyxl and the numpy it brings cost a fresh ``pprr pack`` a third of a second,
    and calamine reads the workbooks): ``OPENPYXL_DEFUSEDXML`` unset or ``True``, and defusedxml importable. The
    code that parses a file through openpyxl checks again after importing it.
    """
    openpyxl = sys.modules.get("openpyxl")
    if openpyxl is not None and hasattr(openpyxl, "DEFUSEDXML"):
        safe = bool(openpyxl.DEFUSEDXML)
    else:
        safe = os.environ.get("OPENPYXL_DEFUSEDXML", "True") == "True" and _defusedxml_available()
    if not safe:
        raise RuntimeError(
            "openpyxl is not using defusedxml: install defusedxml and unset OPENPYXL_DEFUSEDXML before starting pprr"
        )


def _defusedxml_available() -> bool:
    try:
        import defusedxml  # noqa: F401
    except ImportError:
        return False
    return True


def source_kind(data: bytes) -> str:
    """What a file that passed the gate is: "xlsx", "xls" (OLE2) or "ods" (OpenDocument), judged by its bytes."""
    if data.startswith(_OLE2):
        return "xls"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "ods" if _is_ods(zf) else "xlsx"
    except (zipfile.BadZipFile, OSError, ValueError):
        return "xlsx"


def _check(data: bytes, filename: str, for_import: bool = False) -> None:
    if not data:
        raise _Refused(EMPTY)
    if len(data) > MAX_UPLOAD_MB * _MB:
        raise _Refused(TOO_LARGE)
    if data.startswith(_OLE2):
        encrypted = b"EncryptedPackage" in data or "EncryptedPackage".encode("utf-16-le") in data
        if encrypted or not for_import:
            raise _Refused(ENCRYPTED if encrypted else OLD_XLS)
        return
    if not data.startswith(_ZIP):
        raise _Refused(_sniff_not_zip(data, filename))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            _check_zip(zf, data, for_import)
    except (zipfile.BadZipFile, zlib.error, EOFError, struct.error, ValueError, OSError, NotImplementedError,
            RuntimeError):
        raise _Refused(TRUNCATED) from None


def _sniff_not_zip(data: bytes, filename: str) -> str:
    head = data[:2048]
    if head.startswith(b"%PDF"):
        return PDF
    text = _decode_head(head)
    if text is None:
        return UNKNOWN
    start = text.lstrip().casefold()
    if start.startswith(("<!doctype", "<html")) or "<html" in start[:1024]:
        return HTML
    if start.startswith("<?xml"):
        return XML
    first = text.splitlines()[0] if text.splitlines() else ""
    if filename.casefold().endswith((".csv", ".tsv")) or "," in first or "\t" in first or ";" in first:
        return CSV
    return TEXT


def _decode_head(head: bytes) -> str | None:
    """The start of a text file as text, or None when it looks binary."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, errors="replace")
    text = head.decode("utf-8", errors="replace")
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n\f")
    if "\x00" in text or controls > len(text) // 20 or text.count("\ufffd") > len(text) // 20:
        return None
    return text


def _check_zip(zf: zipfile.ZipFile, data: bytes, for_import: bool = False) -> None:
    infos = zf.infolist()
    _check_declared(infos)
    for info in infos:
        _check_inflated(zf, info, data)
    for info in infos:
        _check_xml_prolog(zf, info)
    if _is_ods(zf):
        if not for_import:
            raise _Refused(ODS)
        return
    _check_workbook(zf)


def _is_ods(zf: zipfile.ZipFile) -> bool:
    """An OpenDocument spreadsheet: its first member is ``mimetype`` naming the spreadsheet type."""
    try:
        info = zf.getinfo("mimetype")
    except KeyError:
        return False
    if info.file_size > 200:
        return False
    with zf.open(info) as part:
        return part.read(200).strip() == _ODS_MIMETYPE


def _check_declared(infos: list[zipfile.ZipInfo]) -> None:
    """Everything the central directory says, checked before a single byte is inflated."""
    if len(infos) > MAX_MEMBERS:
        raise _Refused(TOO_MANY_PARTS)
    if any(info.flag_bits & _ENCRYPTED_FLAGS for info in infos):
        raise _Refused(ENCRYPTED_PART)
    if any(info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & _PATCHED_FLAG
           for info in infos):
        raise _Refused(ODD_COMPRESSION)
    for info in infos:
        if info.file_size > MAX_MEMBER_MB * _MB:
            raise _Refused(PART_TOO_BIG)
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _Refused(BOMB)
        if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            raise _Refused(SIZES_LIE)
    if sum(info.file_size for info in infos) > MAX_TOTAL_MB * _MB:
        raise _Refused(TOO_BIG_INSIDE)


def _check_inflated(zf: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
    """Inflate one member in chunks, refusing as soon as it gives more (or less) than it declared.

    zipfile itself stops at the declared size, but other readers may not, so the declaration is verified here on
    the raw deflate stream. Memory stays at one chunk; time is bounded by the declared sizes checked before.
    """
    if info.compress_type != zipfile.ZIP_DEFLATED or info.compress_size == info.file_size == 0:
        return
    signature, name_len, extra_len = _LOCAL_HEADER.unpack_from(data, info.header_offset)
    if signature != b"PK\x03\x04":
        raise _Refused(TRUNCATED)
    start = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
    stream = memoryview(data)[start : start + info.compress_size]
    inflater = zlib.decompressobj(-15)
    produced = 0
    for offset in range(0, len(stream), _CHUNK):
        pending = stream[offset : offset + _CHUNK]
        while pending and not inflater.eof:
            produced += len(inflater.decompress(pending, _CHUNK))
            if produced > info.file_size:
                raise _Refused(SIZES_LIE)
            pending = inflater.unconsumed_tail
        if inflater.eof:
            break
    if not inflater.eof or produced != info.file_size:
        raise _Refused(TRUNCATED if not inflater.eof else SIZES_LIE)


def _check_xml_prolog(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse a part whose XML prolog declares a DOCTYPE or entities, reading at most XML_PROLOG_BYTES of it."""
    with zf.open(info) as part:
        head = part.read(XML_PROLOG_BYTES)
    text = _xml_text(head)
    if text is None:
        return
    if "<!doctype" in text.casefold() or "<!entity" in text.casefold():
        raise _Refused(DOCTYPE)
    if not _prolog_ends(text) and len(head) == XML_PROLOG_BYTES:
        raise _Refused(LONG_PROLOG)


def _xml_text(head: bytes) -> str | None:
    """The head of an XML part as text (UTF-8 or UTF-16), or None when the part is not XML (an image, a .bin)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    elif head.startswith((b"<\x00", b"\x00<")):
        text = head.decode("utf-16-le" if head[0] else "utf-16-be", errors="replace")
    else:
        text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    return text if text.lstrip().startswith("<") else None


def _prolog_ends(text: str) -> bool:
    """Whether the root element's start tag appears after the declaration, comments and processing instructions."""
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if text.startswith("<?", pos):
            end = text.find("?>", pos)
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos)
        else:
            return _NAME_START.match(text, pos) is not None
        if end < 0:
            return False
        pos = end + 2


def _check_workbook(zf: zipfile.ZipFile) -> None:
    # Excel reads zip paths written with backslashes (some Windows libraries write them): so does pprr.
    names = {info.filename.replace("\\", "/").lstrip("/"): info for info in zf.infolist()}
    if _CONTENT_TYPES not in names:
        raise _Refused(NOT_WORKBOOK)
    with zf.open(names[_CONTENT_TYPES]) as part:
        overrides = _content_type_overrides(_utf8(part.read(MAX_MEMBER_MB * _MB)))
    types = set(overrides.values())
    if _BINARY_TYPE in types:
        raise _Refused(BINARY)
    # Macros are judged by what is inside, not by the content-type label: a workbook labelled macro-enabled with
    # no VBA project and no macro sheet holds no macros.
    folded = [name.casefold() for name in names]
    if any(name.endswith(_MACRO_PARTS) or name.startswith(_MACRO_FOLDER) for name in folded):
        raise _Refused(MACROS)
    workbook = next((name for name, kind in overrides.items() if kind in _WORKBOOK_TYPES + _MACRO_TYPES),
                    _DEFAULT_WORKBOOK)
    if workbook not in names:
        raise _Refused(NOT_WORKBOOK)
    with zf.open(names[workbook]) as part:
        head = part.read(XML_PROLOG_BYTES)
    text = _xml_text(head)
    if _STRICT_NS in head or (text is not None and _STRICT_NS.decode() in text):
        raise _Refused(STRICT)


def _utf8(xml: bytes) -> bytes:
    """An XML part as UTF-8 bytes, whether Excel wrote it in UTF-8 or UTF-16 (Excel Mobile does)."""
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")):
        return xml.decode("utf-16", errors="replace").encode("utf-8")
    if xml.startswith((b"<\x00", b"\x00<")):
        return xml.decode("utf-16-le" if xml[0] else "utf-16-be", errors="replace").encode("utf-8")
    return xml


def _content_type_overrides(xml: bytes) -> dict[str, str]:
    """PartName (without the leading slash) -> ContentType, from [Content_Types].xml (already checked for DOCTYPE)."""
    overrides = {}
    for tag in _OVERRIDE.findall(xml):
        attrs = {key.decode(): value.decode("utf-8", errors="replace") for key, value in _ATTR.findall(tag)}
        if "PartName" in attrs and "ContentType" in attrs:
            overrides[attrs["PartName"].lstrip("/")] = attrs["ContentType"].strip()
    return overrides
