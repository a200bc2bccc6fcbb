"""In Chromium: clusters that stop at the zoom where they would hold one cell look the same at every zoom;
hot spot cells drawn on a canvas show each its own tooltip under the mouse, let the boundaries below keep theirs,
pass a click on to the map, and leave with their layer when it is hidden."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import folium
import numpy as np
import pytest

from geo import settings
from geo.hotspots import grid as gridmod
from geo.maps import hotspot_layers as hm
from geo.maps.controls import WeightedPoints
from geo.maps.district import build_map
from geo.store.store import Store
from tests.browser._cells import assert_canvas_cells, cell_points, colour_by_cell, hover
from tests.browser._cells import cells as cells_found
from tests.geo.maps.test_hotspot_layers import triangle_grid

CLUSTERS_JS = """(z) => new Promise((done) => {
  const m = window[Object.keys(window).find((k) => k.startsWith('map_') && window[k] instanceof L.Map)];
  m.setView([20.045, 105.64], z, {animate: false});
  const read = () => {
    const c = m.getContainer();
    const icons = [...c.querySelectorAll('.marker-cluster span')].map((s) => s.textContent).sort();
    return [c.querySelectorAll('.leaflet-antt-points-pane path').length, icons.join(',')];
  };
  // The clusters are redrawn after the zoom (animated merges and splits): answer once what is drawn has
  // stayed the same for three reads in a row, not after a fixed pause a busy machine may outlast.
  let last = null, same = 0, tries = 0;
  // Leaflet.markercluster merges and splits its clusters after a zoom on timers of its own: not done while any
  // of its groups is still in that animation.
  const busy = () => !m._loaded || Math.round(m.getZoom()) !== z || Object.values(m._layers).some((l) => L.MarkerClusterGroup && l instanceof L.MarkerClusterGroup
    && (l._inZoomAnimation > 0 || l._queueTimeout || l._zoom !== Math.round(m.getZoom())));
  const poll = () => {
    const now = read(), key = JSON.stringify(now) + (busy() ? '*' : '');
    same = key === last && !busy() ? same + 1 : 0;
    last = key;
    if (same >= 2 || ++tries > 100) { done(now); } else { setTimeout(poll, 150); }
  };
  setTimeout(poll, 150);
})"""


def _open(browser: Any, fmap: folium.Map, path: Path) -> Any:
    """Open ``fmap`` as a file page with the app's own Leaflet copies."""
    html = (
        fmap.get_root()
        .render()
        .replace(settings.STATIC_URL + "/vendor/", (settings.STATIC_DIR / "vendor").as_uri() + "/")
    )
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto(path.as_uri())
    page.wait_for_function("() => document.querySelector('.leaflet-container') !== null")
    return page


@pytest.fixture(scope="module")
def data(demo_store: Store) -> tuple:
    return demo_store.communes(), demo_store.incidents()


def test_clusters_are_the_same_at_every_zoom_when_they_stop_early(
    browser: Any, data: tuple, tmp_path: Path
) -> None:
    communes, incidents = data
    seen = []
    for stop in (True, False):
        build = build_map(communes, incidents, points_max=1000, layers=("points",))
        layer = next(c for c in build.map._children.values() if isinstance(c, WeightedPoints))
        assert layer.uncluster_zoom is not None
        if not stop:
            layer.uncluster_zoom = None  # clustered at every zoom, as before
        page = _open(browser, build.map, tmp_path / f"clusters_{stop}.html")
        seen.append([page.evaluate(CLUSTERS_JS, z) for z in (11, 13, 14, 15, 16, 17, 18)])
        page.close()
    assert seen[0] == seen[1]
    assert any(icons for _, icons in seen[0])  # some zooms show clusters
    assert seen[0][-1][0] > 0  # and the deepest shows the cells one by one


def test_each_cell_shows_its_own_tooltip(browser: Any, tmp_path: Path) -> None:
    cells = gridmod.cell_polygons(triangle_grid()).to_crs(settings.CRS_WGS84)
    names = [f"Xã {i}" for i in range(len(cells))]
    density = np.linspace(200.0, 900.0, len(cells))
    fmap = hm.ensure_pane(folium.Map(tiles=None))
    group = hm.density_layer(cells, density=density, communes=names, fmt=lambda v: f"{v:.0f}")
    group.add_to(fmap)
    minx, miny, maxx, maxy = cells.total_bounds
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    page = _open(browser, fmap, tmp_path / "cells.html")
    page.wait_for_selector(".antt-cells.antt-density canvas", state="attached")
    found = assert_canvas_cells(page, at_least=len(cells), sampled=int(cells["whole"].sum()))
    assert found["drawn"] == len(cells)  # every cell, the clipped ones too, on the canvas
    assert len(found["samples"]) == int(cells["whole"].sum())  # and each whole one in its own colour
    points = cell_points(page)
    texts = set()
    for x, y, tip in (points[0], points[-1]):
        hover(page, x, y)
        page.wait_for_selector(".leaflet-tooltip")
        text = page.locator(".leaflet-tooltip").inner_text()
        assert text.split("\n")[0] in tip  # the tooltip of the cell under the mouse
        texts.add(text)
        page.mouse.move(1, 1)
        page.wait_for_selector(".leaflet-tooltip", state="detached")
    assert len(texts) == 2  # two cells, two texts
    assert all(t.startswith("Xã ") and "Mật độ vụ việc" in t for t in texts)
    page.close()


def _cells_over_one_commune(communes: Any, code: str) -> Any:
    """The 250 m cells of one unit (the others have none), in EPSG:4326."""
    grid = gridmod.make_grid(communes[communes["code"] == code], cell_m=250.0)
    return gridmod.cell_polygons(grid).to_crs(settings.CRS_WGS84)


CLICKS_JS = """() => { const m = Object.values(window).find((v) => v instanceof L.Map);
  window.__clicks = []; m.on('click', (e) => window.__clicks.push([e.latlng.lat, e.latlng.lng])); }"""


def test_boundaries_below_keep_their_tooltips_and_a_click_on_a_cell_is_a_map_click(
    browser: Any, data: tuple, tmp_path: Path
) -> None:
    communes, incidents = data
    code = str(communes["code"].iloc[4])
    cells = _cells_over_one_commune(communes, code)
    build = build_map(communes, incidents.iloc[:0], layers=("boundaries",))
    hm.ensure_pane(build.map)
    hm.density_layer(cells, density=np.full(len(cells), 300.0), communes=["Ô"] * len(cells)).add_to(build.map)
    hm.controls_last(build.map)
    page = _open(browser, build.map, tmp_path / "boundaries.html")
    page.wait_for_selector(".antt-cells.antt-density canvas", state="attached")
    page.evaluate(CLICKS_JS)
    assert_canvas_cells(page, at_least=len(cells))
    # A unit without cells: the canvas lets the mouse through to its boundary, whose tooltip shows.
    other = communes[communes["code"] != code].iloc[0]
    lat, lon = other.geometry.representative_point().y, other.geometry.representative_point().x
    x, y = page.evaluate(
        f"() => {{ const m = Object.values(window).find((v) => v instanceof L.Map);"
        f" const p = m.latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }}"
    )
    hover(page, x, y)
    page.wait_for_selector(".leaflet-tooltip")
    assert str(other["name"]) in page.locator(".leaflet-tooltip").inner_text()
    # A cell: its own tooltip, not the unit's; a click there reaches the map (st_folium's last_clicked).
    cx, cy, _ = cell_points(page)[0]
    hover(page, cx, cy)
    page.wait_for_function("() => document.querySelector('.leaflet-tooltip')?.innerText.startsWith('Ô')")
    assert page.evaluate(f"() => document.elementFromPoint({cx}, {cy}).tagName") == "CANVAS"
    page.mouse.click(cx, cy)
    page.wait_for_function("() => window.__clicks.length === 1")
    clicked = page.evaluate("() => window.__clicks[0]")
    inside = page.evaluate(
        f"""() => {{ const m = Object.values(window).find((v) => v instanceof L.Map);
          const ll = m.containerPointToLatLng([{cx}, {cy}]); return [ll.lat, ll.lng]; }}"""
    )
    assert clicked == pytest.approx(inside, abs=1e-5)
    page.close()


def test_hiding_the_layer_removes_its_canvas_and_showing_it_draws_the_cells_again(
    browser: Any, data: tuple, tmp_path: Path
) -> None:
    communes, incidents = data
    code = str(communes["code"].iloc[4])
    cells = _cells_over_one_commune(communes, code)
    density = np.linspace(20.0, 900.0, len(cells))
    build = build_map(communes, incidents.iloc[:0], layers=("boundaries",))
    hm.ensure_pane(build.map)
    hm.density_layer(cells, density=density, communes=["Ô"] * len(cells)).add_to(build.map)
    hm.controls_last(build.map)
    page = _open(browser, build.map, tmp_path / "toggle.html")
    page.wait_for_selector(".antt-cells.antt-density canvas", state="attached")
    before = colour_by_cell(assert_canvas_cells(page, at_least=len(cells)))
    assert len(set(before.values())) >= 3
    cx, cy, _ = cell_points(page)[0]
    box = page.get_by_role("checkbox", name=hm.HotspotTexts().density)
    box.uncheck()
    hidden = cells_found(page)
    assert hidden["drawn"] is None  # no canvas left to redraw on every move
    assert hidden["layers"] == 0
    assert page.locator(".antt-cells.antt-density").get_attribute("data-cells") is None
    hover(page, cx, cy)  # where a cell was, the unit's boundary now takes the mouse
    page.wait_for_selector(".leaflet-tooltip")
    assert (
        str(communes.loc[communes["code"] == code, "name"].iloc[0])
        in page.locator(".leaflet-tooltip").inner_text()
    )
    box.check()
    page.wait_for_selector(".antt-cells.antt-density canvas", state="attached")
    again = colour_by_cell(assert_canvas_cells(page, at_least=len(cells)))
    assert again == before  # the same cells in the same colours
    page.close()


def test_a_cell_marker_shows_its_count(browser: Any, data: tuple, tmp_path: Path) -> None:
    communes, incidents = data
    build = build_map(communes, incidents, points_max=1000, layers=("points",))
    page = _open(browser, build.map, tmp_path / "cell_marker.html")
    page.evaluate(CLUSTERS_JS, 18)
    marker = page.locator(".leaflet-antt-points-pane path").first
    marker.hover(force=True)
    page.wait_for_selector(".leaflet-tooltip")
    text = page.locator(".leaflet-tooltip").inner_text()
    assert text.split(" ")[0].isdigit()
    assert text.endswith(" vụ")
    page.close()
