"""The maps render in a real browser with every non-localhost request blocked."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}


def _open(browser: Any, url: str, *, width: int = 1600, height: int = 1000) -> tuple[Any, list[str]]:
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


def _map_frame(page: Any, *, selector: str = "path.antt-commune", timeout_s: float = 60) -> Any:
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


def _styles(frame: Any, selector: str) -> list[dict[str, str]]:
    return frame.eval_on_selector_all(
        selector,
        "els => els.map(e => ({stroke: e.getAttribute('stroke'), width: e.getAttribute('stroke-width')}))",
    )


def test_overview_map_offline(browser: Any, app_url: str, artifacts_dir: Path) -> None:
    page, blocked = _open(browser, app_url + "/", width=1920, height=1080)
    frame = _map_frame(page)
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
    page, blocked = _open(browser, app_url + "/map")
    # /map holds several maps (main, month by month, before/after): the main one has the incidents.
    frame = _map_frame(page, selector=".marker-cluster, path.antt-point")
    frame.wait_for_selector("path.antt-density", timeout=90_000)
    page.wait_for_timeout(1500)
    assert frame.locator("path.antt-commune").count() == 13
    assert frame.locator("path.antt-target").count() == 3
    clusters = frame.locator(".marker-cluster").count()
    points = frame.locator("path.antt-point").count()
    assert clusters + points > 0
    # The density cells (server-side quartic kernel, fixed classes) replace Leaflet.heat by default.
    assert frame.locator("path.antt-density").count() > 300
    page.screenshot(path=str(artifacts_dir / "map.png"), full_page=False)
    assert blocked == []
    page.close()


def test_map_link_keeps_filters(browser: Any, app_url: str) -> None:
    page, blocked = _open(browser, app_url + "/map?from=2024-01-01&to=2024-03-31&group=ma_tuy&commune=15388")
    _map_frame(page)
    page.get_by_text("01/01/2024").first.wait_for(timeout=30_000)
    assert "group=ma_tuy" in page.url
    assert "commune=15388" in page.url
    assert blocked == []
    page.close()
