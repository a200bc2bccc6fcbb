"""Evaluation periods: the before/after windows around a plan's start and their monthly bins (counts per bin)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from geo._errors import ConfigError, DataError
from geo.dates import complete_data_end, shift_months
from geo.evaluation.source import FrameCounts, Incidents, counts_of
from geo.plan import Plan


@dataclass(frozen=True)
class Windows:
    """The before and after windows of an evaluation (DESIGN.md §5).

    Months are counted from the plan's start day S: month ``k`` runs from ``S + k months``
    (inclusive) to ``S + (k + 1) months`` (exclusive), so the before window is months
    ``-before_months … -1`` and the after window months ``0 … after_months - 1``.

    Attributes
    ----------
    start
        The plan's start day S.
    before_start
        First day of the before window.
    after_end
        Day after the last day of the after window (exclusive end).
    before_months, after_months
        Window lengths actually used (shortened when the data does not cover the plan's windows).
    requested_before_months, requested_after_months
        Window lengths the plan asked for.
    data_start, data_end
        First day with data and the day after the last complete month of data (exclusive).
    """

    start: date
    before_start: date
    after_end: date
    before_months: int
    after_months: int
    requested_before_months: int
    requested_after_months: int
    data_start: date
    data_end: date

    @property
    def before_days(self) -> int:
        """Length of the before window in days."""
        return (self.start - self.before_start).days

    @property
    def after_days(self) -> int:
        """Length of the after window in days."""
        return (self.after_end - self.start).days

    @property
    def weight(self) -> float:
        """Factor that scales after-window counts to the before window's length (time weighting)."""
        return self.before_days / self.after_days

    @property
    def shortened(self) -> bool:
        """Whether the data forced a shorter window than the plan asked for."""
        return (self.before_months, self.after_months) != (
            self.requested_before_months,
            self.requested_after_months,
        )

    def month_starts(self) -> pd.DatetimeIndex:
        """Return the start of every month bin, plus the exclusive end of the last one."""
        offsets = range(-self.before_months, self.after_months + 1)
        return pd.DatetimeIndex([shift_months(self.start, k) for k in offsets])

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-serialisable description (ISO dates, inclusive last days)."""
        return {
            "before": [self.before_start.isoformat(), (self.start - timedelta(days=1)).isoformat()],
            "after": [self.start.isoformat(), (self.after_end - timedelta(days=1)).isoformat()],
            "before_months": self.before_months,
            "after_months": self.after_months,
            "shortened": self.shortened,
            "data": [self.data_start.isoformat(), (self.data_end - timedelta(days=1)).isoformat()],
        }


def _full_months_between(first: date, start: date, *, backwards: bool, limit: int) -> int:
    """Count whole months (from ``start``) that fit on one side of ``start`` within the data."""
    months = 0
    while months < limit:
        edge = shift_months(start, -(months + 1) if backwards else months + 1)
        if (backwards and edge < first) or (not backwards and edge > first):
            break
        months += 1
    return months


def plan_windows(plan: Plan, *, data_start: date, data_end: date) -> Windows:
    """Return the before/after windows of ``plan`` within the data's coverage.

    Parameters
    ----------
    plan
        The plan (start day and requested window lengths).
    data_start
        First day covered by the data.
    data_end
        Exclusive end of the data (the day after the last complete month, see `complete_data_end`).

    Returns
    -------
    Windows
        The windows, shortened to whole months the data covers.

    Raises
    ------
    ConfigError
        When the start day leaves no whole month of data before or after it.
    """
    start = plan.start
    before = _full_months_between(data_start, start, backwards=True, limit=plan.before_months)
    after = _full_months_between(data_end, start, backwards=False, limit=plan.after_months)
    if before == 0 or after == 0:
        last = data_end - timedelta(days=1)
        side = "trước" if before == 0 else "sau"
        raise ConfigError(
            f"Ngày bắt đầu kế hoạch {start:%d/%m/%Y} nằm ngoài dữ liệu: dữ liệu chỉ có từ "
            f"{data_start:%d/%m/%Y} đến {last:%d/%m/%Y} (tính đến tháng trọn vẹn cuối cùng), "
            f"không còn tháng trọn vẹn nào ở giai đoạn {side}. Hãy chọn ngày bắt đầu khác "
            f"hoặc nạp thêm dữ liệu."
        )
    return Windows(
        start=start,
        before_start=shift_months(start, -before),
        after_end=shift_months(start, after),
        before_months=before,
        after_months=after,
        requested_before_months=plan.before_months,
        requested_after_months=plan.after_months,
        data_start=data_start,
        data_end=data_end,
    )


def windows_for(incidents: Incidents, plan: Plan, *, through: date | None = None) -> Windows:
    """Return the windows of ``plan`` over the time span of ``incidents``.

    Parameters
    ----------
    incidents
        Incidents with an ``occurred_at`` column, or their counts (`geo.evaluation.source.Counts`).
    plan
        The plan.
    through
        Last day the data is known to cover; defaults to the last day the incidents cover (a
        month-only record covers its month). Only complete calendar months up to this day are used.

    Raises
    ------
    DataError
        When there are no incidents.
    ConfigError
        When the plan's start leaves no month of data on one side.
    """
    counts = counts_of(incidents)
    first = counts.first_day()
    if first is None:
        raise DataError("Không có vụ việc nào có thời gian hợp lệ để đánh giá.", field="occurred_at")
    # A month of month-only records counts as complete (geo.incidents.covered_until).
    last = through or counts.last_day() or first
    return plan_windows(plan, data_start=first, data_end=complete_data_end(last))


def month_index(times: pd.Series, windows: Windows) -> np.ndarray:
    """Return each time's month bin (``-before_months … after_months - 1``), or a sentinel outside.

    Times outside the windows get ``windows.after_months`` (one past the last bin) so callers
    can drop them with a single comparison.
    """
    edges = windows.month_starts().to_numpy()
    values = pd.to_datetime(times).to_numpy(dtype="datetime64[ns]")
    position = np.searchsorted(edges, values, side="right") - 1
    inside = (position >= 0) & (position < len(edges) - 1)
    return np.where(inside, position - windows.before_months, windows.after_months)


def monthly_from_bins(binned: pd.DataFrame, windows: Windows, *, codes: list[str]) -> pd.DataFrame:
    """Return the full commune × month table of ``binned`` counts (`geo.evaluation.source.Counts.binned`).

    ``binned`` holds the bins of ``windows.month_starts()`` (bin ``i`` is month ``i - before_months``),
    of one offence group or of all; see `monthly_counts` for the table.
    """
    keep = binned["commune_code"].isin(codes).to_numpy()
    observed = (
        pd.DataFrame(
            {
                "commune_code": binned["commune_code"].to_numpy()[keep],
                "month": binned["bin"].to_numpy()[keep] - windows.before_months,
                "count": binned["count"].to_numpy()[keep],
            }
        )
        .groupby(["commune_code", "month"])["count"]
        .sum()
    )
    months = pd.Index(np.arange(-windows.before_months, windows.after_months))
    full = pd.MultiIndex.from_product([codes, months], names=["commune_code", "month"])
    table = observed.reindex(full, fill_value=0).astype(np.int64).rename("count").reset_index()
    starts = windows.month_starts()
    table["month_start"] = starts[table["month"] + windows.before_months]
    lengths = np.diff(starts.values).astype("timedelta64[D]").astype(int)
    table["days"] = lengths[table["month"] + windows.before_months]
    return table[["commune_code", "month", "month_start", "days", "count"]]


def monthly_counts(incidents: pd.DataFrame, windows: Windows, *, codes: list[str]) -> pd.DataFrame:
    """Return a full commune × month table of incident counts inside the windows.

    Parameters
    ----------
    incidents
        Incidents with ``occurred_at`` and ``commune_code`` columns.
    windows
        The evaluation windows.
    codes
        Communes to include (every one gets every month, with zero counts where nothing happened).

    Returns
    -------
    pandas.DataFrame
        Columns ``commune_code``, ``month`` (bin number, negative before the start), ``month_start``
        (Timestamp), ``days`` (bin length) and ``count``.
    """
    return monthly_from_bins(
        FrameCounts(incidents).binned(list(windows.month_starts())), windows, codes=codes
    )


def period_table(binned: pd.DataFrame, windows: Windows, *, first_month: int) -> pd.DataFrame:
    """Return ``binned`` counts per commune, offence group and period (0 before, 1 after) of ``windows``.

    Bin ``i`` of ``binned`` is month ``first_month + i`` (months counted from the plan's start, as in
    `Windows`); months outside ``windows`` are left out. Columns ``commune_code``, ``offence_group``,
    ``period``, ``count``.
    """
    month = binned["bin"].to_numpy() + first_month
    inside = (month >= -windows.before_months) & (month < windows.after_months)
    frame = pd.DataFrame(
        {
            "commune_code": binned["commune_code"].to_numpy()[inside],
            "offence_group": binned["offence_group"].to_numpy()[inside],
            "period": (month[inside] >= 0).astype(int),
            "count": binned["count"].to_numpy()[inside],
        }
    )
    return frame.groupby(["commune_code", "offence_group", "period"])["count"].sum().reset_index()
