"""Browser figures for the editing loop, beside bare-framework floors measured in the same run.

    python -m bench.browser [--sizes sample,1000] [--repeat 7] [--steps edit,nav]

For each workbook size it starts, each on a free loopback port: the pprr app, a bare streamlit-aggrid page with a
stable key recomputing one column after an edit (``bench/floors/grid_floor.py``) and a bare two-page
``st.navigation`` app showing the same rows in ``st.dataframe`` (``bench/floors/nav_floor.py``). Headless Chromium
(``/usr/bin/chromium``) then times, medians of ``--repeat`` runs:

* **edit**: from pressing Enter in a grid cell to the edited row's status showing the new rating (pprr's Measures
  grid, What-if grid and Finance forecast grid; the floor's grid);
* **navigation**: from a click in the sidebar to the page drawn and idle, with its grid's rows or its table shown
  (pprr: Workbook to each page; the floor: one page to the other).

The steps are interleaved: each round takes the floor's step and then each of pprr's once, so a change in the
machine's load during the run falls on both sides of a ratio. The table prints pprr's median, the floor's, and
their ratio. On a shared machine the figures are noisy: run it when the machine is quiet, and read the ratios
rather than the milliseconds.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from app import html_table
from app.memory import ARENA_LIMIT
from bench.run import SAMPLE, generated_workbook

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("PPRR_CHROMIUM", "/usr/bin/chromium")
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
GRID = 'iframe[title="st_aggrid.AgGrid.agGrid"]:visible'  # the open page's grid (the others are kept, hidden)
TIMEOUT = 60_000
FIRST_TABLE = f'[data-testid="stDataFrame"], [data-testid="stMain"] .{html_table.CLASS}'  # a canvas or a plain table
HIGH, LOW = "99999", "-99999"  # far beyond any target either way: the status flips between them


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, script: str, env: dict[str, str], *options: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.port",
             str(self.port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false", *options],
            cwd=ROOT, env={"MALLOC_ARENA_MAX": ARENA_LIMIT, **os.environ, "PYTHONPATH": str(ROOT), **env},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{script} did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


def idle(page: Page) -> None:
    page.locator(IDLE).wait_for(timeout=TIMEOUT)


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("h1").first).to_be_visible(timeout=TIMEOUT)
    idle(page)


def rated_row(page: Page, status_field: str, avoid: tuple[str, ...] = ()) -> str:
    """The row id of the first drawn row whose status is Green, Amber or Red (a value can move it), other than the
    rows in ``avoid``."""
    grid = page.frame_locator(GRID)
    grid.locator(".ag-center-cols-container .ag-row").first.wait_for(timeout=TIMEOUT)
    return page.frame_locator(GRID).locator("body").evaluate(
        """(body, [field, avoid]) => {
            for (const cell of body.querySelectorAll(`[col-id="${field}"]`)) {
                const row = cell.closest('[row-id]');  // none for the header
                if (row && /Green|Amber|Red/.test(cell.innerText) && !avoid.includes(row.getAttribute('row-id'))) {
                    return row.getAttribute('row-id');
                }
            }
            return null; }""", [status_field, list(avoid)])


class Edits:
    """One timed edit at a time in ``page``'s grid: from Enter to the edited row's status changing. Each edit
    moves the value across the target (see :data:`HIGH`), so the status flips every time."""

    def __init__(self, page: Page, field: str, status_field: str, avoid: tuple[str, ...] = ()):
        self.page, self.field, self.status_field, self.value = page, field, status_field, HIGH
        self.avoid = avoid  # rows another grid's edits change (the same measure on Measures and What-if)
        self.row: str | None = None

    def once(self) -> float | None:
        """ms from Enter to the new status, or None when the value left the status as it was (the next flips it)."""
        page = self.page
        page.bring_to_front()  # the tab in use: Chromium slows the timers of a tab in the background
        grid = page.frame_locator(GRID)
        if self.row is None:
            self.row = rated_row(page, self.status_field, self.avoid)
        status = grid.locator(f'.ag-row[row-id="{self.row}"] [col-id="{self.status_field}"]')
        cell = grid.locator(f'.ag-center-cols-container .ag-row[row-id="{self.row}"] [col-id="{self.field}"]')
        before = status.inner_text()
        cell.dblclick()
        editor = grid.locator(".ag-cell-editor input").first
        expect(editor).to_be_focused(timeout=TIMEOUT)
        editor.press("Control+a")
        editor.type(self.value)
        start = time.perf_counter()
        editor.press("Enter")
        try:
            expect(status).not_to_have_text(before, timeout=10_000)
            taken: float | None = (time.perf_counter() - start) * 1000
        except AssertionError:
            taken = None
        idle(page)
        page.wait_for_timeout(300)
        self.value = LOW if self.value == HIGH else HIGH
        return taken


def nav_item(page: Page, title: str):
    menu = page.get_by_test_id("stSidebar")  # pprr's menu has buttons; the floors have Streamlit's own links
    return menu.get_by_role("button", name=title, exact=True).or_(menu.get_by_role("link", name=title, exact=True))


def go(page: Page, title: str) -> None:
    nav_item(page, title).click()
    expect(page.locator("h1").first).to_have_text(title, timeout=TIMEOUT)
    idle(page)


class Navigation:
    """One timed page change at a time in ``page``: from a sidebar click on ``there`` (coming from ``back``) to its
    page drawn and idle, with its grid's rows (``grid``: a column of them) or else its first table shown."""

    def __init__(self, page: Page, there: str, back: str, grid: str | None):
        self.page, self.there, self.back, self.grid = page, there, back, grid

    def once(self) -> float:
        page = self.page
        page.bring_to_front()  # the tab in use: Chromium slows the timers of a tab in the background
        go(page, self.back)
        page.wait_for_timeout(300)
        start = time.perf_counter()
        go(page, self.there)
        if self.grid:  # the page's own rows drawn (the app's one grid is kept, hidden, across pages)
            page.frame_locator(GRID).first.locator(f'.ag-center-cols-container .ag-row [col-id="{self.grid}"]') \
                .first.wait_for(timeout=TIMEOUT)
        else:
            page.locator(FIRST_TABLE).first.wait_for(timeout=TIMEOUT)
        return (time.perf_counter() - start) * 1000


def interleaved(steps: dict[str, Callable[[], float | None]], repeat: int) -> dict[str, float]:
    """Median ms of each step over ``repeat`` rounds, every round taking each step once in turn (the floor's and
    pprr's steps side by side, so a change in the machine's load falls on both). A first round warms the caches
    and is not counted; a step that returns None is taken again in the same round (once: an edit that found its
    row already on that side flips it the next time)."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for round_ in range(repeat + 1):
        for name, step in steps.items():
            taken = step()
            if taken is None:
                taken = step()
            if taken is None:
                raise RuntimeError(f"{name}: the edited row's status did not change, either way")
            if round_:
                times[name].append(taken)
    return {name: statistics.median(found) for name, found in times.items()}


def upload(page: Page, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("region", name="Upload a portfolio workbook").get_by_test_id("stBaseButton-secondary").click()
    chooser.value.set_files(str(path))
    expect(page.get_by_text(f"Opened {path.name}.")).to_be_visible(timeout=TIMEOUT)
    idle(page)


EDITS = (("Measures", "actual", "status"), ("What-if", "scenario_target", "scenario_status"),
         ("Finance", "forecast", "status"))
PAGE_CHANGES = (("Measures", "actual"), ("What-if", "scenario_target"), ("Priorities", None), ("Finance", "forecast"))


def measure(size: str, repeat: int, browser, seed: int, steps: set[str]) -> list[tuple[str, str, float, float]]:
    workdir = Path(tempfile.mkdtemp(prefix="pprr-bench-"))
    if size == "sample":
        book = SAMPLE
    else:
        book = workdir / f"measures-{size}.xlsx"
        book.write_bytes(generated_workbook(int(size), seed))
    env = {"PPRR_BENCH_WORKBOOK": str(book), "PPRR_DATABASE_URL": f"sqlite:///{workdir / 'store.sqlite3'}"}
    # The floors get Streamlit's own page list back (the app's config turns it off in favour of its own menu).
    servers = {"app": Server("streamlit_app.py", env),
               "grid": Server("bench/floors/grid_floor.py", env, "--client.showSidebarNavigation", "true"),
               "nav": Server("bench/floors/nav_floor.py", env, "--client.showSidebarNavigation", "true")}
    rows = []
    try:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        app, grid_floor, nav_floor = context.new_page(), context.new_page(), context.new_page()
        open_page(app, servers["app"].url)
        if size != "sample":
            upload(app, book)
        if "edit" in steps:
            open_page(grid_floor, servers["grid"].url)
            edits = {title: Edits(app, field, status) for title, field, status in EDITS}
            go(app, "Measures")
            edits["What-if"].avoid = (rated_row(app, "status"),)  # the row the Measures edits change

            def on(title: str):
                def step() -> float | None:
                    app.bring_to_front()
                    go(app, title)
                    app.wait_for_timeout(300)
                    return edits[title].once()
                return step

            found = interleaved({"floor": Edits(grid_floor, "actual", "status").once,
                                 **{title: on(title) for title in edits}}, repeat)
            rows += [(f"edit to new status: {title}", size, found[title], found["floor"]) for title in edits]
        if "nav" in steps:
            open_page(nav_floor, servers["nav"].url)
            found = interleaved({"floor": Navigation(nav_floor, "Second", "First", grid=None).once,
                                 **{title: Navigation(app, title, "Workbook", grid).once
                                    for title, grid in PAGE_CHANGES}}, repeat)
            rows += [(f"navigation: Workbook to {title}", size, found[title], found["floor"])
                     for title, _grid in PAGE_CHANGES]
        context.close()
    finally:
        for server in servers.values():
            server.stop()
    return rows


def table(rows: list[tuple[str, str, float, float]]) -> str:
    lines = [f"{'step':<36} {'size':>7} {'pprr ms':>9} {'floor ms':>9} {'ratio':>6}"]
    for step, size, ms, floor in rows:
        lines.append(f"{step:<36} {size:>7} {ms:>9.0f} {floor:>9.0f} {ms / floor:>5.1f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="sample,1000")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", default="edit,nav", help="edit, nav or both (comma-separated)")
    args = parser.parse_args(argv)
    steps = {step.strip() for step in args.steps.split(",")}
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        for size in args.sizes.split(","):
            rows += measure(size.strip(), args.repeat, browser, args.seed, steps)
            print(table(rows), file=sys.stderr)
        browser.close()
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
