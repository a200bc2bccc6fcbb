"""Tests of a hot cell's drill-down: the cell under a point and the incidents inside a cell."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.hotspots import grid as gridmod
from geo.hotspots.cells import cell_at, in_cell

X0, Y0 = 500_000.0, 2_200_000.0


def _grid() -> gridmod.Grid:
    """A 1 km square commune in EPSG:32648 cut into 4 × 4 cells of 250 m."""
    square = gpd.GeoDataFrame(
        {"code": ["A"]}, geometry=[shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)], crs="EPSG:32648"
    )
    return gridmod.make_grid(square, cell_m=250.0)


def _at(grid: gridmod.Grid, x: list[float], y: list[float]) -> tuple[np.ndarray, np.ndarray]:
    return grid.unproject(np.array(x) + X0, np.array(y) + Y0)


def test_cell_at_gives_the_flat_index_or_minus_one_outside():
    grid = _grid()
    (lon, lat) = _at(grid, [100.0, 900.0, 5000.0], [100.0, 300.0, 100.0])
    assert cell_at(grid, float(lon[0]), float(lat[0])) == 0
    assert cell_at(grid, float(lon[1]), float(lat[1])) == 1 * 4 + 3  # row 1, column 3
    assert cell_at(grid, float(lon[2]), float(lat[2])) == -1


def test_in_cell_keeps_the_incidents_of_that_cell_only():
    grid = _grid()
    lon, lat = _at(grid, [100.0, 120.0, 600.0], [100.0, 200.0, 600.0])
    incidents = pd.DataFrame(
        {
            "incident_id": ["a", "b", "c", "d"],
            "lon": [*lon, np.nan],
            "lat": [*lat, np.nan],
        }
    )
    assert in_cell(grid, incidents, 0)["incident_id"].tolist() == ["a", "b"]
    assert in_cell(grid, incidents, 2 * 4 + 2)["incident_id"].tolist() == ["c"]
    assert in_cell(grid, incidents, 15).empty
    assert in_cell(grid, incidents, -1).empty
    assert in_cell(grid, incidents.iloc[0:0], 0).empty
