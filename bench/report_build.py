"""The Report page's Build in a real browser: from the click to the download button, beside a bare floor.

    python -m bench.report_build [--repeat 7] [--port 8620]

Starts, on loopback, the pprr app (its own empty SQLite store in a temporary folder, so no earlier report is kept
and the pack is the Q3 sample's own) on ``--port`` and the floor (``bench/floors/report_floor.py``: a bare page
whose button builds the 35-page reportlab document of ``bench/pack_floor.py`` with a progress bar and offers it
for download) on the next port. Headless Chromium (``/usr/bin/chromium``) then, ``--repeat`` times, each time in a
new browser session: opens the app on the Q3 sample, goes to the Report page and presses "Build the pack", and
times from the click to the "Download the PDF pack" button shown (both the PDF and the HTML pack are built by
then) and to the page idle; the same on the floor with its "Build" button. The first build after the server starts
(the PDF library's first import and font loading) is shown apart; the medians are of the builds after it. Beside
the wall-clock time, the CPU seconds the server process spent from the click to the download button: on a busy
machine the wall clock mostly measures the wait for a core, the CPU time the work done. The browser's CPU
seconds over the same span are shown too (Chromium redraws the page for every message the server sends): on two
cores the server and the browser share the machine.

The progress bar's words seen during one build are printed too: the page must show its progress. The goal is
under 1.5 s from the click to the download button. On a shared machine the figures are noisy: read them with the
floor of the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("PPRR_CHROMIUM", "/usr/bin/chromium")
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
TIMEOUT = 120_000
GOAL_S = 1.5
# Records the text of every progress bar drawn, as the page changes, until read back.
WATCH_PROGRESS = """() => {
    window.__progress = [];
    const seen = () => document.querySelectorAll('[data-testid="stProgress"]').forEach(bar => {
        const text = bar.innerText.trim();
        if (text && window.__progress[window.__progress.length - 1] !== text) { window.__progress.push(text); }
    });
    new MutationObserver(seen).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


class Server:
    """``streamlit run script`` on 127.0.0.1:port, stopped by :meth:`stop`."""

    def __init__(self, script: str, port: int, env: dict[str, str]):
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.port",
             str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{script} exited with code {self.proc.returncode} (is port {port} free?)")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{script} did not start on port {port}")

    def cpu(self) -> float:
        """CPU seconds the server process has used (all its threads), from /proc."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def browser_cpu() -> float:
    """CPU seconds used so far by the Chromium processes this process started (through Playwright's driver)."""
    me, total = str(os.getpid()), 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if b"chromium" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            parent, ours = pid, False
            for _ in range(8):  # chromium <- its zygote or browser process <- the Playwright driver <- this process
                parent = Path(f"/proc/{parent}/stat").read_text().rsplit(")", 1)[1].split()[1]
                if parent in (me, "0", "1"):
                    ours = parent == me
                    break
            if ours:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue  # a process that ended meanwhile
    return total / os.sysconf("SC_CLK_TCK")


def idle(page: Page) -> None:
    page.locator(IDLE).wait_for(timeout=TIMEOUT)


def one_build(browser: Browser, server: Server, page_title: str | None, build: str,
              download: str) -> tuple[float, float, float, float, list[str]]:
    """(seconds from the click to the download button, to the page idle; the server's and the browser's CPU
    seconds from the click to the download button; progress texts seen), in a new session."""
    url = server.url
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        page.goto(url)
        expect(page.locator("h1").first).to_be_visible(timeout=TIMEOUT)
        idle(page)
        if page_title:
            page.get_by_test_id("stSidebar").get_by_role("button", name=page_title, exact=True).click()
            expect(page.locator("h1").first).to_have_text(page_title, timeout=TIMEOUT)
            idle(page)
        page.evaluate(WATCH_PROGRESS)
        button = page.get_by_role("button", name=build, exact=True)
        ready = page.get_by_role("button", name=download, exact=True)
        cpu, chromium, start = server.cpu(), browser_cpu(), time.perf_counter()
        button.click()
        expect(ready).to_be_enabled(timeout=TIMEOUT)
        shown, cpu, chromium = time.perf_counter() - start, server.cpu() - cpu, browser_cpu() - chromium
        idle(page)
        done = time.perf_counter() - start
        return shown, done, cpu, chromium, page.evaluate("() => window.__progress")
    finally:
        context.close()


def measure(browser: Browser, server: Server, page_title: str | None, build: str, download: str,
            repeat: int) -> dict[str, object]:
    runs = [one_build(browser, server, page_title, build, download) for _ in range(repeat + 1)]
    first, rest = runs[0], runs[1:]
    return {"first": first[0], "shown": statistics.median(r[0] for r in rest),
            "idle": statistics.median(r[1] for r in rest), "spread": (min(r[0] for r in rest),
                                                                       max(r[0] for r in rest)),
            "cpu": statistics.median(r[2] for r in rest), "browser": statistics.median(r[3] for r in rest),
            "progress": max((r[4] for r in runs), key=len)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed builds after the first (median shown)")
    parser.add_argument("--port", type=int, default=8620, help="the app's port; the floor takes the next one")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="pprr-report-bench-"))
    env = {"PPRR_DATABASE_URL": f"sqlite:///{workdir / 'store.sqlite3'}"}
    app = Server("streamlit_app.py", args.port, env)
    try:
        floor = Server("bench/floors/report_floor.py", args.port + 1, env)
    except RuntimeError:
        app.stop()
        raise
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=["--no-sandbox", "--disable-gpu"])
            results = {
                "Report page: Build the pack": measure(browser, app, "Report", "Build the pack",
                                                       "Download the PDF pack", args.repeat),
                "floor: bare page, 35 plain pages": measure(browser, floor, None, "Build", "Download the PDF",
                                                            args.repeat),
            }
            browser.close()
    finally:
        app.stop()
        floor.stop()
    floor_r = results["floor: bare page, 35 plain pages"]
    print(f"click to download button (s), median of {args.repeat} after the first")
    print(f"{'':<34} {'first':>6} {'median':>7} {'min-max':>11} {'idle':>6} {'x floor':>8} {'server CPU':>11} "
          f"{'x floor':>8} {'browser CPU':>12}  goal < {GOAL_S:g} s")
    for name, r in results.items():
        low, high = r["spread"]
        verdict = "" if name.startswith("floor") else ("ok" if r["shown"] < GOAL_S else "OVER")
        print(f"{name:<34} {r['first']:>6.2f} {r['shown']:>7.2f} {f'{low:.2f}-{high:.2f}':>11} {r['idle']:>6.2f} "
              f"{r['shown'] / floor_r['shown']:>8.2f} {r['cpu']:>11.2f} {r['cpu'] / floor_r['cpu']:>8.2f} "
              f"{r['browser']:>12.2f}  {verdict}")
    print(f"progress shown on the Report page: {' / '.join(results['Report page: Build the pack']['progress'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
