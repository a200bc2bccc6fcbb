"""The hot spot analyses of a filter, cached on one plain key: from pixel counts on push-down, else from the rows.

Every analysis is cached with ``st.cache_data`` on a `Query` (the store's URL and version plus the
filter's plain values), so moving the month slider or toggling a layer never recomputes the grid
analytics. Where the incidents come from is decided in one place (`incidents`): with push-down
(`ui.source.pushdown`, PostgreSQL or ``ANTT_PUSHDOWN=1``) the store counts them per 62.5 m pixel
(``Store.pixel_counts``, the kernel density's own pixels) and no row is read; otherwise the
filter's rows are selected from the incidents this process holds. `geo.hotspots.series` gives the
same numbers from either (``tests/geo/hotspots/test_pixels.py``, ``tests/app/test_pushdown_hotspots.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TypedDict

import numpy as np
import pandas as pd
import streamlit as st

from geo import AppError, DataError, settings
from geo.dates import complete_data_end
from geo.evaluation.periods import Windows, plan_windows
from geo.filters import IncidentFilter, apply_filter
from geo.hotspots import series
from geo.hotspots.emerging import Emerging, Standardise, hot_class_shares
from geo.hotspots.gistar import GiConvention
from geo.hotspots.pixels import from_table
from geo.store.aggregates import Grid as StoreGrid
from geo.store.rows import Selection
from ui import loaders, source

LAST_DAY = date(2199, 12, 31)
"""A day after every incident: on push-down "the whole data span" runs from the first month to here
(whole months, so the store sums its monthly pixel counts and reads no incident)."""


@dataclass(frozen=True)
class Query:
    """One cache key of the analyses: the store's URL and version, the filter's days, offences and units.

    ``start`` and ``end`` are None for the whole data span (the emerging analysis, the before/after maps).
    """

    url: str
    version: str
    groups: tuple[str, ...] = ()
    offences: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None

    @classmethod
    def of(cls, flt: IncidentFilter) -> Query:
        """Return the query of ``flt`` on the store as it is now."""
        url, version = loaders.key()
        return cls(url, version, flt.groups, flt.offences, flt.communes, flt.start, flt.end)

    def all_time(self) -> Query:
        """Return the same offences and units over the whole data span."""
        return replace(self, start=None, end=None)

    def days(self, start: date, end: date) -> Query:
        """Return the same offences and units on the days ``start`` … ``end``."""
        return replace(self, start=start, end=end)

    def span(self) -> tuple[date, date]:
        """Return the first and last day of the query (they must be set)."""
        if self.start is None or self.end is None:
            raise ValueError("a query over the whole data span has no days of its own")
        return self.start, self.end

    def filter(self) -> IncidentFilter:
        """Return the query as a filter (its days must be set)."""
        start, end = self.span()
        return IncidentFilter(
            start=start, end=end, groups=self.groups, offences=self.offences, communes=self.communes
        )


class _Plain(TypedDict):
    start: date
    end: date
    groups: tuple[str, ...]
    offences: tuple[str, ...]
    communes: tuple[str, ...]


def plain(flt: IncidentFilter) -> _Plain:
    """The filter as plain keyword values (the cache key of /map's per-filter results, `ui.mapdata`)."""
    return _Plain(
        start=flt.start, end=flt.end, groups=flt.groups, offences=flt.offences, communes=flt.communes
    )


@dataclass(frozen=True)
class Method:
    """The statistical conventions the user chose for the hot spot layers (defaults: the recommended ones)."""

    gi: GiConvention = field(default_factory=GiConvention)
    standardise: Standardise = settings.EMERGING_STANDARDISE


# -- the grid and the incidents ---------------------------------------------------------------------
@st.cache_resource(show_spinner=False, max_entries=loaders.VERSIONS)
def _frame(url: str, version: str) -> series.GridFrame:
    found = series.grid_frame(loaders.communes())
    loaders.freeze(found.cells)
    for array in (found.ids, found.grid.inside):
        array.flags.writeable = False
    return found


def frame() -> series.GridFrame:
    """Return the district grid: one read-only object per process and store version (not unpickled per call)."""
    return _frame(*loaders.key())


@st.cache_resource(show_spinner=False, max_entries=3)
def _selected(q: Query) -> pd.DataFrame:
    return loaders.freeze(apply_filter(loaders.incidents(), q.filter()))


def selected(flt: IncidentFilter) -> pd.DataFrame:
    """Return the incidents of ``flt``: one read-only frame per filter for the latest filters (copy it to change it).

    A filter's analyses, counts and map share it instead of each selecting (copying) the rows again.
    """
    return _selected(Query.of(flt))


def _pixel_grid(url: str, version: str) -> StoreGrid | None:
    """The store's pixels when push-down is on and they are the hot spot grid's (None: use the rows)."""
    return _matching_grid(url, version) if source.pushdown() else None


@st.cache_data(show_spinner=False, max_entries=4)
def _matching_grid(url: str, version: str) -> StoreGrid | None:
    stored = loaders.store().aggregate_grid()
    grid = _frame(url, version).grid
    pixel = grid.cell_m / settings.KDE_SUBCELLS
    if stored is None or stored.crs != grid.crs or abs(stored.pixel_m - pixel) > 1e-9 * pixel:
        return None  # aggregates of other pixels (never built, or another CRS): the rows are exact
    return stored


def from_pixels(q: Query) -> bool:
    """True when the analyses of ``q`` read the store's pixel counts instead of the incidents."""
    return _pixel_grid(q.url, q.version) is not None


def _whole_span(q: Query) -> Query:
    """``q`` over the whole data span: from the first incident's day (its month on push-down) on.

    Raises
    ------
    geo.DataError
        When the store holds no incident.
    """
    if from_pixels(q):
        covered = loaders.coverage()
        if covered is None:
            raise DataError("Chưa có vụ việc nào trong dữ liệu. Hãy nhập dữ liệu vụ việc ở trang Dữ liệu.")
        return q.days(covered[0].replace(day=1), LAST_DAY)
    first, last = series.data_span(loaders.incidents())
    return q.days(first, last)


def incidents(
    q: Query, *, by_month: bool = False, cells: bool = False, shared: bool = True
) -> series.Incidents:
    """Return the incidents of ``q`` for the analyses: counted per pixel (and month) on push-down, else the rows.

    ``cells``: counts per grid cell are enough (no density is drawn from them), so the store sums
    its pixels in blocks of one cell (a sixteenth of the rows). ``shared`` rows are the filter's
    frame `selected` keeps for the page's other uses; the other windows an analysis reads (the
    whole span, the before and after windows) are selected for it alone, so they do not push the
    page's filter out of that small cache.
    """
    stored = _pixel_grid(q.url, q.version)
    if stored is None:
        return _selected(q) if shared else apply_filter(loaders.incidents(), q.filter())
    block = settings.KDE_SUBCELLS if cells else 1
    table = source.pixel_counts(q.filter(), by_month=by_month, block=block)
    return from_table(table, crs=stored.crs, pixel_m=stored.pixel_m * block)


def _month_span(q: Query) -> tuple[int, int] | None:
    """First and last month (``year * 12 + month - 1``) of the incidents of ``q``, located or not (push-down)."""
    months = source.unit_counts(q.filter(), by=("month",))
    found = months.loc[months["n"] > 0, "month"].astype(str)
    if found.empty:
        return None
    numbers = found.str[:4].astype(int) * 12 + found.str[5:7].astype(int) - 1
    return int(numbers.min()), int(numbers.max())


def month_incidents(q: Query) -> tuple[int, tuple[np.ndarray, np.ndarray] | None]:
    """Return how many incidents ``q`` matches, with or without coordinates, and where they are.

    Their longitudes and latitudes when at most ``settings.POINTS_MAX`` (on push-down those few
    rows are read from the store), else None.
    """
    if from_pixels(q):
        n = int(source.unit_counts(q.filter(), by=("month",))["n"].sum())
        if n > settings.POINTS_MAX:
            return n, None
        found = loaders.store().page(Selection(source.window(q.filter())), limit=n, order="oldest")
    else:
        found = apply_filter(loaders.incidents(), q.filter())
        n = len(found)
        if n > settings.POINTS_MAX:
            return n, None
    return n, (found["lon"].to_numpy(dtype=float), found["lat"].to_numpy(dtype=float))


# -- the analyses -----------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=8)
def _period(q: Query, inference: str = "permutation", fdr: bool = True) -> series.Period:
    convention = GiConvention(inference="normal" if inference == "normal" else "permutation", fdr=fdr)
    start, end = q.span()
    return series.period_analysis(
        _frame(q.url, q.version),
        incidents(q),
        start=start,
        end=end,
        communes=q.communes,
        convention=convention,
    )


def period(flt: IncidentFilter, convention: GiConvention | None = None) -> series.Period:
    """Return counts, yearly density and Gi* classes of the filtered period (cached)."""
    conv = convention or GiConvention()
    return _period(Query.of(flt), conv.inference, conv.fdr)


@st.cache_data(show_spinner=False, max_entries=16)
def _density(q: Query) -> np.ndarray:
    start, end = q.span()
    return series.period_density(
        _frame(q.url, q.version), incidents(q), start=start, end=end, communes=q.communes
    )


def density(flt: IncidentFilter) -> np.ndarray:
    """Return the yearly density of the filtered period per cell (cached; no Gi* is run for it)."""
    return _density(Query.of(flt))


@st.cache_data(show_spinner=False, max_entries=4)
def _emerging(q: Query, standardise: str = settings.EMERGING_STANDARDISE) -> Emerging | str:
    try:
        whole = _whole_span(q)
        pixels = from_pixels(q)
        return series.emerging_analysis(
            _frame(q.url, q.version),
            incidents(whole, by_month=True, cells=True, shared=False),
            communes=q.communes,
            standardise="cube" if standardise == "cube" else "step",
            months=_month_span(whole) if pixels else None,
        )
    except AppError as err:
        return err.message


def emerging(flt: IncidentFilter, standardise: Standardise = settings.EMERGING_STANDARDISE) -> Emerging | str:
    """Return the emerging hot spot analysis over the whole data span, or why there is none (cached)."""
    return _emerging(Query.of(flt).all_time(), standardise)


@st.cache_data(show_spinner=False, max_entries=4)
def _monthly(q: Query) -> series.MonthlyDensity:
    start, end = q.span()
    return series.monthly_density(
        _frame(q.url, q.version),
        incidents(q, by_month=True),
        start=start,
        end=end,
        communes=q.communes,
    )


def monthly(q: Query) -> series.MonthlyDensity:
    """Return the yearly density of every calendar month of the period of ``q`` (cached)."""
    return _monthly(q)


def plan_windows_now() -> Windows:
    """Return the plan's before/after windows over the data's coverage (`ui.loaders.coverage`; no row is read).

    The same windows as the evaluation's (`geo.evaluation.periods.windows_for` through the declared
    end of the data).

    Raises
    ------
    geo.DataError
        When the store holds no incident; `geo.ConfigError` when the plan's start leaves no month of
        data on one side.
    """
    covered = loaders.coverage()
    if covered is None:
        raise DataError("Không có vụ việc nào có thời gian hợp lệ để đánh giá.", field="occurred_at")
    return plan_windows(loaders.plan(), data_start=covered[0], data_end=complete_data_end(covered[1]))


@st.cache_data(show_spinner=False, max_entries=4)
def _compare(q: Query) -> series.Comparison:
    windows = plan_windows_now()
    one_day = timedelta(days=1)
    before = q.days(windows.before_start, windows.start - one_day)
    after = q.days(windows.start, windows.after_end - one_day)
    return series.compare_periods(
        _frame(q.url, q.version),
        (incidents(before, shared=False), incidents(after, shared=False)),
        before_start=windows.before_start,
        start=windows.start,
        after_end=windows.after_end,
        before_months=windows.before_months,
        after_months=windows.after_months,
        communes=q.communes,
    )


def comparison(q: Query) -> series.Comparison:
    """Return the density before and after the plan's start, for the offences and units of ``q`` (cached)."""
    return _compare(q.all_time())


def target_shares(flt: IncidentFilter) -> pd.DataFrame | None:
    """Return each target's hot cells and the share diminishing or historical (None without an analysis)."""
    result = emerging(flt)
    if not isinstance(result, Emerging):
        return None
    return hot_class_shares(result, frame().communes, list(loaders.plan().targets))
