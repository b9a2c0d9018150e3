"""Shared set-up for the AppTest page tests: the app script, and the app opened on a page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "streamlit_app.py"


def open_app(page: str | None = None, timeout: float = 30) -> AppTest:
    """The app run once (on the Workbook page), then switched to ``page`` when one is given."""
    at = AppTest.from_file(str(APP), default_timeout=timeout).run()
    return at.switch_page(page).run() if page else at
