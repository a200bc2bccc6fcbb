"""Aggregations on the server: counts and rates per commune, and grid cells for map layers."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from geo import settings
from geo.clearance import clearance_counts, has_status
from geo.formatting import format_number
from geo.prepared import (
    Prepared,
    clearance_at,
    count_table,
    has_status_at,
    monthly_at,
    offence_counts,
    prepare,
    prepared_counts,
    rate_per_1000,
    select,
    status_counts,
    unit_codes,
    unit_counts,
    weekday_hour_at,
)

__all__ = [
    "RATE_BREAKS",
    "RATE_CLASSES",
    "UNITS_PER_CLASS",
    "Prepared",
    "class_labels",
    "clearance_at",
    "commune_counts",
    "count_table",
    "grid_cells",
    "has_status_at",
    "monthly_at",
    "offence_counts",
    "prepare",
    "prepared_counts",
    "rate_breaks",
    "rate_class",
    "rate_per_1000",
    "readable",
    "round_between",
    "select",
    "span_rate_breaks",
    "status_counts",
    "unit_codes",
    "unit_counts",
    "unlocated_by_commune",
    "weekday_hour_at",
]
"""The names of this module; those of `geo.prepared` (the prepared arrays, the unit table made from counts)
moved there and stay importable from here until their callers import them from there."""

RATE_BREAKS: tuple[float, ...] = (10.0, 20.0, 30.0, 40.0)
"""Default class breaks of the choropleth, incidents per 1,000 residents per year (fixed across periods).

Used where the data gives no distribution to learn from; `rate_breaks` chooses them from the data.
"""

RATE_CLASSES = 5
"""Most choropleth classes (one colour each)."""

UNITS_PER_CLASS = 3
"""Fewest units per choropleth class on average: few units get fewer classes (13 units: four)."""


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
        ``previous, change, change_pct`` (NaN where the previous count is zero); when any incident
        has a status (`geo.clearance.has_status`), ``with_status, solved, clearance`` (the clearance
        rate in %, NaN where no incident of the unit has a status); sorted by count.
    """
    return count_table(
        communes,
        incidents.groupby("commune_code").size(),
        days=days,
        previous=None if previous is None else previous.groupby("commune_code").size(),
        status=clearance_counts(incidents) if has_status(incidents) else None,
    )


def rate_class(rate: float | None, breaks: Sequence[float] = RATE_BREAKS) -> int:
    """Return the choropleth class (0 … len(breaks)) of a rate; -1 when unknown.

    A rate equal to a break belongs to the class above it.
    """
    if rate is None or np.isnan(rate):
        return -1
    return int(np.searchsorted(np.asarray(breaks, dtype=float), rate, side="right"))


def readable(value: float, *, digits: int = 2) -> float:
    """Return ``value`` rounded to ``digits`` significant digits (a number people read in a legend).

    Examples
    --------
    >>> readable(13.74), readable(0.04567), readable(1234.0), readable(0.0)
    (14.0, 0.046, 1200.0, 0.0)
    """
    if value == 0 or not np.isfinite(value):
        return float(value)
    decimals = digits - 1 - int(np.floor(np.log10(abs(value))))
    return float(round(value, decimals))


def round_between(low: float, high: float) -> float:
    """Return the number with the fewest significant digits in ``(low, high]``, nearest their middle.

    ``0 <= low < high``.

    Examples
    --------
    >>> round_between(19.7, 26.5), round_between(2.0, 8.0), round_between(1.52, 1.58)
    (20.0, 5.0, 1.55)
    """
    top = int(np.floor(np.log10(high)))
    middle = (low + high) / 2
    for digits in range(1, 16):
        step = 10.0 ** (top - digits + 1)
        first, last = np.floor(low / step) + 1, np.floor(high / step)
        if first <= last:
            best = min(max(round(middle / step), first), last)
            return float(round(best * step, 12))
    return float(high)


def _natural_classes(values: np.ndarray, weights: np.ndarray, k: int) -> list[int]:
    """Return where each of classes 2…k starts in sorted distinct ``values`` (Fisher–Jenks, weighted).

    The exact partition into ``k`` runs that minimises the weighted within-class sum of squares.
    """
    n = values.size
    s0 = np.concatenate([[0.0], np.cumsum(weights)])
    s1 = np.concatenate([[0.0], np.cumsum(weights * values)])
    s2 = np.concatenate([[0.0], np.cumsum(weights * values**2)])

    def ssd(i: np.ndarray, j: int) -> np.ndarray:  # runs values[i..j]
        w, a = s0[j + 1] - s0[i], s1[j + 1] - s1[i]
        return np.asarray(s2[j + 1] - s2[i] - a * a / w)

    cost = np.array([ssd(np.array([0]), j)[0] for j in range(n)])
    starts = np.zeros((k, n), dtype=int)
    for m in range(1, k):
        new = np.full(n, np.inf)
        for j in range(m, n):
            i = np.arange(m, j + 1)
            total = cost[i - 1] + ssd(i, j)
            best = int(np.argmin(total))
            new[j], starts[m, j] = total[best], i[best]
        cost = new
    out, j = [], n - 1
    for m in range(k - 1, 0, -1):
        out.append(int(starts[m, j]))
        j = out[-1] - 1
    return out[::-1]


def rate_breaks(
    rates: Sequence[float] | pd.Series | np.ndarray, *, classes: int = RATE_CLASSES
) -> tuple[float, ...]:
    """Choose the choropleth's class breaks from the data's own distribution of rates.

    Call it once, on every unit's yearly rate over the whole data span, and draw every period with the
    result, so a colour means the same rate in every period. The classes are the natural groups of the
    units' rates (Fisher–Jenks: the least spread within each class); each break is the roundest number
    between the highest rate of one class and the lowest of the next (20, not 19.73), or, where no
    number of two significant digits lies between them, their middle to two significant digits.

    Parameters
    ----------
    rates
        Yearly incidents per 1,000 residents per unit (`rate_per_1000`); NaN where the population is
        unknown (such units are left out).
    classes
        Most classes (``len(result) + 1 <= classes``).

    Returns
    -------
    tuple of float
        Strictly increasing positive breaks, at most ``classes - 1``: fewer with few units (about
        `UNITS_PER_CLASS` a class, at least two classes) or few distinct rates, one (the rate) when every
        unit has the same rate, `RATE_BREAKS` when no unit has a rate above 0.

    Examples
    --------
    >>> rate_breaks([18.1, 18.4, 18.7, 18.7, 19.0, 19.1, 19.4, 19.6, 19.7, 26.5, 29.6, 37.0, 45.5])
    (20.0, 30.0, 40.0)
    >>> rate_breaks([18.1, 18.7, 19.0, 19.7, 26.5, 29.6, 37.0, 45.5])  # eight units: two classes
    (30.0,)
    >>> rate_breaks([5.0, 5.0, float("nan")])
    (5.0,)
    >>> rate_breaks([2.0, 8.0])
    (5.0,)
    >>> rate_breaks([float("nan"), 0.0])
    (10.0, 20.0, 30.0, 40.0)
    """
    values = np.asarray(rates, dtype=float)
    values = values[np.isfinite(values) & (values >= 0)]
    if values.size == 0 or values.max() <= 0:
        return RATE_BREAKS
    distinct, counts = np.unique(values, return_counts=True)
    if distinct.size == 1:
        return (readable(float(distinct[0])),)
    k = min(max(classes, 2), distinct.size, max(2, values.size // UNITS_PER_CLASS))
    breaks: list[float] = []
    for i in _natural_classes(distinct, counts.astype(float), k):
        low, high = float(distinct[i - 1]), float(distinct[i])
        edge = round_between(low, high)
        if readable(edge) != edge:  # no short number between close rates: two digits, near the middle
            edge = readable((low + high) / 2)
        if not breaks or edge > breaks[-1]:
            breaks.append(edge)
    return tuple(breaks)


def span_rate_breaks(incidents: pd.DataFrame, communes: gpd.GeoDataFrame) -> tuple[float, ...]:
    """Return `rate_breaks` of every unit's yearly rate over the incidents' whole time span.

    The breaks a map draws every period with: each unit's count over the span from the first to the
    last incident (``occurred_at``), per 1,000 residents per year; `RATE_BREAKS` without incidents.
    """
    times = pd.to_datetime(incidents["occurred_at"]).dropna() if len(incidents) else pd.Series(dtype=object)
    if times.empty:
        return RATE_BREAKS
    days = (times.max().normalize() - times.min().normalize()).days + 1
    return rate_breaks(commune_counts(incidents, communes, days=days)["rate"])


def _edge_text(edge: float, lang: str | None) -> str:
    text = f"{edge:g}"
    if lang is None:
        return text
    digits = len(text.split(".")[1]) if "." in text else 0
    return format_number(edge, digits, lang=lang)


def class_labels(edges: Sequence[float], *, lang: str | None = None) -> list[str]:
    """Return the legend label of each fixed class: "a–b" between two edges, "≥ z" above the last.

    With ``lang`` the numbers carry that language's marks (Vietnamese "2,5", English "2.5").

    Examples
    --------
    >>> class_labels((0, *RATE_BREAKS))
    ['0–10', '10–20', '20–30', '30–40', '≥ 40']
    >>> class_labels((0, 0.5, 1200), lang="vi")
    ['0–0,5', '0,5–1.200', '≥ 1.200']
    """
    text = [_edge_text(float(edge), lang) for edge in edges]
    return [f"{low}–{high}" for low, high in itertools.pairwise(text)] + [f"≥ {text[-1]}"]


@lru_cache(maxsize=8)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def grid_cells(
    incidents: pd.DataFrame,
    *,
    cell_m: float = settings.HEAT_CELL_M,
    max_cells: int = settings.HEAT_MAX_CELLS,
    crs: str = settings.CRS_METRIC,
) -> pd.DataFrame:
    """Aggregate incidents into square cells of ``cell_m`` metres of ``crs`` (the area's metric CRS).

    Returns
    -------
    pandas.DataFrame
        One row per non-empty cell: ``lon, lat`` of the cell centre (rounded to
        `settings.COORD_DECIMALS`) and ``count``; at most ``max_cells`` rows, the busiest kept.
    """
    incidents = incidents[incidents["lon"].notna() & incidents["lat"].notna()]  # placed by commune only
    if incidents.empty:
        return pd.DataFrame({"lon": [], "lat": [], "count": []})
    x, y = _transformer(settings.CRS_WGS84, crs).transform(
        incidents["lon"].to_numpy(), incidents["lat"].to_numpy()
    )
    x0 = np.floor(x.min() / cell_m) * cell_m
    y0 = np.floor(y.min() / cell_m) * cell_m
    nx = int((x.max() - x0) // cell_m) + 1
    ny = int((y.max() - y0) // cell_m) + 1
    hist, _, _ = np.histogram2d(x, y, bins=(nx, ny), range=((x0, x0 + nx * cell_m), (y0, y0 + ny * cell_m)))
    ix, iy = np.nonzero(hist)
    counts = hist[ix, iy].astype(int)
    order = np.argsort(-counts, kind="stable")[:max_cells]
    ix, iy, counts = ix[order], iy[order], counts[order]
    lon, lat = _transformer(crs, settings.CRS_WGS84).transform(
        x0 + (ix + 0.5) * cell_m, y0 + (iy + 0.5) * cell_m
    )
    return pd.DataFrame(
        {
            "lon": np.round(lon, settings.COORD_DECIMALS),
            "lat": np.round(lat, settings.COORD_DECIMALS),
            "count": counts,
        }
    )


def unlocated_by_commune(incidents: pd.DataFrame) -> pd.Series:
    """Return how many incidents have no coordinates (placed by their commune only), per commune code.

    They count in every commune table, choropleth, trend and evaluation; point, density and grid
    layers cannot draw them, and say how many they leave out. Largest first.

    Examples
    --------
    >>> frame = pd.DataFrame({"lon": [105.6, None, None], "lat": [20.0, None, None], "commune_code": ["a", "b", "b"]})
    >>> unlocated_by_commune(frame).to_dict()
    {'b': 2}
    """
    if incidents.empty:
        return pd.Series(dtype=int)
    missing = incidents["lon"].isna() | incidents["lat"].isna()
    counts = incidents.loc[missing, "commune_code"].astype(str).value_counts()
    return counts.astype(int)
