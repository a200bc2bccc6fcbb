"""Aggregations on the server: counts and rates per commune, and grid cells for map layers."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from geo import settings

RATE_BREAKS: tuple[float, ...] = (10.0, 20.0, 30.0, 40.0)
"""Class breaks of the choropleth, incidents per 1,000 residents per year (fixed across periods)."""


def commune_counts(
    incidents: pd.DataFrame,
    communes: gpd.GeoDataFrame,
    *,
    days: int,
    previous: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Count incidents per commune, with yearly rates per 1,000 residents and the change on a previous period.

    Parameters
    ----------
    incidents
        The filtered incidents.
    communes
        The communes (every commune gets a row, zero when it has no incidents).
    days
        Length of the period in days, to annualise the rate.
    previous
        The incidents of the comparison period (e.g. the same period a year earlier).

    Returns
    -------
    pandas.DataFrame
        Columns ``code, name, population, count, rate`` and, with ``previous``,
        ``previous, change, change_pct`` (NaN where the previous count is zero); sorted by count.
    """
    table = pd.DataFrame(
        {
            "code": communes["code"].to_numpy(),
            "name": communes["name"].to_numpy(),
            "population": communes["population"].to_numpy(),
        }
    )
    counts = incidents.groupby("commune_code").size()
    table["count"] = table["code"].map(counts).fillna(0).astype(int)
    table["rate"] = rate_per_1000(table["count"], table["population"], days=days)
    if previous is not None:
        prev = previous.groupby("commune_code").size()
        table["previous"] = table["code"].map(prev).fillna(0).astype(int)
        table["change"] = table["count"] - table["previous"]
        with np.errstate(divide="ignore", invalid="ignore"):
            pct = 100.0 * table["change"] / table["previous"].where(table["previous"] > 0)
        table["change_pct"] = pct
    return table.sort_values(["count", "code"], ascending=[False, True]).reset_index(drop=True)


def rate_per_1000(count: pd.Series, population: pd.Series, *, days: int) -> pd.Series:
    """Return yearly incidents per 1,000 residents (NaN where the population is unknown)."""
    years = max(days, 1) / 365.25
    pop = population.astype(float).where(population > 0)
    return 1000.0 * count.astype(float) / pop / years


def rate_class(rate: float) -> int:
    """Return the choropleth class (0 … len(RATE_BREAKS)) of a rate; -1 when unknown."""
    if rate is None or np.isnan(rate):
        return -1
    return int(np.searchsorted(np.asarray(RATE_BREAKS), rate, side="right"))


def class_labels(edges: Sequence[float]) -> list[str]:
    """Return the legend label of each fixed class: "a–b" between two edges, "≥ z" above the last.

    Examples
    --------
    >>> class_labels((0, *RATE_BREAKS))
    ['0–10', '10–20', '20–30', '30–40', '≥ 40']
    """
    text = [f"{edge:g}" for edge in edges]
    return [f"{low}–{high}" for low, high in itertools.pairwise(text)] + [f"≥ {text[-1]}"]


_TO_METRIC = Transformer.from_crs(settings.CRS_WGS84, settings.CRS_METRIC, always_xy=True)
_TO_WGS84 = Transformer.from_crs(settings.CRS_METRIC, settings.CRS_WGS84, always_xy=True)


def grid_cells(
    incidents: pd.DataFrame,
    *,
    cell_m: float = settings.HEAT_CELL_M,
    max_cells: int = settings.HEAT_MAX_CELLS,
) -> pd.DataFrame:
    """Aggregate incidents into square cells of ``cell_m`` metres (EPSG:32648).

    Returns
    -------
    pandas.DataFrame
        One row per non-empty cell: ``lon, lat`` of the cell centre (rounded to
        `settings.COORD_DECIMALS`) and ``count``; at most ``max_cells`` rows, the busiest kept.
    """
    if incidents.empty:
        return pd.DataFrame({"lon": [], "lat": [], "count": []})
    x, y = _TO_METRIC.transform(incidents["lon"].to_numpy(), incidents["lat"].to_numpy())
    x0 = np.floor(x.min() / cell_m) * cell_m
    y0 = np.floor(y.min() / cell_m) * cell_m
    nx = int((x.max() - x0) // cell_m) + 1
    ny = int((y.max() - y0) // cell_m) + 1
    hist, _, _ = np.histogram2d(x, y, bins=(nx, ny), range=((x0, x0 + nx * cell_m), (y0, y0 + ny * cell_m)))
    ix, iy = np.nonzero(hist)
    counts = hist[ix, iy].astype(int)
    order = np.argsort(-counts, kind="stable")[:max_cells]
    ix, iy, counts = ix[order], iy[order], counts[order]
    lon, lat = _TO_WGS84.transform(x0 + (ix + 0.5) * cell_m, y0 + (iy + 0.5) * cell_m)
    return pd.DataFrame(
        {
            "lon": np.round(lon, settings.COORD_DECIMALS),
            "lat": np.round(lat, settings.COORD_DECIMALS),
            "count": counts,
        }
    )
