"""Load harness: N officers at once in real headless Chromium against one app server on loopback.

Each user opens the app, uploads the Q3 sample, makes one edit through the Measures page's keyboard form (saved as
a draft in the store), and builds the PDF pack. For each round it prints how many users succeeded at each step and
the p50 / p95 time, and the server's resident memory before the round, at its peak, and ``--settle`` seconds after
the round's browsers closed (past Streamlit's 120-second hold on closed tabs), beside the idle level; then what
Streamlit itself still holds (uploads, download bytes, st.cache_data), from the server's metrics endpoint.

    .venv/bin/python -m bench.load --users 2 4 8 --rounds 3

Idle is measured after one warm-up user: the first session loads pandas, Altair, reportlab and the pages once per
process, which is start-up, not memory held by sessions. Loopback only, its own store in a temporary folder, on
port 8630 unless ``--port`` says otherwise. Timings on a shared machine are noisy: read them as orders of
magnitude.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, AppServer

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "stockport-cfse-2021-22-q3-illustrative.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
TIMEOUT_MS = 120_000
STEPS = ("open", "upload", "edit", "pack")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Peak(threading.Thread):
    """Samples the server's resident memory every 0.2 s and keeps the highest."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.2)


async def settle(page) -> None:
    await page.locator(IDLE).wait_for(timeout=TIMEOUT_MS)


async def go_to(page, title: str) -> None:
    await page.get_by_test_id("stSidebar").get_by_role("button", name=title, exact=True).click()
    await page.locator("h1", has_text=title).wait_for(timeout=TIMEOUT_MS)
    await settle(page)


async def user(browser, url: str, n: int, times: dict[str, list[float]], ok: dict[str, int]) -> None:
    context = await browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = await context.new_page()
    try:
        for step in STEPS:
            start = time.perf_counter()
            if step == "open":
                await page.goto(url)
                await page.locator("h1").first.wait_for(timeout=TIMEOUT_MS)
                await settle(page)
            elif step == "upload":
                async with page.expect_file_chooser() as chooser:
                    await page.get_by_test_id("stFileUploaderDropzone").first.get_by_test_id(
                        "stBaseButton-secondary").click()
                await (await chooser.value).set_files(files=[{"name": f"user{n}.xlsx", "mimeType": XLSX,
                                                              "buffer": SAMPLE.read_bytes()}])
                await page.get_by_text(f"Opened user{n}.xlsx.").wait_for(timeout=TIMEOUT_MS)
                await settle(page)
            elif step == "edit":
                await go_to(page, "Measures")
                await page.get_by_text("Edit a value by measure code").click()
                await page.locator('textarea[aria-label="New value"]').fill(f"Checked by user {n}")
                await page.get_by_role("button", name="Save this value").click()
                await page.get_by_text("Saved in your draft:", exact=False).first.wait_for(timeout=TIMEOUT_MS)
                await settle(page)
            else:
                await go_to(page, "Report")
                await page.get_by_role("button", name="Build the pack").click()
                await page.get_by_role("button", name="Download the PDF pack").wait_for(timeout=TIMEOUT_MS)
            times[step].append(time.perf_counter() - start)
            ok[step] += 1
    except Exception as error:  # noqa: BLE001 - a failed step is counted, and the user stops there
        print(f"  user {n}, {step}: {type(error).__name__}: {str(error).splitlines()[0][:120]}")
    finally:
        await context.close()


def p(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]:.2f}"


async def round_of(users: int, server: AppServer) -> tuple[dict[str, list[float]], dict[str, int], float]:
    """One round: ``users`` officers at once, each in their own browser context; returns the step times, the
    success counts and the server's peak resident memory during the round."""
    from playwright.async_api import async_playwright

    times: dict[str, list[float]] = {s: [] for s in STEPS}
    ok = dict.fromkeys(STEPS, 0)
    peak = Peak(server.proc.pid)
    peak.start()
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            await asyncio.gather(*(user(browser, server.url, n, times, ok) for n in range(users)))
            await browser.close()
    finally:
        peak.running = False
    return times, ok, peak.peak


def settled_rss(pid: int, seconds: float) -> float:
    """The server's resident memory ``seconds`` after the round's browsers closed."""
    time.sleep(seconds)
    return rss_mb(pid)


def held(url: str) -> str:
    """What Streamlit itself says it holds, from the server's metrics endpoint: uploads, the bytes behind download
    buttons, st.cache_data, and the sessions still connected."""
    with urllib.request.urlopen(url + "/_stcore/metrics", timeout=30) as response:
        text = response.read().decode()
    kinds = {"UploadedFileManager": "uploads", "st_memory_media_file_storage": "downloads",
             "st_cache_data": "cache_data"}
    sizes = dict.fromkeys(kinds.values(), 0)
    for kind, size in re.findall(r'^cache_memory_bytes\{cache_type="([^"]+)"[^}]*\} (\d+)', text, re.MULTILINE):
        if kind in kinds:
            sizes[kinds[kind]] += int(size)
    sessions = re.search(r"^active_sessions (\d+)", text, re.MULTILINE)
    return (", ".join(f"{name} {size / 1024:.0f} KB" for name, size in sizes.items())
            + f", {sessions.group(1) if sessions else '?'} sessions connected")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[2, 4, 8], help="users at once, one round each")
    parser.add_argument("--rounds", type=int, default=3, help="how many times the list of rounds is repeated")
    parser.add_argument("--settle", type=float, default=150,
                        help="seconds after a round's browsers close before its 'after' reading")
    parser.add_argument("--port", type=int, default=8630, help="the server's loopback port")
    parser.add_argument("--floor", type=float, default=50, help="MB above idle allowed after sessions close")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = AppServer(Path(folder) / "pprr.sqlite3", port=args.port).start()
        pid = server.proc.pid
        try:
            print(f"fresh server RSS {rss_mb(pid):.0f} MB")
            # The first session loads pandas, Altair, reportlab and the page modules, once per process: that is
            # start-up, not what sessions hold. Idle is measured after one warm-up user's session has closed.
            _, ok, peak = asyncio.run(round_of(1, server))
            idle = settled_rss(pid, args.settle)
            print(f"warm-up: 1 user, {sum(ok.values())}/{len(STEPS)} steps ok, peak {peak:.0f} MB; "
                  f"idle RSS {idle:.0f} MB ({args.settle:.0f} s after the session closed); held: {held(server.url)}")
            worst = 0.0
            for repeat in range(1, args.rounds + 1):
                for users in args.users:
                    before = rss_mb(pid)
                    times, ok, peak = asyncio.run(round_of(users, server))
                    after = settled_rss(pid, args.settle)
                    worst = max(worst, after - idle)
                    print(f"round {repeat}, {users} users: server RSS {before:.0f} MB before, {peak:.0f} MB peak, "
                          f"{after:.0f} MB after ({args.settle:.0f} s), {after - idle:+.0f} MB from idle")
                    print(f"  held after: {held(server.url)}")
                    print(f"  {'step':<8}{'ok':>6}{'p50 s':>9}{'p95 s':>9}")
                    for step in STEPS:
                        print(f"  {step:<8}{ok[step]:>3}/{users:<2}{p(times[step], 0.5):>9}{p(times[step], 0.95):>9}")
            verdict = "within" if worst <= args.floor else "NOT within"
            print(f"largest 'after' above idle: {worst:+.0f} MB ({verdict} the {args.floor:.0f} MB floor)")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
