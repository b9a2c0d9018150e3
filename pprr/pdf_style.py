"""The look of the committee pack: fonts, paragraph styles, page furniture, tables and the two-pass canvas.

Every piece of workbook text reaches a reportlab Paragraph through :func:`para` or :func:`paras`, which escape it
(``pprr.safe_text.pdf_text``) and cap pathological lengths, so commentary prints exactly as typed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
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
from reportlab.platypus.tableofcontents import TableOfContents

from .safe_text import pdf_text
from .status import STATUS_STYLES, Status

FONTS = Path(__file__).parent / "fonts"
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
PAGE_W, PAGE_H = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 16 * mm, 22 * mm, 18 * mm
CONTENT_W = PAGE_W - 2 * MARGIN_X
TEXT_LIMIT = 20_000  # characters of one commentary printed before it is cut
CELL_LIMIT = 600  # characters of one table cell
TRUNCATED = "… (truncated in the pack; full text in the workbook)"
INK = colors.HexColor("#1A1A1A")
GREY = colors.HexColor("#5A5A5A")
RULE = colors.HexColor("#B8B8B8")
HEAD_FILL = colors.HexColor("#E6EBF2")
TOTAL_FILL = colors.HexColor("#F2F2F2")
MARK = colors.HexColor("#B3261E")


@functools.cache
def register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def _style(name: str, size: float = 9.5, font: str = FONT, leading: float | None = None, **kw) -> ParagraphStyle:
    kw.setdefault("textColor", INK)
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.3, **kw)


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    return {
        "title": _style("title", 24, BOLD, spaceAfter=6 * mm),
        "subtitle": _style("subtitle", 14, spaceAfter=3 * mm, textColor=GREY),
        "h1": _style("h1", 16, BOLD, spaceBefore=2 * mm, spaceAfter=3 * mm, keepWithNext=1),
        "h2": _style("h2", 12.5, BOLD, spaceBefore=4 * mm, spaceAfter=2 * mm),
        "h3": _style("h3", 10, BOLD, spaceBefore=3 * mm, spaceAfter=1 * mm, keepWithNext=1),
        "body": _style("body", spaceAfter=2 * mm),
        "note": _style("note", 8, textColor=GREY, spaceAfter=2 * mm),
        "cell": _style("cell", 8),
        "cell_small": _style("cell_small", 7, textColor=GREY),
        "cell_bold": _style("cell_bold", 8, BOLD),
        "cell_right": _style("cell_right", 8, alignment=TA_RIGHT),
        "cell_right_bold": _style("cell_right_bold", 8, BOLD, alignment=TA_RIGHT),
        "cell_head": _style("cell_head", 8, BOLD),
        "cell_head_right": _style("cell_head_right", 8, BOLD, alignment=TA_RIGHT),
        "badge": _style("badge", 7.5, BOLD, alignment=TA_CENTER, textColor=colors.white),
        "mark": _style("mark", 14, BOLD, textColor=MARK, spaceBefore=4 * mm),
        "toc0": _style("toc0", 11, BOLD, leftIndent=0, spaceBefore=2 * mm),
        "toc1": _style("toc1", 9.5, leftIndent=8 * mm),
    }


def capped(text: str, limit: int = TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + TRUNCATED


def para(text: object, style: str = "body", limit: int = TEXT_LIMIT) -> Paragraph:
    """One Paragraph of user (or any) text, escaped and capped."""
    return Paragraph(pdf_text(capped("" if text is None else str(text), limit)), styles()[style])


def markup(fragment: str, style: str = "body") -> Paragraph:
    """A Paragraph of pprr's own markup; every user string in ``fragment`` must already have passed :func:`esc`."""
    return Paragraph(fragment, styles()[style])


def esc(text: object, limit: int = CELL_LIMIT) -> str:
    return pdf_text(capped("" if text is None else str(text), limit))


def paras(text: str, style: str = "body") -> list[Paragraph]:
    """Commentary as one Paragraph per blank-line-separated block, so long text flows across pages."""
    text = capped(text.strip())
    return [para(block.strip(), style) for block in re.split(r"\n\s*\n", text) if block.strip()]


def badge(status: Status) -> Paragraph:
    """A status as symbol and word (the cell behind it is filled with the status colour by :func:`grid`)."""
    s = STATUS_STYLES[status]
    return markup(f"{esc(s.symbol)} {esc(s.label)}", "badge")


@dataclass(frozen=True)
class Heading:
    """A heading that is also a contents entry and a PDF bookmark."""

    text: str
    level: int  # 0 = section, 1 = priority
    key: str
    style: str = "h1"
    toc: bool = True  # also listed in the contents (every heading is bookmarked)


class HeadingParagraph(Paragraph):
    """A heading Paragraph; ``text`` shows something other than the bookmark's words (the cover shows the council)."""

    def __init__(self, heading: Heading, text: str | None = None):
        super().__init__(esc(heading.text if text is None else text, 300), styles()[heading.style])
        self.heading = heading


def subheading(text: str, key: str | None = None) -> list:
    """A sub-heading that starts a new page when less than a few lines are left below it (headings are not kept
    with the next flowable: a long table would be pushed whole to the next page). With ``key`` it is bookmarked."""
    heading = HeadingParagraph(Heading(text, 1, key, "h2")) if key else para(text, "h2")
    return [CondPageBreak(45 * mm), heading]


def grid(rows: list[list], widths: list[float], *, head_rows: int = 1, fills: dict[tuple[int, int], str] | None = None,
         bold_rows: tuple[int, ...] = (), spans: tuple[tuple[int, int, int], ...] = ()) -> Table:
    """A ruled table with a repeated shaded header, optional cell fills (col, row) -> colour, shaded total rows
    and row spans (row, first col, last col). The table breaks between rows; no row can outgrow a page because
    every cell's text is capped at CELL_LIMIT characters (commentary is never put in a table)."""
    table = Table(rows, colWidths=widths, repeatRows=head_rows, hAlign="LEFT", spaceAfter=3 * mm)
    commands = [
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if head_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, head_rows - 1), HEAD_FILL))
    commands += [("BACKGROUND", (0, r), (-1, r), TOTAL_FILL) for r in bold_rows]
    commands += [("BACKGROUND", cell, cell, colors.HexColor(colour)) for cell, colour in (fills or {}).items()]
    commands += [("SPAN", (c0, r), (c1, r)) for r, c0, c1 in spans]
    table.setStyle(TableStyle(commands))
    return table


def contents() -> TableOfContents:
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = [styles()["toc0"], styles()["toc1"]]
    return toc


@dataclass(frozen=True)
class Furniture:
    """What every page carries: header text, generation date and the marks (ILLUSTRATIVE FIGURES, SCENARIO)."""

    header: str
    generated: str
    marks: tuple[str, ...] = ()


def _fit(text: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def draw_page(canvas: Canvas, furniture: Furniture, total_pages: int | None) -> None:
    """Header with portfolio and period, marks at the top right; generation date and "Page X of Y" in the footer."""
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
    canvas.drawString(MARGIN_X, 9 * mm, f"Generated {furniture.generated}")
    canvas.drawRightString(PAGE_W - MARGIN_X, 9 * mm, f"Page {canvas.getPageNumber()} of {total_pages or '?'}")
    canvas.restoreState()


class _PageCount(Flowable):
    """Invisible; makes multiBuild lay the pages out again until "Page X of Y" uses the final page count."""

    def __init__(self, doc: PackDocument):
        super().__init__()
        self.doc = doc
        self.used: int | None = None

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        pass

    def isIndexing(self):
        return 1

    def beforeBuild(self):
        self.used = self.doc.total_pages

    def afterBuild(self):
        self.doc.total_pages = self.doc.page

    def isSatisfied(self):
        return self.used == self.doc.total_pages

    def notify(self, kind, stuff):
        pass


class PackDocument(BaseDocTemplate):
    """A4 portrait, one frame, page furniture on every page; headings feed the contents and the PDF outline."""

    total_pages: int | None = None  # from the previous layout pass

    def __init__(self, target, furniture: Furniture, title: str):
        super().__init__(target, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                         bottomMargin=MARGIN_BOTTOM, title=title, author=furniture.header, creator="pprr")
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, CONTENT_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM, id="body")
        self.furniture = furniture
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._page)])

    def _page(self, canvas: Canvas, doc) -> None:
        draw_page(canvas, self.furniture, self.total_pages)

    def multiBuild(self, story, **kwargs):
        return super().multiBuild([_PageCount(self), *story], **kwargs)

    def afterFlowable(self, flowable) -> None:
        heading = getattr(flowable, "heading", None)
        if heading is None:
            return
        title = capped(heading.text, 300)
        self.canv.bookmarkPage(heading.key)
        self.canv.addOutlineEntry(title, heading.key, level=heading.level, closed=heading.level > 0)
        if heading.toc:
            self.notify("TOCEntry", (heading.level, esc(title), self.page, heading.key))
