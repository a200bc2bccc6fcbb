"""What a map draws of a filter's incidents, as counts: per unit, per cell, and the incidents themselves when few.

`geo.maps.district.build_map` draws a choropleth from the count per unit, the heat layer and (above
``points_max``) the points layer from the count per `settings.HEAT_CELL_M` cell, and one marker per
incident only when there are few. `MapCounts` holds exactly that, so the same map is drawn either
from the filtered rows (`map_counts`, a district in memory) or from counts the database made
(`ui.mapdata._counted`: the per-unit aggregates, the busiest cells through `cells_from_blocks`, a
province in PostgreSQL, issue 14) without the rows ever reaching the process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from pyproj import Transformer

from geo import settings
from geo.aggregate import grid_cells


@dataclass(frozen=True, eq=False)
class MapCounts:
    """A filter's incidents as a map needs them.

    Attributes
    ----------
    per_unit
        Incidents per unit code, located or not (the choropleth and the tooltips).
    n
        Incidents in all (those outside every unit too).
    n_located
        Incidents with coordinates (points, heat and cells draw only these).
    cells
        The located incidents per `settings.HEAT_CELL_M` cell of the area's metric CRS: ``lon``,
        ``lat`` (the cell's centre) and ``count``, the busiest `settings.HEAT_MAX_CELLS` (`geo.aggregate.grid_cells`).
    points
        The located incidents themselves (with what a popup shows) when there are at most
        ``points_max``; None when they are drawn as cells.
    """

    per_unit: pd.Series
    n: int
    n_located: int
    cells: pd.DataFrame
    points: pd.DataFrame | None


def _located(incidents: pd.DataFrame) -> pd.DataFrame:
    if not len(incidents):
        return incidents
    return incidents[incidents["lon"].notna() & incidents["lat"].notna()]


def map_counts(incidents: pd.DataFrame, *, crs: str, points_max: int = settings.POINTS_MAX) -> MapCounts:
    """Return the `MapCounts` of already-filtered incidents (cells in the metric CRS ``crs``)."""
    located = _located(incidents)
    per_unit = incidents.groupby("commune_code").size() if len(incidents) else pd.Series(dtype="int64")
    return MapCounts(
        per_unit=per_unit,
        n=len(incidents),
        n_located=len(located),
        cells=grid_cells(located, crs=crs),
        points=located if len(located) <= points_max else None,
    )


@lru_cache(maxsize=8)
def _to_wgs84(crs: str) -> Transformer:
    return Transformer.from_crs(crs, settings.CRS_WGS84, always_xy=True)


def cells_from_blocks(
    blocks: pd.DataFrame,
    *,
    cell_m: float,
    crs: str,
    max_cells: int = settings.HEAT_MAX_CELLS,
) -> pd.DataFrame:
    """Return `geo.aggregate.grid_cells`' table from counts per cell already made.

    ``blocks`` has ``gx``, ``gy`` (the cell's column and row, ``floor(x / cell_m)`` in ``crs``) and
    ``n``; the result is the same cells with the same centres, order (busiest first, then by column
    and row) and cut at ``max_cells`` as `grid_cells` gives for the incidents they count.
    """
    if blocks.empty:
        return pd.DataFrame({"lon": [], "lat": [], "count": []})
    gx = blocks["gx"].to_numpy(dtype=np.int64)
    gy = blocks["gy"].to_numpy(dtype=np.int64)
    count = blocks["n"].to_numpy(dtype=np.int64)
    keep = count > 0
    gx, gy, count = gx[keep], gy[keep], count[keep]
    if not len(count):
        return pd.DataFrame({"lon": [], "lat": [], "count": []})
    # The centre as grid_cells computes it: the lowest cell's edge plus whole and half cells.
    gx0, gy0 = int(gx.min()), int(gy.min())
    order = np.lexsort((gy, gx, -count))[:max_cells]
    gx, gy, count = gx[order], gy[order], count[order]
    lon, lat = _to_wgs84(crs).transform(
        gx0 * cell_m + (gx - gx0 + 0.5) * cell_m, gy0 * cell_m + (gy - gy0 + 0.5) * cell_m
    )
    return pd.DataFrame(
        {
            "lon": np.round(lon, settings.COORD_DECIMALS),
            "lat": np.round(lat, settings.COORD_DECIMALS),
            "count": count,
        }
    )
