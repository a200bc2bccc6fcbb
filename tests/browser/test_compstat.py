"""In a real browser: / shows the plan's verdict and 'now', and the date picker is Vietnamese with Monday first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser._helpers import open_offline

pytestmark = pytest.mark.browser


def test_overview_now_and_then_and_a_monday_first_vietnamese_calendar(
    browser: Any, app_url: str, artifacts_dir: Path
) -> None:
    page, blocked = open_offline(browser, app_url + "/", width=1920, height=1080)
    page.wait_for_selector(".antt-card .antt-now", timeout=120_000)
    headline = page.locator(".antt-headline").inner_text()
    assert "Đánh giá theo kế hoạch: 12 tháng 26/05/2023–25/05/2024" in headline
    assert "Hiện nay (11/2025–10/2026, cùng mốc)" in headline
    assert page.locator(".antt-card .antt-now").count() == 3
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts_dir / "overview_now_1920x1080.png"))
    # Streamlit's calendar follows the browser's language; the page reports Vietnamese (Chromium here is en-US).
    assert page.evaluate("navigator.language") == "vi-VN"
    page.locator('[data-testid="stDateInput"] button').first.click()
    grid = page.locator('[role=grid][aria-label*="tháng"]').first  # the calendar (tables are grids too)
    grid.wait_for(state="visible", timeout=10_000)
    days = grid.locator("th").all_inner_texts()
    assert [d.strip() for d in days] == ["T2", "T3", "T4", "T5", "T6", "T7", "CN"], days
    assert "tháng 11 năm 2025" in (grid.get_attribute("aria-label") or "")
    page.screenshot(path=str(artifacts_dir / "calendar_vi_monday.png"))
    page.keyboard.press("Escape")
    # A CompStat preset: the last 28 days of the data against the same 28 days a year earlier.
    preset = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text="Kỳ báo cáo"
    )
    preset.get_by_role("combobox").click()
    page.get_by_role("option", name="28 ngày gần nhất").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stDateInput] input')].some(i => i.value === '2026-10-04')",
        timeout=60_000,
    )
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "So với cùng kỳ năm trước: 04/10/2025 – 31/10/2025" in sidebar, sidebar  # 28 days a year earlier
    assert "period=28d" in page.url
    assert blocked == []
    page.close()
