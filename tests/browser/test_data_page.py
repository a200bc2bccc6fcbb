"""The Dữ liệu page in a real browser: upload, report, commit, a bad file, boundaries — all offline."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from geo.store import Store, close_all

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}


@pytest.fixture(scope="module")
def data_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Streamlit server on a demo store of its own (the page writes to it)."""
    from tests.browser.conftest import _free_port

    url = f"sqlite:///{tmp_path_factory.mktemp('data_page') / 'antt.sqlite'}"
    Store.open(url, demo=True)
    close_all()
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT,
        env={**os.environ, "ANTT_DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("Streamlit did not start within 60 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _open(browser: Any, url: str) -> tuple[Any, list[str]]:
    blocked: list[str] = []
    page = browser.new_page(viewport={"width": 1440, "height": 2400})

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


def _wait_text(page: Any, text: str, *, timeout_ms: int = 60000) -> None:
    page.get_by_text(text, exact=False).first.wait_for(state="visible", timeout=timeout_ms)


def test_upload_report_commit_and_bad_files(browser: Any, data_app: str, artifacts_dir: Path) -> None:
    page, blocked = _open(browser, data_app + "/data")
    _wait_text(page, "Tệp vụ việc")
    page.locator("input[type=file]").first.set_input_files(str(DATA / "vu_viec_lon_xon.csv"))
    _wait_text(page, "Báo cáo kiểm tra (7 vấn đề)")
    page.get_by_text("Ngày 31/02/2024 không có trên lịch.").first.wait_for(state="attached")  # a grid cell
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts_dir / "data_report.png"), full_page=True)
    page.get_by_role("button", name="Ghi vào kho: 5 vụ mới, 0 cập nhật").click()
    _wait_text(page, "Đã ghi lô")
    page.wait_for_timeout(1000)
    page.screenshot(path=str(artifacts_dir / "data_committed.png"), full_page=True)
    broken = artifacts_dir / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    page.locator("input[type=file]").first.set_input_files(str(broken))
    _wait_text(page, "Không mở được tệp Excel")
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts_dir / "data_bad_file.png"), full_page=False)
    assert page.get_by_text("Traceback").count() == 0
    assert blocked == []


def test_boundary_preview(browser: Any, data_app: str, artifacts_dir: Path) -> None:
    page, blocked = _open(browser, data_app + "/data")
    _wait_text(page, "Tệp vụ việc")
    page.get_by_role("tab", name="Ranh giới xã").click()
    _wait_text(page, "Tệp ranh giới xã")
    page.locator("input[type=file]").nth(1).set_input_files(str(DATA / "ranh_gioi_vn2000.geojson"))
    _wait_text(page, "Xem trước: ranh giới mới")
    page.wait_for_timeout(2000)
    page.screenshot(path=str(artifacts_dir / "data_boundaries.png"), full_page=True)
    page.get_by_role("tab", name="Lịch sử nhập").click()
    page.wait_for_timeout(1000)
    page.screenshot(path=str(artifacts_dir / "data_history.png"), full_page=True)
    assert blocked == []
