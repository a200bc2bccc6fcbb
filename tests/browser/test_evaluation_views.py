"""The meeting view and the evidence page in a real browser: fits a 1920×1080 projector, works offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser._helpers import open_offline

pytestmark = pytest.mark.browser

VERDICT_FILLS = {"#1a9850", "#fdae61", "#d73027"}


def _map_frames(page: Any, *, count: int = 1, timeout_s: float = 60) -> list[Any]:
    """Return the component iframes whose Leaflet maps have drawn their communes."""
    for _ in range(int(timeout_s * 2)):
        frames = []
        for frame in page.frames:
            try:
                if frame.locator("path.antt-commune").count() > 0:
                    frames.append(frame)
            except Exception:  # frames detach while Streamlit reruns
                continue
        if len(frames) >= count:
            return frames
        page.wait_for_timeout(500)
    pytest.fail(f"fewer than {count} map frames appeared")


def test_meeting_view_fits_a_projector(browser: Any, app_url: str, artifacts_dir: Path) -> None:
    page, blocked = open_offline(browser, app_url + "/", width=1920, height=1080)
    frame = _map_frames(page)[0]
    page.wait_for_timeout(1500)
    cards = page.locator("div.antt-card")
    assert cards.count() == 3
    verdicts = {}
    for i in range(3):
        card = cards.nth(i)
        box = card.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= 1080, "a verdict card is below the fold at 1920×1080"
        verdicts[card.inner_text().splitlines()[0]] = card.get_attribute("data-verdict")
    assert verdicts == {"Vĩnh Long": "unclear", "Vĩnh Hùng": "improving", "Vĩnh Thịnh": "worsening"}
    headline = page.locator("div.antt-headline")
    assert headline.bounding_box()["y"] < 400
    iframe = page.locator("iframe").first.bounding_box()
    assert iframe["y"] + iframe["height"] <= 1080, "the verdict map is below the fold at 1920×1080"
    fills = set(frame.eval_on_selector_all("path.antt-target", "els => els.map(e => e.getAttribute('fill'))"))
    assert fills == VERDICT_FILLS
    dashed = frame.eval_on_selector_all(
        "path.antt-commune", "els => els.filter(e => e.getAttribute('stroke-dasharray')).length"
    )
    assert dashed >= 2
    assert page.get_by_text("Chuyển biến tích cực", exact=False).count() >= 1
    page.screenshot(path=str(artifacts_dir / "meeting_1920x1080.png"), full_page=False)
    assert blocked == []
    page.close()


def test_evidence_page_draws_chart_and_two_maps(browser: Any, app_url: str, artifacts_dir: Path) -> None:
    page, blocked = open_offline(browser, app_url + "/targets?target=15379", width=1920, height=1080)
    # The maps are a section built when opened (issue 14): open it.
    page.get_by_text("Trước và sau trên bản đồ (cùng thang màu)").first.click()
    frames = _map_frames(page, count=2)
    assert len(frames) == 2
    page.locator(".vega-embed").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    assert page.get_by_text("Kết luận: ✔").count() == 1
    # The baseline note under the verdict and the caveats at the bottom.
    assert page.get_by_text("Hồi quy về trung bình").count() == 2
    assert page.get_by_text("Tỷ số so với xã đối chứng").count() >= 1
    page.screenshot(path=str(artifacts_dir / "targets_1920x1080.png"), full_page=False)
    page.set_viewport_size({"width": 1920, "height": 3000})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts_dir / "targets_full.png"), full_page=False)
    assert blocked == []
    page.close()
