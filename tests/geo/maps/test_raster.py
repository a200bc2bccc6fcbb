"""A province's cell layer as one image: each cell's class in its colour, in its true place."""

from __future__ import annotations

import base64
import io

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely
from PIL import Image
from pyproj import Transformer

from geo import settings
from geo.hotspots import grid as gridmod
from geo.maps import hotspot_layers as hm
from geo.maps import raster

X0, Y0 = 500_000.0, 2_200_000.0
COLOURS = ("#ff0000", "#00ff00")


def _grid(size: float = 2000.0) -> gridmod.Grid:
    square = gpd.GeoDataFrame(
        {"code": ["A"]}, geometry=[shapely.box(X0, Y0, X0 + size, Y0 + size)], crs="EPSG:32648"
    )
    return gridmod.make_grid(square, cell_m=250.0, crs="EPSG:32648")


def _pixel_at(image: np.ndarray, bounds: tuple[float, float, float, float], x: float, y: float) -> np.ndarray:
    """The image's pixel over the grid's point (x, y), placed as Leaflet places it (linear in Web Mercator)."""
    west, south, east, north = bounds
    lon, lat = Transformer.from_crs("EPSG:32648", "EPSG:4326", always_xy=True).transform(x, y)
    to = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    (mx0, mx1), (my0, my1) = to.transform([west, east], [south, north])
    mx, my = to.transform(lon, lat)
    height, width = image.shape[:2]
    col = int((mx - mx0) / (mx1 - mx0) * width)
    row = int((my1 - my) / (my1 - my0) * height)
    return image[row, col]


def test_each_cell_is_drawn_in_its_class_colour_where_it_lies() -> None:
    grid = _grid()
    cells = np.array([0, 9, 63])  # south-west corner cell, (row 1, col 1), north-east corner cell
    image, bounds = raster.class_image(grid, cells, np.array([0, 1, 0]), COLOURS, alpha=1.0)
    assert image.dtype == np.uint8
    assert image.shape[2] == 4
    assert image.shape[1] == 2 * grid.nx
    for index, colour in ((0, (255, 0, 0)), (9, (0, 255, 0)), (63, (255, 0, 0))):
        row, col = divmod(index, grid.nx)
        centre = (X0 + (col + 0.5) * 250.0, Y0 + (row + 0.5) * 250.0)
        assert tuple(_pixel_at(image, bounds, *centre)) == (*colour, 255)
    empty = (X0 + 4.5 * 250.0, Y0 + 4.5 * 250.0)  # a cell given no class: transparent
    assert _pixel_at(image, bounds, *empty)[3] == 0


def test_a_density_layer_of_many_cells_is_one_image(monkeypatch: pytest.MonkeyPatch) -> None:
    grid = _grid()
    frame = gpd.GeoDataFrame(
        {"cell": np.arange(grid.nx * grid.ny)},
        geometry=gridmod.cell_polygons(grid, clip=False).geometry.to_numpy(),
        crs="EPSG:4326",
    )
    density = np.full(len(frame), 60.0)
    names = ["A"] * len(frame)
    shapes = _rendered(hm.density_layer(frame, density=density, communes=names, grid=grid))
    assert "L.imageOverlay" not in shapes
    monkeypatch.setattr(settings, "RASTER_CELLS_ABOVE", 10)
    image = _rendered(hm.density_layer(frame, density=density, communes=names, grid=grid))
    assert "L.imageOverlay" in image
    assert "data:image/png;base64," in image
    assert "antt-raster" in image


def _rendered(layer: folium.FeatureGroup) -> str:
    fmap = hm.ensure_pane(folium.Map(location=[19.9, 105.6], tiles=None))
    layer.add_to(fmap)
    return fmap.get_root().render()


def test_the_palette_png_holds_the_same_pixels_as_the_rgba_image() -> None:
    grid = _grid(3000.0)
    rng = np.random.default_rng(7)
    cells = rng.choice(grid.nx * grid.ny, size=60, replace=False)
    classes = rng.integers(-1, len(COLOURS), size=60)  # some cells given no class (-1)
    rgba, _ = raster.class_image(grid, cells, classes, COLOURS)
    indices, _ = raster.class_indices(grid, cells, classes, len(COLOURS))
    png = raster.palette_png(indices, raster.palette(COLOURS, raster.ALPHA))
    decoded = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    transparent = rgba[..., 3] == 0
    assert decoded.shape == rgba.shape
    np.testing.assert_array_equal(decoded[~transparent], rgba[~transparent])
    assert (decoded[transparent][:, 3] == 0).all()
    assert 0 < transparent.sum() < transparent.size
    assert Image.open(io.BytesIO(png)).mode == "P"  # one byte a pixel


def test_the_pixels_cells_are_found_once_per_grid() -> None:
    first = raster.class_indices(_grid(), np.array([0]), np.array([1]), len(COLOURS))[0]
    before = raster._pixel_cells.cache_info().hits
    again = raster.class_indices(_grid(), np.array([5]), np.array([0]), len(COLOURS))[0]  # an equal grid
    assert raster._pixel_cells.cache_info().hits == before + 1
    assert first.shape == again.shape
    assert (first == 1).sum() > 0
    assert (again == 1).sum() == 0  # the classes are the new call's, not the cached ones
    other = raster.class_indices(_grid(4000.0), np.array([0]), np.array([1]), len(COLOURS))[0]
    assert other.shape != first.shape


def test_a_palette_image_refuses_too_many_colours() -> None:
    with pytest.raises(ValueError, match="254"):
        raster.class_indices(_grid(), np.array([0]), np.array([0]), 300)


def test_the_image_layer_carries_the_classes_as_a_png() -> None:
    grid = _grid()
    layer = raster.image_layer(grid, np.array([0, 63]), np.array([0, 1]), COLOURS, name="D", class_name="x")
    html = _rendered(layer)
    data = html.split("data:image/png;base64,", 1)[1].split('"', 1)[0]
    decoded = np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGBA"))
    expected, _ = raster.class_image(grid, np.array([0, 63]), np.array([0, 1]), COLOURS)
    drawn = expected[..., 3] > 0
    np.testing.assert_array_equal(decoded[drawn], expected[drawn])
