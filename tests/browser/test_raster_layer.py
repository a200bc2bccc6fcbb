"""A province's density image (geo.maps.raster) as the browser decodes it: each class in its colour, gaps clear."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo import settings
from geo.hotspots import grid as gridmod
from geo.maps import hotspot_layers as hm
from geo.maps import raster

pytestmark = pytest.mark.browser

PIXELS_JS = """(spots) => new Promise((done, fail) => {
  const img = document.querySelector('img.antt-raster');
  if (!img) { fail(new Error('no image')); return; }
  const read = () => {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    done({size: [img.naturalHeight, img.naturalWidth],
          pixels: spots.map(([r, c]) => Array.from(ctx.getImageData(c, r, 1, 1).data))});
  };
  if (img.complete && img.naturalWidth) { read(); } else { img.onload = read; img.onerror = () => fail(new Error('not decoded')); }
})"""


def test_the_density_image_shows_each_class_in_its_colour(browser: Any, tmp_path: Path) -> None:
    x0, y0 = 500_000.0, 2_200_000.0
    square = gpd.GeoDataFrame(
        {"code": ["A"]}, geometry=[shapely.box(x0, y0, x0 + 5000, y0 + 5000)], crs="EPSG:32648"
    )
    grid = gridmod.make_grid(square, cell_m=250.0, crs="EPSG:32648")
    colours = hm.DENSITY_COLOURS
    rng = np.random.default_rng(3)
    cells = rng.choice(grid.nx * grid.ny, size=150, replace=False)
    classes = rng.integers(0, len(colours), size=150)
    fmap = hm.ensure_pane(folium.Map(location=[19.9, 105.2], zoom_start=13, tiles=None))
    raster.image_layer(grid, cells, classes, colours, name="Mật độ", class_name="antt-density").add_to(fmap)
    page_file = tmp_path / "raster.html"
    page_file.write_text(
        fmap.get_root()
        .render()
        .replace(settings.STATIC_URL + "/vendor/", (settings.STATIC_DIR / "vendor").as_uri() + "/"),
        encoding="utf-8",
    )
    expected, _ = raster.class_image(grid, cells, classes, colours)
    drawn = np.argwhere(expected[..., 3] > 0)
    clear = np.argwhere(expected[..., 3] == 0)
    spots = [
        *drawn[rng.choice(len(drawn), 40, replace=False)].tolist(),
        *clear[:: max(1, len(clear) // 20)].tolist(),
    ]
    page = browser.new_page(viewport={"width": 900, "height": 700})
    page.goto(page_file.as_uri())
    found = page.evaluate(PIXELS_JS, spots)
    page.close()
    assert found["size"] == list(expected.shape[:2])
    for (row, col), got in zip(spots, found["pixels"], strict=True):
        want = expected[row, col]
        if want[3] == 0:
            assert got[3] == 0, (row, col, got)
        else:  # the browser's canvas stores colours premultiplied: within a step of the palette's
            assert np.abs(np.array(got) - want).max() <= 2, (row, col, got, want.tolist())
