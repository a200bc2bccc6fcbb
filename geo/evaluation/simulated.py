"""Simulated counts of a province for benchmarks and tests: units on a grid, Poisson counts per plan month.

`province` returns square units (a grid in EPSG:32648, with populations), a plan of a few targets and
`SimulatedCounts`, a `geo.evaluation.source.Counts` of Poisson counts per unit × offence group ×
month counted from the plan's start day — what ``geo.store.buckets.BucketCounts`` would read from a
store, without a database or an incident row. Each unit has its own level and its own drift from
one year to the next (between-unit variation), every month a common season; the first target falls
by ``effect`` after the start, the others do not change. Only bins on that month grid can be asked
for (`evaluate` asks for nothing else).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from geo.dates import shift_months
from geo.evaluation.source import BINNED
from geo.plan import Plan

GROUPS = ("trat_tu", "tai_san", "ma_tuy", "khac")
"""Offence groups of the simulation (their shares of a unit's incidents: `SHARES`)."""

SHARES = (0.35, 0.3, 0.15, 0.2)


class SimulatedCounts:
    """`geo.evaluation.source.Counts` of counts per unit × offence group × month from ``start``."""

    def __init__(self, counts: np.ndarray, codes: Sequence[str], start: date, first_month: int) -> None:
        self._counts = counts  # units × groups × months
        self._codes = np.asarray(list(codes), dtype=object)
        self._starts = pd.DatetimeIndex(
            [shift_months(start, first_month + k) for k in range(counts.shape[2] + 1)]
        )

    def first_day(self) -> date | None:
        """Return the first day of the first month."""
        return self._starts[0].date()

    def last_day(self) -> date | None:
        """Return the last day of the last month."""
        return (self._starts[-1] - pd.Timedelta(days=1)).date()

    def binned(self, edges: Sequence[pd.Timestamp], *, skip: Collection[int] = ()) -> pd.DataFrame:
        """Return the counts per unit, offence group and bin of ``edges`` (edges on the month grid only)."""
        bounds = pd.DatetimeIndex(list(edges))
        position = self._starts.get_indexer(bounds)
        if (position < 0).any():
            raise ValueError("SimulatedCounts: bin edges must be month starts counted from the plan's start")
        parts = []
        for i in range(len(bounds) - 1):
            if i in skip:
                continue
            summed = self._counts[:, :, position[i] : position[i + 1]].sum(axis=2)
            unit, group = np.nonzero(summed)
            parts.append(
                pd.DataFrame(
                    {
                        "commune_code": self._codes[unit],
                        "offence_group": np.asarray(GROUPS, dtype=object)[group],
                        "bin": np.full(len(unit), i, dtype=np.int64),
                        "count": summed[unit, group].astype(np.int64),
                    }
                )
            )
        if not parts:
            return pd.DataFrame({name: pd.Series(dtype=object) for name in BINNED})
        return pd.concat(parts, ignore_index=True)[list(BINNED)]

    def outside(self, codes: Sequence[str]) -> int:
        """Return 0: every simulated incident lies in a unit."""
        return 0


@dataclass(frozen=True)
class Province:
    """A simulated province: its units, a plan and the counts."""

    communes: gpd.GeoDataFrame
    plan: Plan
    counts: SimulatedCounts


def province(
    units: int,
    *,
    targets: int = 3,
    effect: float = 0.6,
    months_before: int = 24,
    months_after: int = 12,
    rate: float = 40.0,
    overdispersion: float = 0.02,
    seed: int = 1,
) -> Province:
    """Return ``units`` simulated units, a plan of ``targets`` targets and their counts.

    Parameters
    ----------
    units
        Number of units (a grid of 1 km squares, as near square as the number allows).
    targets
        Number of targets (spread over the grid, not neighbours of each other).
    effect
        Rate ratio of the first target after the start (1: no effect); the other targets have none.
    months_before, months_after
        Months counted from the plan's start day before and after it.
    rate
        Mean incidents per unit and month.
    overdispersion
        Variance of a month's own gamma factor on each unit's mean (0: Poisson counts).
    seed
        Seed of the counts.
    """
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(units)))
    codes = [f"{10000 + i}" for i in range(units)]
    shapes = [
        box(x * 1000.0, y * 1000.0, (x + 1) * 1000.0, (y + 1) * 1000.0)
        for y, x in (divmod(i, side) for i in range(units))
    ]
    population = rng.integers(3000, 30000, size=units)
    communes = gpd.GeoDataFrame(
        {"code": codes, "name": [f"Xã {i + 1}" for i in range(units)], "population": population},
        geometry=shapes,
        crs="EPSG:32648",
    ).to_crs("EPSG:4326")
    chosen = np.linspace(0, units - 1, targets + 2).round().astype(int)[1:-1]
    start = date(2023, 5, 26)
    # One month more than the after window: the data's last month is complete in calendar terms.
    month = np.arange(-months_before, months_after + 1)
    level = rate * population / population.mean() * rng.lognormal(0.0, 0.3, size=units)
    drift = rng.normal(0.0, 0.08, size=units)  # each unit's own change per year (log scale)
    season = 1 + 0.15 * np.sin(2 * np.pi * (month + 5) / 12)
    mean = level[:, None] * season[None, :] * np.exp(drift[:, None] * month[None, :] / 12)
    mean[chosen[0], month >= 0] *= effect
    shares = np.asarray(SHARES)
    if overdispersion > 0:
        mean = mean * rng.gamma(1 / overdispersion, overdispersion, size=mean.shape)
    counts = rng.poisson(mean[:, None, :] * shares[None, :, None])
    plan = Plan(
        name="Kế hoạch mô phỏng",
        start=start,
        targets=tuple(codes[i] for i in chosen),
        before_months=12,
        after_months=months_after,
    )
    return Province(communes, plan, SimulatedCounts(counts, codes, start, -months_before))
