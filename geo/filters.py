"""Incident filters: a validated value object, its URL form, and fast application to a frame."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from geo._errors import ConfigError
from geo.dates import shift_months
from geo.taxonomy import group_of, groups

_SEP = ","

PRESETS = ("12m", "7d", "28d", "month", "quarter", "ytd", "custom")
"""The period presets (CompStat), each relative to the last day of the data, never the wall clock.

``12m`` the last 12 complete months (the default view), ``7d``/``28d`` the last 7/28 days, ``month``
and ``quarter`` the data's last month/quarter up to its last day, ``ytd`` from 1 January of the
data's last year to its last day, ``custom`` any range the user picks. Every one is compared with the
same period a year earlier (`IncidentFilter.year_earlier`).
"""

ROLLING = {"7d": 7, "28d": 28}
"""Presets that are a number of days: their comparison a year earlier keeps the same number of days."""

CUSTOM = "custom"


def _month_end(day: date) -> date:
    return (pd.Timestamp(day) + pd.offsets.MonthEnd(0)).date()


def _is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def year_earlier_day(day: date, *, end: bool = False) -> date:
    """Return ``day`` a year earlier; an ``end`` on a month's last day goes to that month's last day.

    So the year before a period through 28/02/2025 runs through 29/02/2024 (February whole), and a
    29/02 goes to 28/02.

    Examples
    --------
    >>> year_earlier_day(date(2024, 2, 29)), year_earlier_day(date(2025, 2, 28), end=True)
    (datetime.date(2023, 2, 28), datetime.date(2024, 2, 29))
    >>> year_earlier_day(date(2025, 2, 28)), year_earlier_day(date(2026, 10, 31), end=True)
    (datetime.date(2024, 2, 28), datetime.date(2025, 10, 31))
    """
    shifted = shift_months(day, -12)
    return _month_end(shifted) if end and _is_month_end(day) else shifted


def last_complete_months(last_day: date, *, first: date | None = None, months: int = 12) -> tuple[date, date]:
    """Return the last ``months`` complete calendar months up to ``last_day`` (from ``first`` if later).

    When the data do not reach a whole month, the range ends on ``last_day`` itself.

    Examples
    --------
    >>> last_complete_months(date(2026, 10, 31))
    (datetime.date(2025, 11, 1), datetime.date(2026, 10, 31))
    >>> last_complete_months(date(2024, 3, 15))
    (datetime.date(2023, 3, 1), datetime.date(2024, 2, 29))
    >>> last_complete_months(date(2024, 3, 15), first=date(2024, 3, 2))
    (datetime.date(2024, 3, 2), datetime.date(2024, 3, 15))
    """
    end = last_day if _is_month_end(last_day) else last_day.replace(day=1) - timedelta(days=1)
    if first is not None and end < first:
        end = last_day
    start = shift_months(end + timedelta(days=1), -months)
    return (max(first, start) if first is not None else start), end


def preset_period(preset: str, last_day: date, *, first: date | None = None) -> tuple[date, date]:
    """Return the first and last day (inclusive) of a preset, relative to the data's last day.

    ``first`` (the data's first day) keeps a period from starting before the data. ``custom`` has no
    range of its own: it returns `last_complete_months` (the default view).

    Examples
    --------
    >>> end = date(2026, 10, 31)
    >>> [preset_period(p, end)[0].isoformat() for p in ("7d", "28d", "month", "quarter", "ytd")]
    ['2026-10-25', '2026-10-04', '2026-10-01', '2026-10-01', '2026-01-01']
    >>> preset_period("28d", date(2024, 3, 1))
    (datetime.date(2024, 2, 3), datetime.date(2024, 3, 1))
    >>> preset_period("quarter", date(2024, 2, 29))
    (datetime.date(2024, 1, 1), datetime.date(2024, 2, 29))
    """
    if preset in ROLLING:
        start = last_day - timedelta(days=ROLLING[preset] - 1)
    elif preset == "month":
        start = last_day.replace(day=1)
    elif preset == "quarter":
        start = date(last_day.year, 3 * ((last_day.month - 1) // 3) + 1, 1)
    elif preset == "ytd":
        start = date(last_day.year, 1, 1)
    else:
        return last_complete_months(last_day, first=first)
    return (max(first, start) if first is not None and first <= last_day else start), last_day


@dataclass(frozen=True)
class IncidentFilter:
    """Which incidents to show: a closed date range, offence groups and types, communes.

    Empty tuples mean "all". ``end`` is inclusive (the whole day). ``preset`` is the period preset
    the range came from (one of `PRESETS`; empty when none was named): it decides the comparison a
    year earlier and travels in the URL.
    """

    start: date
    end: date
    groups: tuple[str, ...] = ()
    offences: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    preset: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ConfigError(
                f"Ngày kết thúc ({self.end:%d/%m/%Y}) phải sau ngày bắt đầu ({self.start:%d/%m/%Y})."
            )

    @property
    def days(self) -> int:
        """Number of days in the range, both ends included."""
        return (self.end - self.start).days + 1

    def year_earlier(self) -> IncidentFilter:
        """Return the same filter shifted to the same period one year earlier.

        The calendar dates a year earlier (29/02 becomes 28/02; a range through a month's last day
        runs through that month's last day, so February is whole in both years); a rolling preset
        (the last 7 or 28 days) keeps its number of days, ending on the same date a year earlier.
        """
        end = year_earlier_day(self.end, end=True)
        if self.preset in ROLLING:
            return replace(self, start=end - timedelta(days=self.days - 1), end=end)
        return replace(self, start=year_earlier_day(self.start), end=end)

    def to_params(self) -> dict[str, str]:
        """Return the filter as plain URL query parameters (dates ISO, lists comma-separated, the preset)."""
        params = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.preset:
            params["period"] = self.preset
        for key, values in (("group", self.groups), ("offence", self.offences), ("commune", self.communes)):
            if values:
                params[key] = _SEP.join(values)
        return params

    @classmethod
    def from_params(
        cls,
        params: dict[str, str],
        *,
        default: IncidentFilter,
        commune_codes: set[str],
        last_day: date | None = None,
        first_day: date | None = None,
    ) -> IncidentFilter:
        """Parse URL query parameters, keeping only valid values and falling back to ``default``.

        Unknown codes are dropped and malformed dates replaced by the default: a link edited by
        hand never breaks the page. A preset other than ``custom`` (``period=28d``) with the data's
        ``last_day`` known gives its range relative to that day (a link to "the last 28 days" shows
        the latest 28 days of the data when opened); ``from``/``to`` are then ignored.
        """
        preset = params.get("period", "").strip()
        if preset not in PRESETS:
            dated = "from" in params or "to" in params  # an old link with dates only: a custom range
            preset = CUSTOM if dated and default.preset else default.preset
        start = _parse_date(params.get("from")) or default.start
        end = _parse_date(params.get("to")) or default.end
        if end < start:
            start, end = default.start, default.end
        if preset and preset != CUSTOM and last_day is not None:
            start, end = preset_period(preset, last_day, first=first_day)
        offence_codes = set(group_of())
        return cls(
            start=start,
            end=end,
            groups=_parse_list(params.get("group"), set(groups())),
            offences=_parse_list(params.get("offence"), offence_codes),
            communes=_parse_list(params.get("commune"), commune_codes),
            preset=preset,
        )


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _parse_list(text: str | None, allowed: set[str]) -> tuple[str, ...]:
    if not text:
        return ()
    seen: dict[str, None] = {}
    for raw in text.split(_SEP):
        item = raw.strip()
        if item in allowed:
            seen[item] = None
    return tuple(sorted(seen))


def apply_filter(incidents: pd.DataFrame, flt: IncidentFilter) -> pd.DataFrame:
    """Return the incidents that match ``flt`` (a new frame; the input is not changed).

    The date range uses ``searchsorted`` when the frame is sorted by time (as the store returns
    it), otherwise a boolean mask.
    """
    times = incidents["occurred_at"]
    lo = pd.Timestamp(flt.start)
    hi = pd.Timestamp(flt.end) + pd.Timedelta(days=1)
    if times.is_monotonic_increasing:
        values = times.to_numpy()
        i, j = np.searchsorted(values, [lo.to_datetime64(), hi.to_datetime64()], side="left")
        subset = incidents.iloc[i:j]
    else:
        subset = incidents[(times >= lo) & (times < hi)]
    mask = np.ones(len(subset), dtype=bool)
    if flt.groups:
        mask &= subset["offence_group"].isin(flt.groups).to_numpy()
    if flt.offences:
        mask &= subset["offence_code"].isin(flt.offences).to_numpy()
    if flt.communes:
        mask &= subset["commune_code"].isin(flt.communes).to_numpy()
    return subset[mask].copy()


def default_filter(incidents: pd.DataFrame) -> IncidentFilter:
    """Return the default view: the last 12 complete months of the data (or all of it, if shorter)."""
    if incidents.empty:
        today = date.today()
        return IncidentFilter(start=today - timedelta(days=364), end=today)
    last = incidents["occurred_at"].max()
    first = incidents["occurred_at"].min().date()
    month_end = (last + pd.offsets.MonthEnd(0)).date()
    end = (
        month_end
        if last.date() == month_end
        else (last - pd.offsets.MonthBegin(1)).date() - timedelta(days=1)
    )
    if end < first:
        end = last.date()
    start = max(first, (pd.Timestamp(end) - pd.DateOffset(years=1) + pd.Timedelta(days=1)).date())
    return IncidentFilter(start=start, end=end)
