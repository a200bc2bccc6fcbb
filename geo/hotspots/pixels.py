"""Incidents counted on square pixels of a metric CRS: what every hot spot analysis starts from.

The kernel density bins its points on pixels of ``cell_m / KDE_SUBCELLS`` metres (62.5 m) before it
smooths them, and a grid cell is a block of those pixels: counted per pixel (and per month), a
filter's incidents are all the analyses of `geo.hotspots.series` need. A pixel's column and row are
*global*, ``floor(x / pixel_m)`` and ``floor(y / pixel_m)`` in the grid's metric CRS, so the counts
the store keeps (``Store.pixel_counts``, issue 14) and points binned here (`bin_xy`) are the same
numbers: a page with thousands of incidents bins them in memory, a page at a province's scale asks
the database for the counts and never reads the incidents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo import settings

PIXEL_M = settings.GRID_CELL_M / settings.KDE_SUBCELLS
"""Side of the kernel density's pixels in metres (62.5 m for 250 m cells smoothed on 4 × 4 pixels)."""


@dataclass(frozen=True, eq=False)
class PixelCounts:
    """Located incidents counted per pixel (and per calendar month), one row per (pixel, month) or per point.

    Attributes
    ----------
    gx, gy
        Pixel column and row, ``floor(x / pixel_m)`` and ``floor(y / pixel_m)`` in ``crs`` (int64).
    n
        Incidents of each row (int64; rows may repeat a pixel: they are summed).
    crs
        The metric CRS of ``x`` and ``y`` (a grid in another CRS refuses the counts).
    pixel_m
        Side of a pixel in metres.
    month
        Calendar month of each row as ``year * 12 + month - 1`` (int64), or None when not counted per month.
    """

    gx: np.ndarray
    gy: np.ndarray
    n: np.ndarray
    crs: str
    pixel_m: float = PIXEL_M
    month: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.n)

    @property
    def total(self) -> int:
        """The number of incidents counted."""
        return int(self.n.sum())

    def months(self) -> tuple[int, int] | None:
        """Return the first and last month (``year * 12 + month - 1``) with an incident, None without any."""
        if self.month is None:
            raise ValueError("the pixel counts are not counted per month")
        counted = self.month[self.n > 0]
        return (int(counted.min()), int(counted.max())) if len(counted) else None


def bin_xy(
    x: np.ndarray,
    y: np.ndarray,
    *,
    crs: str,
    pixel_m: float = PIXEL_M,
    month: np.ndarray | None = None,
) -> PixelCounts:
    """Return points in metres of ``crs`` as pixel counts, one row per point (points without coordinates left out).

    Examples
    --------
    >>> found = bin_xy(np.array([0.0, 62.5, -0.1, np.nan]), np.array([10.0, 130.0, 0.0, 0.0]), crs="EPSG:32648")
    >>> found.gx.tolist(), found.gy.tolist(), found.total
    ([0, 1, -1], [0, 2, 0], 3)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    return PixelCounts(
        gx=np.floor(x[ok] / pixel_m).astype(np.int64),
        gy=np.floor(y[ok] / pixel_m).astype(np.int64),
        n=np.ones(int(ok.sum()), dtype=np.int64),
        crs=crs,
        pixel_m=pixel_m,
        month=None if month is None else np.asarray(month, dtype=np.int64)[ok],
    )


def month_numbers(times: pd.Series | np.ndarray) -> np.ndarray:
    """Return the calendar month of each time as ``year * 12 + month - 1`` (int64).

    Examples
    --------
    >>> month_numbers(pd.Series(pd.to_datetime(["2024-01-31", "2024-12-01"]))).tolist()
    [24288, 24299]
    """
    months = np.asarray(pd.to_datetime(times), dtype="datetime64[ns]").astype("datetime64[M]")
    return months.astype(np.int64) + 1970 * 12


def from_table(table: pd.DataFrame, *, crs: str, pixel_m: float) -> PixelCounts:
    """Return a table of counts (columns ``gx``, ``gy``, ``n``; ``month`` as ``YYYY-MM`` optional) as `PixelCounts`.

    The table is what the store returns (``Store.pixel_counts``): its pixels are ``pixel_m`` metres
    of ``crs``.

    Examples
    --------
    >>> table = pd.DataFrame({"month": ["2024-01", "2024-03"], "gx": [5, 6], "gy": [7, 8], "n": [2, 1]})
    >>> found = from_table(table, crs="EPSG:32648", pixel_m=62.5)
    >>> found.months(), found.total
    ((24288, 24290), 3)
    """
    month = None
    if "month" in table:
        text = table["month"].astype(str)
        month = (text.str[:4].astype(np.int64) * 12 + text.str[5:7].astype(np.int64) - 1).to_numpy()
    return PixelCounts(
        gx=table["gx"].to_numpy(dtype=np.int64),
        gy=table["gy"].to_numpy(dtype=np.int64),
        n=table["n"].to_numpy(dtype=np.int64),
        crs=crs,
        pixel_m=float(pixel_m),
        month=month,
    )
