"""The floor for the committee pack: a bare reportlab build of a 35-page A4 document of plain tables.

``python -m bench.pack_floor OUT.pdf [--pages 35]``, run as a fresh process by :mod:`bench.bench_pack`: it imports
reportlab, lays out page after page of ruled tables in reportlab's standard font (nothing to embed, no
charts, no contents) and writes the file. Whatever pprr adds on top (reading the workbook, rating, the fonts,
charts, contents, bookmarks) is measured against this.
"""

from __future__ import annotations

import argparse

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, SimpleDocTemplate, Table, TableStyle

ROWS_PER_PAGE = 39  # with the header row, as many 9 pt rows as fill an A4 page: 40 would carry one row over


def build(target, pages: int = 35) -> None:
    """Write the floor document to ``target`` (a file name or a binary file object)."""
    style = TableStyle([("FONT", (0, 0), (-1, -1), "Helvetica", 9), ("GRID", (0, 0), (-1, -1), 0.4, "#B8B8B8"),
                        ("BACKGROUND", (0, 0), (-1, 0), "#E6EBF2")])
    story = []
    for page in range(pages):
        rows = [["Code", "Measure", "2019/20", "2020/21", "Target", "Status"]]
        rows += [[f"M.{page}.{i}", f"Measure {i} of page {page}", f"{i * 1.5:.1f}%", f"{i * 1.4:.1f}%", "50%",
                  "Green"] for i in range(ROWS_PER_PAGE)]
        story += [Table(rows, colWidths=[22 * mm, 70 * mm, 20 * mm, 20 * mm, 20 * mm, 22 * mm], style=style,
                        repeatRows=1), PageBreak()]
    SimpleDocTemplate(target, pagesize=A4).build(story[:-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--pages", type=int, default=35)
    args = parser.parse_args(argv)
    build(args.output, args.pages)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
