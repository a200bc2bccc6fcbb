"""The Dữ liệu page in a real browser: upload, report, commit, a bad file, boundaries — all offline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.store.store import Store, close_all
from tests.browser._helpers import open_offline, serve

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="module")
def data_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Streamlit server on a demo store of its own (the page writes to it)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('data_page') / 'antt.sqlite'}"
    Store.open(url, demo=True)
    close_all()
    with serve(url) as base:
        yield base


def _open(browser: Any, url: str) -> tuple[Any, list[str]]:
    return open_offline(browser, url, width=1440, height=2400)


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
