"""Calendar arithmetic shared by every stage: now in the area's time zone, month shifts and month ranges."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from geo import settings


def now_local() -> datetime:
    """Return the current wall-clock time in Vietnam (naive)."""
    return datetime.now(ZoneInfo(settings.TIMEZONE)).replace(tzinfo=None)


def shift_months(day: date, months: int) -> date:
    """Return ``day`` moved by ``months`` calendar months, clamped to the end of short months.

    Examples
    --------
    >>> shift_months(date(2023, 5, 26), -12)
    datetime.date(2022, 5, 26)
    >>> shift_months(date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    """
    return (pd.Timestamp(day) + pd.DateOffset(months=months)).date()


def complete_data_end(last_day: date) -> date:
    """Return the exclusive end of the last complete calendar month up to ``last_day``.

    Examples
    --------
    >>> complete_data_end(date(2026, 10, 31))
    datetime.date(2026, 11, 1)
    >>> complete_data_end(date(2026, 10, 15))
    datetime.date(2026, 10, 1)
    """
    following = last_day + timedelta(days=1)
    return following.replace(day=1)


def months_between(start: date, end: date) -> pd.DatetimeIndex:
    """Return the first day of every calendar month from ``start``'s month to ``end``'s month.

    Examples
    --------
    >>> [m.strftime("%m/%Y") for m in months_between(date(2024, 11, 20), date(2025, 1, 3))]
    ['11/2024', '12/2024', '01/2025']
    """
    return pd.date_range(date(start.year, start.month, 1), date(end.year, end.month, 1), freq="MS")
