"""Browser tests: the app is started on a free port and driven by a real headless Chromium (Playwright)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.memory import ARENA_LIMIT

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PPRR_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the app did not become healthy in time")


class AppServer:
    """One streamlit server for the app, on a free loopback port, with its own drafts database."""

    def __init__(self, drafts_db: Path, port: int | None = None, options: tuple[str, ...] = ()):
        self.drafts_db = drafts_db
        self.port = port or _free_port()
        self.options = options  # further `streamlit run` options, e.g. ("--server.disconnectedSessionTTL", "2")
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = drafts_db.with_suffix(".log")

    def start(self) -> AppServer:
        env = dict(os.environ, PPRR_DATABASE_URL=f"sqlite:///{self.drafts_db}", STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
        env.setdefault("MALLOC_ARENA_MAX", ARENA_LIMIT)  # as `make run` starts the app
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
                 "--server.headless", "true", "--server.port", str(self.port), "--server.address", "127.0.0.1",
                 # Source files edited while the suite runs must not reload modules under a live session.
                 "--server.fileWatcherType", "none", *self.options],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        _wait_healthy(self.url, self.proc)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    server = AppServer(tmp_path_factory.mktemp("drafts") / "drafts.sqlite3").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make test`, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def new_page(browser):
    """Opens another page in a browser context of its own: a second officer, with a session of their own."""
    contexts = []

    def open_page():
        ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        contexts.append(ctx)
        return ctx.new_page()

    yield open_page
    for ctx in contexts:
        ctx.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
