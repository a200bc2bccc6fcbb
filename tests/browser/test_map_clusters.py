"""In Chromium: clusters that stop at the zoom where they would hold one cell look the same at every zoom,
and cells sharing one tooltip still show each its own text under the mouse."""

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
from tests.geo.maps.test_hotspot_layers import triangle_grid

CLUSTERS_JS = """(z) => new Promise((done) => {
  const m = window[Object.keys(window).find((k) => k.startsWith('map_') && window[k] instanceof L.Map)];
  m.setView([20.045, 105.64], z, {animate: false});
  setTimeout(() => {
    const c = m.getContainer();
    const icons = [...c.querySelectorAll('.marker-cluster span')].map((s) => s.textContent).sort();
    done([c.querySelectorAll('.leaflet-antt-points-pane path').length, icons.join(',')]);
  }, 300);
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
    shapes = page.locator("path.antt-density")
    assert shapes.count() == len(cells)
    texts = set()
    for i in (0, shapes.count() - 1):
        shapes.nth(i).hover(force=True)
        page.wait_for_selector(".leaflet-tooltip")
        texts.add(page.locator(".leaflet-tooltip").inner_text())
        page.mouse.move(1, 1)
    assert len(texts) == 2  # two cells, two texts
    assert all(t.startswith("Xã ") and "Mật độ vụ việc" in t for t in texts)
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
