"""The upload limit is the server's, not only the browser's: a file over it sent straight to the running server,
past the upload box and its check, is refused before the app could read it.

The limit is ``server.maxUploadSize`` in .streamlit/config.toml (20 MB). Streamlit's upload handler refuses a body
whose Content-Length is over it, counts the bytes of a body sent without one (or with a false one) and stops reading
once they pass the limit plus 1 MB for the form's framing, then checks the file's own size. A control upload of a
small file at the same address, with the same session and token, is taken: the refusals are about size alone.
"""

from __future__ import annotations

import http.client
import re
import time
import tomllib
import urllib.request
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .helpers import AGREEMENT, Q3_SAMPLE, ROOT, open_app, open_file, settle, upload

pytestmark = pytest.mark.browser

LIMIT_MB = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
MB = 1 << 20


def upload_address(app_server, page) -> tuple[str, dict[str, str]]:
    """The session's upload address and the headers the page sends with an upload, taken from a real upload."""
    sent = []
    page.on("request", lambda r: sent.append(r) if r.method == "PUT" and "/_stcore/upload_file/" in r.url else None)
    upload(page, AGREEMENT)
    assert sent, "the upload box sent no upload"
    request = sent[-1]
    headers = request.all_headers()
    kept = {name: value for name, value in headers.items() if name in ("x-xsrftoken", "cookie", "origin")}
    session = urlsplit(request.url).path.split("/_stcore/upload_file/")[1].split("/")[0]
    return f"/_stcore/upload_file/{session}", kept


def put(app_server, path: str, headers: dict[str, str], size: int, chunked: bool = False) -> int:
    """PUT one file of ``size`` bytes as a multipart form; the server's status."""
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.xlsx\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    url = urlsplit(app_server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    sent_headers = dict(headers, **{"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def body():
        yield head
        chunk = bytes(MB)
        left = size
        while left > 0:
            yield chunk[:min(MB, left)]
            left -= min(MB, left)
        yield tail

    try:
        if chunked:  # no Content-Length: the server must count the bytes itself
            connection.request("PUT", f"{path}/{uuid.uuid4()}", body=body(), headers=sent_headers,
                               encode_chunked=True)
        else:
            sent_headers["Content-Length"] = str(len(head) + size + len(tail))
            connection.request("PUT", f"{path}/{uuid.uuid4()}", body=body(), headers=sent_headers)
        return connection.getresponse().status
    except (BrokenPipeError, ConnectionResetError):
        # The server answered and closed the connection before the whole body was sent: read what it said.
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_server_refuses_an_upload_over_the_limit_sent_past_the_browser(app_server, page):
    open_app(page, app_server.url)
    path, headers = upload_address(app_server, page)
    assert put(app_server, path, headers, MB) == 204  # the control: a small file at the same address is taken
    assert put(app_server, path, headers, (LIMIT_MB + 1) * MB) == 413  # refused on its stated length
    assert put(app_server, path, headers, (LIMIT_MB + 2) * MB, chunked=True) == 413  # no length: refused by count
    assert put(app_server, path, headers, LIMIT_MB * MB + 64 * 1024, chunked=True) == 413  # just over: file size
    # The session is unharmed: the workbook uploaded through the box is still open.
    settle(page)
    expect(page.get_by_text(f"Open: {AGREEMENT.name}")).to_be_visible()


def test_the_upload_box_says_the_limit_in_words_and_keeps_the_open_workbook(app_server, page):
    open_app(page, app_server.url)
    open_file(page, "too-big.xlsx", b"PK\x03\x04" + bytes((LIMIT_MB + 1) * MB))
    expect(page.get_by_text(f"File must be {LIMIT_MB}.0MB or smaller.")).to_be_visible()
    settle(page)
    expect(page.get_by_text(f"Open: {Q3_SAMPLE.name}")).to_be_visible()


def held_upload_bytes(app_server) -> int:
    """What Streamlit's store of uploads holds, from the server's own metrics endpoint (which recomputes its
    memory figures at most every 5 s: the reading waits that long first)."""
    time.sleep(5.5)
    with urllib.request.urlopen(app_server.url + "/_stcore/metrics", timeout=30) as response:
        text = response.read().decode()
    found = re.search(r'^cache_memory_bytes\{cache_type="UploadedFileManager",cache=""\} (\d+)', text, re.MULTILINE)
    assert "active_sessions" in text, "the server's metrics are not answering"
    return int(found.group(1)) if found else 0  # the store is left out of the metrics while it is empty


def test_upload_bytes_are_let_go_once_the_workbook_is_read_opened_or_refused(app_server, page):
    open_app(page, app_server.url)
    before = held_upload_bytes(app_server)
    upload(page, AGREEMENT)  # opened: the app keeps its own copy as the working copy
    assert held_upload_bytes(app_server) <= before
    open_file(page, "refused.xlsx", b"PK\x03\x04" + bytes(2 * MB))  # refused by the upload gate
    expect(page.get_by_text("refused.xlsx was not opened")).to_be_visible(timeout=30_000)
    settle(page)
    assert held_upload_bytes(app_server) <= before
