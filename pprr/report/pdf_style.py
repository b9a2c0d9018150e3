"""The look of the committee pack: fonts, paragraph styles, page furniture, tables, and the document that lays
the pages out in one pass.

Every piece of workbook text reaches a reportlab Paragraph through :func:`para` or :func:`paras`, which escape it
(``pprr.safe_text.pdf_text``) and cap pathological lengths, so commentary prints exactly as typed.

Numbers that are only known once every page is laid out (the contents' page numbers, "Page X of Y") are drawn as
PDF forms: a page refers to a form by name while it is drawn, and the document defines the forms at the end.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from ..rules.status import STATUS_STYLES, Status
from ..safe_text import pdf_text
from .typeface import BOLD, FONT, FONTS, register_fonts  # noqa: F401  (FONTS: where the packs' fonts live)

PAGE_W, PAGE_H = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 16 * mm, 22 * mm, 18 * mm
CONTENT_W = PAGE_W - 2 * MARGIN_X
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
LANG = "en-GB"
TEXT_LIMIT = 20_000  # characters of one commentary printed before it is cut
CELL_LIMIT = 600  # characters of one table cell
CHUNK_ROWS = 40  # body rows of a table measured at a time; a longer table splits across pages in linear time
NUMBER_W = 14 * mm  # the contents' page-number column
TRUNCATED = "… (truncated in the pack; full text in the workbook)"
INK = colors.HexColor("#1A1A1A")
GREY = colors.HexColor("#5A5A5A")
RULE = colors.HexColor("#B8B8B8")
HEAD_FILL = colors.HexColor("#E6EBF2")
TOTAL_FILL = colors.HexColor("#F2F2F2")
MARK = colors.HexColor("#B3261E")


def _style(name: str, size: float = 9.5, font: str = FONT, leading: float | None = None, **kw) -> ParagraphStyle:
    kw.setdefault("textColor", INK)
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.3, **kw)


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    """Every text style; nothing a reader must read is smaller than 9 pt (the page furniture is 8 pt)."""
    register_fonts()
    keep = {"allowWidows": 0, "allowOrphans": 0}
    return {
        "title": _style("title", 24, BOLD, spaceAfter=5 * mm),
        "subtitle": _style("subtitle", 14, spaceAfter=4 * mm, textColor=GREY),
        "cover": _style("cover", 14, BOLD, spaceAfter=2 * mm, textColor=GREY),
        "h1": _style("h1", 16, BOLD, spaceBefore=2 * mm, spaceAfter=3 * mm),
        "h2": _style("h2", 12.5, BOLD, spaceBefore=4 * mm, spaceAfter=2 * mm),
        "h3": _style("h3", 11, BOLD, spaceBefore=3 * mm, spaceAfter=1.5 * mm),
        "h4": _style("h4", 10, BOLD, spaceBefore=3 * mm, spaceAfter=1 * mm),
        "body": _style("body", 10, spaceAfter=2 * mm, **keep),
        "lead": _style("lead", 10.5, spaceAfter=3 * mm, **keep),
        "item": _style("item", 10, leftIndent=8 * mm, firstLineIndent=-8 * mm, spaceAfter=1.5 * mm, **keep),
        "note": _style("note", 9, textColor=GREY, spaceAfter=2 * mm, **keep),
        "small": _style("small", 8, textColor=GREY, spaceBefore=6 * mm),
        "cell": _style("cell", 9),
        "cell_note": _style("cell_note", 9, textColor=GREY),
        "cell_bold": _style("cell_bold", 9, BOLD),
        "cell_right": _style("cell_right", 9, alignment=TA_RIGHT),
        "cell_right_bold": _style("cell_right_bold", 9, BOLD, alignment=TA_RIGHT),
        "cell_head": _style("cell_head", 9, BOLD),
        "cell_head_right": _style("cell_head_right", 9, BOLD, alignment=TA_RIGHT),
        "badge": _style("badge", 9, BOLD),
        "mark": _style("mark", 14, BOLD, textColor=MARK, spaceBefore=4 * mm),
        "toc0": _style("toc0", 11, BOLD, rightIndent=NUMBER_W),
        "toc1": _style("toc1", 10, leftIndent=8 * mm, rightIndent=NUMBER_W),
    }


def capped(text: str, limit: int = TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + TRUNCATED


class Text(Paragraph):
    """A Paragraph that remembers its line breaks for the last width it was wrapped to: a table cell is measured
    when the table is split across pages and again when each part is drawn, and breaking lines is the costly part."""

    _wrapped: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth, availHeight):
        # a split that finds no room drops the line breaks (``blPara``): they are worked out again then
        if self._wrapped is None or self._wrapped[0] != availWidth or not hasattr(self, "blPara"):
            self._wrapped = (availWidth, super().wrap(availWidth, availHeight))
        return self._wrapped[1]


def para(text: object, style: str = "body", limit: int = TEXT_LIMIT) -> Paragraph:
    """One Paragraph of user (or any) text, escaped and capped."""
    return Text(pdf_text(capped("" if text is None else str(text), limit)), styles()[style])


def markup(fragment: str, style: str = "body") -> Paragraph:
    """A Paragraph of pprr's own markup; every user string in ``fragment`` must already have passed :func:`esc`."""
    return Text(fragment, styles()[style])


def esc(text: object, limit: int = CELL_LIMIT) -> str:
    return pdf_text(capped("" if text is None else str(text), limit))


def paras(text: str, style: str = "body") -> list[Paragraph]:
    """Commentary as one Paragraph per blank-line-separated block, so long text flows across pages."""
    text = capped(text.strip())
    return [para(block.strip(), style) for block in re.split(r"\n\s*\n", text) if block.strip()]


def _wrap_words(text: str, font: str, size: float, room: float) -> list[str] | None:
    """``text`` broken at spaces into lines no wider than ``room``; None when a single word is wider (the
    Paragraph's own breaking, which splits words, then applies)."""
    lines, current = [], ""
    space = pdfmetrics.stringWidth(" ", font, size)
    width = 0.0
    for word in text.split(" "):
        w = pdfmetrics.stringWidth(word, font, size)
        if w > room:
            return None
        if current and width + space + w <= room:
            current, width = f"{current} {word}", width + space + w
        else:
            if current:
                lines.append(current)
            current, width = word, w
    lines.append(current)
    return lines


@functools.cache
def _colour(hex_colour: str) -> colors.Color:
    """A ``#RRGGBB`` colour as reportlab's Color, made once (cells are drawn by the thousand)."""
    return colors.toColor(hex_colour)


class Plain(Flowable):
    """Short plain text for a table cell: one or more lines, each in its own style (and colour, if given).

    Text is broken at spaces and drawn line by line, which spares the many cells of a long table the Paragraph
    machinery (markup parsing, line breaking); a word wider than its cell, or text holding control characters, is
    an escaped Paragraph that wraps. Runs of white space print as one space, as in a Paragraph; a line longer than
    CELL_LIMIT characters is cut with TRUNCATED.
    """

    def __init__(self, *lines: tuple[object, str] | tuple[object, str, str]):
        super().__init__()
        self.lines = tuple((" ".join(str(text).split()), styles()[style], colour[0] if colour else None)
                           for text, style, *colour in lines)
        self._colours = tuple(_colour(colour) if colour else style.textColor for _, style, colour in self.lines)
        self._wrapped: tuple[float, list[tuple[Paragraph | list[str], float]]] | None = None

    def _measure(self, width: float) -> list[tuple[Paragraph | list[str], float]]:
        """(the Paragraph a line wraps as, or the lines it is drawn as; its height) per line."""
        parts = []
        for text, style, colour in self.lines:
            room = width - style.leftIndent - style.rightIndent
            if not text:
                parts.append(([], 0))
                continue
            if text.isprintable():
                shown = capped(text, CELL_LIMIT)
                broken = _wrap_words(shown, style.fontName, style.fontSize, room)
                if broken is not None:
                    parts.append((broken, style.leading * len(broken)))
                    continue
            fragment = esc(text)
            wrapped = Text(f"<font color='{colour}'>{fragment}</font>" if colour else fragment, style)
            parts.append((wrapped, wrapped.wrap(width, 1e9)[1]))
        return parts

    def wrap(self, availWidth, availHeight):
        if self._wrapped is None or self._wrapped[0] != availWidth:
            self._wrapped = (availWidth, self._measure(availWidth))
        self.width, self.height = availWidth, sum(height for _, height in self._wrapped[1])
        return self.width, self.height

    def draw(self):
        # drawOn, which calls this, saves the canvas's state around it: the font and colour set here go with it
        canvas, top = self.canv, self.height
        for (_, style, _), colour, (wrapped, height) in zip(self.lines, self._colours, self._wrapped[1]):
            if isinstance(wrapped, Paragraph):
                wrapped.drawOn(canvas, 0, top - height)
            elif wrapped:
                canvas.setFont(style.fontName, style.fontSize)
                canvas.setFillColor(colour)
                left, right = style.leftIndent, self.width - style.rightIndent
                baseline = top - style.fontSize
                for line in wrapped:
                    if style.alignment == TA_RIGHT:
                        canvas.drawRightString(right, baseline, line)
                    elif style.alignment == TA_CENTER:
                        canvas.drawCentredString((left + right) / 2, baseline, line)
                    else:
                        canvas.drawString(left, baseline, line)
                    baseline -= style.leading
            top -= height


def badge(status: Status) -> Flowable:
    """A status as symbol and word, in the status's dark text colour (the cell behind it is filled with the
    status's light fill by :func:`grid`: at least 4.5:1 between them)."""
    s = STATUS_STYLES[status]
    return Plain((f"{s.symbol} {s.label}", "badge", s.text))


@dataclass(frozen=True)
class Heading:
    """A heading that is also a contents entry and a PDF bookmark."""

    text: str
    level: int  # 0 = section, 1 = priority
    key: str
    style: str = "h1"
    toc: bool = True  # also listed in the contents (every heading is bookmarked)


class HeadingParagraph(Text):
    """A heading Paragraph; ``text`` shows something other than the bookmark's words (the cover shows the council)."""

    def __init__(self, heading: Heading, text: str | None = None):
        super().__init__(esc(heading.text if text is None else text, 300), styles()[heading.style])
        self.heading = heading


class KeepStart(CondPageBreak):
    """Before a run of headings: a new page unless the headings and the start of what follows them fit
    (a table's header and first two rows, three lines of a paragraph, a whole chart), so a heading never ends a
    page and a long table still starts on the page where there is room for it."""

    def __init__(self, headings: list[Flowable], after: Flowable | None):
        super().__init__(0)
        self.headings, self.after = headings, after

    def _start(self, width: float, room: float) -> float:
        after = self.after
        if after is None:
            return 0.0
        if isinstance(after, LongTable):
            after.canv = self.canv
            head, body = after._measure(width)
            return head + sum(body[after.first:after.first + 2])
        if isinstance(after, Paragraph):
            height = after.wrap(width, room)[1]
            leading = after.style.leading
            return min(height, 3 * leading) + after.style.spaceBefore
        if isinstance(after, (CondPageBreak, Contents)):
            return 0.0
        return after.wrapOn(self.canv, width, room)[1]

    def wrap(self, availWidth, availHeight):
        need = 0.0
        for h in self.headings:
            need += h.wrap(availWidth, availHeight)[1] + h.getSpaceBefore() + h.getSpaceAfter()
        self.height = need + self._start(availWidth, availHeight)
        return super().wrap(availWidth, availHeight)


_TABLE_LOOK = (
    ("FONT", (0, 0), (-1, -1), FONT, 9),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
    ("BOX", (0, 0), (-1, -1), 0.6, RULE),
    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
)


class _Rows:
    """A table's rows and how they look, from which a table of any run of its body rows is made."""

    def __init__(self, rows: list[list], widths: list[float], head_rows: int, fills: dict[tuple[int, int], str],
                 bold_rows: tuple[int, ...], spans: tuple[tuple[int, int, int], ...]):
        self.rows, self.widths, self.head_rows = rows, widths, head_rows
        self.body = len(rows) - head_rows
        self.looks: dict[int, list[tuple]] = {}  # row -> its style commands, with the row left out
        for row in bold_rows:
            self.looks.setdefault(row, []).append(("BACKGROUND", 0, -1, TOTAL_FILL))
        for (col, row), colour in fills.items():
            self.looks.setdefault(row, []).append(("BACKGROUND", col, col, colors.HexColor(colour)))
        for row, c0, c1 in spans:
            self.looks.setdefault(row, []).append(("SPAN", c0, c1))

    def table(self, first: int = 0, last: int | None = None,
              heights: tuple[list[float], list[float]] | None = None) -> Table:
        """The header rows and body rows ``first`` to ``last`` (body numbering) as one reportlab Table. With
        ``heights`` (every header and body row's height, as measured), the table's rows are not measured again."""
        head = self.head_rows
        shown = [*range(head), *range(head + first, head + (self.body if last is None else last))]
        commands = list(_TABLE_LOOK)
        if head:
            commands.append(("BACKGROUND", (0, 0), (-1, head - 1), HEAD_FILL))
        for at, row in enumerate(shown):
            commands += [(name, (c0, at), (c1, at), *more) for name, c0, c1, *more in self.looks.get(row, ())]
        row_heights = None
        if heights is not None:
            row_heights = [*heights[0], *heights[1][first:self.body if last is None else last]]
        return Table([self.rows[row] for row in shown], colWidths=self.widths, rowHeights=row_heights,
                     repeatRows=head, hAlign="LEFT", spaceAfter=3 * mm, style=TableStyle(commands))


class LongTable(Flowable):
    """A table of many rows that splits across pages in time proportional to its rows.

    A reportlab Table measures every remaining row each time it is split, which is quadratic in the rows of a long
    table. This one measures each row once, a chunk of rows at a time, and splits off a page's worth of rows as an
    ordinary Table (with the header repeated) and the rest as another LongTable that shares the measurements. The
    tables drawn are given the measured row heights, so their rows are not measured a second time.
    """

    def __init__(self, rows: _Rows, first: int = 0, heights: tuple[float, list[float]] | None = None,
                 row_heights: tuple[list[float], list[float]] | None = None):
        super().__init__()
        self.rows = rows
        self.first = first  # the first body row this part holds
        self.heights = heights  # (header height, every body row's height), once measured
        self.row_heights = row_heights  # (each header row's height, each body row's), once measured
        self._whole: Table | None = None  # a table of one chunk, kept from measuring to be drawn as it is
        self.width = sum(rows.widths)
        self.spaceAfter = 3 * mm
        self.hAlign = "LEFT"

    def _measure(self, width: float) -> tuple[float, list[float]]:
        if self.heights is None:
            head, body = [], []
            for start in range(0, self.rows.body, CHUNK_ROWS):
                table = self.rows.table(start, min(start + CHUNK_ROWS, self.rows.body))
                table.wrapOn(self.canv, width, 1e9)
                if self.rows.body <= CHUNK_ROWS:
                    self._whole = table
                heights = table._rowHeights  # every row's height, set by the wrap
                head = list(heights[:self.rows.head_rows])
                body.extend(heights[self.rows.head_rows:])
            self.heights = (sum(head), body)
            self.row_heights = (head, body)
        return self.heights

    def wrap(self, availWidth, availHeight):
        head, body = self._measure(availWidth)
        return self.width, head + sum(body[self.first:])

    def split(self, availWidth, availHeight):
        head, body = self._measure(availWidth)
        room, last = availHeight - head, self.first
        while last < len(body) and body[last] <= room:
            room -= body[last]
            last += 1
        if last < len(body):
            if last - self.first < 2 and len(body) - self.first > 2:
                return []  # one row alone at the foot of a page: the table starts on the next page
            if len(body) - last == 1 and last - self.first > 2:
                last -= 1  # and never one row alone at the head of the next page
        if last == self.first:
            return []
        part = self.rows.table(self.first, last, self.row_heights)
        return [part] if last == len(body) else [part, LongTable(self.rows, last, self.heights, self.row_heights)]

    def draw(self):
        table = self._whole if self.first == 0 and self._whole is not None else None
        if table is None:
            table = self.rows.table(self.first, heights=self.row_heights)
            table.wrapOn(self.canv, self.width, 1e9)
        table.drawOn(self.canv, 0, 0)


def grid(rows: list[list], widths: list[float], *, head_rows: int = 1, fills: dict[tuple[int, int], str] | None = None,
         bold_rows: tuple[int, ...] = (), spans: tuple[tuple[int, int, int], ...] = ()) -> Flowable:
    """A ruled table with a repeated shaded header, optional cell fills (col, row) -> colour, shaded total rows
    and row spans (row, first col, last col). The table breaks between rows; no row can outgrow a page because
    every cell's text is capped at CELL_LIMIT characters (commentary is never put in a table). A table of more
    than CHUNK_ROWS body rows is a :class:`LongTable`."""
    return LongTable(_Rows(rows, widths, head_rows, fills or {}, bold_rows, spans))


@dataclass(frozen=True)
class Furniture:
    """What every page carries: header text, the footer's committee and date, and the marks (ILLUSTRATIVE
    FIGURES, SCENARIO)."""

    header: str
    footer: str
    marks: tuple[str, ...] = ()


def _fit(text: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _form(kind: str, name: object) -> str:
    return f"pprr-{kind}-{name}"


def _at(canvas: Canvas, x: float, y: float, form: str) -> None:
    """Draw the named form (defined now or later) with its origin at (x, y)."""
    canvas.saveState()
    canvas.translate(x, y)
    canvas.doForm(form)
    canvas.restoreState()


def draw_page(canvas: Canvas, furniture: Furniture) -> None:
    """Header with portfolio and period, marks at the top right; generation date and "Page X of Y" in the footer
    (a form filled in by :meth:`PackDocument.build` once the page count is known)."""
    canvas.saveState()
    top = PAGE_H - 12 * mm
    marks = "  ·  ".join(furniture.marks)
    marks_w = pdfmetrics.stringWidth(marks, BOLD, 9) + (4 * mm if marks else 0)
    canvas.setFont(FONT, 8.5)
    canvas.setFillColor(GREY)
    canvas.drawString(MARGIN_X, top, _fit(furniture.header, FONT, 8.5, CONTENT_W - marks_w))
    if marks:
        canvas.setFont(BOLD, 9)
        canvas.setFillColor(MARK)
        canvas.drawRightString(PAGE_W - MARGIN_X, top, marks)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN_X, top - 2.5 * mm, PAGE_W - MARGIN_X, top - 2.5 * mm)
    canvas.line(MARGIN_X, 13 * mm, PAGE_W - MARGIN_X, 13 * mm)
    canvas.setFont(FONT, 8)
    canvas.setFillColor(GREY)
    canvas.drawString(MARGIN_X, 9 * mm, _fit(furniture.footer, FONT, 8, CONTENT_W - 30 * mm))
    _at(canvas, PAGE_W - MARGIN_X, 9 * mm, _form("page", canvas.getPageNumber()))
    canvas.restoreState()


def _page_form(canvas: Canvas, number: int, total: int) -> None:
    canvas.beginForm(_form("page", number), lowerx=-CONTENT_W, lowery=-3 * mm, upperx=0, uppery=5 * mm)
    canvas.setFont(FONT, 8)
    canvas.setFillColor(GREY)
    canvas.drawRightString(0, 0, f"Page {number} of {total}")
    canvas.endForm()


class Contents(Flowable):
    """The contents: each heading of the story with dot leaders and its page number, linked to the heading.

    It is laid out with the pages it lists, before their numbers are known; the titles are known (the document
    gives them from the story) and the leader and number of each line are a form filled in at the end.
    """

    _CALLBACK = "pprr_contents_entry"

    def __init__(self):
        super().__init__()
        self.entries: tuple[Heading, ...] = ()
        self.slots: dict[str, float] = {}  # heading key -> room from the end of its title to the right edge
        self._width = 0.0
        self._table: Table | None = None

    def wrap(self, availWidth, availHeight):
        self._width = availWidth
        self.canv.setNamedCB(self._CALLBACK, self._entry_end)
        rows = [[markup(f'<a href="#{h.key}">{esc(h.text, 300)}</a>'
                        f'<onDraw name="{self._CALLBACK}" label="{h.key}"/>', f"toc{h.level}")] for h in self.entries]
        commands = [("FONT", (0, 0), (-1, -1), FONT, 10), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
        commands += [("TOPPADDING", (0, i), (0, i), 2 * mm + 3) for i, h in enumerate(self.entries) if h.level == 0]
        self._table = Table(rows or [[""]], colWidths=(availWidth,), style=TableStyle(commands))
        return self._table.wrapOn(self.canv, availWidth, availHeight)

    def split(self, availWidth, availHeight):
        return self._table.splitOn(self.canv, availWidth, availHeight)

    def drawOn(self, canvas, x, y, _sW=0):
        self._table.drawOn(canvas, x, y, _sW)

    def _entry_end(self, canvas: Canvas, kind: str, key: str) -> None:
        """Called where a title's text ends: leaves room for the leader and number, links the number."""
        at = canvas._curr_tx_info  # reportlab's text position for onDraw callbacks
        self.slots[key] = self._width - at["cur_x"]
        _at(canvas, at["cur_x"], at["cur_y"], _form("contents", key))
        canvas.linkRect("", key, (self._width - NUMBER_W, at["cur_y"], self._width, at["cur_y"] + at["leading"]),
                        relative=1)

    def fill_in(self, canvas: Canvas, pages: dict[str, int]) -> None:
        """Define the leader-and-number form of every line drawn."""
        levels = {h.key: h.level for h in self.entries}
        for key, room in self.slots.items():
            style = styles()[f"toc{levels[key]}"]
            number = str(pages.get(key, "?"))
            number_w = pdfmetrics.stringWidth(number, style.fontName, style.fontSize)
            dot_w = pdfmetrics.stringWidth(" . ", style.fontName, style.fontSize)
            dots = max(int((room - number_w) / dot_w), 0)
            canvas.beginForm(_form("contents", key), lowerx=0, lowery=-3 * mm, upperx=room, uppery=style.leading)
            canvas.setFont(style.fontName, style.fontSize)
            canvas.setFillColor(style.textColor)
            canvas.drawString(room - dots * dot_w - number_w, 0, " . " * dots + number)
            canvas.endForm()


class PackDocument(BaseDocTemplate):
    """A4 portrait, one frame, page furniture on every page; headings feed the contents and the PDF outline.

    The story is laid out once; the contents and the page footers get their numbers when the layout is done."""

    _doSave = 0  # reportlab saves the canvas at the end of a build unless told not to: build() saves it itself

    def __init__(self, target, furniture: Furniture, title: str):
        register_fonts()
        super().__init__(target, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                         bottomMargin=MARGIN_BOTTOM, title=title, author=furniture.header, creator="pprr",
                         subject=furniture.header, lang=LANG, initialFontName=FONT, initialFontSize=10)
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, CONTENT_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM, id="body")
        self.furniture = furniture
        self.heading_pages: dict[str, int] = {}
        self.page_count = 0
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._page)])

    def _page(self, canvas: Canvas, doc) -> None:
        self.page_count = canvas.getPageNumber()
        draw_page(canvas, self.furniture)

    def build(self, flowables, **kwargs):
        contents = [f for f in flowables if isinstance(f, Contents)]
        headings = tuple(f.heading for f in flowables if isinstance(f, HeadingParagraph) and f.heading.toc)
        for part in contents:
            part.entries = headings
        super().build(flowables, **kwargs)
        self.canv.setViewerPreference("DisplayDocTitle", "true")  # the title, not the file name, in the title bar
        self.canv.showOutline()  # the bookmarks panel opens with the document
        for number in range(1, self.page_count + 1):
            _page_form(self.canv, number, self.page_count)
        for part in contents:
            part.fill_in(self.canv, self.heading_pages)
        self.canv.save()

    def afterFlowable(self, flowable) -> None:
        heading = getattr(flowable, "heading", None)
        if heading is None:
            return
        title = capped(heading.text, 300)
        self.canv.bookmarkPage(heading.key)
        self.canv.addOutlineEntry(title, heading.key, level=heading.level, closed=heading.level > 0)
        self.heading_pages[heading.key] = self.page
