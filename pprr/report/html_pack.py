"""The committee pack as one accessible, self-contained HTML document.

``build_html(wb, PackOptions(...))`` returns the page as text. It says exactly what the PDF pack says (both draw
the blocks of :mod:`pprr.report.content`) in a form every reader can use: real headings in order, tables with
captions and header cells (``<th scope>``), charts as inline SVG with a title and a text alternative that lists
every figure, the status as a word and a symbol beside its colour, ``lang="en-GB"``, and print styles that start
each section on a new page and keep headings with what follows. Nothing is fetched: no script, no external file;
the system's fonts are used. Every piece of workbook text passes through :func:`pprr.safe_text.html_text`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import PortfolioWorkbook
from ..rules.status import STATUS_ORDER, STATUS_STYLES
from ..safe_text import html_text
from . import vector
from .content import (
    ILLUSTRATIVE,
    SCENARIO,
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
    document,
    generated,
    pack_date,
    prepare,
)

Progress = Callable[[float, str], None]
CHART_WIDTH = 520.0  # points: the charts' drawing width (they scale to the page)
_STATUS_CLASS = {s: f"s{i}" for i, s in enumerate(STATUS_ORDER)}


def _css() -> str:
    status = "".join(
        f".{_STATUS_CLASS[s]}{{background:{st.fill};color:{st.text}}}" for s, st in STATUS_STYLES.items())
    return """
:root{--ink:#1A1A1A;--grey:#505050;--rule:#B8B8B8;--head:#E6EBF2;--total:#F2F2F2;--mark:#B3261E}
html{font-family:"DejaVu Sans",Verdana,"Segoe UI",Arial,sans-serif;color:var(--ink);background:#fff;
 font-size:100%;line-height:1.45}
body{margin:0 auto;max-width:60rem;padding:1rem 1.25rem}
h1{font-size:1.9rem;margin:.2rem 0 1rem}h2{font-size:1.5rem;margin:2.2rem 0 .8rem}
h3{font-size:1.2rem;margin:1.6rem 0 .5rem}h4{font-size:1.05rem;margin:1.2rem 0 .4rem}
h5,h6{font-size:1rem;margin:1rem 0 .3rem}
.council,.subtitle{color:var(--grey);font-size:1.2rem;margin:.2rem 0}
.council{font-weight:bold}
.lead{font-size:1.05rem}.note,.small{color:var(--grey);font-size:.9rem}.small{font-size:.85rem}
.mark{color:var(--mark);font-weight:bold;font-size:1.2rem;margin:1rem 0 .2rem}
.marks{color:var(--mark);font-weight:bold;text-align:right;margin:0}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1.2rem;font-size:.9rem}
caption{text-align:left;font-weight:bold;padding:.2rem 0 .4rem;color:var(--ink)}
th,td{border:1px solid var(--rule);padding:.25rem .4rem;vertical-align:top;text-align:left}
thead th{background:var(--head)}
tbody th{font-weight:normal}
td.num,th.num{text-align:right;white-space:nowrap}
tr.total th,tr.total td{background:var(--total);font-weight:bold}
tr.group th{background:#fff;font-weight:bold}
.cell-note{display:block;color:var(--grey);margin-top:.15rem}
.code{font-weight:bold}
td.status{font-weight:bold;white-space:nowrap}
ol.lettered{list-style:none;padding-left:2.2rem;counter-reset:rec}
ol.lettered li{counter-increment:rec;position:relative;margin:.25rem 0}
ol.lettered li::before{content:"(" counter(rec,lower-alpha) ")";position:absolute;left:-2.2rem}
nav ol{list-style:none;padding-left:0}nav ol ol{padding-left:1.5rem}nav li{margin:.15rem 0}
a{color:#1F4E8C}
figure{margin:.6rem 0 1.4rem}figure svg{max-width:100%;height:auto;font-family:inherit}
footer{border-top:1px solid var(--rule);margin-top:2rem;padding-top:.5rem;color:var(--grey);font-size:.85rem}
@media print{
 @page{size:A4;margin:16mm 14mm 18mm}
 body{max-width:none;padding:0;font-size:10pt}
 header .note{display:none}
 section.section{break-before:page}
 section.section:first-of-type{break-before:auto}
 .page-break{break-before:page}
 h1,h2,h3,h4,h5,h6,caption{break-after:avoid;break-inside:avoid}
 tr,figure,li{break-inside:avoid}
 thead{display:table-header-group}
 p{orphans:3;widows:3}
 a{color:inherit;text-decoration:none}
 nav a::after{content:none}
}
""" + status


class _Html:
    """Blocks to HTML, keeping heading levels in order (a heading is at most one level below the one before)."""

    def __init__(self):
        self.out: list[str] = []
        self.level = 1  # the h1 is the portfolio's title on the cover
        self.open_section = False

    def heading(self, block: Heading) -> None:
        if block.style == "cover":
            self.out.append(f'<p class="council">{html_text(block.text)}</p>')
            return
        wanted = {0: 2, 1: 3, 2: 4, 3: 5}[block.level]
        level = min(wanted, self.level + 1)
        if block.level == 0:
            if self.open_section:
                self.out.append("</section>")
            ident = f' aria-labelledby="{block.key}"' if block.key else ""
            self.out.append(f'<section class="section"{ident}>')
            self.open_section = True
            level = 2
        self.level = level
        ident = f' id="{html_text(block.key)}"' if block.key else ""
        self.out.append(f"<h{level}{ident}>{html_text(block.text)}</h{level}>")

    def text(self, block: Text) -> None:
        if block.style == "title":
            self.out.append(f"<h1>{html_text(block.text)}</h1>")
            self.level = 1
            return
        label = f"<strong>{html_text(block.label)}</strong> " if block.label else ""
        paragraphs = [p.strip() for p in block.text.replace("\r\n", "\n").split("\n\n") if p.strip()] or [""]
        for i, p in enumerate(paragraphs):
            body = html_text(p).replace("\n", "<br>")
            self.out.append(f'<p class="{block.style}">{label if i == 0 else ""}{body}</p>')

    def items(self, block: Items) -> None:
        tag = 'ol class="lettered"' if block.lettered else "ul"
        self.out.append(f"<{tag}>" + "".join(f"<li>{html_text(i)}</li>" for i in block.items)
                        + f"</{tag.split()[0]}>")

    @staticmethod
    def _content(cell: Cell) -> str:
        if cell.status is not None:  # "symbol word" as the cell gives it (a project's), else the status's own
            s = STATUS_STYLES[cell.status]
            symbol, _, word = cell.text.partition(" ") if cell.text else (s.symbol, "", s.label)
            if len(symbol) != 1 or symbol.isalnum():  # a word as written, without a symbol
                return html_text(cell.text)
            return f'<span aria-hidden="true">{html_text(symbol)}</span> {html_text(word)}'
        lines = cell.lines
        body = "<br>".join(html_text(line) for line in lines)
        if len(lines) > 1 and cell.titled:
            body = f'<span class="code">{html_text(lines[0])}</span><br>' + "<br>".join(
                html_text(line) for line in lines[1:])
        if cell.note:
            body += f'<span class="cell-note">{html_text(cell.note)}</span>'
        return body

    def table(self, block: Table) -> None:
        out = [f"<table><caption>{html_text(block.caption)}</caption><thead><tr>"]
        for cell in block.head:
            cls = ' class="num"' if cell.numeric else ""
            out.append(f'<th scope="col"{cls}>{html_text(cell.text.replace(chr(10), " "))}</th>')
        out.append("</tr></thead><tbody>")
        width = len(block.head)
        for i, row in enumerate(block.rows):
            if i in block.groups:
                out.append(f'<tr class="group"><th scope="rowgroup" colspan="{width}">{html_text(row[0].text)}'
                           "</th></tr>")
                continue
            out.append('<tr class="total">' if i in block.totals else "<tr>")
            for col, cell in enumerate(row):
                classes = []
                if cell.numeric:
                    classes.append("num")
                if cell.status is not None:
                    classes += ["status", _STATUS_CLASS[cell.status]]
                cls = f' class="{" ".join(classes)}"' if classes else ""
                if col == 0 and block.row_header:
                    out.append(f'<th scope="row"{cls}>{self._content(cell)}</th>')
                else:
                    out.append(f"<td{cls}>{self._content(cell)}</td>")
            out.append("</tr>")
        out.append("</tbody></table>")
        self.out.append("".join(out))

    def figure(self, block: Figure) -> None:
        self.out.append(f"<figure>{vector.svg(block.chart, CHART_WIDTH, block.key)}</figure>")

    def contents(self, toc: list[Heading]) -> None:
        out = ['<nav aria-labelledby="contents"><ol>']
        open_sub = False
        for i, h in enumerate(toc):
            link = f'<a href="#{html_text(h.key)}">{html_text(h.text)}</a>'
            if h.level == 0:
                if open_sub:
                    out.append("</ol></li>")
                    open_sub = False
                elif i:
                    out.append("</li>")
                out.append(f"<li>{link}")
            else:
                if not open_sub:
                    out.append("<ol>")
                    open_sub = True
                out.append(f"<li>{link}</li>")
        out.append("</ol></li>" if open_sub else ("</li>" if toc else ""))
        out.append("</ol></nav>")
        self.out.append("".join(out))


def render(blocks: list[Block], title: str, header: str, marks: tuple[str, ...], footer: str) -> str:
    html = _Html()
    toc = [b for b in blocks if isinstance(b, Heading) and b.toc and b.key and b.level <= 1]
    for block in blocks:
        if isinstance(block, Heading):
            html.heading(block)
        elif isinstance(block, Text):
            html.text(block)
        elif isinstance(block, Items):
            html.items(block)
        elif isinstance(block, Table):
            html.table(block)
        elif isinstance(block, Figure):
            html.figure(block)
        elif isinstance(block, ContentsList):
            html.contents(toc)
        elif isinstance(block, Break) and html.open_section:
            html.out.append('<div class="page-break" aria-hidden="true"></div>')
    if html.open_section:
        html.out.append("</section>")
    marks_html = f'<p class="marks">{html_text("  ·  ".join(marks))}</p>' if marks else ""
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html_text(title)}</title>\n<style>{_css()}</style>\n</head>\n<body>\n"
        f'<header><p class="note">{html_text(header)}</p>{marks_html}</header>\n'
        f"<main>\n{''.join(html.out)}\n</main>\n"
        f"<footer><p>{html_text(footer)}</p></footer>\n</body>\n</html>\n"
    )


def build_html(wb: PortfolioWorkbook, options: PackOptions | None = None, progress: Progress | None = None) -> str:
    """The committee pack as one self-contained HTML page."""
    report = progress or (lambda fraction, message: None)
    report(0.0, "Rating measures")
    pack = prepare(wb, options or PackOptions())
    report(0.3, "Writing sections")
    blocks = document(pack)
    p = pack.wb.portfolio
    kind = "Agreement" if pack.agreement else "Report"
    title = " ".join(x for x in (p.portfolio, f"Portfolio Performance and Resources {kind}", p.reporting_period,
                                 p.financial_year) if x)
    period = " ".join(y for y in (p.reporting_period, p.financial_year) if y)
    header = " · ".join(x for x in (p.council, p.portfolio, period) if x)
    marks = ((ILLUSTRATIVE,) if p.illustrative else ()) + ((SCENARIO,) if pack.options.scenario_targets else ())
    date = pack_date(pack)
    footer = " · ".join(x for x in (p.committee, date, f"Generated by pprr on {generated(pack)}") if x)
    report(0.6, "Drawing charts")
    page = render(blocks, title, header, marks, footer)
    report(1.0, "Done")
    return page
