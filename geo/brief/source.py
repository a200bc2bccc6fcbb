"""What the brief counts, from the incidents frame or from the store's database (push-down, issue 14).

The brief's numbers are counts: the data's span and size, the incidents per unit of a period and of
the same period a year earlier, the monthly chart per unit, the hot spots' counts per pixel, and the
evaluation's months. `Counted` is that question; `FrameCounted` answers it from the rows (the command
line, a dashboard holding them), `StoreCounted` from the store's prepared aggregates and indexes
(`geo.store.counts`, `geo.store.buckets`) without reading the rows. The brief is the same either way
(``tests/geo/brief/test_source.py``).
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

import numpy as np
import pandas as pd

from geo import settings
from geo.dates import months_between
from geo.evaluation.source import Incidents
from geo.filters import IncidentFilter, apply_filter, default_filter
from geo.hotspots import series
from geo.hotspots.pixels import from_table
from geo.incidents import covered_until
from geo.store.buckets import BucketCounts
from geo.store.counts import Window
from geo.store.store import Store


class Counted(Protocol):
    """The counts a brief reads (see the module's text)."""

    def span(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """Return the time of the first and of the latest incident (None without incidents)."""

    def covered(self) -> date | None:
        """Return the last day the incidents cover (`geo.incidents.covered_until`)."""

    def total(self) -> int:
        """Return how many incidents there are."""

    def per_unit(self, flt: IncidentFilter) -> pd.Series:
        """Return the incidents ``flt`` matches per ``commune_code`` (no zeros)."""

    def monthly_units(self, start: date, end: date) -> pd.DataFrame:
        """Return the incidents of the calendar months ``start`` … ``end`` per month and unit.

        Columns ``month`` (the month's first day, Timestamp), ``commune_code``, ``count``; only
        months and units with incidents.
        """

    def period(self, flt: IncidentFilter) -> series.Incidents:
        """Return the incidents of ``flt`` as the hot spots' period analysis reads them (rows or pixel counts)."""

    def whole(self, flt: IncidentFilter) -> tuple[series.Incidents, tuple[int, int] | None]:
        """Return ``flt``'s offences and units over the whole data span for the emerging analysis.

        With their first and last month (``year * 12 + month - 1``) when they are pixel counts.
        """

    def evaluated(self) -> Incidents:
        """Return what an evaluation counts (`geo.evaluation.source`)."""


def default_period(counted: Counted) -> IncidentFilter:
    """Return the default view of the data: the last 12 complete months (`geo.filters.default_filter`)."""
    found = counted.span()
    times = pd.Series(list(found) if found else [], dtype="datetime64[ns]")
    return default_filter(pd.DataFrame({"occurred_at": times}))


class FrameCounted:
    """`Counted` of the incidents frame."""

    def __init__(self, incidents: pd.DataFrame) -> None:
        self.incidents = incidents

    def span(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """Return the time of the first and of the latest incident."""
        times = pd.to_datetime(self.incidents["occurred_at"]).dropna()
        return (times.min(), times.max()) if len(times) else None

    def covered(self) -> date | None:
        """Return the last day the incidents cover."""
        return covered_until(self.incidents)

    def total(self) -> int:
        """Return how many incidents there are."""
        return len(self.incidents)

    def per_unit(self, flt: IncidentFilter) -> pd.Series:
        """Return the incidents ``flt`` matches per unit."""
        return apply_filter(self.incidents, flt).groupby("commune_code").size()

    def monthly_units(self, start: date, end: date) -> pd.DataFrame:
        """Return the incidents per calendar month and unit."""
        incidents = self.incidents
        inside = incidents[incidents["occurred_at"] >= pd.Timestamp(start)]
        month = inside["occurred_at"].dt.to_period("M").dt.to_timestamp()
        counted = inside.groupby([month, inside["commune_code"].astype(str)]).size()
        counted = counted[counted.index.get_level_values(0).isin(months_between(start, end))]
        return counted.rename_axis(["month", "commune_code"]).rename("count").reset_index()

    def period(self, flt: IncidentFilter) -> series.Incidents:
        """Return the rows of ``flt``."""
        return apply_filter(self.incidents, flt)

    def whole(self, flt: IncidentFilter) -> tuple[series.Incidents, tuple[int, int] | None]:
        """Return the rows of ``flt``'s offences and units from the first day to the last."""
        first, last = series.data_span(self.incidents)
        return apply_filter(self.incidents, _days(flt, first, last)), None

    def evaluated(self) -> Incidents:
        """Return the frame."""
        return self.incidents


def _days(flt: IncidentFilter, start: date, end: date) -> IncidentFilter:
    return IncidentFilter(
        start=start, end=end, groups=flt.groups, offences=flt.offences, communes=flt.communes
    )


def window(flt: IncidentFilter) -> Window:
    """Return ``flt`` as the store's `Window` (`geo.store.counts.Window.of`: offence groups expanded to codes)."""
    return Window.of(flt)


class StoreCounted:
    """`Counted` asked of the store's database: the prepared aggregates and the ``occurred_at`` index, no rows.

    The hot spots need the store's pixels to be the hot-spot grid's (``grid_crs``: the area's metric
    CRS, `geo.hotspots.series.grid_frame`); when they are not (aggregates never built) the period's and
    the whole span's rows are read for them (``fallback``).
    """

    def __init__(self, store: Store, *, grid_crs: str) -> None:
        self.store = store
        self._span = store.span()
        self._grid = store.aggregate_grid()
        pixel = settings.GRID_CELL_M / settings.KDE_SUBCELLS
        grid = self._grid
        self._pixels = grid is not None and grid.crs == grid_crs and abs(grid.pixel_m - pixel) <= 1e-9 * pixel

    def span(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """Return the time of the first and of the latest incident (two index look-ups)."""
        first, last = self._span.first, self._span.last
        return None if first is None or last is None else (pd.Timestamp(first), pd.Timestamp(last))

    def covered(self) -> date | None:
        """Return the last day the incidents cover."""
        return self._span.covered

    def total(self) -> int:
        """Return how many incidents there are (the prepared unit counts' sum)."""
        return self._span.n

    def per_unit(self, flt: IncidentFilter) -> pd.Series:
        """Return the incidents ``flt`` matches per unit, summed in the database."""
        counted = self.store.unit_counts(window(flt), by=("commune_code",))
        series_ = pd.Series(
            counted["n"].to_numpy(dtype=np.int64),
            index=pd.Index(counted["commune_code"].astype(str).tolist(), name="commune_code", dtype=object),
        )
        return series_[series_ > 0]

    def monthly_units(self, start: date, end: date) -> pd.DataFrame:
        """Return the incidents per calendar month and unit, from the prepared unit counts."""
        last = (pd.Timestamp(end) + pd.offsets.MonthEnd(0)).date()
        counted = self.store.unit_counts(Window(start, last), by=("commune_code", "month"))
        counted = counted[counted["n"] > 0]
        return pd.DataFrame(
            {
                "month": pd.to_datetime(counted["month"].astype(str) + "-01"),
                "commune_code": counted["commune_code"].astype(str).to_numpy(),
                "count": counted["n"].to_numpy(dtype=np.int64),
            }
        )

    def _rows(self, flt: IncidentFilter) -> pd.DataFrame:
        return apply_filter(self.store.incidents(), flt)  # only without the store's pixels

    def period(self, flt: IncidentFilter) -> series.Incidents:
        """Return the located incidents of ``flt`` per pixel of the store."""
        grid = self._grid
        if not self._pixels or grid is None:
            return self._rows(flt)
        return from_table(self.store.pixel_counts(window(flt)), crs=grid.crs, pixel_m=grid.pixel_m)

    def whole(self, flt: IncidentFilter) -> tuple[series.Incidents, tuple[int, int] | None]:
        """Return the whole span's located incidents per grid cell and month, and their first and last month."""
        grid, first, last = self._grid, self._span.first, self._span.last
        if first is None or last is None:
            return pd.DataFrame({"occurred_at": pd.Series(dtype="datetime64[ns]")}), None
        if not self._pixels or grid is None:
            return self._rows(_days(flt, first.date(), last.date())), None
        # Whole calendar months from the first incident's to the latest's: the prepared aggregates only.
        end = (pd.Timestamp(last) + pd.offsets.MonthEnd(0)).date()
        whole = window(_days(flt, first.date().replace(day=1), end))
        block = settings.KDE_SUBCELLS
        table = self.store.pixel_counts(whole, by_month=True, block=block)
        months = self.store.unit_counts(whole, by=("month",))
        found = months.loc[months["n"] > 0, "month"].astype(str)
        numbers = found.str[:4].astype(int) * 12 + found.str[5:7].astype(int) - 1
        span = (int(numbers.min()), int(numbers.max())) if len(numbers) else None
        return from_table(table, crs=grid.crs, pixel_m=grid.pixel_m * block), span

    def evaluated(self) -> Incidents:
        """Return the store's counts per plan month (`geo.store.buckets.BucketCounts`)."""
        return BucketCounts(self.store.engine, self.store.tables)
