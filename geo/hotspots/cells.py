"""The grid cell under a point and the incidents inside one cell (a hot cell's drill-down)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.hotspots.grid import Grid


def cell_at(grid: Grid, lon: float, lat: float) -> int:
    """Return the flat index of the district cell containing the point (EPSG:4326), or -1 outside."""
    x, y = grid.project(np.array([lon], dtype=float), np.array([lat], dtype=float))
    return int(grid.cell_index(x, y)[0])


def in_cell(grid: Grid, incidents: pd.DataFrame, cell: int) -> pd.DataFrame:
    """Return the incidents located inside the cell with flat index ``cell`` (``lon``/``lat`` columns).

    Incidents without coordinates (placed by their commune only) belong to no cell. The rows keep
    their order and index; ``incidents`` is not changed.
    """
    located = incidents[incidents["lon"].notna() & incidents["lat"].notna()]
    if located.empty or cell < 0:
        return located.iloc[0:0]
    x, y = grid.project(located["lon"].to_numpy(dtype=float), located["lat"].to_numpy(dtype=float))
    return located[grid.cell_index(x, y) == int(cell)]
