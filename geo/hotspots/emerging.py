"""Emerging hot spots: space-time Gi* per time step, a Mann–Kendall trend per cell, ArcGIS's classes.

Follows ArcGIS Pro's "How Emerging Hot Spot Analysis works": the incidents are counted in a
space-time cube (grid cells × months, or quarters when the data span more than
``EMERGING_MAX_MONTHLY_STEPS`` months; steps aligned to the end of the data so the final step is
the most recent), every bin gets a Gi* z-score and FDR-corrected pseudo p-value (`geo.hotspots.gistar`,
neighbourhood: the queen cells in the same and the previous ``EMERGING_TIME_LAGS`` steps), the
Mann–Kendall test measures the trend of each cell's z-scores, and each cell is put in one class:

- *new*: hot in the final step and never before;
- *consecutive*: one uninterrupted run of at least two hot steps ending with the final step, never
  hot before the run, and hot in less than 90 % of the steps;
- *intensifying* / *persistent* / *diminishing*: hot in at least 90 % of the steps including the
  final one, with a significant upward / no significant / a significant downward trend;
- *sporadic*: hot in the final step, on and off before, in less than 90 % of the steps, never cold;
- *oscillating*: hot in the final step, cold in some earlier step, hot in less than 90 % of the steps;
- *historical*: not hot in the final step but hot in at least 90 % of the steps;

and the cold mirrors (a downward trend intensifies a cold spot). A location that has been cold
before is oscillating rather than new or consecutive; cells matching nothing are ``none``.

Each bin's Gi* needs a mean and a variance to compare the bin's neighbourhood with. ArcGIS takes
those of the whole cube (``standardise="cube"``): a bin is hot when its neighbourhood holds more
than the average bin *of all steps*. Under an area-wide rise or fall that mixes time with space:
when every place rises by half, the late steps are above the cube's mean almost everywhere, cells
that were merely above average become "new" or "intensifying" hot spots, and the early steps show
cold spots that are only the lower level of the past. ``standardise="step"`` (the default here,
`settings.EMERGING_STANDARDISE`) compares each step with itself: the z-score of a bin of step *t*
uses the mean and variance of the bins in its own time window (step *t* and the ``time_lags``
previous steps its neighbourhood reaches), so a hot spot is a place that stands out from the area
*at that time*, and the trend test measures whether a place's standing grows, not whether the area
as a whole has more incidents (that is the incident series' job, on /trends). The price: a real
rise that covers the whole area is not a hot spot in either direction, and each step's reference is
the bins of one or two steps instead of the whole cube, so a change confined to a single step weighs
on its own mean and variance: of the 16 patterns planted in the tests (ArcGIS's definitions, checked
with ``"cube"``) all but the one-step *new cold spot* are found the same way with ``"step"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, TypedDict, Unpack

import numpy as np
import pandas as pd

from geo import settings
from geo._errors import ConfigError, DataError
from geo.hotspots.gistar import GiStar, Inference, fdr_significant, gi_star
from geo.hotspots.grid import Grid, pixel_cells
from geo.hotspots.patterns import CLASSES, PATTERNS, classify, mann_kendall
from geo.hotspots.pixels import PixelCounts, bin_xy, month_numbers

__all__ = [
    "CLASSES",
    "NO_TIMES",
    "PATTERNS",
    "STANDARDISE",
    "Emerging",
    "Standardise",
    "TimeSteps",
    "choose_steps",
    "classify",
    "cube_counts",
    "cube_gi_star",
    "emerging_hotspots",
    "hot_class_shares",
    "mann_kendall",
    "month_steps",
    "pixel_cube",
    "pixel_emerging",
]

Standardise = Literal["step", "cube"]
"""How each bin's Gi* is standardised: against its own time step (``"step"``) or the whole cube
(``"cube"``, ArcGIS)."""

STANDARDISE: tuple[Standardise, ...] = ("step", "cube")
"""The two standardisations, the recommended one first."""


NO_TIMES = "Không có vụ việc nào trong khoảng thời gian đã chọn để phân tích theo thời gian."
"""Why there is no emerging analysis of no incident."""


@dataclass(frozen=True)
class TimeSteps:
    """Equal time steps ending with the month of the latest incident.

    Attributes
    ----------
    first_month
        Index (``year * 12 + month - 1``) of the first month of the first step.
    months_per_step
        1 (monthly steps) or 3 (quarterly steps).
    count
        Number of steps.
    """

    first_month: int
    months_per_step: int
    count: int

    def starts(self) -> list[date]:
        """Return the first day of every step."""
        months = self.first_month + np.arange(self.count) * self.months_per_step
        return [date(int(m // 12), int(m % 12) + 1, 1) for m in months]

    def ends(self) -> list[date]:
        """Return the first day of the last month of every step."""
        months = self.first_month + (np.arange(self.count) + 1) * self.months_per_step - 1
        return [date(int(m // 12), int(m % 12) + 1, 1) for m in months]

    def step_of(self, times: np.ndarray) -> np.ndarray:
        """Return the step index of each timestamp, -1 for times outside the steps."""
        return self.step_of_month(month_numbers(times))

    def step_of_month(self, month: np.ndarray) -> np.ndarray:
        """Return the step index of each month (``year * 12 + month - 1``), -1 outside the steps."""
        month = np.asarray(month, dtype=np.int64)
        step = (month - self.first_month) // self.months_per_step
        return np.where((month >= self.first_month) & (step < self.count), step, -1)


def choose_steps(
    times: np.ndarray,
    *,
    max_monthly: int = settings.EMERGING_MAX_MONTHLY_STEPS,
    min_steps: int = settings.EMERGING_MIN_STEPS,
) -> TimeSteps:
    """Choose monthly or quarterly steps for the span of ``times``, aligned to the latest month.

    Quarters are used when the span exceeds ``max_monthly`` months; incomplete leading quarters are
    dropped so that every step has the same length.

    Examples
    --------
    >>> ts = np.array(["2021-01-05", "2026-10-31"], dtype="datetime64[ns]")
    >>> steps = choose_steps(ts)
    >>> steps.months_per_step, steps.count, steps.starts()[0].isoformat()
    (3, 23, '2021-02-01')
    """
    month = month_numbers(times)
    if month.size == 0:
        raise DataError(NO_TIMES)
    return month_steps(int(month.min()), int(month.max()), max_monthly=max_monthly, min_steps=min_steps)


def month_steps(
    first: int,
    last: int,
    *,
    max_monthly: int = settings.EMERGING_MAX_MONTHLY_STEPS,
    min_steps: int = settings.EMERGING_MIN_STEPS,
) -> TimeSteps:
    """Choose the steps of `choose_steps` for incidents from month ``first`` to month ``last`` (``year * 12 + month - 1``)."""
    span = last - first + 1
    per = 1 if span <= max_monthly else 3
    count = span // per
    if count < min_steps:
        raise DataError(
            f"Phân tích điểm nóng mới nổi cần ít nhất {min_steps} bước thời gian; dữ liệu đã chọn chỉ "
            f"trải {span} tháng. Hãy chọn khoảng thời gian dài hơn."
        )
    return TimeSteps(first_month=last - count * per + 1, months_per_step=per, count=count)


def cube_counts(grid: Grid, x: np.ndarray, y: np.ndarray, steps: np.ndarray, n_steps: int) -> np.ndarray:
    """Return incidents per (step, row, col) as an int64 array; points with step -1 are skipped."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    pixels = bin_xy(x[ok], y[ok], crs=grid.crs, pixel_m=grid.cell_m)
    return pixel_cube(grid, pixels, np.asarray(steps, dtype=np.int64)[ok], n_steps)


def pixel_cube(grid: Grid, pixels: PixelCounts, steps: np.ndarray, n_steps: int) -> np.ndarray:
    """Return the incidents of ``pixels`` per (step, row, col) (int64); rows with step -1 are skipped."""
    cell = pixel_cells(grid, pixels)
    step = np.asarray(steps, dtype=np.int64)
    ok = (cell >= 0) & (step >= 0) & (step < n_steps)
    flat = step[ok] * (grid.nx * grid.ny) + cell[ok]
    cube = np.bincount(flat, weights=pixels.n[ok], minlength=n_steps * grid.nx * grid.ny)
    return np.rint(cube).astype(np.int64).reshape(n_steps, grid.ny, grid.nx)


@dataclass(frozen=True, eq=False)
class Emerging:
    """Result of an emerging hot spot analysis.

    Attributes
    ----------
    steps
        The time steps of the cube.
    standardise
        How the bins' Gi* were standardised (``"step"`` or ``"cube"``).
    counts
        (steps, ny, nx) incidents per bin.
    gi
        Gi* of every bin.
    hot_steps, cold_steps
        (ny, nx) number of significant hot / cold steps of each cell.
    trend_z, trend_p
        (ny, nx) Mann–Kendall z-score and p-value of each cell's Gi* z-scores (NaN outside).
    category
        (ny, nx) class code of each cell (`CLASSES`; "" outside the district).
    """

    steps: TimeSteps
    standardise: Standardise
    counts: np.ndarray
    gi: GiStar
    hot_steps: np.ndarray
    cold_steps: np.ndarray
    trend_z: np.ndarray
    trend_p: np.ndarray
    category: np.ndarray


def cube_gi_star(
    cube: np.ndarray,
    mask: np.ndarray,
    *,
    time_lags: int,
    standardise: Standardise,
    inference: Inference,
    permutations: int,
    seed: int,
) -> GiStar:
    """Return the space-time Gi* of every bin (no FDR: the caller corrects over the whole cube).

    Parameters
    ----------
    cube
        (steps, ny, nx) counts.
    mask
        (ny, nx) cells that take part.
    time_lags
        Previous steps in each bin's neighbourhood.
    standardise
        ``"cube"``: one mean and variance for the whole cube (ArcGIS). ``"step"``: the bins of step
        *t* are compared with the bins of their own window, steps *t* − ``time_lags`` … *t* (the
        steps their neighbourhood spans), so an area-wide change over time is not a hot spot.
    inference, permutations, seed
        As in `geo.hotspots.gistar.gi_star`.
    """
    if standardise == "cube":
        return gi_star(
            cube,
            mask,
            time_lags=time_lags,
            permutations=permutations,
            seed=seed,
            fdr=False,
            inference=inference,
        )
    if standardise != "step":
        raise ConfigError(
            f"Cách chuẩn hóa Gi* theo thời gian không hợp lệ: {standardise!r} (step hoặc cube)."
        )
    z = np.full(cube.shape, np.nan)
    p_sim = np.ones(cube.shape)
    p_value = np.ones(cube.shape)
    bins = np.zeros(cube.shape, dtype=np.int8)
    for t in range(cube.shape[0]):
        first = max(0, t - time_lags)
        window = gi_star(
            cube[first : t + 1],
            mask,
            time_lags=t - first,
            permutations=permutations,
            seed=seed + t,
            fdr=False,
            inference=inference,
        )
        z[t], p_sim[t], p_value[t], bins[t] = (
            window.z[-1],
            window.p_sim[-1],
            window.p_value[-1],
            window.bins[-1],
        )
    return GiStar(z=z, p_sim=p_sim, p_value=p_value, bins=bins)


class EmergingOptions(TypedDict, total=False):
    """The options of `pixel_emerging` (each has the default of `settings`)."""

    time_lags: int
    alpha: float
    standardise: Standardise
    inference: Inference
    permutations: int
    seed: int


def emerging_hotspots(
    grid: Grid,
    x: np.ndarray,
    y: np.ndarray,
    times: np.ndarray,
    *,
    steps: TimeSteps | None = None,
    **options: Unpack[EmergingOptions],
) -> Emerging:
    """Run the emerging hot spot analysis (`pixel_emerging`) of points in the grid's metres at ``times``.

    ``steps`` default to those of the span of ``times`` (`choose_steps`); points without
    coordinates are left out of the cube (their times still count for the span).
    """
    steps = steps or choose_steps(times)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    pixels = bin_xy(x[ok], y[ok], crs=grid.crs, pixel_m=grid.cell_m, month=month_numbers(times)[ok])
    return pixel_emerging(grid, pixels, steps=steps, **options)


def pixel_emerging(
    grid: Grid,
    pixels: PixelCounts,
    *,
    steps: TimeSteps,
    time_lags: int = settings.EMERGING_TIME_LAGS,
    alpha: float = settings.EMERGING_ALPHA,
    standardise: Standardise = settings.EMERGING_STANDARDISE,
    inference: Inference = settings.EMERGING_INFERENCE,
    permutations: int = settings.GISTAR_PERMUTATIONS,
    seed: int = settings.GISTAR_SEED,
) -> Emerging:
    """Run the emerging hot spot analysis of incidents counted per pixel (or cell) and month on ``grid``.

    Parameters
    ----------
    grid
        The analysis grid.
    pixels
        The incidents counted per pixel and month (``pixels.month``), pixels that tile the cells.
    steps
        The time steps (`choose_steps`, `month_steps`).
    time_lags
        Previous steps in each bin's neighbourhood.
    alpha
        Significance of a hot / cold bin (FDR-corrected over the cube) and of the trend.
    standardise
        ``"step"`` (default): each step's Gi* against that step's own mean and variance, so an
        area-wide trend makes no hot spots; ``"cube"``: against the whole cube, as ArcGIS does (see
        the module's docstring for why the default differs).
    inference
        How the bins' p-values are obtained: ``"normal"`` from the z-scores, as ArcGIS does for the
        space-time cube, or ``"permutation"``.
    permutations, seed
        Gi* permutation inference.

    Returns
    -------
    Emerging
        Per-bin Gi*, per-cell trend and class.
    """
    if pixels.month is None:
        raise ConfigError("Phân tích điểm nóng mới nổi cần số đếm theo từng tháng.")
    cube = pixel_cube(grid, pixels, steps.step_of_month(pixels.month), steps.count)
    gi = cube_gi_star(
        cube,
        grid.inside,
        time_lags=time_lags,
        standardise=standardise,
        inference=inference,
        permutations=permutations,
        seed=seed,
    )
    inside = grid.inside
    p_active = gi.p_value[:, inside]
    significant = fdr_significant(p_active.ravel(), alpha=alpha).reshape(p_active.shape)
    z_active = gi.z[:, inside]
    hot, cold = significant & (z_active > 0), significant & (z_active < 0)
    _s, trend_z, trend_p = mann_kendall(z_active.T)
    codes = classify(hot, cold, trend_z, trend_p, alpha=alpha)
    return Emerging(
        steps=steps,
        standardise=standardise,
        counts=cube,
        gi=gi,
        hot_steps=_spread(grid, hot.sum(axis=0), 0),
        cold_steps=_spread(grid, cold.sum(axis=0), 0),
        trend_z=_spread(grid, trend_z, np.nan),
        trend_p=_spread(grid, trend_p, np.nan),
        category=_spread(grid, codes, ""),
    )


def _spread(grid: Grid, values: np.ndarray, fill: float | str) -> np.ndarray:
    """Place per-district-cell values on the (ny, nx) grid, ``fill`` elsewhere."""
    out = np.full(grid.shape, fill, dtype=object if isinstance(fill, str) else np.asarray(values).dtype)
    if not isinstance(fill, str) and np.isnan(fill):
        out = out.astype(float)
    out[grid.inside] = values
    return out


def hot_class_shares(result: Emerging, cell_communes: pd.Series, codes: list[str]) -> pd.DataFrame:
    """Return, for each commune in ``codes``, its hot cells and the share that are diminishing or historical.

    Parameters
    ----------
    result
        The emerging hot spot analysis.
    cell_communes
        Commune code per flat cell index (`geo.hotspots.grid.cell_communes`).
    codes
        The communes to report (e.g. the plan's targets).

    Returns
    -------
    pandas.DataFrame
        Columns ``commune_code, hot_cells, fading_cells, share`` (share NaN without hot cells).
    """
    category = pd.Series(result.category.ravel()[cell_communes.index], index=cell_communes.index)
    rows = []
    for code in codes:
        cats = category[cell_communes == code]
        hot = cats.str.endswith("_hot")
        fading = cats.isin(["diminishing_hot", "historical_hot"])
        n_hot, n_fading = int(hot.sum()), int(fading.sum())
        rows.append((code, n_hot, n_fading, n_fading / n_hot if n_hot else np.nan))
    return pd.DataFrame(rows, columns=["commune_code", "hot_cells", "fading_cells", "share"])
