"""The committee pack as an A4 PDF a scrutiny clerk can send to members as it is.

``build_pack(wb, PackOptions(...))`` returns the PDF bytes. What the pack says is :mod:`pprr.report.content`
(the same blocks make the HTML pack, :mod:`pprr.report.html_pack`); this module prints those blocks with reportlab:
headings kept with what follows them, tables that split between rows with their header repeated and never leave
one row alone on a page, vector charts, contents and bookmarks, the title shown in the viewer, ``/Lang en-GB`` and
only embedded fonts. The look of the pages is :mod:`pprr.report.pdf_style`.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer

from ..model import PortfolioWorkbook
from ..rules.status import STATUS_STYLES
from . import vector
from .content import (
    ILLUSTRATIVE,
    SCENARIO,
    SECTIONS,
    TITLES,
    Block,
    Break,
    Cell,
    ContentsList,
    Figure,
    Heading,
    Items,
    PackOptions,
    Table,
    Text,
    apply_scenario,
    document,
    pack_date,
    prepare,
    scenario_key,
)
from .content import Pack as _Pack
from .pdf_style import (
    CONTENT_W,
    FRAME_H,
    Contents,
    Furniture,
    HeadingParagraph,
    KeepStart,
    PackDocument,
    Plain,
    esc,
    grid,
    markup,
    para,
    paras,
)
from .pdf_style import Heading as PdfHeading

__all__ = ["SECTIONS", "TITLES", "PackOptions", "apply_scenario", "build_pack", "scenario_key"]

Progress = Callable[[float, str], None]
_HEADING_STYLES = {0: "h1", 1: "h2", 2: "h3", 3: "h4"}


def _cell(cell: Cell, head: bool = False) -> Flowable:
    if cell.status is not None:
        return Plain((cell.text, "badge", STATUS_STYLES[cell.status].text))
    if head:
        return Plain(*((line, "cell_head_right" if cell.numeric else "cell_head") for line in cell.lines))
    style = ("cell_right" if cell.numeric else "cell") + ("_bold" if cell.bold else "")
    lines = [(line, style) for line in cell.lines]
    if lines and cell.titled:
        lines[0] = (lines[0][0], "cell_bold")  # a measure's code above its name
    if cell.note:
        lines.append((cell.note, "cell_note"))
    return Plain(*lines) if lines else Plain(("", "cell"))


MIN_FLEXIBLE = 30 * mm  # the least a column sized to fit (width 0) is given


def column_widths(widths: tuple[float, ...], total: float = CONTENT_W) -> list[float]:
    """Points for each column: fixed widths in mm as given, the rest shared by the columns of width 0; fixed
    columns are narrowed in proportion when they would leave the flexible ones less than ``MIN_FLEXIBLE``."""
    fixed = sum(w * mm for w in widths)
    n_flexible = sum(1 for w in widths if not w)
    room = total - n_flexible * MIN_FLEXIBLE if n_flexible else total
    scale = min(1.0, room / fixed) if fixed else 1.0
    flexible = (total - fixed * scale) / n_flexible if n_flexible else 0.0
    return [w * mm * scale if w else flexible for w in widths]


def _table(table: Table) -> Flowable:
    widths = column_widths(table.widths)
    rows = [[_cell(c, head=True) for c in table.head]]
    fills, spans = {}, []
    for i, row in enumerate(table.rows, start=1):
        rows.append([_cell(c) for c in row])
        for col, c in enumerate(row):
            if c.status is not None:
                fills[(col, i)] = STATUS_STYLES[c.status].fill
        if i - 1 in table.groups:
            spans.append((i, 0, len(row) - 1))
    return grid(rows, widths, fills=fills, bold_rows=tuple(i + 1 for i in table.totals), spans=tuple(spans))


def _text(block: Text) -> list[Flowable]:
    if block.style in ("body", "lead") and not block.label:
        return paras(block.text, block.style)
    if block.label:
        return [markup(f"<b>{esc(block.label, 300)}</b> {esc(block.text, 20_000)}", block.style)]
    return [para(block.text, block.style)]


def _items(block: Items) -> list[Flowable]:
    out = []
    for i, item in enumerate(block.items):
        bullet = f"({'abcdefghijklmnopqrstuvwxyz'[i % 26]})" if block.lettered else "•"
        out.append(markup(f"{bullet}<tab/>{esc(item, 20_000)}".replace("<tab/>", "&nbsp;&nbsp;"), "item"))
    return out


def _figure(block: Figure) -> Flowable:
    """A chart as a vector drawing the frame's width; a chart taller than a page is shrunk to fit (the labels
    stay whole)."""
    width = CONTENT_W - 12  # the frame's padding
    drawing = vector.drawing(block.chart, width)
    room = FRAME_H - 12 - 8 * mm
    if drawing.height > room:
        factor = room / drawing.height
        drawing.scale(factor, factor)
        drawing.width, drawing.height = drawing.width * factor, room
    drawing.hAlign = "LEFT"
    return KeepTogether([Spacer(1, 2 * mm), drawing, Spacer(1, 4 * mm)])


def _flowables(blocks: list[Block]) -> list[Flowable]:
    story: list[Flowable] = []
    for block in blocks:
        if isinstance(block, Heading):
            style = "cover" if block.style == "cover" else _HEADING_STYLES[block.level]
            if block.style == "cover":  # bookmarked as the Cover, showing the council's name
                heading = HeadingParagraph(PdfHeading(TITLES["cover"], 0, block.key, style, toc=False),
                                           text=block.text)
            elif block.key:
                heading = HeadingParagraph(PdfHeading(block.text, min(block.level, 1), block.key, style,
                                                      toc=block.toc))
            else:
                heading = para(block.text, style)
            story.append(heading)
        elif isinstance(block, Text):
            story += _text(block)
        elif isinstance(block, Items):
            story += _items(block)
        elif isinstance(block, Table):
            story.append(_table(block))
        elif isinstance(block, Figure):
            story.append(_figure(block))
        elif isinstance(block, Break):
            story.append(PageBreak())
        elif isinstance(block, ContentsList):
            story.append(Contents())
    return _kept(story)


def _kept(story: list[Flowable]) -> list[Flowable]:
    """A :class:`KeepStart` before every run of headings: the run moves to the next page unless the start of
    what follows it fits below it."""
    out: list[Flowable] = []
    i = 0
    while i < len(story):
        if _is_heading(story[i]) and not isinstance(story[i], Contents):
            run = [story[i]]
            while i + len(run) < len(story) and _is_heading(story[i + len(run)]):
                run.append(story[i + len(run)])
            after = story[i + len(run)] if i + len(run) < len(story) else None
            out.append(KeepStart(run, after))
            out += run
            i += len(run)
        else:
            out.append(story[i])
            i += 1
    return out


def _is_heading(f: Flowable) -> bool:
    return getattr(getattr(f, "style", None), "name", "") in ("h1", "h2", "h3", "h4", "cover")


def _furniture(pack: _Pack) -> Furniture:
    p = pack.wb.portfolio
    period = " ".join(y for y in (p.reporting_period, p.financial_year) if y)
    header = " · ".join(x for x in (p.portfolio, period) if x)
    marks = ((ILLUSTRATIVE,) if p.illustrative else ()) + ((SCENARIO,) if pack.options.scenario_targets else ())
    date = pack_date(pack)
    footer = (f"{p.committee}, {date}" if p.committee and date else date or p.committee)
    return Furniture(header or "Portfolio report", footer, marks)


def build_pack(wb: PortfolioWorkbook, options: PackOptions | None = None, progress: Progress | None = None) -> bytes:
    """The committee pack as PDF bytes. ``progress(fraction, message)`` is called as the work goes on."""
    report = progress or (lambda fraction, message: None)
    report(0.0, "Rating measures")
    pack = prepare(wb, options or PackOptions())
    report(0.15, "Writing sections")
    story = _flowables(document(pack))
    buffer = io.BytesIO()
    p = pack.wb.portfolio
    kind = "Agreement" if pack.agreement else "Report"
    title = " ".join(x for x in (p.portfolio, f"Portfolio Performance and Resources {kind}", p.reporting_period,
                                 p.financial_year) if x)
    doc = PackDocument(buffer, _furniture(pack), title=title)
    doc.setProgressCallBack(_layout_progress(report))
    doc.build(story or [para("No sections were chosen.")])
    report(1.0, "Done")
    return buffer.getvalue()


def _layout_progress(report: Progress) -> Callable[[str, int], None]:
    """Turns reportlab's progress through the story into 0.2 .. 0.95 of the whole, in 2% steps."""
    state = {"size": 1, "shown": 0.2}

    def on_progress(kind: str, value: int) -> None:
        if kind == "SIZE_EST":
            state["size"] = max(value, 1)
        elif kind == "PROGRESS":
            fraction = 0.2 + 0.75 * min(value / state["size"], 1.0)
            if fraction >= state["shown"] + 0.02:
                state["shown"] = fraction
                report(fraction, "Laying out pages")

    return on_progress
