"""Drill-down in a real browser: a click on a commune opens its incidents; a point's popup opens over density."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.maps.controls import label_rows
from geo.store.store import Store
from tests.browser._cells import assert_canvas_cells, cell_points, hover
from tests.browser._helpers import map_frame, open_offline, serve

pytestmark = pytest.mark.browser

ADDRESS = "Thôn <i>Đông</i> & số "
"""Each incident's address in this store is this text and the last digits of its id (markup stays text)."""


@pytest.fixture(scope="module")
def address_url(demo_store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard on a copy of the demo store whose incidents carry an address (the demo file has none)."""
    path = tmp_path_factory.mktemp("drill") / "antt.sqlite"
    shutil.copy(demo_store_url.removeprefix("sqlite:///"), path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE incidents SET address = ? || substr(incident_id, -3)", (ADDRESS,))
    conn.close()
    with serve(f"sqlite:///{path}") as base:
        yield base


DENSITY = ".antt-cells.antt-density canvas"
"""The density layer's canvas (`geo.maps.cell_canvas.cell_pane`)."""


def _commune_point(demo_store_url: str, *, index: int = 4) -> tuple[float, float, str]:
    """A point inside one demo commune (where its label sits) and the commune's name."""
    lat, lon, name, *_ = label_rows(Store.open(demo_store_url).communes())[index]
    return float(lat), float(lon), str(name).removeprefix("★ ")


def _main_map(page: Any, *, without: str, timeout_s: float = 60) -> Any:
    """Return the frame of the page's first map once it has drawn its density cells and nothing of ``without``."""
    for _ in range(int(timeout_s * 2)):
        try:
            handle = page.locator("iframe[title*='st_folium']").first.element_handle(timeout=1000)
            frame = handle.content_frame() if handle else None
            if frame and frame.locator(DENSITY).count() and not frame.locator(without).count():
                page.wait_for_timeout(1000)
                return frame
        except Exception:  # the iframe is replaced while Streamlit reruns
            pass
        page.wait_for_timeout(500)
    pytest.fail(f"the map did not redraw without {without!r}")


def test_a_click_on_a_commune_opens_its_incidents(
    browser: Any, address_url: str, demo_store_url: str, artifacts_dir: Path
) -> None:
    page, blocked = open_offline(browser, address_url + "/map", width=1600, height=1000)
    map_frame(page, selector=".marker-cluster, path.antt-point")
    page.get_by_role("button", name="Vụ việc", exact=True).click()  # points off: the click lands on the map
    frame = _main_map(page, without=".marker-cluster, path.antt-point")
    lat, lon, name = _commune_point(demo_store_url)
    iframe = page.locator("iframe[title*='st_folium']").first
    iframe.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)  # the page settles (it moves as the parts below the map draw)
    assert_canvas_cells(frame, at_least=100)
    # The click lands on a density cell of the commune (the one nearest its label): through the cells' canvas.
    x0, y0 = frame.evaluate(
        f"() => {{ const p = window.map.latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }}"
    )
    x, y, _ = min(
        cell_points(frame, tip_start=f"<b>{name}</b>"), key=lambda c: (c[0] - x0) ** 2 + (c[1] - y0) ** 2
    )
    box = iframe.bounding_box()
    hover(page, box["x"] + x, box["y"] + y)
    assert frame.evaluate(f"() => document.elementFromPoint({x}, {y}).tagName") == "CANVAS"
    frame.evaluate("() => { window.__probe = 42; }")
    page.mouse.click(box["x"] + x, box["y"] + y)
    dialog = page.get_by_role("dialog")
    dialog.get_by_text(f"Vụ việc tại {name}").wait_for(timeout=60_000)
    dialog.get_by_text("Trang (trên").wait_for(timeout=30_000)  # more than one page of 50
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts_dir / "map_drilldown.png"), full_page=False)
    text = dialog.inner_text()
    assert "mới nhất trước" in text
    assert "Dòng 1–50 trên" in text
    assert frame.evaluate("() => window.__probe") == 42  # the map was not reloaded by the click
    assert blocked == []
    page.close()


def test_a_point_popup_opens_over_the_density_cells_with_address_and_status(
    browser: Any, address_url: str, artifacts_dir: Path
) -> None:
    # One commune and one month: few enough points to click one; the map zooms to that commune.
    page, blocked = open_offline(browser, address_url + "/map?from=2024-03-01&to=2024-03-31&commune=15388")
    frame = map_frame(page, selector=".marker-cluster, path.antt-point")
    frame.wait_for_selector(DENSITY, state="attached", timeout=60_000)
    page.wait_for_timeout(1500)
    assert_canvas_cells(frame)
    for _ in range(8):  # open clusters until single points show
        if frame.locator(".leaflet-antt-points-pane path.antt-point").count():
            break
        frame.locator(".marker-cluster").first.click()
        page.wait_for_timeout(1200)
    point = frame.locator(".leaflet-antt-points-pane path.antt-point").first
    point.click()  # playwright refuses if a density cell would take the click
    popup = frame.locator(".leaflet-popup-content").first
    popup.wait_for(timeout=10_000)
    text = popup.inner_text()
    assert "Địa chỉ: " + ADDRESS in text  # shown as text: the markup is not read as HTML
    assert popup.locator("i").count() == 0
    assert "Trạng thái: " in text
    page.screenshot(path=str(artifacts_dir / "map_popup_over_density.png"), full_page=False)
    assert blocked == []
    page.close()
