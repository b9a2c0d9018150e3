"""Shared set-up for the AppTest page tests: the app script, and the app opened on a page."""

from __future__ import annotations

import itertools
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from app.choice import drawn
from app.grid import component_key

APP = Path(__file__).resolve().parents[1] / "streamlit_app.py"


def open_app(page: str | None = None, timeout: float = 30) -> AppTest:
    """The app run once (on the Workbook page), then switched to ``page`` when one is given."""
    at = AppTest.from_file(str(APP), default_timeout=timeout).run()
    return at.switch_page(page).run() if page else at


_EDIT_IDS = itertools.count(1)


def grid_edit(at: AppTest, prefix: str, cells: list[tuple[int, str, str]]) -> AppTest:
    """Commit ``cells`` ((sheet row, grid column, text), in order) in the page's grid, as the browser reports them:
    the grid's value is its log of committed cells, each with an id of its own (see :mod:`app.grid`). ``prefix``
    is the grid key's start, e.g. ``measures_grid``; the page then runs."""
    grid = f"{prefix}_{at.session_state['pprr_working'].sha[:12]}"
    key = component_key(prefix.removesuffix("_grid"))  # the page's own grid
    value = at.session_state[key] if key in at.session_state else None  # noqa: SIM401 - AppTest has no .get
    log = list(value["edits"]) if isinstance(value, dict) else []
    log += [{"id": f"test.{next(_EDIT_IDS)}", "grid": grid, "row": row, "field": field, "value": text}
            for row, field, text in cells]
    at.session_state[key] = {"edits": log}
    return at.run()


def open_form(at: AppTest, key: str) -> AppTest:
    """Open the expander ``key`` that draws its form only while open (as a click on it does), if it is closed."""
    if not (key in at.session_state and at.session_state[key]):  # noqa: RUF019 - AppTest has no .get
        at.session_state[key] = True
        at.run()
    return at


def open_priority_view(at: AppTest, name: str) -> AppTest:
    """On the Priorities page, open the view ``name`` (Measures, Exceptions, Commentary or Key projects) of every
    priority's section, as a click on its tab does."""
    for priority in at.session_state["pprr_derived"].current.priorities:
        at.session_state[f"priority_view_{priority.number}"] = name
    return at.run()


class TableReader(HTMLParser):
    """Reads the tables out of an HTML element: each a list of rows of cell texts, header row first."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def html_tables(at: AppTest) -> list[pd.DataFrame]:
    """The tables the page drew as HTML (see :mod:`app.html_table`), in page order, as the officer reads them."""
    frames = []
    for element in at.get("html"):
        reader = TableReader()
        reader.feed(element.proto.body)
        frames += [pd.DataFrame(rows[1:], columns=rows[0]) for rows in reader.tables if rows]
    return frames


class ParagraphReader(HTMLParser):
    """Reads the paragraphs' texts out of an HTML element, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.open = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "p":
            self.paragraphs.append("")
            self.open = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.open = False

    def handle_data(self, data: str) -> None:
        if self.open:
            self.paragraphs[-1] += data


def html_paragraphs(elements) -> list[str]:
    """The texts of the paragraphs in ``elements`` (HTML elements, e.g. ``at.sidebar.get("html")``)."""
    found = []
    for element in elements:
        reader = ParagraphReader()
        reader.feed(element.proto.body)
        found += reader.paragraphs
    return found


def choices(at: AppTest) -> list[dict]:
    """The sets of buttons drawn as one element (see :mod:`app.choice`) on the page, in page order: each one's
    labels, the index chosen, its label and kind."""
    found = []

    def walk(node) -> None:
        if drawn(node):
            found.append(drawn(node))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return found


def show_priority(at: AppTest, number: int) -> AppTest:
    """On the Priorities page, show priority ``number``'s section (0: every priority), as a press on it in the
    overview does."""
    at.session_state["priorities_show"] = number
    return at.run()
