"""Helpers shared by the real-browser tests: start the app on a store, open a page offline."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(store_url: str, *, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run the dashboard (`python -m ui.serve`) on ``store_url`` (and ``env``); yield its base URL; stop it."""
    if not (ROOT / "static" / "vendor" / "leaflet" / "leaflet.js").exists():
        pytest.fail("static/vendor is missing: run `make deps` (npm assets) before the browser tests")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT,
        env={**os.environ, "ANTT_DATABASE_URL": store_url, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("Streamlit did not start within 120 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()  # reaped: no "subprocess still running" warning at teardown


def open_offline(browser: Any, url: str, *, width: int = 1600, height: int = 1000) -> tuple[Any, list[str]]:
    """Open ``url`` with every non-localhost request aborted; return the page and the blocked URLs."""
    blocked: list[str] = []
    page = browser.new_page(viewport={"width": width, "height": height})

    def route(r: Any) -> None:
        host = urlparse(r.request.url).hostname or ""
        if r.request.url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="domcontentloaded")
    return page, blocked


def map_frame(page: Any, *, selector: str = "path.antt-commune", timeout_s: float = 60) -> Any:
    """Return the component iframe whose Leaflet map has drawn its communes."""
    for _ in range(int(timeout_s * 2)):
        for frame in page.frames:
            try:
                if frame.locator(selector).count() > 0:
                    return frame
            except Exception:  # frames detach while Streamlit reruns
                continue
        page.wait_for_timeout(500)
    pytest.fail(f"no map frame with {selector!r} appeared")
