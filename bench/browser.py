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

The table prints pprr's median, the floor's, and their ratio. On a shared machine the figures are noisy: run it
when the machine is quiet, and read the ratios rather than the milliseconds.
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
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from app.memory import ARENA_LIMIT
from bench.run import SAMPLE, generated_workbook

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("PPRR_CHROMIUM", "/usr/bin/chromium")
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
GRID = 'iframe[title="st_aggrid.AgGrid.agGrid"]'
TIMEOUT = 60_000
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


def rated_row(page: Page, status_field: str) -> str:
    """The row id of the first drawn row whose status is Green, Amber or Red (a value can move it)."""
    grid = page.frame_locator(GRID)
    grid.locator(".ag-center-cols-container .ag-row").first.wait_for(timeout=TIMEOUT)
    return page.frame_locator(GRID).locator("body").evaluate(
        """(body, field) => {
            for (const cell of body.querySelectorAll(`[col-id="${field}"]`)) {
                if (/Green|Amber|Red/.test(cell.innerText)) { return cell.closest('[row-id]').getAttribute('row-id'); }
            }
            return null; }""", status_field)


def time_edits(page: Page, field: str, status_field: str, repeat: int) -> float:
    """Median ms from Enter to the edited row's status changing, over ``repeat`` edits that flip it."""
    page.bring_to_front()  # the tab in use: Chromium slows the timers of a tab in the background
    grid = page.frame_locator(GRID)
    row = rated_row(page, status_field)
    status = grid.locator(f'.ag-row[row-id="{row}"] [col-id="{status_field}"]')
    cell = grid.locator(f'.ag-center-cols-container .ag-row[row-id="{row}"] [col-id="{field}"]')
    times, value = [], HIGH
    while len(times) < repeat:
        before = status.inner_text()
        cell.dblclick()
        editor = grid.locator(".ag-cell-editor input").first
        expect(editor).to_be_focused(timeout=TIMEOUT)
        editor.press("Control+a")
        editor.type(value)
        start = time.perf_counter()
        editor.press("Enter")
        try:
            expect(status).not_to_have_text(before, timeout=10_000)
            times.append((time.perf_counter() - start) * 1000)
        except AssertionError:
            pass  # already on that side: the next value flips it
        idle(page)
        page.wait_for_timeout(300)
        value = LOW if value == HIGH else HIGH
    return statistics.median(times)


def nav_item(page: Page, title: str):
    menu = page.get_by_test_id("stSidebar")  # pprr's menu has buttons; the floors have Streamlit's own links
    return menu.get_by_role("button", name=title, exact=True).or_(menu.get_by_role("link", name=title, exact=True))


def time_navigation(page: Page, there: str, back: str, repeat: int, grid: str | None) -> float:
    """Median ms from a sidebar click on ``there`` to its page drawn and idle (coming from ``back`` each time)."""
    page.bring_to_front()  # the tab in use: Chromium slows the timers of a tab in the background
    times = []
    for _ in range(repeat + 1):  # the first visit warms the page's caches
        nav_item(page, back).click()
        expect(page.locator("h1").first).to_have_text(back, timeout=TIMEOUT)
        idle(page)
        page.wait_for_timeout(300)
        start = time.perf_counter()
        nav_item(page, there).click()
        expect(page.locator("h1").first).to_have_text(there, timeout=TIMEOUT)
        idle(page)
        if grid:  # the page's own rows drawn (the app's one grid is kept, hidden, across pages)
            page.frame_locator(GRID).first.locator(f'.ag-center-cols-container .ag-row [col-id="{grid}"]').first \
                .wait_for(timeout=TIMEOUT)
        else:
            page.get_by_test_id("stDataFrame").first.wait_for(timeout=TIMEOUT)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[1:])


def upload(page: Page, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("region", name="Upload a portfolio workbook").get_by_test_id("stBaseButton-secondary").click()
    chooser.value.set_files(str(path))
    expect(page.get_by_text(f"Opened {path.name}.")).to_be_visible(timeout=TIMEOUT)
    idle(page)


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
        app, floor = context.new_page(), context.new_page()
        open_page(app, servers["app"].url)
        if size != "sample":
            upload(app, book)
        open_page(floor, servers["grid"].url)
        grid_floor = time_edits(floor, "actual", "status", repeat) if "edit" in steps else 0.0
        for title, field, status_field in (("Measures", "actual", "status"),
                                           ("What-if", "scenario_target", "scenario_status"),
                                           ("Finance", "forecast", "status")):
            if "edit" not in steps:
                break
            nav_item(app, title).click()
            expect(app.locator("h1").first).to_have_text(title, timeout=TIMEOUT)
            idle(app)
            rows.append((f"edit to new status: {title}", size, time_edits(app, field, status_field, repeat),
                         grid_floor))
        open_page(floor, servers["nav"].url)
        nav_floor = time_navigation(floor, "Second", "First", repeat, grid=None) if "nav" in steps else 0.0
        for title, has_grid in (("Measures", "actual"), ("What-if", "scenario_target"), ("Priorities", None),
                                ("Finance", "forecast")):
            if "nav" not in steps:
                break
            rows.append((f"navigation: Workbook to {title}", size,
                         time_navigation(app, title, "Workbook", repeat, grid=has_grid), nav_floor))
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
