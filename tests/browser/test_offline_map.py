"""The maps render in a real browser with every non-localhost request blocked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser._cells import assert_canvas_cells
from tests.browser._helpers import map_frame, open_offline

pytestmark = pytest.mark.browser


def _styles(frame: Any, selector: str) -> list[dict[str, str]]:
    return frame.eval_on_selector_all(
        selector,
        "els => els.map(e => ({stroke: e.getAttribute('stroke'), width: e.getAttribute('stroke-width')}))",
    )


def test_overview_map_offline(browser: Any, app_url: str, artifacts_dir: Path) -> None:
    page, blocked = open_offline(browser, app_url + "/", width=1920, height=1080)
    frame = map_frame(page)
    page.wait_for_timeout(1500)
    assert frame.locator("path.antt-commune").count() == 13
    targets = _styles(frame, "path.antt-target")
    others = _styles(frame, "path.antt-commune:not(.antt-target)")
    assert len(targets) == 3
    assert len(others) == 10
    assert {(s["stroke"], s["width"]) for s in targets}.isdisjoint(
        {(s["stroke"], s["width"]) for s in others}
    )
    labels = frame.locator(".antt-label").all_inner_texts()
    assert len(labels) == 13
    assert any("Vĩnh Hùng" in label for label in labels)
    assert page.get_by_text("Dữ liệu minh họa — không phải số liệu thực").count() >= 1
    page.screenshot(path=str(artifacts_dir / "overview.png"), full_page=False)
    assert blocked == []
    page.close()


def test_hotspot_map_offline(browser: Any, app_url: str, artifacts_dir: Path) -> None:
    page, blocked = open_offline(browser, app_url + "/map")
    # /map holds several maps (main, month by month, before/after): the main one has the incidents.
    frame = map_frame(page, selector=".marker-cluster, path.antt-point")
    frame.wait_for_selector(".antt-cells.antt-density canvas", state="attached", timeout=90_000)
    page.wait_for_timeout(1500)
    assert frame.locator("path.antt-commune").count() == 13
    assert frame.locator("path.antt-target").count() == 3
    clusters = frame.locator(".marker-cluster").count()
    points = frame.locator("path.antt-point").count()
    assert clusters + points > 0
    # The density cells (server-side quartic kernel, fixed classes) replace Leaflet.heat by default, painted
    # on a canvas: its pixels at the cells are their colours.
    assert_canvas_cells(frame, at_least=300)
    page.screenshot(path=str(artifacts_dir / "map.png"), full_page=False)
    assert blocked == []
    page.close()


def test_map_link_keeps_filters(browser: Any, app_url: str) -> None:
    page, blocked = open_offline(
        browser, app_url + "/map?from=2024-01-01&to=2024-03-31&group=ma_tuy&commune=15388"
    )
    map_frame(page)
    page.get_by_text("01/01/2024").first.wait_for(timeout=30_000)
    assert "group=ma_tuy" in page.url
    assert "commune=15388" in page.url
    assert blocked == []
    page.close()
