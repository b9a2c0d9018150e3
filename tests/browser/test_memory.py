"""A closed tab's session is shut down once Streamlit's hold on it is over, and what it held is let go.

A server of its own, with the hold (``server.disconnectedSessionTTL``, 120 s by default) cut to 2 s. Streamlit
drops an expired session from its store without shutting it down, so without the app's sweep the session's download
bytes stay in the server for good; the server's metrics endpoint says what it holds.
"""

from __future__ import annotations

import re
import time
import urllib.request

import pytest

from .conftest import VIEWPORT, AppServer
from .helpers import AGREEMENT, go_to, open_app, upload

pytestmark = pytest.mark.browser


def held(server: AppServer) -> dict[str, int]:
    """Bytes Streamlit holds for uploads and downloads, and the sessions connected (metrics are at most 5 s old)."""
    with urllib.request.urlopen(server.url + "/_stcore/metrics", timeout=30) as response:
        text = response.read().decode()
    sizes = {kind: int(size) for kind, size in
             re.findall(r'^cache_memory_bytes\{cache_type="([^"]+)",cache=""\} (\d+)', text, re.MULTILINE)}
    connected = re.search(r"^active_sessions (\d+)", text, re.MULTILINE)
    assert connected, "the server's metrics are not answering"
    return {"uploads": sizes.get("UploadedFileManager", 0), "downloads": sizes.get("st_memory_media_file_storage", 0),
            "sessions": int(connected.group(1))}


@pytest.fixture
def short_hold_server(tmp_path):
    server = AppServer(tmp_path / "drafts.sqlite3", options=("--server.disconnectedSessionTTL", "2")).start()
    yield server
    server.stop()


def test_a_closed_tabs_downloads_are_let_go_after_the_hold(short_hold_server, browser):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    open_app(page, short_hold_server.url)
    upload(page, AGREEMENT)
    go_to(page, "Report")  # the page's download buttons put the edited workbook and the statuses in memory
    time.sleep(5.5)
    assert held(short_hold_server)["downloads"] > 0
    context.close()
    deadline = time.monotonic() + 90  # the 2 s hold, then the next sweep (every 15 s), on a busy machine
    now = held(short_hold_server)
    while (now["downloads"] or now["sessions"]) and time.monotonic() < deadline:
        time.sleep(3)
        now = held(short_hold_server)
    assert now == {"uploads": 0, "downloads": 0, "sessions": 0}
