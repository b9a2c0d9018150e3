"""What one Streamlit element costs the browser on every change to its page: main-thread CPU time of a change to a
bare page of ``--count`` elements of a kind, less that of the same page with none, divided by the count.

    python -m bench.element_cost [--kinds button,multiselect,selectbox] [--count 10] [--repeat 7]

Each kind is served by its own bare app (``bench/floors/elements_page.py``) and timed as ``bench.nav_cpu`` times
pprr's pages, interleaved. ``html_table_150_rows`` draws one 150-row table, so its figure is for the one table;
``choice_8_buttons`` is pprr's page menu (``app.choice``): eight buttons as one element.
This is why pprr draws lists, tabs and filters only when opened, and its menu and views as one element.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.browser import CHROMIUM, Server, go, open_page
from bench.nav_cpu import change_cpu

KINDS = ("button", "multiselect", "selectbox", "text_input", "expander", "tabs", "pills", "caption", "markdown",
         "text", "html", "warning", "header", "html_table_150_rows", "choice_8_buttons")


def measure(kinds: list[str], count: int, repeat: int) -> dict[str, float]:
    workdir = Path(tempfile.mkdtemp(prefix="pprr-element-cost-"))
    servers = {kind: Server("bench/floors/elements_page.py",
                            {"PPRR_ELEMENT_KIND": kind, "PPRR_ELEMENT_COUNT": str(count)},
                            "--client.showSidebarNavigation", "true") for kind in ["none", *kinds]}
    found: dict[str, list[float]] = {kind: [] for kind in servers}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            pages = {}
            for kind, server in servers.items():
                pages[kind] = context.new_page()
                open_page(pages[kind], server.url)
                go(pages[kind], "Second")
            for round_ in range(repeat + 1):  # the first round warms up
                for kind, page in pages.items():
                    page.bring_to_front()
                    cpu, _react = change_cpu(browser, page, "Second", "First", workdir / "trace.json")
                    if round_:
                        found[kind].append(cpu)
            browser.close()
    finally:
        for server in servers.values():
            server.stop()
    return {kind: statistics.median(values) for kind, values in found.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.kinds.split(",")]
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        parser.error(f"unknown kinds: {', '.join(unknown)} (known: {', '.join(KINDS)})")
    medians = measure(kinds, args.count, args.repeat)
    floor = medians["none"]
    print(f"{'element':<22} {'page CPU ms':>12} {'per element ms':>15}")
    print(f"{'none (the floor)':<22} {floor:>12.0f} {'':>15}")
    for kind in kinds:
        each = (medians[kind] - floor) / (1 if kind == "html_table_150_rows" else args.count)
        print(f"{kind:<22} {medians[kind]:>12.0f} {each:>15.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
