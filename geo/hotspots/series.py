"""The hotspot analyses the pages show, over time windows given as plain dates.

Each function takes incidents already selected by the user's filter and the district's `GridFrame`,
and returns per-cell arrays in the order of `GridFrame.cells`, so that a map layer can be drawn from
them without any further grid maths. The incidents are either rows (``lon``, ``lat`` and
``occurred_at`` columns) or the same incidents counted per pixel (`geo.hotspots.pixels.PixelCounts`,
what the store keeps at a province's scale): rows are binned to pixels first (`pixels_of`), so both
give the same numbers by one path.

- `period_analysis`: counts, yearly density and Gi* classes of one period, and its hot-cell table;
- `period_density`: the same period's yearly density alone (the density layer, without Gi*);
- `monthly_density`: the yearly density of every calendar month of a period (the month slider);
- `compare_periods`: the same density before and after a start day (the before/after maps);
- `emerging_analysis`: the emerging hot spot classes over the whole data span (`data_span`).

The windows of the before/after comparison come from the caller (the UI takes them from
``geo.evaluation.periods``), as plain dates and month counts: the hotspot analyses do not depend
on the evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import settings
from geo._errors import DataError
from geo.dates import months_between
from geo.hotspots import grid as gridmod
from geo.hotspots.emerging import (
    NO_TIMES,
    Emerging,
    Standardise,
    TimeSteps,
    choose_steps,
    month_steps,
    pixel_emerging,
)
from geo.hotspots.gistar import GiConvention, gi_star, hot_cells
from geo.hotspots.pixels import PixelCounts, bin_xy, month_numbers

DAYS_PER_YEAR = 365.25
"""Mean length of a year in days: densities are given per year whatever the period's length."""

Incidents = pd.DataFrame | PixelCounts
"""Selected incidents: rows with ``lon``, ``lat`` (and ``occurred_at``), or their counts per pixel."""


@dataclass(frozen=True, eq=False)
class GridFrame:
    """The district's grid with its cells as polygons, their flat index and commune.

    Attributes
    ----------
    grid
        The analysis grid.
    cells
        The district's cells as polygons in EPSG:4326 (`geo.hotspots.grid.cell_polygons`).
    ids
        Flat cell index of every row of ``cells``.
    communes
        Commune code per flat cell index (`geo.hotspots.grid.cell_communes`).
    """

    grid: gridmod.Grid
    cells: gpd.GeoDataFrame
    ids: np.ndarray
    communes: pd.Series

    def per_cell(self, values: np.ndarray) -> np.ndarray:
        """Return a grid-shaped array (``(ny, nx)``) as one value per row of `cells`."""
        return np.asarray(values).ravel()[self.ids]

    def cell_codes(self) -> np.ndarray:
        """Return the commune code of every row of `cells` ("" where a cell has none)."""
        return self.communes.reindex(self.ids).fillna("").to_numpy()


@dataclass(frozen=True, eq=False)
class Period:
    """Grid analytics of one period, one value per row of `GridFrame.cells`.

    Attributes
    ----------
    counts
        Incidents in each cell.
    density
        Kernel density in incidents per km² per year.
    bins
        Gi* class (``Gi_Bin``: 3 … -3, 0 not significant).
    table
        The hot cells, hottest first (`geo.hotspots.gistar.hot_cells`; ``cell`` is the flat index).
    convention
        The Gi* p-value convention behind ``bins``.
    """

    counts: np.ndarray
    density: np.ndarray
    bins: np.ndarray
    table: pd.DataFrame
    convention: GiConvention


@dataclass(frozen=True, eq=False)
class MonthlyDensity:
    """Yearly density of every calendar month of a period.

    Attributes
    ----------
    months
        First day of every calendar month the period touches.
    yearly
        (months, cells) density in incidents per km² per year, cells in the order of
        `GridFrame.cells`.
    """

    months: list[date]
    yearly: np.ndarray


@dataclass(frozen=True, eq=False)
class Comparison:
    """The yearly density before and after a start day, on the same grid.

    Attributes
    ----------
    before_start
        First day of the before window.
    start
        The start day: first day of the after window.
    after_end
        Day after the last day of the after window (exclusive end).
    before_months, after_months
        Window lengths in months, as the caller's windows count them.
    before, after
        The analytics of each window.
    """

    before_start: date
    start: date
    after_end: date
    before_months: int
    after_months: int
    before: Period
    after: Period

    @property
    def before_last(self) -> date:
        """Last day of the before window."""
        return self.start - timedelta(days=1)

    @property
    def after_last(self) -> date:
        """Last day of the after window."""
        return self.after_end - timedelta(days=1)


def grid_frame(communes: gpd.GeoDataFrame, *, cell_m: float = settings.GRID_CELL_M) -> GridFrame:
    """Return the grid of ``cell_m`` cells over ``communes``, its cell polygons and cell communes.

    Parameters
    ----------
    communes
        Commune polygons with a ``code`` column and a CRS.
    cell_m
        Side of a cell in metres.

    Returns
    -------
    GridFrame
        The grid and its cells.
    """
    grid = gridmod.make_grid(communes, cell_m=cell_m)
    cells = gridmod.cell_polygons(grid)
    return GridFrame(grid, cells, cells["cell"].to_numpy(), gridmod.cell_communes(grid, communes))


def years(start: date, end: date) -> float:
    """Return the length of ``start`` … ``end`` (both days included) in years of 365.25 days.

    Examples
    --------
    >>> years(date(2024, 1, 1), date(2024, 12, 31))
    1.002053388090349
    """
    return ((end - start).days + 1) / DAYS_PER_YEAR


def pixels_of(grid: gridmod.Grid, incidents: Incidents, *, by_month: bool = False) -> PixelCounts:
    """Return the incidents counted on the kernel density's pixels of ``grid`` (rows are binned; counts pass).

    Rows are projected with the grid's transformer and binned on global pixels of
    ``cell_m / KDE_SUBCELLS`` metres (`geo.hotspots.pixels.bin_xy`), the pixels the store counts;
    ``by_month`` keeps each row's calendar month (``occurred_at``).
    """
    if isinstance(incidents, PixelCounts):
        if by_month and incidents.month is None:
            raise ValueError("the pixel counts are not counted per month")
        return incidents
    x, y = grid.project(incidents["lon"].to_numpy(dtype=float), incidents["lat"].to_numpy(dtype=float))
    month = month_numbers(incidents["occurred_at"]) if by_month else None
    return bin_xy(x, y, crs=grid.crs, pixel_m=grid.cell_m / settings.KDE_SUBCELLS, month=month)


def period_analysis(
    frame: GridFrame,
    incidents: Incidents,
    *,
    start: date,
    end: date,
    communes: tuple[str, ...] | list[str] = (),
    convention: GiConvention | None = None,
    seed: int = settings.GISTAR_SEED,
) -> Period:
    """Return counts, yearly density and Gi* classes of the incidents of one period.

    Parameters
    ----------
    frame
        The district's grid.
    incidents
        The incidents of the period (already filtered): rows with ``lon`` and ``lat`` columns, or
        their counts per pixel.
    start, end
        First and last day of the period (both included): the density is divided by its length
        in years (`years`).
    communes
        The communes the user looks at (empty: the whole district); the grid, and so the study
        area of Gi*, is restricted to their cells (`geo.hotspots.grid.restrict`).
    convention
        The Gi* p-value convention (default: permutations with the FDR correction).
    seed
        Seed of the permutations.

    Returns
    -------
    Period
        One value per cell of ``frame.cells``, and the hot-cell table.
    """
    convention = convention or GiConvention()
    grid = gridmod.restrict(frame.grid, frame.communes, communes)
    pixels = pixels_of(grid, incidents)
    counts = gridmod.pixel_cell_counts(grid, pixels)
    density = gridmod.pixel_density(grid, pixels) / years(start, end)
    gi = gi_star(
        counts,
        grid.inside,
        permutations=convention.permutations,
        seed=seed,
        fdr=convention.fdr,
        inference=convention.inference,
    )
    table = hot_cells(grid, counts, gi, frame.communes)
    return Period(frame.per_cell(counts), frame.per_cell(density), frame.per_cell(gi.bins), table, convention)


def period_density(
    frame: GridFrame,
    incidents: Incidents,
    *,
    start: date,
    end: date,
    communes: tuple[str, ...] | list[str] = (),
) -> np.ndarray:
    """Return the yearly kernel density of one period per row of ``frame.cells``, without Gi*.

    The same values as ``period_analysis(...).density`` (incidents per km² per year), for a map that
    draws the density layer alone: the Gi* permutations are not run.
    """
    grid = gridmod.restrict(frame.grid, frame.communes, communes)
    return frame.per_cell(gridmod.pixel_density(grid, pixels_of(grid, incidents)) / years(start, end))


def month_index(times: pd.Series, first: date) -> np.ndarray:
    """Return the calendar-month number of each time counted from the month of ``first`` (0, 1, …).

    Examples
    --------
    >>> month_index(pd.Series(pd.to_datetime(["2024-11-30", "2025-01-01"])), date(2024, 11, 1)).tolist()
    [0, 2]
    """
    stamps = pd.to_datetime(times)
    return ((stamps.dt.year - first.year) * 12 + stamps.dt.month - first.month).to_numpy()


def monthly_density(
    frame: GridFrame,
    incidents: Incidents,
    *,
    start: date,
    end: date,
    communes: tuple[str, ...] | list[str] = (),
) -> MonthlyDensity:
    """Return the yearly density of each calendar month from ``start``'s month to ``end``'s.

    Each month's density is annualised by the month's own length (``365.25 / days in month``), so
    the months of one year are comparable with each other and with `period_analysis`.

    Parameters
    ----------
    frame
        The district's grid.
    incidents
        The incidents of the period (already filtered): rows with ``lon``, ``lat`` and
        ``occurred_at``, or their counts per pixel and month.
    start, end
        First and last day of the period.
    communes
        The communes the user looks at (empty: the whole district).

    Returns
    -------
    MonthlyDensity
        The months and one density layer per month.
    """
    grid = gridmod.restrict(frame.grid, frame.communes, communes)
    months = months_between(start, end)
    pixels = pixels_of(grid, incidents, by_month=True)
    assert pixels.month is not None
    index = pixels.month - (months[0].year * 12 + months[0].month - 1)
    layers = gridmod.pixel_density(grid, pixels, steps=index, n_steps=len(months))
    days = np.array([m.days_in_month for m in months], dtype=float)
    yearly = layers.reshape(len(months), -1)[:, frame.ids] * (DAYS_PER_YEAR / days)[:, None]
    return MonthlyDensity([m.date() for m in months], yearly)


def month_window(month: date, *, start: date, end: date) -> tuple[date, date]:
    """Return the first and last day of the calendar month ``month`` that lie within ``start`` … ``end``.

    Examples
    --------
    >>> month_window(date(2024, 2, 1), start=date(2024, 2, 10), end=date(2024, 6, 30))
    (datetime.date(2024, 2, 10), datetime.date(2024, 2, 29))
    """
    last = (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()
    return max(start, month), min(end, last)


def compare_periods(
    frame: GridFrame,
    incidents: pd.DataFrame | tuple[Incidents, Incidents],
    *,
    before_start: date,
    start: date,
    after_end: date,
    before_months: int,
    after_months: int,
    communes: tuple[str, ...] | list[str] = (),
) -> Comparison:
    """Return the analytics of the windows before and after ``start``.

    Parameters
    ----------
    frame
        The district's grid.
    incidents
        The incidents (filtered by offence and commune, any time), each window takes its own; or
        the incidents of each window (before, after), as rows or counts per pixel.
    before_start, start, after_end
        The windows: ``before_start`` … ``start - 1 day`` and ``start`` … ``after_end - 1 day``.
    before_months, after_months
        The windows' lengths in months, as the caller's windows count them (for the caption).
    communes
        The communes the user looks at (empty: the whole district).

    Returns
    -------
    Comparison
        Both windows' analytics with their dates.
    """
    if isinstance(incidents, tuple):
        before, after = incidents
    else:
        times = pd.to_datetime(incidents["occurred_at"])
        edges = [pd.Timestamp(day) for day in (before_start, start, after_end)]
        before = incidents[((times >= edges[0]) & (times < edges[1])).to_numpy()]
        after = incidents[((times >= edges[1]) & (times < edges[2])).to_numpy()]
    one_day = timedelta(days=1)
    return Comparison(
        before_start=before_start,
        start=start,
        after_end=after_end,
        before_months=before_months,
        after_months=after_months,
        before=period_analysis(frame, before, start=before_start, end=start - one_day, communes=communes),
        after=period_analysis(frame, after, start=start, end=after_end - one_day, communes=communes),
    )


def data_span(incidents: pd.DataFrame) -> tuple[date, date]:
    """Return the first and last day with an incident.

    Raises
    ------
    DataError
        When there is no incident with a time.
    """
    times = pd.to_datetime(incidents["occurred_at"]).dropna()
    if times.empty:
        raise DataError("Chưa có vụ việc nào trong dữ liệu. Hãy nhập dữ liệu vụ việc ở trang Dữ liệu.")
    return times.min().date(), times.max().date()


def emerging_analysis(
    frame: GridFrame,
    incidents: Incidents,
    *,
    communes: tuple[str, ...] | list[str] = (),
    standardise: Standardise = settings.EMERGING_STANDARDISE,
    months: tuple[int, int] | None = None,
) -> Emerging:
    """Return the emerging hot spot analysis of the incidents (over the span of their times).

    Parameters
    ----------
    frame
        The district's grid.
    incidents
        The incidents (filtered by offence and commune over the whole data span, see `data_span`):
        rows, or counts per pixel and month.
    communes
        The communes the user looks at (empty: the whole district).
    standardise
        Each step's Gi* against that step (``"step"``) or the whole cube (``"cube"``, ArcGIS);
        see `geo.hotspots.emerging`.
    months
        With counts per pixel: the first and last month (``year * 12 + month - 1``) of the incidents,
        those without coordinates too (rows give them; by default the counted months).

    Raises
    ------
    DataError
        When the incidents span too few time steps (`geo.hotspots.emerging.choose_steps`).
    """
    grid = gridmod.restrict(frame.grid, frame.communes, communes)
    if isinstance(incidents, PixelCounts):
        span = months or incidents.months()
        if span is None:
            raise DataError(NO_TIMES)
        steps = month_steps(*span)
    else:
        steps = choose_steps(incidents["occurred_at"].to_numpy())
    pixels = pixels_of(grid, incidents, by_month=True)
    return pixel_emerging(grid, pixels, steps=steps, standardise=standardise)


def steps_span(steps: TimeSteps) -> tuple[date, date]:
    """Return the first and last day covered by the time steps of an emerging analysis.

    Examples
    --------
    >>> steps_span(TimeSteps(first_month=2024 * 12, months_per_step=3, count=4))
    (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    """
    last = (pd.Timestamp(steps.ends()[-1]) + pd.offsets.MonthEnd(0)).date()
    return steps.starts()[0], last
