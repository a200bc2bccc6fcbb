"""A map drawn from the database's counts is the map drawn from the filtered incidents."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from geo import settings
from geo.aggregate import grid_cells
from geo.communes import metric_crs
from geo.filters import IncidentFilter, apply_filter
from geo.maps.district import build_map
from geo.maps.mapcounts import MapCounts, cells_from_blocks, map_counts
from geo.store.counts import Window
from geo.store.store import Store

BLOCK = round(settings.HEAT_CELL_M / (settings.GRID_CELL_M / settings.KDE_SUBCELLS))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store.open(f"sqlite:///{tmp_path_factory.mktemp('mapcounts') / 'demo.sqlite'}", demo=True)


def test_the_map_cells_are_whole_pixels() -> None:
    assert BLOCK * settings.GRID_CELL_M / settings.KDE_SUBCELLS == settings.HEAT_CELL_M


def test_cells_from_blocks_are_grid_cells_of_the_same_points() -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"lon": rng.uniform(105.55, 105.75, 500), "lat": rng.uniform(19.95, 20.15, 500)})
    crs = "EPSG:32648"
    x, y = _project(frame, crs)
    blocks = (
        pd.DataFrame({"gx": np.floor(x / 125.0).astype(int), "gy": np.floor(y / 125.0).astype(int)})
        .value_counts()
        .rename("n")
        .reset_index()
    )
    expected = grid_cells(frame, cell_m=125.0, crs=crs, max_cells=50)
    got = cells_from_blocks(blocks, cell_m=125.0, crs=crs, max_cells=50)
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False
    )


def _project(frame: pd.DataFrame, crs: str) -> tuple[np.ndarray, np.ndarray]:
    x, y = Transformer.from_crs(settings.CRS_WGS84, crs, always_xy=True).transform(
        frame["lon"].to_numpy(), frame["lat"].to_numpy()
    )
    return np.asarray(x), np.asarray(y)


@pytest.mark.parametrize(
    "window",
    [
        Window(date(2025, 11, 1), date(2026, 10, 31)),
        Window(date(2024, 3, 5), date(2024, 3, 20), communes=("15361",)),
    ],
    ids=["year", "fortnight-one-unit"],
)
def test_a_map_from_the_store_counts_is_the_map_from_the_rows(demo: Store, window: Window) -> None:
    communes = demo.communes()
    crs = metric_crs(communes).to_string()
    grid = demo.aggregate_grid()
    assert grid is not None
    assert grid.crs == crs
    rows = apply_filter(demo.incidents(), IncidentFilter(window.start, window.end, communes=window.communes))
    points_max = 100  # the year is drawn as cells, the fortnight as points
    expected = map_counts(rows, crs=crs, points_max=points_max)
    per_unit = demo.unit_counts(window, by=("commune_code",)).set_index("commune_code")["n"]
    located = demo.located_counts(window).set_index("commune_code")["n"]
    blocks, n_located = demo.busiest_blocks(window, block=BLOCK, limit=settings.HEAT_MAX_CELLS)
    assert int(located.sum()) == n_located
    points = expected.points  # the few rows a page fetches itself
    got = MapCounts(  # as ui.mapdata._counted builds it from the store's counts
        per_unit=per_unit[per_unit > 0],
        n=int(per_unit.sum()),
        n_located=n_located,
        cells=cells_from_blocks(blocks, cell_m=settings.HEAT_CELL_M, crs=grid.crs),
        points=points,
    )
    assert got.n == expected.n
    assert got.n_located == expected.n_located
    assert got.per_unit.sort_index().to_dict() == expected.per_unit.sort_index().to_dict()
    pd.testing.assert_frame_equal(got.cells, expected.cells, check_dtype=False)
    layers = ("boundaries", "choropleth", "points", "heat")
    html_rows = build_map(communes, rows, layers=layers, points_max=points_max).map.get_root().render()
    html_counts = build_map(communes, got, layers=layers, points_max=points_max).map.get_root().render()
    assert _without_ids(html_rows) == _without_ids(html_counts)


def _without_ids(text: str) -> str:
    return re.sub(r"[0-9a-f]{32}", "", text)  # folium's element ids differ from map to map
