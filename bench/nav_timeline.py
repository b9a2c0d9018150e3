"""Where a page change spends its time, in the browser: click, first message from the server, script running,
last message, page idle, page drawn; pprr beside the bare two-page floor, medians of ``--repeat``.

    python -m bench.nav_timeline [--size sample|1000] [--pages Measures,Priorities] [--from Workbook] [--repeat 12]

``bench.browser`` gives the figure that counts (click to page drawn); this splits it. All times are the browser's
own clock (``performance.now()``), from the click: the websocket's messages are noted by a wrapper installed
before the app's script loads, the script state and the heading by a MutationObserver. "server" is the span from
the first message to the last (the script run as the browser receives it); what follows "last" is the browser
drawing what it was sent.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from bench.browser import CHROMIUM, FIRST_TABLE, GRID, Server, idle, nav_item, open_page, upload
from bench.run import SAMPLE, generated_workbook

NOTE_MESSAGES = """(() => {
    const Native = window.WebSocket;
    window.__pprrMessages = [];
    window.WebSocket = function(...args) {
        const socket = new Native(...args);
        socket.addEventListener('message', () => window.__pprrMessages.push(performance.now()));
        return socket;
    };
    window.WebSocket.prototype = Native.prototype;
    Object.assign(window.WebSocket, Native);
})();"""
WATCH = """(title) => {
    const t = window.__pprrTimes = {};
    window.__pprrMessages = [];
    new MutationObserver(() => {
        const heading = document.querySelector('h1');
        if (heading && heading.innerText.trim() === title && !t.heading) { t.heading = performance.now(); }
        const app = document.querySelector('[data-testid=stApp]');
        const state = app && app.dataset.testScriptState;
        if (state === 'running' && !t.running) { t.running = performance.now(); }
        if (state === 'notRunning' && t.running && !t.idle) { t.idle = performance.now(); }
    }).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
    document.addEventListener('click', () => { t.click = t.click || performance.now(); }, true);
}"""
GRID_COLUMN = {"Measures": "actual", "What-if": "scenario_target", "Finance": "forecast"}
STEPS = ("first message", "running", "last message", "idle", "drawn")


def timeline(page, there: str, back: str, repeat: int, grid_column: str | None) -> dict[str, float]:
    """Medians, in ms from the click, of each step of ``repeat`` page changes from ``back`` to ``there``."""
    page.bring_to_front()
    seen: dict[str, list[float]] = {step: [] for step in STEPS}
    for attempt in range(repeat + 1):  # the first visit warms the page's caches
        nav_item(page, back).click()
        expect(page.locator("h1").first).to_have_text(back)
        idle(page)
        page.wait_for_timeout(300)
        page.evaluate(WATCH, there)
        nav_item(page, there).click()
        expect(page.locator("h1").first).to_have_text(there)
        idle(page)
        if grid_column:
            page.frame_locator(GRID).first.locator(f'.ag-center-cols-container .ag-row [col-id="{grid_column}"]') \
                .first.wait_for()
        else:
            page.locator(FIRST_TABLE).first.wait_for()
        drawn = page.evaluate("performance.now()")
        times, messages = page.evaluate("[window.__pprrTimes, window.__pprrMessages]")
        if attempt == 0 or "click" not in times or not messages:
            continue
        click = times["click"]
        steps = {"first message": messages[0], "running": times.get("running", times.get("heading", drawn)),
                 "last message": messages[-1], "idle": times.get("idle", times.get("heading", drawn)),
                 "drawn": drawn}
        for step, at in steps.items():
            seen[step].append(at - click)
    return {step: statistics.median(values) for step, values in seen.items() if values}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="sample", help="sample, or a number of measures to generate")
    parser.add_argument("--pages", default="Measures,What-if,Priorities,Finance")
    parser.add_argument("--from", dest="back", default="Workbook", help="the page each change starts from")
    parser.add_argument("--repeat", type=int, default=12)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="pprr-timeline-"))
    book = SAMPLE
    if args.size != "sample":
        book = workdir / f"measures-{args.size}.xlsx"
        book.write_bytes(generated_workbook(int(args.size), 7))
    env = {"PPRR_BENCH_WORKBOOK": str(book), "PPRR_DATABASE_URL": f"sqlite:///{workdir / 'store.sqlite3'}"}
    app = Server("streamlit_app.py", env)
    floor = Server("bench/floors/nav_floor.py", env, "--client.showSidebarNavigation", "true")
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            context.add_init_script(NOTE_MESSAGES)
            page = context.new_page()
            open_page(page, floor.url)
            rows.append(("floor: First to Second", timeline(page, "Second", "First", args.repeat, None)))
            open_page(page, app.url)
            if args.size != "sample":
                upload(page, book)
            for title in args.pages.split(","):
                rows.append((f"pprr: {args.back} to {title}",
                             timeline(page, title, args.back, args.repeat, GRID_COLUMN.get(title))))
            browser.close()
    finally:
        app.stop()
        floor.stop()
    print(f"{'page change (' + args.size + ')':<34}" + "".join(f"{step:>15}" for step in STEPS))
    for name, steps in rows:
        print(f"{name:<34}" + "".join(f"{steps.get(step, float('nan')):>13.0f}ms" for step in STEPS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
