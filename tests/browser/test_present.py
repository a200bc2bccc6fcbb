"""Presentation mode and printing in a real browser: fits a projector without scrolling, keys step, print keeps maps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser._helpers import map_frame, open_offline

pytestmark = pytest.mark.browser

TARGETS = ("15361", "15379", "15388")  # the demo plan's targets, in its order
SIZES = ((1920, 1080), (1366, 768), (1024, 768))
TOLERANCE = 2  # pixels of rounding

OVERFLOW = """() => {
    const scrollers = [...document.querySelectorAll('*')].filter(e => {
        const s = getComputedStyle(e);
        return ['auto', 'scroll'].includes(s.overflowY) && e.scrollHeight > e.clientHeight + 2;
    }).map(e => e.getAttribute('data-testid') || e.className);
    return {page: document.scrollingElement.scrollHeight, window: innerHeight, scrollers};
}"""
"""The page's height, the window's, and any box that scrolls (more than `TOLERANCE` pixels)."""


def _wait_for_slide(page: Any, target: str) -> None:
    """Wait until the big card is ``target``'s and its map has drawn the current target's outline."""
    page.wait_for_selector(f'div.antt-present-card[data-target="{target}"]', timeout=60_000)
    if target != "all":
        map_frame(page, selector="path.antt-current")


def _bottom(page: Any, selector: str) -> float:
    return max(box["y"] + box["height"] for box in (e.bounding_box() for e in page.locator(selector).all()))


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_present_fits_the_window_without_scrolling(
    browser: Any, app_url: str, artifacts_dir: Path, width: int, height: int
) -> None:
    page, blocked = open_offline(browser, app_url + "/present", width=width, height=height)
    map_frame(page)
    _wait_for_slide(page, "all")
    page.wait_for_timeout(1000)  # the fonts and the map's final height
    for step in ("all", TARGETS[-1]):
        if step != "all":
            page.keyboard.press("PageUp")  # from the first slide back to the last
            _wait_for_slide(page, step)
            page.wait_for_timeout(1000)
        size = page.evaluate(OVERFLOW)
        assert size["page"] <= size["window"] + TOLERANCE, size
        assert size["scrollers"] == [], size
        assert page.locator("div.antt-present-row").count() == len(TARGETS)
        assert _bottom(page, "div.antt-present-card, div.antt-present-row") <= height
        assert _bottom(page, "div.antt-present-note") <= height
        frame = page.locator('[class*="st-key-present-map-"] iframe').first.bounding_box()
        assert frame["height"] >= 0.6 * height, "the map should take most of the window's height"
        assert frame["y"] + frame["height"] <= height + TOLERANCE
        assert page.locator('[data-testid="stSidebar"]').first.is_hidden()
        page.screenshot(path=str(artifacts_dir / f"present_{width}x{height}_{step}.png"))
    assert blocked == []
    page.close()


def test_present_steps_with_the_keys_and_the_button(browser: Any, app_url: str) -> None:
    page, _ = open_offline(browser, app_url + "/present", width=1366, height=768)
    map_frame(page)
    _wait_for_slide(page, "all")
    page.keyboard.press("ArrowRight")
    _wait_for_slide(page, TARGETS[0])
    frame = map_frame(page, selector="path.antt-current")
    assert frame.locator("path.antt-current").count() == 2  # the white halo and the dark line
    assert (
        page.locator('div.antt-present-row[aria-current="true"]').get_attribute("data-target") == TARGETS[0]
    )
    page.keyboard.press("PageDown")  # a presentation clicker's "next"
    _wait_for_slide(page, TARGETS[1])
    page.get_by_role("button", name="Tiếp ›").click()
    _wait_for_slide(page, TARGETS[2])
    page.keyboard.press("ArrowLeft")
    _wait_for_slide(page, TARGETS[1])
    # After a click on the map the keys go to its frame: it hands the slide keys back to the page.
    map_frame(page, selector="path.antt-current").locator("path.antt-commune").first.click(force=True)
    page.keyboard.press("ArrowRight")
    _wait_for_slide(page, TARGETS[2])
    page.keyboard.press("Escape")
    page.wait_for_selector("div.antt-present-card", state="detached", timeout=60_000)
    page.wait_for_selector('[data-testid="stSidebar"]', state="visible", timeout=60_000)
    page.close()


MAPS_DRAWN = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    if (main) main.scrollTop = main.scrollHeight;
    const maps = [...document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')];
    return maps.length > 0 && maps.every(frame => frame.getBoundingClientRect().height > 0);
}"""

PRINT_CHECK = """() => {
    const maps = [...document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')].map(frame => {
        const r = frame.getBoundingClientRect();
        const clipped = [];
        for (let e = frame.parentElement; e; e = e.parentElement) {
            const s = getComputedStyle(e);
            if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
            const a = e.getBoundingClientRect();
            if (r.top < a.top - 1 || r.bottom > a.bottom + 1 || r.left < a.left - 1 || r.right > a.right + 1) {
                clipped.push(e.getAttribute('data-testid') || e.tagName);
            }
        }
        return {height: r.height, clipped, breakInside: getComputedStyle(frame).breakInside};
    });
    const side = document.querySelector('[data-testid="stSidebar"]');
    return {maps, sidebar: side ? getComputedStyle(side).display : 'none',
            page: document.scrollingElement.scrollHeight, window: innerHeight};
}"""


@pytest.mark.parametrize("path", ["/", "/map", "/present"])
def test_print_keeps_the_maps_whole(browser: Any, app_url: str, artifacts_dir: Path, path: str) -> None:
    page, _ = open_offline(browser, app_url + path, width=1123, height=794)  # A4 landscape at 96 dpi
    map_frame(page)
    page.wait_for_function(MAPS_DRAWN, timeout=90_000)  # every map of the page, those below the fold too
    page.wait_for_timeout(1000)
    page.emulate_media(media="print")
    found = page.evaluate(PRINT_CHECK)
    assert found["maps"], "no map on the page"
    for each in found["maps"]:
        assert each["clipped"] == [], each  # no box of the page cuts a map
        assert each["breakInside"] == "avoid", each  # a map moves whole to the next sheet
        assert each["height"] >= 300
    assert found["sidebar"] == "none"
    if path != "/present":  # a long page grows to its content: everything below the fold reaches the paper
        assert found["page"] > found["window"]
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    (artifacts_dir / f"print_{path.strip('/') or 'overview'}.pdf").write_bytes(pdf)
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 1
    page.close()
