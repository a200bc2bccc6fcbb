"""The hotspot layers (density, Gi*, emerging) render offline; the density legend does not change on zoom."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser._cells import assert_canvas_cells, colour_by_cell, drawn
from tests.browser._cells import cells as cells_found
from tests.browser._helpers import map_frame, open_offline

pytestmark = pytest.mark.browser


DENSITY = ".antt-cells.antt-density canvas"
GI = ".antt-cells.antt-gi canvas"
EMERGING = ".antt-cells.antt-emerging canvas"
"""The canvases of the cell layers (`geo.maps.cell_canvas.cell_pane`)."""


def test_density_layer_and_fixed_legend_on_zoom(browser: Any, app_url: str, artifacts_dir: Path) -> None:
    page, blocked = open_offline(browser, app_url + "/map")
    frame = map_frame(page, selector=".marker-cluster, path.antt-point")  # the main map, not the month map
    frame.wait_for_selector(DENSITY, state="attached", timeout=30_000)
    page.wait_for_timeout(1500)
    found = assert_canvas_cells(frame, at_least=300)  # each sampled cell's pixels in its own colour
    legend = frame.locator(".antt-hot-legend").first
    before = legend.inner_text()
    assert "vụ / km² / năm" in before
    assert "5–10" in before
    assert "≥ 500" in before
    colours = colour_by_cell(found)
    assert len(set(colours.values())) >= 4  # several density classes are drawn
    for _ in range(2):
        frame.locator(".leaflet-control-zoom-in").first.click()
        page.wait_for_timeout(800)
    assert legend.inner_text() == before
    zoomed = colour_by_cell(assert_canvas_cells(frame, at_least=300))  # redrawn at the new zoom
    shared = colours.keys() & zoomed.keys()
    assert len(shared) >= 10
    assert {k: zoomed[k] for k in shared} == {k: colours[k] for k in shared}  # a cell keeps its colour
    page.screenshot(path=str(artifacts_dir / "map_density_zoomed.png"), full_page=False)
    assert blocked == []
    page.close()


def test_gistar_and_emerging_layers_offline(browser: Any, app_url: str, artifacts_dir: Path) -> None:
    page, blocked = open_offline(browser, app_url + "/map?from=2021-01-01&to=2026-10-31")
    map_frame(page, selector=DENSITY)
    for name in ("Mật độ (ô lưới)", "Điểm nóng Gi*", "Xu hướng điểm nóng"):
        page.get_by_role("button", name=name, exact=True).click()
        page.wait_for_timeout(1500)
    frame = map_frame(page, selector=EMERGING)
    frame.wait_for_selector(GI, state="attached", timeout=30_000)
    page.wait_for_timeout(1500)
    assert drawn(frame, "antt-density") == 0
    assert frame.locator(".antt-cells.antt-density").count() == 0  # the density layer is not on this map
    assert_canvas_cells(frame, "antt-gi", at_least=20)  # each layer on its own canvas, in its own colours
    assert_canvas_cells(frame, "antt-emerging", at_least=20)
    legend = frame.locator(".antt-hot-legend").first.inner_text()
    assert "Điểm nóng, tin cậy 95%" in legend
    assert "Điểm nóng gia tăng: Nóng ở hầu hết các kỳ (≥ 90%) và ngày càng nóng hơn." in legend
    assert "Điểm nóng đang giảm" in legend
    page.screenshot(path=str(artifacts_dir / "map_gi_emerging.png"), full_page=False)
    assert blocked == []
    page.close()


def _maps(page: Any) -> int:
    """The maps drawn on the page (streamlit-folium frames)."""
    return int(page.locator("iframe[title*='st_folium']").count())


def test_secondary_sections_draw_their_maps_only_when_opened(browser: Any, app_url: str) -> None:
    page, blocked = open_offline(browser, app_url + "/map")
    map_frame(page, selector=DENSITY)
    page.wait_for_timeout(1500)
    assert _maps(page) == 1  # the main map only: the month slider and the comparison are closed
    assert page.get_by_role("slider").count() == 0
    page.get_by_text("So sánh trước và sau khi triển khai kế hoạch").first.click()
    page.get_by_text("Trước: ").first.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => document.querySelectorAll(\"iframe[title*='st_folium']\").length === 3", timeout=60_000
    )
    assert _maps(page) == 3  # the before and after maps, beside the main one
    assert blocked == []
    page.close()


def test_month_slider_swaps_layers_without_reloading_the_map(browser: Any, app_url: str) -> None:
    page, blocked = open_offline(browser, app_url + "/map")
    page.get_by_text("Diễn biến theo tháng").first.click()  # the section is built when opened
    frame = map_frame(page, selector="path.antt-month-point")
    page.get_by_text("trong tháng 10/2026").first.wait_for(timeout=30_000)
    frame.evaluate("window.__probe = 42")
    points = frame.locator("path.antt-month-point").count()
    slider = page.get_by_role("slider").first
    slider.focus()
    slider.press("ArrowLeft")
    page.get_by_text("trong tháng 09/2026").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    assert frame.evaluate("window.__probe") == 42  # the same map document: only the layers changed
    assert frame.locator("path.antt-month-point").count() not in (0, points)
    assert drawn(frame) > 0  # the month's density cells, on their canvas
    assert blocked == []
    page.close()


def _gi_legend(frame: Any) -> str:
    return str(frame.locator(".antt-hot-legend").first.inner_text())


HOT_FILLS = {"#d62f27", "#ed7551", "#fab984"}  # geo.maps.hotspot_layers.GI_COLOURS of the hot classes


def _hot_cells(frame: Any) -> int:
    """The Gi* cells of a hot class on the map, their pixels checked (`assert_canvas_cells`)."""
    assert_canvas_cells(frame, "antt-gi", at_least=20)
    return sum(n for colour, n in cells_found(frame, "antt-gi")["tally"].items() if colour in HOT_FILLS)


def test_switching_the_gi_convention_redraws_the_map_and_renames_the_legend(
    browser: Any, app_url: str, artifacts_dir: Path
) -> None:
    page, blocked = open_offline(browser, app_url + "/map?from=2021-01-01&to=2026-10-31")
    map_frame(page, selector=DENSITY)
    for name in ("Mật độ (ô lưới)", "Điểm nóng Gi*"):
        page.get_by_role("button", name=name, exact=True).click()
        page.wait_for_timeout(1500)
    frame = map_frame(page, selector=GI)
    page.wait_for_timeout(1500)
    assert "Gi*, p từ 9.999 hoán vị có điều kiện (chặt hơn ArcGIS), hiệu chỉnh FDR ở từng mức tin cậy" in (
        _gi_legend(frame)
    )
    strict = _hot_cells(frame)
    assert strict > 20
    page.get_by_text("Cách tính điểm nóng", exact=True).click()
    page.get_by_role("radio", name="Xấp xỉ chuẩn (như ArcGIS)", exact=True).click()
    page.get_by_text("Gi*, p từ xấp xỉ chuẩn của z (như ArcGIS)").first.wait_for(timeout=30_000)
    for _ in range(60):  # the map component redraws after the rerun
        frame = map_frame(page, selector=GI)
        if "xấp xỉ chuẩn" in _gi_legend(frame):
            break
        page.wait_for_timeout(500)
    page.wait_for_timeout(1500)
    assert "Gi*, p từ xấp xỉ chuẩn của z (như ArcGIS), hiệu chỉnh FDR ở từng mức tin cậy" in _gi_legend(frame)
    assert _hot_cells(frame) > strict  # the normal approximation calls more cells hot
    page.screenshot(path=str(artifacts_dir / "map_gi_arcgis.png"), full_page=False)
    assert blocked == []
    page.close()
