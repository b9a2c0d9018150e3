"""Output encoders, one per sink: user text leaves pprr as data, never as a formula, markup or terminal control.

Every string taken from a workbook or typed by an officer passes through the encoder of the place it is written to:
``csv_safe`` for CSV cells, ``excel_text`` for workbook cells, ``html_text`` for HTML, ``markdown_text`` for
Markdown (and ``markdown_html_block`` for HTML shown through Markdown), ``pdf_text`` for reportlab paragraphs and
``terminal_text`` for the command line.
"""

from __future__ import annotations

import html
import re
import string

# Excel's limit on the text of one cell, counted (as Excel counts) in UTF-16 code units.
EXCEL_CELL_LIMIT = 32_767

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")
# Characters an .xlsx cell cannot hold (XML 1.0 forbids them); tab, LF and CR are allowed.
_EXCEL_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MARKDOWN_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
_TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def csv_safe(value: object) -> object:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection).

    Text beginning with ``= + - @``, tab, CR or LF gets a leading apostrophe. Numbers, and text that is only a
    plain number such as ``-0.8`` or ``+5%``, are left alone: a spreadsheet reads them as the number they are.
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_PREFIXES):
        return value
    if _PLAIN_NUMBER.match(value):
        return value
    return "'" + value


def excel_text(value: str) -> str:
    """Text ready for a workbook cell, or ValueError when a cell cannot hold it.

    Line endings become ``\\n`` (an .xlsx file cannot keep a bare CR); control characters an .xlsx cell cannot
    store, and text longer than Excel's 32,767-character cell limit, are refused rather than dropped or truncated.
    The caller stores the result as a string cell so that text beginning with ``=`` stays text.
    """
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    bad = _EXCEL_ILLEGAL.search(text)
    if bad:
        raise ValueError(
            f"The text holds a control character (code {ord(bad.group()):#04x}) that an Excel cell cannot store; "
            "remove it and try again"
        )
    length = len(text.encode("utf-16-le")) // 2
    if length > EXCEL_CELL_LIMIT:
        raise ValueError(
            f"The text is {length:,} characters long; an Excel cell holds at most {EXCEL_CELL_LIMIT:,}. "
            "Shorten it: nothing was cut off or saved"
        )
    return text


def html_text(value: object) -> str:
    """Text for HTML: ``<``, ``>``, ``&`` and quotes escaped."""
    return html.escape("" if value is None else str(value), quote=True)


def markdown_html_block(markup: str) -> str:
    """HTML made by pprr (every user string in it already through :func:`html_text`) as one raw HTML block of a
    Markdown text: a ``<div>`` on a line of its own, then the markup on one line. Markdown leaves an HTML block as
    it is up to the first blank line; with the markup's own line breaks made spaces there is none, so no user text
    in it (a ``*``, ``[`` or ``_``) is ever read as Markdown."""
    return "<div>\n" + " ".join(markup.replace("\r", "\n").split("\n")) + "\n</div>"


def markdown_text(value: object) -> str:
    """Text for Markdown shown literally: every ASCII punctuation character is backslash-escaped.

    Links, images (``![x](http://...)``), raw HTML (``<img>``), emphasis, headings, LaTeX (``$``) and emoji or
    colour directives (``:red[...]``) all come out as the characters typed.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", "" if value is None else str(value))


def pdf_text(value: object) -> str:
    """Text for a reportlab Paragraph: markup characters escaped, line breaks kept as ``<br/>``."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # xml.sax.saxutils.escape, without importing it (it imports urllib.request, ssl and email: 30 ms a process)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\n", "<br/>")


def terminal_text(value: object) -> str:
    """Text for a terminal: control characters (escape sequences included) shown as ``?``, newlines as spaces."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _TERMINAL_CONTROL.sub("?", text)
