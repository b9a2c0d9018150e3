"""Bar charts drawn as vector graphics: a reportlab Drawing for the PDF pack, inline SVG for the HTML pack.

A chart is described once as a :class:`BarChart` (made from the same data functions as the app's Altair charts,
in :mod:`pprr.report.charts`), laid out once in points by :func:`layout`, and drawn by either backend from the same
shapes, so the PDF and the HTML show the same picture. Labels are wrapped, never cut. Each chart carries a text
alternative (:attr:`BarChart.description`) that lists every bar's figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from reportlab.pdfbase import pdfmetrics

from ..safe_text import html_text
from .typeface import BOLD, FONT, register_fonts

INK = "#1A1A1A"
GRID = "#D0D0D0"
AXIS = "#5A5A5A"
SIZE = 9.0  # labels, points
TITLE_SIZE = 10.5
BAR = 12.0  # bar thickness, points
GAP = 6.0  # between rows
PAD = 4.0
LABEL_LIMIT = 160  # characters of a bar's label drawn; a longer one (never in a real workbook) ends with "…"


@dataclass(frozen=True)
class Segment:
    start: float  # -inf: from the start of the axis (a waterfall's totals, on an axis that does not start at 0)
    end: float
    colour: str
    name: str = ""  # the legend entry it belongs to


@dataclass(frozen=True)
class BarRow:
    label: str
    segments: tuple[Segment, ...]
    text: str = ""  # the figure printed at the end of the bar
    group: str = ""  # a heading printed above the first row of each group


@dataclass(frozen=True)
class BarChart:
    title: str
    rows: tuple[BarRow, ...]
    axis_title: str
    legend: tuple[tuple[str, str], ...] = ()  # (name, colour): only what is drawn
    description: str = ""  # the text alternative
    zero_based: bool = True  # False: the axis starts near the smallest value (a waterfall)


# ---------------------------------------------------------------------------------------------------------------
# Layout: shapes in points, y downwards from the top (both backends flip as they need)


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float  # baseline
    text: str
    size: float = SIZE
    anchor: str = "start"  # start, middle, end
    bold: bool = False
    colour: str = INK


@dataclass(frozen=True)
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str = GRID


@dataclass
class Picture:
    width: float
    height: float
    shapes: list = field(default_factory=list)


def text_width(text: str, size: float = SIZE, bold: bool = False) -> float:
    register_fonts()
    return pdfmetrics.stringWidth(text, BOLD if bold else FONT, size)


def wrap(text: str, width: float, size: float = SIZE, bold: bool = False) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` (a word longer than that is broken too)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if text_width(trial, size, bold) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        while text_width(word, size, bold) > width and len(word) > 1:
            cut = len(word)
            while cut > 1 and text_width(word[:cut], size, bold) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current or not lines:
        lines.append(current)
    return lines


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / max(ticks, 1)
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def _tick_text(value: float) -> str:
    text = f"{abs(value):,.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{abs(value):,.2f}".rstrip("0")
    return f"({text})" if value < 0 else text


def layout(chart: BarChart, width: float) -> Picture:
    """Every shape of the chart at ``width`` points wide."""
    shapes: list = []
    y = TITLE_SIZE
    for line in wrap(chart.title, width, TITLE_SIZE, True):
        shapes.append(Label(0, y, line, TITLE_SIZE, bold=True))
        y += TITLE_SIZE * 1.3
    y += PAD
    label_w = min(width * 0.42, max([text_width(r.label) for r in chart.rows] + [40]) + PAD)
    plot_x = label_w + PAD
    values = [v for r in chart.rows for s in r.segments for v in (s.start, s.end) if math.isfinite(v)]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    if chart.zero_based:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    else:
        lo -= max((hi - lo) * 0.15, 1.0)
    if hi == lo:
        hi = lo + 1.0
    # room at both ends for the figures printed beside the bars
    text_room = max([text_width(r.text) for r in chart.rows] + [0]) + PAD * 2
    plot_w = max(width - plot_x - text_room * (2 if lo < 0 and chart.zero_based else 1), 60)
    left_room = text_room if lo < 0 and chart.zero_based else 0
    step = _nice_step(hi - lo, max(2, min(6, int(plot_w // 55))))
    lo_tick, hi_tick = math.floor(lo / step) * step, math.ceil(hi / step) * step
    if not chart.zero_based:
        lo_tick = max(lo_tick, lo - step)

    def x_of(v: float) -> float:
        v = max(v, lo_tick)
        return plot_x + left_room + (v - lo_tick) / (hi_tick - lo_tick) * plot_w

    top = y
    for row in chart.rows:
        if row.group:
            y += SIZE * 1.4
            shapes.append(Label(0, y - SIZE * 0.3, row.group, SIZE, bold=True))
        label = row.label if len(row.label) <= LABEL_LIMIT else row.label[:LABEL_LIMIT - 1].rstrip() + "…"
        lines = wrap(label, label_w - PAD)
        row_h = max(BAR, len(lines) * SIZE * 1.2) + GAP
        bar_y = y + (row_h - BAR) / 2
        for i, line in enumerate(lines):
            base = y + (row_h - len(lines) * SIZE * 1.2) / 2 + (i + 1) * SIZE * 1.2 - SIZE * 0.25
            shapes.append(Label(label_w, base, line, anchor="end"))
        for seg in row.segments:
            a, b = sorted((x_of(seg.start), x_of(seg.end)))
            shapes.append(Box(a, bar_y, max(b - a, 0.8), BAR, seg.colour))
        if row.text:
            ends = [v for s in row.segments for v in (s.start, s.end) if math.isfinite(v)] or [0.0]
            right, left = max(ends), min(ends)
            base = bar_y + BAR / 2 + SIZE * 0.35
            if chart.zero_based and right <= 0 < 1e-12 - left:
                shapes.append(Label(x_of(left) - PAD, base, row.text, anchor="end"))
            else:
                shapes.append(Label(x_of(right) + PAD, base, row.text))
        y += row_h
    bottom = y
    ticks = []
    v = lo_tick
    while v <= hi_tick + step / 1000:
        ticks.append(v)
        v += step
    grid = [Rule(x_of(t), top, x_of(t), bottom, GRID) for t in ticks]
    zero = [Rule(x_of(0), top, x_of(0), bottom, AXIS)] if lo_tick <= 0 <= hi_tick else []
    shapes[:0] = grid  # grid lines under the bars
    shapes += zero
    shapes.append(Rule(plot_x + left_room, bottom, plot_x + left_room + plot_w, bottom, AXIS))
    y = bottom + SIZE * 1.3
    last_right = -1e9
    for t in ticks:
        text = _tick_text(t)
        w = text_width(text, SIZE - 1)
        if x_of(t) - w / 2 > last_right + 2:
            shapes.append(Label(x_of(t), y, text, SIZE - 1, anchor="middle", colour=AXIS))
            last_right = x_of(t) + w / 2
    y += SIZE * 1.4
    for line in wrap(chart.axis_title, width - plot_x):
        shapes.append(Label(plot_x + left_room + plot_w / 2, y, line, SIZE, anchor="middle", colour=AXIS))
        y += SIZE * 1.3
    if chart.legend:
        y += PAD
        x = plot_x
        for name, colour in chart.legend:
            w = SIZE + 3 + text_width(name) + 12
            if x + w > width and x > plot_x:
                x, y = plot_x, y + SIZE * 1.5
            shapes.append(Box(x, y - SIZE + 1, SIZE, SIZE, colour))
            shapes.append(Label(x + SIZE + 3, y, name))
            x += w
        y += SIZE * 0.6
    return Picture(width, y + PAD, shapes)


# ---------------------------------------------------------------------------------------------------------------
# Backends


def drawing(chart: BarChart, width: float):
    """The chart as a reportlab Drawing (vector, embedded fonts only)."""
    from reportlab.graphics import shapes
    from reportlab.graphics.shapes import Drawing, Line, Rect, String
    from reportlab.lib import colors

    picture = layout(chart, width)
    # a drawing starts in reportlab's default font (Helvetica, not embedded) unless told otherwise
    shapes.STATE_DEFAULTS["fontName"] = FONT
    d = Drawing(picture.width, picture.height)
    h = picture.height
    for s in picture.shapes:
        if isinstance(s, Box):
            d.add(Rect(s.x, h - s.y - s.h, s.w, s.h, fillColor=colors.HexColor(s.fill), strokeColor=None))
        elif isinstance(s, Rule):
            d.add(Line(s.x1, h - s.y1, s.x2, h - s.y2, strokeColor=colors.HexColor(s.colour), strokeWidth=0.5))
        else:
            d.add(String(s.x, h - s.y, s.text, fontName=BOLD if s.bold else FONT, fontSize=s.size,
                         fillColor=colors.HexColor(s.colour), textAnchor=s.anchor))
    return d


def svg(chart: BarChart, width: float, ident: str) -> str:
    """The chart as an inline SVG element with its title and text alternative (``ident`` makes the ids unique)."""
    picture = layout(chart, width)
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {picture.width:.1f} '
            f'{picture.height:.1f}" width="100%" aria-labelledby="{ident}-t {ident}-d" class="chart">'),
           f'<title id="{ident}-t">{html_text(chart.title)}</title>',
           f'<desc id="{ident}-d">{html_text(chart.description)}</desc>']
    for s in picture.shapes:
        if isinstance(s, Box):
            out.append(f'<rect x="{s.x:.2f}" y="{s.y:.2f}" width="{s.w:.2f}" height="{s.h:.2f}" fill="{s.fill}"/>')
        elif isinstance(s, Rule):
            out.append(f'<line x1="{s.x1:.2f}" y1="{s.y1:.2f}" x2="{s.x2:.2f}" y2="{s.y2:.2f}" '
                       f'stroke="{s.colour}" stroke-width="0.5"/>')
        else:
            weight = ' font-weight="bold"' if s.bold else ""
            out.append(f'<text x="{s.x:.2f}" y="{s.y:.2f}" font-size="{s.size}" text-anchor="{s.anchor}" '
                       f'fill="{s.colour}"{weight} aria-hidden="true">{html_text(s.text)}</text>')
    out.append("</svg>")
    return "".join(out)
