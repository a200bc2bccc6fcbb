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
import io
from collections.abc import Sequence
from functools import lru_cache

import folium
import folium.raster_layers
import numpy as np
from PIL import Image
from pyproj import Transformer

from geo import settings
from geo.hotspots.grid import Grid
from geo.maps.cell_canvas import FILL_OPACITY

MERCATOR = "EPSG:3857"
ALPHA = FILL_OPACITY
"""Opacity of the image's cells (as the cell shapes' fill)."""


@lru_cache(maxsize=8)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def _hex_rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def grid_bounds(grid: Grid) -> tuple[float, float, float, float]:
    """Return west, south, east, north (degrees) of the grid's whole extent (its edges sampled densely)."""
    return _bounds(_frame(grid))


_Frame = tuple[str, float, float, float, int, int]
"""What places a grid's cells: its CRS, x0, y0, cell side, columns and rows (hashable, for the caches)."""


def _frame(grid: Grid) -> _Frame:
    return grid.crs, float(grid.x0), float(grid.y0), float(grid.cell_m), int(grid.nx), int(grid.ny)


def _bounds(frame: _Frame) -> tuple[float, float, float, float]:
    crs, x0, y0, cell_m, nx, ny = frame
    steps = np.linspace(0.0, 1.0, 65)
    width, height = nx * cell_m, ny * cell_m
    xs = x0 + np.concatenate([steps * width, steps * width, np.zeros(65), np.full(65, width)])
    ys = y0 + np.concatenate([np.zeros(65), np.full(65, height), steps * height, steps * height])
    lon, lat = _transformer(crs, settings.CRS_WGS84).transform(xs, ys)
    return float(np.min(lon)), float(np.min(lat)), float(np.max(lon)), float(np.max(lat))


@lru_cache(maxsize=8)
def _pixel_cells(
    frame: _Frame, max_px: int
) -> tuple[np.ndarray, int, int, tuple[float, float, float, float]]:
    """Return the flat cell under each image pixel's centre (-1: none), the image's height, width and bounds.

    The bounds are west, south, east, north in degrees. It depends only on the grid (not on the cells' classes), so a filter change reuses it: the
    reprojection of every pixel is done once per grid and process.
    """
    crs, x0, y0, cell_m, nx, ny = frame
    west, south, east, north = _bounds(frame)
    to_mercator = _transformer(settings.CRS_WGS84, MERCATOR)
    (mx0, mx1), (my0, my1) = to_mercator.transform([west, east], [south, north])
    width = int(min(max_px, max(2, 2 * nx)))
    height = int(max(2, round(width * (my1 - my0) / max(mx1 - mx0, 1e-9))))
    px = mx0 + (np.arange(width) + 0.5) * (mx1 - mx0) / width
    py = my1 - (np.arange(height) + 0.5) * (my1 - my0) / height  # row 0 is the north
    gx, gy = np.meshgrid(px, py)
    x, y = _transformer(MERCATOR, crs).transform(gx.ravel(), gy.ravel())
    col = np.floor((np.asarray(x) - x0) / cell_m)
    row = np.floor((np.asarray(y) - y0) / cell_m)
    ok = np.isfinite(col) & np.isfinite(row) & (col >= 0) & (col < nx) & (row >= 0) & (row < ny)
    index = np.full(col.shape, -1, dtype=np.int64)
    index[ok] = (row[ok] * nx + col[ok]).astype(np.int64)
    index.setflags(write=False)
    return index, height, width, (west, south, east, north)


def class_indices(
    grid: Grid,
    cells: np.ndarray,
    classes: np.ndarray,
    n_colours: int,
    *,
    max_px: int = settings.RASTER_MAX_PX,
) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """Return the image of the cells' classes as palette indexes (uint8, rows north to south) and its bounds.

    ``cells`` are flat cell indexes (``row * nx + col``) and ``classes`` indexes into a palette of
    ``n_colours`` (below 0: not drawn); a pixel over no given cell gets index ``n_colours``
    (transparent). The image is at most ``max_px`` wide and about two pixels per cell, evenly spaced
    in Web Mercator.
    """
    if not 0 < n_colours < 255:
        raise ValueError(f"a palette image holds 1 to 254 colours, not {n_colours}")
    flat = np.full(grid.nx * grid.ny + 1, n_colours, dtype=np.uint8)  # the last entry: outside the grid
    given = np.asarray(classes, dtype=np.int64)
    flat[np.asarray(cells, dtype=np.int64)] = np.where(given >= 0, given, n_colours).astype(np.uint8)
    index, height, width, bounds = _pixel_cells(_frame(grid), int(max_px))
    return flat[index].reshape(height, width), bounds


def palette(colours: Sequence[str], alpha: float) -> np.ndarray:
    """Return the RGBA palette of ``colours`` (each at ``alpha``) and a last, transparent entry."""
    out = np.zeros((len(colours) + 1, 4), dtype=np.uint8)
    for i, colour in enumerate(colours):
        out[i] = (*_hex_rgb(colour), round(255 * alpha))
    return out


def class_image(
    grid: Grid,
    cells: np.ndarray,
    classes: np.ndarray,
    colours: Sequence[str],
    *,
    alpha: float = ALPHA,
    max_px: int = settings.RASTER_MAX_PX,
) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """Return an RGBA image (rows north to south) of the cells' classes and its west, south, east, north.

    ``cells`` are flat cell indexes (``row * nx + col``) and ``classes`` indexes into ``colours``
    (below 0: not drawn); cells not given are transparent (`class_indices` in colour).
    """
    indices, bounds = class_indices(grid, cells, classes, len(colours), max_px=max_px)
    return palette(colours, alpha)[indices], bounds


def palette_png(indices: np.ndarray, rgba: np.ndarray) -> bytes:
    """Return a palette PNG of ``indices`` (uint8, rows north to south) with the ``rgba`` palette.

    One byte a pixel instead of four (what folium's ``write_png`` compresses at zlib's slowest level):
    a province's image is written in a fraction of the time and is smaller on the wire.
    """
    image = Image.fromarray(np.ascontiguousarray(indices, dtype=np.uint8), mode="P")
    image.putpalette(rgba[:, :3].astype(np.uint8).tobytes(), rawmode="RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", transparency=rgba[:, 3].astype(np.uint8).tobytes(), compress_level=6)
    return out.getvalue()


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
    indices, (west, south, east, north) = class_indices(grid, cells, classes, len(colours))
    png = palette_png(indices, palette(colours, ALPHA))
    url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    folium.raster_layers.ImageOverlay(
        image=url,
        bounds=[[south, west], [north, east]],
        interactive=False,
        className=f"{class_name} antt-raster",
    ).add_to(group)
    return group
