"""Real-browser fixtures: a Streamlit server on a free local port and Debian's headless Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.browser._helpers import serve

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def app_url(demo_store_url: str) -> Iterator[str]:
    """The dashboard on the session's demo store (read-only use)."""
    with serve(demo_store_url) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's chromium driven by playwright (no downloaded browser)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: `make test` installs it with apt-get")
    with sync_playwright() as pw:
        chrome = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chrome
        chrome.close()
