"""The browser's CPU time in a page change: pprr beside the bare two-page floor, medians of ``--repeat``.

    python -m bench.nav_cpu [--size sample|1000] [--pages Measures,Priorities] [--edits 3] [--repeat 9]

``bench.browser`` gives the figure that counts (click to page drawn, wall clock). This takes a Chromium trace of
each change (from the click to 100 ms after the page is idle) and adds up the CPU time of the page's main thread
(every task's own thread time, so time spent waiting for a core is left out), and the part of it React spent
rendering: what a page's grid, chart or table costs the browser. It still moves from run to run on a shared
machine (by up to a fifth), so compare two versions in runs taken one after the other. ``--edits`` makes that many Measures edits first, so the change log and the edited rows are
drawn, as after an officer's edits.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from bench.browser import CHROMIUM, Edits, Server, go, open_page, upload
from bench.run import SAMPLE, generated_workbook

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "toplevel"]


def change_cpu(browser, page: Page, there: str, back: str, trace: Path) -> tuple[float, float]:
    """(main-thread CPU ms, of it React's ms) of one page change from ``back`` to ``there``."""
    go(page, back)
    page.wait_for_timeout(400)
    browser.start_tracing(page=page, path=str(trace), categories=CATEGORIES)
    go(page, there)
    page.wait_for_timeout(100)
    browser.stop_tracing()
    events = json.loads(trace.read_text())["traceEvents"]
    main = {(e["pid"], e["tid"]) for e in events
            if e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}
    clicks = [e["ts"] for e in events if e.get("name") == "EventDispatch"
              and e.get("args", {}).get("data", {}).get("type") == "click"]
    start = min(clicks)
    on_main = [e for e in events if (e["pid"], e["tid"]) in main and e.get("ph") == "X" and e["ts"] >= start]
    cpu = sum(e.get("tdur", e.get("dur", 0)) for e in on_main if e["name"] == "RunTask")
    react = sum(e.get("tdur", e.get("dur", 0)) for e in on_main if e["name"] == "FunctionCall"
                and "react-dom" in e.get("args", {}).get("data", {}).get("url", ""))
    return cpu / 1000, react / 1000


def measure(size: str, pages: list[str], edits: int, repeat: int, seed: int) -> list[tuple[str, float, float]]:
    workdir = Path(tempfile.mkdtemp(prefix="pprr-nav-cpu-"))
    book = SAMPLE if size == "sample" else workdir / f"measures-{size}.xlsx"
    if size != "sample":
        book.write_bytes(generated_workbook(int(size), seed))
    env = {"PPRR_BENCH_WORKBOOK": str(book), "PPRR_DATABASE_URL": f"sqlite:///{workdir / 'store.sqlite3'}"}
    servers = {"app": Server("streamlit_app.py", env),
               "nav": Server("bench/floors/nav_floor.py", env, "--client.showSidebarNavigation", "true")}
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in ["floor", *pages]}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            app, floor = context.new_page(), context.new_page()
            open_page(app, servers["app"].url)
            if size != "sample":
                upload(app, book)
            for title in pages:  # each page's first visit builds what it keeps
                go(app, title)
            if edits:
                go(app, "Measures")
                edit = Edits(app, "actual", "status")
                for _ in range(edits):
                    edit.once()
            open_page(floor, servers["nav"].url)
            for round_ in range(repeat + 1):  # interleaved, as in bench.browser; the first round warms up
                floor.bring_to_front()
                taken = {"floor": change_cpu(browser, floor, "Second", "First", workdir / "trace.json")}
                app.bring_to_front()
                for title in pages:
                    taken[title] = change_cpu(browser, app, title, "Workbook", workdir / "trace.json")
                if round_:
                    for name, value in taken.items():
                        found[name].append(value)
            browser.close()
    finally:
        for server in servers.values():
            server.stop()
    return [(name, statistics.median(c for c, _r in values), statistics.median(r for _c, r in values))
            for name, values in found.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1000", help="sample, or a number of measures to generate")
    parser.add_argument("--pages", default="Measures,What-if,Priorities,Finance")
    parser.add_argument("--edits", type=int, default=0, help="Measures edits made before the changes are timed")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rows = measure(args.size, [p.strip() for p in args.pages.split(",")], args.edits, args.repeat, args.seed)
    floor = rows[0][1]
    print(f"{'page change (' + args.size + ')':<34} {'CPU ms':>8} {'x floor':>8} {'React ms':>9}")
    for name, cpu, react in rows:
        label = "floor: First to Second" if name == "floor" else f"pprr: Workbook to {name}"
        print(f"{label:<34} {cpu:>8.0f} {cpu / floor:>7.1f}x {react:>9.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
