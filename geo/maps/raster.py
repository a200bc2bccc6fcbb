"""A layer of grid cells drawn as one image: what a province's hundreds of thousands of cells need.

A district's density layer is a few thousand cell shapes with a tooltip each
(`geo.maps.hotspot_layers`). A province of 500 units is 400,000 cells of 250 m; as shapes they would
be some 20 MB for the browser (issue 14: at most 1 MB). Above `settings.RASTER_CELLS_ABOVE` cells
the layer is one PNG image instead, the same classes in the same colours: each of the image's
pixels (in Web Mercator, as Leaflet stretches an image) takes the class of the grid cell under its
centre, found in the grid's own metric CRS, so the cells keep their true shape and place. The image
has no tooltips; a click on the map still opens the cell's incidents (the page finds the cell from
the click's coordinates).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from functools import lru_cache

import folium
import folium.raster_layers
import numpy as np
from folium.utilities import write_png  # type: ignore[attr-defined]
from pyproj import Transformer

from geo import settings
from geo.hotspots.grid import Grid

MERCATOR = "EPSG:3857"


@lru_cache(maxsize=8)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def _hex_rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def grid_bounds(grid: Grid) -> tuple[float, float, float, float]:
    """Return west, south, east, north (degrees) of the grid's whole extent (its edges sampled densely)."""
    steps = np.linspace(0.0, 1.0, 65)
    width, height = grid.nx * grid.cell_m, grid.ny * grid.cell_m
    xs = grid.x0 + np.concatenate([steps * width, steps * width, np.zeros(65), np.full(65, width)])
    ys = grid.y0 + np.concatenate([np.zeros(65), np.full(65, height), steps * height, steps * height])
    lon, lat = _transformer(grid.crs, settings.CRS_WGS84).transform(xs, ys)
    return float(np.min(lon)), float(np.min(lat)), float(np.max(lon)), float(np.max(lat))


def class_image(
    grid: Grid,
    cells: np.ndarray,
    classes: np.ndarray,
    colours: Sequence[str],
    *,
    alpha: float = 0.62,
    max_px: int = settings.RASTER_MAX_PX,
) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """Return an RGBA image (rows north to south) of the cells' classes and its west, south, east, north.

    ``cells`` are flat cell indexes (``row * nx + col``) and ``classes`` indexes into ``colours``
    (below 0: not drawn); cells not given are transparent. The image is at most ``max_px`` wide and
    about two pixels per cell, evenly spaced in Web Mercator.
    """
    flat = np.full(grid.nx * grid.ny, -1, dtype=np.int64)
    flat[np.asarray(cells, dtype=np.int64)] = np.asarray(classes, dtype=np.int64)
    west, south, east, north = grid_bounds(grid)
    to_mercator = _transformer(settings.CRS_WGS84, MERCATOR)
    (mx0, mx1), (my0, my1) = to_mercator.transform([west, east], [south, north])
    width = int(min(max_px, max(2, 2 * grid.nx)))
    height = int(max(2, round(width * (my1 - my0) / max(mx1 - mx0, 1e-9))))
    px = mx0 + (np.arange(width) + 0.5) * (mx1 - mx0) / width
    py = my1 - (np.arange(height) + 0.5) * (my1 - my0) / height  # row 0 is the north
    gx, gy = np.meshgrid(px, py)
    x, y = _transformer(MERCATOR, grid.crs).transform(gx.ravel(), gy.ravel())
    col = np.floor((np.asarray(x) - grid.x0) / grid.cell_m)
    row = np.floor((np.asarray(y) - grid.y0) / grid.cell_m)
    ok = np.isfinite(col) & np.isfinite(row) & (col >= 0) & (col < grid.nx) & (row >= 0) & (row < grid.ny)
    chosen = np.full(col.shape, -1, dtype=np.int64)
    chosen[ok] = flat[(row[ok] * grid.nx + col[ok]).astype(np.int64)]
    palette = np.zeros((len(colours) + 1, 4), dtype=np.uint8)  # the last entry: transparent
    for i, colour in enumerate(colours):
        palette[i] = (*_hex_rgb(colour), round(255 * alpha))
    image = palette[np.where(chosen >= 0, chosen, len(colours))].reshape(height, width, 4)
    return image, (west, south, east, north)


def image_layer(
    grid: Grid,
    cells: np.ndarray,
    classes: np.ndarray,
    colours: Sequence[str],
    *,
    name: str,
    class_name: str,
    show: bool = True,
) -> folium.FeatureGroup:
    """Return a feature group holding the classes of ``cells`` as one image over the grid."""
    group = folium.FeatureGroup(name=html.escape(name), show=show)
    image, (west, south, east, north) = class_image(grid, cells, classes, colours)
    url = "data:image/png;base64," + base64.b64encode(write_png(image)).decode("ascii")
    folium.raster_layers.ImageOverlay(
        image=url,
        bounds=[[south, west], [north, east]],
        interactive=False,
        className=f"{class_name} antt-raster",
    ).add_to(group)
    return group
