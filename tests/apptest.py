"""Shared set-up for the AppTest page tests: the app script, and the app opened on a page."""

from __future__ import annotations

import itertools
from pathlib import Path

from streamlit.testing.v1 import AppTest

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
