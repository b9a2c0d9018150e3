import csv
import io
import re
import string

import pytest
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph

from pprr.safe_text import (
    EXCEL_CELL_LIMIT,
    csv_safe,
    excel_text,
    html_text,
    markdown_html_block,
    markdown_text,
    pdf_text,
    terminal_text,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\n=1+1", "'\n=1+1"),
        ("-x", "'-x"),
        ("On target", "On target"),
        ("9.1% vs target 9.5%", "9.1% vs target 9.5%"),
        ("", ""),
        ("-0.8", "-0.8"),  # a plain number is read as the number it is
        ("+5%", "+5%"),
        ("-1,234.5", "-1,234.5"),
        (-0.8, -0.8),
        (12, 12),
        (None, None),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_csv_safe_payload_round_trips_through_csv_verbatim_after_the_apostrophe():
    payload = '=cmd|"/C calc"!A0,"quoted"\nnext'
    buffer = io.StringIO()
    csv.writer(buffer).writerow([csv_safe(payload)])
    (cell,) = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert cell == "'" + payload


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a\r\nb\rc", "a\nb\nc"),
        ("=HYPERLINK(\"x\")", "=HYPERLINK(\"x\")"),
        ("Welsh ŵ ŷ, £ and − ✓ 🙂 עברית", "Welsh ŵ ŷ, £ and − ✓ 🙂 עברית"),
        ("tab\there", "tab\there"),
    ],
)
def test_excel_text_keeps_text(value, expected):
    assert excel_text(value) == expected


@pytest.mark.parametrize("bad", ["bell\x07", "nul\x00", "esc\x1b[31m", "lone \ud800 surrogate"])
def test_excel_text_refuses_characters_a_cell_cannot_hold(bad):
    with pytest.raises(ValueError, match="control character"):
        excel_text(bad)


def test_excel_text_limit_counts_as_excel_does():
    assert excel_text("x" * EXCEL_CELL_LIMIT) == "x" * EXCEL_CELL_LIMIT
    with pytest.raises(ValueError, match="32,767"):
        excel_text("x" * (EXCEL_CELL_LIMIT + 1))
    # an emoji is two UTF-16 units in Excel's count
    with pytest.raises(ValueError, match="32,768 characters"):
        excel_text("🙂" + "x" * (EXCEL_CELL_LIMIT - 1))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('"><img src=x onerror=alert(1)>', "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
        ("R&D", "R&amp;D"),
        (None, ""),
        (12.5, "12.5"),
    ],
)
def test_html_text(value, expected):
    assert html_text(value) == expected


@pytest.mark.parametrize(
    "payload",
    [
        "![pixel](http://evil.example/p.gif)",
        "<img src=http://evil.example/p.gif>",
        "[click](javascript:alert(1))",
        "**bold** _em_ `code` # heading",
        ":red[alarm] $x^2$ :smile:",
        "a\\b",
    ],
)
def test_markdown_text_escapes_every_special(payload):
    escaped = markdown_text(payload)
    # CommonMark shows a backslash-escaped punctuation character literally: every one must be escaped ...
    punct = re.escape(string.punctuation)
    assert re.fullmatch(rf"(?:\\[{punct}]|[^{punct}])*", escaped)
    # ... and removing the escapes gives the text back unchanged
    assert re.sub(r"\\(.)", r"\1", escaped) == payload


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<svg><desc>a</desc></svg>", "<div>\n<svg><desc>a</desc></svg>\n</div>"),
        # a blank line would end the HTML block and hand what follows to the Markdown parser
        ("<svg><desc>a\n\n**b** [c](x)</desc></svg>", "<div>\n<svg><desc>a  **b** [c](x)</desc></svg>\n</div>"),
        ("<p>x</p>\r\n\r\n<p>y</p>", "<div>\n<p>x</p>    <p>y</p>\n</div>"),
    ],
)
def test_markdown_html_block_is_one_block_with_no_blank_line(markup, expected):
    block = markdown_html_block(markup)
    assert block == expected
    assert block.split("\n")[0] == "<div>" and block.split("\n")[-1] == "</div>" and block.count("\n") == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("R&D <b>improved", "R&amp;D &lt;b&gt;improved"),
        ("<font size=1 color=white>hidden</font>", "&lt;font size=1 color=white&gt;hidden&lt;/font&gt;"),
        ('<img src="/etc/passwd"/>', '&lt;img src="/etc/passwd"/&gt;'),
        ("line one\nline two\r\nthree", "line one<br/>line two<br/>three"),
        (None, ""),
    ],
)
def test_pdf_text(value, expected):
    assert pdf_text(value) == expected


@pytest.mark.parametrize(
    "payload", ["R&D <b>improved", '<a href="javascript:x">x</a>', "<img src='/x.png'/>", "<para>"]
)
def test_pdf_text_paragraph_shows_the_payload_verbatim(payload):
    paragraph = Paragraph(pdf_text(payload), getSampleStyleSheet()["Normal"])
    assert paragraph.getPlainText() == payload


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("\x1b]0;owned\x07red", "?]0;owned?red"),
        ("two\nlines", "two lines"),
        ("plain £ ✓", "plain £ ✓"),
        ("\x9b31m", "?31m"),
    ],
)
def test_terminal_text(value, expected):
    assert terminal_text(value) == expected
